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
