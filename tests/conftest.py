"""Shared fixtures: fresh books on SQLite and on the local PostgreSQL server."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from ledger.db import make_engine
from ledger.migrate import upgrade

# The installation's secret for the whole run, so that no test writes one into the project's
# var/ folder (the end-to-end stack's processes inherit it).
os.environ.setdefault("BOKBOT_SECRET", "bokbot-test-suite-" + secrets.token_hex(8))
# A bot token in the developer's environment never reaches tests: Telegram is on only where a
# test points the bot at its fake Bot API server.
os.environ.pop("BOKBOT_TELEGRAM_TOKEN", None)

collect_ignore = ["nlu"]  # the NLU components' tests run with the Rasa runtime's Python

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'books.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, migrated PostgreSQL database for one test, dropped afterwards."""
    name = f"bokbot_test_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    upgrade(url)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database URL on each backend."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
        upgrade(url)
        return url
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def books(db_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on fresh books; use `with books.begin() as s:` like the product does."""
    engine = make_engine(db_url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def sqlite_books(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on fresh SQLite books only (fast unit tests)."""
    url = sqlite_url(tmp_path)
    upgrade(url)
    engine = make_engine(url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()
