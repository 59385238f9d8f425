"""Statutory deadlines (frister) per company, and the late fee for annual accounts.

What applies follows from the company's form, VAT registration and term, and whether it has
employees:

- "mva": the VAT return and payment per term (see `ledger.vat`), when VAT-registered;
- "a-melding": pay and withholding, by the 5th of the following month, with employees;
- "aksjonaerregisteroppgave": the shareholder register statement, 31 January (AS);
- "skattemelding": the tax return, 31 May;
- "generalforsamling": the AS's ordinary general meeting that approves the accounts, by 30 June;
- "arsregnskap": the annual accounts to Regnskapsregisteret in Brønnøysund, 31 July (AS).

The dates are data (`ledger/data/statutory_deadlines.csv`). A deadline to the authorities
that falls on a weekend or public holiday moves to the next working day; the general meeting
is the company's own and does not move.

Late annual accounts cost a fee (forsinkelsesgebyr, regnskapsloven § 10-2): one rettsgebyr a
week for the first 8 weeks, two a week for the next 10 and three a week for the last 8, at
most 52 rettsgebyr. The rettsgebyr is set every year (`ledger/data/rettsgebyr.csv`, a row per
year with its source). A year the table has no row for yet uses the latest earlier figure,
and the answer says which year's figure that is: the table is not guessed ahead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from sqlalchemy.orm import Session

from ledger import clock
from ledger.companies import company_by_id
from ledger.data import read_table
from ledger.errors import InvalidInput
from ledger.money import Money
from ledger.vat import TermKind, terms_between
from ledger.workdays import next_working_day

ANNUAL_ACCOUNTS_FEE_STEPS = ((8, 1), (10, 2), (8, 3))
"""(weeks, rettsgebyr per week) in order: 8 × 1 + 10 × 2 + 8 × 3 = 52 at most."""

NOT_MOVED = frozenset({"generalforsamling"})


@dataclass(frozen=True)
class Rettsgebyr:
    """The rettsgebyr (court fee unit) used for a day.

    Attributes:
      amount: the fee in NOK.
      valid_from: the first day of the table row used.
      source: where that row's figure comes from.
      asked_for: the day it was asked for.
    """

    amount: Money
    valid_from: dt.date
    source: str
    asked_for: dt.date

    @property
    def year(self) -> int:
        """The year whose figure this is."""
        return self.valid_from.year

    @property
    def is_that_years(self) -> bool:
        """False when the table has no row for the year asked for yet (an earlier year's
        figure stands in, and the answer must say so)."""
        return self.year == self.asked_for.year


@lru_cache(maxsize=1)
def _rettsgebyr_table() -> tuple[tuple[dt.date, Money, str], ...]:
    rows = read_table("rettsgebyr.csv")
    return tuple(
        sorted(
            (dt.date.fromisoformat(r["valid_from"]), Decimal(r["amount"]).quantize(Decimal("0.01")), r["source"])
            for r in rows
        )
    )


def rettsgebyr_for(day: dt.date) -> Rettsgebyr:
    """The rettsgebyr row in force on `day`, saying which year's figure it is."""
    found = None
    for valid_from, value, source in _rettsgebyr_table():
        if valid_from <= day:
            found = Rettsgebyr(value, valid_from, source, day)
    if found is None:
        raise InvalidInput(f"no rettsgebyr is known for {day.isoformat()}", date=day.isoformat())
    return found


def rettsgebyr_on(day: dt.date) -> Money:
    """The rettsgebyr in force on `day` (NOK 1 150 in 2019, 1 314 in 2025)."""
    return rettsgebyr_for(day).amount


def late_fee_units(weeks_late: int) -> int:
    """How many rettsgebyr `weeks_late` started weeks of late annual accounts cost (≤ 52)."""
    if weeks_late < 0:
        raise InvalidInput("weeks late is never negative", weeks_late=weeks_late)
    units, left = 0, weeks_late
    for weeks, per_week in ANNUAL_ACCOUNTS_FEE_STEPS:
        taken = min(left, weeks)
        units += taken * per_week
        left -= taken
    return units


def annual_accounts_late_fee(weeks_late: int, rettsgebyr: Money) -> Money:
    """The fee for annual accounts `weeks_late` weeks late: 52 × 1 150 = 59 800 at most (2019)."""
    return late_fee_units(weeks_late) * rettsgebyr


def weeks_late(due: dt.date, on: dt.date) -> int:
    """Started weeks after the due date (the 1st to 7th day late is one week)."""
    days = (on - due).days
    return 0 if days <= 0 else (days + 6) // 7


@dataclass(frozen=True)
class LateFeeRule:
    """How lateness is charged for a deadline.

    Attributes:
      code: "annual_accounts_weekly" (the only fee we compute: weekly rettsgebyr).
      law: the provision.
      steps: (weeks, rettsgebyr per week) in order.
      max_rettsgebyr: the most it can cost, counted in rettsgebyr.
      rettsgebyr: the rettsgebyr in force on the due date.
      rettsgebyr_year: the year whose rettsgebyr that is.
      fee_year: the year of the due date, when the fee would run; when it differs from
        `rettsgebyr_year`, the table has no figure for it yet and an earlier one stands in.
      rettsgebyr_source: where the figure comes from.
    """

    code: str
    law: str
    steps: tuple[tuple[int, int], ...]
    max_rettsgebyr: int
    rettsgebyr: Money
    rettsgebyr_year: int
    fee_year: int
    rettsgebyr_source: str

    @property
    def rettsgebyr_is_that_years(self) -> bool:
        return self.rettsgebyr_year == self.fee_year

    @property
    def max_fee(self) -> Money:
        return self.max_rettsgebyr * self.rettsgebyr

    def fee_after(self, weeks: int) -> Money:
        return annual_accounts_late_fee(weeks, self.rettsgebyr)


def annual_accounts_fee_rule(due: dt.date) -> LateFeeRule:
    """The weekly fee of annual accounts due on `due`, at the rettsgebyr of that day."""
    fee = rettsgebyr_for(due)
    return LateFeeRule(
        code="annual_accounts_weekly",
        law="regnskapsloven § 10-2",
        steps=ANNUAL_ACCOUNTS_FEE_STEPS,
        max_rettsgebyr=late_fee_units(sum(w for w, _ in ANNUAL_ACCOUNTS_FEE_STEPS)),
        rettsgebyr=fee.amount,
        rettsgebyr_year=fee.year,
        fee_year=due.year,
        rettsgebyr_source=fee.source,
    )


@dataclass(frozen=True)
class Deadline:
    """One statutory deadline of a company.

    Attributes:
      kind: "mva", "a-melding", "aksjonaerregisteroppgave", "skattemelding",
        "generalforsamling" or "arsregnskap".
      due_date: the day it must be done, moved past weekends and holidays.
      period: what it is for: a VAT term ("2026-5", "2026-annual"), a month ("2026-10") or
        an income year ("2025").
      late_fee_rule: how lateness is charged, when we know it (annual accounts).
      statutory_date: the date as the rule states it, before any move.
    """

    kind: str
    due_date: dt.date
    period: str
    late_fee_rule: LateFeeRule | None
    statutory_date: dt.date


@dataclass(frozen=True)
class CompanyProfile:
    """What decides a company's deadlines."""

    form: str
    vat_registered: bool
    vat_term: TermKind
    has_employees: bool


@lru_cache(maxsize=1)
def _rules() -> tuple[dict[str, str], ...]:
    return tuple(r for r in read_table("statutory_deadlines.csv") if r["kind"] != "mva")


def _applies(rule: dict[str, str], profile: CompanyProfile, year: int) -> bool:
    if dt.date.fromisoformat(rule["valid_from"]) > dt.date(year, 12, 31):
        return False
    who = rule["applies_to"]
    if who == "employees":
        return profile.has_employees
    if who == "all":
        return True
    return who == profile.form


def _deadline(kind: str, statutory: dt.date, period: str) -> Deadline:
    due = statutory if kind in NOT_MOVED else next_working_day(statutory)
    rule = annual_accounts_fee_rule(due) if kind == "arsregnskap" else None
    return Deadline(kind, due, period, rule, statutory)


def deadlines_between(profile: CompanyProfile, first: dt.date, last: dt.date) -> list[Deadline]:
    """Every deadline of a company like `profile` due from `first` to `last`, by date."""
    found: list[Deadline] = []
    if profile.vat_registered:
        # Terms ending up to 14 months before `first` can still be due inside the window.
        for term in terms_between(dt.date(first.year - 2, 1, 1), last, profile.vat_term):
            found.append(_deadline("mva", term.statutory_due_date, term.key))
    for year in range(first.year - 1, last.year + 1):
        for rule in _rules():
            if not _applies(rule, profile, year):
                continue
            if rule["kind"] == "a-melding":
                for month in range(1, 13):
                    after = dt.date(year + month // 12, month % 12 + 1, int(rule["due_day"]))
                    found.append(_deadline("a-melding", after, f"{year}-{month:02d}"))
            else:
                statutory = dt.date(year + int(rule["years_after"]), int(rule["due_month"]), int(rule["due_day"]))
                found.append(_deadline(rule["kind"], statutory, str(year)))
    return sorted(
        (d for d in found if first <= d.due_date <= last), key=lambda d: (d.due_date, d.kind, d.period)
    )


def company_profile(session: Session, company_id: int) -> CompanyProfile:
    company = company_by_id(session, company_id)
    return CompanyProfile(
        form=company.form,
        vat_registered=company.vat_registered,
        vat_term="annual" if company.vat_term == "annual" else "bimonthly",
        has_employees=company.has_employees,
    )


def upcoming_deadlines(
    session: Session, company_id: int, *, today: dt.date | None = None, days: int = 365
) -> list[Deadline]:
    """The company's deadlines from today (in Oslo) through the next `days` days."""
    start = today or clock.today()
    return deadlines_between(company_profile(session, company_id), start, start + dt.timedelta(days=days))
