"""The action server's way into the ledger: one session factory, one transaction per use."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker

from ledger.db import session_factory
from ledger.settings import get_settings


@lru_cache(maxsize=1)
def sessions() -> sessionmaker[Session]:
    """Sessions on the configured books; callers write `with sessions().begin() as s:`."""
    return session_factory(get_settings().database_url)
