"""`/api/v1/companies/{cid}/invoices`: list, issue (with an `Idempotency-Key`), read one, its
PDF and EHF XML, register payments, credit, mark as sent (owner and accountant).

Issuing: `{"customer_id", "lines": [{"description", "quantity", "unit_price", "vat_code"}],
"issue_date"?, "delivery_from"?, "delivery_to"?}` (the delivery defaults to the issue date);
or, without lines, `{"project_id"}` or `{"customer_id", "unbilled_hours": true}` to invoice
the unbilled hours of a project or a customer (delivered from the first to the last day
worked). The first request with a key answers 201; the same key and body again answer 200
with the same invoice and post nothing; the same key with another body is 409. An invoice
the seller or buyer lacks details for is 422 `invoice_details_missing`, naming them.

Crediting: `{}` credits all that is left; `{"lines": [{"line": 1, "quantity"?: "2",
"amount"?: "500"}]}` some lines, or part of one; `{"hours": "2"}` hours off the line of
hours; `{"amount": "500"}` an amount before VAT off the one line. What was paid already is
refunded with `"refund": true` (otherwise 422 `invoice_not_open`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.api.body import (
    idempotency_key,
    optional_bool,
    optional_date,
    optional_int,
    optional_number,
    optional_str,
    required_date,
    required_int,
    required_number,
)
from channels.api.common import ApiError, authorise, in_db, json_response, read_json
from channels.api.idempotent import respond_once
from ledger import clock
from ledger.documents.ehf import ehf_filename, ehf_xml
from ledger.documents.pdf import invoice_pdf, pdf_filename
from ledger.idempotency import Result
from ledger.invoicing import (
    CreditLine,
    SaleLine,
    credit_invoice,
    get_invoice,
    invoice_document,
    invoice_unbilled_hours,
    issue_invoice,
    list_invoices,
    mark_sent,
    open_amount,
    paid_amount,
    paid_amounts,
    public_status,
    register_payment,
)
from ledger.models import Customer, Invoice, Payment
from ledger.money import Money
from ledger.permissions import Capability

routes = web.RouteTableDef()

INVOICE = r"/api/v1/companies/{cid}/invoices/{number:\d+}"


def invoice_json(session: Session, invoice: Invoice, paid: Money | None = None) -> dict[str, Any]:
    """An invoice or credit note as the API shows it."""
    paid = paid_amount(session, invoice) if paid is None else paid
    balance = open_amount(invoice, paid)
    customer = session.get(Customer, invoice.customer_id)
    credits = session.get(Invoice, invoice.credits_id) if invoice.credits_id is not None else None
    credited_by = session.scalar(
        select(Invoice.number).where(Invoice.credits_id == invoice.id).order_by(Invoice.number.desc()).limit(1)
    )
    positions = {line.id: i + 1 for i, line in enumerate(credits.lines)} if credits else {}
    return {
        "id": invoice.id,
        "number": invoice.number,
        "kind": invoice.kind,
        "customer_id": invoice.customer_id,
        "customer_name": customer.name if customer else None,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "delivery_date": invoice.delivery_date,
        "delivery_from": invoice.delivery_from or invoice.delivery_date or invoice.issue_date,
        "delivery_to": invoice.delivery_date or invoice.issue_date,
        "kid": invoice.kid or None,
        "net": invoice.net,
        "vat": invoice.vat,
        "total": invoice.total,
        "paid": paid,
        "balance": balance,
        "status": public_status(invoice),
        "overdue": balance > 0 and invoice.due_date < clock.today(),
        "sent_at": invoice.sent_at,
        "credits": credits.number if credits else None,
        "credited": invoice.credited,
        "credited_by": credited_by,
        "language": invoice.language,
        "lines": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "vat_code": line.vat_code or None,
                "vat_rate": line.vat_rate,
                "net": line.net,
                "vat": line.vat,
                "project_id": line.project_id,
                "credits_line": positions.get(line.credits_line_id) if line.credits_line_id else None,
            }
            for line in invoice.lines
        ],
    }


def _number(request: web.Request) -> int:
    return int(request.match_info["number"])


def _answer_invoice(session: Session, company_id: int, result: Result) -> dict[str, Any]:
    return invoice_json(session, get_invoice(session, company_id, int(str(result["number"]))))


def _sale_lines(body: dict[str, Any]) -> list[SaleLine]:
    lines = body.get("lines")
    if not isinstance(lines, list) or not lines or not all(isinstance(x, dict) for x in lines):
        raise ApiError(400, "invalid_input", "lines must be a list of objects")
    sale_lines = []
    for index, raw in enumerate(lines):
        description = raw.get("description")
        if not isinstance(description, str):
            raise ApiError(400, "invalid_input", f"lines[{index}].description must be text")
        code = raw.get("vat_code")
        if code is not None and not isinstance(code, str | int):
            raise ApiError(400, "invalid_input", f'lines[{index}].vat_code must be a VAT code such as "3"')
        unit = optional_str(raw, "unit", "EA")
        sale_lines.append(
            SaleLine(
                description=description,
                quantity=required_number(raw, "quantity"),
                unit_price=required_number(raw, "unit_price"),
                vat_code=str(code) if code is not None else None,
                unit=unit,
                project_id=optional_int(raw, "project_id"),
            )
        )
    return sale_lines


@routes.get("/api/v1/companies/{cid}/invoices")
async def invoices(request: web.Request) -> web.Response:
    """The company's invoices and credit notes by number (`?status=draft|sent|unpaid|paid|credited`)."""
    status = request.query.get("status") or None

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        paid = paid_amounts(session, company_id)
        found = list_invoices(session, company_id, status=status)
        return {"invoices": [invoice_json(session, i, paid.get(i.id, Money("0.00"))) for i in found]}

    return json_response(await in_db(request, read))


@routes.post("/api/v1/companies/{cid}/invoices")
async def issue(request: web.Request) -> web.Response:
    """Issues and posts an invoice, once per `Idempotency-Key`."""
    key = idempotency_key(request, required=True)
    body = await read_json(request)
    customer_id = optional_int(body, "customer_id")
    project_id = optional_int(body, "project_id")
    issue_date = optional_date(body, "issue_date")
    delivery_from = optional_date(body, "delivery_from")
    delivery_to = optional_date(body, "delivery_to")
    language = optional_str(body, "language") or None
    buyer_reference = optional_str(body, "buyer_reference")
    unbilled = optional_bool(body, "unbilled_hours", project_id is not None and "lines" not in body)
    lines = None if unbilled else _sale_lines(body)
    if customer_id is None and not (unbilled and project_id is not None):
        raise ApiError(400, "invalid_input", "customer_id must be a whole number")
    source = f"api:{key}"

    def work(session: Session, company_id: int, user_id: int) -> Result:
        if lines is None:
            if delivery_from or delivery_to:
                raise ApiError(400, "invalid_input", "the delivery of unbilled hours is the days they were worked")
            invoice = invoice_unbilled_hours(
                session,
                company_id,
                project_id=project_id,
                customer_id=None if project_id is not None else customer_id,
                issue_date=issue_date,
                created_by_id=user_id,
                channel="api",
                source=source,
                language=language,
            )
        else:
            assert customer_id is not None
            invoice = issue_invoice(
                session,
                company_id,
                customer_id,
                lines,
                issue_date=issue_date,
                delivery_from=delivery_from,
                delivery_to=delivery_to,
                created_by_id=user_id,
                channel="api",
                source=source,
                language=language,
                buyer_reference=buyer_reference,
            )
        return {"number": invoice.number}

    return await respond_once(request, "api:invoices", body, key, work, _answer_invoice)


@routes.get(INVOICE)
async def invoice(request: web.Request) -> web.Response:
    """One invoice or credit note."""
    number = _number(request)

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return invoice_json(session, get_invoice(session, company_id, number))

    return json_response(await in_db(request, read))


@routes.get(INVOICE + ".pdf")
async def invoice_as_pdf(request: web.Request) -> web.Response:
    """The invoice as a PDF for people."""
    number = _number(request)

    def build(session: Session) -> tuple[bytes, str]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        doc = invoice_document(session, get_invoice(session, company_id, number))
        return invoice_pdf(doc), pdf_filename(doc)

    pdf, filename = await in_db(request, build)
    return web.Response(
        body=pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@routes.get(INVOICE + ".xml")
async def invoice_as_ehf(request: web.Request) -> web.Response:
    """The invoice as EHF (PEPPOL BIS Billing 3.0 UBL) XML for machines."""
    number = _number(request)

    def build(session: Session) -> tuple[bytes, str]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        doc = invoice_document(session, get_invoice(session, company_id, number))
        return ehf_xml(doc), ehf_filename(doc)

    xml, filename = await in_db(request, build)
    return web.Response(
        body=xml,
        content_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _payment_json(session: Session, company_id: int, result: Result) -> dict[str, Any]:
    payment = session.get(Payment, int(str(result["payment_id"])))
    assert payment is not None
    invoice = session.get(Invoice, payment.invoice_id)
    assert invoice is not None
    return {
        "id": payment.id,
        "date": payment.date,
        "amount": payment.amount,
        "invoice": invoice_json(session, invoice),
    }


@routes.post(INVOICE + "/payments")
async def pay(request: web.Request) -> web.Response:
    """Registers a payment (`amount`, `date`, today by default) on the invoice; an
    `Idempotency-Key` makes a repeat answer 200 without posting again."""
    number = _number(request)
    key = idempotency_key(request, required=False)
    body = await read_json(request)
    amount = required_number(body, "amount")
    day = required_date(body, "date") if body.get("date") is not None else clock.today()

    def work(session: Session, company_id: int, user_id: int) -> Result:
        payment = register_payment(
            session,
            company_id,
            number,
            amount,
            day,
            created_by_id=user_id,
            channel="api",
            source=f"api:{key}" if key else "",
        )
        return {"payment_id": payment.id}

    return await respond_once(request, "api:payments", body, key, work, _payment_json)


def _credit_parts(body: dict[str, Any]) -> list[CreditLine] | None:
    """The `lines` of a credit request: which lines, and how much of each."""
    raw = body.get("lines")
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw or not all(isinstance(x, dict) for x in raw):
        raise ApiError(400, "invalid_input", "lines must be a list of objects such as {\"line\": 1}")
    parts = []
    for index, part in enumerate(raw):
        unknown = sorted(set(part) - {"line", "quantity", "amount"})
        if unknown:
            raise ApiError(400, "invalid_input", f"lines[{index}] has no field {unknown[0]!r}")
        parts.append(
            CreditLine(
                line=required_int(part, "line"),
                quantity=optional_number(part, "quantity"),
                amount=optional_number(part, "amount"),
            )
        )
    return parts


@routes.post(INVOICE + "/credit-notes")
async def credit(request: web.Request) -> web.Response:
    """Credits the invoice, all that is left of it or part of it (`lines`, `hours`, `amount`
    before VAT), with a credit note (`date`, today by default); `refund` pays back what was
    paid beyond what is left owed."""
    number = _number(request)
    key = idempotency_key(request, required=False)
    body = await read_json(request) if request.can_read_body else {}
    day: dt.date | None = optional_date(body, "date")
    parts = _credit_parts(body)
    hours = optional_number(body, "hours")
    amount = optional_number(body, "amount")
    refund = optional_bool(body, "refund", False)

    def work(session: Session, company_id: int, user_id: int) -> Result:
        note = credit_invoice(
            session,
            company_id,
            number,
            lines=parts,
            hours=hours,
            amount=amount,
            refund=refund,
            credit_date=day,
            created_by_id=user_id,
            channel="api",
            source=f"api:{key}" if key else "",
        )
        return {"number": note.number}

    return await respond_once(request, "api:credit-notes", body, key, work, _answer_invoice)


@routes.post(INVOICE + "/sent")
async def sent(request: web.Request) -> web.Response:
    """Records that the invoice went to the customer."""
    number = _number(request)

    def write(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return invoice_json(session, mark_sent(session, company_id, number))

    return json_response(await in_db(request, write))
