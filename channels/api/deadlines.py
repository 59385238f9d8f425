"""`GET /api/v1/companies/{cid}/deadlines?days=`: the company's upcoming statutory deadlines
(owner and accountant)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.common import ApiError, authorise, in_db, json_response, query_int
from ledger import clock
from ledger.deadlines import Deadline, upcoming_deadlines
from ledger.permissions import Capability

routes = web.RouteTableDef()


def deadline_json(deadline: Deadline) -> dict[str, Any]:
    rule = deadline.late_fee_rule
    return {
        "kind": deadline.kind,
        "due_date": deadline.due_date,
        "period": deadline.period,
        "statutory_date": deadline.statutory_date,
        "late_fee_rule": None
        if rule is None
        else {
            "code": rule.code,
            "law": rule.law,
            "steps": [{"weeks": weeks, "rettsgebyr_per_week": per} for weeks, per in rule.steps],
            "max_rettsgebyr": rule.max_rettsgebyr,
            "rettsgebyr": rule.rettsgebyr,
            "rettsgebyr_year": rule.rettsgebyr_year,
            "fee_year": rule.fee_year,
            "rettsgebyr_source": rule.rettsgebyr_source,
            "max_fee": rule.max_fee,
        },
    }


@routes.get("/api/v1/companies/{cid}/deadlines")
async def deadlines(request: web.Request) -> web.Response:
    """Deadlines from today through the next `days` days (default 365)."""
    asked = query_int(request, "days")
    days = 365 if asked is None else asked
    if not 1 <= days <= 3660:
        raise ApiError(400, "invalid_number", "days must be between 1 and 3660")
    today = clock.today()

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        found = upcoming_deadlines(session, company_id, today=today, days=days)
        return {"today": today, "deadlines": [deadline_json(d) for d in found]}

    return json_response(await in_db(request, read))
