"""Who may do what in a company: the one table of roles and what each may do.

An `owner` keeps the books of their company; an `accountant` likewise, in each company they
belong to; `staff` log and see their own hours and nothing else (no balances, invoices,
customers or reports). The chat's actions and the REST API ask here, so a role means the same
everywhere.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from ledger.errors import Forbidden

ROLES = ("owner", "accountant", "staff")


class Capability(StrEnum):
    """What a person may want to do in a company.

    Attributes:
      KEEP_BOOKS: read and write the books: invoices, payments, expenses, customers, projects,
        reports, VAT, exports, corrections of any voucher.
      LOG_HOURS: log hours for oneself, see them and take back the last ones logged.
      SEE_EVERYONES_HOURS: see and log hours for everyone in the company.
    """

    KEEP_BOOKS = "keep_books"
    LOG_HOURS = "log_hours"
    SEE_EVERYONES_HOURS = "see_everyones_hours"


_GRANTS: dict[str, frozenset[Capability]] = {
    "owner": frozenset(Capability),
    "accountant": frozenset(Capability),
    "staff": frozenset({Capability.LOG_HOURS}),
}

BOOKKEEPERS: tuple[str, ...] = tuple(role for role in ROLES if Capability.KEEP_BOOKS in _GRANTS[role])
"""The roles that keep the books ("owner", "accountant")."""


def may(role: str | None, capability: Capability) -> bool:
    """True if someone with `role` in a company may do `capability` there."""
    return role is not None and capability in _GRANTS.get(role, frozenset())


def roles_that_may(capability: Capability) -> tuple[str, ...]:
    """The roles granted `capability`, in the order of ROLES."""
    return tuple(role for role in ROLES if capability in _GRANTS[role])


def require(session: Session, user_id: int, company_id: int, capability: Capability) -> str:
    """The user's role in the company if it grants `capability`; UnknownCompany (a NotFound)
    when they do not belong to it, Forbidden when their role does not grant it."""
    from ledger.identity import role_in

    role = role_in(session, user_id, company_id)
    if not may(role, capability):
        raise Forbidden(f"a {role} may not {capability.value.replace('_', ' ')}", role=role)
    return role
