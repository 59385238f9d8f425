"""Closed periods: closing through a date, nothing posted into it afterwards, never reopened."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledger.errors import PeriodLocked, UnknownCompany
from ledger.models import JournalEntry
from ledger.periods import close_period, closed_periods, closed_through, is_closed, reopen_period
from tests.ledger.book_builders import day, new_company, post


def test_a_closed_period_takes_no_postings_and_is_never_reopened(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        post(s, cid, "2026-02-27 1920 100 / 3000 -100")
        close_period(s, cid, day("2026-02-28"), reason="vat:2026-1")
    with pytest.raises(PeriodLocked) as refused, books.begin() as s:
        post(s, cid, "2026-02-28 1920 100 / 3000 -100")
    assert refused.value.details["closed_through"] == "2026-02-28"
    with pytest.raises(PeriodLocked), books.begin() as s:
        reopen_period(s, cid, day("2026-02-28"))
    with books.begin() as s:
        post(s, cid, "2026-03-01 1920 100 / 3000 -100")
        assert s.scalar(select(func.count()).select_from(JournalEntry)) == 2
        assert closed_through(s, cid) == day("2026-02-28")
        assert is_closed(s, cid, day("2026-01-01")) and not is_closed(s, cid, day("2026-03-01"))


def test_closing_again_inside_a_closed_period_is_refused(sqlite_books: sessionmaker[Session]) -> None:
    cid = new_company(sqlite_books)
    with sqlite_books.begin() as s:
        close_period(s, cid, day("2026-04-30"))
    with pytest.raises(PeriodLocked), sqlite_books.begin() as s:
        close_period(s, cid, day("2026-02-28"))
    with sqlite_books.begin() as s:
        close_period(s, cid, day("2026-06-30"))
        assert [p.closed_through for p in closed_periods(s, cid)] == [day("2026-04-30"), day("2026-06-30")]


def test_closing_an_unknown_company_is_refused(sqlite_books: sessionmaker[Session]) -> None:
    with pytest.raises(UnknownCompany), sqlite_books.begin() as s:
        close_period(s, 999, day("2026-04-30"))
