"""Month totals stay equal to the lines they sum: under concurrent posting, after a rebuild,
and whatever span a balance is asked for."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from ledger.models import AccountMonthTotal, JournalLine
from ledger.reports.account_totals import month_totals_findings, rebuild_month_totals, sums_by_account
from ledger.reports.balances import account_balance
from tests.ledger.book_builders import new_company, post


def test_concurrent_postings_keep_the_totals_exact(books: sessionmaker[Session]) -> None:
    cid = new_company(books)

    def worker(n: int) -> None:
        for i in range(10):
            with books.begin() as s:
                post(s, cid, f"2026-03-{1 + (n + i) % 28:02d} 1920 {n + 1}.{i:02d} / 3000 -{n + 1}.{i:02d}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(worker, range(4)))
    with books.begin() as s:
        assert month_totals_findings(s, cid) == []
        lines = s.scalar(select(func.sum(JournalLine.debit)).where(JournalLine.account == "1920"))
        assert account_balance(s, cid, "1920") == Decimal(str(lines)).quantize(Decimal("0.01"))


def test_sums_for_any_span_equal_the_lines(sqlite_books: sessionmaker[Session]) -> None:
    cid = new_company(sqlite_books)
    days = [dt.date(2025, 12, 31) + dt.timedelta(days=7 * k) for k in range(12)]
    with sqlite_books.begin() as s:
        for k, day in enumerate(days):
            post(s, cid, f"{day} 1920 {k + 1}00 / 3000 -{k + 1}00")
    spans = [(None, dt.date(2026, 2, 28)), (dt.date(2026, 1, 15), dt.date(2026, 3, 3)),
             (dt.date(2026, 2, 1), dt.date(2026, 2, 28)), (dt.date(2026, 2, 3), dt.date(2026, 2, 10)),
             (dt.date(2025, 12, 31), dt.date(2025, 12, 31))]
    with sqlite_books.begin() as s:
        for first, last in spans:
            expected = sum(
                (Decimal(f"{k + 1}00") for k, d in enumerate(days) if (first is None or d >= first) and d <= last),
                Decimal("0"),
            )
            assert sums_by_account(s, cid, first, last).get("1920", (Decimal("0"),))[0] == expected, (first, last)


def test_rebuild_restores_totals_from_the_lines(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        post(s, cid, "2026-01-05 1920 100 / 3000 -100")
        post(s, cid, "2026-02-05 1920 50.50 / 3000 -50.50")
    with books.begin() as s:
        s.execute(delete(AccountMonthTotal))
        assert month_totals_findings(s, cid) != []
        assert rebuild_month_totals(s, cid) == 4
        assert month_totals_findings(s, cid) == []
        assert account_balance(s, cid, "1920") == Decimal("150.50")
