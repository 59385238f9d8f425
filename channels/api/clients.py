"""`GET /api/v1/me/clients/overview?order=`: for each company whose books the token's user
keeps (as owner or accountant; companies where they are staff are left out), the figures an
accountant follows: bank balance, receivables and what is overdue by aging bucket, the VAT
of the last term that has ended with its due date and whether it is settled, the next
deadline, unbilled hours and the result so far this year; the company needing attention
first, or in the order of one figure (`order`)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.common import ApiError, in_db, json_response, user_id_of
from channels.api.deadlines import deadline_json
from ledger import clock
from ledger.overview import ClientFigures, Figure, clients_overview, kept_companies, ordered
from ledger.vat import VatTerm

routes = web.RouteTableDef()

ORDERS = {"attention": Figure.ALL, **{f.value: f for f in Figure if f is not Figure.ALL}}
"""The orders a caller may ask for: what needs attention first (the default), or one figure's."""


def _term(term: VatTerm) -> dict[str, Any]:
    return {"term": term.key, "start": term.start, "end": term.end, "due_date": term.due_date}


def client_json(row: ClientFigures, role: str) -> dict[str, Any]:
    """One company of the overview in the API's shape (money as decimal strings)."""
    vat = row.vat
    deadline = row.next_deadline
    return {
        "company_id": row.company_id,
        "name": row.name,
        "role": role,
        "bank_balance": row.bank_balance,
        "receivables": {
            "total": row.receivables.total,
            "overdue": row.receivables.overdue,
            "buckets": row.receivables.as_dict(),
        },
        "vat": None
        if vat is None
        else {
            **_term(vat.term),
            "to_pay": vat.to_pay,
            "settled": vat.settled,
            "running": {**_term(vat.running_term), "to_pay": vat.running_to_pay},
            "late_terms": [_term(t) for t in vat.late_terms],
        },
        "next_deadline": None if deadline is None else deadline_json(deadline),
        "unbilled_hours": row.unbilled_hours,
        "unbilled_amount": row.unbilled_amount,
        "result_this_year": row.result,
        "concerns": [c.value for c in row.concerns],
    }


@routes.get("/api/v1/me/clients/overview")
async def overview(request: web.Request) -> web.Response:
    """The overview across the user's clients, in the order asked for."""
    order = request.query.get("order") or "attention"
    if order not in ORDERS:
        raise ApiError(400, "invalid_order", f"order is one of {', '.join(ORDERS)}")
    user_id = user_id_of(request)
    today = clock.today()

    def read(session: Session) -> dict[str, Any]:
        kept = kept_companies(session, user_id)
        rows = ordered(clients_overview(session, kept, on=today), ORDERS[order])
        return {"today": today, "order": order, "companies": [client_json(r, kept[r.company_id]) for r in rows]}

    return json_response(await in_db(request, read))
