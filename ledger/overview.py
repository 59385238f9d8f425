"""Many companies' books at a glance: what an accountant (or the owner of several companies)
needs to know across their clients, and which client needs attention first.

Per company (`ClientFigures`): the bank balance (1920); what customers owe and how much of it
is overdue, by aging bucket; the VAT of the last term that has ended (to pay or to get back,
its due date, whether it is settled) and of the running term so far; terms left unsettled
past their due date; the statutory deadlines ahead; billable hours not yet invoiced; and the
result so far this year.

Everything is read for all the companies at once: a handful of aggregate queries grouped by
company (balances and results from the month totals, `account_month_totals`), never one
report per company, so that two hundred clients answer about as fast as one. The figures are
the ones the per-company reports give (`bank_balance`, `receivables_aging`, `vat_report`,
`upcoming_deadlines`, `unbilled_hours`, `profit_and_loss`; the tests compare them); only the
way they are read differs.

Which client needs attention first is domain knowledge too and lives here: `concerns_of`
names what is wrong with a company, `ordered` sorts the companies for one figure or for all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from ledger import clock
from ledger.deadlines import CompanyProfile, Deadline, deadlines_between
from ledger.identity import memberships_of
from ledger.models import (
    AccountMonthTotal,
    ClosedPeriod,
    Company,
    Customer,
    FixedPoint,
    Invoice,
    JournalLine,
    Payment,
    Project,
    TimeEntry,
)
from ledger.money import ZERO, Money, round_money
from ledger.permissions import Capability, may
from ledger.reports.account_totals import is_disposition_account, is_result_account
from ledger.reports.balances import BANK_ACCOUNT
from ledger.reports.receivables import AgingBuckets, bucket_of
from ledger.timesheet import Hours
from ledger.vat import (
    PURCHASE_CODES,
    SALES_CODES,
    VAT_ACCOUNTS,
    TermKind,
    VatTerm,
    in_vat_return,
    term_of,
)

DEADLINE_HORIZON_DAYS = 400
"""How far ahead deadlines are read: every kind of deadline comes round within a year."""

SOON_DAYS = 7
"""A deadline this close is one to act on now."""

SETTLED_STATUSES = ("paid", "credited")
"""Invoice statuses that say nothing is owed on it any more, every payment counted."""

_MONEY = FixedPoint(2)
_HOURS = FixedPoint(2, 8)


class Figure(StrEnum):
    """What an overview across clients is about (each has its own order of attention).

    Attributes:
      ALL: every figure, ordered by what is most urgent overall.
      BALANCE: the bank balance, lowest first.
      UNPAID: what customers owe, the most overdue first.
      VAT: the VAT of the last term, unsettled first, then by due date.
      DEADLINES: the next deadline, soonest first.
      UNBILLED: hours not yet invoiced, the largest amount first.
      RESULT: the result so far this year, the weakest first.
    """

    ALL = "all"
    BALANCE = "balance"
    UNPAID = "unpaid"
    VAT = "vat"
    DEADLINES = "deadlines"
    UNBILLED = "unbilled"
    RESULT = "result"


class Concern(StrEnum):
    """Something about a company that needs its accountant, most urgent first.

    Attributes:
      VAT_LATE: a VAT term past its due date is not settled.
      BANK_NEGATIVE: the bank account is overdrawn.
      DEADLINE_SOON: a deadline within a week that is not known to be met.
      OVERDUE_90: customers owe money more than 90 days past due.
      OVERDUE: customers owe money past due.
      VAT_UNSETTLED: the last term that has ended is not settled yet (not yet due).
      LOSS: the year so far shows a loss.
      UNBILLED: hours are waiting to be invoiced.
    """

    VAT_LATE = "vat_late"
    BANK_NEGATIVE = "bank_negative"
    DEADLINE_SOON = "deadline_soon"
    OVERDUE_90 = "overdue_90"
    OVERDUE = "overdue"
    VAT_UNSETTLED = "vat_unsettled"
    LOSS = "loss"
    UNBILLED = "unbilled"


_SEVERITY = {concern: rank for rank, concern in enumerate(Concern)}


@dataclass(frozen=True)
class VatStatus:
    """A VAT-registered company's VAT as its accountant follows it.

    Attributes:
      term: the last term that has ended (the next return to file and pay).
      to_pay: that term's output minus input VAT (negative: to get back), as its report says.
      settled: whether that term is settled (moved to 2740, its VAT period closed).
      running_term, running_to_pay: the term under way and its VAT so far.
      late_terms: terms past their due date that are not settled, oldest first.
    """

    term: VatTerm
    to_pay: Money
    settled: bool
    running_term: VatTerm
    running_to_pay: Money
    late_terms: tuple[VatTerm, ...]

    @property
    def due_date(self) -> dt.date:
        return self.term.due_date


@dataclass(frozen=True)
class ClientFigures:
    """One company's figures in an overview across clients, on the day `on`.

    Attributes:
      company_id, name: the company.
      on: the day the figures are for (today in Oslo).
      bank_balance: what is on 1920 (every posted line).
      receivables: what customers owe at the end of `on`, by how overdue (`not_due`, 0–30, ...).
      open_by_due_date: (due date, amount still owed) of the open invoices, by due date: what
        `overdue_beyond` counts from.
      vat: the company's VAT; None when it is not VAT-registered.
      deadlines: its statutory deadlines from `on` through the next 400 days, by date.
      unbilled_hours: billable hours not yet invoiced.
      unbilled_amount: those hours at their project's or customer's rate, before VAT (hours
        without a rate count as nothing).
      result: income minus costs from 1 January through `on` (positive is a profit).
    """

    company_id: int
    name: str
    on: dt.date
    bank_balance: Money
    receivables: AgingBuckets
    open_by_due_date: tuple[tuple[dt.date, Money], ...]
    vat: VatStatus | None
    deadlines: tuple[Deadline, ...]
    unbilled_hours: Hours
    unbilled_amount: Money
    result: Money

    def overdue_beyond(self, days: int) -> Money:
        """What customers owe more than `days` days past the due date (0: everything overdue)."""
        return sum((amount for due, amount in self.open_by_due_date if (self.on - due).days > days), ZERO)

    @property
    def open_deadlines(self) -> tuple[Deadline, ...]:
        """The deadlines still to meet: a VAT return whose term is settled is met."""
        return tuple(d for d in self.deadlines if not _vat_deadline_met(d, self.vat))

    @property
    def next_deadline(self) -> Deadline | None:
        return next(iter(self.open_deadlines), None)

    @property
    def concerns(self) -> tuple[Concern, ...]:
        return concerns_of(self)


def _vat_deadline_met(deadline: Deadline, vat: VatStatus | None) -> bool:
    if deadline.kind != "mva" or vat is None:
        return False
    if deadline.period == vat.term.key:
        return vat.settled
    # An earlier term than the last one is met unless it is among the late ones.
    return deadline.due_date < vat.term.due_date and all(t.key != deadline.period for t in vat.late_terms)


def concerns_of(row: ClientFigures) -> tuple[Concern, ...]:
    """What needs attention in the company, most urgent first (none: all is well)."""
    found = []
    if row.vat is not None and row.vat.late_terms:
        found.append(Concern.VAT_LATE)
    if row.bank_balance < 0:
        found.append(Concern.BANK_NEGATIVE)
    soon = row.on + dt.timedelta(days=SOON_DAYS)
    if any(d.due_date <= soon for d in row.open_deadlines):
        found.append(Concern.DEADLINE_SOON)
    if row.receivables.days_over_90 > 0:
        found.append(Concern.OVERDUE_90)
    if row.receivables.overdue > 0:
        found.append(Concern.OVERDUE)
    if row.vat is not None and not row.vat.settled and not row.vat.late_terms:
        found.append(Concern.VAT_UNSETTLED)
    if row.result < 0:
        found.append(Concern.LOSS)
    if row.unbilled_hours > 0:
        found.append(Concern.UNBILLED)
    return tuple(sorted(found, key=_SEVERITY.__getitem__))


_FAR = dt.date.max


def _attention_key(row: ClientFigures) -> tuple[Any, ...]:
    concerns = row.concerns
    worst = _SEVERITY[concerns[0]] if concerns else len(_SEVERITY)
    deadline = row.next_deadline
    return (worst, -len(concerns), deadline.due_date if deadline else _FAR, -row.receivables.overdue, row.name)


def _deadline_key(row: ClientFigures) -> tuple[Any, ...]:
    """A VAT term past due and not settled comes before any deadline still ahead."""
    late = row.vat.late_terms if row.vat is not None else ()
    upcoming = row.next_deadline
    first = min([t.due_date for t in late[:1]] + ([upcoming.due_date] if upcoming else []), default=_FAR)
    return (first, row.name)


def _vat_key(row: ClientFigures) -> tuple[Any, ...]:
    vat = row.vat
    if vat is None:
        return (3, _FAR, ZERO, row.name)
    state = 0 if vat.late_terms else 1 if not vat.settled else 2
    return (state, vat.due_date, -vat.to_pay, row.name)


def ordered(
    rows: Iterable[ClientFigures], figure: Figure = Figure.ALL, *, overdue_days: int = 0
) -> list[ClientFigures]:
    """The companies in the order to look at them for `figure`: the lowest bank balance, the
    most overdue receivables (more than `overdue_days` past due, then all), unsettled and late
    VAT, the soonest deadline (a VAT term left unsettled past its due date before any), the
    most unbilled work, the weakest result; for `ALL`, the most urgent concern first (see
    `Concern`), then the soonest deadline."""
    keys = {
        Figure.ALL: _attention_key,
        Figure.BALANCE: lambda r: (r.bank_balance, r.name),
        Figure.UNPAID: lambda r: (
            -r.overdue_beyond(overdue_days), -r.receivables.overdue, -r.receivables.total, r.name
        ),
        Figure.VAT: _vat_key,
        Figure.DEADLINES: _deadline_key,
        Figure.UNBILLED: lambda r: (-r.unbilled_amount, -r.unbilled_hours, r.name),
        Figure.RESULT: lambda r: (r.result, r.name),
    }
    return sorted(rows, key=keys[figure])


# --------------------------------------------------------------------------------------------
# Reading the figures


def kept_companies(session: Session, user_id: int) -> dict[int, str]:
    """The companies whose books the user keeps (their role there may keep the books: owners
    and accountants, not staff), with that role."""
    return {
        m.company_id: m.role for m in memberships_of(session, user_id) if may(m.role, Capability.KEEP_BOOKS)
    }


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _decimal(value: object) -> Decimal:
    return Decimal(str(value or 0))


def _bank_balances(session: Session, ids: Sequence[int]) -> dict[int, Money]:
    """Every posted line on 1920, per company, from the month totals."""
    month = AccountMonthTotal
    rows = session.execute(
        select(month.company_id, func.sum(month.debit), func.sum(month.credit))
        .where(month.company_id.in_(ids), month.account == BANK_ACCOUNT)
        .group_by(month.company_id)
    )
    return {cid: (_decimal(d) - _decimal(c)).quantize(ZERO) for cid, d, c in rows}


def _results(session: Session, ids: Sequence[int], first: dt.date, on: dt.date) -> dict[int, Money]:
    """Income minus costs from `first` (a 1st of a month) through `on`, per company: the month
    totals of the months from `first` through `on`'s month, less the lines of that month
    dated after `on` (seldom any: only what was posted ahead of time)."""
    month_end = _next_month(on) - dt.timedelta(days=1)
    month, line = AccountMonthTotal, JournalLine
    sums: dict[tuple[int, str], Decimal] = {}
    whole = (
        select(month.company_id, month.account, func.sum(month.debit), func.sum(month.credit))
        .where(month.company_id.in_(ids), month.month >= first, month.month <= on)
        .group_by(month.company_id, month.account)
    )
    for cid, account, debit, credit in session.execute(whole):
        sums[(cid, account)] = _decimal(credit) - _decimal(debit)
    if on < month_end:
        ahead = (
            select(line.company_id, line.account, func.sum(line.debit), func.sum(line.credit))
            .where(line.company_id.in_(ids), line.date > on, line.date <= month_end)
            .group_by(line.company_id, line.account)
        )
        for cid, account, debit, credit in session.execute(ahead):
            sums[(cid, account)] = sums.get((cid, account), ZERO) - (_decimal(credit) - _decimal(debit))
    results: dict[int, Money] = {}
    for (cid, account), amount in sums.items():
        if is_result_account(None, account) and not is_disposition_account(account):
            results[cid] = results.get(cid, ZERO) + amount
    return {cid: amount.quantize(ZERO) for cid, amount in results.items()}


def _open_by_due_date(session: Session, ids: Sequence[int], on: dt.date) -> dict[int, list[tuple[dt.date, Money]]]:
    """What is still owed on the companies' invoices at the end of `on`, per company and due
    date: the invoice's total less the payments and credit notes dated up to `on`, as
    `receivables.open_invoices` counts it.

    Invoices marked paid or credited are left out without reading their payments: the
    status counts every payment registered, so one paid in full by a payment dated after
    `on` (registered ahead of time) is left out too. Most invoices of a year of books are
    paid, so this reads a few per company instead of all of them, in one pass over the
    companies' invoices (the open ones with their payments, and the credit notes)."""
    paid = (
        select(func.sum(Payment.amount))
        .where(Payment.invoice_id == Invoice.id, Payment.date <= on)
        .correlate(Invoice)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Invoice.id, Invoice.company_id, Invoice.kind, Invoice.credits_id, Invoice.due_date, Invoice.total, paid
        ).where(
            Invoice.company_id.in_(ids),
            Invoice.issue_date <= on,
            or_(
                and_(Invoice.kind == "invoice", Invoice.status.not_in(SETTLED_STATUSES)),
                Invoice.kind == "credit_note",
            ),
        )
    ).all()
    invoices = [r for r in rows if r.kind == "invoice"]
    taken: dict[int, Decimal] = {r.id: _decimal(r[-1]) for r in invoices}
    for note in rows:
        if note.kind == "credit_note" and note.credits_id is not None:
            taken[note.credits_id] = taken.get(note.credits_id, ZERO) + note.total
    sums: dict[tuple[int, dt.date], Decimal] = {}
    for invoice in invoices:
        left = invoice.total - taken.get(invoice.id, ZERO)
        if left > 0:
            key = (invoice.company_id, invoice.due_date)
            sums[key] = sums.get(key, ZERO) + left
    found: dict[int, list[tuple[dt.date, Money]]] = {}
    for (cid, due), amount in sorted(sums.items()):
        found.setdefault(cid, []).append((due, amount.quantize(ZERO)))
    return found


def _aging(owed: Sequence[tuple[dt.date, Money]], on: dt.date) -> AgingBuckets:
    sums: dict[str, Money] = {}
    for due, amount in owed:
        bucket = bucket_of((on - due).days)
        sums[bucket] = sums.get(bucket, ZERO) + amount
    return AgingBuckets.of(sums)


_RETURN_CODES = [code for code in SALES_CODES + PURCHASE_CODES if in_vat_return(code)]


def _vat_between(
    session: Session, ids: Sequence[int], first: dt.date, split: dt.date, last: dt.date
) -> dict[int, tuple[Money, Money]]:
    """Per company, output minus input VAT of the lines dated `first`..`split` and
    `split`+1..`last`: the VAT lines (2700, 2710) of the codes in the VAT return, each counted
    credit minus debit, which is what `vat_report` sums per code and rate."""
    line = JournalLine
    in_first: ColumnElement[bool] = line.date <= split
    rows = session.execute(
        select(
            line.company_id,
            func.sum(case((in_first, line.credit), else_=0), type_=_MONEY),
            func.sum(case((in_first, line.debit), else_=0), type_=_MONEY),
            func.sum(case((in_first, 0), else_=line.credit), type_=_MONEY),
            func.sum(case((in_first, 0), else_=line.debit), type_=_MONEY),
        )
        .where(
            line.company_id.in_(ids),
            line.account.in_(VAT_ACCOUNTS),
            line.vat_code.in_(_RETURN_CODES),
            line.date >= first,
            line.date <= last,
        )
        .group_by(line.company_id)
    )
    return {
        cid: ((_decimal(c1) - _decimal(d1)).quantize(ZERO), (_decimal(c2) - _decimal(d2)).quantize(ZERO))
        for cid, c1, d1, c2, d2 in rows
    }


def _settled_through(session: Session, ids: Sequence[int]) -> dict[int, dt.date]:
    """The end of the last settled VAT term, per company that has settled one."""
    rows = session.execute(
        select(ClosedPeriod.company_id, func.max(ClosedPeriod.closed_through))
        .where(ClosedPeriod.company_id.in_(ids), ClosedPeriod.vat_term.is_not(None))
        .group_by(ClosedPeriod.company_id)
    )
    return {cid: through for cid, through in rows}


def _first_vat_month(session: Session, ids: Sequence[int]) -> dict[int, dt.date]:
    """The first month with a line on 2700 or 2710, per company."""
    month = AccountMonthTotal
    rows = session.execute(
        select(month.company_id, func.min(month.month))
        .where(month.company_id.in_(ids), month.account.in_(VAT_ACCOUNTS))
        .group_by(month.company_id)
    )
    return {cid: first for cid, first in rows}


def _late_terms(first_open: VatTerm | None, on: dt.date) -> tuple[VatTerm, ...]:
    """The terms from `first_open` on that are past their due date at `on`."""
    late = []
    term = first_open
    while term is not None and term.due_date < on:
        late.append(term)
        term = term.next()
    return tuple(late)


def _vat_statuses(session: Session, companies: Sequence[Company], on: dt.date) -> dict[int, VatStatus]:
    registered = [c for c in companies if c.vat_registered]
    if not registered:
        return {}
    ids = [c.id for c in registered]
    settled_through = _settled_through(session, ids)
    never_settled = [cid for cid in ids if cid not in settled_through]
    first_month = _first_vat_month(session, never_settled) if never_settled else {}
    statuses = {}
    for kind in ("bimonthly", "annual"):
        of_kind = [c for c in registered if _term_kind(c) == kind]
        if not of_kind:
            continue
        running = term_of(on, kind)
        last = running.previous()
        sums = _vat_between(session, [c.id for c in of_kind], last.start, last.end, on)
        for company in of_kind:
            through = settled_through.get(company.id)
            if through is not None:
                first_open: VatTerm | None = term_of(through + dt.timedelta(days=1), kind)
            elif company.id in first_month:
                first_open = term_of(first_month[company.id], kind)
            else:
                first_open = None
            to_pay, running_to_pay = sums.get(company.id, (ZERO, ZERO))
            statuses[company.id] = VatStatus(
                term=last,
                to_pay=to_pay,
                settled=through is not None and through >= last.end,
                running_term=running,
                running_to_pay=running_to_pay,
                late_terms=_late_terms(first_open, on),
            )
    return statuses


def _term_kind(company: Company) -> TermKind:
    return "annual" if company.vat_term == "annual" else "bimonthly"


def _unbilled(session: Session, ids: Sequence[int]) -> dict[int, tuple[Hours, Money]]:
    """Billable hours not yet invoiced per company, and their amount at each project's rate
    (else its customer's), rounded per project as an invoice of them would be."""
    rows = session.execute(
        select(
            TimeEntry.company_id,
            TimeEntry.project_id,
            func.sum(TimeEntry.hours, type_=_HOURS),
            Project.hourly_rate,
            Customer.hourly_rate,
        )
        .join(Project, Project.id == TimeEntry.project_id)
        .outerjoin(Customer, Customer.id == Project.customer_id)
        .where(TimeEntry.company_id.in_(ids), TimeEntry.invoice_id.is_(None), TimeEntry.billable.is_(True))
        .group_by(TimeEntry.company_id, TimeEntry.project_id, Project.hourly_rate, Customer.hourly_rate)
    )
    found: dict[int, tuple[Hours, Money]] = {}
    for cid, _, hours, project_rate, customer_rate in rows:
        hours = _decimal(hours)
        rate = project_rate if project_rate is not None else customer_rate
        amount = round_money(hours * rate) if rate is not None else ZERO
        before_hours, before_amount = found.get(cid, (Decimal("0"), ZERO))
        found[cid] = (before_hours + hours, before_amount + amount)
    return found


def clients_overview(session: Session, company_ids: Iterable[int], *, on: dt.date | None = None) -> list[ClientFigures]:
    """The figures of each of `company_ids` (unknown ids are left out), in the order to look
    at them (`ordered(..., Figure.ALL)`), on `on` (today in Oslo by default)."""
    on = on or clock.today()
    ids = sorted(set(company_ids))
    if not ids:
        return []
    companies = list(session.scalars(select(Company).where(Company.id.in_(ids))))
    ids = [c.id for c in companies]
    balances = _bank_balances(session, ids)
    results = _results(session, ids, dt.date(on.year, 1, 1), on)
    owed = _open_by_due_date(session, ids, on)
    vat = _vat_statuses(session, companies, on)
    unbilled = _unbilled(session, ids)
    deadlines: dict[CompanyProfile, tuple[Deadline, ...]] = {}
    rows = []
    for company in companies:
        profile = CompanyProfile(
            form=company.form,
            vat_registered=company.vat_registered,
            vat_term=_term_kind(company),
            has_employees=company.has_employees,
        )
        if profile not in deadlines:
            horizon = on + dt.timedelta(days=DEADLINE_HORIZON_DAYS)
            deadlines[profile] = tuple(deadlines_between(profile, on, horizon))
        open_amounts = owed.get(company.id, [])
        hours, amount = unbilled.get(company.id, (Decimal("0.00"), ZERO))
        rows.append(
            ClientFigures(
                company_id=company.id,
                name=company.name,
                on=on,
                bank_balance=balances.get(company.id, ZERO),
                receivables=_aging(open_amounts, on),
                open_by_due_date=tuple(open_amounts),
                vat=vat.get(company.id),
                deadlines=deadlines[profile],
                unbilled_hours=hours,
                unbilled_amount=amount,
                result=results.get(company.id, ZERO),
            )
        )
    return ordered(rows)
