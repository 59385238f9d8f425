"""Fixtures for the channel tests: fresh books with a company and its people, the gateway
served on a real port, a fake Rasa (REST channel) and a fake Telegram Bot API."""

from __future__ import annotations

import secrets
import socket
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis
from sqlalchemy.orm import Session, sessionmaker

from channels.api.common import authorise, in_db
from channels.app import create_app
from channels.telegram.settings import TelegramSettings
from ledger.companies import create_company
from ledger.db import make_engine
from ledger.identity import NewUser, add_user
from ledger.migrate import upgrade
from ledger.permissions import Capability
from ledger.settings import Settings
from tests.channels.fake_rasa import FakeRasaWebhook
from tests.channels.fake_telegram import TOKEN, FakeTelegram

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _png(width: int = 4, height: int = 3) -> bytes:
    """A small, valid, teal PNG (a stand-in for a chart)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x0f\x5e\x6e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = _png()


@dataclass(frozen=True)
class Books:
    """A company on fresh SQLite books, with an owner and a staff member.

    Attributes:
      url: the database URL.
      sessions: sessions on it.
      company_id: the company.
      owner, staff: the people, with their one-time token and link code.
    """

    url: str
    sessions: sessionmaker[Session]
    company_id: int
    owner: NewUser
    staff: NewUser


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Books]:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        made = create_company(session, "Fjordlys AS", owner_name="Kari Nordmann")
        staff = add_user(session, made.company.id, "Ola Hansen", "staff")
        company_id = made.company.id
        owner = made.owner
    yield Books(url, sessions, company_id, owner, staff)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasaWebhook]:
    rasa = FakeRasaWebhook()
    await rasa.start()
    yield rasa
    await rasa.stop()


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    telegram = FakeTelegram()
    await telegram.start()
    yield telegram
    await telegram.stop()


def gateway_settings(books: Books, rasa_url: str, **overrides: Any) -> Settings:
    """Settings for a gateway on a free port, on `books`, talking to Rasa at `rasa_url`."""
    values: dict[str, Any] = {
        "database_url": books.url,
        "rasa_url": rasa_url,
        "host": "127.0.0.1",
        "gateway_port": free_port(),
        "public_url": "",
        "allowed_origins": [],
        "secret": "channel-tests-secret",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def test_document(request: web.Request) -> web.Response:
    """A file only an owner or accountant may fetch, standing in for an invoice PDF or chart."""
    await in_db(request, lambda session: authorise(session, request, Capability.KEEP_BOOKS))
    name = request.match_info["name"]
    if name.endswith(".png"):
        return web.Response(body=PNG, content_type="image/png")
    return web.Response(body=PDF, content_type="application/pdf")


def document_path(company_id: int, name: str) -> str:
    return f"/api/v1/companies/{company_id}/test-documents/{name}"


def invoicing(books: Books) -> Any:
    """Rasa's side of invoicing, scripted: a question with Ja/Nei, then the invoice's PDF."""

    def script(text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        if text.startswith("fakturer"):
            return [{
                "text": "Fakturere Fjord Bygg for 2 timer, 2 500,00 kr?",
                "buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "Nei", "payload": "/deny"}],
            }]
        if text == "/affirm":
            return [{
                "text": "Faktura 10001 er laget.",
                "attachment": document_path(books.company_id, "faktura-10001.pdf"),
            }]
        if text == "vis grafen":
            return [{"text": "Resultat hittil i år", "image": document_path(books.company_id, "resultat.png")}]
        return [{"text": f"echo: {text}"}]

    return script


GatewayFactory = Callable[..., Awaitable[TestClient[web.Request, web.Application]]]


@pytest.fixture
def start_gateway(
    fake_telegram: FakeTelegram, fake_rasa: FakeRasaWebhook, books: Books, aiohttp_client: Any
) -> GatewayFactory:
    """Starts the gateway (with `Settings` overrides, and Telegram when given its settings) on
    its configured port; it stops before the fakes it talks to."""

    async def start(
        telegram: TelegramSettings | None = None, **overrides: Any
    ) -> TestClient[web.Request, web.Application]:
        settings = gateway_settings(books, fake_rasa.url, **overrides)
        app = create_app(settings, telegram or TelegramSettings(_env_file=None, token=""))  # type: ignore[call-arg]
        app.router.add_get("/api/v1/companies/{cid}/test-documents/{name}", test_document)
        client: TestClient[web.Request, web.Application] = await aiohttp_client(
            app, server_kwargs={"host": "127.0.0.1", "port": settings.gateway_port}
        )
        return client

    return start


@pytest.fixture
def telegram_settings(fake_telegram: FakeTelegram) -> TelegramSettings:
    """The bot's settings pointing it at the fake Bot API, in long polling mode."""
    return TelegramSettings(
        _env_file=None,  # type: ignore[call-arg]
        token=TOKEN,
        webhook_url="",
        webhook_secret="",
        base_url=fake_telegram.base_url,
        base_file_url=fake_telegram.base_file_url,
    )


REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own on the local Redis; its keys are removed afterwards."""
    prefix = f"bokbot-test-{secrets.token_hex(6)}:"
    yield prefix
    client = Redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
