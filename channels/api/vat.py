"""`POST /api/v1/companies/{cid}/vat/{term}/settlement`: settle a VAT term once its return is
filed: 2700 and 2710 move to 2740 and the term is closed for VAT postings (owner and
accountant). Refused with 422, writing nothing: a term already settled (`period_locked`), not
yet ended (`invalid_input`), or with an earlier term still open (`earlier_term_unsettled`, the
message naming the term to settle first: terms are settled in order)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.common import authorise, in_db, json_response
from channels.api.reports import vat_report_json
from ledger import clock
from ledger.companies import company_by_id
from ledger.permissions import Capability
from ledger.vat import company_term_kind, parse_term, settle_vat_term

routes = web.RouteTableDef()


@routes.post("/api/v1/companies/{cid}/vat/{term}/settlement")
async def settle(request: web.Request) -> web.Response:
    """Settles the term ("2026-5", "2026-annual") and closes its period."""
    today = clock.today()

    def work(session: Session) -> dict[str, Any]:
        user, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        kind = company_term_kind(company_by_id(session, company_id))
        term = parse_term(request.match_info["term"], kind)
        done = settle_vat_term(session, company_id, term, created_by_id=user.id, channel="api", today=today)
        return {
            "term": term.key,
            "entry_id": done.entry_id,
            "amount": done.amount,
            "closed_through": done.closed_through,
            "report": vat_report_json(done.report),
        }

    return json_response(await in_db(request, work), status=201)
