"""Who is asking: only the gateway's signed metadata, for this message and conversation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rasa_sdk import Tracker
from sqlalchemy.orm import Session, sessionmaker

from actions.context import asker_of
from ledger import clock
from ledger.signed_identity import Identity, sign
from tests.actions.chat_builders import action_books, new_company, said, signed_metadata

__all__ = ["action_books"]


def without_metadata(sender_id: str) -> Tracker:
    tracker = said("hva er saldoen?", intent="check_balance")
    tracker.sender_id = sender_id
    return tracker


def with_metadata(sender_id: str, metadata: dict[str, Any], text: str = "hva er saldoen?") -> Tracker:
    tracker = said(text, intent="check_balance")
    tracker.sender_id = sender_id
    tracker.latest_message["metadata"] = metadata
    return tracker


def test_a_message_without_metadata_is_from_nobody(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    assert not asker_of(without_metadata(f"user-{owner.user_id}")).known


def test_the_gateways_signed_metadata_names_the_asker(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    asker = asker_of(said("hva er saldoen?", intent="check_balance", asker=owner))
    assert (asker.user_id, asker.company_id, asker.role, asker.channel) == (
        owner.user_id, owner.company_id, "owner", "api"
    )


def test_forged_altered_misplaced_or_old_metadata_is_from_nobody(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    other = new_company(action_books, "Annet AS")
    sender = f"user-{owner.user_id}"
    good = signed_metadata(owner, "hva er saldoen?", "m1")
    assert asker_of(with_metadata(sender, good)).known
    unsigned = {k: v for k, v in good.items() if k not in ("signature", "signed_at")}
    assert not asker_of(with_metadata(sender, unsigned)).known
    assert not asker_of(with_metadata(sender, {**good, "company_id": other.company_id})).known
    assert not asker_of(with_metadata(sender, {**good, "role": "accountant"})).known
    assert not asker_of(with_metadata(sender, {**good, "signature": "0" * 64})).known
    # the same signed metadata with other text, or in another person's conversation
    assert not asker_of(with_metadata(sender, good, text="/affirm")).known
    assert not asker_of(with_metadata(f"user-{other.user_id}", good)).known
    # signed with another installation's secret
    foreign = sign(b"another installation", Identity(owner.user_id, owner.company_id, "owner", "api", "m1"),
                   "hva er saldoen?", clock.now())
    assert not asker_of(with_metadata(sender, foreign)).known
    # signed long ago
    with clock.pinned(clock.today() - dt.timedelta(days=1)):
        stale = signed_metadata(owner, "hva er saldoen?", "m1")
    assert not asker_of(with_metadata(sender, stale)).known


def tracker_of(*messages: tuple[str, str, bool]) -> Tracker:
    """A conversation of (text, language, language_sure) user messages, the last one latest."""
    events = [
        {"event": "user", "text": text, "parse_data": {"text": text, "language": lang, "language_sure": sure}}
        for text, lang, sure in messages
    ]
    latest = events[-1]["parse_data"]
    return Tracker("user-1", {}, latest, events, False, None, None, "action_listen")


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([("I paid 450 kr for fuel", "en", True), ("van", "nb", False)], "en"),
        ([("jeg betalte 450 for bensin", "nb", True), ("ok", "nb", False)], "nb"),
        ([("what's my balance", "en", True), ("/affirm", "nb", True)], "en"),
        ([("hva er saldoen", "nb", True), ("what about vat", "en", True)], "en"),
        ([("van", "nb", False)], "nb"),
    ],
)
def test_a_reply_without_words_of_either_language_keeps_the_conversations_language(
    messages: list[tuple[str, str, bool]], expected: str
) -> None:
    from actions.context import language_of

    assert language_of(tracker_of(*messages)) == expected
