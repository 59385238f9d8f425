"""Who is asking, for which company, in which language, through which channel.

The gateway authenticates every message and passes the user, company, role, channel and
message id to Rasa as message metadata; Rasa's NLU adds the language. Actions read them
here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from ledger.corrections import chat_source

LANGUAGES = ("nb", "en")


@dataclass(frozen=True)
class Asker:
    """The person behind the current message.

    Attributes:
      user_id, company_id, role: as the gateway established them; None when the message did
        not come through the gateway (then nothing may be read or written).
      channel: "web", "telegram", "api", "cli" or "voice".
      message_id: the channel's id of the message, used as the source of what is posted.
      language: "nb" or "en".
    """

    user_id: int | None
    company_id: int | None
    role: str | None
    channel: str
    message_id: str
    language: str

    @property
    def known(self) -> bool:
        return self.user_id is not None and self.company_id is not None

    @property
    def source(self) -> str:
        return chat_source(self.message_id)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


_WORD = re.compile(r"[^\W\d_]{2,}")
_UNITS = frozenset({"kr", "nok"})


def says_nothing_of_language(text: str) -> bool:
    """A button's payload ("/affirm") or an answer without words ("7,5", "450 kr") tells
    nothing about the language the person writes in."""
    return text.startswith("/") or not [w for w in _WORD.findall(text.casefold()) if w not in _UNITS]


def _written_message(tracker: Tracker) -> dict[str, Any]:
    """The latest message whose words show the person's language: the latest message, unless
    it says nothing of language, then the one before it that does."""
    latest = tracker.latest_message or {}
    if not _says_nothing_of_language(latest):
        return latest
    for event in reversed(tracker.events or []):
        parsed = event.get("parse_data") or {}
        if event.get("event") == "user" and not _says_nothing_of_language({"text": event.get("text"), **parsed}):
            return {**parsed, "language": parsed.get("language")}
    return {}


def _says_nothing_of_language(parsed: dict[str, Any]) -> bool:
    # The NLU says `language_sure: false` for words of neither language ("van", "ok").
    return says_nothing_of_language(str(parsed.get("text") or "")) or parsed.get("language_sure") is False


def language_of(tracker: Tracker) -> str:
    """The language of the latest message: the NLU's verdict, else the last one known."""
    latest = _written_message(tracker)
    language = latest.get("language")
    if isinstance(language, dict):
        language = language.get("name")
    if language not in LANGUAGES:
        for entity in latest.get("entities") or []:
            if entity.get("entity") == "language" and entity.get("value") in LANGUAGES:
                language = entity["value"]
    if language not in LANGUAGES:
        language = tracker.get_slot("language")
    return language if language in LANGUAGES else "nb"


SENDER_ID = re.compile(r"^user-(\d+)$")


def _metadata_from_sender_id(tracker: Tracker) -> dict[str, Any]:
    """Who a message without metadata is from, by Rasa's sender id `user-<id>` (the id the
    gateway uses), with the company and role looked up in the books.

    Only when the installation trusts sender ids (`BOKBOT_TRUST_SENDER_ID`, for conversation
    tests that talk to Rasa directly); the gateway always sends metadata, and Rasa listens on
    this host only.
    """
    from actions.books import sessions
    from ledger import identity
    from ledger.errors import LedgerError
    from ledger.models import User
    from ledger.settings import get_settings

    found = SENDER_ID.match(str(tracker.sender_id or ""))
    if found is None or not get_settings().trust_sender_id:
        return {}
    with sessions().begin() as session:
        user = session.get(User, int(found.group(1)))
        if user is None:
            return {}
        try:
            company_id = identity.current_company_id(session, user)
            role = identity.role_in(session, user.id, company_id)
        except LedgerError:
            return {}
    return {"user_id": user.id, "company_id": company_id, "role": role, "channel": "cli"}


def asker_of(tracker: Tracker) -> Asker:
    """The asker of the tracker's latest message."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    if not metadata:
        metadata = tracker.get_slot("session_started_metadata") or {}
    if not metadata.get("user_id"):
        metadata = _metadata_from_sender_id(tracker)
    return Asker(
        user_id=_int(metadata.get("user_id")),
        company_id=_int(metadata.get("company_id")),
        role=str(metadata["role"]) if metadata.get("role") else None,
        channel=str(metadata.get("channel") or "api"),
        message_id=str(metadata.get("message_id") or ""),
        language=language_of(tracker),
    )
