"""What every REST route shares: token authentication, role checks, the database in a worker
thread, JSON bodies, and domain errors turned into `{"error": {"code", "message"}}`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.orm import Session

from channels import download_grants
from channels.conversation import BOOKS_UNREACHABLE
from channels.state import READING, SESSIONS
from channels.texts import language_of, render
from ledger import identity, permissions
from ledger.errors import Forbidden, IdempotencyConflict, LedgerError, NotFound
from ledger.models import User
from ledger.permissions import Capability

T = TypeVar("T")

USER_ID = web.RequestKey("bokbot_user_id", int)
STATUS_OF = {NotFound: 404, Forbidden: 403, IdempotencyConflict: 409}


class ApiError(web.HTTPException):
    """An HTTP error with the API's JSON error body."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        self.status_code = status
        super().__init__(
            text=json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False),
            content_type="application/json",
            headers=headers,
        )


def to_json(value: Any) -> Any:
    """Money as decimal strings, dates as ISO, recursively."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def json_response(value: Any, status: int = 200) -> web.Response:
    return web.json_response(to_json(value), status=status)


async def in_db(request: web.Request, work: Callable[[Session], T], *, read_only: bool = False) -> T:
    """Run `work` in one transaction in a worker thread: committed if it returns, rolled back
    (nothing half-written) if it raises. With `read_only`, a transaction that takes no write
    lock (see `ledger.db`), for work that only reads."""
    sessions = request.app[READING] if read_only else request.app[SESSIONS]

    def run() -> T:
        with sessions.begin() as session:
            return work(session)

    return await asyncio.to_thread(run)


TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_.~+/=-]{1,512}")


def bearer_token(request: web.Request) -> str:
    """The bearer token of the request; "" when there is none or it cannot be a token."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and TOKEN_SHAPE.fullmatch(token) else ""


async def authenticate(request: web.Request) -> int:
    """The id of the token's user; 401 without a valid token. A download grant (see
    `channels.download_grants`) stands in for the token for one GET of one path."""
    token = bearer_token(request)

    def grant(session: Session) -> int | None:
        return download_grants.user_for_grant(session, token, request.path) if request.method == "GET" else None

    def lookup(session: Session) -> int | None:
        user = identity.user_by_token(session, token)
        return user.id if user else None

    if not token:
        user_id = None
    elif download_grants.is_grant(token):  # spent by its use: a write
        user_id = await in_db(request, grant)
    else:
        user_id = await in_db(request, lookup, read_only=True)
    if user_id is None:
        raise ApiError(401, "unauthorized", "a valid bearer token is required")
    return user_id


def user_id_of(request: web.Request) -> int:
    user_id = request.get(USER_ID)
    if not isinstance(user_id, int):
        raise ApiError(401, "unauthorized", "a valid bearer token is required")
    return user_id


def company_id_of(request: web.Request) -> int:
    try:
        company_id = int(request.match_info["cid"])
    except (KeyError, ValueError) as exc:
        raise ApiError(404, "not_found", "no such company") from exc
    if not 0 < company_id <= MAX_INTEGER:
        raise ApiError(404, "not_found", "no such company")
    return company_id


def route_capability(request: web.Request) -> Capability:
    """What a company route asks of the caller's role: logging hours for the time-entry
    routes, keeping the books for every other one."""
    resource = request.match_info.route.resource
    canonical = resource.canonical if resource is not None else ""
    return Capability.LOG_HOURS if canonical.startswith(HOURS_ROUTES) else Capability.KEEP_BOOKS


HOURS_ROUTES = ("/api/v1/companies/{cid}/time-entries",)


async def _admit(request: web.Request) -> None:
    """Before a company route reads its body: 404 for a company the caller does not belong to,
    403 for a role the route does not admit, so that neither learns anything from it."""
    capability = route_capability(request)

    def check(session: Session) -> None:
        try:
            permissions.require(session, user_id_of(request), company_id_of(request), capability)
        except LedgerError as exc:
            status = next((s for cls, s in STATUS_OF.items() if isinstance(exc, cls)), 422)
            raise ApiError(status, exc.code, str(exc)) from exc

    await in_db(request, check)


def authorise(session: Session, request: web.Request, capability: Capability) -> tuple[User, int]:
    """The request's user and company, if the user's role there grants `capability` (404 for
    a company the user does not belong to, 403 for a role that may not)."""
    user = session.get(User, user_id_of(request))
    if user is None:
        raise ApiError(401, "unauthorized", "a valid bearer token is required")
    company_id = company_id_of(request)
    permissions.require(session, user.id, company_id, capability)
    return user, company_id


LONE_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_JSON_DEPTH = 20
MAX_INTEGER = 2**31 - 1
"""The largest id or count the API takes (a column of the books holds no more)."""


def _check_json(value: Any, depth: int = 0) -> None:
    """400 for what no request of ours carries: deep nesting, lone surrogates, huge numbers."""
    if depth > MAX_JSON_DEPTH:
        raise ApiError(400, "invalid_json", "the body is nested too deeply")
    if isinstance(value, str):
        if LONE_SURROGATE.search(value):
            raise ApiError(400, "invalid_json", "the body holds text that is not valid Unicode")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if abs(value) > MAX_INTEGER:
            raise ApiError(400, "invalid_input", f"numbers in the body are at most {MAX_INTEGER}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_json(key, depth + 1)
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body (UTF-8, whatever charset it claims); 400 when it is not
    one. Numbers keep their exact text."""
    raw = await request.read()
    try:
        body = json.loads(raw.decode("utf-8"), parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError, ValueError) as exc:
        raise ApiError(400, "invalid_json", "the body must be a JSON object in UTF-8") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object")
    _check_json(body)
    return body


def query_date(request: web.Request, name: str) -> dt.date | None:
    value = request.query.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ApiError(400, "invalid_date", f"{name} must be a date (YYYY-MM-DD)") from exc


def query_int(request: web.Request, name: str) -> int | None:
    """An integer query parameter; 400 when it is text."""
    value = request.query.get(name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise ApiError(400, "invalid_number", f"{name} must be a whole number") from exc


def query_period(request: web.Request, today: dt.date) -> tuple[dt.date, dt.date]:
    """`?from=&to=` as dates: `to` defaults to `today`, `from` to 1 January of `to`'s year;
    400 when the period ends before it starts."""
    last = query_date(request, "to") or today
    first = query_date(request, "from") or dt.date(last.year, 1, 1)
    if first > last:
        raise ApiError(400, "invalid_period", "from must not be after to")
    return first, last


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Authenticate `/api/v1` requests and word domain errors as JSON; 503 with "try again in
    a moment" (in the Accept-Language's language) while the books cannot be reached."""
    try:
        return await _api(request, handler)
    except BOOKS_UNREACHABLE as exc:
        language = language_of(request.headers.get("Accept-Language"))
        raise ApiError(
            503, "books_unavailable", render(language, "unavailable.j2"), headers={"Retry-After": "5"}
        ) from exc


async def _api(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/api/v1/") and request.path != "/api/v1/openapi.json":
        request[USER_ID] = await authenticate(request)
    for value in request.match_info.values():
        if value.isdigit() and int(value) > MAX_INTEGER:
            raise ApiError(404, "not_found", "nothing has that number")
    if USER_ID in request and "cid" in request.match_info:
        await _admit(request)
    try:
        return await handler(request)
    except LedgerError as exc:
        status = next((s for cls, s in STATUS_OF.items() if isinstance(exc, cls)), 422)
        raise ApiError(status, exc.code, str(exc)) from exc
