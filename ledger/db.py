"""Engines and sessions for the books, on SQLite (embedded default) or PostgreSQL.

SQLite gets foreign keys, WAL and `BEGIN IMMEDIATE` so that two writers queue instead of
failing half-way, in a file only its owner may read; PostgreSQL uses row locks on the number
series (see `numbering`). Neither puts the values of a statement into an error or a log line
(`hide_parameters`): they may be names, amounts or token hashes.

What only reads (a balance, a report, who a token belongs to) uses `reading_factory`
instead: on SQLite its transactions begin deferred, so they take no write lock and never wait
for one (WAL lets them read beside a writer, from the last commit), and its connections are
`query_only`, so that a write slipped into one fails at once instead of racing for the lock;
on PostgreSQL they are READ ONLY transactions. Under load, reads that took the write lock
made every writer wait behind them, and SQLite's busy handler sleeps in steps of up to 100 ms.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import ledger.text  # noqa: F401  (every session keeps text clean: see ledger.text)


def _private_file(path: Path) -> None:
    """The database file, made readable by its owner only before SQLite opens it (SQLite
    gives its journal files the same mode)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def make_engine(url: str, read_only: bool = False) -> Engine:
    """An engine for `url`, with the connection settings the ledger relies on; with
    `read_only`, for transactions that only read (see the module docstring)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
            # Let SQLAlchemy, not the driver, issue BEGIN (so that it can be IMMEDIATE).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            if read_only:
                cursor.execute("PRAGMA query_only=ON")
            cursor.close()

        begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql(begin)

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    if read_only:
        return create_engine(
            url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True,
            execution_options={"postgresql_readonly": True},
        )
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One shared engine per database URL in this process."""
    return make_engine(url)


def session_factory(url: str) -> sessionmaker[Session]:
    """Sessions on `url`; callers own the transaction: `with factory.begin() as s: ...`."""
    return sessionmaker(engine_for(url), expire_on_commit=False)


@lru_cache(maxsize=8)
def reading_engine_for(url: str) -> Engine:
    """One shared engine per database URL in this process for transactions that only read."""
    return make_engine(url, read_only=True)


def reading_factory(url: str) -> sessionmaker[Session]:
    """Sessions on `url` for transactions that only read (see the module docstring); a write
    in one raises."""
    return sessionmaker(reading_engine_for(url), expire_on_commit=False)
