"""The journal's invariants: balanced entries, unbroken voucher numbers, immutability, reversal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledger.companies import create_company
from ledger.errors import AlreadyReversed, UnbalancedEntry, UnknownAccount
from ledger.journal import Posting, post_entry, reverse_entry
from ledger.models import JournalEntry, PostedEntryModified
from ledger.reports.balances import bank_balance


def entry(spec: str) -> tuple[dt.date, list[Posting]]:
    """`"2026-11-02 1920 6250 / 1500 -6250"` as a date and postings."""
    day, _, rest = spec.partition(" ")
    postings = []
    for part in rest.split("/"):
        account, amount = part.split()
        postings.append(Posting(account, Decimal(amount)))
    return dt.date.fromisoformat(day), postings


def post(s: Session, cid: int, spec: str) -> JournalEntry:
    day, postings = entry(spec)
    return post_entry(s, cid, day, spec, postings, channel="cli")


def new_company(books: sessionmaker[Session]) -> int:
    with books.begin() as s:
        return create_company(s, "Fjord Test AS", owner_name="Kari", vat_registered=True).company.id


def test_balanced_entry_moves_the_bank_balance(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    day, postings = entry("2026-11-02 1920 6250 / 1500 -6250")
    with books.begin() as s:
        post_entry(s, cid, day, "Innbetaling", postings, channel="cli")
    with books.begin() as s:
        assert bank_balance(s, cid) == Decimal("6250.00")


def test_unbalanced_entry_is_refused_and_nothing_is_written(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    day, postings = entry("2026-11-02 1920 6250 / 1500 -6000")
    with pytest.raises(UnbalancedEntry), books.begin() as s:
        post_entry(s, cid, day, "Feil", postings, channel="cli")
    with books.begin() as s:
        assert bank_balance(s, cid) == Decimal("0.00")


def test_unknown_account_is_refused(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    day, postings = entry("2026-11-02 1920 100 / 9999 -100")
    with pytest.raises(UnknownAccount), books.begin() as s:
        post_entry(s, cid, day, "Feil konto", postings, channel="cli")


def test_voucher_numbers_run_unbroken_per_year(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        numbers = [
            post(s, cid, f"{d} 1920 100 / 3000 -100").voucher_number
            for d in ("2026-01-05", "2026-02-01", "2027-01-02", "2026-12-31")
        ]
    assert numbers == [1, 2, 1, 3]


def test_posted_entry_cannot_be_edited_or_deleted(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        entry_id = post(s, cid, "2026-11-02 1920 100 / 3000 -100").id
    with pytest.raises(PostedEntryModified), books.begin() as s:
        posted = s.get(JournalEntry, entry_id)
        assert posted is not None
        posted.description = "endret"
    with pytest.raises(PostedEntryModified), books.begin() as s:
        posted = s.get(JournalEntry, entry_id)
        s.delete(posted)


def test_reversal_brings_the_balance_back_and_happens_once(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        original = post(s, cid, "2026-11-02 1920 500 / 3000 -500")
    with books.begin() as s:
        posted = s.get(JournalEntry, original.id)
        assert posted is not None
        reversal = reverse_entry(s, posted, channel="web")
        assert reversal.reverses_id == original.id
        assert bank_balance(s, cid) == Decimal("0.00")
    with pytest.raises(AlreadyReversed), books.begin() as s:
        posted = s.get(JournalEntry, original.id)
        assert posted is not None
        reverse_entry(s, posted, channel="web")
