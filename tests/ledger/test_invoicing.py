"""Invoices, credit notes and payments: the posting rules line by line, and the books after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledger.errors import (
    InvalidAmount,
    InvalidInput,
    InvoiceNotOpen,
    NothingToInvoice,
    Overpayment,
    PeriodLocked,
    UnknownCustomer,
    UnknownVatCode,
)
from ledger.invoicing import (
    PricedLine,
    credit_invoice,
    credit_note_postings,
    get_invoice,
    invoice_amount,
    invoice_document,
    invoice_hours,
    invoice_postings,
    invoice_totals,
    invoice_unbilled_hours,
    issue_invoice,
    list_invoices,
    mark_sent,
    paid_amount,
    payment_postings,
    price_line,
    public_status,
    register_payment,
)
from ledger.journal import check_balanced
from ledger.kid import is_valid_kid, parse_invoice_kid
from ledger.models import ClosedPeriod, TimeEntry
from ledger.reports.balances import account_balance, bank_balance
from ledger.timesheet import log_time, unbilled_hours
from tests.ledger.builders import SalesBooks, as_text, day, entry_lines, journal_line_count, line, sales_books


def priced(spec: str, rate: str = "25") -> PricedLine:
    sale = line(spec)
    code = sale.vat_code or "3"
    return price_line(sale, code, Decimal(rate) if code in ("3", "31", "33") else Decimal("0"))


# --------------------------------------------------------------------------------------------
# The posting rules, without a database


def test_invoice_of_5_hours_at_1000_posts_as_the_spec_table() -> None:
    postings = invoice_postings([priced("5 × 1000 @3 Rådgivning")], True, customer_id=7)
    assert as_text(postings) == ["1500 6250.00", "3000 -5000.00 vat=3", "2700 -1250.00 vat=3 base=5000.00"]
    assert postings[0].customer_id == 7
    assert check_balanced(postings) == []


def test_payment_posts_bank_debit_and_receivable_credit() -> None:
    assert as_text(payment_postings(Decimal("6250.00"), customer_id=7)) == ["1920 6250.00", "1500 -6250.00"]


def test_credit_note_mirrors_the_invoice() -> None:
    postings = credit_note_postings([priced("5 × 1000 @3 Rådgivning")], True, customer_id=7)
    assert as_text(postings) == ["1500 -6250.00", "3000 5000.00 vat=3", "2700 1250.00 vat=3 base=-5000.00"]


def test_each_rate_gets_its_own_vat_line_and_zero_rates_their_own_accounts() -> None:
    lines = [
        priced("2 × 100 @3 Konsulent"),
        priced("3 × 50 @31 Mat", "15"),
        priced("1 × 120 @33 Transport", "12"),
        priced("1 × 400 @5 Eksport"),
        priced("1 × 300 @6 Utenfor"),
    ]
    assert as_text(invoice_postings(lines, True)) == [
        "1500 1256.90",
        "3000 -200.00 vat=3",
        "3000 -150.00 vat=31",
        "3000 -120.00 vat=33",
        "3100 -400.00 vat=5",
        "3200 -300.00 vat=6",
        "2700 -50.00 vat=3 base=200.00",
        "2700 -22.50 vat=31 base=150.00",
        "2700 -14.40 vat=33 base=120.00",
    ]


def test_vat_is_rounded_once_per_rate_not_per_line() -> None:
    lines = [priced("1 × 0.10 @3 A"), priced("1 × 0.10 @3 B"), priced("1 × 0.10 @3 C")]
    totals = invoice_totals(lines)
    # Per line 0.025 would round to 0.03 three times (0.09); per rate 0.075 rounds to 0.08.
    assert (totals.net, totals.vat, totals.total) == (Decimal("0.30"), Decimal("0.08"), Decimal("0.38"))


def test_company_without_vat_posts_no_vat_line() -> None:
    sale = price_line(line("5 × 1000 Rådgivning"), "", Decimal("0"))
    assert as_text(invoice_postings([sale], False)) == ["1500 5000.00", "3000 -5000.00"]


def test_company_without_vat_cannot_charge_vat_in_the_rules() -> None:
    with pytest.raises(InvalidInput):
        invoice_postings([priced("5 × 1000 @3 Rådgivning")], False)


def test_quantity_and_price_are_checked_when_priced() -> None:
    with pytest.raises(InvalidAmount):
        priced("0 × 1000 Ingenting")
    with pytest.raises(InvalidAmount):
        priced("1 × 10.005 Tre desimaler")
    with pytest.raises(InvalidAmount):
        priced("-1 × 100 Negativ")


# --------------------------------------------------------------------------------------------
# Issuing, paying and crediting in the books


def issue(books: sessionmaker[Session], sb: SalesBooks, *specs: str, on: str = "2026-11-02") -> int:
    with books.begin() as s:
        invoice = issue_invoice(
            s,
            sb.company_id,
            sb.fjord_id,
            [line(x) for x in specs],
            issue_date=day(on),
            created_by_id=sb.owner_id,
            channel="web",
            source="chat:42",
        )
        return invoice.number


def test_issued_invoice_is_posted_line_by_line_with_kid_and_due_date(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    number = issue(books, sb, "5 × 1000 @3 Rådgivning")
    with books.begin() as s:
        invoice = get_invoice(s, sb.company_id, number)
        assert number == 10001
        assert (invoice.net, invoice.vat, invoice.total) == (Decimal("5000.00"), Decimal("1250.00"), Decimal("6250.00"))
        assert invoice.due_date == day("2026-11-16")
        assert entry_lines(s, invoice.journal_entry_id) == [
            "1500 debit 6250.00",
            "3000 credit 5000.00 vat=3",
            "2700 credit 1250.00 vat=3",
        ]
        assert is_valid_kid(invoice.kid, "mod10")
        parts = parse_invoice_kid(invoice.kid)
        assert parts is not None and parts.invoice_number == number and parts.customer_number == 10000
        assert public_status(invoice) == "unpaid"
        entry = invoice.lines[0]
        assert (entry.vat_code, entry.vat_rate, entry.account) == ("3", Decimal("25.00"), "3000")
        assert account_balance(s, sb.company_id, "1500") == Decimal("6250.00")


def test_invoice_records_who_when_channel_and_source(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    number = issue(sqlite_books, sb, "1 × 100 Test")
    with sqlite_books.begin() as s:
        invoice = get_invoice(s, sb.company_id, number)
        from ledger.models import JournalEntry

        entry = s.get(JournalEntry, invoice.journal_entry_id)
        assert entry is not None
        assert (entry.created_by_id, entry.channel, entry.source) == (sb.owner_id, "web", "chat:42")
        assert entry.created_at.tzinfo is not None
        assert "10001" in entry.description and "Fjord Bygg AS" in entry.description


def test_payment_in_full_posts_bank_and_marks_paid(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    number = issue(books, sb, "5 × 1000 @3 Rådgivning")
    with books.begin() as s:
        payment = register_payment(s, sb.company_id, number, Decimal("6250.00"), day("2026-11-10"))
        assert entry_lines(s, payment.journal_entry_id) == ["1920 debit 6250.00", "1500 credit 6250.00"]
    with books.begin() as s:
        invoice = get_invoice(s, sb.company_id, number)
        assert public_status(invoice) == "paid"
        assert bank_balance(s, sb.company_id) == Decimal("6250.00")
        assert account_balance(s, sb.company_id, "1500") == Decimal("0.00")


def test_partial_payments_leave_the_invoice_unpaid_until_the_last(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    number = issue(sqlite_books, sb, "5 × 1000 @3 Rådgivning")
    with sqlite_books.begin() as s:
        register_payment(s, sb.company_id, number, "2000.00", day("2026-11-05"))
        assert public_status(get_invoice(s, sb.company_id, number)) == "unpaid"
        assert [i.number for i in list_invoices(s, sb.company_id, status="unpaid")] == [number]
    with sqlite_books.begin() as s:
        register_payment(s, sb.company_id, number, "4250", day("2026-11-06"))
        invoice = get_invoice(s, sb.company_id, number)
        assert public_status(invoice) == "paid"
        assert paid_amount(s, invoice) == Decimal("6250.00")
        assert list_invoices(s, sb.company_id, status="unpaid") == []


def test_overpayment_is_refused_and_nothing_is_posted(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    number = issue(sqlite_books, sb, "5 × 1000 @3 Rådgivning")
    before = journal_line_count(sqlite_books, sb.company_id)
    with pytest.raises(Overpayment), sqlite_books.begin() as s:
        register_payment(s, sb.company_id, number, "6250.01", day("2026-11-05"))
    assert journal_line_count(sqlite_books, sb.company_id) == before


def test_payment_dated_in_a_closed_period_is_refused(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    number = issue(sqlite_books, sb, "5 × 1000 @3 Rådgivning")
    with sqlite_books.begin() as s:
        s.add(ClosedPeriod(company_id=sb.company_id, closed_through=day("2026-10-31")))
    before = journal_line_count(sqlite_books, sb.company_id)
    with pytest.raises(PeriodLocked), sqlite_books.begin() as s:
        register_payment(s, sb.company_id, number, "100", day("2026-10-31"))
    assert journal_line_count(sqlite_books, sb.company_id) == before


def test_invoice_dated_in_a_closed_period_is_refused_and_takes_no_number(
    sqlite_books: sessionmaker[Session],
) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        s.add(ClosedPeriod(company_id=sb.company_id, closed_through=day("2026-10-31")))
    before = journal_line_count(sqlite_books, sb.company_id)
    with pytest.raises(PeriodLocked):
        issue(sqlite_books, sb, "5 × 1000 @3 Rådgivning", on="2026-10-15")
    assert journal_line_count(sqlite_books, sb.company_id) == before
    assert issue(sqlite_books, sb, "5 × 1000 @3 Rådgivning") == 10001


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ("5 × 1000.555 Tre desimaler", InvalidAmount),
        ("5 × tusen Tekst", InvalidAmount),
        ("fem × 1000 Tekst", InvalidAmount),
        ("5 × 1000 @1 Innkjøpskode", UnknownVatCode),
        ("5 × 1000 @99 Ukjent", UnknownVatCode),
    ],
)
def test_bad_lines_are_refused_and_leave_the_books_unchanged(
    sqlite_books: sessionmaker[Session], spec: str, error: type[Exception]
) -> None:
    sb = sales_books(sqlite_books)
    before = journal_line_count(sqlite_books, sb.company_id)
    with pytest.raises(error):
        issue(sqlite_books, sb, spec)
    assert journal_line_count(sqlite_books, sb.company_id) == before


def test_text_where_a_price_belongs_is_a_domain_error(sqlite_books: sessionmaker[Session]) -> None:
    from ledger.invoicing import SaleLine

    sb = sales_books(sqlite_books)
    with pytest.raises(InvalidAmount), sqlite_books.begin() as s:
        issue_invoice(s, sb.company_id, sb.fjord_id, [SaleLine("Arbeid", Decimal(5), "tusen")])
    with pytest.raises(InvalidAmount), sqlite_books.begin() as s:
        issue_invoice(s, sb.company_id, sb.fjord_id, [SaleLine("Arbeid", "fem", Decimal(5))])  # type: ignore[arg-type]


def test_unknown_or_foreign_customer_is_refused(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    other = sales_books(sqlite_books, name="Annet AS")
    with pytest.raises(UnknownCustomer), sqlite_books.begin() as s:
        issue_invoice(s, sb.company_id, 99999, [line("1 × 100 Test")])
    with pytest.raises(UnknownCustomer), sqlite_books.begin() as s:
        issue_invoice(s, sb.company_id, other.fjord_id, [line("1 × 100 Test")])
    assert journal_line_count(sqlite_books, sb.company_id) == 0


def test_company_without_vat_invoices_without_vat(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books, vat_registered=False)
    with sqlite_books.begin() as s:
        invoice = issue_invoice(
            s, sb.company_id, sb.fjord_id, [line("5 × 1000 Rådgivning")], issue_date=day("2026-11-02")
        )
        assert (invoice.net, invoice.vat, invoice.total) == (Decimal("5000.00"), Decimal("0.00"), Decimal("5000.00"))
        assert invoice.lines[0].vat_code == ""
        assert entry_lines(s, invoice.journal_entry_id) == ["1500 debit 5000.00", "3000 credit 5000.00"]
    with pytest.raises(InvalidInput), sqlite_books.begin() as s:
        issue_invoice(s, sb.company_id, sb.fjord_id, [line("5 × 1000 @3 Rådgivning")])


def test_vat_rate_comes_from_the_dated_table(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        invoice = issue_invoice(
            s,
            sb.company_id,
            sb.fjord_id,
            [line("2 × 100 @31 Lunsj"), line("1 × 100 @33 Kino")],
            issue_date=day("2026-11-02"),
        )
        assert [(x.vat_code, x.vat_rate) for x in invoice.lines] == [("31", Decimal("15.00")), ("33", Decimal("12.00"))]
        assert invoice.vat == Decimal("42.00")
    with pytest.raises(UnknownVatCode), sqlite_books.begin() as s:
        # Code 33 has a rate only from 2006 (Skatteetaten's rate list).
        issue_invoice(s, sb.company_id, sb.fjord_id, [line("1 × 100 @33 Kino")], issue_date=day("2005-06-01"))


def test_credit_note_takes_the_next_number_mirrors_the_entry_and_credits_the_invoice(
    books: sessionmaker[Session],
) -> None:
    sb = sales_books(books)
    number = issue(books, sb, "5 × 1000 @3 Rådgivning")
    with books.begin() as s:
        note = credit_invoice(s, sb.company_id, number, credit_date=day("2026-11-03"), created_by_id=sb.owner_id)
        assert note.number == number + 1
        assert note.kind == "credit_note" and note.total == Decimal("6250.00") and note.kid == ""
        assert entry_lines(s, note.journal_entry_id) == [
            "1500 credit 6250.00",
            "3000 debit 5000.00 vat=3",
            "2700 debit 1250.00 vat=3",
        ]
    with books.begin() as s:
        invoice = get_invoice(s, sb.company_id, number)
        assert public_status(invoice) == "credited"
        assert [i.number for i in list_invoices(s, sb.company_id, status="credited")] == [number]
        assert account_balance(s, sb.company_id, "1500") == Decimal("0.00")
        assert account_balance(s, sb.company_id, "2700") == Decimal("0.00")
        assert account_balance(s, sb.company_id, "3000") == Decimal("0.00")
    assert issue(books, sb, "1 × 100 Neste") == number + 2


def test_credited_or_paid_invoices_cannot_be_credited_or_paid_again(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    credited = issue(sqlite_books, sb, "1 × 100 Test")
    paid = issue(sqlite_books, sb, "1 × 100 Test")
    with sqlite_books.begin() as s:
        credit_invoice(s, sb.company_id, credited, credit_date=day("2026-11-03"))
        register_payment(s, sb.company_id, paid, "125", day("2026-11-03"))
    before = journal_line_count(sqlite_books, sb.company_id)
    for action in (
        lambda s: credit_invoice(s, sb.company_id, credited),
        lambda s: register_payment(s, sb.company_id, credited, "1", day("2026-11-04")),
        lambda s: credit_invoice(s, sb.company_id, paid),
        lambda s: credit_invoice(s, sb.company_id, credited + 2),  # the credit note itself
    ):
        with pytest.raises(InvoiceNotOpen), sqlite_books.begin() as s:
            action(s)
    with pytest.raises(Overpayment), sqlite_books.begin() as s:
        register_payment(s, sb.company_id, paid, "1", day("2026-11-04"))
    assert journal_line_count(sqlite_books, sb.company_id) == before


def test_payment_amount_with_three_decimals_or_text_is_refused(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    number = issue(sqlite_books, sb, "1 × 100 Test")
    before = journal_line_count(sqlite_books, sb.company_id)
    for amount in ("10.005", "ti kroner", "-5", "0"):
        with pytest.raises(InvalidAmount), sqlite_books.begin() as s:
            register_payment(s, sb.company_id, number, amount, day("2026-11-04"))
    assert journal_line_count(sqlite_books, sb.company_id) == before


def test_mark_sent_makes_an_open_invoice_sent(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    number = issue(sqlite_books, sb, "1 × 100 Test")
    with sqlite_books.begin() as s:
        invoice = mark_sent(s, sb.company_id, number)
        assert invoice.sent_at is not None and public_status(invoice) == "sent"
        assert [i.number for i in list_invoices(s, sb.company_id, status="sent")] == [number]
        assert [i.number for i in list_invoices(s, sb.company_id, status="unpaid")] == [number]
        assert list_invoices(s, sb.company_id, status="draft") == []


def test_invoice_hours_uses_the_project_rate_and_a_fixed_amount_its_own(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        by_project = invoice_hours(
            s, sb.company_id, sb.fjord_id, "5", project_id=sb.hytte_id, issue_date=day("2026-11-02")
        )
        assert (by_project.lines[0].description, by_project.lines[0].unit_price) == (
            "Hyttebygg Hemsedal",
            Decimal("1100.00"),
        )
        assert by_project.lines[0].unit == "HUR" and by_project.net == Decimal("5500.00")
        by_customer = invoice_hours(
            s, sb.company_id, sb.fjord_id, "5", description="Rådgivning", issue_date=day("2026-11-02")
        )
        assert by_customer.total == Decimal("6250.00")
        fixed = invoice_amount(s, sb.company_id, sb.nordlys_id, "12000", "Kassesystem", issue_date=day("2026-11-02"))
        assert (fixed.net, fixed.total) == (Decimal("12000.00"), Decimal("15000.00"))
    with pytest.raises(InvalidInput), sqlite_books.begin() as s:
        invoice_hours(s, sb.company_id, sb.nordlys_id, "5", description="Uten sats")


def test_invoicing_unbilled_hours_bills_them_once_in_the_same_transaction(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        for when, hours in (("2026-11-02", "7.5"), ("2026-11-03", "4"), ("2026-11-04", "0.5")):
            log_time(s, sb.company_id, sb.staff_id, sb.hytte_id, day(when), hours)
        log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-11-04"), "2", billable=False)
    with books.begin() as s:
        invoice = invoice_unbilled_hours(s, sb.company_id, project_id=sb.hytte_id, issue_date=day("2026-11-05"))
        assert [(x.description, x.quantity, x.unit_price) for x in invoice.lines] == [
            ("Hyttebygg Hemsedal", Decimal("12.00"), Decimal("1100.00"))
        ]
        assert invoice.total == Decimal("16500.00") and invoice.delivery_date == day("2026-11-04")
        billed = s.scalars(select(TimeEntry).where(TimeEntry.invoice_id == invoice.id)).all()
        assert len(billed) == 3
        assert unbilled_hours(s, sb.company_id, project_id=sb.hytte_id) == []
    with pytest.raises(NothingToInvoice), books.begin() as s:
        invoice_unbilled_hours(s, sb.company_id, project_id=sb.hytte_id, issue_date=day("2026-11-05"))


def test_crediting_an_invoice_of_hours_makes_the_hours_billable_again(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-11-02"), "5")
        invoice = invoice_unbilled_hours(s, sb.company_id, project_id=sb.hytte_id, issue_date=day("2026-11-03"))
        assert unbilled_hours(s, sb.company_id, project_id=sb.hytte_id) == []
    with sqlite_books.begin() as s:
        credit_invoice(s, sb.company_id, invoice.number, credit_date=day("2026-11-04"))
        assert [r.hours for r in unbilled_hours(s, sb.company_id, project_id=sb.hytte_id)] == [Decimal("5.00")]
    with sqlite_books.begin() as s:
        again = invoice_unbilled_hours(s, sb.company_id, project_id=sb.hytte_id, issue_date=day("2026-11-05"))
        assert again.net == Decimal("5500.00")


def test_a_failed_invoice_of_hours_leaves_the_hours_unbilled(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-10-30"), "3")
        s.add(ClosedPeriod(company_id=sb.company_id, closed_through=day("2026-10-31")))
    with pytest.raises(PeriodLocked), sqlite_books.begin() as s:
        invoice_unbilled_hours(s, sb.company_id, customer_id=sb.fjord_id, issue_date=day("2026-10-31"))
    with sqlite_books.begin() as s:
        assert [r.hours for r in unbilled_hours(s, sb.company_id, customer_id=sb.fjord_id)] == [Decimal("3.00")]


def test_invoice_document_maps_seller_buyer_lines_and_vat(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-11-02"), "5")
        log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-11-06"), "2.5")
        invoice = invoice_unbilled_hours(s, sb.company_id, project_id=sb.hytte_id, issue_date=day("2026-11-09"))
        doc = invoice_document(s, invoice)
        assert (doc.kind, doc.number, doc.kid) == ("invoice", str(invoice.number), invoice.kid)
        assert doc.seller.name == "Fjelltopp AS" and doc.seller.is_as and doc.seller.bank_account == "12345678903"
        assert doc.buyer.name == "Fjord Bygg AS" and doc.buyer.orgnr == "934567897"
        assert (doc.delivery_start, doc.delivery_end) == (day("2026-11-02"), day("2026-11-06"))
        assert [(b.code, b.base, b.vat) for b in doc.vat_breakdown] == [("3", Decimal("8250.00"), Decimal("2062.50"))]
        assert (doc.net, doc.vat, doc.total) == (invoice.net, invoice.vat, invoice.total)
        assert sum(b.vat for b in doc.vat_breakdown) == invoice.vat
        note = credit_invoice(s, sb.company_id, invoice.number, credit_date=day("2026-11-10"))
        credit = invoice_document(s, note)
        assert credit.is_credit_note and credit.kid is None
        assert credit.credited_invoice_number == str(invoice.number)


def test_invoice_document_is_valid_ehf(sqlite_books: sessionmaker[Session]) -> None:
    ehf = pytest.importorskip("ledger.documents.ehf")
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        from ledger.models import Company

        company = s.get(Company, sb.company_id)
        assert company is not None
        company.orgnr = "998877660"
        invoice = issue_invoice(
            s, sb.company_id, sb.fjord_id, [line("5 × 1000 @3 Rådgivning")], issue_date=day("2026-11-02")
        )
        xml = ehf.ehf_xml(invoice_document(s, invoice))
    assert b"6250.00" in xml


def test_dates_default_to_today_in_oslo(sqlite_books: sessionmaker[Session]) -> None:
    from ledger import clock

    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        invoice = issue_invoice(s, sb.company_id, sb.fjord_id, [line("1 × 100 Test")])
        assert invoice.issue_date == clock.today()
        assert invoice.due_date == clock.today() + dt.timedelta(days=14)


def test_a_payment_taken_back_makes_the_invoice_owed_again(sqlite_books: sessionmaker[Session]) -> None:
    from ledger.invoicing import reverse_payment

    sb = sales_books(sqlite_books)
    number = issue(sqlite_books, sb, "5 × 1000 @3 Rådgivning")
    with sqlite_books.begin() as s:
        payment_id = register_payment(s, sb.company_id, number, "6250", day("2026-11-05")).id
    with sqlite_books.begin() as s:
        reversal = reverse_payment(s, sb.company_id, payment_id, reversal_date=day("2026-11-06"), channel="web")
        assert entry_lines(s, reversal.id) == ["1920 credit 6250.00", "1500 debit 6250.00"]
        invoice = get_invoice(s, sb.company_id, number)
        assert public_status(invoice) == "unpaid" and paid_amount(s, invoice) == Decimal("0.00")
        assert bank_balance(s, sb.company_id) == Decimal("0.00")
    from ledger.errors import AlreadyReversed, NotFound

    with pytest.raises(AlreadyReversed), sqlite_books.begin() as s:
        reverse_payment(s, sb.company_id, payment_id)
    with pytest.raises(NotFound), sqlite_books.begin() as s:
        reverse_payment(s, sb.company_id, 9999)
    with sqlite_books.begin() as s:
        register_payment(s, sb.company_id, number, "6250", day("2026-11-07"))
        assert public_status(get_invoice(s, sb.company_id, number)) == "paid"
