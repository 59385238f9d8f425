"""`POST /api/v1/chat/files`: a file sent into the conversation (a bank statement, a receipt's
photo or PDF), answered like a chat turn through `channels.files`.

The form has the `file`, and optionally `company_id`, `text` (words sent with the file) and
`message_id` (the same id again answers once; with another file or other words, 409). The web
chat page sends its files here too, with its session token and `channel=web`. A refused file
gets 400 (empty), 413 (too large), 415 (not a statement or a receipt) or 422 (a statement
that does not read), with a sentence for the person in their language; nothing changes.
"""

from __future__ import annotations

import math

from aiohttp import BodyPartReader, web

from channels.api.common import ApiError, json_response, user_id_of
from channels.conversation import MessageInProgress
from channels.files import FileNotTaken, FileTurn, answer_file
from channels.limits import TooBusy
from channels.rasa_client import RasaUnavailable
from channels.state import CONVERSATIONS
from channels.texts import render
from ledger.conversation_files import MAX_CAPTION_LENGTH, MAX_FILE_BYTES

routes = web.RouteTableDef()

STATUS_OF_REASON = {"empty": 400, "too_large": 413, "unsupported": 415, "unreadable_statement": 422}
MAX_FIELD_BYTES = 4 * MAX_CAPTION_LENGTH
CHANNELS = ("api", "web")


async def _read_part(part: BodyPartReader, limit: int) -> bytes | None:
    """The part's bytes; None when it is longer than `limit`."""
    data = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        data += chunk
        if len(data) > limit:
            return None
    return bytes(data)


async def _form(request: web.Request) -> tuple[bytes | None, str, dict[str, str]]:
    """The file (None when too large), its name, and the other fields."""
    if not request.content_type.startswith("multipart/"):
        raise ApiError(400, "invalid_input", "send a multipart form with the file in the field 'file'")
    reader = await request.multipart()
    data: bytes | None = b""
    filename = ""
    fields: dict[str, str] = {}
    seen_file = False
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file":
            seen_file = True
            filename = part.filename or ""
            data = await _read_part(part, MAX_FILE_BYTES)
        elif part.name in ("company_id", "text", "message_id", "channel"):
            raw = await _read_part(part, MAX_FIELD_BYTES)
            if raw is None:
                raise ApiError(400, "invalid_input", f"{part.name} is too long")
            try:
                fields[part.name] = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ApiError(400, "invalid_input", f"{part.name} must be UTF-8 text") from exc
    if not seen_file:
        raise ApiError(400, "invalid_input", "the form has no field 'file'")
    return data, filename, fields


def _company_id(fields: dict[str, str]) -> int | None:
    value = fields.get("company_id", "").strip()
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) <= 2**31 - 1:
        raise ApiError(400, "invalid_input", "company_id must be an integer")
    return int(value)


@routes.post("/api/v1/chat/files")
async def chat_files(request: web.Request) -> web.Response:
    """Hands the file to the assistant and returns its messages."""
    user_id = user_id_of(request)
    conversations = request.app[CONVERSATIONS]
    data: bytes | None = None
    if (request.content_length or 0) <= MAX_FILE_BYTES + 64 * 1024 + MAX_FIELD_BYTES * 4:
        data, filename, fields = await _form(request)
    if data is None:  # refused before it is all read
        language = await conversations.language_of(user_id)
        text = render(language, "files/refused.j2", reason="too_large", limit_mb=MAX_FILE_BYTES // (1024 * 1024))
        raise ApiError(413, "file_too_large", text)
    message_id = fields.get("message_id")
    if message_id is not None and not 0 < len(message_id) <= 200:
        raise ApiError(400, "invalid_input", "message_id must be 1 to 200 characters")
    channel = fields.get("channel", "api")
    channel = channel if channel in CHANNELS else "api"
    turn = FileTurn(
        user_id=user_id,
        data=data,
        channel=channel,
        company_id=_company_id(fields),
        text=fields.get("text", ""),
        filename=filename,
        message_id=f"{channel}:{message_id}" if message_id is not None else None,
    )
    try:
        answer = await answer_file(conversations, turn)
    except FileNotTaken as refused:
        raise ApiError(STATUS_OF_REASON.get(refused.reason, 422), f"file_{refused.reason}", refused.text) from refused
    except RasaUnavailable as exc:
        raise ApiError(503, "assistant_unavailable", "the assistant is not answering right now") from exc
    except TooBusy as exc:
        language = await conversations.language_of(user_id)
        wait = str(max(1, math.ceil(exc.retry_after)))
        raise ApiError(
            429, "too_many_messages", render(language, "limits/too_busy.j2"), headers={"Retry-After": wait}
        ) from exc
    except MessageInProgress as exc:
        language = await conversations.language_of(user_id)
        raise ApiError(
            409, "message_in_progress", render(language, "limits/in_progress.j2"), headers={"Retry-After": "2"}
        ) from exc
    return json_response({"messages": answer.as_json()})
