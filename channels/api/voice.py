"""`POST /api/v1/chat/voice`: one spoken chat turn. The body is the audio itself
(`audio/ogg`, `audio/webm` or `audio/wav`); the answer carries what was heard, the assistant's
messages, and the messages spoken (OGG Opus, as a `data:` address).

Audio that cannot be heard (empty, silent, too long, not audio, a format we do not read) is
refused with a sentence in the user's language before anything reaches the assistant, so it
changes nothing. "svar med tale" / "answer by voice" (and "... tekst" / "... text") set
whether the user's replies are spoken elsewhere too (Telegram) and go no further.
"""

from __future__ import annotations

import math

from aiohttp import web

from channels.api.common import ApiError, in_db, json_response, query_int, user_id_of
from channels.conversation import BotMessage, ChatTurn, MessageInProgress
from channels.limits import TooBusy
from channels.rasa_client import RasaUnavailable
from channels.state import CONVERSATIONS, SESSIONS, SETTINGS
from channels.texts import render
from channels.voice.audio import MAX_BYTES, AudioRejected
from channels.voice.hearing import data_url, hear, speak
from channels.voice.reply_mode import requested_reply_mode, set_voice_replies

routes = web.RouteTableDef()

STATUS_OF_REASON = {
    "empty": 400,
    "too_long": 413,
    "unsupported_format": 415,
    "not_audio": 422,
    "silent": 422,
    "nothing_heard": 422,
}


async def _body(request: web.Request) -> bytes:
    if (request.content_length or 0) > MAX_BYTES:
        raise AudioRejected("too_long", "the body is too large")
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > MAX_BYTES:
            raise AudioRejected("too_long", "the body is too large")
    return bytes(body)


@routes.post("/api/v1/chat/voice")
async def chat_voice(request: web.Request) -> web.Response:
    """Hears the audio, answers it as a chat turn and speaks the answer."""
    user_id = user_id_of(request)
    conversations = request.app[CONVERSATIONS]
    settings = request.app[SETTINGS]
    company_id = query_int(request, "company_id")
    language = request.query.get("language")
    if language not in (None, "nb", "en"):
        raise ApiError(400, "invalid_input", "language must be nb or en")
    message_id = request.query.get("message_id")
    if message_id is not None and not (0 < len(message_id) <= 200):
        raise ApiError(400, "invalid_input", "message_id must be 1 to 200 characters")
    try:
        audio = await _body(request)
        transcript = await hear(
            request.app[SESSIONS], settings, user_id, audio,
            content_type=request.headers.get("Content-Type", ""), company_id=company_id, language=language,
        )
    except AudioRejected as exc:
        said_in = language or await conversations.language_of(user_id)
        text = render(said_in, "voice/rejected.j2", reason=exc.reason, max_seconds=f"{settings.voice_max_seconds:g}")
        raise ApiError(STATUS_OF_REASON.get(exc.reason, 422), f"audio_{exc.reason}", text) from exc

    mode = requested_reply_mode(transcript.text)
    if mode is not None:
        await in_db(request, lambda session: set_voice_replies(session, user_id, mode))
        messages: tuple[BotMessage, ...] = (
            BotMessage(render(transcript.language, "voice/replies_on.j2" if mode else "voice/replies_off.j2")),
        )
    else:
        turn = ChatTurn(
            user_id=user_id,
            text=transcript.text,
            channel="voice",
            company_id=company_id,
            message_id=f"voice:{message_id}" if message_id is not None else None,
        )
        try:
            messages = (await conversations.answer(turn)).messages
        except RasaUnavailable as exc:
            raise ApiError(503, "assistant_unavailable", "the assistant is not answering right now") from exc
        except TooBusy as exc:
            wait = str(max(1, math.ceil(exc.retry_after)))
            raise ApiError(
                429, "too_many_messages", render(transcript.language, "limits/too_busy.j2"),
                headers={"Retry-After": wait},
            ) from exc
        except MessageInProgress as exc:
            raise ApiError(
                409, "message_in_progress", render(transcript.language, "limits/in_progress.j2"),
                headers={"Retry-After": "2"},
            ) from exc
    spoken = await speak([m.text for m in messages], transcript.language)
    return json_response({
        "transcript": transcript.text,
        "language": transcript.language,
        "messages": [m.as_json() for m in messages],
        "audio": data_url(spoken) if spoken else None,
    })



