"""Statutory deadlines per company and the late fee for annual accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from actions.replies import render
from channels.api.deadlines import deadline_json
from ledger.data import read_table
from ledger.deadlines import (
    CompanyProfile,
    annual_accounts_fee_rule,
    annual_accounts_late_fee,
    deadlines_between,
    late_fee_units,
    rettsgebyr_for,
    rettsgebyr_on,
    upcoming_deadlines,
    weeks_late,
)
from ledger.errors import InvalidInput
from tests.ledger.book_builders import day, new_company

AS_WITH_STAFF = CompanyProfile(form="AS", vat_registered=True, vat_term="bimonthly", has_employees=True)
SMALL_ENK = CompanyProfile(form="ENK", vat_registered=False, vat_term="bimonthly", has_employees=False)


def test_an_as_with_employees_and_bimonthly_vat() -> None:
    found = deadlines_between(AS_WITH_STAFF, day("2026-09-01"), day("2027-08-31"))
    mva = [(d.period, d.due_date.isoformat()) for d in found if d.kind == "mva"]
    assert mva == [
        ("2026-4", "2026-10-12"),  # 10 October 2026 is a Saturday
        ("2026-5", "2026-12-10"),
        ("2026-6", "2027-02-10"),
        ("2027-1", "2027-04-12"),  # 10 April 2027 is a Saturday
        ("2027-2", "2027-06-10"),
        ("2027-3", "2027-08-31"),
    ]
    a_melding = [d for d in found if d.kind == "a-melding"]
    assert len(a_melding) == 12
    assert (a_melding[0].period, a_melding[0].due_date) == ("2026-08", day("2026-09-07"))  # 5th is a Saturday
    yearly = {d.kind: (d.period, d.due_date) for d in found if d.kind not in ("mva", "a-melding")}
    assert yearly == {
        "aksjonaerregisteroppgave": ("2026", day("2027-02-01")),  # 31 January 2027 is a Sunday
        "skattemelding": ("2026", day("2027-05-31")),
        "generalforsamling": ("2026", day("2027-06-30")),
        "arsregnskap": ("2026", day("2027-08-02")),  # 31 July 2027 is a Saturday
    }
    assert [d.due_date for d in found] == sorted(d.due_date for d in found)


def test_a_small_enk_has_only_the_tax_return() -> None:
    found = deadlines_between(SMALL_ENK, day("2026-01-01"), day("2026-12-31"))
    assert [(d.kind, d.period, d.due_date) for d in found] == [("skattemelding", "2025", day("2026-06-01"))]


def test_annual_vat_term_is_due_10_march() -> None:
    profile = CompanyProfile(form="ENK", vat_registered=True, vat_term="annual", has_employees=False)
    found = deadlines_between(profile, day("2027-01-01"), day("2027-12-31"))
    assert [(d.kind, d.period, d.due_date) for d in found if d.kind == "mva"] == [
        ("mva", "2026-annual", day("2027-03-10"))
    ]


def test_late_fee_rule_rises_every_eight_and_ten_weeks_to_at_most_52() -> None:
    assert [late_fee_units(w) for w in (0, 1, 8, 9, 18, 19, 26, 27, 100)] == [0, 1, 8, 10, 28, 31, 52, 52, 52]
    assert annual_accounts_late_fee(26, rettsgebyr_on(day("2019-06-01"))) == Decimal("59800.00")
    assert annual_accounts_late_fee(26, rettsgebyr_on(day("2025-08-01"))) == Decimal("68328.00")
    with pytest.raises(InvalidInput):
        late_fee_units(-1)


def test_rettsgebyr_is_dated_data() -> None:
    assert rettsgebyr_on(day("2019-12-31")) == Decimal("1150.00")
    assert rettsgebyr_on(day("2024-07-01")) == Decimal("1277.00")
    assert rettsgebyr_on(day("2025-01-01")) == Decimal("1314.00")
    with pytest.raises(InvalidInput):
        rettsgebyr_on(day("1990-01-01"))


def test_weeks_late_counts_started_weeks() -> None:
    due = day("2026-07-31")
    assert [weeks_late(due, day(d)) for d in ("2026-07-31", "2026-08-01", "2026-08-07", "2026-08-08")] == [0, 1, 1, 2]


def test_annual_accounts_carry_their_fee_rule() -> None:
    found = deadlines_between(AS_WITH_STAFF, day("2026-07-01"), day("2026-08-31"))
    accounts = next(d for d in found if d.kind == "arsregnskap")
    assert accounts.late_fee_rule == annual_accounts_fee_rule(day("2026-07-31"))
    assert accounts.late_fee_rule is not None
    assert accounts.late_fee_rule.max_rettsgebyr == 52
    assert accounts.late_fee_rule.fee_after(9) == 10 * accounts.late_fee_rule.rettsgebyr
    assert all(d.late_fee_rule is None for d in found if d.kind != "arsregnskap")


def test_upcoming_deadlines_from_the_company(sqlite_books: sessionmaker[Session]) -> None:
    cid = new_company(sqlite_books, has_employees=True)
    with sqlite_books.begin() as s:
        found = upcoming_deadlines(s, cid, today=day("2026-11-29"), days=40)
    assert [(d.kind, d.period, d.due_date) for d in found] == [
        ("a-melding", "2026-11", day("2026-12-07")),
        ("mva", "2026-5", day("2026-12-10")),
        ("a-melding", "2026-12", day("2027-01-05")),
    ]


def _latest_rettsgebyr_year() -> int:
    return max(dt.date.fromisoformat(r["valid_from"]).year for r in read_table("rettsgebyr.csv"))


def test_the_rettsgebyr_table_has_a_row_per_year_with_its_source() -> None:
    rows = read_table("rettsgebyr.csv")
    years = [dt.date.fromisoformat(r["valid_from"]) for r in rows]
    assert all(d.month == 1 and d.day == 1 for d in years)
    assert [d.year for d in years] == list(range(years[0].year, years[0].year + len(years)))
    assert all(r["source"].strip() for r in rows)
    assert rettsgebyr_for(day("2025-08-01")).year == 2025 and rettsgebyr_for(day("2025-08-01")).is_that_years


def test_a_year_without_a_rettsgebyr_row_says_which_years_figure_it_used() -> None:
    """The table is not guessed ahead: a year it has no row for uses the latest figure, and
    the rule, the chat and the REST answer say which year's figure that is."""
    last = _latest_rettsgebyr_year()
    due = dt.date(last + 1, 7, 31)
    used = rettsgebyr_for(due)
    assert (used.year, used.is_that_years, used.amount) == (last, False, rettsgebyr_on(dt.date(last, 12, 31)))
    assert used.source
    rule = annual_accounts_fee_rule(due)
    assert (rule.rettsgebyr_year, rule.fee_year, rule.rettsgebyr_is_that_years) == (last, last + 1, False)
    nb = render("nb", "report_deadlines.j2", deadlines=[], fee=rule)
    en = render("en", "report_deadlines.j2", deadlines=[], fee=rule)
    assert f"satsen for {last}; satsen for {last + 1} er ikke kjent ennå" in nb
    assert f"the {last} rate; the {last + 1} rate is not known yet" in en
    accounts = next(d for d in deadlines_between(AS_WITH_STAFF, due, due) if d.kind == "arsregnskap")
    shown = deadline_json(accounts)["late_fee_rule"]
    assert (shown["rettsgebyr_year"], shown["fee_year"], shown["rettsgebyr"]) == (last, last + 1, used.amount)
    assert shown["rettsgebyr_source"] == used.source


def test_a_year_with_its_rettsgebyr_row_says_it_is_that_years() -> None:
    rule = annual_accounts_fee_rule(day("2025-07-31"))
    nb = render("nb", "report_deadlines.j2", deadlines=[], fee=rule)
    assert "ett rettsgebyr (" in nb and "satsen for 2025)" in nb and "ikke kjent" not in nb
    en = render("en", "report_deadlines.j2", deadlines=[], fee=rule)
    assert "the 2025 rate)" in en and "not known" not in en
