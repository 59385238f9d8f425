"""The Telegram channel, driven as Telegram drives it: python-telegram-bot inside the
gateway talks to a fake Bot API server, which delivers updates (texts, `/start CODE`, button
presses, a redelivered update) and records the bot's calls. The assistant behind it is a
scripted fake Rasa; the real one is used in tests/e2e/test_telegram_e2e.py."""

from __future__ import annotations

import logging

import pytest

from channels.telegram.settings import TelegramSettings
from ledger import identity
from ledger.models import IdempotencyRecord, User
from tests.channels.conftest import PDF, PNG, Books, GatewayFactory, invoicing
from tests.channels.fake_rasa import FakeRasaWebhook
from tests.channels.fake_telegram import TOKEN, FakeTelegram, button_update, text_update

KARI = 4242  # Kari's Telegram user id
STRANGER = 9999


def link(books: Books, user: identity.NewUser, telegram_id: int) -> None:
    with books.sessions.begin() as session:
        assert identity.redeem_link_code(session, user.link_code, telegram_id) is not None


async def test_without_a_token_telegram_is_off(start_gateway: GatewayFactory, fake_telegram: FakeTelegram) -> None:
    client = await start_gateway()
    response = await client.post("/telegram/webhook", json={})
    assert response.status == 404
    assert fake_telegram.calls == []


async def test_start_with_a_link_code_links_the_account_and_the_code_works_once(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram, books: Books
) -> None:
    await start_gateway(telegram=telegram_settings)
    fake_telegram.queue(text_update(KARI, f"/start {books.owner.link_code.lower()}"))
    [welcome] = await fake_telegram.wait_for("sendMessage")
    assert welcome.params["chat_id"] == str(KARI)
    assert "Kari Nordmann" in welcome.params["text"]
    assert "Fjordlys AS" in welcome.params["text"]
    with books.sessions.begin() as session:
        assert session.get(User, books.owner.user.id).telegram_user_id == KARI  # type: ignore[union-attr]

    fake_telegram.queue(text_update(STRANGER, f"/start {books.owner.link_code}", language_code="en"))
    refused = (await fake_telegram.wait_for("sendMessage", 2))[1]
    assert refused.params["chat_id"] == str(STRANGER)
    assert "does not work" in refused.params["text"]
    with books.sessions.begin() as session:
        assert identity.user_by_telegram_id(session, STRANGER) is None
        assert identity.user_by_telegram_id(session, KARI).id == books.owner.user.id  # type: ignore[union-attr]


async def test_an_unlinked_person_is_told_how_to_get_access_and_reaches_nothing(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook,
) -> None:
    await start_gateway(telegram=telegram_settings)
    fake_telegram.queue(text_update(STRANGER, "hva har vi på konto?"))
    fake_telegram.queue(text_update(STRANGER, "/start"))
    first, second = await fake_telegram.wait_for("sendMessage", 2)
    for call in (first, second):
        assert "/start KODE" in call.params["text"]
    assert fake_rasa.received == []


async def test_a_text_goes_through_the_shared_conversation_path_and_buttons_become_an_inline_keyboard(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, books: Books,
) -> None:
    link(books, books.owner, KARI)
    fake_rasa.script = invoicing(books)
    await start_gateway(telegram=telegram_settings)
    update = text_update(KARI, "fakturer Fjord Bygg for 2 timer")
    fake_telegram.queue(update)

    [question] = await fake_telegram.wait_for("sendMessage")
    assert question.params["text"] == "Fakturere Fjord Bygg for 2 timer, 2 500,00 kr?"
    keyboard = question.params["reply_markup"]["inline_keyboard"]
    assert [[(b["text"], b["callback_data"]) for b in row] for row in keyboard] == [
        [("Ja", "/affirm"), ("Nei", "/deny")]
    ]
    [sent] = fake_rasa.received
    assert sent["sender"] == f"user-{books.owner.user.id}"
    assert sent["metadata"] | {"user_id": books.owner.user.id, "company_id": books.company_id} == sent["metadata"]
    assert sent["metadata"]["channel"] == "telegram"
    assert sent["metadata"]["message_id"] == f"tg:{update['update_id']}"
    assert sent["metadata"]["role"] == "owner"
    typing = fake_telegram.of("sendChatAction")
    assert typing and typing[0].params == {"chat_id": str(KARI), "action": "typing"}


async def test_a_pressed_button_is_answered_its_keyboard_removed_and_its_payload_sent_on(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, books: Books,
) -> None:
    link(books, books.owner, KARI)
    fake_rasa.script = invoicing(books)
    await start_gateway(telegram=telegram_settings)
    fake_telegram.queue(text_update(KARI, "fakturer Fjord Bygg for 2 timer"))
    [question] = await fake_telegram.wait_for("sendMessage")
    asked = {"message_id": 1001, "text": question.params["text"], "reply_markup": question.params["reply_markup"]}

    fake_telegram.queue(button_update(KARI, "/affirm", on_message=asked, callback_id="cb-77"))
    [document] = await fake_telegram.wait_for("sendDocument")
    [answered] = fake_telegram.of("answerCallbackQuery")
    assert answered.params["callback_query_id"] == "cb-77"
    [removed] = fake_telegram.of("editMessageReplyMarkup")
    assert removed.params["chat_id"] == str(KARI) and removed.params["message_id"] == "1001"
    assert "reply_markup" not in removed.params or removed.params["reply_markup"] in ("", None)
    assert fake_rasa.texts() == ["fakturer Fjord Bygg for 2 timer", "/affirm"]
    assert fake_rasa.received[1]["metadata"]["message_id"] == "tg:cb:cb-77"
    name, body = document.files["document"]
    assert (name, body) == ("faktura-10001.pdf", PDF)
    assert fake_telegram.of("sendMessage")[-1].params["text"] == "Faktura 10001 er laget."
    order = [c.method for c in fake_telegram.calls if c.method in ("answerCallbackQuery", "editMessageReplyMarkup")]
    assert order == ["answerCallbackQuery", "editMessageReplyMarkup"]


async def test_an_update_delivered_twice_is_handled_once(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, books: Books,
) -> None:
    link(books, books.owner, KARI)
    await start_gateway(telegram=telegram_settings)
    update = text_update(KARI, "hei")
    fake_telegram.queue(update)
    await fake_telegram.wait_for("sendMessage")
    fake_telegram.queue(update)
    fake_telegram.queue(text_update(KARI, "og så"))
    await fake_telegram.wait_for("sendMessage", 2)
    await fake_telegram.settle()

    assert fake_rasa.texts() == ["hei", "og så"]
    assert [c.params["text"] for c in fake_telegram.of("sendMessage")] == ["echo: hei", "echo: og så"]
    with books.sessions.begin() as session:
        keys = session.scalars(IdempotencyRecord.__table__.select().with_only_columns(IdempotencyRecord.key)).all()
    assert f"tg:{update['update_id']}" in keys


async def test_a_picture_is_sent_as_a_photo_fetched_from_the_gateway_itself(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, books: Books,
) -> None:
    link(books, books.owner, KARI)
    fake_rasa.script = invoicing(books)
    await start_gateway(telegram=telegram_settings)
    fake_telegram.queue(text_update(KARI, "vis grafen"))
    [photo] = await fake_telegram.wait_for("sendPhoto")
    assert photo.files["photo"] == ("resultat.png", PNG)
    assert fake_telegram.of("sendMessage")[0].params["text"] == "Resultat hittil i år"


async def test_a_file_is_fetched_with_the_persons_own_authority(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, books: Books,
) -> None:
    # Staff may not see invoices: even if the assistant offered one, the gateway refuses it.
    link(books, books.staff, KARI)
    fake_rasa.script = invoicing(books)
    await start_gateway(telegram=telegram_settings)
    fake_telegram.queue(text_update(KARI, "/affirm"))  # a command, so it is not passed on
    fake_telegram.queue(button_update(KARI, "/affirm", on_message={"message_id": 5, "text": "?"}))
    texts = [c.params["text"] for c in await fake_telegram.wait_for("sendMessage", 2)]
    assert texts[-1] == "Jeg fikk ikke hentet faktura-10001.pdf. Prøv igjen, eller åpne den i nettchatten."
    assert fake_telegram.of("sendDocument") == []


async def test_when_the_assistant_is_down_the_person_is_told_and_may_send_again(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, books: Books,
) -> None:
    link(books, books.owner, KARI)
    await start_gateway(telegram=telegram_settings)
    fake_rasa.down = True
    update = text_update(KARI, "hei")
    fake_telegram.queue(update)
    [sorry] = await fake_telegram.wait_for("sendMessage")
    assert "svarer ikke" in sorry.params["text"]
    fake_rasa.down = False
    fake_telegram.queue(update)
    assert (await fake_telegram.wait_for("sendMessage", 2))[1].params["text"] == "echo: hei"


async def test_group_chats_are_not_served(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    fake_rasa: FakeRasaWebhook, books: Books,
) -> None:
    link(books, books.owner, KARI)
    await start_gateway(telegram=telegram_settings)
    fake_telegram.queue(text_update(KARI, "hva har vi på konto?", chat_type="group"))
    fake_telegram.queue(text_update(KARI, "hei"))
    await fake_telegram.wait_for("sendMessage")
    await fake_telegram.settle()
    assert fake_rasa.texts() == ["hei"]


async def test_webhook_mode_registers_a_secret_and_refuses_posts_without_it(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    books: Books,
) -> None:
    link(books, books.owner, KARI)
    client = await start_gateway(telegram=telegram_settings.model_copy(update={
        "webhook_url": "https://bokbot.example/telegram/webhook", "webhook_secret": "s3cret-for-the-hook",
    }))
    [registered] = fake_telegram.of("setWebhook")
    assert registered.params["url"] == "https://bokbot.example/telegram/webhook"
    assert registered.params["secret_token"] == "s3cret-for-the-hook"
    assert fake_telegram.of("getUpdates") == []

    update = text_update(KARI, "hei")
    assert (await client.post("/telegram/webhook", json=update)).status == 403
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
    assert (await client.post("/telegram/webhook", json=update, headers=wrong)).status == 403
    right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-for-the-hook"}
    assert (await client.post("/telegram/webhook", data=b"[1, 2", headers=right)).status == 400
    assert (await client.post("/telegram/webhook", json=[update], headers=right)).status == 400
    assert (await client.post("/telegram/webhook", json=update, headers=right)).status == 200
    [reply] = await fake_telegram.wait_for("sendMessage")
    assert reply.params["text"] == "echo: hei"


async def test_the_bot_token_never_reaches_the_logs(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram,
    books: Books, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    link(books, books.owner, KARI)
    await start_gateway(telegram=telegram_settings)
    fake_telegram.queue(text_update(KARI, "hei"))
    await fake_telegram.wait_for("sendMessage")
    assert fake_telegram.of("getUpdates")
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text
