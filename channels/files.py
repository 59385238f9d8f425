"""Files sent into the conversation, whatever the channel (web chat, Telegram, REST): the one
path a bank statement or a receipt takes to the assistant.

A file is not text, and the dialogue runs in Rasa. So the gateway checks the file (kind found
from its content; size; a statement must read), stores it for the person's company
(`ledger.conversation_files`), and sends Rasa a message that names the stored file and
triggers its intent directly: `/received_file{"file_id": "<public id>"}` (Rasa's REST
channel reads `/intent{json}` messages without the NLU). The actions read the file from the
books, and only for the company the signed message is for, so a person who types such a
message for someone else's file reads nothing. The answer is a chat turn like any other, and
the next message ("ja") continues the same conversation.

A receipt (a photo or a PDF) is read by OCR as it arrives (`channels.receipts.ocr`), in its
turn in the OCR queue (a few at a time: a burst of photos waits) and for at most `OCR_SECONDS`,
and its text is stored with the file: the action server reads the receipt's fields from that
text and never the picture. A picture that cannot be read in time is stored without text, and
the assistant says it could not read it. A HEIC
photo (an iPhone's default) is made into a JPEG first (`channels.receipts.heic`): the JPEG is
what OCR reads and what is stored, so that the receipt shows in any browser; its name says it
was converted. One that does not decode is stored as it came, unread.

A refused file (empty, too large, of another kind, a statement that does not read) is
answered with a sentence in the person's language (`FileNotTaken`) and changes nothing.

A message id makes a resend safe, as for text: the same id with the same file and words
returns the first answer and stores nothing again; the same id with another file or other
words (or first used for a text message) is refused (`IdempotencyConflict`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass, replace

from channels.conversation import (
    CHAT_SCOPE,
    MAX_MESSAGE_ID_LENGTH,
    Answer,
    BotMessage,
    ChatTurn,
    Conversations,
    MessageInProgress,
)
from channels.receipts.heic import HEIC, UnreadableHeic, converted_name, jpeg_rendition
from channels.receipts.ocr import OcrOptions, UnreadableReceipt, ocr_queue, read_receipt
from channels.texts import render
from ledger import idempotency, identity
from ledger.conversation_files import MAX_CAPTION_LENGTH, MAX_FILE_BYTES, FileRefused, classify, store_file
from ledger.errors import NotFound
from ledger.models import User
from ledger.text import without_controls

log = logging.getLogger(__name__)

FILE_INTENT = "received_file"
"""The intent a stored file's message triggers (bot/domain/files.yml)."""
OCR_SECONDS = 30.0
"""The longest a receipt's OCR may take before it is given up as unreadable (a phone's photo
takes a second or two)."""


class FileNotTaken(Exception):
    """A file the conversation does not take; `text` says why in the person's language.

    Attributes:
      reason: "empty", "too_large", "unsupported" or "unreadable_statement".
      text: the sentence for the person.
    """

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.text = text


@dataclass(frozen=True)
class FileTurn:
    """A file from a person.

    Attributes:
      user_id: the authenticated user.
      data: the file's bytes.
      channel: "web", "telegram" or "api".
      company_id: the company asked for; None for the user's active company.
      text: words sent with the file (a caption), or "".
      filename: the name the sender gave it (kept, never trusted for its kind), or "".
      message_id: the channel's id of the message, prefixed as for text ("tg:", "web:",
        "api:"); None if it has none.
    """

    user_id: int
    data: bytes
    channel: str
    company_id: int | None = None
    text: str = ""
    filename: str = ""
    message_id: str | None = None


def file_message(public_id: str) -> str:
    """The message that hands a stored file to the assistant."""
    return f"/{FILE_INTENT}" + json.dumps({"file_id": public_id}, separators=(",", ":"))


def _caption(turn: FileTurn) -> str:
    return without_controls(turn.text).strip()[:MAX_CAPTION_LENGTH]


def _key(turn: FileTurn) -> idempotency.Key:
    assert turn.message_id is not None
    return idempotency.Key(CHAT_SCOPE, turn.message_id[:MAX_MESSAGE_ID_LENGTH], None, turn.user_id)


def _request_hash(turn: FileTurn, sha256: str) -> str:
    return idempotency.fingerprint({"file_sha256": sha256, "text": _caption(turn), "company_id": turn.company_id})


class _Files:
    """The database steps of a file turn, each in its own transaction."""

    def __init__(self, conversations: Conversations) -> None:
        self.sessions = conversations.sessions

    def company_of(self, turn: FileTurn) -> int:
        with self.sessions.begin() as session:
            user = session.get(User, turn.user_id)
            if user is None:
                raise NotFound("unknown user")
            return identity.current_company_id(session, user, turn.company_id)

    def claim(self, turn: FileTurn, sha256: str) -> idempotency.Claim:
        with self.sessions.begin() as session:
            return idempotency.claim(session, _key(turn), _request_hash(turn, sha256))

    def first_answer(self, turn: FileTurn, sha256: str) -> tuple[BotMessage, ...] | None:
        with self.sessions.begin() as session:
            claimed = idempotency.lookup(session, _key(turn), _request_hash(turn, sha256))
        if claimed is None or claimed.outcome is None:
            return None
        return tuple(BotMessage.from_json(m) for m in claimed.outcome.result.get("messages", []))

    def record(self, turn: FileTurn, messages: tuple[BotMessage, ...] | None) -> None:
        with self.sessions.begin() as session:
            if messages is None:
                idempotency.release(session, _key(turn))
            else:
                idempotency.complete(session, _key(turn), {"messages": [m.as_json() for m in messages]})

    def store(self, turn: FileTurn, company_id: int, ocr_text: str | None) -> str:
        with self.sessions.begin() as session:
            row = store_file(
                session,
                company_id,
                turn.user_id,
                turn.data,
                channel=turn.channel,
                filename=turn.filename,
                caption=_caption(turn),
                ocr_text=ocr_text,
            )
            return row.public_id


def receipt_text(data: bytes, options: OcrOptions | None = None) -> str:
    """The text OCR reads on a receipt, as `read_receipt` reads it: one reading, and when that
    leaves the total or the date unsure a second with another page layout after it (the
    fields read from the stored text are then as sure as `read_receipt`'s; on the spoiled
    test photos one reading alone gets fewer right)."""
    return read_receipt(data, options).text


async def receipt_ocr(data: bytes, timeout: float | None = None) -> str | None:
    """The text OCR reads on a receipt's picture or PDF, in its turn in the OCR queue; None
    when it is no picture that can be read, or reading it (its wait in the queue included)
    takes longer than `timeout` seconds (`OCR_SECONDS`)."""
    seconds = OCR_SECONDS if timeout is None else timeout
    # Each Tesseract run is stopped at the same limit, so a reading given up does not run on long.
    options = OcrOptions(timeout=max(1, int(seconds)))
    started = time.monotonic()
    try:
        return await asyncio.wait_for(ocr_queue().run(receipt_text, data, options), seconds)
    except (UnreadableReceipt, TimeoutError) as exc:
        log.info("receipt not read after %.1f s: %s", time.monotonic() - started, exc)
    except (OSError, RuntimeError):  # Tesseract missing or failing: the file is kept unread
        log.exception("receipt OCR failed")
    return None


def _as_jpeg(turn: FileTurn) -> FileTurn:
    """The turn with its HEIC picture made into a JPEG (see the module docstring); as it came
    when the picture does not decode."""
    try:
        jpeg = jpeg_rendition(turn.data)
    except UnreadableHeic as exc:
        log.info("a HEIC picture kept as it came: %s", exc)
        return turn
    return replace(turn, data=jpeg, filename=converted_name(turn.filename))


async def _refused(conversations: Conversations, turn: FileTurn, refused: FileRefused) -> FileNotTaken:
    language = await conversations.language_of(turn.user_id)
    text = render(language, "files/refused.j2", reason=refused.reason, limit_mb=MAX_FILE_BYTES // (1024 * 1024))
    return FileNotTaken(refused.reason, text)


async def answer_file(conversations: Conversations, turn: FileTurn) -> Answer:
    """The assistant's answer to a file (see the module docstring). Raises `FileNotTaken`
    for a file refused, `IdempotencyConflict` for a message id used before for something
    else, `MessageInProgress` while the first copy is still being answered, and what
    `Conversations.answer` raises (RasaUnavailable, TooBusy)."""
    try:
        found = classify(turn.data)
    except FileRefused as refused:
        raise await _refused(conversations, turn, refused) from refused
    files = _Files(conversations)
    company_id = await asyncio.to_thread(files.company_of, turn)
    sha256 = hashlib.sha256(turn.data).hexdigest()
    if turn.message_id:
        claimed = await asyncio.to_thread(files.claim, turn, sha256)
        if claimed.outcome is not None:
            messages = tuple(BotMessage.from_json(m) for m in claimed.outcome.result.get("messages", []))
            return Answer(messages, repeated=True)
        if not claimed.new:
            first = await _await_first_answer(files, turn, sha256)
            if first is None:
                raise MessageInProgress(turn.message_id)
            return Answer(first, repeated=True)
    try:
        kept = await asyncio.to_thread(_as_jpeg, turn) if found.media_type == HEIC else turn
        ocr_text = await receipt_ocr(kept.data) if found.kind == "receipt" else None
        public_id = await asyncio.to_thread(files.store, kept, company_id, ocr_text)
        chat = ChatTurn(turn.user_id, file_message(public_id), turn.channel, company_id=company_id)
        answer = await conversations.answer(chat)
    except FileRefused as refused:
        if turn.message_id:
            await asyncio.to_thread(files.record, turn, None)
        raise await _refused(conversations, turn, refused) from refused
    except BaseException:
        if turn.message_id:
            await asyncio.shield(asyncio.to_thread(files.record, turn, None))
        raise
    if turn.message_id:
        await asyncio.to_thread(files.record, turn, answer.messages)
    return answer


async def _await_first_answer(
    files: _Files, turn: FileTurn, sha256: str, timeout: float = 5.0
) -> tuple[BotMessage, ...] | None:
    """The first answer to a copy of the same file sent at the same moment, if it comes within
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = await asyncio.to_thread(files.first_answer, turn, sha256)
        if answer is not None:
            return answer
        await asyncio.sleep(0.2)
    return None
