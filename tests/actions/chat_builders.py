"""Builders for action tests: books the action server reads, and trackers as Rasa sends them.

`said("før 3 timer", intent="log_time", entities={"hours": "3"}, asker=owner)` is the
tracker of one message from `owner`, with the metadata the gateway adds and the language the
NLU detected; `run(action, tracker)` runs an action or form validator and returns what it
said and the events it returned.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session, sessionmaker

import actions.books
import ledger.settings
from actions.charts import PAINTING
from ledger import clock
from ledger.companies import create_company
from ledger.db import engine_for, reading_engine_for
from ledger.migrate import upgrade
from ledger.server_keys import server_secret
from ledger.settings import PROJECT_ROOT
from ledger.signed_identity import Identity, sign

DOMAIN_DIR = PROJECT_ROOT / "bot" / "domain"


@dataclass(frozen=True)
class Person:
    """Someone in the test books: their user id, company and role there."""

    user_id: int
    company_id: int
    role: str


@dataclass(frozen=True)
class Said:
    """What an action did: its messages (text and buttons) and the events it returned."""

    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @staticmethod
    def _field(message: dict[str, Any], name: str) -> Any:
        """A message's field, also when it was sent as one custom message (text and image)."""
        return message.get(name) or (message.get("custom") or {}).get(name)

    @property
    def texts(self) -> list[str]:
        return [self._field(m, "text") or "" for m in self.messages]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [b for m in self.messages for b in self._field(m, "buttons") or []]

    @property
    def images(self) -> list[str]:
        return [self._field(m, "image") for m in self.messages if self._field(m, "image")]

    def slots(self) -> dict[str, Any]:
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}


@pytest.fixture
def action_books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sessionmaker[Session]]:
    """Fresh SQLite books that the actions under test read and write."""
    url = f"sqlite:///{tmp_path / 'books.db'}"
    upgrade(url)
    monkeypatch.setenv("BOKBOT_DATABASE_URL", url)
    monkeypatch.setenv("BOKBOT_VAR_DIR", str(tmp_path / "var"))
    ledger.settings.get_settings.cache_clear()
    actions.books.sessions.cache_clear()
    actions.books.reading.cache_clear()
    yield actions.books.sessions()
    actions.books.sessions.cache_clear()
    actions.books.reading.cache_clear()
    ledger.settings.get_settings.cache_clear()
    engine_for(url).dispose()
    reading_engine_for(url).dispose()


def signed_metadata(asker: Person, text: str, message_id: str, channel: str = "api") -> dict[str, Any]:
    """The metadata the gateway sends with `text` from `asker`, signed with this installation's
    secret (as the action server checks it)."""
    who = Identity(asker.user_id, asker.company_id, asker.role, channel, message_id)
    return sign(server_secret(ledger.settings.get_settings()), who, text, clock.now())


def new_company(books: sessionmaker[Session], name: str = "Fjord Bygg AS", **options: Any) -> Person:
    """A company with its owner; the owner is returned."""
    with books.begin() as session:
        created = create_company(session, name, owner_name="Kari Nordmann", **options)
        return Person(created.owner.user.id, created.company.id, "owner")


@dataclass
class Conversation:
    """The slots and events of a conversation so far, to build the next tracker on."""

    slots: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    active_loop: str | None = None
    requested_slot: str | None = None


def entity_in(text: str, entity: str, value: str | tuple[str, str]) -> dict[str, Any]:
    """An entity as the NLU reports it; given as (value, span) it carries the span's place in
    the text, as the real NLU's do."""
    if isinstance(value, tuple):
        normalised, span = value
        start = text.index(span)
        return {"entity": entity, "value": normalised, "start": start, "end": start + len(span), "text": span}
    return {"entity": entity, "value": value}


def said(
    text: str,
    *,
    intent: str = "",
    entities: dict[str, str | tuple[str, str]] | None = None,
    asker: Person | None = None,
    language: str | None = None,
    message_id: str = "m1",
    conversation: Conversation | None = None,
    extracted: dict[str, Any] | None = None,
) -> Tracker:
    """The tracker after one message (see the module docstring); `extracted` are the slots
    Rasa filled from it, as a form validator receives them."""
    conversation = conversation or Conversation()
    if language is None:
        language = "nb" if not any(w in text.lower().split() for w in ("the", "i", "my", "on", "yes", "no")) else "en"
    metadata = signed_metadata(asker, text, message_id) if asker else {}
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [entity_in(text, k, v) for k, v in (entities or {}).items()],
        "language": language,
        "metadata": metadata,
    }
    slots = {**conversation.slots, **(extracted or {})}
    if conversation.requested_slot:
        slots["requested_slot"] = conversation.requested_slot
    events = [*conversation.events, {"event": "user", "text": text, "parse_data": latest, "metadata": metadata}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (extracted or {}).items()]
    return Tracker(
        sender_id=f"user-{asker.user_id}" if asker else "default",
        slots=slots,
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": conversation.active_loop} if conversation.active_loop else {},
        latest_action_name="action_listen",
    )


def form_domain(form: str, slots: Sequence[str]) -> dict[str, Any]:
    """The part of the domain a form validator reads: the form's slots (checked against the
    domain file, so that the test and the assistant agree)."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(DOMAIN_DIR.glob("*.yml")))
    assert f"  {form}:" in text, f"{form} is not in the domain"
    for slot in slots:
        assert f"      - {slot}\n" in text, f"{slot} is not a required slot in the domain"
    return {"forms": {form: {"required_slots": list(slots)}}}


def run(action: Action, tracker: Tracker, domain: dict[str, Any] | None = None) -> Said:
    """Run `action` on `tracker` as the action server would."""
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker, domain or {})
    if inspect.isawaitable(result):
        result = asyncio.run(result)  # type: ignore[arg-type]
    return Said(messages=list(dispatcher.messages), events=list(result or []))


def painted(png: Path, timeout: float = 30.0) -> bytes:
    """The chart's bytes once painted (the reply goes out before; see `actions.charts`)."""
    marker = png.with_name(png.name + PAINTING)
    deadline = time.monotonic() + timeout
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not marker.exists()
    return png.read_bytes()
