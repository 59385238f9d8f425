"""Rasa's tracker store on PostgreSQL, with connections that are tested before use.

Rasa's own `SQLTrackerStore` keeps a pool of connections without testing them, and Rasa wraps
every tracker store in a fail-safe one that, when reading a conversation fails, goes on with an
empty one. So after the database was away for a moment (a restart, a network cut), the first
turn met a dead pooled connection, was answered as the first message of a new conversation,
and the conversation it belonged to (a half-filled invoice) was left behind. Testing each
connection as it is taken from the pool (`pool_pre_ping`, as the books' engine does in
`ledger.db`) replaces a dead one with a new one before the conversation is read.

Runs in the Rasa process (Python 3.10, SQLAlchemy 1.4); `bot.stack.tracker_store` names it
in the endpoints file.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class ReconnectingSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` whose pooled connections are tested before each use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url  # the conversations' own database, made by the parent if need be
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
