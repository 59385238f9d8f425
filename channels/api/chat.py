"""`POST /api/v1/chat`: one chat turn as the token's user, through the shared conversation path."""

from __future__ import annotations

import math

from aiohttp import web

from channels.api.common import ApiError, json_response, read_json, user_id_of
from channels.conversation import ChatTurn, MessageInProgress
from channels.limits import TooBusy
from channels.rasa_client import RasaUnavailable
from channels.state import CONVERSATIONS
from channels.texts import render

routes = web.RouteTableDef()


@routes.post("/api/v1/chat")
async def chat(request: web.Request) -> web.Response:
    """Sends the text to the assistant and returns its messages."""
    body = await read_json(request)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "invalid_input", "text must be a non-empty string")
    company_id = body.get("company_id")
    if company_id is not None and not isinstance(company_id, int):
        raise ApiError(400, "invalid_input", "company_id must be an integer")
    message_id = body.get("message_id")
    if message_id is not None and not isinstance(message_id, str | int):
        raise ApiError(400, "invalid_input", "message_id must be a string")
    turn = ChatTurn(
        user_id=user_id_of(request),
        text=text,
        channel=str(body["channel"]) if body.get("channel") in ("api", "web", "cli") else "api",
        company_id=company_id,
        message_id=f"api:{message_id}" if message_id is not None else None,
    )
    conversations = request.app[CONVERSATIONS]
    try:
        messages = await conversations.handle(turn)
    except RasaUnavailable as exc:
        raise ApiError(503, "assistant_unavailable", "the assistant is not answering right now") from exc
    except TooBusy as exc:
        language = await conversations.language_of(turn.user_id)
        wait = str(max(1, math.ceil(exc.retry_after)))
        raise ApiError(
            429, "too_many_messages", render(language, "limits/too_busy.j2"), headers={"Retry-After": wait}
        ) from exc
    except MessageInProgress as exc:
        language = await conversations.language_of(turn.user_id)
        raise ApiError(
            409, "message_in_progress", render(language, "limits/in_progress.j2"), headers={"Retry-After": "2"}
        ) from exc
    return json_response({"messages": messages})
