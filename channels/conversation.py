"""The one path every chat message takes, whatever the channel (web chat, Telegram, REST,
`bokbot shell`): who is asking, for which company, whether this message was handled
before, the hand-off to Rasa, and the replies as typed values in the API's shape.

A message id seen before returns the first answer and reaches Rasa (and so the books) only
once, even when both copies arrive at the same time; the same id with other text is refused
(`IdempotencyConflict`) and reaches nothing. The ledger's idempotency records keep both.

When the books' database cannot be reached (a restart, a network cut), a message that could
not be taken is answered at once with the same "try again in a moment, nothing is posted" a
failed action gets, in the person's language as last read from the books, and reaches
nothing; the conversation waits in Rasa where it was. An answer Rasa already gave is
delivered even if its message id cannot be recorded (see `_record`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from channels.limits import Limits, UserLimits
from channels.rasa_client import RasaServers, RasaUnavailable, send_to_rasa, trace
from channels.texts import render
from ledger import clock, idempotency, identity
from ledger.errors import InvalidInput, NotFound
from ledger.idempotency import Claim
from ledger.models import Company, User
from ledger.signed_identity import Identity, conversation_of, sign
from ledger.text import without_controls

MAX_MESSAGE_LENGTH = 2000
MAX_MESSAGE_ID_LENGTH = 200
CHAT_SCOPE = "chat"

log = logging.getLogger(__name__)

BOOKS_UNREACHABLE = (OperationalError, InterfaceError)
"""What the database driver raises when the books cannot be reached or a connection broke
(as opposed to a refused write): the request may simply be sent again a moment later."""


class MessageInProgress(Exception):
    """A message id whose first copy is still being answered; the sender may send it again."""


@dataclass(frozen=True)
class ChatTurn:
    """One message from a person.

    Attributes:
      user_id: the authenticated user.
      text: what they wrote (or what speech recognition heard, or a button's payload).
      channel: "web", "telegram", "api", "cli" or "voice".
      company_id: the company asked for; None for the user's active company.
      message_id: the channel's id of the message, the idempotency key; None if it has none.
        Channels prefix their own ids ("tg:", "web:", "api:") so they never collide.
    """

    user_id: int
    text: str
    channel: str
    company_id: int | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class Button:
    """A choice offered with a message.

    Attributes:
      title: what the button says ("Ja").
      payload: what is sent as the person's message when it is pressed ("/affirm").
    """

    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    """One message from the assistant.

    Attributes:
      text: the words; may be empty when the message is only an image or a file.
      buttons: choices, in order; empty when there are none.
      image: address of a picture (a chart), usually a gateway path ("/api/v1/..."); None if none.
      attachment: address of a file (an invoice PDF), usually a gateway path; None if none.
    """

    text: str
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    attachment: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The message in the API's shape: `{"text", "buttons", "image"?, "attachment"?}`."""
        return reply(
            self.text,
            image=self.image,
            attachment=self.attachment,
        ) | {"buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons]}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> BotMessage:
        """A message back from its API shape (as stored for a repeated message id)."""
        return cls(
            text=str(value.get("text") or ""),
            buttons=tuple(
                Button(str(b.get("title", "")), str(b.get("payload", "")))
                for b in value.get("buttons") or []
                if isinstance(b, dict)
            ),
            image=str(value["image"]) if value.get("image") else None,
            attachment=str(value["attachment"]) if value.get("attachment") else None,
        )


@dataclass(frozen=True)
class Answer:
    """The assistant's answer to one turn.

    Attributes:
      messages: the replies, in order.
      repeated: True when the message id was handled before and these are the first
        answer's messages again (a channel that already delivered them need not resend).
    """

    messages: tuple[BotMessage, ...]
    repeated: bool = False

    def as_json(self) -> list[dict[str, Any]]:
        return [m.as_json() for m in self.messages]


@dataclass(frozen=True)
class Person:
    """A signed-in user as the channels need to know them.

    Attributes:
      user_id: the user's id.
      name: their name, for greetings.
      language: "nb" or "en", for the channel's own words.
      company_name: the company they act for now; "" if they belong to none.
    """

    user_id: int
    name: str
    language: str
    company_name: str


def reply(text: str, **extra: Any) -> dict[str, Any]:
    """A message in the API's shape."""
    message: dict[str, Any] = {"text": text, "buttons": []}
    message.update({k: v for k, v in extra.items() if v})
    return message


def bot_messages_from_rasa(raw: list[dict[str, Any]]) -> tuple[BotMessage, ...]:
    """Rasa's REST-channel replies as messages; empty ones are dropped."""
    messages: list[BotMessage] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        custom_value = item.get("custom")
        custom: dict[str, Any] = custom_value if isinstance(custom_value, dict) else {}
        buttons = tuple(
            Button(str(b.get("title", "")), str(b.get("payload", "")))
            for b in (item.get("buttons") or custom.get("buttons") or [])
            if isinstance(b, dict)
        )
        image = item.get("image") or custom.get("image")
        attachment = item.get("attachment") or custom.get("attachment")
        message = BotMessage(
            text=str(item.get("text") or custom.get("text") or ""),
            buttons=buttons,
            image=str(image) if image else None,
            attachment=str(attachment) if attachment else None,
        )
        if message.text or message.buttons or message.image or message.attachment:
            messages.append(message)
    return tuple(messages)


def normalise_rasa_messages(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rasa's REST-channel replies as `{"text", "buttons", "image"?, "attachment"?}`."""
    return [m.as_json() for m in bot_messages_from_rasa(raw)]


def _text_of(turn: ChatTurn) -> str:
    """What reaches the assistant of a message: no control characters, trimmed, bounded."""
    return without_controls(turn.text).strip()[:MAX_MESSAGE_LENGTH]


def _person(session: Session, user: User) -> Person:
    company_name = ""
    memberships = identity.memberships_of(session, user.id)
    if memberships:
        company = session.get(Company, identity.current_company_id(session, user))
        company_name = company.name if company is not None else ""
    return Person(user.id, user.name, user.language if user.language in ("nb", "en") else "nb", company_name)


class Conversations:
    """Hands messages to Rasa on behalf of authenticated users, and says who they are."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        http: ClientSession,
        rasa_url: str | RasaServers,
        secret: bytes,
        limits: Limits | None = None,
    ) -> None:
        self.sessions = sessions
        self.http = http
        self.rasa_url = rasa_url
        self.secret = secret
        self.limits = limits or UserLimits()
        # Each user's language as last read, for the words said while the books cannot be reached.
        self._languages: dict[int, str] = {}
        # Answers given while the books could not be reached, to be recorded once they can
        # (see `_record`): by (user, message id), the turn and its answer (None: free the id).
        self._unrecorded: dict[tuple[int, str], tuple[ChatTurn, tuple[BotMessage, ...] | None]] = {}

    def _remember_language(self, user: User) -> str:
        language = user.language if user.language in ("nb", "en") else "nb"
        self._languages[user.id] = language
        return language

    async def language_of(self, user_id: int) -> str:
        """The language a user reads the channels' own words in ("nb" or "en"); the one last
        read when the books cannot be reached."""

        def read() -> str:
            with self.sessions.begin() as session:
                user = session.get(User, user_id)
                return self._remember_language(user) if user is not None else "nb"

        try:
            return await asyncio.to_thread(read)
        except BOOKS_UNREACHABLE:
            return self._languages.get(user_id, "nb")

    # Who is asking: every channel signs people in through these.

    def _in_db_person(self, find: Callable[[Session], User | None]) -> Person | None:
        with self.sessions.begin() as session:
            user = find(session)
            return _person(session, user) if user is not None else None

    async def person_by_token(self, token: str) -> Person | None:
        """The user an API token belongs to, or None."""
        return await asyncio.to_thread(self._in_db_person, lambda s: identity.user_by_token(s, token))

    async def person_by_telegram(self, telegram_user_id: int) -> Person | None:
        """The user linked to a Telegram account, or None."""
        return await asyncio.to_thread(
            self._in_db_person, lambda s: identity.user_by_telegram_id(s, telegram_user_id)
        )

    async def link_telegram(self, code: str, telegram_user_id: int) -> Person | None:
        """Link a Telegram account with a link code (single-use, expiring); None if not valid."""
        return await asyncio.to_thread(
            self._in_db_person, lambda s: identity.redeem_link_code(s, code, telegram_user_id)
        )

    async def sign_in_with_code(self, code: str) -> tuple[Person, str] | None:
        """Spend a link code typed into the web chat for a fresh API token; None if not valid."""

        def exchange() -> tuple[Person, str] | None:
            with self.sessions.begin() as session:
                issued = identity.issue_web_session_token(session, code)
                if issued is None:
                    return None
                user, token = issued
                return _person(session, user), token

        return await asyncio.to_thread(exchange)

    # One turn.

    def _prepare(self, turn: ChatTurn) -> tuple[int, str, Claim | None]:
        """Who asks for which company in which role, and the message id's claim (see
        `_claim_in`; None without a message id), in one transaction: one round trip to the
        database before Rasa is asked."""
        with self.sessions.begin() as session:
            user = session.get(User, turn.user_id)
            if user is None:
                raise NotFound("unknown user")
            self._remember_language(user)
            company_id = identity.current_company_id(session, user, turn.company_id)
            role = identity.role_in(session, user.id, company_id)
            claimed = self._claim_in(session, turn) if turn.message_id else None
            return company_id, role, claimed

    @staticmethod
    def _key(turn: ChatTurn) -> idempotency.Key:
        assert turn.message_id is not None
        return idempotency.Key(CHAT_SCOPE, turn.message_id[:MAX_MESSAGE_ID_LENGTH], None, turn.user_id)

    @staticmethod
    def _request_hash(turn: ChatTurn) -> str:
        return idempotency.fingerprint({"text": _text_of(turn), "company_id": turn.company_id})

    def _claim_in(self, session: Session, turn: ChatTurn) -> Claim:
        """Record the message id for its text (the ledger's idempotency, as for REST writes):
        new, or the first answer (None while it is still being answered); IdempotencyConflict
        when the id came before with other text."""
        return idempotency.claim(session, self._key(turn), self._request_hash(turn))

    def _record(self, turn: ChatTurn, messages: tuple[BotMessage, ...] | None) -> None:
        """Stores the answer to a message id, or frees the id (None) when nothing answered.
        When the books cannot be reached the answer is still given: the message was taken,
        and the person must hear what came of it. It is then kept in this process and
        recorded at the start of the next turn the books answer (`_record_the_unrecorded`);
        meanwhile the same message id sent again here gets it from memory, so the message is
        never left "still being answered" for good."""
        try:
            self._store_record(turn, messages)
        except BOOKS_UNREACHABLE as exc:
            log.warning("the answer to a message could not be recorded yet: the books did not answer (%s)",
                        type(exc).__name__)
            assert turn.message_id is not None
            self._unrecorded[(turn.user_id, turn.message_id)] = (turn, messages)

    def _store_record(self, turn: ChatTurn, messages: tuple[BotMessage, ...] | None) -> None:
        with self.sessions.begin() as session:
            if messages is None:
                idempotency.release(session, self._key(turn))  # Rasa never saw it: let the sender try again
            else:
                idempotency.complete(session, self._key(turn), {"messages": [m.as_json() for m in messages]})

    def _record_the_unrecorded(self) -> None:
        """Records the answers kept while the books could not be reached (see `_record`)."""
        for where, (turn, messages) in list(self._unrecorded.items()):
            try:
                self._store_record(turn, messages)
            except BOOKS_UNREACHABLE:
                return  # away again: the next turn tries
            except InvalidInput:
                pass  # the claim is gone (freed meanwhile): nothing of this one to keep
            self._unrecorded.pop(where, None)

    def _first_answer(self, turn: ChatTurn) -> tuple[BotMessage, ...] | None:
        with self.sessions.begin() as session:
            claimed = idempotency.lookup(session, self._key(turn), self._request_hash(turn))
        if claimed is None or claimed.outcome is None:
            return None
        return tuple(BotMessage.from_json(m) for m in claimed.outcome.result.get("messages", []))

    async def answer(self, turn: ChatTurn) -> Answer:
        """The assistant's answer to one message (the first answer again, marked `repeated`,
        for a message id seen before). Raises RasaUnavailable when Rasa does not answer; the
        message id is then free again, so the sender may retry. Raises IdempotencyConflict,
        posting nothing, for a message id that came before with other text; TooBusy at once
        when the sender has too many messages in flight or sent too many lately (see
        `channels.limits`); MessageInProgress when the same message is still being answered.
        When the books cannot be reached, the answer says to try again (see the module
        docstring)."""
        async with self.limits.admit(turn.user_id):
            try:
                return await self._answer(turn)
            except BOOKS_UNREACHABLE as exc:
                log.warning("a message was not taken: the books did not answer (%s)", type(exc).__name__)
                return await self._unavailable(turn.user_id)

    async def _answer(self, turn: ChatTurn) -> Answer:
        started = time.monotonic()
        request_id = secrets.token_hex(8)
        text = _text_of(turn)
        company_id, role, claimed = await asyncio.to_thread(self._prepare, turn)
        prepared = time.monotonic()
        if self._unrecorded:
            await asyncio.to_thread(self._record_the_unrecorded)
        if claimed is not None:
            assert turn.message_id is not None
            if claimed.outcome is not None:
                return Answer(tuple(BotMessage.from_json(m) for m in claimed.outcome.result.get("messages", [])),
                              repeated=True)
            kept = self._unrecorded.get((turn.user_id, turn.message_id))
            if not claimed.new and kept is not None and kept[1] is not None:
                return Answer(kept[1], repeated=True)
            if not claimed.new:
                first = await self._await_first_answer(turn)
                if first is None:
                    raise MessageInProgress(turn.message_id)
                return Answer(first, repeated=True)
        who = Identity(turn.user_id, company_id, role, turn.channel, turn.message_id or "")
        # The request id is no part of the signature: it only labels the turn in the logs.
        metadata = sign(self.secret, who, text, clock.now()) | {"request_id": request_id}
        try:
            raw = await send_to_rasa(
                self.http, self.rasa_url, conversation_of(turn.user_id), text, metadata, request_id=request_id
            )
        except (RasaUnavailable, asyncio.CancelledError):
            if turn.message_id:
                await asyncio.shield(asyncio.to_thread(self._record, turn, None))
            raise
        answered = time.monotonic()
        messages = bot_messages_from_rasa(raw)
        if not messages:
            return await self._unanswered(turn)
        if turn.message_id:
            await asyncio.to_thread(self._record, turn, messages)
        if trace.isEnabledFor(logging.INFO):
            done = time.monotonic()
            trace.info(json.dumps({
                "request_id": request_id, "stage": "gateway", "channel": turn.channel,
                "ms": round((done - started) * 1000, 1),
                "db_before_ms": round((prepared - started) * 1000, 1),
                "rasa_ms": round((answered - prepared) * 1000, 1),
                "db_after_ms": round((done - answered) * 1000, 1),
            }))
        return Answer(messages)

    async def _unanswered(self, turn: ChatTurn) -> Answer:
        """The answer when Rasa took the message and said nothing: every turn of the assistant
        answers something, so an action failed (the action server is down or restarting) and
        its transaction wrote nothing. The person is told so in their language, and the
        message id is freed, so that the same message may be sent again."""
        if turn.message_id:
            await asyncio.shield(asyncio.to_thread(self._record, turn, None))
        return await self._unavailable(turn.user_id)

    async def _unavailable(self, user_id: int) -> Answer:
        """Says to try again in a moment (nothing is posted), in the person's language."""
        language = await self.language_of(user_id)
        return Answer((BotMessage(text=render(language, "unavailable.j2")),))

    async def handle(self, turn: ChatTurn) -> list[dict[str, Any]]:
        """The replies to one message in the API's shape (see `answer`)."""
        return (await self.answer(turn)).as_json()

    async def _await_first_answer(self, turn: ChatTurn, timeout: float = 5.0) -> tuple[BotMessage, ...] | None:
        """The first answer to a message id that is being answered now, if it comes within
        `timeout` seconds (a copy sent at the same moment); None otherwise."""
        deadline = time.monotonic() + timeout
        pause = 0.05  # a first answer often comes within a turn's time: look soon, then less often
        while time.monotonic() < deadline:
            answer = await asyncio.to_thread(self._first_answer, turn)
            if answer is not None:
                return answer
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.4)
        return None
