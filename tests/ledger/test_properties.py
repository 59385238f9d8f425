"""Properties of the books under any sequence of business events (expenses, journal postings,
invoices, payments, reversals): every entry and the whole ledger balance, voucher numbers have
no gaps, the receivables equal 1500, the VAT report equals the VAT accounts, and reversing
everything brings every balance back to zero."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from ledger.companies import create_company
from ledger.customers import create_customer
from ledger.db import make_engine
from ledger.expenses import register_expense
from ledger.invoicing import credit_invoice, invoice_amount, open_amount, paid_amount, register_payment
from ledger.journal import Posting, post_entry, reverse_entry
from ledger.migrate import upgrade
from ledger.models import Invoice, JournalEntry, JournalLine, Payment
from ledger.reports.account_totals import account_totals, month_totals_findings
from ledger.reports.balances import account_balance
from ledger.reports.receivables import receivables_aging
from ledger.reports.trial_balance import trial_balance
from ledger.vat import terms_of_year, vat_report
from tests.ledger.builders import seller_details, where

YEARS = (2025, 2026)
ACCOUNTS = ("1920", "3000", "6300", "6800", "7770", "2400", "8050", "2000")
CATEGORIES = ("drivstoff", "kontorrekvisita", "lunsj med kunde", "parkering", "fly", "husleie")

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
days = st.dates(min_value=dt.date(YEARS[0], 1, 1), max_value=dt.date(YEARS[-1], 12, 31))


@dataclass(frozen=True)
class Expense:
    amount: Decimal
    category: str
    day: dt.date


@dataclass(frozen=True)
class Journal:
    day: dt.date
    lines: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True)
class Sale:
    amount: Decimal
    code: str
    day: dt.date


@dataclass(frozen=True)
class Pay:
    which: int
    share: Decimal
    later: int


@dataclass(frozen=True)
class Reverse:
    which: int


@dataclass(frozen=True)
class Credit:
    which: int
    later: int


@st.composite
def journals(draw: st.DrawFn) -> Journal:
    """A balanced posting of 2–5 lines on accounts other than receivables and VAT."""
    debits = draw(st.lists(st.tuples(st.sampled_from(ACCOUNTS), amounts), min_size=1, max_size=3))
    total = sum((a for _, a in debits), Decimal("0"))
    credit_account = draw(st.sampled_from(ACCOUNTS))
    return Journal(draw(days), (*debits, (credit_account, -total)))


events = st.lists(
    st.one_of(
        st.builds(Expense, amounts, st.sampled_from(CATEGORIES), days),
        journals(),
        st.builds(Sale, amounts, st.sampled_from(["3", "31", "33", "5", "6"]), days),
        st.builds(Pay, st.integers(0, 20), st.sampled_from([Decimal("0.25"), Decimal("0.5"), Decimal("1")]),
                  st.integers(0, 60)),
        st.builds(Reverse, st.integers(0, 40)),
        st.builds(Credit, st.integers(0, 20), st.integers(0, 30)),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture(scope="module")
def template_db() -> Iterator[Path]:
    """One migrated SQLite file with a company; each example works on a copy of it."""
    folder = Path(tempfile.mkdtemp(prefix="bokbot_props_"))
    path = folder / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with sessionmaker(engine).begin() as s:
        company = create_company(
            s, "Eiendom AS", owner_name="Kari", vat_registered=True, **seller_details("Eiendom AS")
        ).company
        company.vehicle = "van"
        create_customer(s, company.id, "Fjord Bygg AS", **where("974760673"))
    engine.dispose()
    yield path
    shutil.rmtree(folder, ignore_errors=True)


def apply(s: Session, cid: int, customer_id: int, event: object) -> None:
    """Carry out one event, as the assistant would (each in its own transaction)."""
    if isinstance(event, Expense):
        register_expense(s, cid, event.amount, event.category, event.day, "Butikken", None, "web")
    elif isinstance(event, Journal):
        postings = [Posting(a, v) for a, v in event.lines]
        net: dict[str, Decimal] = {}
        for p in postings:
            net[p.account] = net.get(p.account, Decimal("0")) + p.amount
        lines = [Posting(a, v) for a, v in net.items() if v != 0]
        if len(lines) >= 2:
            post_entry(s, cid, event.day, "Postering", lines, channel="api")
    elif isinstance(event, Sale):
        invoice_amount(s, cid, customer_id, event.amount, "Salg", vat_code=event.code, issue_date=event.day)
    elif isinstance(event, Pay):
        invoices = s.scalars(select(Invoice).where(Invoice.kind == "invoice").order_by(Invoice.number)).all()
        if invoices:
            invoice = invoices[event.which % len(invoices)]
            owed = open_amount(invoice, paid_amount(s, invoice))
            value = (owed * event.share).quantize(Decimal("0.01"))
            if value > 0:
                register_payment(s, cid, invoice.number, value, invoice.issue_date + dt.timedelta(days=event.later))
    elif isinstance(event, Credit):
        # Only an invoice nothing is paid on can be credited (the rest is refused, as it should).
        unpaid = s.scalars(
            select(Invoice)
            .where(Invoice.kind == "invoice", Invoice.status != "credited", ~Invoice.id.in_(select(Payment.invoice_id)))
            .order_by(Invoice.number)
        ).all()
        if unpaid:
            invoice = unpaid[event.which % len(unpaid)]
            credit_invoice(s, cid, invoice.number, credit_date=invoice.issue_date + dt.timedelta(days=event.later))
    elif isinstance(event, Reverse):
        # Invoices and payments are corrected by credit notes, not reversals: reverse the rest.
        # (Credit notes too, as they belong to the invoice's story.)
        candidates = s.scalars(
            select(JournalEntry)
            .where(
                JournalEntry.reverses_id.is_(None),
                ~JournalEntry.source.like("invoice:%"),
                ~JournalEntry.source.like("payment:%"),
                ~JournalEntry.source.like("credit-note:%"),
                ~JournalEntry.id.in_(select(JournalEntry.reverses_id).where(JournalEntry.reverses_id.is_not(None))),
            )
            .order_by(JournalEntry.id)
        ).all()
        if candidates:
            reverse_entry(s, candidates[event.which % len(candidates)], channel="web")


def check_invariants(s: Session, cid: int) -> None:
    # Every entry balances (rounded to øre: SQLite sums NUMERIC columns as floating point).
    unbalanced = s.execute(
        select(JournalLine.entry_id)
        .group_by(JournalLine.entry_id)
        .having(func.round(func.sum(JournalLine.debit) - func.sum(JournalLine.credit), 2) != 0)
    ).all()
    assert unbalanced == []
    # The whole ledger balances, per year and over all time.
    for year in YEARS:
        tb = trial_balance(s, cid, dt.date(year, 1, 1), dt.date(year, 12, 31))
        assert tb.total_debit == tb.total_credit
        assert tb.total_opening == 0 and tb.total_closing == 0
        # Voucher numbers run 1..n without gaps in each year.
        numbers = s.scalars(
            select(JournalEntry.voucher_number).where(JournalEntry.year == year).order_by(JournalEntry.voucher_number)
        ).all()
        assert list(numbers) == list(range(1, len(numbers) + 1))
        # The VAT report equals the movement on the VAT accounts, term by term.
        for term in terms_of_year(year):
            report = vat_report(s, cid, term)
            moved = account_totals(s, cid, term.start, term.end)
            on_vat_accounts = sum((moved[a].movement for a in ("2700", "2710") if a in moved), Decimal("0"))
            assert report.to_pay == -on_vat_accounts
    # The month totals agree with the lines.
    assert month_totals_findings(s, cid) == []
    # The receivables are the open invoices.
    end = dt.date(YEARS[-1] + 1, 3, 31)
    assert receivables_aging(s, cid, end).total == account_balance(s, cid, "1500", on=end)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events)
def test_any_sequence_of_events_keeps_the_books_balanced(
    template_db: Path, tmp_path: Path, events: list[object]
) -> None:
    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "books.db"
    shutil.copy(template_db, path)
    engine = make_engine(f"sqlite:///{path}")
    # Throw-away books: skip the fsync after each transaction, which is most of the run time.
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA synchronous=OFF"))
    books = sessionmaker(engine, expire_on_commit=False)
    try:
        cid, customer_id = 1, 1
        for happening in events:
            with books.begin() as s:
                apply(s, cid, customer_id, happening)
        with books.begin() as s:
            check_invariants(s, cid)
            # Reverse everything that can be reversed: every balance the reversals touch comes back.
            before = {a: t.before + t.movement for a, t in account_totals(s, cid, None, dt.date(2100, 1, 1)).items()}
            for entry in s.scalars(
                select(JournalEntry).where(JournalEntry.reverses_id.is_(None)).order_by(JournalEntry.id)
            ).all():
                already = s.scalar(select(JournalEntry.id).where(JournalEntry.reverses_id == entry.id))
                if already is None:
                    reverse_entry(s, entry, channel="web")
            after = account_totals(s, cid, None, dt.date(2100, 1, 1))
            assert before.keys() <= after.keys()
            assert all(t.before + t.movement == 0 for t in after.values())
            tb = trial_balance(s, cid, dt.date(YEARS[0], 1, 1), dt.date(YEARS[-1], 12, 31))
            assert tb.total_closing == 0
    finally:
        engine.dispose()
