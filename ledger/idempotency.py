"""Idempotency: a write from outside, identified by a key, is done once.

Every write that comes from outside carries a key (the API's `Idempotency-Key` header, a chat
message id, a bank statement line id). `run_once` records the key with a fingerprint of the
request in the caller's transaction, does the work, and stores its result beside the key. The
same key again returns the stored result without doing the work; the same key with another
request is refused (`IdempotencyConflict`), for REST requests and chat messages alike. Work
that runs outside the database (a chat turn, answered by the assistant) `claim`s the key in
one transaction and `complete`s or `release`s it in another.

Concurrency: the record has a unique constraint on (company, user, scope, key) with NULLs not
distinct on PostgreSQL. When two transactions claim the same key at once, the second one's
insert waits for the first to commit and then fails; it then reads the winner's result. On
SQLite, `BEGIN IMMEDIATE` already runs writers one at a time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.errors import IdempotencyConflict, InvalidInput
from ledger.models import IdempotencyRecord

MAX_KEY_LENGTH = 200
SCOPE_LENGTH = 20

Result = dict[str, Any]
"""What a write answered, as JSON-able values (ids and numbers, not rows)."""


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def fingerprint(request: Any) -> str:
    """SHA-256 of a request's content, the same for equal content whatever the key order."""
    text = json.dumps(_plain(request), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """The result of a write done once.

    Attributes:
      result: what the work returned the first time.
      repeated: True when the key was seen before and the work did not run now.
    """

    result: Result
    repeated: bool


def _find(
    session: Session, scope: str, key: str, company_id: int | None, user_id: int | None
) -> IdempotencyRecord | None:
    stmt = select(IdempotencyRecord).where(
        IdempotencyRecord.scope == scope,
        IdempotencyRecord.key == key,
        IdempotencyRecord.company_id.is_(None) if company_id is None else IdempotencyRecord.company_id == company_id,
        IdempotencyRecord.user_id.is_(None) if user_id is None else IdempotencyRecord.user_id == user_id,
    )
    return session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()


def _answer(record: IdempotencyRecord, request_hash: str) -> Outcome:
    if record.request_hash != request_hash:
        raise IdempotencyConflict(
            f"the key {record.key!r} was used for another request", key=record.key, scope=record.scope
        )
    return Outcome(result=dict(record.response or {}), repeated=True)


def previous_result(
    session: Session,
    *,
    scope: str,
    key: str,
    request_hash: str,
    company_id: int | None,
    user_id: int | None,
) -> Outcome | None:
    """The stored outcome of this key, if it was done before (IdempotencyConflict if it was
    done for another request); None when it is new."""
    record = _find(session, scope, key, company_id, user_id)
    return _answer(record, request_hash) if record is not None else None


@dataclass(frozen=True)
class Claim:
    """Whether a key is new to this caller.

    Attributes:
      new: True when this call recorded the key: the caller does the work and then
        `complete`s (or `release`s) it.
      outcome: for a key seen before, the first result; None while the first is still at
        work (a write whose work runs outside the database, like a chat turn).
    """

    new: bool
    outcome: Outcome | None = None


def _check_key(scope: str, key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"an idempotency key has 1 to {MAX_KEY_LENGTH} characters", key=key[:50])
    if not scope or len(scope) > SCOPE_LENGTH:
        raise InvalidInput(f"an idempotency scope has 1 to {SCOPE_LENGTH} characters", scope=scope)
    return key


def _seen(record: IdempotencyRecord, request_hash: str) -> Claim:
    if record.response is None:
        if record.request_hash != request_hash:
            raise IdempotencyConflict(
                f"the key {record.key!r} was used for another request", key=record.key, scope=record.scope
            )
        return Claim(new=False)
    return Claim(new=False, outcome=_answer(record, request_hash))


def lookup(
    session: Session,
    *,
    scope: str,
    key: str,
    request_hash: str,
    company_id: int | None,
    user_id: int | None,
) -> Claim | None:
    """What became of a key seen before (as `claim` answers it), or None if it is not recorded."""
    record = _find(session, scope, key.strip(), company_id, user_id)
    return _seen(record, request_hash) if record is not None else None


def claim(
    session: Session,
    *,
    scope: str,
    key: str,
    request_hash: str,
    company_id: int | None,
    user_id: int | None,
) -> Claim:
    """Record the key for this request in the caller's transaction, unless it was recorded
    before: then the first outcome (IdempotencyConflict when the key was used for another
    request). See the module docstring for what happens when two claims meet."""
    key = _check_key(scope, key)
    record = _find(session, scope, key, company_id, user_id)
    if record is not None:
        return _seen(record, request_hash)
    record = IdempotencyRecord(
        company_id=company_id, user_id=user_id, scope=scope, key=key, request_hash=request_hash, response=None
    )
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        # Another transaction claimed the key and has committed: answer as it did.
        winner = _find(session, scope, key, company_id, user_id)
        if winner is None:  # pragma: no cover - the constraint said it exists
            raise
        return _seen(winner, request_hash)
    return Claim(new=True)


def complete(
    session: Session, *, scope: str, key: str, company_id: int | None, user_id: int | None, result: Result
) -> Result:
    """Store the result of the work done for a claimed key; returns it as stored."""
    record = _find(session, scope, key.strip(), company_id, user_id)
    if record is None:
        raise InvalidInput("the key was not claimed", key=key[:50])
    record.response = _plain(result)
    session.flush()
    return dict(record.response or {})


def release(session: Session, *, scope: str, key: str, company_id: int | None, user_id: int | None) -> None:
    """Forget a claimed key whose work did not happen, so the sender may try again."""
    record = _find(session, scope, key.strip(), company_id, user_id)
    if record is not None and record.response is None:
        session.delete(record)
        session.flush()


def run_once(
    session: Session,
    *,
    scope: str,
    key: str,
    request_hash: str,
    company_id: int | None,
    user_id: int | None,
    work: Callable[[Session], Result],
) -> Outcome:
    """Do `work` once per key, in the caller's transaction (see the module docstring).

    If `work` raises, nothing is recorded (the caller's transaction rolls back), so the same
    key may be tried again.
    """
    claimed = claim(
        session, scope=scope, key=key, request_hash=request_hash, company_id=company_id, user_id=user_id
    )
    if not claimed.new:
        assert claimed.outcome is not None, "a key claimed in a committed transaction has its result"
        return claimed.outcome
    result = complete(
        session, scope=scope, key=key, company_id=company_id, user_id=user_id, result=work(session)
    )
    return Outcome(result=result, repeated=False)
