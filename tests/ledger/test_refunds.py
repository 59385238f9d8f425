"""Paying money back to a customer by crediting part of a paid invoice, over the real ledger on
SQLite and PostgreSQL: the base before VAT of an amount said including VAT, and which of the
customer's invoices a refund can come from."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledger.errors import InvalidAmount, InvalidInput
from ledger.invoicing import (
    CreditLine,
    credit_base,
    credit_invoice,
    get_invoice,
    invoice_amount,
    invoice_hours,
    issue_invoice,
    paid_amount,
    refund_due,
    refund_sources,
    register_payment,
)
from ledger.models import Payment
from ledger.reports.balances import account_balance
from tests.ledger.builders import day, entry_lines, line, sales_books

D = Decimal


def test_what_a_credit_pays_back_is_what_it_takes_off_beyond_what_is_owed() -> None:
    assert refund_due(D("1250.00"), D("0.00")) == D("1250.00")
    assert refund_due(D("1250.00"), D("2000.00")) == D("0.00")
    assert refund_due(D("3750.00"), D("2000.00")) == D("1750.00")


def test_the_base_of_an_amount_including_vat_gives_a_credit_note_of_exactly_that_amount(
    books: sessionmaker[Session],
) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        invoice = invoice_hours(s, sb.company_id, sb.fjord_id, "5", description="Rådgivning")
        assert credit_base(s, invoice, "500") == D("400.00")
        assert credit_base(s, invoice, "1250.00") == D("1000.00")
        base = credit_base(s, invoice, "333.33")  # 266.66 + 66.67: exactly, to the øre
        note = credit_invoice(s, sb.company_id, invoice.number, amount=base)
        assert (note.net, note.total) == (D("266.66"), D("333.33"))


def test_a_total_no_base_reaches_gets_the_nearest_credit_below_it(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        invoice = invoice_hours(s, sb.company_id, sb.fjord_id, "5", description="Rådgivning")
        # 0.02 at 25 %: a base of 0.01 comes to 0.01, of 0.02 to 0.03; never more than said
        assert credit_base(s, invoice, "0.02") == D("0.01")
        with pytest.raises(InvalidAmount):
            credit_base(s, invoice, "0")


def test_without_vat_the_base_is_the_amount_and_an_invoice_of_several_lines_needs_one_named(
    books: sessionmaker[Session],
) -> None:
    plain = sales_books(books, vat_registered=False, name="Småjobb ENK")
    with books.begin() as s:
        invoice = invoice_amount(s, plain.company_id, plain.fjord_id, "2000", description="Maling")
        assert credit_base(s, invoice, "500") == D("500.00")
    sb = sales_books(books)
    with books.begin() as s:
        mixed = issue_invoice(
            s, sb.company_id, sb.fjord_id, [line("1 × 1000 @3 Rådgivning"), line("1 × 100 @31 Lunsj")],
            issue_date=day("2026-11-02"),
        )
        with pytest.raises(InvalidInput):
            credit_base(s, mixed, "500")
        assert credit_base(s, mixed, "115", line=2) == D("100.00")  # 15 % on food


def test_a_refund_comes_from_the_latest_invoice_paid_in_full_with_enough_paid_on_it(
    books: sessionmaker[Session],
) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        older = invoice_hours(s, sb.company_id, sb.fjord_id, "2", description="Rådgivning",
                              issue_date=day("2026-11-02"))
        newer = invoice_hours(s, sb.company_id, sb.fjord_id, "4", description="Rådgivning",
                              issue_date=day("2026-11-16"))
        unpaid = invoice_hours(s, sb.company_id, sb.fjord_id, "8", description="Rådgivning",
                               issue_date=day("2026-11-20"))
        register_payment(s, sb.company_id, older.number, "2500", day("2026-11-10"))
        register_payment(s, sb.company_id, newer.number, "5000", day("2026-11-20"))
        register_payment(s, sb.company_id, unpaid.number, "1000", day("2026-11-25"))
        sources = refund_sources(s, sb.company_id, sb.fjord_id, "500")
        assert [(x.number, x.line, x.net, x.paid) for x in sources] == [
            (newer.number, 1, D("400.00"), D("5000.00")),
            (older.number, 1, D("400.00"), D("2500.00")),
        ]  # the invoice with 9 000 still owed is not one money is paid back from
        assert [x.number for x in refund_sources(s, sb.company_id, sb.fjord_id, "3000")] == [newer.number]
        assert refund_sources(s, sb.company_id, sb.fjord_id, "6000") == []
        assert refund_sources(s, sb.company_id, sb.nordlys_id, "500") == []
        with pytest.raises(InvalidAmount):
            refund_sources(s, sb.company_id, sb.fjord_id, "-5")


def test_crediting_the_base_of_a_refund_pays_back_exactly_the_amount_said(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        invoice = invoice_hours(s, sb.company_id, sb.fjord_id, "4", description="Rådgivning",
                                issue_date=day("2026-11-02"))
        register_payment(s, sb.company_id, invoice.number, "5000", day("2026-11-10"))
    with books.begin() as s:
        source = refund_sources(s, sb.company_id, sb.fjord_id, "500")[0]
        credit_invoice(s, sb.company_id, source.number, lines=[CreditLine(source.line, amount=source.net)],
                       refund=True, credit_date=day("2026-11-12"))
        refund = s.scalars(select(Payment).where(Payment.invoice_id == invoice.id, Payment.amount < 0)).one()
        assert refund.amount == D("-500.00")
        assert entry_lines(s, refund.journal_entry_id) == ["1500 debit 500.00", "1920 credit 500.00"]
        again = get_invoice(s, sb.company_id, invoice.number)
        assert paid_amount(s, again) == D("4500.00")
        assert account_balance(s, sb.company_id, "1920") == D("4500.00")
        # what was paid back is no longer there to pay back
        assert refund_sources(s, sb.company_id, sb.fjord_id, "4500")[0].paid == D("4500.00")
        assert refund_sources(s, sb.company_id, sb.fjord_id, "4500.01") == []
