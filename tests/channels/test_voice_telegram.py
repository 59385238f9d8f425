"""Telegram voice notes, driven as Telegram drives them: the fake Bot API delivers a voice note
(OGG Opus made here with the project's own speech synthesis), the bot downloads it, shows what
it heard, and the transcript goes through the same conversation path as a text; when the person
asked for spoken replies, the answer also comes back as a voice note. The assistant is a
scripted fake Rasa."""

from __future__ import annotations

from typing import Any

import pytest

from channels.telegram.settings import TelegramSettings
from channels.texts import render
from ledger import identity
from ledger.customers import create_customer
from ledger.models import User
from ledger.projects import create_project
from tests.channels.conftest import Books, GatewayFactory
from tests.channels.fake_rasa import FakeRasaWebhook
from tests.channels.fake_telegram import FakeTelegram, voice_update
from tests.voice.speech import as_ogg_opus, silence, spoken

pytestmark = pytest.mark.voice

KARI = 4242
STRANGER = 9999


@pytest.fixture
def named_books(books: Books) -> Books:
    with books.sessions.begin() as session:
        create_customer(session, books.company_id, "Fjord Bygg AS")
        create_customer(session, books.company_id, "Hansen Rør AS")
        create_project(session, books.company_id, "Nettside")
        assert identity.redeem_link_code(session, books.owner.link_code, KARI) is not None
    return books


def invoicing_by_voice(text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """Rasa's side, scripted: an invoice question with Ja/Nei, and a spoken "ja" answered."""
    if text.startswith("fakturer"):
        return [{
            "text": "Fakturere Fjord Bygg for 5 timer, 6 250,00 kr?",
            "buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "Nei", "payload": "/deny"}],
        }]
    if text in ("ja", "/affirm"):
        return [{"text": "Faktura 10001 er laget."}]
    return [{"text": f"echo: {text}"}]


def send_voice_note(telegram: FakeTelegram, file_id: str, text: str, language: str = "nb", **update: Any) -> dict:
    note = as_ogg_opus(spoken(text, language))
    telegram.store(file_id, note)
    sent = voice_update(update.pop("telegram_id", KARI), file_id, seconds=3, size=len(note), **update)
    telegram.queue(sent)
    return sent


def texts(telegram: FakeTelegram) -> list[str]:
    return [c.params["text"] for c in telegram.of("sendMessage")]


async def test_a_voice_note_is_heard_shown_back_first_and_answered_as_a_text(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, named_books: Books,
) -> None:
    fake_rasa.script = invoicing_by_voice
    await start_gateway(telegram=telegram_settings)
    update = send_voice_note(fake_telegram, "note-1", "fakturer Fjord Bygg for 5 timer")

    heard, question = await fake_telegram.wait_for("sendMessage", 2, timeout=60)
    assert heard.params["text"] == "Jeg hørte: «fakturer Fjord Bygg for 5 timer»"
    assert question.params["text"] == "Fakturere Fjord Bygg for 5 timer, 6 250,00 kr?"
    keyboard = question.params["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for row in keyboard for b in row] == ["/affirm", "/deny"]
    assert fake_telegram.downloads == ["voice/note-1.oga"]
    [sent] = fake_rasa.received
    assert sent["message"] == "fakturer Fjord Bygg for 5 timer"
    assert sent["metadata"]["channel"] == "voice"
    assert sent["metadata"]["message_id"] == f"tg:{update['update_id']}"
    await fake_telegram.settle(0.3)
    assert fake_telegram.of("sendVoice") == []  # spoken replies are off until asked for


async def test_asked_by_voice_for_spoken_replies_a_spoken_yes_is_answered_in_text_and_speech(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, named_books: Books,
) -> None:
    fake_rasa.script = invoicing_by_voice
    await start_gateway(telegram=telegram_settings)
    send_voice_note(fake_telegram, "note-on", "svar med tale")
    heard, confirmed = await fake_telegram.wait_for("sendMessage", 2, timeout=60)
    assert heard.params["text"] == "Jeg hørte: «svar med tale»"
    assert "tale" in confirmed.params["text"]
    assert fake_rasa.received == []  # the gateway keeps this itself
    with named_books.sessions.begin() as session:
        assert session.get(User, named_books.owner.user.id).voice_replies is True  # type: ignore[union-attr]

    send_voice_note(fake_telegram, "note-yes", "ja")
    [voice] = await fake_telegram.wait_for("sendVoice", timeout=60)
    assert texts(fake_telegram)[2:] == ["Jeg hørte: «ja»", "Faktura 10001 er laget."]
    assert fake_rasa.texts() == ["ja"]
    name, body = voice.files["voice"]
    assert name.endswith(".ogg")
    assert body[:4] == b"OggS" and len(body) > 1000
    assert voice.params["chat_id"] == str(KARI)
    order = [c.method for c in fake_telegram.calls if c.method in ("sendMessage", "sendVoice")]
    assert order[-2:] == ["sendMessage", "sendVoice"]  # the text first, then the same words spoken


async def test_an_english_voice_note_is_shown_back_in_english(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, named_books: Books,
) -> None:
    await start_gateway(telegram=telegram_settings)
    send_voice_note(fake_telegram, "note-en", "log 2 hours on Nettside", "en")
    heard, answer = await fake_telegram.wait_for("sendMessage", 2, timeout=60)
    assert heard.params["text"] == "I heard: “log 2 hours on Nettside”"
    assert answer.params["text"] == "echo: log 2 hours on Nettside"


async def test_a_silent_voice_note_is_refused_and_reaches_nothing(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, named_books: Books,
) -> None:
    await start_gateway(telegram=telegram_settings)
    note = as_ogg_opus(silence(2.0))
    fake_telegram.store("quiet", note)
    fake_telegram.queue(voice_update(KARI, "quiet", seconds=2, size=len(note)))
    [refused] = await fake_telegram.wait_for("sendMessage", timeout=30)
    assert refused.params["text"].startswith("Jeg hørte bare stillhet.")
    assert "Ingenting er endret." in refused.params["text"]
    assert fake_rasa.received == []


async def test_a_voice_note_longer_than_allowed_is_refused_without_downloading_it(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, named_books: Books,
) -> None:
    await start_gateway(telegram=telegram_settings, voice_max_seconds=10.0)
    fake_telegram.store("long", b"OggS" + bytes(2000))
    fake_telegram.queue(voice_update(KARI, "long", seconds=45, size=2004))
    [refused] = await fake_telegram.wait_for("sendMessage")
    assert "opptil 10 sekunder" in refused.params["text"]
    assert fake_telegram.of("getFile") == [] and fake_telegram.downloads == []
    assert fake_rasa.received == []


async def test_a_voice_note_telegram_will_not_hand_over_is_refused(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, named_books: Books,
) -> None:
    await start_gateway(telegram=telegram_settings)
    fake_telegram.queue(voice_update(KARI, "gone", seconds=2, size=3000))  # never stored
    [refused] = await fake_telegram.wait_for("sendMessage")
    assert "Ingenting er endret." in refused.params["text"]
    assert fake_rasa.received == []


async def test_an_unlinked_persons_voice_note_is_not_downloaded(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, named_books: Books,
) -> None:
    await start_gateway(telegram=telegram_settings)
    fake_telegram.store("theirs", b"OggS")
    fake_telegram.queue(voice_update(STRANGER, "theirs", seconds=2, size=4))
    [told] = await fake_telegram.wait_for("sendMessage")
    assert "/start KODE" in told.params["text"]
    assert fake_telegram.downloads == [] and fake_rasa.received == []


async def test_a_voice_note_delivered_twice_is_heard_and_answered_once(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, named_books: Books,
) -> None:
    await start_gateway(telegram=telegram_settings)
    first = send_voice_note(fake_telegram, "twice", "fakturer Fjord Bygg for 5 timer")
    await fake_telegram.wait_for("sendMessage", 2, timeout=60)
    fake_telegram.queue(first)
    await fake_telegram.wait_for("getFile", 2, timeout=30)
    await fake_telegram.settle(1.5)
    said = "fakturer Fjord Bygg for 5 timer"
    assert texts(fake_telegram) == [f"Jeg hørte: «{said}»", f"echo: {said}"]
    assert fake_rasa.texts() == [said]


async def test_a_voice_note_from_someone_in_no_company_is_answered_without_hearing_anything(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, named_books: Books,
) -> None:
    with named_books.sessions.begin() as session:
        for membership in identity.memberships_of(session, named_books.owner.user.id):
            session.delete(membership)
    await start_gateway(telegram=telegram_settings)
    send_voice_note(fake_telegram, "no-company", "hva er saldoen")
    [told] = await fake_telegram.wait_for("sendMessage", timeout=30)
    assert told.params["text"] == render("nb", "telegram/no_company.j2")
    assert fake_rasa.received == []
