"""What the gateway processes share through the database besides the books: wrong link codes
(for the sign-in throttle) and the long payloads of Telegram buttons.

A second gateway process must see what the first one learnt: a guesser spreading attempts
over several processes is still counted once, and a button sent by one process still works
when another one receives the press. Both tables only grow by what people do and are pruned
here as they are written.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledger import clock
from ledger.models import ButtonPayload, SignInFailure

PAYLOAD_KEEP = dt.timedelta(days=90)
"""How long a button's payload is kept after it was last put on a button."""


def _source_key(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def record_sign_in_failure(
    session: Session, source: str, *, keep: dt.timedelta, now: dt.datetime | None = None
) -> None:
    """Count one wrong link code from `source`; failures older than `keep` are dropped."""
    at = now or clock.now()
    session.execute(delete(SignInFailure).where(SignInFailure.failed_at < at - keep))
    session.add(SignInFailure(source=_source_key(source), failed_at=at))
    session.flush()


def sign_in_failures(
    session: Session, source: str | None, *, within: dt.timedelta, now: dt.datetime | None = None
) -> int:
    """Wrong link codes from `source` (from everywhere when None) within the last `within`."""
    since = (now or clock.now()) - within
    stmt = select(func.count()).select_from(SignInFailure).where(SignInFailure.failed_at >= since)
    if source is not None:
        stmt = stmt.where(SignInFailure.source == _source_key(source))
    return int(session.scalar(stmt) or 0)


def remember_payload(session: Session, key: str, payload: str, *, now: dt.datetime | None = None) -> None:
    """Keep `payload` under `key` (again: it is then kept longer)."""
    at = now or clock.now()
    connection = session.connection()
    upsert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    stmt = upsert(ButtonPayload).values(key=key, payload=payload, used_at=at)
    session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"used_at": stmt.excluded.used_at}))
    session.execute(delete(ButtonPayload).where(ButtonPayload.used_at < at - PAYLOAD_KEEP))


def payload_for(session: Session, key: str) -> str | None:
    """The payload kept under `key`, or None if there is none (never kept, or forgotten)."""
    return session.scalar(select(ButtonPayload.payload).where(ButtonPayload.key == key))
