"""Telegram documents and photos: downloaded through the bot's `getFile`, handed to the
assistant as a stored file with its caption; a file of another kind is refused in the
person's language and reaches nothing; a redelivered update is answered once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from channels.telegram.settings import TelegramSettings
from ledger import identity
from ledger.models import ConversationFile
from tests.channels.conftest import PNG, Books, GatewayFactory
from tests.channels.fake_rasa import FakeRasaWebhook
from tests.channels.fake_telegram import FakeTelegram, document_update, photo_update

KARI = 4343
CAMT = (Path(__file__).resolve().parents[1] / "ledger" / "data" / "camt053_no.xml").read_bytes()


@pytest.fixture
def linked(books: Books) -> Books:
    with books.sessions.begin() as session:
        assert identity.redeem_link_code(session, books.owner.link_code, KARI) is not None
    return books


def summarising(text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    if text.startswith("/received_file"):
        return [{"text": "7 linjer. Bokfør de 3?", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]
    return [{"text": f"echo: {text}"}]


def stored(books: Books) -> list[ConversationFile]:
    with books.sessions.begin() as s:
        return list(s.scalars(select(ConversationFile).order_by(ConversationFile.id)))


async def test_a_statement_sent_as_a_document_is_answered_like_a_message(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, linked: Books,
) -> None:
    fake_rasa.script = summarising
    await start_gateway(telegram=telegram_settings)
    fake_telegram.store("doc-1", CAMT)
    update = document_update(KARI, "doc-1", file_name="november.xml", size=len(CAMT), caption="november")
    fake_telegram.queue(update)
    [question] = await fake_telegram.wait_for("sendMessage", 1, timeout=30)
    assert question.params["text"] == "7 linjer. Bokfør de 3?"
    [row] = stored(linked)
    assert (row.kind, row.filename, row.caption, row.channel) == ("statement", "november.xml", "november", "telegram")
    [sent] = fake_rasa.received
    assert sent["message"] == f'/received_file{{"file_id":"{row.public_id}"}}'
    assert sent["metadata"]["channel"] == "telegram"
    fake_telegram.queue(update)  # Telegram delivers it again
    await fake_telegram.settle(0.5)
    assert len(fake_rasa.received) == 1 and len(stored(linked)) == 1
    assert len(fake_telegram.of("sendMessage")) == 1


async def test_a_photo_is_taken_in_its_largest_size(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, linked: Books,
) -> None:
    await start_gateway(telegram=telegram_settings)
    fake_telegram.store("small", b"\xff\xd8\xff" + bytes(10))
    fake_telegram.store("large", PNG)
    fake_telegram.queue(photo_update(KARI, ["small", "large"], size=len(PNG), caption="lunsj"))
    await fake_telegram.wait_for("sendMessage", 1, timeout=30)
    [row] = stored(linked)
    assert (row.kind, row.media_type, row.caption) == ("receipt", "image/png", "lunsj")
    assert fake_telegram.downloads == ["voice/large.oga"]


async def test_a_document_of_another_kind_is_refused_and_reaches_nothing(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, linked: Books,
) -> None:
    await start_gateway(telegram=telegram_settings)
    fake_telegram.store("zip", b"PK\x03\x04" + bytes(100))
    fake_telegram.queue(document_update(KARI, "zip", file_name="kontoutskrift.xml", size=104))
    [refused] = await fake_telegram.wait_for("sendMessage", 1, timeout=30)
    assert refused.params["text"].startswith("Den filen kan jeg ikke bruke.")
    fake_telegram.queue(document_update(KARI, "huge", file_name="stor.pdf", size=11 * 1024 * 1024))
    _, too_large = await fake_telegram.wait_for("sendMessage", 2, timeout=30)
    assert too_large.params["text"].startswith("Filen er for stor")
    assert fake_telegram.downloads == ["voice/zip.oga"]  # the large one was not fetched
    assert stored(linked) == [] and fake_rasa.received == []


async def test_a_file_from_an_unlinked_account_reaches_nothing(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, books: Books,
) -> None:
    await start_gateway(telegram=telegram_settings)
    fake_telegram.store("doc-2", CAMT)
    fake_telegram.queue(document_update(7777, "doc-2", file_name="x.xml", size=len(CAMT)))
    [answer] = await fake_telegram.wait_for("sendMessage", 1, timeout=30)
    assert "kode" in answer.params["text"].lower()
    assert fake_telegram.downloads == [] and stored(books) == [] and fake_rasa.received == []
