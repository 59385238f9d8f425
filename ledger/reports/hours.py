"""Hours per person and project over a span, with the totals per person, per project and in
all (the rows come from the timesheet's own summary)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from ledger.timesheet import PersonProjectHours, hours_by_person_and_project

ZERO_HOURS = Decimal("0.00")


@dataclass(frozen=True)
class HoursTotal:
    """Hours of one person or one project (id and name), split as the rows are."""

    id: int
    name: str
    hours: Decimal
    billable_hours: Decimal
    invoiced_hours: Decimal


@dataclass(frozen=True)
class HoursReport:
    start: dt.date | None
    end: dt.date | None
    rows: tuple[PersonProjectHours, ...]
    people: tuple[HoursTotal, ...]
    projects: tuple[HoursTotal, ...]

    @property
    def total(self) -> Decimal:
        return sum((r.hours for r in self.rows), ZERO_HOURS)

    def rows_of(self, user_id: int) -> tuple[PersonProjectHours, ...]:
        """One person's rows, a row per project."""
        return tuple(r for r in self.rows if r.user_id == user_id)

    def hours_of(self, user_id: int) -> Decimal:
        """One person's hours in all."""
        return sum((r.hours for r in self.rows_of(user_id)), ZERO_HOURS)


def _totals(rows: list[tuple[int, str, PersonProjectHours]]) -> tuple[HoursTotal, ...]:
    sums: dict[int, HoursTotal] = {}
    for key, name, r in rows:
        t = sums.get(key, HoursTotal(key, name, ZERO_HOURS, ZERO_HOURS, ZERO_HOURS))
        sums[key] = HoursTotal(
            key, name, t.hours + r.hours, t.billable_hours + r.billable_hours, t.invoiced_hours + r.invoiced_hours
        )
    return tuple(sorted(sums.values(), key=lambda t: (t.name, t.id)))


def hours_report(
    session: Session, company_id: int, start: dt.date | None = None, end: dt.date | None = None, *,
    project_id: int | None = None, **whose: int | None,
) -> HoursReport:
    """Hours per person and project from `start` to `end`, of one project when given and of
    the people `whose` names (`actor_id`: staff see only their own; `user_id`: one person, as
    `hours_by_person_and_project` takes them). The chat and the REST API both read hours here."""
    rows = hours_by_person_and_project(session, company_id, start, end, **whose)
    if project_id is not None:
        rows = [r for r in rows if r.project_id == project_id]
    return HoursReport(
        start,
        end,
        tuple(rows),
        _totals([(r.user_id, r.user_name, r) for r in rows]),
        _totals([(r.project_id, r.project_name, r) for r in rows]),
    )
