"""Time: hours people log on projects, what is not yet invoiced, and each person's time bank.

A time entry is one person's hours on one project on one day: more than zero and at most 24
(and at most 24 for the person that day), in quarter hours or finer (two decimals at most:
7.5, 0.25, 1.1). Staff log and see only their own hours; owners and accountants anyone's.

The time bank (tidsbank) is the hours logged minus the norm of 7.5 hours per working day
(Monday to Friday, Norwegian public holidays excluded, `ledger.workdays`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ledger import clock
from ledger.errors import Forbidden, InvalidHours, InvalidInput, NotFound
from ledger.identity import role_in
from ledger.journal import CHANNELS
from ledger.models import Customer, Membership, Project, TimeEntry, User
from ledger.money import Money, round_money
from ledger.permissions import Capability, may
from ledger.projects import billing_rate, get_project
from ledger.workdays import working_days

Hours = Decimal
"""A number of hours, at most two decimals."""

NORMAL_DAY = Decimal("7.5")
"""The norm of a working day in hours (37.5 hours a week)."""

MAX_HOURS_PER_DAY = Decimal("24")
HOURS_QUANTUM = Decimal("0.01")


def hours_value(hours: Decimal | int | str) -> Hours:
    """`hours` as a Decimal, if it is a possible entry: 0 < hours ≤ 24, two decimals at most."""
    if isinstance(hours, float):
        raise InvalidHours("hours are never floats", hours=str(hours))
    if isinstance(hours, bool):
        raise InvalidHours(f"not a number of hours: {hours!r}", hours=str(hours))
    try:
        value = hours if isinstance(hours, Decimal) else Decimal(str(hours).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidHours(f"not a number of hours: {hours!r}", hours=str(hours)) from exc
    if not value.is_finite():
        raise InvalidHours(f"not a number of hours: {hours!r}", hours=str(hours))
    if value <= 0:
        raise InvalidHours("hours must be more than zero", hours=str(hours))
    if value > MAX_HOURS_PER_DAY:
        raise InvalidHours("a day has at most 24 hours", hours=str(hours))
    if value != value.quantize(HOURS_QUANTUM):
        raise InvalidHours("hours are logged in quarter hours or finer, with two decimals at most", hours=str(hours))
    return value.quantize(HOURS_QUANTUM)


def _visible_user(session: Session, company_id: int, actor_id: int, user_id: int | None) -> int | None:
    """Whose hours the actor may act on: staff only their own (Forbidden for anyone else's)."""
    role = role_in(session, actor_id, company_id)
    if not may(role, Capability.SEE_EVERYONES_HOURS):
        if user_id is not None and user_id != actor_id:
            raise Forbidden("staff log and see only their own hours", role=role)
        return actor_id
    return user_id


def log_time(
    session: Session,
    company_id: int,
    actor_id: int,
    project_id: int,
    day: dt.date,
    hours: Decimal | int | str,
    *,
    user_id: int | None = None,
    description: str = "",
    billable: bool = True,
    channel: str = "api",
    source: str = "",
) -> TimeEntry:
    """Log hours on a project for `user_id` (the actor by default; staff only for themselves)."""
    target = _visible_user(session, company_id, actor_id, user_id) or actor_id
    if target != actor_id:
        member = session.scalar(
            select(Membership.id).where(Membership.user_id == target, Membership.company_id == company_id)
        )
        if member is None:
            raise NotFound(f"no user {target} in this company", user_id=target)
    value = hours_value(hours)
    project = get_project(session, company_id, project_id)
    if not project.active:
        raise InvalidInput(f"the project {project.name} is closed", project=project.name)
    if day > clock.today():
        raise InvalidInput("hours are logged for days that have come", date=day.isoformat())
    if channel not in CHANNELS:
        raise InvalidInput(f"unknown channel {channel!r}", channel=channel)
    logged = session.scalar(
        select(func.coalesce(func.sum(TimeEntry.hours), 0)).where(
            TimeEntry.company_id == company_id, TimeEntry.user_id == target, TimeEntry.date == day
        )
    )
    already = Decimal(logged or 0)
    if already + value > MAX_HOURS_PER_DAY:
        raise InvalidHours(
            f"{day.isoformat()} already has {already:.2f} hours; a day has at most 24",
            hours=str(value),
            logged=f"{already:.2f}",
        )
    entry = TimeEntry(
        company_id=company_id,
        user_id=target,
        project_id=project.id,
        date=day,
        hours=value,
        description=description.strip()[:500],
        billable=billable,
        channel=channel,
        source=source[:200],
    )
    session.add(entry)
    session.flush()
    return entry


def remove_time_entry(session: Session, company_id: int, actor_id: int, entry_id: int) -> None:
    """Take back an unbilled time entry (staff only their own); invoiced hours stay."""
    entry = session.get(TimeEntry, entry_id)
    if entry is None or entry.company_id != company_id:
        raise NotFound(f"no time entry {entry_id}", entry_id=entry_id)
    _visible_user(session, company_id, actor_id, entry.user_id)
    if entry.invoice_id is not None:
        raise InvalidInput("these hours are invoiced; credit the invoice instead", entry_id=entry_id)
    session.delete(entry)
    session.flush()


def _entries_query(
    company_id: int,
    *,
    user_id: int | None,
    project_id: int | None,
    customer_id: int | None,
    start: dt.date | None,
    end: dt.date | None,
) -> Select[TimeEntry]:
    stmt = select(TimeEntry).where(TimeEntry.company_id == company_id)
    if user_id is not None:
        stmt = stmt.where(TimeEntry.user_id == user_id)
    if project_id is not None:
        stmt = stmt.where(TimeEntry.project_id == project_id)
    if customer_id is not None:
        stmt = stmt.where(TimeEntry.project_id.in_(select(Project.id).where(Project.customer_id == customer_id)))
    if start is not None:
        stmt = stmt.where(TimeEntry.date >= start)
    if end is not None:
        stmt = stmt.where(TimeEntry.date <= end)
    return stmt


def list_time_entries(
    session: Session,
    company_id: int,
    *,
    actor_id: int | None = None,
    user_id: int | None = None,
    project_id: int | None = None,
    customer_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    invoiced: bool | None = None,
    billable: bool | None = None,
) -> list[TimeEntry]:
    """Time entries by date, filtered; with `actor_id`, staff see only their own."""
    if actor_id is not None:
        user_id = _visible_user(session, company_id, actor_id, user_id)
    stmt = _entries_query(
        company_id, user_id=user_id, project_id=project_id, customer_id=customer_id, start=start, end=end
    )
    if invoiced is not None:
        stmt = stmt.where(TimeEntry.invoice_id.is_not(None) if invoiced else TimeEntry.invoice_id.is_(None))
    if billable is not None:
        stmt = stmt.where(TimeEntry.billable.is_(billable))
    return list(session.scalars(stmt.order_by(TimeEntry.date, TimeEntry.id)))


def unbilled_entries(
    session: Session,
    company_id: int,
    *,
    project_id: int | None = None,
    customer_id: int | None = None,
    through: dt.date | None = None,
    lock: bool = False,
) -> list[TimeEntry]:
    """Billable hours not yet invoiced (locked for the transaction with `lock`, so two
    invoices never bill the same hours)."""
    stmt = _entries_query(
        company_id, user_id=None, project_id=project_id, customer_id=customer_id, start=None, end=through
    ).where(TimeEntry.invoice_id.is_(None), TimeEntry.billable.is_(True))
    if lock:
        stmt = stmt.with_for_update()
    return list(session.scalars(stmt.order_by(TimeEntry.project_id, TimeEntry.date, TimeEntry.id)))


@dataclass(frozen=True)
class UnbilledHours:
    """A project's billable hours not yet invoiced.

    Attributes:
      project_id, project_name: the project.
      customer_id, customer_name: its customer; None for an internal project.
      hours: the hours not yet invoiced.
      rate: the hourly rate they would be invoiced at; None when neither the project nor the
        customer has one.
      amount: hours × rate before VAT; None without a rate.
      first_date, last_date: the span of the days worked.
    """

    project_id: int
    project_name: str
    customer_id: int | None
    customer_name: str | None
    hours: Hours
    rate: Money | None
    amount: Money | None
    first_date: dt.date
    last_date: dt.date


def summarise_unbilled(entries: Sequence[TimeEntry]) -> list[UnbilledHours]:
    """Unbilled entries summed per project (pure over the given rows)."""
    by_project: dict[int, list[TimeEntry]] = {}
    for entry in entries:
        by_project.setdefault(entry.project_id, []).append(entry)
    rows = []
    for group in by_project.values():
        project = group[0].project
        hours = sum((e.hours for e in group), Decimal("0"))
        rate = billing_rate(project)
        customer: Customer | None = project.customer
        rows.append(
            UnbilledHours(
                project_id=project.id,
                project_name=project.name,
                customer_id=customer.id if customer else None,
                customer_name=customer.name if customer else None,
                hours=hours,
                rate=rate,
                amount=round_money(hours * rate) if rate is not None else None,
                first_date=min(e.date for e in group),
                last_date=max(e.date for e in group),
            )
        )
    return sorted(rows, key=lambda r: (r.customer_name or "", r.project_name))


def unbilled_hours(
    session: Session,
    company_id: int,
    *,
    project_id: int | None = None,
    customer_id: int | None = None,
    through: dt.date | None = None,
) -> list[UnbilledHours]:
    """Billable hours not yet invoiced, per project (of one project or customer if given)."""
    return summarise_unbilled(
        unbilled_entries(session, company_id, project_id=project_id, customer_id=customer_id, through=through)
    )


@dataclass(frozen=True)
class TimeBank:
    """A person's hours against the norm over a span of days.

    Attributes:
      user_id: whose time bank.
      start, end: the span, both days included.
      working_days: Monday–Friday in the span, public holidays excluded.
      norm_hours: working_days × 7.5.
      logged_hours: all hours logged in the span (billable or not).
      balance: logged_hours − norm_hours; positive is time owed to the person (avspasering).
    """

    user_id: int
    start: dt.date
    end: dt.date
    working_days: int
    norm_hours: Hours
    logged_hours: Hours
    balance: Hours


def time_bank(
    session: Session,
    company_id: int,
    user_id: int,
    start: dt.date,
    end: dt.date | None = None,
    *,
    actor_id: int | None = None,
) -> TimeBank:
    """The time bank of `user_id` from `start` through `end` (today in Oslo by default)."""
    if actor_id is not None:
        user_id = _visible_user(session, company_id, actor_id, user_id) or user_id
    last = end or clock.today()
    if last < start:
        raise InvalidInput("the span ends before it starts", start=start.isoformat(), end=last.isoformat())
    logged = session.scalar(
        select(func.coalesce(func.sum(TimeEntry.hours), 0)).where(
            TimeEntry.company_id == company_id,
            TimeEntry.user_id == user_id,
            TimeEntry.date >= start,
            TimeEntry.date <= last,
        )
    )
    days = working_days(start, last)
    norm = NORMAL_DAY * days
    logged_hours = Decimal(logged or 0).quantize(HOURS_QUANTUM)
    return TimeBank(
        user_id=user_id,
        start=start,
        end=last,
        working_days=days,
        norm_hours=norm.quantize(HOURS_QUANTUM),
        logged_hours=logged_hours,
        balance=(logged_hours - norm).quantize(HOURS_QUANTUM),
    )


@dataclass(frozen=True)
class PersonProjectHours:
    """Hours one person logged on one project in a span.

    Attributes:
      hours: all hours; billable_hours and invoiced_hours are the parts billable and invoiced.
    """

    user_id: int
    user_name: str
    project_id: int
    project_name: str
    hours: Hours
    billable_hours: Hours
    invoiced_hours: Hours


def hours_by_person_and_project(
    session: Session,
    company_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    actor_id: int | None = None,
    user_id: int | None = None,
) -> list[PersonProjectHours]:
    """Hours per person and project in the span (staff see only their own with `actor_id`)."""
    entries = list_time_entries(session, company_id, actor_id=actor_id, user_id=user_id, start=start, end=end)
    sums: dict[tuple[int, int], list[Decimal]] = {}
    for e in entries:
        row = sums.setdefault((e.user_id, e.project_id), [Decimal("0")] * 3)
        row[0] += e.hours
        row[1] += e.hours if e.billable else 0
        row[2] += e.hours if e.invoice_id is not None else 0
    names = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_({k[0] for k in sums})))}
    projects = {p.id: p.name for p in session.scalars(select(Project).where(Project.id.in_({k[1] for k in sums})))}
    rows = [
        PersonProjectHours(
            user_id=uid,
            user_name=names.get(uid, ""),
            project_id=pid,
            project_name=projects.get(pid, ""),
            hours=h.quantize(HOURS_QUANTUM),
            billable_hours=b.quantize(HOURS_QUANTUM),
            invoiced_hours=i.quantize(HOURS_QUANTUM),
        )
        for (uid, pid), (h, b, i) in sums.items()
    ]
    return sorted(rows, key=lambda r: (r.user_name, r.project_name))
