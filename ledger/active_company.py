"""The company a user is working on right now.

An accountant keeps the books of several client companies and works on one at a time; the
gateway acts for `User.active_company_id` when a message names no company. Switching is by
name as said ("bytt til fjord bygg"), resolved among the companies the user belongs to only,
the same way customers are (`ledger.customers.match_names`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.customers import Choice, Resolution, match_names
from ledger.errors import NotFound, UnknownCompany
from ledger.identity import role_in
from ledger.models import Company, Membership, User


def companies_of(session: Session, user_id: int) -> list[Choice]:
    """The companies the user belongs to, by name (the `id` of each choice is the company's)."""
    rows = session.execute(
        select(Company.id, Company.name)
        .join(Membership, Membership.company_id == Company.id)
        .where(Membership.user_id == user_id)
        .order_by(Company.name, Company.id)
    ).all()
    return [Choice(company_id, name) for company_id, name in rows]


def resolve_company(session: Session, user_id: int, said: str) -> Resolution:
    """Which of the user's companies a name as said means ("exact", "one" or "several");
    `UnknownCompany` when none of them is close (other people's companies are never looked at)."""
    resolution = match_names(said, companies_of(session, user_id))
    if resolution.outcome == "none":
        raise UnknownCompany(f"no company of yours like {said!r}", said=said)
    return resolution


def switch_company(session: Session, user_id: int, company_id: int) -> Company:
    """Make `company_id` the user's active company; `UnknownCompany` (404) if they do not
    belong to it, so a stranger's company is indistinguishable from a missing one."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    role_in(session, user_id, company_id)
    company = session.get(Company, company_id)
    if company is None:
        raise UnknownCompany(f"no company {company_id}", company_id=company_id)
    user.active_company_id = company_id
    session.flush()
    return company
