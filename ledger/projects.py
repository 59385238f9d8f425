"""Projects: work for a customer that hours are logged on and invoiced from, at an hourly rate.

A project's own rate wins; without one, the customer's rate applies (`billing_rate`). Names
are unique per company and resolved as said ("nettside", "hemsedal") like customers'.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.customers import (
    Choice,
    Resolution,
    clean_name,
    fold_name,
    get_customer,
    hourly_rate_value,
    match_names,
)
from ledger.errors import DuplicateName, UnknownCompany, UnknownProject
from ledger.models import Company, Project
from ledger.money import Money


def create_project(
    session: Session,
    company_id: int,
    name: str,
    *,
    customer_id: int | None = None,
    hourly_rate: Decimal | int | str | None = None,
) -> Project:
    """Add a project, for a customer of the company (or internal, without one)."""
    # Lock the company row (FOR NO KEY UPDATE, which leaves rows that merely refer to the
    # company free to be written) so that two people adding the same name are checked in turn.
    company = session.scalar(select(Company).where(Company.id == company_id).with_for_update(key_share=True))
    if company is None:
        raise UnknownCompany(f"no company {company_id}", company_id=company_id)
    cleaned = clean_name(name)
    rate = hourly_rate_value(hourly_rate)
    if customer_id is not None:
        get_customer(session, company_id, customer_id)
    existing = find_project(session, company_id, cleaned)
    if existing is not None:
        raise DuplicateName(f"a project named {existing.name} exists", name=existing.name, id=existing.id)
    project = Project(company_id=company_id, customer_id=customer_id, name=cleaned, hourly_rate=rate)
    session.add(project)
    session.flush()
    return project


def list_projects(
    session: Session, company_id: int, *, customer_id: int | None = None, include_inactive: bool = False
) -> list[Project]:
    """The company's projects by name (only active ones unless asked)."""
    stmt = select(Project).where(Project.company_id == company_id)
    if customer_id is not None:
        stmt = stmt.where(Project.customer_id == customer_id)
    if not include_inactive:
        stmt = stmt.where(Project.active.is_(True))
    return list(session.scalars(stmt.order_by(Project.name, Project.id)))


def get_project(session: Session, company_id: int, project_id: int) -> Project:
    """The company's project with this id; UnknownProject for any other."""
    project = session.get(Project, project_id)
    if project is None or project.company_id != company_id:
        raise UnknownProject(f"no project {project_id}", project_id=project_id)
    return project


def find_project(session: Session, company_id: int, name: str) -> Project | None:
    """The project called `name` (ignoring case, spacing and punctuation), if any."""
    target = fold_name(name)
    for project in list_projects(session, company_id, include_inactive=True):
        if fold_name(project.name) == target:
            return project
    return None


def resolve_project(session: Session, company_id: int, said: str, *, customer_id: int | None = None) -> Resolution:
    """Which active project a name as said means ("exact", "one" or "several" candidates,
    optionally among one customer's); UnknownProject when nothing is close."""
    choices = [Choice(p.id, p.name) for p in list_projects(session, company_id, customer_id=customer_id)]
    resolution = match_names(said, choices)
    if resolution.outcome == "none":
        raise UnknownProject(f"no project like {said!r}", said=said)
    return resolution


def billing_rate(project: Project) -> Money | None:
    """The hourly rate hours on this project are invoiced at: the project's, else its customer's."""
    if project.hourly_rate is not None:
        return project.hourly_rate
    if project.customer is not None:
        return project.customer.hourly_rate
    return None


def close_project(session: Session, company_id: int, project_id: int) -> Project:
    """Mark a project inactive: no new hours, and no longer offered when resolving names."""
    project = get_project(session, company_id, project_id)
    project.active = False
    session.flush()
    return project
