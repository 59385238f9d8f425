"""How fast an accountant's overview across 200 client companies answers, on SQLite and
PostgreSQL.

Run on demand (not a test):

    .venv/bin/python -m bench.clients_overview --backend sqlite
    .venv/bin/python -m bench.clients_overview --backend postgresql

It makes `--companies` companies (200 by default) with a year of trade each, from a seed per
company (the generator of `bench.ledger_bench`: invoices, customer payments, card expenses,
supplier bills, bank fees; about 3,400 journal lines and 365 invoices a company), projects
with unbilled hours, a mix of company forms, VAT terms and employees, VAT settled for some
of them, and one accountant in all of them; bulk-inserts it all, then times the overview
(`ledger.overview.clients_overview` for every company the accountant keeps, as the REST
route and the chat ask for it) five times and prints the median. The target is under one
second. PostgreSQL gets a database of its own (`bokbot_bench_<random>`), dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Table, insert, text
from sqlalchemy.orm import Session, sessionmaker

from bench import ledger_bench
from bench.ledger_bench import Generated, generate
from ledger import clock
from ledger.companies import create_company
from ledger.db import make_engine
from ledger.identity import add_membership, add_user
from ledger.models import (
    ClosedPeriod,
    Customer,
    Invoice,
    JournalEntry,
    JournalLine,
    Payment,
    Project,
    Supplier,
    TimeEntry,
)
from ledger.overview import clients_overview, kept_companies
from ledger.reports.account_totals import rebuild_month_totals
from ledger.vat import SETTLEMENT_SOURCE, term_of

PG_ADMIN_URL = ledger_bench.PG_ADMIN_URL
LINES_PER_COMPANY = 3_400  # a year at one invoice, one card purchase and their postings a day
CUSTOMERS, SUPPLIERS, PROJECTS = 20, 5, 3
CREATED = ledger_bench.CREATED


def _shifted(books: Generated, offsets: dict[str, int]) -> Generated:
    """The company's rows with ids moved past those of the companies before it."""
    e, li, i, p = offsets["entries"], offsets["lines"], offsets["invoices"], offsets["payments"]
    return Generated(
        entries=[{**r, "id": r["id"] + e} for r in books.entries],
        lines=[{**r, "id": r["id"] + li, "entry_id": r["entry_id"] + e} for r in books.lines],
        invoices=[{**r, "id": r["id"] + i, "journal_entry_id": r["journal_entry_id"] + e} for r in books.invoices],
        payments=[
            {**r, "id": r["id"] + p, "invoice_id": r["invoice_id"] + i, "journal_entry_id": r["journal_entry_id"] + e}
            for r in books.payments
        ],
        vouchers=books.vouchers,
    )


def _insert(engine: Engine, table: Table, rows: Sequence[dict[str, Any]], postgres: bool) -> None:
    if postgres:
        # COPY only the columns the generator fills; the others take their defaults.
        columns = [c.name for c in table.columns if c.name in rows[0]]
        with engine.begin() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cursor, cursor.copy(
                f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        return
    with engine.begin() as conn:
        for chunk in ledger_bench._chunks(rows):
            conn.execute(insert(table), list(chunk))


def build(engine: Engine, companies: int, postgres: bool) -> tuple[int, dt.date, dict[str, int]]:
    """The companies and their books; the accountant's user id, the last day of trade and counts."""
    sessions = sessionmaker(engine, expire_on_commit=False)
    rng = random.Random(4102)
    ids: list[int] = []
    customers: dict[int, list[int]] = {}
    suppliers: dict[int, list[int]] = {}
    projects: dict[int, list[int]] = {}
    with sessions.begin() as s:
        accountant_id = 0
        for n in range(companies):
            made = create_company(
                s,
                f"Klient {n:03d} AS",
                owner_name=f"Eier {n:03d}",
                form="ENK" if n % 7 == 0 else "AS",
                vat_registered=n % 11 != 0,
                vat_term="annual" if n % 5 == 0 else "bimonthly",
                has_employees=n % 3 == 0,
            )
            cid = made.company.id
            ids.append(cid)
            if n == 0:
                accountant_id = add_user(s, cid, "Randi Regnskap", "accountant").user.id
            else:
                add_membership(s, accountant_id, cid, "accountant")
            rows = [Customer(company_id=cid, number=10000 + i, name=f"Kunde {i:02d}") for i in range(CUSTOMERS)]
            rows_s = [Supplier(company_id=cid, number=20001 + i, name=f"Lev {i:02d}") for i in range(SUPPLIERS)]
            s.add_all(rows + rows_s)
            s.flush()
            customers[cid] = [c.id for c in rows]
            suppliers[cid] = [x.id for x in rows_s]
            rates = [Decimal(rng.choice((850, 950, 1100))) for _ in range(PROJECTS)]
            made_projects = [
                Project(company_id=cid, customer_id=customers[cid][i], name=f"Prosjekt {i}", hourly_rate=rates[i])
                for i in range(PROJECTS)
            ]
            s.add_all(made_projects)
            s.flush()
            projects[cid] = [p.id for p in made_projects]
    everything = Generated()
    offsets = {"entries": 0, "lines": 0, "invoices": 0, "payments": 0}
    for n, cid in enumerate(ids):
        ledger_bench.SEED = 4102 + n  # the generator reads its seed from its module: one per company
        books = _shifted(generate(cid, customers[cid], suppliers[cid], LINES_PER_COMPANY), offsets)
        for kind in ("entries", "lines", "invoices", "payments"):
            getattr(everything, kind).extend(getattr(books, kind))
            offsets[kind] += len(getattr(books, kind))
        everything.vouchers[cid] = max(books.vouchers.values())
    last_day: dt.date = max(r["date"] for r in everything.lines)
    time_entries = []
    closed = []
    for n, cid in enumerate(ids):
        owner_row = {"company_id": cid, "user_id": accountant_id, "billable": True, "channel": "cli", "source": ""}
        for k in range(rng.randint(0, 40)):
            time_entries.append(
                {
                    **owner_row,
                    "project_id": projects[cid][k % PROJECTS],
                    "date": last_day - dt.timedelta(days=rng.randint(0, 60)),
                    "hours": Decimal(rng.choice(("1.5", "3", "7.5"))),
                    "description": "",
                    "invoice_id": None,
                    "created_at": CREATED,
                }
            )
        if n % 2 == 0 and n % 11 != 0:  # half of them have settled the last term that ended
            kind = "annual" if n % 5 == 0 else "bimonthly"
            last = term_of(last_day, kind).previous()
            closed.append(
                {
                    "company_id": cid,
                    "closed_through": last.end,
                    "reason": f"{SETTLEMENT_SOURCE}{last.key}",
                    "vat_term": last.key,
                    "closed_at": CREATED,
                    "closed_by_id": None,
                }
            )
    tables: list[tuple[Any, list[dict[str, Any]]]] = [
        (JournalEntry.__table__, everything.entries),
        (JournalLine.__table__, everything.lines),
        (Invoice.__table__, everything.invoices),
        (Payment.__table__, everything.payments),
    ]
    for table, rows in tables:
        _insert(engine, table, rows, postgres)
    with engine.begin() as conn:
        conn.execute(insert(TimeEntry.__table__), time_entries)
        conn.execute(insert(ClosedPeriod.__table__), closed)
    with sessions.begin() as s:
        for cid in ids:
            rebuild_month_totals(s, cid)
        if postgres:
            for name in ("journal_entries", "journal_lines", "invoices", "payments"):
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"))
    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    counts = {
        "companies": len(ids),
        "journal lines": len(everything.lines),
        "invoices": len(everything.invoices),
        "payments": len(everything.payments),
        "time entries": len(time_entries),
    }
    return accountant_id, last_day, counts


def _overview(session: Session, user_id: int) -> int:
    return len(clients_overview(session, kept_companies(session, user_id)))


def median_ms(sessions: sessionmaker[Session], user_id: int, runs: int) -> tuple[float, int]:
    """The median wall time of the accountant's overview over `runs` runs (after a warm-up)."""
    with sessions() as s:
        rows = _overview(s, user_id)
    times = []
    for _ in range(runs):
        with sessions() as s:
            started = time.perf_counter()
            _overview(s, user_id)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), rows


def run(backend: str, companies: int, runs: int) -> list[tuple[str, str]]:
    results: list[tuple[str, str]] = []
    with ledger_bench.scratch_books(backend) as url:
        engine = make_engine(url)
        started = time.perf_counter()
        accountant_id, last_day, counts = build(engine, companies, backend == "postgresql")
        results.append(("build and bulk load", f"{time.perf_counter() - started:.1f} s"))
        results.extend((what, f"{count:,}") for what, count in counts.items())
        with clock.pinned(last_day):
            elapsed, rows = median_ms(sessionmaker(engine, expire_on_commit=False), accountant_id, runs)
        assert rows == companies, f"the overview has {rows} rows for {companies} companies"
        results.append((f"overview of {rows} companies on {last_day} (target < 1 s)", f"{elapsed:.0f} ms"))
        engine.dispose()
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    results = run(args.backend, args.companies, args.runs)
    print(f"\n| {args.backend}, {args.companies} companies | median of {args.runs} |\n|---|---|")
    for label, value in results:
        print(f"| {label} | {value} |")


if __name__ == "__main__":
    main()
