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
from ledger.text import has_controls, without_controls

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


@dataclass(frozen=True)
class Key:
    """Where a key is unique: one record per (company, user, scope, key).

    Attributes:
      scope: what kind of key: "chat", "telegram", "api", "bank" (1 to 20 characters).
      key: the sender's key; white space around it does not count.
      company_id: the company the write is for; None for a key not tied to one (a chat message).
      user_id: who sent it; None for a key not tied to a person (a bank statement line).
    """

    scope: str
    key: str
    company_id: int | None
    user_id: int | None

    def checked(self) -> Key:
        """This key without the white space around it; InvalidInput when it cannot be stored."""
        key = self.key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise InvalidInput(f"an idempotency key has 1 to {MAX_KEY_LENGTH} characters", key=key[:50])
        if has_controls(key):
            raise InvalidInput("an idempotency key has no control characters", key=without_controls(key)[:50])
        if not self.scope or len(self.scope) > SCOPE_LENGTH:
            raise InvalidInput(f"an idempotency scope has 1 to {SCOPE_LENGTH} characters", scope=self.scope)
        return Key(self.scope, key, self.company_id, self.user_id)


def _find(session: Session, key: Key) -> IdempotencyRecord | None:
    company_id, user_id = key.company_id, key.user_id
    stmt = select(IdempotencyRecord).where(
        IdempotencyRecord.scope == key.scope,
        IdempotencyRecord.key == key.key.strip(),
        IdempotencyRecord.company_id.is_(None) if company_id is None else IdempotencyRecord.company_id == company_id,
        IdempotencyRecord.user_id.is_(None) if user_id is None else IdempotencyRecord.user_id == user_id,
    )
    return session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()


def _refuse_other_request(record: IdempotencyRecord, request_hash: str) -> None:
    if record.request_hash != request_hash:
        raise IdempotencyConflict(
            f"the key {record.key!r} was used for another request", key=record.key, scope=record.scope
        )


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


def _seen(record: IdempotencyRecord, request_hash: str) -> Claim:
    _refuse_other_request(record, request_hash)
    if record.response is None:
        return Claim(new=False)
    return Claim(new=False, outcome=Outcome(result=dict(record.response), repeated=True))


def lookup(session: Session, key: Key, request_hash: str) -> Claim | None:
    """What became of a key seen before (as `claim` answers it), or None if it is not recorded."""
    record = _find(session, key)
    return _seen(record, request_hash) if record is not None else None


def claim(session: Session, key: Key, request_hash: str) -> Claim:
    """Record the key for this request in the caller's transaction, unless it was recorded
    before: then the first outcome (IdempotencyConflict when the key was used for another
    request). See the module docstring for what happens when two claims meet."""
    key = key.checked()
    record = _find(session, key)
    if record is not None:
        return _seen(record, request_hash)
    record = IdempotencyRecord(
        company_id=key.company_id,
        user_id=key.user_id,
        scope=key.scope,
        key=key.key,
        request_hash=request_hash,
        response=None,
    )
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        # Another transaction claimed the key and has committed: answer as it did.
        winner = _find(session, key)
        if winner is None:  # pragma: no cover - the constraint said it exists
            raise
        return _seen(winner, request_hash)
    return Claim(new=True)


def complete(session: Session, key: Key, result: Result) -> Result:
    """Store the result of the work done for a claimed key; returns it as stored."""
    record = _find(session, key)
    if record is None:
        raise InvalidInput("the key was not claimed", key=key.key[:50])
    record.response = _plain(result)
    session.flush()
    return dict(record.response or {})


def release(session: Session, key: Key) -> None:
    """Forget a claimed key whose work did not happen, so the sender may try again."""
    record = _find(session, key)
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
    where = Key(scope, key, company_id, user_id)
    claimed = claim(session, where, request_hash)
    if not claimed.new:
        assert claimed.outcome is not None, "a key claimed in a committed transaction has its result"
        return claimed.outcome
    return Outcome(result=complete(session, where, work(session)), repeated=False)
