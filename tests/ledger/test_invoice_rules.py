"""The Norwegian rules an invoice must follow, over the real ledger on SQLite and PostgreSQL:
what it must show before it is issued (bokføringsforskriften § 5-1-1), the real delivery
period, VAT per line that adds up to the total, and credit notes for part of an invoice with
money already paid refunded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledger.companies import update_company
from ledger.customers import create_customer, update_customer
from ledger.documents.ehf import ehf_xml
from ledger.documents.pdf import invoice_html
from ledger.errors import InvalidAmount, InvalidInput, InvalidOrgnr, InvoiceDetailsMissing, InvoiceNotOpen
from ledger.invoicing import (
    CreditLine,
    credit_invoice,
    get_invoice,
    invoice_amount,
    invoice_document,
    invoice_hours,
    invoice_unbilled_hours,
    issue_invoice,
    owed_on,
    paid_amount,
    public_status,
    register_payment,
)
from ledger.models import Company, Payment, TimeEntry
from ledger.reports.balances import account_balance
from ledger.timesheet import log_time
from tests.ledger.builders import day, entry_lines, journal_line_count, line, sales_books, where

D = Decimal


# --------------------------------------------------------------------------------------------
# § 5-1-1: what an invoice must show before it is issued


def test_invoice_needs_the_sellers_address_orgnr_and_bank_account(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        company = s.get(Company, sb.company_id)
        assert company is not None
        company.address, company.bank_account, company.orgnr = "", "", None
    before = journal_line_count(books, sb.company_id)
    with pytest.raises(InvoiceDetailsMissing) as refused, books.begin() as s:
        issue_invoice(s, sb.company_id, sb.fjord_id, [line("1 × 1000 Rådgivning")], issue_date=day("2026-11-02"))
    assert refused.value.details["missing_seller"] == ["address", "orgnr", "bank_account"]
    assert refused.value.details["missing_buyer"] == []
    assert "address, orgnr, bank_account" in str(refused.value)
    assert journal_line_count(books, sb.company_id) == before
    with books.begin() as s:
        update_company(s, sb.company_id, address="Storgata 1", orgnr="998877660", bank_account="1234.56.78903")
        invoice = issue_invoice(s, sb.company_id, sb.fjord_id, [line("1 × 1000 Rådgivning")])
        assert invoice.number == 10001  # the refused one took no number


def test_invoice_needs_the_buyers_address_and_a_business_buyers_orgnr(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        bare = create_customer(s, sb.company_id, "Vestland Snekker AS").id
        person = create_customer(s, sb.company_id, "Ola Nordmann", **where()).id
    with pytest.raises(InvoiceDetailsMissing) as refused, books.begin() as s:
        invoice_amount(s, sb.company_id, bare, "1000", "Snekring")
    assert refused.value.details["missing_buyer"] == ["address", "postcode", "city", "orgnr"]
    assert refused.value.details["buyer"] == "Vestland Snekker AS"
    with books.begin() as s:
        # A private person needs no organisation number.
        assert invoice_amount(s, sb.company_id, person, "1000", "Snekring").total == D("1250.00")
        update_customer(s, sb.company_id, bare, **where("923609016"))
        assert invoice_amount(s, sb.company_id, bare, "1000", "Snekring").total == D("1250.00")


def test_every_detail_of_the_seller_can_be_set_and_bad_ones_are_refused(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        company = update_company(
            s, sb.company_id, address=" Kaigata  3 ", postcode="5015", city="Bergen", bank_account="1234 56 78903"
        )
        assert (company.address, company.postcode, company.city, company.bank_account) == (
            "Kaigata 3", "5015", "Bergen", "12345678903",
        )
    for bad, error in (
        ({"bank_account": "12345678901"}, InvalidInput),
        ({"orgnr": "123456789"}, InvalidOrgnr),
        ({"address": "   "}, InvalidInput),
        ({"city": "x" * 101}, InvalidInput),
        ({"vat_registered": "yes"}, InvalidInput),
    ):
        with pytest.raises(error), books.begin() as s:
            update_company(s, sb.company_id, **bad)
    with books.begin() as s:
        assert s.get(Company, sb.company_id).address == "Kaigata 3"  # type: ignore[union-attr]


def test_invoice_shows_orgnr_with_mva_and_foretaksregisteret_and_the_bank_account(
    books: sessionmaker[Session],
) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        invoice = issue_invoice(s, sb.company_id, sb.fjord_id, [line("1 × 1000 Rådgivning")])
        html = invoice_html(invoice_document(s, invoice))
    assert "998 877 660 MVA" in html and "Foretaksregisteret" in html
    assert "1234.56.78903" in html and "Storgata 1" in html


# --------------------------------------------------------------------------------------------
# The delivery date or period is the real one


def test_hours_billed_give_the_period_of_the_hours(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        for date in ("2026-10-28", "2026-11-02", "2026-11-04"):
            log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day(date), "2")
        invoice = invoice_unbilled_hours(s, sb.company_id, project_id=sb.hytte_id, issue_date=day("2026-11-06"))
        assert (invoice.delivery_from, invoice.delivery_date) == (day("2026-10-28"), day("2026-11-04"))
        doc = invoice_document(s, invoice)
        assert (doc.delivery_start, doc.delivery_end) == (day("2026-10-28"), day("2026-11-04"))
        xml = ehf_xml(doc).decode()
        assert "<cbc:StartDate>2026-10-28</cbc:StartDate>" in xml and "<cbc:EndDate>2026-11-04</cbc:EndDate>" in xml
        html = invoice_html(doc)
        assert "Leveringsperiode" in html and "28.10.2026–04.11.2026" in html


def test_an_amount_is_delivered_on_the_day_said_or_the_issue_date(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        plain = invoice_amount(s, sb.company_id, sb.fjord_id, "1000", "Kassesystem", issue_date=day("2026-11-06"))
        said = invoice_hours(
            s, sb.company_id, sb.fjord_id, "3", description="Befaring",
            issue_date=day("2026-11-06"), delivery_to=day("2026-11-01"),
        )
        assert (plain.delivery_from, plain.delivery_date) == (day("2026-11-06"), day("2026-11-06"))
        assert (said.delivery_from, said.delivery_date) == (day("2026-11-01"), day("2026-11-01"))
        doc = invoice_document(s, said)
        assert (doc.delivery_start, doc.delivery_end) == (None, day("2026-11-01"))
        assert "<cbc:ActualDeliveryDate>2026-11-01</cbc:ActualDeliveryDate>" in ehf_xml(doc).decode()
        assert "Leveringsdato" in invoice_html(doc)
    with pytest.raises(InvalidInput), books.begin() as s:
        issue_invoice(
            s, sb.company_id, sb.fjord_id, [line("1 × 10 X")],
            delivery_from=day("2026-11-05"), delivery_to=day("2026-11-01"),
        )


def test_a_credit_note_shows_the_original_delivery(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        for date in ("2026-11-02", "2026-11-03"):
            log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day(date), "4")
        invoice = invoice_unbilled_hours(s, sb.company_id, project_id=sb.hytte_id, issue_date=day("2026-11-06"))
        note = credit_invoice(s, sb.company_id, invoice.number, hours="2", credit_date=day("2026-11-20"))
        assert (note.delivery_from, note.delivery_date) == (day("2026-11-02"), day("2026-11-03"))
        doc = invoice_document(s, note)
        assert (doc.delivery_start, doc.delivery_end) == (day("2026-11-02"), day("2026-11-03"))


# --------------------------------------------------------------------------------------------
# VAT per line and the VAT total never disagree


@pytest.mark.parametrize(
    ("specs", "vat"),
    [
        (["1 × 0.02 A", "1 × 0.02 B", "1 × 0.02 C"], "0.02"),  # 0.005 each, 0.015 in all
        (["0.33 × 33.33 A", "0.67 × 33.33 B", "1.01 × 0.99 C"], "8.58"),
        (["7.25 × 999.99 @3 A", "0.01 × 0.01 @3 B", "3.33 × 3.33 @31 C", "2.5 × 0.07 @33 D"], "1814.16"),
    ],
)
def test_vat_per_line_adds_up_to_the_invoices_vat_total(
    books: sessionmaker[Session], specs: list[str], vat: str
) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        invoice = issue_invoice(s, sb.company_id, sb.fjord_id, [line(x) for x in specs], issue_date=day("2026-11-02"))
        assert invoice.vat == D(vat)
        assert sum((x.vat for x in invoice.lines), D("0.00")) == invoice.vat
        assert sum((x.net for x in invoice.lines), D("0.00")) == invoice.net
        assert invoice.net + invoice.vat == invoice.total
        doc = invoice_document(s, invoice)
        for rate in doc.vat_breakdown:
            shares = [x.vat for x in invoice.lines if (x.vat_code, x.vat_rate) == (rate.code, rate.rate)]
            assert sum(shares, D("0.00")) == rate.vat
        assert sum((r.vat for r in doc.vat_breakdown), D("0.00")) == invoice.vat
        assert account_balance(s, sb.company_id, "2700") == -invoice.vat


# --------------------------------------------------------------------------------------------
# Credit notes for part of an invoice, and refunds of money already paid


def test_crediting_some_hours_credits_that_part_in_the_same_series(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        invoice = invoice_hours(s, sb.company_id, sb.fjord_id, "5", description="Rådgivning")
        note = credit_invoice(s, sb.company_id, invoice.number, hours="2", created_by_id=sb.owner_id)
        assert note.number == invoice.number + 1 and note.kind == "credit_note"
        assert [(x.quantity, x.unit, x.net) for x in note.lines] == [(D("2.00"), "HUR", D("2000.00"))]
        assert entry_lines(s, note.journal_entry_id) == [
            "1500 credit 2500.00",
            "3000 debit 2000.00 vat=3",
            "2700 debit 500.00 vat=3",
        ]
        assert public_status(invoice) == "unpaid" and owed_on(s, invoice) == D("3750.00")
        assert account_balance(s, sb.company_id, "1500") == D("3750.00")
        with pytest.raises(InvalidAmount):
            credit_invoice(s, sb.company_id, invoice.number, hours="3.5")  # only 3 h are left
        rest = credit_invoice(s, sb.company_id, invoice.number)
        assert rest.total == D("3750.00") and rest.number == invoice.number + 2
        assert public_status(invoice) == "credited" and owed_on(s, invoice) == D("0.00")
        assert account_balance(s, sb.company_id, "1500") == D("0.00")
        assert account_balance(s, sb.company_id, "2700") == D("0.00")


def test_crediting_lines_or_an_amount_never_more_than_is_left(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        invoice = issue_invoice(
            s, sb.company_id, sb.fjord_id,
            [line("3 × 333.33 @3 Rådgivning"), line("1 × 99.99 @31 Lunsj"), line("2 × 10 @5 Eksport")],
            issue_date=day("2026-11-02"),
        )
        second = credit_invoice(s, sb.company_id, invoice.number, lines=[CreditLine(2)])
        assert second.total == D("114.99") and [x.vat_code for x in second.lines] == ["31"]
        off = credit_invoice(s, sb.company_id, invoice.number, amount="100.01", lines=[CreditLine(1)])
        assert [(x.quantity, x.unit_price, x.net) for x in off.lines] == [(D("1.00"), D("100.01"), D("100.01"))]
        for bad in (
            {"lines": [CreditLine(2)]},  # credited already
            {"lines": [CreditLine(4)]},  # no such line
            {"lines": [CreditLine(1, quantity="3")]},  # 900.00 is left of it, not 999.99
            {"amount": "10"},  # three lines: which?
            {"lines": [CreditLine(1), CreditLine(1)]},
        ):
            with pytest.raises((InvalidAmount, InvalidInput, InvoiceNotOpen)):
                credit_invoice(s, sb.company_id, invoice.number, **bad)  # type: ignore[arg-type]
        last = credit_invoice(s, sb.company_id, invoice.number)
        assert public_status(invoice) == "credited"
        assert invoice.credited == invoice.total == second.total + off.total + last.total
        assert account_balance(s, sb.company_id, "2700") == D("0.00")
        assert account_balance(s, sb.company_id, "1500") == D("0.00")


def test_money_already_paid_is_refunded_with_the_credit_and_posted_against_the_customer(
    books: sessionmaker[Session],
) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        invoice = invoice_hours(s, sb.company_id, sb.fjord_id, "4", description="Rådgivning")
        register_payment(s, sb.company_id, invoice.number, "3000", day("2026-11-10"))
    with pytest.raises(InvoiceNotOpen) as refused, books.begin() as s:
        credit_invoice(s, sb.company_id, invoice.number, hours="3", credit_date=day("2026-11-12"))
    assert refused.value.details["refund"] == "1750.00"  # 3 750 credited, 2 000 still owed
    with books.begin() as s:
        note = credit_invoice(s, sb.company_id, invoice.number, hours="3", refund=True, credit_date=day("2026-11-12"))
        assert note.total == D("3750.00")
        refund = s.scalars(select(Payment).where(Payment.invoice_id == invoice.id, Payment.amount < 0)).one()
        assert (refund.amount, refund.date) == (D("-1750.00"), day("2026-11-12"))
        assert entry_lines(s, refund.journal_entry_id) == ["1500 debit 1750.00", "1920 credit 1750.00"]
        assert refund.journal_entry_id is not None
        again = get_invoice(s, sb.company_id, invoice.number)
        assert paid_amount(s, again) == D("1250.00") and owed_on(s, again) == D("0.00")
        assert public_status(again) == "paid"
        assert account_balance(s, sb.company_id, "1500") == D("0.00")
        assert account_balance(s, sb.company_id, "1920") == D("1250.00")


def test_a_whole_credit_releases_the_hours_and_a_part_credit_keeps_them_billed(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-11-02"), "4")
        invoice = invoice_unbilled_hours(s, sb.company_id, project_id=sb.hytte_id, issue_date=day("2026-11-06"))
        credit_invoice(s, sb.company_id, invoice.number, hours="1")
        assert s.scalars(select(TimeEntry.invoice_id)).all() == [invoice.id]
        credit_invoice(s, sb.company_id, invoice.number)
        assert s.scalars(select(TimeEntry.invoice_id)).all() == [None]
