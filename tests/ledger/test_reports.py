"""Reports from the journal: trial balance, profit and loss with last year, balance sheet,
receivables aging, payables, monthly results and hours — every figure exact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledger.customers import create_customer
from ledger.errors import InvalidInput
from ledger.expenses import register_expense
from ledger.identity import add_user
from ledger.invoicing import credit_invoice, invoice_amount, register_payment
from ledger.models import Company
from ledger.projects import create_project
from ledger.reports.balance_sheet import balance_sheet
from ledger.reports.hours import hours_report
from ledger.reports.monthly import monthly_results
from ledger.reports.payables import payables
from ledger.reports.profit_and_loss import profit_and_loss, year_earlier
from ledger.reports.receivables import bucket_of, receivables_aging
from ledger.reports.trial_balance import trial_balance
from ledger.timesheet import log_time
from tests.ledger.book_builders import day, new_company, post
from tests.ledger.builders import where

D = Decimal


def _two_years(s: Session, cid: int) -> None:
    """Share capital, a year of trade in 2025 and some of 2026."""
    post(s, cid, "2025-01-02 1920 30000 / 2000 -30000")
    post(s, cid, "2025-03-10 1920 10000 / 3000 -10000")
    post(s, cid, "2025-03-20 6300 4000 / 1920 -4000")
    post(s, cid, "2025-11-05 8150 100 / 1920 -100")
    post(s, cid, "2026-03-05 1920 12500 / 3000 -10000 3 / 2700 -2500 3")
    post(s, cid, "2026-03-15 6300 3000 / 1920 -3000")
    post(s, cid, "2026-03-16 7000 400 1 / 2710 100 1 / 1920 -500")
    post(s, cid, "2026-04-02 1920 50 / 8050 -50")


def test_trial_balance_has_opening_movements_and_closing(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        _two_years(s, cid)
    with books.begin() as s:
        tb = trial_balance(s, cid, day("2026-03-01"), day("2026-03-31"))
    rows = {r.account: (r.opening, r.debit, r.credit, r.closing) for r in tb.rows}
    assert rows == {
        "1920": (D("35900.00"), D("12500.00"), D("3500.00"), D("44900.00")),
        "2000": (D("-30000.00"), D("0.00"), D("0.00"), D("-30000.00")),
        # 2025's profit of 5 900, carried to other equity until a closing entry moves it.
        "2050": (D("-5900.00"), D("0.00"), D("0.00"), D("-5900.00")),
        "2700": (D("0.00"), D("0.00"), D("2500.00"), D("-2500.00")),
        "2710": (D("0.00"), D("100.00"), D("0.00"), D("100.00")),
        "3000": (D("0.00"), D("0.00"), D("10000.00"), D("-10000.00")),
        "6300": (D("0.00"), D("3000.00"), D("0.00"), D("3000.00")),
        "7000": (D("0.00"), D("400.00"), D("0.00"), D("400.00")),
    }
    assert tb.total_debit == tb.total_credit == D("16000.00")
    assert tb.balanced
    assert tb.row("1920") is not None and tb.row("1920").name_nb == "Bankinnskudd"  # type: ignore[union-attr]


def test_trial_balance_refuses_a_period_that_ends_before_it_starts(sqlite_books: sessionmaker[Session]) -> None:
    cid = new_company(sqlite_books)
    with pytest.raises(InvalidInput), sqlite_books.begin() as s:
        trial_balance(s, cid, day("2026-03-31"), day("2026-03-01"))


def test_profit_and_loss_by_group_compared_with_last_year(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        _two_years(s, cid)
    with books.begin() as s:
        pl = profit_and_loss(s, cid, day("2026-01-01"), day("2026-06-30"))
    assert (pl.previous_from, pl.previous_to) == (day("2025-01-01"), day("2025-06-30"))
    assert [(g.group, g.amount, g.previous) for g in pl.groups] == [
        ("salgsinntekt", D("10000.00"), D("10000.00")),
        ("annenDriftskostnad", D("3400.00"), D("4000.00")),
        ("finansinntekt", D("50.00"), D("0.00")),
    ]
    assert (pl.total_income, pl.total_costs, pl.result) == (D("10050.00"), D("3400.00"), D("6650.00"))
    assert (pl.previous_total_income, pl.previous_total_costs, pl.previous_result) == (
        D("10000.00"), D("4000.00"), D("6000.00"),
    )
    costs = pl.costs[0]
    assert [(a.account, a.amount) for a in costs.accounts] == [("6300", D("3000.00")), ("7000", D("400.00"))]
    assert pl.income[0].name_nb == "Salgsinntekter"


def test_a_year_end_closing_entry_is_not_counted_twice(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        _two_years(s, cid)
        # Årsoppgjør 2025: the year's result (5 900) to other equity.
        post(s, cid, "2025-12-31 8800 5900 / 2050 -5900")
    with books.begin() as s:
        tb = trial_balance(s, cid, day("2026-03-01"), day("2026-03-31"))
        bs = balance_sheet(s, cid, day("2026-04-30"))
        pl_2025 = profit_and_loss(s, cid, day("2025-01-01"), day("2025-12-31"))
        bs_2025 = balance_sheet(s, cid, day("2025-12-31"))
    assert tb.row("2050").opening == D("-5900.00")  # type: ignore[union-attr]
    assert tb.row("8800") is None
    assert tb.balanced
    assert (bs.earlier_years_result, bs.current_year_result) == (D("0.00"), D("6650.00"))
    assert [(line.account, line.amount) for line in bs.equity] == [("2000", D("30000.00")), ("2050", D("5900.00"))]
    assert bs.balanced
    # The disposition is below the result: the year's profit is still 5 900.
    assert pl_2025.result == D("5900.00")
    assert bs_2025.current_year_result == D("0.00") and bs_2025.balanced


def test_year_earlier_of_a_leap_day() -> None:
    assert year_earlier(day("2028-02-29")) == day("2027-02-28")


def test_balance_sheet_balances_with_this_and_earlier_years_results(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        _two_years(s, cid)
    with books.begin() as s:
        bs = balance_sheet(s, cid, day("2026-04-30"))
    assert [(line.account, line.amount) for line in bs.assets] == [("1920", D("44950.00"))]
    assert [(line.account, line.amount) for line in bs.liabilities] == [
        ("2700", D("2500.00")),
        ("2710", D("-100.00")),
    ]
    assert [(line.account, line.amount) for line in bs.equity] == [("2000", D("30000.00"))]
    assert bs.current_year_result == D("6650.00")
    assert bs.earlier_years_result == D("5900.00")
    assert bs.total_equity == D("42550.00")
    assert bs.total_assets == bs.total_liabilities + bs.total_equity
    assert bs.balanced


def test_monthly_results_for_a_chart(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        _two_years(s, cid)
    with books.begin() as s:
        months = monthly_results(s, cid, 2026)
    assert len(months) == 12
    assert (months[2].month, months[2].income, months[2].costs, months[2].result) == (
        day("2026-03-01"), D("10000.00"), D("3400.00"), D("6600.00"),
    )
    assert months[3].result == D("50.00")
    assert sum(m.result for m in months) == D("6650.00")


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(-5, "not_due"), (0, "not_due"), (1, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"),
     (61, "61-90"), (90, "61-90"), (91, "90+"), (400, "90+")],
)
def test_aging_buckets(days: int, bucket: str) -> None:
    assert bucket_of(days) == bucket


def test_receivables_aging_per_customer_and_bucket(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        fjord = create_customer(s, cid, "Fjord Bygg AS", **where("974760673")).id
        bakeri = create_customer(s, cid, "Bergen Bakeri", **where(city="Bergen")).id
        # 14 days' terms: due 2026-01-15, 2026-04-03, 2026-05-24, 2026-06-04, 2026-06-20.
        invoice_amount(s, cid, fjord, "1000", "Januar", issue_date=day("2026-01-01"))
        invoice_amount(s, cid, fjord, "2000", "Mars", issue_date=day("2026-03-20"))
        invoice_amount(s, cid, bakeri, "4000", "Mai", issue_date=day("2026-05-10"))
        credited = invoice_amount(s, cid, bakeri, "800", "Feil", issue_date=day("2026-05-21"))
        invoice_amount(s, cid, bakeri, "400", "Juni", issue_date=day("2026-06-06"))
        register_payment(s, cid, 10002, "1000", day("2026-04-01"))  # part of March's 2 500
        credit_invoice(s, cid, credited.number, credit_date=day("2026-05-25"))
        # Paid after the report date: still open at it.
        register_payment(s, cid, 10001, "1250", day("2026-06-30"))
    with books.begin() as s:
        aging = receivables_aging(s, cid, day("2026-06-15"))
    by_name = {c.name: c.buckets.as_dict() for c in aging.customers}
    assert by_name == {
        "Bergen Bakeri": {"not_due": D("500.00"), "0-30": D("5000.00"), "31-60": D("0.00"),
                          "61-90": D("0.00"), "90+": D("0.00")},
        "Fjord Bygg AS": {"not_due": D("0.00"), "0-30": D("0.00"), "31-60": D("0.00"),
                          "61-90": D("1500.00"), "90+": D("1250.00")},
    }
    assert aging.totals.as_dict() == {
        "not_due": D("500.00"), "0-30": D("5000.00"), "31-60": D("0.00"), "61-90": D("1500.00"), "90+": D("1250.00"),
    }
    assert aging.total == D("8250.00")
    fjord_invoices = next(c for c in aging.customers if c.name == "Fjord Bygg AS").invoices
    assert [(i.number, i.paid, i.open_amount, i.days_overdue) for i in fjord_invoices] == [
        (10001, D("0.00"), D("1250.00"), 151),
        (10002, D("1000.00"), D("1500.00"), 73),
    ]
    # The receivables equal the balance of 1500 at the same date.
    with books.begin() as s:
        tb = trial_balance(s, cid, day("2026-01-01"), day("2026-06-15"))
        assert tb.row("1500").closing == aging.total  # type: ignore[union-attr]


def test_payables_from_2400_per_supplier(sqlite_books: sessionmaker[Session]) -> None:
    cid = new_company(sqlite_books)
    with sqlite_books.begin() as s:
        register_expense(s, cid, "1250", "regnskap", day("2026-02-01"), "Regnskap AS", None, "web", paid_from="2400")
        register_expense(s, cid, "500", "reklame", day("2026-02-03"), "Avisa", None, "web", paid_from="2400")
        register_expense(s, cid, "100", "reklame", day("2026-03-03"), "Avisa", None, "web", paid_from="2400")
        post(s, cid, "2026-02-20 2400 1250 / 1920 -1250")  # paid, but without a supplier on the line
    with sqlite_books.begin() as s:
        owed = payables(s, cid, day("2026-02-28"))
    assert [(p.name, p.amount) for p in owed.suppliers] == [
        ("Regnskap AS", D("1250.00")),
        ("Avisa", D("500.00")),
        ("", D("-1250.00")),
    ]
    assert owed.total == D("500.00")


def test_hours_per_person_and_project(sqlite_books: sessionmaker[Session]) -> None:
    cid = new_company(sqlite_books)
    with sqlite_books.begin() as s:
        owner = s.get(Company, cid).memberships[0].user_id  # type: ignore[union-attr]
        ola = add_user(s, cid, "Ola", "staff").user.id
        customer = create_customer(s, cid, "Fjord Bygg AS").id
        web = create_project(s, cid, "Nettside", customer_id=customer).id
        app = create_project(s, cid, "App", customer_id=customer).id
        log_time(s, cid, owner, web, day("2026-03-02"), "7.5")
        log_time(s, cid, owner, app, day("2026-03-03"), "2", billable=False)
        log_time(s, cid, ola, web, day("2026-03-03"), "4")
        log_time(s, cid, ola, web, day("2026-04-03"), "4")  # outside the span
    with sqlite_books.begin() as s:
        report = hours_report(s, cid, day("2026-03-01"), day("2026-03-31"))
    assert report.total == D("13.50")
    assert [(p.name, p.hours, p.billable_hours) for p in report.people] == [
        ("Kari", D("9.50"), D("7.50")),
        ("Ola", D("4.00"), D("4.00")),
    ]
    assert [(p.name, p.hours) for p in report.projects] == [("App", D("2.00")), ("Nettside", D("11.50"))]
