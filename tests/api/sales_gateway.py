"""A gateway on fresh books with the sales side filled in (tests/ledger/builders.sales_books),
and a second company whose owner must never see the first's customers, hours or invoices."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from sqlalchemy.orm import Session, sessionmaker

from channels.app import create_app
from ledger.db import make_engine
from ledger.migrate import upgrade
from ledger.settings import Settings
from tests.ledger.builders import SalesBooks, sales_books

ROLES = ("owner", "accountant", "staff", "foreign")
MANAGERS_ONLY = [("owner", True), ("accountant", True), ("staff", 403), ("foreign", 404)]
"""Each role, and whether it may (True) or the status it gets."""


@dataclass(frozen=True)
class SalesGateway:
    """The test client, the books behind it and who may call it ("foreign" is the owner of
    another company)."""

    client: TestClient
    books: sessionmaker[Session]
    sb: SalesBooks
    other: SalesBooks

    @property
    def cid(self) -> int:
        return self.sb.company_id

    def token(self, role: str) -> str:
        if role == "foreign":
            return self.other.owner_token
        return {"owner": self.sb.owner_token, "accountant": self.sb.accountant_token, "staff": self.sb.staff_token}[
            role
        ]

    def auth(self, role: str, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role)}", **headers}

    def url(self, path: str) -> str:
        return f"/api/v1/companies/{self.cid}{path}"

    async def call(self, method: str, path: str, role: str = "owner", **kwargs: Any) -> ClientResponse:
        request: Callable[..., Any] = getattr(self.client, method.lower())
        headers = self.auth(role, **kwargs.pop("headers", {}))
        response: ClientResponse = await request(self.url(path), headers=headers, **kwargs)
        return response


async def error_code(response: ClientResponse) -> str:
    body = await response.json()
    assert set(body["error"]) == {"code", "message"}
    return str(body["error"]["code"])


@pytest.fixture
async def sales_gateway(tmp_path: Path, aiohttp_client: Any) -> AsyncIterator[SalesGateway]:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    upgrade(url)
    async for gateway in _gateway(url, tmp_path, aiohttp_client):
        yield gateway


@pytest.fixture
async def pg_sales_gateway(pg_url: str, tmp_path: Path, aiohttp_client: Any) -> AsyncIterator[SalesGateway]:
    """The same on a fresh PostgreSQL database of its own."""
    async for gateway in _gateway(pg_url, tmp_path, aiohttp_client):
        yield gateway


async def _gateway(url: str, tmp_path: Path, aiohttp_client: Any) -> AsyncIterator[SalesGateway]:
    engine = make_engine(url)
    books = sessionmaker(engine, expire_on_commit=False)
    sb = sales_books(books)
    other = sales_books(books, name="Annet AS")
    settings = Settings(database_url=url, var_dir=tmp_path / "var")
    client: TestClient = await aiohttp_client(create_app(settings))
    yield SalesGateway(client, books, sb, other)
    engine.dispose()
