"""The one path every chat message takes, whatever the channel (web chat, Telegram, REST,
`bokbot shell`): who is asking, for which company, whether this message was handled
before, the hand-off to Rasa, and the replies in the API's shape.

A message id seen before returns the first answer and reaches Rasa (and so the books) only
once, even when both copies arrive at the same time.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ledger import identity
from ledger.errors import NotFound
from ledger.models import IdempotencyRecord, User

from channels.rasa_client import RasaUnavailable, send_to_rasa

MAX_MESSAGE_LENGTH = 2000


@dataclass(frozen=True)
class ChatTurn:
    """One message from a person.

    Attributes:
      user_id: the authenticated user.
      text: what they wrote (or what speech recognition heard).
      channel: "web", "telegram", "api", "cli" or "voice".
      company_id: the company asked for; None for the user's active company.
      message_id: the channel's id of the message, the idempotency key; None if it has none.
    """

    user_id: int
    text: str
    channel: str
    company_id: int | None = None
    message_id: str | None = None


def reply(text: str, **extra: Any) -> dict[str, Any]:
    """A message in the API's shape."""
    message: dict[str, Any] = {"text": text, "buttons": []}
    message.update({k: v for k, v in extra.items() if v})
    return message


def normalise_rasa_messages(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rasa's REST-channel replies as `{"text", "buttons", "image"?, "attachment"?}`."""
    messages: list[dict[str, Any]] = []
    for item in raw:
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
        text = item.get("text") or custom.get("text") or ""
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in (item.get("buttons") or custom.get("buttons") or [])
        ]
        message = reply(
            text,
            image=item.get("image") or custom.get("image"),
            attachment=item.get("attachment") or custom.get("attachment"),
        )
        message["buttons"] = buttons
        if message["text"] or buttons or "image" in message or "attachment" in message:
            messages.append(message)
    return messages


class Conversations:
    """Hands messages to Rasa on behalf of authenticated users."""

    def __init__(self, sessions: sessionmaker[Session], http: ClientSession, rasa_url: str) -> None:
        self.sessions = sessions
        self.http = http
        self.rasa_url = rasa_url

    def _prepare(self, turn: ChatTurn) -> tuple[int, str]:
        with self.sessions.begin() as session:
            user = session.get(User, turn.user_id)
            if user is None:
                raise NotFound("unknown user")
            company_id = identity.current_company_id(session, user, turn.company_id)
            role = identity.role_in(session, user.id, company_id)
            return company_id, role

    def _claim(self, turn: ChatTurn, company_id: int) -> bool:
        """Record the message id; False if it was recorded before (a repeat)."""
        assert turn.message_id is not None
        digest = hashlib.sha256(turn.text.encode("utf-8")).hexdigest()
        try:
            with self.sessions.begin() as session:
                session.add(
                    IdempotencyRecord(
                        company_id=None,
                        user_id=turn.user_id,
                        scope="chat",
                        key=turn.message_id[:200],
                        request_hash=digest,
                        response=None,
                    )
                )
            return True
        except IntegrityError:
            return False

    def _record(self, turn: ChatTurn, messages: list[dict[str, Any]] | None) -> None:
        assert turn.message_id is not None
        with self.sessions.begin() as session:
            record = self._find(session, turn)
            if record is None:
                return
            if messages is None:
                session.delete(record)  # Rasa never saw it: let the sender try again
            else:
                record.response = {"messages": messages}

    def _find(self, session: Session, turn: ChatTurn) -> IdempotencyRecord | None:
        return session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.user_id == turn.user_id,
                IdempotencyRecord.company_id.is_(None),
                IdempotencyRecord.scope == "chat",
                IdempotencyRecord.key == turn.message_id,
            )
        )

    def _first_answer(self, turn: ChatTurn) -> list[dict[str, Any]] | None:
        with self.sessions.begin() as session:
            record = self._find(session, turn)
            if record is None or record.response is None:
                return None
            return list(record.response.get("messages", []))

    async def handle(self, turn: ChatTurn) -> list[dict[str, Any]]:
        """The replies to one message (the first answer again for a repeated message id)."""
        text = turn.text.strip()[:MAX_MESSAGE_LENGTH]
        company_id, role = await asyncio.to_thread(self._prepare, turn)
        if turn.message_id:
            claimed = await asyncio.to_thread(self._claim, turn, company_id)
            if not claimed:
                return await self._await_first_answer(turn)
        metadata = {
            "user_id": turn.user_id,
            "company_id": company_id,
            "role": role,
            "channel": turn.channel,
            "message_id": turn.message_id or "",
        }
        try:
            raw = await send_to_rasa(self.http, self.rasa_url, f"user-{turn.user_id}", text, metadata)
        except RasaUnavailable:
            if turn.message_id:
                await asyncio.to_thread(self._record, turn, None)
            raise
        messages = normalise_rasa_messages(raw)
        if turn.message_id:
            await asyncio.to_thread(self._record, turn, messages)
        return messages

    async def _await_first_answer(self, turn: ChatTurn, timeout: float = 120.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = await asyncio.to_thread(self._first_answer, turn)
            if answer is not None:
                return answer
            await asyncio.sleep(0.2)
        return []
