"""Account balances, from the month totals and the lines of a month cut by the date."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ledger.money import ZERO, Money
from ledger.reports.account_totals import sums_by_account

BANK_ACCOUNT = "1920"
LAST_DAY = dt.date(9999, 11, 30)


def account_balance(
    session: Session, company_id: int, account: str, *, on: dt.date | None = None
) -> Money:
    """Debits minus credits on `account` up to and including `on` (all dates when None): the
    month totals of the whole months and the lines of the last, cut month."""
    debit, credit = sums_by_account(session, company_id, None, on or LAST_DAY, [account]).get(account, (ZERO, ZERO))
    return debit - credit


def bank_balance(session: Session, company_id: int, *, on: dt.date | None = None) -> Money:
    """What the company has in the bank (account 1920)."""
    return account_balance(session, company_id, BANK_ACCOUNT, on=on)
