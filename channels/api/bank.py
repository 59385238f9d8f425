"""`POST /api/v1/companies/{cid}/bank/statements`: import a bank statement (owner and accountant).

The body is the file itself (`application/xml` for camt.053 or camt.054, `text/csv` for the
simple CSV) or a multipart form with the file as its first file field. The answer lists the
statement's lines, which were matched to which invoices, what was posted and what was left for
a person. `?post=false` only proposes the matches. Each line posts once, however often the
same statement is sent.
"""

from __future__ import annotations

from typing import Any

from aiohttp import BodyPartReader, web
from sqlalchemy.orm import Session

from channels.api.common import ApiError, authorise, in_db, json_response
from ledger.bank import MAX_STATEMENT_BYTES, ImportResult, import_statement
from ledger.permissions import Capability

routes = web.RouteTableDef()



async def _statement_file(request: web.Request) -> tuple[bytes, str]:
    """The uploaded file and its content type."""
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if isinstance(part, BodyPartReader) and part.filename is not None:
                data = await part.read(decode=True)
                return bytes(data), part.headers.get("Content-Type", "")
        raise ApiError(400, "invalid_input", "the form has no file")
    data = await request.read()
    if not data:
        raise ApiError(400, "invalid_input", "send the statement file as the body")
    return data, request.content_type


def _result_json(result: ImportResult) -> dict[str, Any]:
    return {
        "format": result.statement.format,
        "lines": [
            {
                "line_id": line.line_id,
                "date": line.date,
                "amount": line.amount,
                "currency": line.currency,
                "text": line.text,
                "counterparty": line.counterparty,
                "kid": line.kid,
            }
            for line in result.statement.lines
        ],
        "matches": [
            {
                "line_id": m.line.line_id,
                "invoice_number": m.invoice_number,
                "customer_id": m.customer_id,
                "customer_name": m.customer_name,
                "amount": m.amount,
                "rule": m.rule,
            }
            for m in result.proposal.matches
        ],
        "unmatched": [
            {"line_id": u.line.line_id, "reason": u.reason, "invoice_number": u.invoice_number}
            for u in result.proposal.unmatched
        ],
        "posted": [
            {
                "line_id": p.line_id,
                "invoice_number": p.invoice_number,
                "amount": p.amount,
                "payment_id": p.payment_id,
                "repeated": p.repeated,
            }
            for p in result.posted
        ],
        "refused": [
            {
                "line_id": r.match.line.line_id,
                "invoice_number": r.match.invoice_number,
                "code": r.code,
                "message": r.message,
            }
            for r in result.refused
        ],
    }


@routes.post("/api/v1/companies/{cid}/bank/statements")
async def statements(request: web.Request) -> web.Response:
    """Imports a statement, matches its payments to open invoices and posts the matches."""
    post = request.query.get("post", "true").lower() not in ("false", "0", "no")
    if request.content_length is not None and request.content_length > MAX_STATEMENT_BYTES:
        raise ApiError(413, "too_large", "the statement is too large")

    def check(session: Session) -> None:
        authorise(session, request, Capability.KEEP_BOOKS)

    await in_db(request, check)  # refuse strangers before reading their upload
    data, content_type = await _statement_file(request)

    def work(session: Session) -> dict[str, Any]:
        user, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        result = import_statement(
            session, company_id, data, content_type, post=post, created_by_id=user.id, channel="import"
        )
        return _result_json(result)

    return json_response(await in_db(request, work))
