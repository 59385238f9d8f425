"""A proposal is posted once: the "ja" whose reply never reached the person (the action server
died after the commit) leaves the proposal pending, and the "ja" they send again posts nothing
and repeats what was posted, on SQLite and on PostgreSQL, also when both arrive at once."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import actions.books
import ledger.settings
from actions.confirmation import ActionConfirm
from ledger.db import engine_for, reading_engine_for
from ledger.models import IdempotencyRecord, Invoice, JournalEntry
from tests.actions.chat_builders import Conversation, Person, Said, run, said
from tests.actions.test_invoicing import awaiting, books_with_customers, proposal_for


@pytest.fixture
def books_on_each_backend(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker[Session]]:
    """The books the actions read and write, on SQLite and on PostgreSQL."""
    monkeypatch.setenv("BOKBOT_DATABASE_URL", db_url)
    monkeypatch.setenv("BOKBOT_VAR_DIR", str(tmp_path / "var"))
    ledger.settings.get_settings.cache_clear()
    actions.books.sessions.cache_clear()
    actions.books.reading.cache_clear()
    yield actions.books.sessions()
    actions.books.sessions.cache_clear()
    actions.books.reading.cache_clear()
    ledger.settings.get_settings.cache_clear()
    engine_for(db_url).dispose()
    reading_engine_for(db_url).dispose()


def counted(books: sessionmaker[Session], company_id: int) -> tuple[int, int]:
    """Journal entries and invoices of the company."""
    with books.begin() as session:
        entries = session.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.company_id == company_id))
        invoices = session.scalar(select(func.count(Invoice.id)).where(Invoice.company_id == company_id))
        return int(entries or 0), int(invoices or 0)


def ja(owner: Person, conversation: Conversation, message_id: str) -> Said:
    return run(ActionConfirm(), said("ja", intent="affirm", asker=owner, conversation=conversation,
                                     message_id=message_id))


def after_a_lost_reply(pending: dict[str, Any]) -> Conversation:
    """The conversation as Rasa keeps it when the action server died after posting and before
    its reply came back: the proposal still pending, and the first "ja" said since."""
    conversation = awaiting(pending)
    conversation.events.append({"event": "user", "text": "ja", "parse_data": {"intent": {"name": "affirm"}}})
    return conversation


def reply(result: Said) -> str:
    return "\n".join(result.texts)


def test_each_proposal_carries_an_id_of_its_own(books_on_each_backend: sessionmaker[Session]) -> None:
    owner = books_with_customers(books_on_each_backend)
    first, _ = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    second, _ = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    ids = {first.slots()["pending"]["id"], second.slots()["pending"]["id"]}
    assert len(ids) == 2 and all(len(i) == 32 for i in ids)


def test_a_second_ja_after_a_lost_reply_posts_nothing_and_says_what_was_posted(
    books_on_each_backend: sessionmaker[Session],
) -> None:
    books = books_on_each_backend
    owner = books_with_customers(books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    pending = conversation.slots["pending"]
    first = ja(owner, conversation, "m2")
    posted = reply(first)
    assert posted.startswith("Faktura 10001 til Fjord Bygg AS på 6 250,00 kr er utstedt og ført (bilag ")
    assert counted(books, owner.company_id) == (1, 1)

    again = ja(owner, after_a_lost_reply(pending), "m3")  # a new message: the person wrote "ja" again
    assert reply(again) == f"Dette er allerede bokført, så jeg fører det ikke en gang til: {posted}"
    assert again.messages[0]["custom"]["attachment"] == first.messages[0]["custom"]["attachment"]
    assert again.slots()["pending"] is None
    assert counted(books, owner.company_id) == (1, 1)
    with books.begin() as session:
        claims = session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.scope == "proposal")).all()
        assert [c.key for c in claims] == [pending["id"]]


def test_a_nei_after_a_lost_reply_says_that_it_was_posted(books_on_each_backend: sessionmaker[Session]) -> None:
    books = books_on_each_backend
    owner = books_with_customers(books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    posted = reply(ja(owner, conversation, "m2"))
    denied = run(ActionConfirm(), said("nei", intent="deny", asker=owner, message_id="m3",
                                       conversation=after_a_lost_reply(conversation.slots["pending"])))
    assert reply(denied) == f"Dette er allerede bokført, så jeg fører det ikke en gang til: {posted}"
    assert denied.slots()["pending"] is None
    assert counted(books, owner.company_id) == (1, 1)


def test_the_repeat_is_said_in_the_language_of_the_second_ja(books_on_each_backend: sessionmaker[Session]) -> None:
    books = books_on_each_backend
    owner = books_with_customers(books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    ja(owner, conversation, "m2")
    again = run(ActionConfirm(), said("yes", intent="affirm", asker=owner, language="en",
                                      conversation=after_a_lost_reply(conversation.slots["pending"]),
                                      message_id="m3"))
    assert reply(again).startswith("This has already been posted, so I am not posting it again: Faktura 10001")
    assert counted(books, owner.company_id) == (1, 1)


def test_two_ja_to_one_proposal_at_the_same_moment_post_once(books_on_each_backend: sessionmaker[Session]) -> None:
    books = books_on_each_backend
    owner = books_with_customers(books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda m: reply(ja(owner, conversation, m)), ["m2", "m3"]))
    assert counted(books, owner.company_id) == (1, 1)
    posted = [a for a in answers if a.startswith("Faktura 10001")]
    repeated = [a for a in answers if a.startswith("Dette er allerede bokført")]
    assert len(posted) == 1 and len(repeated) == 1, answers
    assert repeated[0].endswith(posted[0])


def test_another_proposal_with_the_same_content_is_posted_again(books_on_each_backend: sessionmaker[Session]) -> None:
    """Only the same proposal is refused: invoicing the same hours twice on purpose is two
    proposals, two "ja" and two invoices."""
    books = books_on_each_backend
    owner = books_with_customers(books)
    for number, message_id in ((10001, "m2"), (10002, "m4")):
        _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
        assert reply(ja(owner, conversation, message_id)).startswith(f"Faktura {number} ")
    assert counted(books, owner.company_id) == (2, 2)


def test_a_failed_posting_claims_nothing_and_may_be_confirmed_again(
    books_on_each_backend: sessionmaker[Session],
) -> None:
    """A refusal rolls the claim back with the posting: the proposal is not marked as posted."""
    books = books_on_each_backend
    owner = books_with_customers(books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    pending = dict(conversation.slots["pending"])
    broken = {**pending, "values": {**pending["values"], "expected_total": "1.00"}}  # the books moved on
    refused = ja(owner, awaiting(broken), "m2")
    assert "endret seg" in reply(refused)
    assert counted(books, owner.company_id) == (0, 0)
    with books.begin() as session:
        claims = select(func.count(IdempotencyRecord.id)).where(IdempotencyRecord.scope == "proposal")
        assert session.scalar(claims) == 0
    assert reply(ja(owner, conversation, "m3")).startswith("Faktura 10001 ")
    assert counted(books, owner.company_id) == (1, 1)


def test_a_proposal_from_before_ids_is_still_posted_once_per_message(
    books_on_each_backend: sessionmaker[Session],
) -> None:
    books = books_on_each_backend
    owner = books_with_customers(books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    old = {k: v for k, v in conversation.slots["pending"].items() if k != "id"}
    assert reply(ja(owner, awaiting(old), "same")).startswith("Faktura 10001 ")
    again = ja(owner, awaiting(old), "same")
    assert reply(again).startswith("Dette er allerede bokført, så jeg fører det ikke en gang til: Faktura 10001")
    assert counted(books, owner.company_id) == (1, 1)
