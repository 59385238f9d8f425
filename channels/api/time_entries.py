"""`/api/v1/companies/{cid}/time-entries`: hours logged, and logging hours. Everyone in the
company may log and read hours; staff only their own (another person's is 403)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.body import (
    idempotency_key,
    optional_bool,
    optional_int,
    optional_str,
    required_date,
    required_int,
    required_number,
)
from channels.api.common import authorise, in_db, json_response, query_date, query_int, read_json
from ledger.idempotency import fingerprint, run_once
from ledger.models import TimeEntry
from ledger.permissions import Capability
from ledger.timesheet import list_time_entries, log_time

routes = web.RouteTableDef()

SCOPE = "api:time-entries"


def time_entry_json(entry: TimeEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "date": entry.date,
        "hours": entry.hours,
        "project_id": entry.project_id,
        "user_id": entry.user_id,
        "description": entry.description,
        "billable": entry.billable,
        "invoiced": entry.invoice_id is not None,
        "invoice_id": entry.invoice_id,
    }


@routes.get("/api/v1/companies/{cid}/time-entries")
async def time_entries(request: web.Request) -> web.Response:
    """Hours logged `?from=` `?to=`, for `?user_id=` and `?project_id=` (staff: their own)."""
    start, end = query_date(request, "from"), query_date(request, "to")
    user_id, project_id = query_int(request, "user_id"), query_int(request, "project_id")

    def read(session: Session) -> dict[str, Any]:
        user, company_id = authorise(session, request, Capability.LOG_HOURS)
        entries = list_time_entries(
            session, company_id, actor_id=user.id, user_id=user_id, project_id=project_id, start=start, end=end
        )
        return {"time_entries": [time_entry_json(e) for e in entries]}

    return json_response(await in_db(request, read))


@routes.post("/api/v1/companies/{cid}/time-entries")
async def add_time_entry(request: web.Request) -> web.Response:
    """Logs hours (`date`, `hours`, `project_id`, `description`, `billable`, `user_id` for
    someone else); with an `Idempotency-Key`, a repeat returns the first entry (200)."""
    body = await read_json(request)
    key = idempotency_key(request, required=False)
    day = required_date(body, "date")
    hours = required_number(body, "hours")
    project_id = required_int(body, "project_id")
    user_id = optional_int(body, "user_id")
    description = optional_str(body, "description")
    billable = optional_bool(body, "billable", True)

    def write(session: Session) -> tuple[bool, dict[str, Any]]:
        user, company_id = authorise(session, request, Capability.LOG_HOURS)

        def work(s: Session) -> dict[str, Any]:
            entry = log_time(
                s,
                company_id,
                user.id,
                project_id,
                day,
                hours,
                user_id=user_id,
                description=description,
                billable=billable,
                channel="api",
                source=f"api:{key}" if key else "api",
            )
            return {"id": entry.id}

        if key is None:
            result, repeated = work(session), False
        else:
            outcome = run_once(
                session,
                scope=SCOPE,
                key=key,
                request_hash=fingerprint(body),
                company_id=company_id,
                user_id=user.id,
                work=work,
            )
            result, repeated = outcome.result, outcome.repeated
        entry = session.get(TimeEntry, int(result["id"]))
        assert entry is not None
        return repeated, time_entry_json(entry)

    repeated, entry = await in_db(request, write)
    return json_response(entry, status=200 if repeated else 201)
