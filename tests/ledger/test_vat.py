"""VAT: dated rates, exact splits, terms and due dates, the report per term and its settlement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledger.errors import InvalidAmount, InvalidInput, PeriodLocked, UnknownVatCode
from ledger.models import ClosedPeriod, VatRate
from ledger.reports.balances import account_balance
from ledger.vat import (
    VatTerm,
    direction_of,
    parse_term,
    rate_on,
    settle_vat_term,
    split_gross,
    term_of,
    terms_between,
    terms_of_year,
    vat_on_net,
    vat_report,
)
from tests.ledger.book_builders import day, new_company, post

# --- rates ---------------------------------------------------------------------------------


def test_rates_come_from_dated_data(sqlite_books: sessionmaker[Session]) -> None:
    new_company(sqlite_books)
    with sqlite_books.begin() as s:
        assert rate_on(s, "3", day("2026-10-01")) == 25
        assert rate_on(s, "31", day("2026-10-01")) == 15
        assert rate_on(s, "33", day("2026-10-01")) == 12
        assert rate_on(s, "1", day("2026-10-01")) == 25
        assert rate_on(s, "5", day("2026-10-01")) == 0
        # The low rate was 10 % in 2016–2017 (Skatteetaten's rate list), not 12 %.
        assert rate_on(s, "33", day("2017-06-01")) == 10
        with pytest.raises(UnknownVatCode):
            rate_on(s, "33", day("2005-06-01"))
        with pytest.raises(UnknownVatCode):
            rate_on(s, "99", day("2026-10-01"))


def test_a_new_rate_applies_from_its_first_day(sqlite_books: sessionmaker[Session]) -> None:
    new_company(sqlite_books)
    with sqlite_books.begin() as s:
        old = s.scalars(select(VatRate).where(VatRate.code == "31")).one()
        old.valid_to = day("2027-06-30")
        s.add(VatRate(code="31", direction="sales", rate=Decimal("14"), valid_from=day("2027-07-01"),
                      name_nb="Utgående mva, middels sats", name_en="Output VAT, reduced rate"))
    with sqlite_books.begin() as s:
        assert rate_on(s, "31", day("2027-06-30")) == 15
        assert rate_on(s, "31", day("2027-07-01")) == 14


def test_a_code_withdrawn_during_a_term_is_still_reported(sqlite_books: sessionmaker[Session]) -> None:
    cid = new_company(sqlite_books)
    with sqlite_books.begin() as s:
        current = select(VatRate).where(VatRate.code == "33", VatRate.valid_to.is_(None))
        s.scalars(current).one().valid_to = day("2026-09-30")
        post(s, cid, "2026-09-10 1920 112 / 3000 -100 33 / 2700 -12 33")
    with sqlite_books.begin() as s:
        report = vat_report(s, cid, VatTerm(2026, 5))
    assert [(line.code, line.rate, line.vat) for line in report.lines] == [("33", Decimal("12.00"), Decimal("12.00"))]


def test_sales_and_purchase_codes() -> None:
    assert [direction_of(c) for c in ("3", "31", "33", "5", "6")] == ["sales"] * 5
    assert [direction_of(c) for c in ("1", "11", "13", "0")] == ["purchase"] * 4
    with pytest.raises(UnknownVatCode):
        direction_of("42")


# --- splitting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gross", "rate", "net", "vat"),
    [
        ("500", "25", "400.00", "100.00"),
        ("640", "25", "512.00", "128.00"),
        ("100", "15", "86.96", "13.04"),
        ("99.99", "12", "89.28", "10.71"),
        ("0.01", "25", "0.01", "0.00"),
        ("0.03", "25", "0.02", "0.01"),
        ("300", "0", "300.00", "0.00"),
    ],
)
def test_split_gross_into_net_and_vat(gross: str, rate: str, net: str, vat: str) -> None:
    split = split_gross(Decimal(gross), Decimal(rate))
    assert (split.net, split.vat) == (Decimal(net), Decimal(vat))
    assert split.gross == Decimal(gross)


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2),
    st.sampled_from([Decimal(25), Decimal(15), Decimal(12), Decimal(0)]),
)
def test_split_is_exact_and_adds_up(gross: Decimal, rate: Decimal) -> None:
    split = split_gross(gross, rate)
    assert split.net + split.vat == gross
    assert split.vat == split.vat.quantize(Decimal("0.01"))
    # The VAT is within half an øre of the exact share.
    assert abs(split.vat - gross * rate / (100 + rate)) <= Decimal("0.005")


def test_split_refuses_three_decimals_and_text() -> None:
    with pytest.raises(InvalidAmount):
        split_gross(Decimal("10.005"), Decimal(25))
    with pytest.raises(InvalidAmount):
        split_gross("femti", Decimal(25))  # type: ignore[arg-type]


def test_vat_on_net_rounds_half_up() -> None:
    assert vat_on_net(Decimal("5000"), Decimal(25)) == Decimal("1250.00")
    assert vat_on_net(Decimal("0.02"), Decimal(25)) == Decimal("0.01")  # 0.005 → 0.01


# --- terms and due dates -------------------------------------------------------------------


def test_bimonthly_terms_and_their_due_dates() -> None:
    terms = terms_of_year(2026)
    assert [(t.start.isoformat(), t.end.isoformat()) for t in terms] == [
        ("2026-01-01", "2026-02-28"),
        ("2026-03-01", "2026-04-30"),
        ("2026-05-01", "2026-06-30"),
        ("2026-07-01", "2026-08-31"),
        ("2026-09-01", "2026-10-31"),
        ("2026-11-01", "2026-12-31"),
    ]
    assert [t.statutory_due_date.isoformat() for t in terms] == [
        "2026-04-10", "2026-06-10", "2026-08-31", "2026-10-10", "2026-12-10", "2027-02-10",
    ]


def test_due_date_on_a_weekend_moves_to_the_next_working_day() -> None:
    # 10 October 2026 is a Saturday.
    assert VatTerm(2026, 4).due_date == dt.date(2026, 10, 12)
    # 10 April 2026 is a Friday: no move.
    assert VatTerm(2026, 1).due_date == dt.date(2026, 4, 10)
    # 10 February 2029 is a Saturday → Monday 12 February.
    assert VatTerm(2028, 6).due_date == dt.date(2029, 2, 12)


def test_due_date_on_a_public_holiday_moves_too() -> None:
    # 10 April 2020 was Good Friday and 13 April Easter Monday → Tuesday 14 April.
    assert VatTerm(2020, 1).due_date == dt.date(2020, 4, 14)


def test_annual_term_is_due_10_march() -> None:
    term = term_of(day("2026-07-14"), "annual")
    assert (term.start, term.end) == (day("2026-01-01"), day("2026-12-31"))
    assert term.statutory_due_date == day("2027-03-10")
    assert term.due_date == day("2027-03-10")  # a Wednesday


def test_term_of_a_date_and_terms_between() -> None:
    assert term_of(day("2026-02-28")) == VatTerm(2026, 1)
    assert term_of(day("2026-12-31")) == VatTerm(2026, 6)
    assert [t.key for t in terms_between(day("2026-11-15"), day("2027-03-01"))] == [
        "2026-6", "2027-1", "2027-2",
    ]
    assert parse_term("2026-5") == VatTerm(2026, 5)
    assert parse_term("2026-annual") == VatTerm(2026, 1, "annual")
    with pytest.raises(InvalidInput):
        parse_term("2026-7")
    with pytest.raises(InvalidInput):
        parse_term("femte termin")


# --- the report and the settlement ---------------------------------------------------------


def _invoice_and_fuel(s: Session, cid: int) -> None:
    # Invoice 5 000 + 25 %, a credit note for 1 000 of it, fuel for a van 500 and food 115.
    post(s, cid, "2026-09-10 1500 6250 / 3000 -5000 3 / 2700 -1250 3")
    post(s, cid, "2026-09-20 3000 1000 3 / 2700 250 3 / 1500 -1250")
    post(s, cid, "2026-10-02 7000 400 1 / 2710 100 1 / 1920 -500")
    post(s, cid, "2026-10-03 4000 100 11 / 2710 15 11 / 1920 -115")
    post(s, cid, "2026-10-04 3100 -2000 5 / 1920 2000")
    # Outside the term: not counted.
    post(s, cid, "2026-11-01 7000 400 1 / 2710 100 1 / 1920 -500")


def test_vat_report_per_code_and_amount_to_pay(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        _invoice_and_fuel(s, cid)
    with books.begin() as s:
        report = vat_report(s, cid, VatTerm(2026, 5))
    assert [(line.code, line.base, line.vat) for line in report.lines] == [
        ("3", Decimal("4000.00"), Decimal("1000.00")),
        ("5", Decimal("2000.00"), Decimal("0.00")),
        ("1", Decimal("400.00"), Decimal("100.00")),
        ("11", Decimal("100.00"), Decimal("15.00")),
    ]
    assert report.output_vat == Decimal("1000.00")
    assert report.input_vat == Decimal("115.00")
    assert report.to_pay == Decimal("885.00")
    assert report.due_date == day("2026-12-10")
    assert not report.settled


def test_a_refund_is_a_negative_amount_to_pay(sqlite_books: sessionmaker[Session]) -> None:
    cid = new_company(sqlite_books)
    with sqlite_books.begin() as s:
        post(s, cid, "2026-03-05 6540 8000 1 / 2710 2000 1 / 1920 -10000")
        report = vat_report(s, cid, VatTerm(2026, 2))
    assert report.to_pay == Decimal("-2000.00")


def test_settlement_moves_vat_to_2740_and_closes_the_term(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        _invoice_and_fuel(s, cid)
    with books.begin() as s:
        settled = settle_vat_term(s, cid, VatTerm(2026, 5), today=day("2026-11-20"))
    assert settled.amount == Decimal("885.00")
    assert settled.closed_through == day("2026-10-31")
    with books.begin() as s:
        end = day("2026-10-31")
        assert account_balance(s, cid, "2700", on=end) == 0
        assert account_balance(s, cid, "2710", on=end) == 0
        assert account_balance(s, cid, "2740", on=end) == Decimal("-885.00")
        # The report is the same after settling, and now says so.
        report = vat_report(s, cid, VatTerm(2026, 5))
        assert report.to_pay == Decimal("885.00") and report.settled
        assert s.scalars(select(ClosedPeriod.closed_through).where(ClosedPeriod.company_id == cid)).all() == [end]
    # Nothing can be posted into the closed term afterwards.
    with pytest.raises(PeriodLocked), books.begin() as s:
        post(s, cid, "2026-10-15 7000 400 1 / 2710 100 1 / 1920 -500")
    with pytest.raises(PeriodLocked), books.begin() as s:
        settle_vat_term(s, cid, VatTerm(2026, 5), today=day("2026-11-20"))
    # The next term is still open.
    with books.begin() as s:
        post(s, cid, "2026-11-02 1920 100 / 3000 -100")


def test_a_term_that_has_not_ended_cannot_be_settled(sqlite_books: sessionmaker[Session]) -> None:
    cid = new_company(sqlite_books)
    with pytest.raises(InvalidInput), sqlite_books.begin() as s:
        settle_vat_term(s, cid, VatTerm(2026, 6), today=day("2026-12-31"))
    with sqlite_books.begin() as s:
        assert s.scalars(select(ClosedPeriod)).all() == []


def test_a_company_outside_the_vat_register_reports_and_settles_nothing(
    sqlite_books: sessionmaker[Session],
) -> None:
    cid = new_company(sqlite_books, vat_registered=False)
    with sqlite_books.begin() as s:
        post(s, cid, "2026-01-10 7000 500 / 1920 -500")
        report = vat_report(s, cid, VatTerm(2026, 1))
        assert report.lines == () and report.to_pay == 0 and not report.vat_registered
    with pytest.raises(InvalidInput), sqlite_books.begin() as s:
        settle_vat_term(s, cid, VatTerm(2026, 1), today=day("2026-04-01"))
