"""While the books' database cannot be reached, a chat message gets "try again in a moment,
nothing was posted" in the person's language at once, reaches nothing (not Rasa, not the
books), and the same message is answered as usual once the database is back. The REST API
says the same with 503; signing in to the web chat or writing on Telegram (before any turn
starts) is told the same. PostgreSQL is cut off through a proxy, never stopped."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientSession
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from channels.app import create_app
from channels.conversation import ChatTurn, Conversations
from channels.telegram.settings import TelegramSettings
from ledger.companies import create_company
from ledger.db import make_engine
from ledger.models import IdempotencyRecord, User
from ledger.settings import Settings
from tests.channels.conftest import GatewayFactory, free_port
from tests.channels.fake_rasa import FakeRasaWebhook
from tests.channels.fake_telegram import FakeTelegram, text_update
from tests.e2e.cutting_proxy import CuttingProxy

pytestmark = pytest.mark.postgres

TRY_AGAIN_EN = "The assistant could not answer just now. Please try again in a moment – nothing was posted."
TRY_AGAIN_NB = "Assistenten fikk ikke svart akkurat nå. Prøv igjen om litt – ingenting er bokført."
KARI, STRANGER = 4242, 9999  # Telegram user ids


@dataclass(frozen=True)
class CutBooks:
    """Books on PostgreSQL reached through a proxy the test cuts.

    Attributes:
      url: the books through the proxy (what the gateway is given).
      proxy: the proxy.
      sessions: sessions through the proxy.
      direct: sessions straight to the server, for the test's own checks.
      user_id: an English-speaking owner; token: their API token.
    """

    url: str
    proxy: CuttingProxy
    sessions: sessionmaker[Session]
    direct: sessionmaker[Session]
    user_id: int
    token: str


@pytest.fixture
def cut_books(pg_url: str) -> Iterator[CutBooks]:
    real = make_url(pg_url)
    proxy = CuttingProxy((real.host or "127.0.0.1", real.port or 5432))
    url = real.set(port=proxy.port).render_as_string(hide_password=False)
    direct_engine, engine = make_engine(pg_url), make_engine(url)
    direct = sessionmaker(direct_engine, expire_on_commit=False)
    with direct.begin() as session:
        made = create_company(session, "Fjordlys AS", owner_name="Kari Nordmann")
        owner = session.get(User, made.owner.user.id)
        assert owner is not None
        owner.language = "en"
        user_id, token = owner.id, made.owner.token
    yield CutBooks(url, proxy, sessionmaker(engine, expire_on_commit=False), direct, user_id, token)
    proxy.close()
    engine.dispose()
    direct_engine.dispose()


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasaWebhook]:
    fake = FakeRasaWebhook()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def conversations(cut_books: CutBooks, rasa: FakeRasaWebhook) -> AsyncIterator[Conversations]:
    async with ClientSession() as http:
        yield Conversations(cut_books.sessions, http, rasa.url, b"test-secret")


def texts(answer: Any) -> list[str]:
    return [m.text for m in answer.messages]


def claims(books: CutBooks) -> int:
    with books.direct.begin() as session:
        return int(session.scalar(select(func.count(IdempotencyRecord.id))) or 0)


async def test_a_message_while_the_books_are_cut_off_is_answered_at_once_and_reaches_nothing(
    cut_books: CutBooks, rasa: FakeRasaWebhook, conversations: Conversations
) -> None:
    first = await conversations.answer(ChatTurn(cut_books.user_id, "hello", "api", message_id="api:1"))
    assert texts(first) == ["echo: hello"]
    cut_books.proxy.cut()
    try:
        started = time.monotonic()
        refused = await conversations.answer(ChatTurn(cut_books.user_id, "2 hours", "api", message_id="api:2"))
        assert time.monotonic() - started < 5
        assert texts(refused) == [TRY_AGAIN_EN]  # the language last read from the books
        assert rasa.texts() == ["hello"]
        assert claims(cut_books) == 1
    finally:
        cut_books.proxy.restore()
    again = await conversations.answer(ChatTurn(cut_books.user_id, "2 hours", "api", message_id="api:2"))
    assert texts(again) == ["echo: 2 hours"] and not again.repeated
    assert rasa.texts() == ["hello", "2 hours"]
    assert claims(cut_books) == 2


async def test_someone_not_heard_from_yet_is_told_in_norwegian(
    cut_books: CutBooks, rasa: FakeRasaWebhook, conversations: Conversations
) -> None:
    cut_books.proxy.cut()
    try:
        refused = await conversations.answer(ChatTurn(cut_books.user_id, "hei", "web"))
    finally:
        cut_books.proxy.restore()
    assert texts(refused) == [TRY_AGAIN_NB]
    assert rasa.texts() == []


async def test_an_answer_rasa_gave_is_delivered_when_the_books_go_away_before_it_is_recorded_and_recorded_later(
    cut_books: CutBooks, rasa: FakeRasaWebhook, conversations: Conversations
) -> None:
    def cut_while_answering(text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        if text == "hello":
            cut_books.proxy.cut()
        return [{"text": f"echo: {text}"}]

    rasa.script = cut_while_answering
    try:
        answered = await conversations.answer(ChatTurn(cut_books.user_id, "hello", "api", message_id="api:9"))
    finally:
        cut_books.proxy.restore()
    assert texts(answered) == ["echo: hello"]  # delivered all the same
    with cut_books.direct.begin() as session:  # taken, not answered: as the cut left it
        [record] = session.scalars(select(IdempotencyRecord)).all()
        assert record.response is None

    again = await conversations.answer(ChatTurn(cut_books.user_id, "hello", "api", message_id="api:9"))
    assert texts(again) == ["echo: hello"] and again.repeated
    assert rasa.texts() == ["hello"]  # asked once
    with cut_books.direct.begin() as session:  # recorded once the books answered again
        [record] = session.scalars(select(IdempotencyRecord)).all()
        assert record.response is not None
        assert [m["text"] for m in record.response["messages"]] == ["echo: hello"]


async def test_the_api_says_503_try_again_while_the_books_are_cut_off(
    cut_books: CutBooks, rasa: FakeRasaWebhook, aiohttp_client: Any
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=cut_books.url, rasa_url=rasa.url, host="127.0.0.1", gateway_port=free_port(),
        public_url="", allowed_origins=[], secret="channel-tests-secret",
    )
    app = create_app(settings, TelegramSettings(_env_file=None, token=""))  # type: ignore[call-arg]
    client = await aiohttp_client(app, server_kwargs={"host": "127.0.0.1", "port": settings.gateway_port})
    auth = {"Authorization": f"Bearer {cut_books.token}"}
    assert (await client.post("/api/v1/chat", json={"text": "hello"}, headers=auth)).status == 200
    cut_books.proxy.cut()
    try:
        for language, said in (("en-GB", TRY_AGAIN_EN), ("nb", TRY_AGAIN_NB)):
            response = await client.post(
                "/api/v1/chat", json={"text": "2 hours", "message_id": "m2"},
                headers={**auth, "Accept-Language": language},
            )
            assert response.status == 503
            assert response.headers["Retry-After"] == "5"
            assert (await response.json())["error"] == {"code": "books_unavailable", "message": said}
        assert (await client.get("/api/v1/me", headers=auth)).status == 503
    finally:
        cut_books.proxy.restore()
    response = await client.post("/api/v1/chat", json={"text": "2 hours", "message_id": "m2"}, headers=auth)
    assert response.status == 200
    assert [m["text"] for m in (await response.json())["messages"]] == ["echo: 2 hours"]
    assert rasa.texts() == ["hello", "2 hours"]


TRY_AGAIN_LATER = 1013  # the websocket close code


async def test_signing_in_to_the_web_chat_while_the_books_are_cut_off_says_try_again(
    cut_books: CutBooks, start_gateway: GatewayFactory
) -> None:
    client = await start_gateway(database_url=cut_books.url)
    origin = f"http://127.0.0.1:{client.port}"
    hello = {"type": "hello", "token": cut_books.token}
    cut_books.proxy.cut()
    try:
        for attempt in (hello, {"type": "hello", "code": "K7Q2MZ9X"}):
            ws = await client.ws_connect("/ws", headers={"Origin": origin})
            await ws.send_json(attempt)
            assert await ws.receive_json(timeout=10) == {"type": "error", "code": "books_unavailable"}
            await ws.receive(timeout=10)
            assert ws.closed and ws.close_code == TRY_AGAIN_LATER
    finally:
        cut_books.proxy.restore()
    ws = await client.ws_connect("/ws", headers={"Origin": origin})
    await ws.send_json(hello)
    welcome = await ws.receive_json(timeout=10)
    assert welcome["type"] == "welcome" and welcome["company"] == "Fjordlys AS"
    await ws.close()


async def test_telegram_while_the_books_are_cut_off_says_try_again_in_the_persons_language(
    cut_books: CutBooks, start_gateway: GatewayFactory, telegram_settings: TelegramSettings,
    fake_telegram: FakeTelegram, fake_rasa: FakeRasaWebhook,
) -> None:
    with cut_books.direct.begin() as session:
        owner = session.get(User, cut_books.user_id)
        assert owner is not None
        owner.telegram_user_id = KARI
    await start_gateway(telegram=telegram_settings, database_url=cut_books.url)
    cut_books.proxy.cut()
    try:
        fake_telegram.queue(text_update(KARI, "hva er saldoen?"))
        fake_telegram.queue(text_update(STRANGER, "/start K7Q2MZ9X", language_code="en"))
        first, second = await fake_telegram.wait_for("sendMessage", 2)
    finally:
        cut_books.proxy.restore()
    said = {call.params["chat_id"]: call.params["text"] for call in (first, second)}
    assert said == {str(KARI): TRY_AGAIN_NB, str(STRANGER): TRY_AGAIN_EN}
    assert fake_rasa.received == []
    fake_telegram.queue(text_update(KARI, "hva er saldoen?"))
    third = (await fake_telegram.wait_for("sendMessage", 3))[2]
    assert third.params == {"chat_id": str(KARI), "text": "echo: hva er saldoen?"} | {
        k: v for k, v in third.params.items() if k not in ("chat_id", "text")
    }
