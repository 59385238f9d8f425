"""Account balances straight from the journal lines (one indexed aggregate per question)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.models import JournalLine
from ledger.money import ZERO, Money

BANK_ACCOUNT = "1920"


def account_balance(
    session: Session, company_id: int, account: str, *, on: dt.date | None = None
) -> Money:
    """Debits minus credits on `account` up to and including `on` (all dates when None)."""
    stmt = select(func.coalesce(func.sum(JournalLine.debit - JournalLine.credit), 0)).where(
        JournalLine.company_id == company_id, JournalLine.account == account
    )
    if on is not None:
        stmt = stmt.where(JournalLine.date <= on)
    value = session.scalar(stmt)
    return (Decimal(value) if value is not None else ZERO).quantize(Decimal("0.01"))


def bank_balance(session: Session, company_id: int, *, on: dt.date | None = None) -> Money:
    """What the company has in the bank (account 1920)."""
    return account_balance(session, company_id, BANK_ACCOUNT, on=on)
