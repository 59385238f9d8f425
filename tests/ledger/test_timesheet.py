"""Time entries, what is unbilled, the time bank and hours per person and project."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledger import clock
from ledger.errors import Forbidden, InvalidHours, InvalidInput, UnknownCompany, UnknownProject
from ledger.models import TimeEntry
from ledger.projects import close_project
from ledger.timesheet import (
    hours_by_person_and_project,
    hours_value,
    list_time_entries,
    log_time,
    remove_time_entry,
    time_bank,
    unbilled_hours,
)
from tests.ledger.builders import day, sales_books


def entry_count(books: sessionmaker[Session]) -> int:
    with books.begin() as s:
        return int(s.scalar(select(func.count(TimeEntry.id))) or 0)


@pytest.mark.parametrize(("given", "hours"), [("7.5", "7.50"), ("0,25", "0.25"), (24, "24.00"), ("1.1", "1.10")])
def test_hours_in_quarter_hours_or_finer_are_accepted(given: str | int, hours: str) -> None:
    assert hours_value(given) == Decimal(hours)


@pytest.mark.parametrize("given", ["0", "-2", "24.25", "1.333", "mange", "NaN", True])
def test_impossible_hours_are_refused(given: str) -> None:
    with pytest.raises(InvalidHours):
        hours_value(given)


def test_logging_hours_and_listing_them_with_filters(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-11-02"), "7.5", description="Grunnarbeid")
        log_time(s, sb.company_id, sb.staff_id, sb.nettside_id, day("2026-11-03"), "3", channel="telegram")
        log_time(s, sb.company_id, sb.owner_id, sb.nettside_id, day("2026-11-04"), "2", user_id=sb.staff_id)
    with sqlite_books.begin() as s:
        everyone = list_time_entries(s, sb.company_id)
        assert [(e.date.day, e.hours, e.user_id) for e in everyone] == [
            (2, Decimal("7.50"), sb.owner_id),
            (3, Decimal("3.00"), sb.staff_id),
            (4, Decimal("2.00"), sb.staff_id),
        ]
        assert len(list_time_entries(s, sb.company_id, project_id=sb.nettside_id)) == 2
        assert len(list_time_entries(s, sb.company_id, customer_id=sb.fjord_id)) == 1
        assert len(list_time_entries(s, sb.company_id, start=day("2026-11-03"), end=day("2026-11-03"))) == 1
        assert len(list_time_entries(s, sb.company_id, invoiced=False)) == 3


def test_staff_log_and_see_only_their_own_hours(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-11-02"), "4")
        log_time(s, sb.company_id, sb.staff_id, sb.hytte_id, day("2026-11-02"), "5")
    with pytest.raises(Forbidden), sqlite_books.begin() as s:
        log_time(s, sb.company_id, sb.staff_id, sb.hytte_id, day("2026-11-02"), "1", user_id=sb.owner_id)
    with sqlite_books.begin() as s:
        own = list_time_entries(s, sb.company_id, actor_id=sb.staff_id)
        assert [e.user_id for e in own] == [sb.staff_id]
        with pytest.raises(Forbidden):
            list_time_entries(s, sb.company_id, actor_id=sb.staff_id, user_id=sb.owner_id)
        assert len(list_time_entries(s, sb.company_id, actor_id=sb.accountant_id)) == 2
        rows = hours_by_person_and_project(s, sb.company_id, actor_id=sb.staff_id)
        assert [(r.user_name, r.hours) for r in rows] == [("Ola Hansen", Decimal("5.00"))]


def test_bad_time_entries_are_refused_and_nothing_is_written(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    other = sales_books(sqlite_books, name="Annet AS")
    with sqlite_books.begin() as s:
        log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-11-02"), "20")
    tomorrow = clock.today() + dt.timedelta(days=1)
    attempts: list[tuple[dict[str, object], type[Exception]]] = [
        ({"hours": "-1"}, InvalidHours),
        ({"hours": "5"}, InvalidHours),  # 20 + 5 > 24 that day
        ({"hours": "2.125"}, InvalidHours),
        ({"hours": "to"}, InvalidHours),
        ({"project_id": other.hytte_id}, UnknownProject),
        ({"day": tomorrow}, InvalidInput),
        ({"actor_id": other.owner_id}, UnknownCompany),
    ]
    for change, error in attempts:
        args: dict[str, object] = {
            "actor_id": sb.owner_id,
            "project_id": sb.hytte_id,
            "day": day("2026-11-02"),
            "hours": "1",
        } | change
        with pytest.raises(error), sqlite_books.begin() as s:
            log_time(s, sb.company_id, **args)  # type: ignore[arg-type]
    assert entry_count(sqlite_books) == 1


def test_closed_projects_take_no_hours(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        close_project(s, sb.company_id, sb.hytte_id)
    with pytest.raises(InvalidInput), sqlite_books.begin() as s:
        log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-11-02"), "1")


def test_unbilled_hours_per_project_with_rate_and_amount(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-11-02"), "7.5")
        log_time(s, sb.company_id, sb.staff_id, sb.hytte_id, day("2026-11-05"), "2.25")
        log_time(s, sb.company_id, sb.staff_id, sb.nettside_id, day("2026-11-03"), "4")
        log_time(s, sb.company_id, sb.staff_id, sb.nettside_id, day("2026-11-04"), "1", billable=False)
    with sqlite_books.begin() as s:
        rows = unbilled_hours(s, sb.company_id)
        assert [(r.customer_name, r.project_name, r.hours, r.rate, r.amount) for r in rows] == [
            ("Fjord Bygg AS", "Hyttebygg Hemsedal", Decimal("9.75"), Decimal("1100.00"), Decimal("10725.00")),
            ("Nordlys Regnskap AS", "Nettside", Decimal("4.00"), Decimal("950.00"), Decimal("3800.00")),
        ]
        assert (rows[0].first_date, rows[0].last_date) == (day("2026-11-02"), day("2026-11-05"))
        assert [r.project_name for r in unbilled_hours(s, sb.company_id, customer_id=sb.nordlys_id)] == ["Nettside"]


def test_time_bank_counts_working_days_without_public_holidays(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        # 11–17 May 2026: Ascension Day (Thursday 14th) and 17 May (a Sunday) are not working days.
        for d, h in (("11", "8"), ("12", "8"), ("13", "8"), ("15", "7.5"), ("16", "0.5")):
            log_time(s, sb.company_id, sb.staff_id, sb.hytte_id, day(f"2026-05-{d}"), h)
        bank = time_bank(s, sb.company_id, sb.staff_id, day("2026-05-11"), day("2026-05-17"))
        assert (bank.working_days, bank.norm_hours, bank.logged_hours, bank.balance) == (
            4,
            Decimal("30.00"),
            Decimal("32.00"),
            Decimal("2.00"),
        )
        empty = time_bank(s, sb.company_id, sb.owner_id, day("2026-12-21"), day("2026-12-27"))
        # Christmas Day and Boxing Day fall on Friday and Saturday in 2026.
        assert (empty.working_days, empty.balance) == (4, Decimal("-30.00"))
        with pytest.raises(Forbidden):
            time_bank(s, sb.company_id, sb.owner_id, day("2026-05-11"), actor_id=sb.staff_id)
        with pytest.raises(InvalidInput):
            time_bank(s, sb.company_id, sb.owner_id, day("2026-05-11"), day("2026-05-01"))


def test_hours_per_person_and_project(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-11-02"), "3")
        log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-11-03"), "2", billable=False)
        log_time(s, sb.company_id, sb.staff_id, sb.nettside_id, day("2026-11-03"), "4")
        rows = hours_by_person_and_project(s, sb.company_id, day("2026-11-01"), day("2026-11-30"))
        assert [(r.user_name, r.project_name, r.hours, r.billable_hours, r.invoiced_hours) for r in rows] == [
            ("Kari Nordmann", "Hyttebygg Hemsedal", Decimal("5.00"), Decimal("3.00"), Decimal("0.00")),
            ("Ola Hansen", "Nettside", Decimal("4.00"), Decimal("4.00"), Decimal("0.00")),
        ]


def test_unbilled_entries_can_be_taken_back_by_their_owner(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        mine = log_time(s, sb.company_id, sb.staff_id, sb.hytte_id, day("2026-11-02"), "3").id
        theirs = log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day("2026-11-02"), "3").id
    with pytest.raises(Forbidden), sqlite_books.begin() as s:
        remove_time_entry(s, sb.company_id, sb.staff_id, theirs)
    with sqlite_books.begin() as s:
        remove_time_entry(s, sb.company_id, sb.staff_id, mine)
    assert entry_count(sqlite_books) == 1
