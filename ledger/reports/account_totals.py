"""The one aggregate most reports stand on: per account, the sum of debits and credits of the
journal lines in a span of days, grouped in the database (an indexed scan of `journal_lines`
by company and date), and the company's chart to name and classify the accounts.

Result accounts (income and expense) start every year at zero; the results of earlier years
belong to equity. Until a year-end closing entry moves them, the reports carry them to 2050
(annen egenkapital) themselves, so that balances always add up to zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ledger.models import Account, JournalLine
from ledger.money import ZERO, Money

RESULT_KINDS = frozenset({"income", "expense"})
RETAINED_EARNINGS_ACCOUNT = "2050"
CENT = Decimal("0.01")


def chart_of(session: Session, company_id: int) -> dict[str, Account]:
    """The company's accounts by number."""
    return {a.number: a for a in session.scalars(select(Account).where(Account.company_id == company_id))}


def is_result_account(account: Account | None, number: str) -> bool:
    """Income and expense accounts (classes 3–8 in NS 4102 when the chart does not say)."""
    if account is not None:
        return account.kind in RESULT_KINDS
    return "3" <= number[:1] <= "8"


@dataclass(frozen=True)
class AccountTotals:
    """One account's figures around a span `date_from`..`date_to`.

    Attributes:
      before: debits minus credits before `date_from`, all years.
      before_this_year: the same, from 1 January of `date_from`'s year.
      debit, credit: the sums of debits and of credits within the span.
    """

    account: str
    before: Money
    before_this_year: Money
    debit: Money
    credit: Money

    @property
    def movement(self) -> Money:
        return self.debit - self.credit


def _money(value: object) -> Money:
    return Decimal(str(value or 0)).quantize(CENT)


def account_totals(
    session: Session, company_id: int, date_from: dt.date | None, date_to: dt.date
) -> dict[str, AccountTotals]:
    """Per account with any line up to `date_to`: its figures before and within the span
    (`date_from` None means from the first line). One GROUP BY over the company's lines."""
    line = JournalLine
    start = date_from or dt.date.min
    year_start = dt.date(start.year, 1, 1) if date_from else dt.date.min
    before = line.date < start
    within = line.date >= start
    stmt = (
        select(
            line.account,
            func.sum(case((before, line.debit - line.credit), else_=0)),
            func.sum(case(((line.date >= year_start) & before, line.debit - line.credit), else_=0)),
            func.sum(case((within, line.debit), else_=0)),
            func.sum(case((within, line.credit), else_=0)),
        )
        .where(line.company_id == company_id, line.date <= date_to)
        .group_by(line.account)
    )
    return {
        account: AccountTotals(account, _money(b), _money(y), _money(d), _money(c))
        for account, b, y, d, c in session.execute(stmt)
    }


def movements(
    session: Session, company_id: int, date_from: dt.date, date_to: dt.date
) -> dict[str, tuple[Money, Money]]:
    """Per account: (debits, credits) of the lines from `date_from` to `date_to`."""
    line = JournalLine
    stmt = (
        select(line.account, func.sum(line.debit), func.sum(line.credit))
        .where(line.company_id == company_id, line.date >= date_from, line.date <= date_to)
        .group_by(line.account)
    )
    return {account: (_money(d), _money(c)) for account, d, c in session.execute(stmt)}


def earlier_years_result(totals: dict[str, AccountTotals], chart: dict[str, Account]) -> Money:
    """Debits minus credits on result accounts before this year (negative is a profit)."""
    return sum(
        (t.before - t.before_this_year for n, t in totals.items() if is_result_account(chart.get(n), n)),
        ZERO,
    )
