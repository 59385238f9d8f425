"""Writes through the REST API done once per `Idempotency-Key`: the first request answers
201, a repeat with the same body answers 200 with the first result and posts nothing, the
same key with another body is refused (409)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.common import authorise, in_db, json_response
from ledger.idempotency import Result, fingerprint, run_once
from ledger.permissions import Capability


async def respond_once(
    request: web.Request,
    scope: str,
    body: dict[str, Any],
    key: str | None,
    work: Callable[[Session, int, int], Result],
    answer: Callable[[Session, int, Result], dict[str, Any]],
    capability: Capability = Capability.KEEP_BOOKS,
) -> web.Response:
    """Run `work(session, company_id, user_id)` once per key (every time without one) and
    answer 201, or 200 with the first result for a repeat."""

    def write(session: Session) -> tuple[bool, dict[str, Any]]:
        user, company_id = authorise(session, request, capability)
        if key is None:
            return False, answer(session, company_id, work(session, company_id, user.id))
        outcome = run_once(
            session,
            scope=scope,
            key=key,
            request_hash=fingerprint({"path": request.path, "body": body}),
            company_id=company_id,
            user_id=user.id,
            work=lambda s: work(s, company_id, user.id),
        )
        return outcome.repeated, answer(session, company_id, outcome.result)

    repeated, result = await in_db(request, write)
    return json_response(result, status=200 if repeated else 201)
