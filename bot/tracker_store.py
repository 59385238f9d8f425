"""Rasa's tracker store as Bokbot runs it: SQL (a SQLite file of its own, or a PostgreSQL
database of its own), with connections tested before use and the conversation a turn left
kept in the process for the next turn.

**Connections kept and tested before use.** On SQLite, SQLAlchemy 1.4 (Rasa's) opens a
new connection for every read and write and closes it after, and closing the last
connection to a file in WAL mode writes the log back into the file: connections are kept in
a pool instead, and a commit does not wait for the disk (see `_sqlite_settings`). On
PostgreSQL, Rasa's own `SQLTrackerStore` keeps a pool of connections without testing them,
and Rasa wraps every tracker store in a fail-safe one that, when reading a conversation
fails, goes on with an empty one. So after the database was away for a moment
(a restart, a network cut), the first turn met a dead pooled connection, was answered as the
first message of a new conversation, and the conversation it belonged to (a half-filled
invoice) was left behind. Testing each connection as it is taken from the pool
(`pool_pre_ping`, as the books' engine does in `ledger.db`) replaces a dead one with a new one
before the conversation is read.

**The conversation kept between turns.** Rasa reads the whole current session of a
conversation from the database on every turn and replays its events into a new tracker (a
fifth of Rasa's time on a turn under load, growing with the session), although in most
turns it is the very tracker this process saved at the end of the person's previous turn.
So the tracker a turn saved is kept (a bounded number of conversations, the least recently
used forgotten first), with the id of the last event stored for it, and the next turn gets
it back after one small query shows that the database holds nothing newer for that
conversation: another Rasa process (several replicas), an event posted over Rasa's HTTP API,
or a turn of this process that failed before saving (its tracker then holds events the
database does not: it is dropped and read again). The database stays the truth: nothing
that is not there is ever served, and a restarted process simply reads it again.

Runs in the Rasa process (Python 3.10, SQLAlchemy 1.4); `bot.stack.tracker_store` names it
in the endpoints file.
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

KEPT_CONVERSATIONS = 2000
"""Conversations kept in the process at most (a tracker of a day's session is some tens of
kilobytes)."""


@dataclass
class _Kept:
    tracker: DialogueStateTracker
    events: int  # how many events the tracker held when it was saved
    last_id: int | None  # the id of the conversation's last event in the database then
    domain: Any  # the model's domain it was made with (a new model has new slots)


def _sqlite_settings(connection: Any, _record: Any) -> None:
    """The conversations' SQLite file without a flush to disk on every commit. In WAL mode
    (`bot.stack.prepare_tracker_file`) the file stays whole whatever happens; a power cut
    may lose the last turns of a conversation (what was said, not what was posted: the books
    are in their own database, which flushes every commit), and a crash of the process
    loses nothing. Every turn is saved, so the flush cost every turn a wait in which the
    Rasa process, whose tracker store is synchronous, served nobody."""
    connection.execute("PRAGMA synchronous=NORMAL")


class BokbotSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` whose pooled connections are tested before each use, and that hands
    a conversation's next turn the tracker its last turn saved when the database holds
    nothing newer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url  # the conversations' own database, made by the parent if need be
        self.engine.dispose()
        if url.get_backend_name() == "sqlite":
            self.engine = sa.create_engine(
                url, pool_pre_ping=True, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", _sqlite_settings)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._kept: OrderedDict[str, _Kept] = OrderedDict()

    def _last_event_id(self, sender_id: str) -> int | None:
        with self.session_scope() as session:
            last = session.query(sa.func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id).scalar()
            return int(last) if last is not None else None

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's current session: the tracker kept from its last turn when the
        database holds nothing newer and the tracker nothing unsaved, else read from the
        database as Rasa does (also after a new model: its domain may have other slots)."""
        kept = self._kept.pop(sender_id, None)
        if (
            kept is not None
            and kept.last_id == self._last_event_id(sender_id)  # a dead database fails here, as Rasa's read would
            and len(kept.tracker.events) == kept.events
            and kept.domain is self.domain
        ):
            self._kept[sender_id] = kept  # most recently used now
            return kept.tracker
        return await super().retrieve(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the turn's new events (as Rasa's own `save`), then keeps the tracker for the
        next turn, unless it spans two sessions: from the database the next turn would get
        only the latest, so it is read from there.

        Which events are new: for a tracker this store handed out from what it kept, those
        after the ones it held then (the database held exactly those, as `retrieve` checked,
        and Rasa's lock on the conversation kept everyone else out since); for any other, as
        Rasa counts them, those after as many as the database holds for the session."""
        kept = self._kept.pop(tracker.sender_id, None)
        handed_out = kept if kept is not None and kept.tracker is tracker else None
        await self.stream_events(tracker)  # reads the database (nothing is kept meanwhile)
        with self.session_scope() as session:
            if handed_out is not None:
                stored = handed_out.events
            else:
                stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
            rows = [self._row(tracker.sender_id, event) for event in itertools.islice(tracker.events, stored, None)]
            session.add_all(rows)
            session.flush()
            last_id = rows[-1].id if rows else None
            session.commit()
        if sum(isinstance(event, SessionStarted) for event in tracker.events) > 1:
            return
        if last_id is None:  # nothing new: the last event is the one it was
            last_id = handed_out.last_id if handed_out is not None else self._last_event_id(tracker.sender_id)
        self._kept[tracker.sender_id] = _Kept(tracker, len(tracker.events), last_id, self.domain)
        while len(self._kept) > KEPT_CONVERSATIONS:
            self._kept.popitem(last=False)

    def _row(self, sender_id: str, event: Event) -> Any:
        """An event as Rasa's `SQLTrackerStore.save` stores it."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )
