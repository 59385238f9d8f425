"""Who is asking: the gateway's metadata, and Rasa's sender id only where it is trusted."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from sqlalchemy.orm import Session, sessionmaker

import ledger.settings
from actions.context import asker_of
from tests.actions.chat_builders import action_books, new_company, said

__all__ = ["action_books"]


def without_metadata(sender_id: str) -> Tracker:
    tracker = said("hva er saldoen?", intent="check_balance")
    tracker.sender_id = sender_id
    return tracker


def test_a_message_without_metadata_is_from_nobody_by_default(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    assert not asker_of(without_metadata(f"user-{owner.user_id}")).known


def test_a_trusted_sender_id_names_the_user_with_company_and_role_from_the_books(
    action_books: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = new_company(action_books)
    monkeypatch.setenv("BOKBOT_TRUST_SENDER_ID", "true")
    ledger.settings.get_settings.cache_clear()
    asker = asker_of(without_metadata(f"user-{owner.user_id}"))
    assert (asker.user_id, asker.company_id, asker.role, asker.channel) == (
        owner.user_id, owner.company_id, "owner", "cli"
    )
    assert not asker_of(without_metadata("user-999")).known
    assert not asker_of(without_metadata("default")).known


def test_the_gateways_metadata_wins_over_the_sender_id(
    action_books: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = new_company(action_books)
    other = new_company(action_books, "Annet AS")
    monkeypatch.setenv("BOKBOT_TRUST_SENDER_ID", "true")
    ledger.settings.get_settings.cache_clear()
    tracker = said("hva er saldoen?", intent="check_balance", asker=owner)
    tracker.sender_id = f"user-{other.user_id}"
    assert asker_of(tracker).user_id == owner.user_id


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
