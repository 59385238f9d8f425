"""The demo company: realistic, deterministic books whose bank balance is 12 500,00 kr."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum.no import kontonr, orgnr

from ledger import clock
from ledger.customers import list_customers, resolve_customer
from ledger.demo import create_demo_company
from ledger.identity import role_in, user_by_token
from ledger.invoicing import list_invoices, public_status
from ledger.models import JournalEntry, JournalLine
from ledger.projects import list_projects
from ledger.reports.balances import account_balance, bank_balance
from ledger.timesheet import unbilled_hours


def summary(s: Session, cid: int) -> dict[str, object]:
    return {
        "bank": bank_balance(s, cid),
        "receivables": account_balance(s, cid, "1500"),
        "invoices": [(i.number, public_status(i), i.total) for i in list_invoices(s, cid)],
        "unbilled": [(r.project_name, r.hours) for r in unbilled_hours(s, cid)],
    }


HARD_DAYS = ["2027-01-01", "2027-02-28", "2028-02-29", "2027-04-10", "2027-07-31", "2026-12-07", "2026-12-31"]


@pytest.mark.parametrize("today", [None, *HARD_DAYS])
def test_the_demo_company_has_realistic_books(sqlite_books: sessionmaker[Session], today: str | None) -> None:
    with sqlite_books.begin() as s, clock.pinned(today or clock.today()):
        demo = create_demo_company(s)
        cid = demo.company.id
        assert demo.company.vat_registered and demo.company.form == "AS"
        assert orgnr.is_valid(demo.company.orgnr or "") and demo.company.orgnr != "923609016"
        assert kontonr.is_valid(demo.company.bank_account)
        assert bank_balance(s, cid) == Decimal("12500.00")
        assert account_balance(s, cid, "2000") == Decimal("-30000.00")
        assert account_balance(s, cid, "2050") < 0  # other equity is a credit
        names = [c.name for c in list_customers(s, cid)]
        assert {"Fjord Bygg AS", "Nordlys Regnskap AS", "Hansen Rør AS", "Bergen Bakeri AS"} <= set(names)
        assert 4 <= len(names) <= 6
        rates = {p.name: p.hourly_rate for p in list_projects(s, cid)}
        assert rates["Nettside"] == Decimal("950.00") and rates["Hyttebygg Hemsedal"] == Decimal("1100.00")
        assert rates["Support"] == Decimal("850.00")
        statuses = [public_status(i) for i in list_invoices(s, cid)]
        assert statuses.count("paid") == 2 and statuses.count("sent") == 1 and statuses.count("unpaid") == 1
        assert {"Hyttebygg Hemsedal", "Support"} <= {r.project_name for r in unbilled_hours(s, cid)}
        assert resolve_customer(s, cid, "fjord bygg").outcome == "exact"
        owner = user_by_token(s, demo.owner_token)
        staff = user_by_token(s, demo.staff_token)
        assert owner is not None and role_in(s, owner.id, cid) == "owner"
        assert staff is not None and role_in(s, staff.id, cid) == "staff"
        lines = s.execute(
            select(func.sum(JournalLine.debit), func.sum(JournalLine.credit)).where(JournalLine.company_id == cid)
        ).one()
        assert lines[0] == lines[1]
        latest = s.scalar(select(func.max(JournalEntry.date)).where(JournalEntry.company_id == cid))
        assert latest is not None and latest < clock.today()


def test_vouchers_follow_the_calendar(sqlite_books: sessionmaker[Session]) -> None:
    with sqlite_books.begin() as s:
        cid = create_demo_company(s, today=dt.date(2026, 11, 20)).company.id
        entries = s.scalars(
            select(JournalEntry).where(JournalEntry.company_id == cid).order_by(JournalEntry.voucher_number)
        ).all()
        assert [e.date for e in entries] == sorted(e.date for e in entries)
        assert entries[0].description == "Inngående balanse"


def test_other_equity_is_a_credit_on_every_day_of_the_year(tmp_path: Path) -> None:
    """The opening balance is counted back from the bank target; whatever the calendar puts
    into the five weeks before today (holidays, short months, a new year), the owners' equity
    stays positive."""
    from ledger.db import make_engine
    from ledger.migrate import upgrade

    url = f"sqlite:///{tmp_path}/year.db"
    upgrade(url)
    engine = make_engine(url)
    try:
        first = dt.date(2027, 1, 1)
        for offset in range(0, 366, 5):
            today = first + dt.timedelta(days=offset)
            with sessionmaker(engine).begin() as s:
                cid = create_demo_company(s, today=today).company.id
                assert account_balance(s, cid, "2050") < 0, today
                assert bank_balance(s, cid) == Decimal("12500.00"), today
                s.rollback()
    finally:
        engine.dispose()


@pytest.mark.parametrize("today", ["2026-04-10", "2026-01-12", "2026-06-01", *HARD_DAYS])
def test_the_demo_is_deterministic_and_always_ends_at_12500(tmp_path: Path, today: str) -> None:
    from ledger.db import make_engine
    from ledger.migrate import upgrade

    results = []
    for run in ("a", "b"):
        url = f"sqlite:///{tmp_path}/{run}.db"
        upgrade(url)
        engine = make_engine(url)
        with sessionmaker(engine).begin() as s:
            cid = create_demo_company(s, today=dt.date.fromisoformat(today)).company.id
            results.append(summary(s, cid))
        engine.dispose()
    assert results[0] == results[1]
    assert results[0]["bank"] == Decimal("12500.00")
