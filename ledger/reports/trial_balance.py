"""The trial balance (saldobalanse): per account its opening balance, the period's debits and
credits, and its closing balance. Debits equal credits and the balances add up to zero."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ledger.errors import InvalidInput
from ledger.money import ZERO, Money, Total
from ledger.reports.account_totals import (
    RETAINED_EARNINGS_ACCOUNT,
    account_totals,
    chart_of,
    earlier_years_result,
    is_result_account,
)


@dataclass(frozen=True)
class TrialBalanceRow:
    """One account of the trial balance (signed: debit positive, credit negative).

    Attributes:
      opening: the balance before the period (for income and expense accounts, since
        1 January; 2050 also carries the unclosed results of earlier years).
      debit, credit: the period's debits and credits (both positive).
      closing: opening + debit - credit.
    """

    account: str
    name_nb: str
    name_en: str
    kind: str
    opening: Money
    debit: Money
    credit: Money

    @property
    def closing(self) -> Money:
        return self.opening + self.debit - self.credit


@dataclass(frozen=True)
class TrialBalance:
    date_from: dt.date
    date_to: dt.date
    rows: tuple[TrialBalanceRow, ...]

    total_opening = Total("rows", "opening")
    total_debit = Total("rows", "debit")
    total_credit = Total("rows", "credit")
    total_closing = Total("rows", "closing")

    @property
    def balanced(self) -> bool:
        return self.total_debit == self.total_credit and self.total_opening == 0 and self.total_closing == 0

    def row(self, account: str) -> TrialBalanceRow | None:
        return next((r for r in self.rows if r.account == account), None)


def trial_balance(session: Session, company_id: int, date_from: dt.date, date_to: dt.date) -> TrialBalance:
    """The trial balance of the period `date_from`..`date_to` (one aggregate over the lines)."""
    if date_from > date_to:
        raise InvalidInput("the period ends before it starts", date_from=date_from.isoformat())
    chart = chart_of(session, company_id)
    totals = account_totals(session, company_id, date_from, date_to)
    carried = earlier_years_result(totals, chart)
    rows = []
    for number in sorted(set(totals) | ({RETAINED_EARNINGS_ACCOUNT} if carried else set())):
        account = chart.get(number)
        t = totals.get(number)
        opening = ZERO
        debit = credit = ZERO
        if t is not None:
            opening = t.before_this_year if is_result_account(account, number) else t.before
            debit, credit = t.debit, t.credit
        if number == RETAINED_EARNINGS_ACCOUNT:
            opening += carried
        if opening == debit == credit == ZERO:
            continue
        rows.append(
            TrialBalanceRow(
                account=number,
                name_nb=account.name_nb if account else "",
                name_en=account.name_en if account else "",
                kind=account.kind if account else "",
                opening=opening,
                debit=debit,
                credit=credit,
            )
        )
    return TrialBalance(date_from, date_to, tuple(rows))
