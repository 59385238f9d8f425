"""`/api/v1/companies/{cid}/reminders`: which deadline reminders the token's user gets on
Telegram in the company, and muting one kind (`PUT .../reminders/{kind}` `{"muted": true}`;
"all" for every kind); owner and accountant, each for themselves."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.body import optional_bool
from channels.api.common import ApiError, authorise, in_db, json_response, read_json
from ledger.permissions import Capability
from ledger.reminders import ALL_KINDS, LEAD_DAYS, REMINDER_KINDS, reminder_settings, set_muted

routes = web.RouteTableDef()


def settings_json(settings: dict[str, bool]) -> dict[str, Any]:
    return {
        "lead_days": list(LEAD_DAYS),
        "reminders": [{"kind": kind, "muted": not on} for kind, on in settings.items()],
    }


@routes.get("/api/v1/companies/{cid}/reminders")
async def reminders(request: web.Request) -> web.Response:
    """Per kind of deadline, whether the user's reminders of it are muted."""

    def read(session: Session) -> dict[str, Any]:
        user, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return settings_json(reminder_settings(session, user.id, company_id))

    return json_response(await in_db(request, read))


@routes.put("/api/v1/companies/{cid}/reminders/{kind}")
async def mute(request: web.Request) -> web.Response:
    """Mutes (`{"muted": true}`) or unmutes one kind of reminder for the user."""
    kind = request.match_info["kind"]
    if kind not in (*REMINDER_KINDS, ALL_KINDS):
        raise ApiError(404, "not_found", f"no reminder kind {kind!r}; kinds: {', '.join((*REMINDER_KINDS, ALL_KINDS))}")
    body = await read_json(request)
    if "muted" not in body:
        raise ApiError(400, "invalid_input", "muted (true or false) is required")
    muted = optional_bool(body, "muted", True)

    def write(session: Session) -> dict[str, Any]:
        user, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        set_muted(session, user.id, company_id, kind, muted)
        return {"kind": kind, "muted": muted, **settings_json(reminder_settings(session, user.id, company_id))}

    return json_response(await in_db(request, write))
