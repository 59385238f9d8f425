"""The balance sheet (balanse) at a date: assets, liabilities and equity, the equity including
this year's result so far and any earlier year's result not yet closed. Assets equal
liabilities plus equity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ledger.money import ZERO, Money, Total
from ledger.reports.account_totals import account_totals, chart_of, is_result_account


@dataclass(frozen=True)
class BalanceLine:
    """One account's balance, as the balance sheet shows it: assets as debit balances,
    liabilities and equity as credit balances (both positive when normal)."""

    account: str
    name_nb: str
    name_en: str
    amount: Money


@dataclass(frozen=True)
class BalanceSheet:
    """Attributes:
    on: the date.
    assets, liabilities, equity: the accounts with a balance.
    current_year_result: income minus costs from 1 January to `on` (a profit is positive).
    earlier_years_result: results of earlier years that no closing entry has moved yet.
    """

    on: dt.date
    assets: tuple[BalanceLine, ...]
    liabilities: tuple[BalanceLine, ...]
    equity: tuple[BalanceLine, ...]
    current_year_result: Money
    earlier_years_result: Money

    total_assets = Total("assets", "amount")
    total_liabilities = Total("liabilities", "amount")

    @property
    def total_equity(self) -> Money:
        """The equity accounts plus this year's and unclosed earlier years' results."""
        booked = sum((line.amount for line in self.equity), ZERO)
        return booked + self.current_year_result + self.earlier_years_result

    @property
    def balanced(self) -> bool:
        return self.total_assets == self.total_liabilities + self.total_equity


def balance_sheet(session: Session, company_id: int, on: dt.date) -> BalanceSheet:
    """The balance sheet at the end of `on` (one aggregate over the lines up to that day)."""
    chart = chart_of(session, company_id)
    totals = account_totals(session, company_id, dt.date(on.year, 1, 1), on)
    assets: list[BalanceLine] = []
    liabilities: list[BalanceLine] = []
    equity: list[BalanceLine] = []
    current = earlier = ZERO
    for number in sorted(totals):
        t = totals[number]
        account = chart.get(number)
        if is_result_account(account, number):
            current -= t.movement
            earlier -= t.before
            continue
        balance = t.before + t.movement
        if balance == 0:
            continue
        kind = account.kind if account else ("asset" if number < "2" else "liability")
        name_nb, name_en = (account.name_nb, account.name_en) if account else ("", "")
        if kind == "asset":
            assets.append(BalanceLine(number, name_nb, name_en, balance))
        elif kind == "equity":
            equity.append(BalanceLine(number, name_nb, name_en, -balance))
        else:
            liabilities.append(BalanceLine(number, name_nb, name_en, -balance))
    return BalanceSheet(on, tuple(assets), tuple(liabilities), tuple(equity), current, earlier)
