"""Idempotency: a write from outside, identified by a key, is done once.

Every write that comes from outside carries a key (the API's `Idempotency-Key` header, a chat
message id, a bank statement line id). `run_once` records the key with a fingerprint of the
request in the caller's transaction, does the work, and stores its result beside the key. The
same key again returns the stored result without doing the work; the same key with another
request is refused (`IdempotencyConflict`).

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
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"an idempotency key has 1 to {MAX_KEY_LENGTH} characters", key=key[:50])
    if not scope or len(scope) > SCOPE_LENGTH:
        raise InvalidInput(f"an idempotency scope has 1 to {SCOPE_LENGTH} characters", scope=scope)
    done = previous_result(
        session, scope=scope, key=key, request_hash=request_hash, company_id=company_id, user_id=user_id
    )
    if done is not None:
        return done
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
        return _answer(winner, request_hash)
    result = work(session)
    record.response = _plain(result)
    session.flush()
    return Outcome(result=dict(record.response or {}), repeated=False)
