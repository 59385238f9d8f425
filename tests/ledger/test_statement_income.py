"""Money in on a statement that matched no invoice: the open invoices it may pay offered to
a person, posted as a payment on the one they chose or as other income, once per line, and
nothing posted without their decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.statements import _entry as camt_entry
from bench.statements import camt053
from ledger.attachments import list_attachments
from ledger.bank import Statement, parse_camt
from ledger.errors import InvalidInput, Overpayment
from ledger.invoicing import issue_invoice
from ledger.models import Invoice, JournalEntry, JournalLine
from ledger.statement_review import (
    OTHER_INCOME_ACCOUNT,
    means_other_income,
    next_undecided,
    pay_invoice_from_line,
    post_other_income,
    review_statement,
)
from tests.ledger.builders import SalesBooks, line, sales_books


def entries(books: sessionmaker[Session], company_id: int) -> int:
    with books.begin() as s:
        return int(s.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.company_id == company_id)) or 0)


def invoiced(books: sessionmaker[Session], sb: SalesBooks, customer_id: int, what: str) -> int:
    with books.begin() as s:
        return issue_invoice(s, sb.company_id, customer_id, [line(what)], issue_date=dt.date(2026, 10, 20)).number


def statement(*lines: str) -> Statement:
    return parse_camt(camt053(list(lines), "S-IN"))


def test_money_in_without_a_match_waits_after_money_out_with_the_invoice_it_fits(
    books: sessionmaker[Session],
) -> None:
    sb = sales_books(books)
    number = invoiced(books, sb, sb.fjord_id, "5 × 1000 Rådgivning")  # 6 250 with VAT
    read = statement(
        # Paid from the owner's private account: neither KID nor the customer's name.
        camt_entry("I1", dt.date(2026, 11, 3), Decimal("6250.00"), "Ola Hansen", text="Faktura"),
        camt_entry("O1", dt.date(2026, 11, 4), Decimal("-1249.00"), "Telenor Norge AS", text="Abonnement"),
    )
    before = entries(books, sb.company_id)
    with books.begin() as s:
        review = review_statement(s, sb.company_id, read)
        assert [u.line.line_id for u in review.incoming] == [read.lines[0].line_id]
        assert review.matches == () and review.left == ()
        first = next_undecided(s, sb.company_id, read)
        assert first is not None and first.line.amount < 0 and first.remaining == 2
        second = next_undecided(s, sb.company_id, read, skipped=[first.line.line_id])
        assert second is not None and second.incoming and second.remaining == 1
        assert [o.number for o in second.fitting.invoices] == [number]
        assert second.fitting.proposed is not None and second.fitting.proposed.number == number
    assert entries(books, sb.company_id) == before  # reading proposes, it posts nothing

    with books.begin() as s:
        paid = pay_invoice_from_line(s, sb.company_id, read.lines[0], number, user_id=sb.owner_id, channel="web")
        assert (paid.invoice_number, paid.amount, paid.repeated) == (number, Decimal("6250.00"), False)
        invoice = s.scalar(select(Invoice).where(Invoice.company_id == sb.company_id, Invoice.number == number))
        assert invoice is not None and invoice.status == "paid"
        entry_id = s.scalar(select(JournalEntry.id).where(JournalEntry.source == read.lines[0].line_id))
        assert entry_id is not None
        assert [d.kind for d in list_attachments(s, sb.company_id, entry_id)] == ["statement_line"]
    with books.begin() as s:
        again = pay_invoice_from_line(s, sb.company_id, read.lines[0], number, user_id=sb.owner_id, channel="web")
        assert again.repeated
        with pytest.raises(InvalidInput):  # posted as a payment: not as income too
            post_other_income(s, sb.company_id, read.lines[0], user_id=sb.owner_id, channel="web")
        assert [ln.line_id for ln in review_statement(s, sb.company_id, read).already_posted] == [
            read.lines[0].line_id
        ]
    assert entries(books, sb.company_id) == before + 1


def test_money_in_called_other_income_is_posted_once_on_3900_without_vat(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    read = statement(camt_entry("I2", dt.date(2026, 11, 6), Decimal("300.00"), "Per Olsen", text="Vipps"))
    with books.begin() as s:
        waiting = next_undecided(s, sb.company_id, read)
        assert waiting is not None and waiting.fitting.invoices == () and waiting.fitting.proposed is None
        income = post_other_income(s, sb.company_id, waiting.line, user_id=sb.owner_id, channel="telegram")
        assert (income.account, income.amount, income.repeated) == ("3900", Decimal("300.00"), False)
        lines = sorted(
            (ln.account, ln.debit, ln.credit, ln.vat_code)
            for ln in s.scalars(select(JournalLine).where(JournalLine.entry_id == income.entry_id))
        )
        assert lines == [
            ("1920", Decimal("300.00"), Decimal("0.00"), None),
            (OTHER_INCOME_ACCOUNT, Decimal("0.00"), Decimal("300.00"), None),
        ]
        assert [d.kind for d in list_attachments(s, sb.company_id, income.entry_id)] == ["statement_line"]
    count = entries(books, sb.company_id)
    with books.begin() as s:
        assert post_other_income(s, sb.company_id, read.lines[0], user_id=sb.owner_id, channel="web").repeated
        assert next_undecided(s, sb.company_id, read) is None
    assert entries(books, sb.company_id) == count


def test_several_invoices_of_the_amount_are_offered_and_none_proposed(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    fjord = invoiced(books, sb, sb.fjord_id, "1 × 1000 Rådgivning")
    nordlys = invoiced(books, sb, sb.nordlys_id, "1 × 1000 Rådgivning")
    read = statement(camt_entry("I3", dt.date(2026, 11, 6), Decimal("1250.00"), "Ola Hansen", text="Betaling"))
    with books.begin() as s:
        waiting = next_undecided(s, sb.company_id, read)
        assert waiting is not None
        assert {o.number for o in waiting.fitting.invoices} == {fjord, nordlys}
        assert waiting.fitting.proposed is None


def test_the_payers_invoice_owing_more_is_offered_as_a_part_payment(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    number = invoiced(books, sb, sb.fjord_id, "5 × 1000 Rådgivning")
    invoiced(books, sb, sb.nordlys_id, "5 × 1000 Rådgivning")  # not the payer's: not offered
    read = statement(camt_entry("I4", dt.date(2026, 11, 6), Decimal("1000.00"), "Fjord Bygg AS", text="Avdrag"))
    with books.begin() as s:
        waiting = next_undecided(s, sb.company_id, read)
        assert waiting is not None
        assert [o.number for o in waiting.fitting.invoices] == [number]
        assert waiting.fitting.proposed is None  # a part payment is chosen, not proposed
        paid = pay_invoice_from_line(s, sb.company_id, waiting.line, number, user_id=sb.owner_id, channel="web")
        assert paid.amount == Decimal("1000.00")


def test_money_in_paying_more_than_the_invoice_owes_is_refused_and_posts_nothing(
    books: sessionmaker[Session],
) -> None:
    sb = sales_books(books)
    number = invoiced(books, sb, sb.fjord_id, "1 × 1000 Rådgivning")
    read = statement(camt_entry("I5", dt.date(2026, 11, 6), Decimal("9000.00"), "Ola Hansen", text="Betaling"))
    before = entries(books, sb.company_id)
    with books.begin() as s, pytest.raises(Overpayment):
        pay_invoice_from_line(s, sb.company_id, read.lines[0], number, user_id=sb.owner_id, channel="web")
    assert entries(books, sb.company_id) == before


@pytest.mark.parametrize(
    ("words", "meant"),
    [
        ("annen inntekt", True),
        ("Det er annen inntekt.", True),
        ("other income", True),
        ("faktura 10003", False),
        ("", False),
    ],
)
def test_other_income_in_words(words: str, meant: bool) -> None:
    assert means_other_income(words) is meant
