"""The audit trail: who posted an invoice or a voucher, when, through which channel, and every
correction of it since."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledger import clock
from ledger.audit import invoice_audit, postings_by_kind, voucher_audit, voucher_number_audit
from ledger.customers import create_customer
from ledger.errors import NotFound, UnknownInvoice
from ledger.expenses import register_expense
from ledger.identity import add_user
from ledger.invoicing import credit_invoice, invoice_amount, register_payment
from ledger.journal import Posting, post_entry, reverse_entry
from ledger.models import Customer, JournalEntry
from tests.ledger.book_builders import new_company
from tests.ledger.builders import where


def _sale_by_kari_in_telegram(books: sessionmaker[Session]) -> tuple[int, int, int]:
    cid = new_company(books)
    with books.begin() as s, clock.pinned(dt.date(2026, 11, 3)):
        kari = add_user(s, cid, "Kari Nordmann", "accountant").user.id
        customer = create_customer(s, cid, "Fjord Bygg AS", **where("974760673")).id
        number = invoice_amount(s, cid, customer, "5000", "Rådgivning", created_by_id=kari, channel="telegram").number
    return cid, kari, number


def test_an_invoice_tells_who_posted_it_when_and_through_which_channel(books: sessionmaker[Session]) -> None:
    cid, kari, number = _sale_by_kari_in_telegram(books)
    with books.begin() as s:
        trail = invoice_audit(s, cid, number)
    assert trail.kind == "invoice" and trail.invoice_number == number
    assert (trail.posting.posted_by, trail.posting.posted_by_id, trail.posting.channel) == ("Kari Nordmann", kari,
                                                                                             "telegram")
    assert trail.posting.posted_at.tzinfo is not None
    assert trail.posting.posted_at.astimezone(clock.OSLO).date() == dt.date(2026, 11, 3)
    assert trail.corrections == ()


def test_a_credited_invoice_lists_its_credit_notes_with_their_authors(books: sessionmaker[Session]) -> None:
    cid, _, number = _sale_by_kari_in_telegram(books)
    with books.begin() as s:
        ola = add_user(s, cid, "Ola Hansen", "owner").user.id
        note = credit_invoice(s, cid, number, amount="1000", created_by_id=ola, channel="web")
        rest = credit_invoice(s, cid, number, created_by_id=ola, channel="api")
    with books.begin() as s:
        trail = invoice_audit(s, cid, number)
        by_voucher = voucher_audit(s, cid, trail.posting.voucher)
    assert [(c.kind, c.credit_note_number, c.posting.posted_by, c.posting.channel) for c in trail.corrections] == [
        ("credit_note", note.number, "Ola Hansen", "web"),
        ("credit_note", rest.number, "Ola Hansen", "api"),
    ]
    assert by_voucher == trail


def test_a_reversed_voucher_lists_its_reversal(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        entry = post_entry(
            s, cid, dt.date(2026, 3, 1), "Innskudd",
            [Posting("1920", Decimal("100")), Posting("2000", Decimal("-100"))], channel="cli",
        )
        reversal = reverse_entry(s, entry, channel="web", created_by_id=None)
        voucher = f"{entry.year}-{entry.voucher_number}"
    with books.begin() as s:
        trail = voucher_audit(s, cid, voucher)
    assert trail.kind == "voucher" and trail.invoice_number is None and trail.posting.posted_by is None
    [correction] = trail.corrections
    assert correction.kind == "reversal"
    assert correction.posting.voucher == f"{reversal.year}-{reversal.voucher_number}"


def test_a_voucher_number_said_without_a_year_is_the_newest_years(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        for day in (dt.date(2025, 6, 1), dt.date(2026, 6, 1)):
            post_entry(s, cid, day, f"Innskudd {day.year}",
                       [Posting("1920", Decimal("100")), Posting("2000", Decimal("-100"))], channel="cli")
    with books.begin() as s:
        trail = voucher_number_audit(s, cid, 1)
        first_of_2026 = s.query(JournalEntry).filter_by(company_id=cid, year=2026, voucher_number=1).one()
    assert trail.posting.voucher == "2026-1" and trail.posting.description == first_of_2026.description


def test_what_does_not_exist_is_not_found(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        with pytest.raises(UnknownInvoice):
            invoice_audit(s, cid, 10004)
        with pytest.raises(NotFound):
            voucher_audit(s, cid, "2026-57")
        with pytest.raises(NotFound):
            voucher_number_audit(s, cid, 57)


def test_postings_are_counted_by_kind_across_the_installation(books: sessionmaker[Session]) -> None:
    cid, kari, number = _sale_by_kari_in_telegram(books)
    with books.begin() as s:
        paid = invoice_amount(s, cid, s.scalars(select(Customer.id)).first() or 0, "800", "Support")
        register_payment(s, cid, paid.number, paid.total)
        credit_invoice(s, cid, number)
        register_expense(s, cid, "500", "kontorrekvisita", dt.date(2026, 11, 4), "Clas Ohlson", kari, "web")
        entry = post_entry(s, cid, dt.date(2026, 11, 5), "Innskudd",
                           [Posting("1920", Decimal("100")), Posting("2000", Decimal("-100"))], channel="cli")
        reverse_entry(s, entry, channel="cli", created_by_id=None)
    other = new_company(books, name="Annet AS")
    with books.begin() as s:
        post_entry(s, other, dt.date(2026, 11, 5), "Innskudd",
                   [Posting("1920", Decimal("100")), Posting("2000", Decimal("-100"))], channel="cli")
        counts = postings_by_kind(s)
    assert counts == {"invoice": 2, "credit_note": 1, "payment": 1, "expense": 1, "reversal": 1, "other": 2}
