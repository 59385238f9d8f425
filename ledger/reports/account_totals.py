"""The one aggregate most reports stand on: per account, the sum of debits and credits of the
journal lines in a span of days, and the company's chart to name and classify the accounts.

Whole months are read from the month totals (`AccountMonthTotal`, kept in step with the
journal as lines are posted), the days of a month cut by the span from the lines themselves
(an indexed range scan by company and date), so a balance or a trial balance reads a few
hundred rows whether the books hold a thousand lines or a million.

Result accounts (income and expense) start every year at zero; the results of earlier years
belong to equity. Until a year-end closing entry moves them, the reports carry them to 2050
(annen egenkapital) themselves, so that balances always add up to zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, cast, delete, func, insert, select
from sqlalchemy.orm import Session

from ledger.models import Account, AccountMonthTotal, JournalLine
from ledger.money import ZERO, Money

RESULT_KINDS = frozenset({"income", "expense"})
RETAINED_EARNINGS_ACCOUNT = "2050"
DISPOSITION_FROM = "8800"
CENT = Decimal("0.01")


def chart_of(session: Session, company_id: int) -> dict[str, Account]:
    """The company's accounts by number."""
    return {a.number: a for a in session.scalars(select(Account).where(Account.company_id == company_id))}


def is_result_account(account: Account | None, number: str) -> bool:
    """Accounts of the profit and loss, which start every year at zero: NS 4102 classes 3–8,
    the disposition of the result (88xx, 89xx) included, so that a year-end closing entry
    (8800 against 2050) and the carried result never count twice; by kind for an account
    numbered outside the standard."""
    if len(number) == 4 and number.isdigit():
        return "3" <= number[0] <= "8"
    return account is not None and account.kind in RESULT_KINDS


def is_disposition_account(number: str) -> bool:
    """88xx and 89xx: where the year's result goes (årsresultat, overføringer), below the result."""
    return number >= DISPOSITION_FROM and number[:1] == "8"


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


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _add(into: dict[str, list[Decimal]], rows: Iterable[Any]) -> None:
    for account, debit, credit in rows:
        sums = into.setdefault(account, [Decimal(0), Decimal(0)])
        sums[0] += Decimal(str(debit or 0))
        sums[1] += Decimal(str(credit or 0))


def sums_by_account(
    session: Session,
    company_id: int,
    first: dt.date | None,
    last: dt.date,
    accounts: Collection[str] | None = None,
) -> dict[str, tuple[Money, Money]]:
    """Per account: the sum of debits and the sum of credits of the lines dated `first` to
    `last` (`first` None: from the beginning), optionally only of `accounts`.

    Whole months come from the month totals (a few rows per account), only the days of a
    month cut by `first` or `last` from the lines (an indexed range scan), so the cost does
    not grow with the size of the books."""
    whole_from = None if first is None else (first if first.day == 1 else _next_month(first))
    whole_until = (last + dt.timedelta(days=1)).replace(day=1)  # months before this one are whole
    spans: list[tuple[dt.date | None, dt.date]] = []
    sums: dict[str, list[Decimal]] = {}
    if whole_from is not None and whole_from >= whole_until:
        spans.append((first, last))
    else:
        month = AccountMonthTotal
        stmt = select(month.account, func.sum(month.debit), func.sum(month.credit)).where(
            month.company_id == company_id, month.month < whole_until
        )
        if whole_from is not None:
            stmt = stmt.where(month.month >= whole_from)
        if accounts is not None:
            stmt = stmt.where(month.account.in_(list(accounts)))
        _add(sums, session.execute(stmt.group_by(month.account)))
        if first is not None and whole_from is not None and first < whole_from:
            spans.append((first, whole_from - dt.timedelta(days=1)))
        if whole_until <= last:
            spans.append((whole_until, last))
    for span_first, span_last in spans:
        line = JournalLine
        stmt = select(line.account, func.sum(line.debit), func.sum(line.credit)).where(
            line.company_id == company_id, line.date <= span_last
        )
        if span_first is not None:
            stmt = stmt.where(line.date >= span_first)
        if accounts is not None:
            stmt = stmt.where(line.account.in_(list(accounts)))
        _add(sums, session.execute(stmt.group_by(line.account)))
    return {account: (d.quantize(CENT), c.quantize(CENT)) for account, (d, c) in sums.items()}


def account_totals(
    session: Session, company_id: int, date_from: dt.date | None, date_to: dt.date
) -> dict[str, AccountTotals]:
    """Per account with any line up to `date_to`: its figures before and within the span
    (`date_from` None means from the first line)."""
    within = sums_by_account(session, company_id, date_from, date_to)
    before: dict[str, tuple[Money, Money]] = {}
    this_year: dict[str, tuple[Money, Money]] = {}
    if date_from is not None:
        day_before = date_from - dt.timedelta(days=1)
        before = sums_by_account(session, company_id, None, day_before)
        year_start = dt.date(date_from.year, 1, 1)
        if year_start < date_from:
            this_year = sums_by_account(session, company_id, year_start, day_before)
    zero = (ZERO, ZERO)
    return {
        account: AccountTotals(
            account,
            before.get(account, zero)[0] - before.get(account, zero)[1],
            this_year.get(account, zero)[0] - this_year.get(account, zero)[1],
            *within.get(account, zero),
        )
        for account in set(within) | set(before)
    }


def movements(
    session: Session, company_id: int, date_from: dt.date, date_to: dt.date
) -> dict[str, tuple[Money, Money]]:
    """Per account: (debits, credits) of the lines from `date_from` to `date_to`."""
    return sums_by_account(session, company_id, date_from, date_to)


def rebuild_month_totals(session: Session, company_id: int) -> int:
    """Recompute the company's month totals from its lines (after a bulk load that bypassed
    the ORM); returns how many rows there are now."""
    line = JournalLine
    dialect = session.get_bind().dialect.name
    month = (
        cast(func.date_trunc("month", line.date), Date)
        if dialect == "postgresql"
        else func.date(line.date, "start of month")
    )
    session.execute(delete(AccountMonthTotal).where(AccountMonthTotal.company_id == company_id))
    rows = select(line.company_id, line.account, month, func.sum(line.debit), func.sum(line.credit)).where(
        line.company_id == company_id
    ).group_by(line.company_id, line.account, month)
    session.execute(
        insert(AccountMonthTotal).from_select(["company_id", "account", "month", "debit", "credit"], rows)
    )
    count = session.scalar(select(func.count()).where(AccountMonthTotal.company_id == company_id))
    return int(count or 0)


def month_totals_findings(session: Session, company_id: int) -> list[str]:
    """Where the month totals disagree with the lines (empty when they agree)."""
    line = JournalLine
    findings = []
    by_line: dict[tuple[str, dt.date], tuple[Money, Money]] = {}
    for account, day, debit, credit in session.execute(
        select(line.account, line.date, line.debit, line.credit).where(line.company_id == company_id)
    ):
        d, c = by_line.get((account, day.replace(day=1)), (ZERO, ZERO))
        by_line[(account, day.replace(day=1))] = (d + debit, c + credit)
    stored = {
        (r.account, r.month): (Decimal(str(r.debit)).quantize(CENT), Decimal(str(r.credit)).quantize(CENT))
        for r in session.scalars(select(AccountMonthTotal).where(AccountMonthTotal.company_id == company_id))
    }
    for key in sorted(set(by_line) | set(stored)):
        want = by_line.get(key, (ZERO, ZERO))
        have = stored.get(key, (ZERO, ZERO))
        if want != have:
            findings.append(f"{key[0]} {key[1]:%Y-%m}: lines {want[0]}/{want[1]}, totals {have[0]}/{have[1]}")
    return findings


def earlier_years_result(totals: dict[str, AccountTotals], chart: dict[str, Account]) -> Money:
    """Debits minus credits on result accounts before this year (negative is a profit)."""
    return sum(
        (t.before - t.before_this_year for n, t in totals.items() if is_result_account(chart.get(n), n)),
        ZERO,
    )
