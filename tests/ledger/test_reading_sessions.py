"""Transactions that only read (`ledger.db.reading_factory`): they see the books as last
committed, never wait for a writer, and cannot write."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from ledger.companies import create_company
from ledger.db import make_engine
from ledger.models import Company


@pytest.fixture
def reading(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url, read_only=True)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def test_a_reading_transaction_sees_what_was_committed(
    books: sessionmaker[Session], reading: sessionmaker[Session]
) -> None:
    with books.begin() as s:
        create_company(s, "Fjord Bygg AS", owner_name="Kari")
    with reading.begin() as s:
        assert s.scalars(select(Company.name)).all() == ["Fjord Bygg AS"]


def test_a_reading_transaction_cannot_write(books: sessionmaker[Session], reading: sessionmaker[Session]) -> None:
    with books.begin() as s:
        create_company(s, "Fjord Bygg AS", owner_name="Kari")
    with pytest.raises(DBAPIError), reading.begin() as s:
        s.execute(update(Company).values(name="Changed AS"))
    with pytest.raises(DBAPIError), reading.begin() as s:
        create_company(s, "Another AS", owner_name="Ola")
        s.flush()
    with books.begin() as s:
        assert s.scalars(select(Company.name)).all() == ["Fjord Bygg AS"]


def test_a_reading_transaction_does_not_wait_for_a_writer(
    books: sessionmaker[Session], reading: sessionmaker[Session]
) -> None:
    """A writer in the middle of its transaction (holding SQLite's write lock, or PostgreSQL's
    row lock): a read goes ahead at once and sees the books without the unfinished write."""
    with books.begin() as s:
        create_company(s, "Fjord Bygg AS", owner_name="Kari")
    counted: list[int] = []
    with books.begin() as writer:
        writer.execute(update(Company).values(name="Changed AS"))
        create_company(writer, "Half-written AS", owner_name="Per")
        writer.flush()

        def read() -> None:
            with reading.begin() as s:
                counted.append(s.scalar(select(func.count()).select_from(Company)) or 0)
                counted.append(int(s.scalar(select(func.count()).where(Company.name == "Fjord Bygg AS")) or 0))

        thread = threading.Thread(target=read)
        thread.start()
        thread.join(timeout=10)
        assert not thread.is_alive()  # with BEGIN IMMEDIATE it would wait for this writer
    assert counted == [1, 1]
