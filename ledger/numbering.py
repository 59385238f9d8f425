"""Unbroken number series (vouchers per year, invoices, customers) safe under concurrency.

The counter row is locked for the rest of the caller's transaction (`SELECT ... FOR UPDATE`
on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serialises writers), so two transactions
never take the same number, and a rolled-back one takes its number back with it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.models import NumberSeries


def next_number(session: Session, company_id: int, series: str, first: int = 1) -> int:
    """Take the next number of `series` for the company (starting at `first`)."""
    stmt = (
        select(NumberSeries)
        .where(NumberSeries.company_id == company_id, NumberSeries.series == series)
        .with_for_update()
    )
    row = session.scalars(stmt).one_or_none()
    if row is None:
        try:
            with session.begin_nested():
                session.add(NumberSeries(company_id=company_id, series=series, next_value=first))
        except IntegrityError:
            pass  # another transaction created the counter first; lock theirs below
        row = session.scalars(stmt.execution_options(populate_existing=True)).one()
    number = row.next_value
    row.next_value = number + 1
    session.flush()
    return number
