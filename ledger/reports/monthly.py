"""The result month by month through a year (income, costs, result), for a chart: read from
the month totals, twelve rows per account at most."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import AccountMonthTotal
from ledger.money import ZERO, Money
from ledger.reports.account_totals import chart_of, is_disposition_account, is_result_account


@dataclass(frozen=True)
class MonthResult:
    """One month: income and costs as positive amounts, the result (a profit is positive)."""

    month: dt.date
    income: Money
    costs: Money

    @property
    def result(self) -> Money:
        return self.income - self.costs


def monthly_results(session: Session, company_id: int, year: int) -> tuple[MonthResult, ...]:
    """The twelve months of `year`, each with its income, costs and result."""
    totals = AccountMonthTotal
    rows = session.execute(
        select(totals.month, totals.account, totals.debit - totals.credit).where(
            totals.company_id == company_id,
            totals.month >= dt.date(year, 1, 1),
            totals.month <= dt.date(year, 12, 1),
        )
    ).all()
    chart = chart_of(session, company_id)
    income = dict.fromkeys(range(1, 13), ZERO)
    costs = dict.fromkeys(range(1, 13), ZERO)
    for m, number, amount in rows:
        account = chart.get(number)
        if not is_result_account(account, number) or is_disposition_account(number):
            continue
        value = Decimal(str(amount or 0)).quantize(Decimal("0.01"))
        if account is not None and account.kind == "income":
            income[m.month] -= value
        else:
            costs[m.month] += value
    return tuple(MonthResult(dt.date(year, m, 1), income[m], costs[m]) for m in range(1, 13))
