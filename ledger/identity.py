"""Who is asking: users, their roles in companies, API tokens and Telegram link codes.

Tokens and link codes are random secrets shown once; only a hash is stored (SHA-256 of a
token, an HMAC keyed with the server secret of a short link code). A web chat sign-in gets a
session token of its own beside the API token. Roles:
an `owner` may do everything in the company; an `accountant` likewise, in each company they
belong to; `staff` may log and see their own hours and nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import clock
from ledger.errors import InvalidInput, NotFound, UnknownCompany
from ledger.models import Company, Membership, User, WebSession
from ledger.permissions import ROLES
from ledger.server_keys import server_secret
from ledger.settings import get_settings


def hash_secret(secret: str) -> str:
    """SHA-256 of a token: tokens carry 192 random bits, which no one can guess from it."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def hash_link_code(code: str) -> str:
    """A link code as stored: keyed with the server secret, because its 40 bits could be
    guessed from a bare hash by anyone who saw the database."""
    key = server_secret(get_settings())
    return hmac.new(key, code.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def new_token() -> str:
    return "bok_" + secrets.token_urlsafe(24)


def new_link_code() -> str:
    # Short enough to type on a phone; 8 characters of an unambiguous alphabet.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


@dataclass(frozen=True)
class NewUser:
    """A user just created: the secrets are here once and never again."""

    user: User
    token: str
    link_code: str


def add_user(
    session: Session,
    company_id: int,
    name: str,
    role: str,
    *,
    email: str = "",
    link_code_ttl: dt.timedelta = dt.timedelta(hours=72),
) -> NewUser:
    """Create a user with a role in one company, a fresh API token and a Telegram link code."""
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}", role=role)
    if not name.strip():
        raise InvalidInput("a user needs a name")
    if session.get(Company, company_id) is None:
        raise UnknownCompany(f"no company {company_id}", company_id=company_id)
    token, code = new_token(), new_link_code()
    user = User(
        name=name.strip(),
        email=email,
        token_hash=hash_secret(token),
        link_code_hash=hash_link_code(code),
        link_code_expires_at=clock.now() + link_code_ttl,
        active_company_id=company_id,
    )
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, company_id=company_id, role=role))
    session.flush()
    return NewUser(user=user, token=token, link_code=code)


def add_membership(session: Session, user_id: int, company_id: int, role: str) -> Membership:
    """Give an existing user (typically an accountant) a role in another company."""
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}", role=role)
    if session.get(User, user_id) is None:
        raise NotFound(f"no user {user_id}")
    if session.get(Company, company_id) is None:
        raise UnknownCompany(f"no company {company_id}", company_id=company_id)
    existing = session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.company_id == company_id)
    )
    if existing is not None:
        existing.role = role
        return existing
    membership = Membership(user_id=user_id, company_id=company_id, role=role)
    session.add(membership)
    session.flush()
    return membership


def user_by_token(session: Session, token: str) -> User | None:
    """The user whose API token this is, or None."""
    if not token:
        return None
    digest = hash_secret(token)
    user = session.scalar(select(User).where(User.token_hash == digest))
    if user is None:
        user = session.scalar(select(User).join(WebSession).where(WebSession.token_hash == digest))
    return user


def _spend_link_code(session: Session, code: str) -> User | None:
    """The user a valid, unexpired link code was issued to, with the code now spent (it works
    once); None if the code is not valid."""
    code = code.strip().upper()
    if not code:
        return None
    user = session.scalar(select(User).where(User.link_code_hash == hash_link_code(code)))
    if user is None or user.link_code_expires_at is None or user.link_code_expires_at < clock.now():
        return None
    user.link_code_hash = None
    user.link_code_expires_at = None
    return user


def redeem_link_code(session: Session, code: str, telegram_user_id: int) -> User | None:
    """Link a Telegram account with a single-use, expiring code; None if the code is not valid."""
    user = _spend_link_code(session, code)
    if user is None:
        return None
    previous = session.scalar(select(User).where(User.telegram_user_id == telegram_user_id))
    if previous is not None and previous.id != user.id:
        previous.telegram_user_id = None
        session.flush()
    user.telegram_user_id = telegram_user_id
    session.flush()
    return user


def issue_web_session_token(session: Session, code: str) -> tuple[User, str] | None:
    """Exchange a link code typed into the web chat for a web session token of its own (the
    code is spent; the user's API token stays as it was)."""
    user = _spend_link_code(session, code)
    if user is None:
        return None
    token = new_token()
    session.add(WebSession(user_id=user.id, token_hash=hash_secret(token)))
    session.flush()
    return user, token


def user_by_telegram_id(session: Session, telegram_user_id: int) -> User | None:
    return session.scalar(select(User).where(User.telegram_user_id == telegram_user_id))


def memberships_of(session: Session, user_id: int) -> list[Membership]:
    return list(
        session.scalars(select(Membership).where(Membership.user_id == user_id).order_by(Membership.company_id))
    )


def role_in(session: Session, user_id: int, company_id: int) -> str:
    """The user's role in the company; a company they do not belong to is 'not found' (404)."""
    role = session.scalar(
        select(Membership.role).where(Membership.user_id == user_id, Membership.company_id == company_id)
    )
    if role is None:
        raise UnknownCompany(f"no company {company_id}", company_id=company_id)
    return role


def current_company_id(session: Session, user: User, requested: int | None = None) -> int:
    """The company a request acts for: the one asked for, else the user's active one."""
    if requested is not None:
        role_in(session, user.id, requested)
        return requested
    if user.active_company_id is not None:
        return user.active_company_id
    memberships = memberships_of(session, user.id)
    if not memberships:
        raise UnknownCompany("the user belongs to no company")
    return memberships[0].company_id
