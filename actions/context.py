"""Who is asking, for which company, in which language, through which channel.

The gateway authenticates every message and passes the user, company, role, channel and
message id to Rasa as signed message metadata; Rasa's NLU adds the language. Actions read
them here, after checking the signature, and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from ledger import clock
from ledger.corrections import chat_source
from ledger.server_keys import server_secret
from ledger.settings import get_settings
from ledger.signed_identity import verified

LANGUAGES = ("nb", "en")


@dataclass(frozen=True)
class Asker:
    """The person behind the current message.

    Attributes:
      user_id, company_id, role: as the gateway established and signed them; None when the
        message's signature does not verify (then nothing may be read or written).
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


def asker_of(tracker: Tracker) -> Asker:
    """The asker of the tracker's latest message, as the gateway signed it; nobody (`known`
    False: nothing may be read or written) when the signature does not verify for this
    message and conversation (see `ledger.signed_identity`)."""
    latest = tracker.latest_message or {}
    metadata = latest.get("metadata") or {}
    who = verified(
        server_secret(get_settings()),
        metadata if isinstance(metadata, dict) else {},
        text=str(latest.get("text") or ""),
        conversation=str(tracker.sender_id or ""),
        now=clock.now(),
    )
    if who is None:
        return Asker(None, None, None, channel="api", message_id="", language=language_of(tracker))
    return Asker(
        user_id=who.user_id,
        company_id=who.company_id,
        role=who.role,
        channel=who.channel,
        message_id=who.message_id,
        language=language_of(tracker),
    )


def own_file_state(tracker: Tracker, slot: str, asker: Asker) -> dict[str, Any] | None:
    """A file's walk-through kept in `slot` (a statement's lines, a receipt's questions), if it
    is this person's in this company: a slot is never trusted to belong to whoever answers."""
    state = tracker.get_slot(slot)
    if not isinstance(state, dict) or not state.get("file_id"):
        return None
    if (state.get("user_id"), state.get("company_id")) != (asker.user_id, asker.company_id):
        return None
    return state
