"""`/api/v1/companies/{cid}/invoices`: issuing with an Idempotency-Key (201, then 200 with the
same invoice, 409 for another body), listing by status, one invoice, its PDF and EHF, payments,
credit notes; owner and accountant only (staff 403, another company's owner 404)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from ledger.models import ClosedPeriod, Invoice, JournalLine
from tests.api.sales_gateway import MANAGERS_ONLY, SalesGateway, error_code, pg_sales_gateway, sales_gateway
from tests.ledger.builders import day

__all__ = ["pg_sales_gateway", "sales_gateway"]


def invoice_body(gw: SalesGateway, **change: Any) -> dict[str, Any]:
    body = {
        "customer_id": gw.sb.fjord_id,
        "lines": [{"description": "Rådgivning", "quantity": 5, "unit_price": "1000", "vat_code": "3"}],
        "issue_date": "2026-11-02",
    }
    return body | change


async def issue(gw: SalesGateway, key: str = "k-1", role: str = "owner", **change: Any) -> Any:
    return await gw.call("POST", "/invoices", role, json=invoice_body(gw, **change), headers={"Idempotency-Key": key})


def counts(gw: SalesGateway) -> tuple[int, int]:
    with gw.books.begin() as s:
        invoices = s.scalar(select(func.count(Invoice.id)).where(Invoice.company_id == gw.cid))
        lines = s.scalar(select(func.count(JournalLine.id)).where(JournalLine.company_id == gw.cid))
        return int(invoices or 0), int(lines or 0)


async def test_issue_answers_the_spec_shape(sales_gateway: SalesGateway) -> None:
    response = await issue(sales_gateway)
    assert response.status == 201
    body = await response.json()
    assert {
        k: body[k] for k in ("number", "customer_id", "issue_date", "due_date", "net", "vat", "total", "status")
    } == {
        "number": 10001,
        "customer_id": sales_gateway.sb.fjord_id,
        "issue_date": "2026-11-02",
        "due_date": "2026-11-16",
        "net": "5000.00",
        "vat": "1250.00",
        "total": "6250.00",
        "status": "unpaid",
    }
    assert len(body["kid"]) == 14
    assert body["lines"] == [
        {
            "description": "Rådgivning",
            "quantity": "5.00",
            "unit": "EA",
            "unit_price": "1000.00",
            "vat_code": "3",
            "vat_rate": "25.00",
            "net": "5000.00",
            "vat": "1250.00",
            "project_id": None,
            "credits_line": None,
        }
    ]


async def test_same_key_again_is_200_with_the_same_invoice_and_posts_nothing(sales_gateway: SalesGateway) -> None:
    first = await issue(sales_gateway)
    posted = counts(sales_gateway)
    again = await issue(sales_gateway)
    assert (first.status, again.status) == (201, 200)
    assert (await again.json())["number"] == (await first.json())["number"]
    assert counts(sales_gateway) == posted == (1, 3)


async def test_same_key_with_another_body_is_409(sales_gateway: SalesGateway) -> None:
    await issue(sales_gateway)
    response = await issue(sales_gateway, issue_date="2026-11-03")
    assert response.status == 409
    assert await error_code(response) == "idempotency_conflict"
    assert counts(sales_gateway) == (1, 3)


async def test_same_key_ten_times_at_once_posts_once(sales_gateway: SalesGateway) -> None:
    responses = await asyncio.gather(*(issue(sales_gateway) for _ in range(10)))
    assert sorted(r.status for r in responses) == [200] * 9 + [201]
    assert {(await r.json())["number"] for r in responses} == {10001}
    assert counts(sales_gateway) == (1, 3)


async def test_a_key_is_required(sales_gateway: SalesGateway) -> None:
    response = await sales_gateway.call("POST", "/invoices", json=invoice_body(sales_gateway))
    assert response.status == 400
    assert await error_code(response) == "idempotency_key_required"


@pytest.mark.parametrize(("role", "allowed"), MANAGERS_ONLY)
async def test_every_invoice_route_per_role(sales_gateway: SalesGateway, role: str, allowed: bool | int) -> None:
    gw = sales_gateway
    await issue(gw, "setup")  # 10001, by the owner
    await gw.call("POST", "/invoices/10001/payments", json={"amount": "1000", "date": "2026-11-03"})
    await issue(gw, "setup-2")  # 10002, to be credited
    calls = [
        ("GET", "/invoices", {}),
        ("GET", "/invoices?status=unpaid", {}),
        ("POST", "/invoices", {"json": invoice_body(gw), "headers": {"Idempotency-Key": f"by-{role}"}}),
        ("GET", "/invoices/10001", {}),
        ("GET", "/invoices/10001.pdf", {}),
        ("GET", "/invoices/10001.xml", {}),
        ("POST", "/invoices/10001/payments", {"json": {"amount": "100.00", "date": "2026-11-04"}}),
        ("POST", "/invoices/10001/sent", {}),
        ("POST", "/invoices/10002/credit-notes", {"json": {"date": "2026-11-05"}}),
    ]
    for method, path, kwargs in calls:
        response = await gw.call(method, path, role, **kwargs)
        if allowed is True:
            assert response.status in (200, 201), (method, path, response.status, await response.text())
        else:
            assert response.status == allowed, (method, path)
            await error_code(response)


async def test_list_by_status(sales_gateway: SalesGateway) -> None:
    gw = sales_gateway
    for key in ("a", "b", "c", "d"):
        await issue(gw, key)
    await gw.call("POST", "/invoices/10001/payments", json={"amount": "6250.00", "date": "2026-11-10"})
    await gw.call("POST", "/invoices/10002/sent")
    await gw.call("POST", "/invoices/10003/credit-notes", json={"date": "2026-11-10"})

    async def numbers(status: str) -> list[tuple[int, str]]:
        body = await (await gw.call("GET", f"/invoices?status={status}")).json()
        return [(i["number"], i["status"]) for i in body["invoices"]]

    assert await numbers("paid") == [(10001, "paid")]
    assert await numbers("sent") == [(10002, "sent")]
    assert await numbers("unpaid") == [(10002, "sent"), (10004, "unpaid")]
    assert await numbers("credited") == [(10003, "credited")]
    assert await numbers("draft") == []
    everything = await (await gw.call("GET", "/invoices")).json()
    assert [(i["number"], i["kind"]) for i in everything["invoices"]][-1] == (10005, "credit_note")
    assert everything["invoices"][-1]["credits"] == 10003
    bad = await gw.call("GET", "/invoices?status=overdue")
    assert bad.status == 422


async def test_payments_partial_full_and_too_much(sales_gateway: SalesGateway) -> None:
    gw = sales_gateway
    await issue(gw)
    part = await gw.call("POST", "/invoices/10001/payments", json={"amount": "2000", "date": "2026-11-05"})
    assert part.status == 201
    assert (await part.json())["invoice"]["balance"] == "4250.00"
    too_much = await gw.call("POST", "/invoices/10001/payments", json={"amount": "4250.01", "date": "2026-11-06"})
    assert too_much.status == 422 and await error_code(too_much) == "overpayment"
    rest = await gw.call("POST", "/invoices/10001/payments", json={"amount": 4250, "date": "2026-11-06"})
    assert (await rest.json())["invoice"]["status"] == "paid"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"amount": "100.005", "date": "2026-11-05"}, 422, "invalid_amount"),
        ({"amount": "hundre", "date": "2026-11-05"}, 422, "invalid_amount"),
        ({"amount": "100", "date": "2026-10-15"}, 422, "period_locked"),
        ({"amount": "100", "date": "15.10.2026"}, 400, "invalid_input"),
    ],
)
async def test_bad_payments_leave_the_books_unchanged(
    sales_gateway: SalesGateway, body: dict[str, str], status: int, code: str
) -> None:
    gw = sales_gateway
    await issue(gw)
    with gw.books.begin() as s:
        s.add(ClosedPeriod(company_id=gw.cid, closed_through=day("2026-10-31")))
    before = counts(gw)
    response = await gw.call("POST", "/invoices/10001/payments", json=body)
    assert response.status == status
    assert await error_code(response) == code
    assert counts(gw) == before


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"customer_id": 999999}, 404, "unknown_customer"),
        ({"issue_date": "2026-10-15"}, 422, "period_locked"),
        ({"lines": [{"description": "X", "quantity": 1, "unit_price": "10.005"}]}, 422, "invalid_amount"),
        ({"lines": [{"description": "X", "quantity": "fem", "unit_price": "10"}]}, 422, "invalid_amount"),
        ({"lines": [{"description": "X", "quantity": -1, "unit_price": "10"}]}, 422, "invalid_amount"),
        (
            {"lines": [{"description": "X", "quantity": 1, "unit_price": "10", "vat_code": "1"}]},
            422,
            "unknown_vat_code",
        ),
        ({"lines": []}, 400, "invalid_input"),
        ({"lines": [{"description": "X", "quantity": [1], "unit_price": "10"}]}, 400, "invalid_input"),
        ({"customer_id": "Fjord Bygg"}, 400, "invalid_input"),
    ],
)
async def test_bad_invoices_are_refused_and_leave_the_books_unchanged(
    sales_gateway: SalesGateway, change: dict[str, Any], status: int, code: str
) -> None:
    gw = sales_gateway
    with gw.books.begin() as s:
        s.add(ClosedPeriod(company_id=gw.cid, closed_through=day("2026-10-31")))
    response = await issue(gw, **change)
    assert response.status == status
    assert await error_code(response) == code
    assert counts(gw) == (0, 0)


async def test_another_companys_customer_or_invoice_is_404(sales_gateway: SalesGateway) -> None:
    gw = sales_gateway
    response = await issue(gw, customer_id=gw.other.fjord_id)
    assert response.status == 404
    other = await gw.client.post(
        f"/api/v1/companies/{gw.other.company_id}/invoices",
        json=invoice_body(gw, customer_id=gw.other.fjord_id),
        headers=gw.auth("foreign", **{"Idempotency-Key": "x"}),
    )
    assert other.status == 201
    assert (await gw.call("GET", "/invoices/10001")).status == 404


async def test_invoicing_a_projects_unbilled_hours(sales_gateway: SalesGateway) -> None:
    gw = sales_gateway
    for d, h in (("2026-11-02", "7.5"), ("2026-11-03", "2.5")):
        await gw.call("POST", "/time-entries", "staff", json={"date": d, "hours": h, "project_id": gw.sb.hytte_id})
    body = {"project_id": gw.sb.hytte_id, "issue_date": "2026-11-04"}
    response = await gw.call("POST", "/invoices", json=body, headers={"Idempotency-Key": "hours"})
    assert response.status == 201
    invoice = await response.json()
    assert (invoice["lines"][0]["quantity"], invoice["net"], invoice["total"]) == ("10.00", "11000.00", "13750.00")
    entries = await (await gw.call("GET", "/time-entries")).json()
    assert all(e["invoiced"] for e in entries["time_entries"])
    again = await gw.call("POST", "/invoices", json={**body}, headers={"Idempotency-Key": "hours-2"})
    assert again.status == 422 and await error_code(again) == "nothing_to_invoice"


async def test_pdf_and_ehf_of_an_invoice(sales_gateway: SalesGateway) -> None:
    gw = sales_gateway
    await issue(gw)
    pdf = await gw.call("GET", "/invoices/10001.pdf")
    assert pdf.status == 200 and pdf.content_type == "application/pdf"
    assert (await pdf.read()).startswith(b"%PDF")
    xml = await gw.call("GET", "/invoices/10001.xml")
    assert xml.status == 200 and xml.content_type == "application/xml"
    assert b"<cbc:PayableAmount" in await xml.read()
    missing = await gw.call("GET", "/invoices/10999.pdf")
    assert missing.status == 404


@pytest.mark.postgres
async def test_on_postgresql_parallel_requests_post_once_and_number_without_gaps(
    pg_sales_gateway: SalesGateway,
) -> None:
    gw = pg_sales_gateway
    same = await asyncio.gather(*(issue(gw, "same") for _ in range(10)))
    assert sorted(r.status for r in same) == [200] * 9 + [201]
    assert {(await r.json())["number"] for r in same} == {10001}
    different = await asyncio.gather(*(issue(gw, f"key-{i}") for i in range(20)))
    assert all(r.status == 201 for r in different)
    assert sorted([(await r.json())["number"] for r in different]) == list(range(10002, 10022))
    assert counts(gw) == (21, 63)
