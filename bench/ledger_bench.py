"""How fast the books answer at a million journal lines, on SQLite and PostgreSQL.

Run on demand (not a test):

    .venv/bin/python -m bench.ledger_bench --backend sqlite --lines 1000000
    .venv/bin/python -m bench.ledger_bench --backend postgresql --lines 1000000

It makes one company with three years of trade (invoices, customer payments, card expenses,
supplier bills and their payments, bank fees) from a fixed seed, bulk-inserts it (Core
`insert()` executemany on SQLite, COPY on PostgreSQL), then times each report five times and
prints the medians as a Markdown table. PostgreSQL gets a database of its own
(`bokbot_bench_<random>`), dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from ledger.companies import create_company
from ledger.db import make_engine
from ledger.migrate import upgrade
from ledger.models import (
    Customer,
    Invoice,
    JournalEntry,
    JournalLine,
    NumberSeries,
    Payment,
    Supplier,
)
from ledger.reports.account_totals import rebuild_month_totals
from ledger.reports.balance_sheet import balance_sheet
from ledger.reports.balances import bank_balance
from ledger.reports.profit_and_loss import profit_and_loss
from ledger.reports.receivables import receivables_aging
from ledger.reports.trial_balance import trial_balance
from ledger.vat import VatTerm, vat_report

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SEED = 4102
END = dt.date(2026, 11, 27)
DAYS = 3 * 365
CENT = Decimal("0.01")
LINES_PER_UNIT = Decimal("9.3")  # lines per "unit" of daily activity in the mix below
CREATED = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
COST_ACCOUNTS = ("4000", "6300", "6540", "6800", "6900", "7000", "7140", "7320")


@dataclass
class Generated:
    """The rows of the books, as dictionaries for Core inserts."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    invoices: list[dict[str, Any]] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)
    vouchers: dict[int, int] = field(default_factory=dict)


def _ore(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _vat(net: Decimal) -> Decimal:
    return (net * 25 / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def generate(company_id: int, customers: Sequence[int], suppliers: Sequence[int], lines: int) -> Generated:
    """Three years of trade ending on END, about `lines` journal lines, from a fixed seed."""
    rng = random.Random(SEED)
    units = max(1, math.ceil(Decimal(lines) / (LINES_PER_UNIT * DAYS)))
    books = Generated()
    payments_due: dict[dt.date, list[tuple[dict[str, Any], Decimal]]] = {}
    bills_due: dict[dt.date, list[tuple[int, Decimal]]] = {}
    start = END - dt.timedelta(days=DAYS - 1)

    def entry(day: dt.date, description: str, postings: Iterable[tuple[str, Decimal, dict[str, Any]]]) -> int:
        entry_id = len(books.entries) + 1
        number = books.vouchers.get(day.year, 0) + 1
        books.vouchers[day.year] = number
        books.entries.append(
            {
                "id": entry_id,
                "company_id": company_id,
                "year": day.year,
                "voucher_number": number,
                "date": day,
                "description": description,
                "created_at": CREATED,
                "created_by_id": None,
                "channel": "import",
                "source": "",
                "reverses_id": None,
            }
        )
        for account, amount, extra in postings:
            books.lines.append(
                {
                    "id": len(books.lines) + 1,
                    "entry_id": entry_id,
                    "company_id": company_id,
                    "date": day,
                    "account": account,
                    "debit": amount if amount > 0 else Decimal("0.00"),
                    "credit": -amount if amount < 0 else Decimal("0.00"),
                    "vat_code": extra.get("vat_code"),
                    "vat_base": extra.get("vat_base"),
                    "description": "",
                    "customer_id": extra.get("customer_id"),
                    "supplier_id": extra.get("supplier_id"),
                    "project_id": None,
                }
            )
        return entry_id

    day = start
    while day <= END and len(books.lines) < lines:
        for invoice, amount in payments_due.pop(day, []):
            payer = {"customer_id": invoice["customer_id"]}
            paid_id = entry(
                day,
                f"Innbetaling faktura {invoice['number']}",
                [("1920", amount, payer), ("1500", -amount, payer)],
            )
            books.payments.append(
                {
                    "id": len(books.payments) + 1,
                    "company_id": company_id,
                    "invoice_id": invoice["id"],
                    "date": day,
                    "amount": amount,
                    "journal_entry_id": paid_id,
                    "created_at": CREATED,
                }
            )
            if amount == invoice["total"]:
                invoice["status"] = "paid"
        for supplier, amount in bills_due.pop(day, []):
            who = {"supplier_id": supplier}
            entry(day, "Betaling leverandør", [("2400", amount, who), ("1920", -amount, who)])
        for _ in range(units):
            customer = customers[rng.randrange(len(customers))]
            net = _ore(rng, 500, 40000)
            vat = _vat(net)
            number = 10000 + len(books.invoices) + 1
            who = {"customer_id": customer}
            invoice_entry = entry(
                day,
                f"Faktura {number}",
                [
                    ("1500", net + vat, who),
                    ("3000", -net, {**who, "vat_code": "3"}),
                    ("2700", -vat, {**who, "vat_code": "3", "vat_base": -net}),
                ],
            )
            invoice = {
                "id": len(books.invoices) + 1,
                "company_id": company_id,
                "number": number,
                "kind": "invoice",
                "customer_id": customer,
                "issue_date": day,
                "due_date": day + dt.timedelta(days=14),
                "delivery_date": None,
                "kid": str(number),
                "net": net,
                "vat": vat,
                "total": net + vat,
                "status": "issued",
                "language": "nb",
                "credits_id": None,
                "journal_entry_id": invoice_entry,
                "buyer_reference": "",
                "sent_at": None,
                "created_by_id": None,
                "created_at": CREATED,
            }
            books.invoices.append(invoice)
            chance = rng.random()
            if chance < 0.93:
                when = day + dt.timedelta(days=rng.randint(3, 40))
                payments_due.setdefault(when, []).append((invoice, invoice["total"]))
            elif chance < 0.97:
                when = day + dt.timedelta(days=rng.randint(10, 120))
                payments_due.setdefault(when, []).append((invoice, (invoice["total"] / 2).quantize(CENT)))
            gross = _ore(rng, 50, 5000)
            vat = (gross * 25 / 125).quantize(CENT, rounding=ROUND_HALF_UP)
            cost = COST_ACCOUNTS[rng.randrange(len(COST_ACCOUNTS))]
            entry(
                day,
                "Kortkjøp",
                [
                    (cost, gross - vat, {"vat_code": "1"}),
                    ("2710", vat, {"vat_code": "1", "vat_base": gross - vat}),
                    ("1920", -gross, {}),
                ],
            )
            if rng.random() < 0.2:
                fee = _ore(rng, 5, 200)
                entry(day, "Bankgebyr", [("7770", fee, {}), ("1920", -fee, {})])
            if rng.random() < 0.2:
                supplier = suppliers[rng.randrange(len(suppliers))]
                gross = _ore(rng, 1000, 30000)
                vat = (gross * 25 / 125).quantize(CENT, rounding=ROUND_HALF_UP)
                who = {"supplier_id": supplier}
                entry(
                    day,
                    "Leverandørfaktura",
                    [
                        ("6700", gross - vat, {**who, "vat_code": "1"}),
                        ("2710", vat, {**who, "vat_code": "1", "vat_base": gross - vat}),
                        ("2400", -gross, who),
                    ],
                )
                bills_due.setdefault(day + dt.timedelta(days=rng.randint(10, 30)), []).append((supplier, gross))
        day += dt.timedelta(days=1)
    return books


def _chunks(rows: Sequence[dict[str, Any]], size: int = 20000) -> Iterator[Sequence[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _copy(engine: Engine, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """COPY the rows into `table` (PostgreSQL)."""
    columns = [c.name for c in table.columns]
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])


def load(engine: Engine, books: Generated, postgres: bool) -> None:
    """Bulk-insert the generated rows, then bring the counters and statistics up to date."""
    tables: list[tuple[Table, list[dict[str, Any]]]] = [
        (JournalEntry.__table__, books.entries),  # type: ignore[list-item]
        (JournalLine.__table__, books.lines),  # type: ignore[list-item]
        (Invoice.__table__, books.invoices),  # type: ignore[list-item]
        (Payment.__table__, books.payments),  # type: ignore[list-item]
    ]
    for table, rows in tables:
        if postgres:
            _copy(engine, table, rows)
        else:
            with engine.begin() as conn:
                for chunk in _chunks(rows):
                    conn.execute(insert(table), list(chunk))
    with sessionmaker(engine).begin() as s:
        company_id = books.entries[0]["company_id"]
        for year, last in books.vouchers.items():
            s.add(NumberSeries(company_id=company_id, series=f"voucher:{year}", next_value=last + 1))
        s.add(NumberSeries(company_id=company_id, series="invoice", next_value=10001 + len(books.invoices)))
        rebuild_month_totals(s, company_id)
        if postgres:
            for name in ("journal_entries", "journal_lines", "invoices", "payments"):
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"))
    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def _lines_balance(session: Session, company_id: int, account: str) -> object:
    """A balance read from every line of the account (what the month totals spare us)."""
    line = JournalLine
    return session.scalar(
        select(func.sum(line.debit - line.credit)).where(line.company_id == company_id, line.account == account)
    )


def _lines_trial_balance(session: Session, company_id: int) -> object:
    """Every line grouped by account (what the month totals spare us)."""
    line = JournalLine
    stmt = select(line.account, func.sum(line.debit), func.sum(line.credit)).where(line.company_id == company_id)
    return session.execute(stmt.group_by(line.account)).all()


def median_ms(work: Callable[[Session], object], sessions: sessionmaker[Session], runs: int = 5) -> float:
    """The median wall time of `work` in milliseconds over `runs` runs (after one warm-up)."""
    with sessions() as s:
        work(s)
    times = []
    for _ in range(runs):
        with sessions() as s:
            started = time.perf_counter()
            work(s)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


@contextmanager
def scratch_books(backend: str) -> Iterator[str]:
    """The URL of empty, migrated books on `backend` (a temporary SQLite file, or a new
    database on the local PostgreSQL server), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="bokbot_bench_"))
    database = f"bokbot_bench_{secrets.token_hex(4)}"
    admin = None
    if backend == "postgresql":
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    else:
        url = f"sqlite:///{folder / 'bench.db'}"
    try:
        upgrade(url)
        yield url
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()
        for path in folder.glob("*"):
            path.unlink()
        folder.rmdir()


def run(backend: str, lines: int, runs: int) -> list[tuple[str, str]]:
    results: list[tuple[str, str]] = []
    with scratch_books(backend) as url:
        engine = make_engine(url)
        sessions = sessionmaker(engine, expire_on_commit=False)
        with sessions.begin() as s:
            company = create_company(s, "Benk AS", owner_name="Benk", vat_registered=True).company
            company_id = company.id
            customers = []
            for i in range(300):
                row = Customer(company_id=company_id, number=10000 + i, name=f"Kunde {i:03d} AS")
                s.add(row)
                customers.append(row)
            suppliers = [
                Supplier(company_id=company_id, number=20001 + i, name=f"Leverandør {i:02d} AS") for i in range(50)
            ]
            s.add_all(suppliers)
            s.flush()
            customer_ids = [c.id for c in customers]
            supplier_ids = [x.id for x in suppliers]
        started = time.perf_counter()
        books = generate(company_id, customer_ids, supplier_ids, lines)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        load(engine, books, backend == "postgresql")
        loaded = time.perf_counter() - started
        results.append(
            (
                "journal lines / entries / invoices",
                f"{len(books.lines):,} / {len(books.entries):,} / {len(books.invoices):,}",
            )
        )
        results.append(("generate rows (Python)", f"{generated:.1f} s"))
        results.append(("bulk load (insert, month totals, statistics)", f"{loaded:.1f} s"))
        last_day = books.lines[-1]["date"]
        year_start = dt.date(last_day.year, 1, 1)
        month = dt.date(last_day.year, last_day.month - 1 if last_day.month > 1 else 1, 1)
        month_end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        mid_month = dt.date(last_day.year, 6, 17)
        checks: list[tuple[str, Callable[[Session], object]]] = [
            ("bank balance (1920), now", lambda s: bank_balance(s, company_id)),
            (f"bank balance (1920) on {mid_month}", lambda s: bank_balance(s, company_id, on=mid_month)),
            (f"trial balance {year_start} – {last_day}", lambda s: trial_balance(s, company_id, year_start, last_day)),
            (
                f"trial balance {year_start} – {mid_month}",
                lambda s: trial_balance(s, company_id, year_start, mid_month),
            ),
            (
                f"profit and loss {month:%Y-%m} with last year",
                lambda s: profit_and_loss(s, company_id, month, month_end),
            ),
            (f"balance sheet on {last_day}", lambda s: balance_sheet(s, company_id, last_day)),
            (f"receivables aging on {last_day}", lambda s: receivables_aging(s, company_id, last_day)),
            ("VAT report, one term", lambda s: vat_report(s, company_id, VatTerm(last_day.year, 3))),
            ("for comparison: 1920 summed over its lines", lambda s: _lines_balance(s, company_id, "1920")),
            ("for comparison: every line grouped by account", lambda s: _lines_trial_balance(s, company_id)),
        ]
        for label, work in checks:
            results.append((label, f"{median_ms(work, sessions, runs):.1f} ms"))
        with sessions() as s:
            tb = trial_balance(s, company_id, year_start, last_day)
            assert tb.balanced, "the generated books do not balance"
        engine.dispose()
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    results = run(args.backend, args.lines, args.runs)
    print(f"\n| {args.backend}, {args.lines:,} lines | median of {args.runs} |\n|---|---|")
    for label, value in results:
        print(f"| {label} | {value} |")


if __name__ == "__main__":
    main()
