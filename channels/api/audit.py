"""The audit trail over REST: who posted a voucher or an invoice, when, through which channel,
and what corrected it since (`ledger.audit`).

`GET /api/v1/companies/{cid}/journal/{voucher}/audit` and
`GET /api/v1/companies/{cid}/invoices/{number}/audit` (owner and accountant).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.common import authorise, in_db, json_response
from ledger.audit import AuditTrail, invoice_audit, voucher_audit
from ledger.permissions import Capability

routes = web.RouteTableDef()


def trail_json(trail: AuditTrail) -> dict[str, Any]:
    """The trail as the API shows it: the posting's fields at the top level."""
    return {
        **asdict(trail.posting),
        "kind": trail.kind,
        "invoice_number": trail.invoice_number,
        "corrections": [
            {"kind": c.kind, "credit_note_number": c.credit_note_number, **asdict(c.posting)}
            for c in trail.corrections
        ],
    }


@routes.get(r"/api/v1/companies/{cid}/journal/{voucher:\d{4}-\d{1,9}}/audit")
async def voucher_trail(request: web.Request) -> web.Response:
    """Who posted the voucher "YYYY-N", when and how, and its corrections."""
    voucher = request.match_info["voucher"]

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return trail_json(voucher_audit(session, company_id, voucher))

    return json_response(await in_db(request, read))


@routes.get(r"/api/v1/companies/{cid}/invoices/{number:\d+}/audit")
async def invoice_trail(request: web.Request) -> web.Response:
    """Who posted the invoice or credit note, when and how, and the credit notes against it."""
    number = int(request.match_info["number"])

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return trail_json(invoice_audit(session, company_id, number))

    return json_response(await in_db(request, read))
