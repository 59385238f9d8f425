"""Closed periods: once a period is closed (after the VAT return is filed), nothing is posted
into it again and it is never reopened; mistakes are corrected in an open period.

`ledger.journal.ensure_open` is the check every posting goes through; this module closes
periods and answers questions about them.
"""

from __future__ import annotations

import datetime as dt
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.companies import company_by_id
from ledger.errors import PeriodLocked
from ledger.journal import closed_through, ensure_open
from ledger.models import ClosedPeriod

__all__ = ["close_period", "closed_periods", "closed_through", "ensure_open", "is_closed", "reopen_period"]


def close_period(
    session: Session,
    company_id: int,
    through: dt.date,
    *,
    closed_by_id: int | None = None,
    reason: str = "",
    vat_term: str | None = None,
) -> ClosedPeriod:
    """Close the company's books up to and including `through`; closing a day that is already
    closed is refused (`PeriodLocked`), so each close is recorded once. With `vat_term` (the
    key of a VAT term, given by `ledger.vat.settle_vat_term`) the close is that term's
    settlement and locks VAT postings only."""
    company_by_id(session, company_id)
    ensure_open(session, company_id, through)
    period = ClosedPeriod(
        company_id=company_id,
        closed_through=through,
        reason=reason[:200],
        closed_by_id=closed_by_id,
        vat_term=vat_term,
    )
    session.add(period)
    session.flush()
    return period


def reopen_period(session: Session, company_id: int, through: dt.date) -> NoReturn:
    """Always refused: a closed period stays closed (post a correction in an open period)."""
    last = closed_through(session, company_id)
    raise PeriodLocked(
        "a closed period is never reopened; post a correction in an open period",
        date=through.isoformat(),
        closed_through=last.isoformat() if last else None,
    )


def is_closed(session: Session, company_id: int, day: dt.date) -> bool:
    """Whether `day` lies in a closed period."""
    last = closed_through(session, company_id)
    return last is not None and day <= last


def closed_periods(session: Session, company_id: int) -> list[ClosedPeriod]:
    """Every close of the company's books, oldest first."""
    return list(
        session.scalars(
            select(ClosedPeriod)
            .where(ClosedPeriod.company_id == company_id)
            .order_by(ClosedPeriod.closed_through)
        )
    )
