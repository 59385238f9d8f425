"""`bokbot backup` and `bokbot restore`: a year of books comes back exactly, on both backends,
and a restore never lands on top of other books."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ledger import clock
from ledger.backup import RestoreTargetNotEmpty, UnknownRevision, backup, restore
from ledger.db import make_engine
from ledger.demo import create_demo_company
from ledger.expenses import register_expense
from ledger.exports import saft_file
from ledger.invoicing import invoice_amount, mark_sent, register_payment
from ledger.journal import Posting, post_entry
from ledger.migrate import upgrade
from ledger.models import Customer, JournalEntry
from ledger.reports.account_totals import month_totals_findings
from ledger.reports.balance_sheet import balance_sheet
from ledger.reports.profit_and_loss import profit_and_loss
from ledger.reports.receivables import receivables_aging
from ledger.reports.trial_balance import trial_balance
from ledger.vat import vat_reports_between
from tests.conftest import PG_ADMIN_URL, sqlite_url

YEAR = 2026
LAST_DAY = dt.date(YEAR, 12, 31)


def _scratch_pg() -> Iterator[str]:
    """A new, empty PostgreSQL database (no tables at all), dropped afterwards."""
    name = f"bokbot_backup_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_scratch() -> Iterator[str]:
    yield from _scratch_pg()


@pytest.fixture
def pg_scratch_2() -> Iterator[str]:
    yield from _scratch_pg()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def two_databases(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """Two empty databases on one backend: the books and where they are restored to."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path), f"sqlite:///{tmp_path / 'restored' / 'books.db'}"
    return str(request.getfixturevalue("pg_scratch")), str(request.getfixturevalue("pg_scratch_2"))


def _a_year_of_demo_books(url: str) -> int:
    """The demo company as of the year's last day, and a sale, an expense and a payment in
    each month before the demo's own weeks, all through the product's posting paths."""
    upgrade(url)
    engine = make_engine(url)
    try:
        with clock.pinned(LAST_DAY), sessionmaker(engine).begin() as s:
            demo = create_demo_company(s, today=LAST_DAY)
            cid, owner = demo.company.id, demo.owner.id
            customers = list(s.scalars(select(Customer).where(Customer.company_id == cid).order_by(Customer.id)))
            who: dict[str, Any] = {"created_by_id": owner, "channel": "web", "source": "year"}
            for month in range(1, 11):
                issued = dt.date(YEAR, month, 3)
                invoice = invoice_amount(
                    s, cid, customers[month % len(customers)].id, 4000 + 250 * month, f"Rådgivning {month}",
                    issue_date=issued, **who,
                )
                mark_sent(s, cid, invoice.number)
                register_expense(
                    s, cid, str(1000 + 37 * month), "kontorrekvisita", dt.date(YEAR, month, 12), "Clas Ohlson",
                    owner, "web", f"year-{month}",
                )
                if month % 3:  # some stay unpaid, so that receivables have overdue invoices
                    register_payment(s, cid, invoice.number, invoice.total, dt.date(YEAR, month, 25), **who)
            s.flush()
            return cid
    finally:
        engine.dispose()


def _everything_reported(url: str, cid: int) -> dict[str, Any]:
    """Every report of the year, and its SAF-T file (created on a pinned day)."""
    engine = make_engine(url)
    try:
        with clock.pinned(LAST_DAY), Session(engine) as s:
            first = dt.date(YEAR, 1, 1)
            return {
                "trial balance": trial_balance(s, cid, first, LAST_DAY),
                "profit and loss": profit_and_loss(s, cid, first, LAST_DAY),
                "balance sheet": balance_sheet(s, cid, LAST_DAY),
                "vat": vat_reports_between(s, cid, first, LAST_DAY),
                "receivables": receivables_aging(s, cid, LAST_DAY),
                "saf-t": saft_file(s, cid, YEAR, user_id="backup-test", created=LAST_DAY),
                "entries": s.scalar(select(func.count(JournalEntry.id))),
            }
    finally:
        engine.dispose()


def test_a_year_of_books_restored_reproduces_every_report_and_the_saft_file(
    two_databases: tuple[str, str], tmp_path: Path
) -> None:
    books, restored = two_databases
    cid = _a_year_of_demo_books(books)
    before = _everything_reported(books, cid)
    assert before["entries"] > 35  # a year of vouchers, not a few weeks

    file = backup(books, tmp_path / "books.backup")
    assert file.stat().st_mode & 0o077 == 0  # the books are private, and so is their copy
    done = restore(restored, file)

    assert done.revision == done.head and not done.upgraded
    after = _everything_reported(restored, cid)
    assert after == before
    assert after["saf-t"][0] == before["saf-t"][0]  # byte for byte


def test_restore_into_a_database_with_books_is_refused_and_changes_nothing(
    two_databases: tuple[str, str], tmp_path: Path
) -> None:
    books, other = two_databases
    cid = _a_year_of_demo_books(books)
    file = backup(books, tmp_path / "books.backup")
    upgrade(other)  # migrated, hence not empty
    before = _everything_reported(books, cid)

    with pytest.raises(RestoreTargetNotEmpty, match="not empty"):
        restore(other, file)
    with pytest.raises(RestoreTargetNotEmpty):
        restore(books, file)

    assert _everything_reported(books, cid) == before
    engine = make_engine(other)
    try:
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM journal_entries")) == 0
    finally:
        engine.dispose()


def test_an_older_backup_is_brought_to_the_newest_migration_when_restored(tmp_path: Path) -> None:
    old = sqlite_url(tmp_path)
    upgrade(old, "5a7c2e9d4b10")
    file = backup(old, tmp_path / "old.backup")

    done = restore(f"sqlite:///{tmp_path / 'new.db'}", file)

    assert done.upgraded and done.revision == "5a7c2e9d4b10" and done.head != done.revision


def test_a_backup_from_a_newer_version_is_reported_by_its_revision(tmp_path: Path) -> None:
    newer = sqlite_url(tmp_path)
    upgrade(newer)
    engine = make_engine(newer)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    engine.dispose()
    file = backup(newer, tmp_path / "newer.backup")

    with pytest.raises(UnknownRevision, match="ffffffffffff"):
        restore(f"sqlite:///{tmp_path / 'new.db'}", file)


def test_a_sqlite_backup_offered_to_postgresql_is_refused_before_anything_is_written(
    tmp_path: Path, pg_scratch: str
) -> None:
    books = sqlite_url(tmp_path)
    upgrade(books)
    file = backup(books, tmp_path / "books.backup")

    with pytest.raises(Exception, match="SQLite backup"):
        restore(pg_scratch, file)


def _bokbot(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOKBOT_DATABASE_URL": url, "BOKBOT_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )


def test_bokbot_backup_and_restore_round_trip_and_refuse_a_full_database(tmp_path: Path) -> None:
    books = sqlite_url(tmp_path)
    assert _bokbot(tmp_path, books, "demo").returncode == 0

    made = _bokbot(tmp_path, books, "backup", "books.backup")
    assert made.returncode == 0, made.stderr
    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    back = _bokbot(tmp_path, restored, "restore", "books.backup")
    assert back.returncode == 0, back.stderr
    assert "Restored books.backup" in back.stdout

    again = _bokbot(tmp_path, restored, "restore", "books.backup")
    assert again.returncode == 1
    assert "restore only into a new, empty database" in again.stderr


def test_a_sqlite_backup_taken_while_vouchers_are_posted_is_whole_and_unbroken(tmp_path: Path) -> None:
    books = sqlite_url(tmp_path)
    upgrade(books)
    engine = make_engine(books)
    sessions = sessionmaker(engine)
    with sessions.begin() as s:
        cid = create_demo_company(s, today=LAST_DAY).company.id
    done = threading.Event()

    def keep_posting() -> None:
        for i in range(40):
            with sessions.begin() as s:
                post_entry(s, cid, LAST_DAY, f"Innskudd {i}",
                           [Posting("1920", Decimal("10")), Posting("2000", Decimal("-10"))], channel="cli")
        done.set()

    writer = threading.Thread(target=keep_posting)
    writer.start()
    copies: list[Path] = []
    while len(copies) < 5:  # at least one while the writer runs, more while it still does
        copies.append(backup(books, tmp_path / f"copy-{len(copies)}.backup"))
        if done.is_set():
            break
    writer.join()
    engine.dispose()

    for n, copy in enumerate(copies):
        url = f"sqlite:///{tmp_path / f'restored-{n}.db'}"
        restore(url, copy)
        restored = make_engine(url)
        try:
            with restored.connect() as conn:
                assert conn.scalar(text("PRAGMA integrity_check")) == "ok"
            with Session(restored) as s:
                numbers = sorted(s.scalars(select(JournalEntry.voucher_number).where(JournalEntry.year == YEAR)))
                assert numbers == list(range(1, len(numbers) + 1))  # no voucher half there
                assert month_totals_findings(s, cid) == []
        finally:
            restored.dispose()
