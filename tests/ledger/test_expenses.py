"""Expenses: words to accounts and VAT codes, the van-or-car rule, and the spec's worked examples
checked line by line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledger.errors import (
    DuplicateName,
    InvalidAmount,
    PeriodLocked,
    UnknownAccount,
    UnknownExpenseCategory,
    UnknownVatCode,
    VehicleUnknown,
)
from ledger.expenses import (
    add_expense_category,
    expense_postings,
    find_category,
    match_keyword,
    plan_expense,
    register_expense,
    set_vehicle,
)
from ledger.journal import Posting
from ledger.models import JournalEntry, JournalLine, Supplier
from ledger.periods import close_period
from ledger.reports.balances import bank_balance
from tests.ledger.book_builders import day, new_company


def lines_of(s: Session, entry_id: int) -> list[tuple[str, str, str, str | None]]:
    """An entry's lines as (account, debit, credit, VAT code)."""
    rows = s.scalars(select(JournalLine).where(JournalLine.entry_id == entry_id).order_by(JournalLine.id))
    return [(r.account, f"{r.debit:.2f}", f"{r.credit:.2f}", r.vat_code) for r in rows]


# --- the posting rule, without a database ---------------------------------------------------


def test_posting_rule_for_a_deductible_expense() -> None:
    assert expense_postings(Decimal("500"), "7000", "1", Decimal(25)) == (
        Posting("7000", Decimal("400.00"), vat_code="1"),
        Posting("2710", Decimal("100.00"), vat_code="1", vat_base=Decimal("400.00")),
        Posting("1920", Decimal("-500.00")),
    )


def test_posting_rule_without_deduction_and_to_payables() -> None:
    assert expense_postings(Decimal("640"), "7350", "0", Decimal(0), paid_from="2400") == (
        Posting("7350", Decimal("640.00"), vat_code="0"),
        Posting("2400", Decimal("-640.00")),
    )


def test_an_amount_too_small_to_carry_an_ore_of_vat_is_all_cost() -> None:
    assert expense_postings(Decimal("0.01"), "7000", "1", Decimal(25)) == (
        Posting("7000", Decimal("0.01"), vat_code="1"),
        Posting("1920", Decimal("-0.01")),
    )


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-10"), Decimal("10.005")])
def test_posting_rule_refuses_bad_amounts(amount: Decimal) -> None:
    with pytest.raises(InvalidAmount):
        expense_postings(amount, "7000", "1", Decimal(25))


# --- understanding what was said ------------------------------------------------------------

KEYWORDS = ["drivstoff", "bensin", "lunsj med kunde", "fuel", "office supplies", "kontorrekvisita", "parkering"]


@pytest.mark.parametrize(
    ("said", "keyword"),
    [
        ("drivstoff", "drivstoff"),
        ("Bensin", "bensin"),
        ("lunsj med kunde", "lunsj med kunde"),
        ("Lunsj med kunden", "lunsj med kunde"),
        ("lunsj med kunde i går", "lunsj med kunde"),
        ("fuel", "fuel"),
        ("office supplies", "office supplies"),
        ("office supply", "office supplies"),
        ("drivstoffet", "drivstoff"),
        ("drivstof", "drivstoff"),
        ("kontorekvisita", "kontorrekvisita"),
        ("parkeringer", "parkering"),
    ],
)
def test_category_words_are_understood_as_said(said: str, keyword: str) -> None:
    assert match_keyword(said, KEYWORDS) == keyword


def test_unknown_words_match_nothing() -> None:
    assert match_keyword("sommerfugl", KEYWORDS) is None
    assert match_keyword("", KEYWORDS) is None


def test_find_category_gives_account_code_and_reason(sqlite_books: sessionmaker[Session]) -> None:
    cid = new_company(sqlite_books)
    with sqlite_books.begin() as s:
        fuel = find_category(s, cid, "bensin")
        assert (fuel.account, fuel.vat_code, fuel.needs_vehicle) == ("7000", "1", True)
        assert "varebil" in fuel.note_nb and "van" in fuel.note_en
        lunch = find_category(s, cid, "lunsj med kunde")
        assert (lunch.account, lunch.vat_code) == ("7350", "0")
        assert "8-3" in lunch.note_nb
        assert find_category(s, cid, "office supplies").account == "6800"
        with pytest.raises(UnknownExpenseCategory) as refused:
            find_category(s, cid, "sommerfugler")
        assert refused.value.details["said"] == "sommerfugler"


def test_a_company_row_overrides_the_default_and_users_can_add_words(
    sqlite_books: sessionmaker[Session],
) -> None:
    cid = new_company(sqlite_books)
    other = new_company(sqlite_books, name="Annet AS")
    with sqlite_books.begin() as s:
        add_expense_category(s, cid, "Parkering", "7020", "1", note_nb="vi leier garasje", note_en="we rent a garage")
        add_expense_category(s, cid, "kaffe", "7790", "11")
    with sqlite_books.begin() as s:
        assert find_category(s, cid, "parkering").account == "7020"
        assert find_category(s, cid, "parkering").company_specific
        assert find_category(s, other, "parkering").account == "7140"
        assert find_category(s, cid, "kaffe").vat_code == "11"
        with pytest.raises(UnknownExpenseCategory):
            find_category(s, other, "kaffe")
    with pytest.raises(DuplicateName), sqlite_books.begin() as s:
        add_expense_category(s, cid, "kaffe", "7790", "11")
    with pytest.raises(UnknownAccount), sqlite_books.begin() as s:
        add_expense_category(s, cid, "te", "9999", "11")
    with pytest.raises(UnknownVatCode), sqlite_books.begin() as s:
        add_expense_category(s, cid, "te", "7790", "3")


# --- the spec's worked examples, line by line -------------------------------------------------


def test_fuel_for_a_van(books: sessionmaker[Session]) -> None:
    cid = new_company(books, vehicle="van")
    with books.begin() as s:
        done = register_expense(
            s, cid, Decimal("500"), "drivstoff", day("2026-11-02"), "Circle K", None, "telegram", "msg-1"
        )
        assert done.plan.treatment.reason == "category"
        assert lines_of(s, done.entry_id) == [
            ("7000", "400.00", "0.00", "1"),
            ("2710", "100.00", "0.00", "1"),
            ("1920", "0.00", "500.00", None),
        ]


def test_fuel_for_a_passenger_car(books: sessionmaker[Session]) -> None:
    cid = new_company(books, vehicle="car")
    with books.begin() as s:
        done = register_expense(s, cid, "500", "bensin", day("2026-11-02"), "Esso", None, "web")
        assert done.plan.treatment.reason == "passenger_car"
        assert done.plan.treatment.law == "mval. § 8-4"
        assert "personbil" in done.plan.treatment.note_nb
        assert lines_of(s, done.entry_id) == [
            ("7000", "500.00", "0.00", "0"),
            ("1920", "0.00", "500.00", None),
        ]


def test_customer_lunch(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        done = register_expense(s, cid, 640, "lunsj med kunde", day("2026-11-03"), "Fjordkafeen", None, "web")
        assert "8-3" in done.plan.treatment.note_nb
        assert lines_of(s, done.entry_id) == [
            ("7350", "640.00", "0.00", "0"),
            ("1920", "0.00", "640.00", None),
        ]


def test_company_not_vat_registered_books_the_full_amount(books: sessionmaker[Session]) -> None:
    cid = new_company(books, vat_registered=False)
    with books.begin() as s:
        # No vehicle known, and it does not matter: nothing is deducted anyway.
        fuel = register_expense(s, cid, "500", "drivstoff", day("2026-11-02"), None, None, "web")
        office = register_expense(s, cid, "250", "kontorrekvisita", day("2026-11-02"), None, None, "web")
        assert fuel.plan.treatment.reason == "not_vat_registered"
        assert lines_of(s, fuel.entry_id) == [("7000", "500.00", "0.00", None), ("1920", "0.00", "500.00", None)]
        assert lines_of(s, office.entry_id) == [("6800", "250.00", "0.00", None), ("1920", "0.00", "250.00", None)]


# --- the van-or-car question and refusals ----------------------------------------------------


def test_fuel_asks_van_or_car_until_the_company_says(sqlite_books: sessionmaker[Session]) -> None:
    cid = new_company(sqlite_books)
    with pytest.raises(VehicleUnknown), sqlite_books.begin() as s:
        plan_expense(s, cid, "500", "fuel", day("2026-11-02"))
    with sqlite_books.begin() as s:
        # Office supplies do not depend on the vehicle: no question.
        assert plan_expense(s, cid, "500", "office supplies", day("2026-11-02")).vat == Decimal("100.00")
        set_vehicle(s, cid, "van")
    with sqlite_books.begin() as s:
        plan = plan_expense(s, cid, "500", "fuel", day("2026-11-02"))
        assert (plan.net, plan.vat) == (Decimal("400.00"), Decimal("100.00"))


def test_a_new_vendor_becomes_a_supplier_once(sqlite_books: sessionmaker[Session]) -> None:
    cid = new_company(sqlite_books, vehicle="van")
    with sqlite_books.begin() as s:
        first = register_expense(s, cid, "500", "drivstoff", day("2026-11-02"), "Circle K", None, "web")
        again = register_expense(s, cid, "300", "drivstoff", day("2026-11-09"), "circle k ", None, "web")
        assert first.supplier_id == again.supplier_id is not None
        assert s.scalar(select(func.count()).select_from(Supplier).where(Supplier.company_id == cid)) == 1
        supplier_lines = s.scalars(select(JournalLine.supplier_id).where(JournalLine.entry_id == first.entry_id))
        assert set(supplier_lines) == {first.supplier_id}


@pytest.mark.parametrize(
    ("amount", "category", "date", "error"),
    [
        ("10.005", "drivstoff", "2026-11-02", InvalidAmount),
        ("femti", "drivstoff", "2026-11-02", InvalidAmount),
        ("-5", "drivstoff", "2026-11-02", InvalidAmount),
        ("500", "sommerfugl", "2026-11-02", UnknownExpenseCategory),
        ("500", "drivstoff", "2026-10-15", PeriodLocked),
    ],
)
def test_bad_input_is_refused_and_leaves_the_books_unchanged(
    sqlite_books: sessionmaker[Session], amount: str, category: str, date: str, error: type[Exception]
) -> None:
    cid = new_company(sqlite_books, vehicle="van")
    with sqlite_books.begin() as s:
        close_period(s, cid, day("2026-10-31"))
    with pytest.raises(error), sqlite_books.begin() as s:
        register_expense(s, cid, amount, category, day(date), "Ny Butikk AS", None, "web")
    with sqlite_books.begin() as s:
        assert s.scalar(select(func.count()).select_from(JournalEntry)) == 0
        assert s.scalar(select(func.count()).select_from(Supplier)) == 0
        assert bank_balance(s, cid) == 0
