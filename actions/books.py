"""The action server's way into the ledger: one session factory, one transaction per use; and
one for what only reads (`reading`), which never waits for a writer (see `ledger.db`)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker

from ledger.db import reading_factory, session_factory
from ledger.settings import get_settings


@lru_cache(maxsize=1)
def sessions() -> sessionmaker[Session]:
    """Sessions on the configured books; callers write `with sessions().begin() as s:`."""
    return session_factory(get_settings().database_url)


@lru_cache(maxsize=1)
def reading() -> sessionmaker[Session]:
    """Sessions on the configured books for answers that only read (`with reading().begin()
    as s:`): a balance, a list, a report. A write in one raises."""
    return reading_factory(get_settings().database_url)
