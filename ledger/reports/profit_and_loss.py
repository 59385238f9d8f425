"""Profit and loss (resultatregnskap) for a period, side by side with the same period last
year: income and costs by group (sales, cost of goods, payroll, other operating costs,
financial items) and the result. Income and costs are shown as positive amounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import Session

from ledger.data import read_table
from ledger.errors import InvalidInput
from ledger.models import Account
from ledger.money import ZERO, Money, Total
from ledger.reports.account_totals import chart_of, is_disposition_account, is_result_account, movements


@dataclass(frozen=True)
class ResultAccount:
    """One income or cost account's amount in the period and in the same period last year."""

    account: str
    name_nb: str
    name_en: str
    amount: Money
    previous: Money


@dataclass(frozen=True)
class ResultGroup:
    """A group of the profit and loss (SAF-T grouping category).

    Attributes:
      group: the grouping category ("salgsinntekt", "annenDriftskostnad").
      kind: "income" or "expense".
      amount, previous: the group's total now and a year earlier (positive numbers).
      accounts: its accounts.
    """

    group: str
    kind: str
    name_nb: str
    name_en: str
    amount: Money
    previous: Money
    accounts: tuple[ResultAccount, ...]


@dataclass(frozen=True)
class ProfitAndLoss:
    date_from: dt.date
    date_to: dt.date
    previous_from: dt.date
    previous_to: dt.date
    groups: tuple[ResultGroup, ...]

    @property
    def income(self) -> tuple[ResultGroup, ...]:
        return tuple(g for g in self.groups if g.kind == "income")

    @property
    def costs(self) -> tuple[ResultGroup, ...]:
        return tuple(g for g in self.groups if g.kind == "expense")

    total_income = Total("income", "amount")
    total_costs = Total("costs", "amount")
    previous_total_income = Total("income", "previous")
    previous_total_costs = Total("costs", "previous")

    @property
    def result(self) -> Money:
        """Income minus costs: positive is a profit."""
        return self.total_income - self.total_costs

    @property
    def previous_result(self) -> Money:
        return self.previous_total_income - self.previous_total_costs


@lru_cache(maxsize=1)
def result_groups() -> dict[str, dict[str, str]]:
    """The groups of the profit and loss with their names and order, from the data."""
    return {row["group"]: row for row in read_table("report_groups.csv")}


def year_earlier(day: dt.date) -> dt.date:
    """The same day a year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def group_of(account: Account | None) -> str:
    """The profit-and-loss group an income or cost account belongs to."""
    if account is not None and account.grouping_category in result_groups():
        return account.grouping_category
    return "annenInntekt" if account is not None and account.kind == "income" else "annenKostnad"


def profit_and_loss(session: Session, company_id: int, date_from: dt.date, date_to: dt.date) -> ProfitAndLoss:
    """Income, costs by group and the result of the period, and of the same period last year."""
    if date_from > date_to:
        raise InvalidInput("the period ends before it starts", date_from=date_from.isoformat())
    previous_from, previous_to = year_earlier(date_from), year_earlier(date_to)
    chart = chart_of(session, company_id)
    now = movements(session, company_id, date_from, date_to)
    then = movements(session, company_id, previous_from, previous_to)
    by_group: dict[str, list[ResultAccount]] = {}
    for number in sorted(set(now) | set(then)):
        account = chart.get(number)
        if not is_result_account(account, number) or is_disposition_account(number):
            continue
        group = group_of(account)
        sign = 1 if result_groups()[group]["kind"] == "expense" else -1
        d, c = now.get(number, (ZERO, ZERO))
        pd, pc = then.get(number, (ZERO, ZERO))
        by_group.setdefault(group, []).append(
            ResultAccount(
                account=number,
                name_nb=account.name_nb if account else "",
                name_en=account.name_en if account else "",
                amount=sign * (d - c),
                previous=sign * (pd - pc),
            )
        )
    groups = []
    for group in sorted(by_group, key=lambda g: int(result_groups()[g]["order"])):
        info = result_groups()[group]
        accounts = tuple(by_group[group])
        groups.append(
            ResultGroup(
                group=group,
                kind=info["kind"],
                name_nb=info["name_nb"],
                name_en=info["name_en"],
                amount=sum((a.amount for a in accounts), ZERO),
                previous=sum((a.previous for a in accounts), ZERO),
                accounts=accounts,
            )
        )
    return ProfitAndLoss(date_from, date_to, previous_from, previous_to, tuple(groups))
