"""The web chat's websocket (`/ws`): sign-in, then one chat turn per message.

Frames are JSON objects with a `type`:

  page → gateway
    {"type": "hello", "token": "..."}              sign in with an API token (first frame)
    {"type": "hello", "code": "K7Q2MZ9X"}          or with a link code (spent; a token comes back)
    {"type": "message", "id": "<uuid>", "text": "..."}   one message; the id makes a resend safe

  gateway → page
    {"type": "welcome", "name", "company", "language", "token"?}
    {"type": "reply", "id": "<uuid>", "messages": [{"text", "buttons", "image"?, "attachment"?}]}
    {"type": "error", "code": "sign_in_failed" | "assistant_unavailable" | "no_company"
                              | "invalid_message" | "books_unavailable", "id"?: "<uuid>"}

A hello while the books cannot be reached is answered "books_unavailable" and the socket
closed with 1013 (try again later): the page says so and connects again a little later.

Tokens travel only inside the socket, never in an address. The page words the error codes
in its own language. Messages are handled one at a time per socket, in order.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from aiohttp import WSMsgType, web

from channels.conversation import BOOKS_UNREACHABLE, ChatTurn, Conversations, MessageInProgress, Person
from channels.limits import SignInThrottle, TooBusy
from channels.rasa_client import RasaUnavailable
from channels.state import CONVERSATIONS, SETTINGS, SIGN_IN_THROTTLE
from channels.webchat.origins import origin_allowed
from ledger.errors import IdempotencyConflict, NotFound

log = logging.getLogger(__name__)

HELLO_TIMEOUT_SECONDS = 30.0
FAILED_SIGN_IN_DELAY_SECONDS = 1.0  # slows down guessing link codes
MAX_FRAME_BYTES = 64 * 1024
CLIENT_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
SIGN_IN_FAILED_CLOSE_CODE = 4401
TRY_AGAIN_LATER_CLOSE_CODE = 1013


def error(code: str, message_id: str | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code}
    if message_id is not None:
        frame["id"] = message_id
    return frame


def welcome(person: Person, token: str | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "type": "welcome",
        "name": person.name,
        "company": person.company_name,
        "language": person.language,
    }
    if token is not None:
        frame["token"] = token
    return frame


def parse_frame(raw: str) -> dict[str, Any] | None:
    try:
        frame = json.loads(raw)
    except ValueError:
        return None
    return frame if isinstance(frame, dict) else None


async def sign_in(
    conversations: Conversations, frame: dict[str, Any] | None, throttle: SignInThrottle, source: str
) -> tuple[Person, str | None] | None:
    """The person a hello frame signs in, and a new token if a link code was spent. Link codes
    are throttled per address and overall (see `SignInThrottle`)."""
    if frame is None or frame.get("type") != "hello":
        return None
    token, code = frame.get("token"), frame.get("code")
    if isinstance(token, str) and token:
        person = await conversations.person_by_token(token[:512])
        return (person, None) if person is not None else None
    if isinstance(code, str) and code.strip():
        if not await throttle.allowed(source):
            return None
        issued = await conversations.sign_in_with_code(code[:64])
        if issued is None:
            await throttle.failed(source)
        return issued
    return None


async def answer(conversations: Conversations, person: Person, frame: dict[str, Any] | None) -> dict[str, Any]:
    """The reply frame for a message frame (or an error frame)."""
    if frame is None or frame.get("type") != "message":
        return error("invalid_message")
    message_id, text = frame.get("id"), frame.get("text")
    if not isinstance(message_id, str) or not CLIENT_ID.fullmatch(message_id):
        return error("invalid_message")
    if not isinstance(text, str) or not text.strip():
        return error("invalid_message", message_id)
    turn = ChatTurn(person.user_id, text, channel="web", message_id=f"web:{message_id}")
    try:
        result = await conversations.answer(turn)
    except RasaUnavailable:
        return error("assistant_unavailable", message_id)
    except NotFound:
        return error("no_company", message_id)
    except IdempotencyConflict:
        return error("message_id_reused", message_id)
    except TooBusy:
        return error("too_many_messages", message_id)
    except MessageInProgress:
        return error("message_in_progress", message_id)
    return {"type": "reply", "id": message_id, "messages": result.as_json()}


async def chat_socket(request: web.Request) -> web.StreamResponse:
    """The web chat's websocket: refuses foreign pages, signs the person in with the first
    frame, then answers each message through the shared conversation path."""
    if not origin_allowed(request, request.app[SETTINGS]):
        raise web.HTTPForbidden(text="origin not allowed")
    conversations = request.app[CONVERSATIONS]
    ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=MAX_FRAME_BYTES)
    await ws.prepare(request)

    try:
        first = await ws.receive(timeout=HELLO_TIMEOUT_SECONDS)
    except TimeoutError:
        await ws.close()
        return ws
    source = request.remote or "unknown"
    throttle = request.app[SIGN_IN_THROTTLE]
    hello = parse_frame(first.data) if first.type == WSMsgType.TEXT else None
    try:
        signed_in = await sign_in(conversations, hello, throttle, source)
    except BOOKS_UNREACHABLE:
        log.warning("web chat sign-in: the books cannot be reached")
        await ws.send_json(error("books_unavailable"))
        await ws.close(code=TRY_AGAIN_LATER_CLOSE_CODE)
        return ws
    if signed_in is None:
        await asyncio.sleep(FAILED_SIGN_IN_DELAY_SECONDS)
        await ws.send_json(error("sign_in_failed"))
        await ws.close(code=SIGN_IN_FAILED_CLOSE_CODE)
        return ws
    person, new_token = signed_in
    await ws.send_json(welcome(person, new_token))

    async for message in ws:
        if message.type != WSMsgType.TEXT:
            continue
        reply = await answer(conversations, person, parse_frame(message.data))
        if ws.closed:
            break
        await ws.send_json(reply)
    return ws
