"""Telegram through the real assistant: a gateway with the Telegram bot (talking to a fake
Bot API server, as Telegram itself is not reachable from tests) hands messages to the real
Rasa server and action server of the running stack, on the stack's books."""

from __future__ import annotations

import re
import socket

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from ledger.db import make_engine
from ledger.identity import add_user
from ledger.models import Invoice
from tests.channels.fake_telegram import FakeTelegram, button_update, text_update
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

REPLY_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def new_owner(stack: RunningStack, name: str) -> str:
    """A new owner of the demo company (a fresh conversation); their link code."""
    engine = make_engine(stack.database_url)
    try:
        with sessionmaker(engine).begin() as session:
            return add_user(session, stack.company_id, name, "owner").link_code
    finally:
        engine.dispose()


def invoices(stack: RunningStack) -> int:
    engine = make_engine(stack.database_url)
    try:
        with sessionmaker(engine).begin() as session:
            count = select(func.count(Invoice.id)).where(Invoice.company_id == stack.company_id)
            return int(session.scalar(count) or 0)
    finally:
        engine.dispose()




async def test_a_linked_telegram_user_asks_the_real_assistant_for_the_balance(
    stack: RunningStack, telegram: FakeTelegram
) -> None:
    code = new_owner(stack, "Telegram Saldo")
    telegram.queue(text_update(71001, f"/start {code}"))
    [welcome] = await telegram.wait_for("sendMessage")
    assert "Telegram Saldo" in welcome.params["text"]

    telegram.queue(text_update(71001, "hva er saldoen?"))
    answer = (await telegram.wait_for("sendMessage", 2, timeout=REPLY_SECONDS))[1]
    assert re.fullmatch(r"Saldoen på driftskontoen er .+ kr\.", answer.params["text"]), answer.params["text"]
    assert telegram.of("sendChatAction")


async def test_invoicing_from_telegram_posts_once_and_sends_the_pdf(
    stack: RunningStack, telegram: FakeTelegram
) -> None:
    code = new_owner(stack, "Telegram Faktura")
    telegram.queue(text_update(71002, f"/start {code}"))
    await telegram.wait_for("sendMessage")
    before = invoices(stack)

    telegram.queue(text_update(71002, "fakturer Fjord Bygg for 2 timer"))
    question = (await telegram.wait_for("sendMessage", 2, timeout=REPLY_SECONDS))[1]
    keyboard = question.params.get("reply_markup", {}).get("inline_keyboard", [])
    buttons = {b["text"]: b["callback_data"] for row in keyboard for b in row}
    assert "Ja" in buttons, question.params

    shown = {"message_id": 77, "text": question.params["text"], "reply_markup": question.params["reply_markup"]}
    press = button_update(71002, buttons["Ja"], on_message=shown)
    telegram.queue(press)
    telegram.queue(press)  # Telegram delivering the press twice
    [document] = await telegram.wait_for("sendDocument", timeout=REPLY_SECONDS)
    await telegram.settle(1.0)
    name, body = document.files["document"]
    assert name.endswith(".pdf") and body.startswith(b"%PDF")
    assert len(telegram.of("sendDocument")) == 1
    assert invoices(stack) == before + 1
    answered = [c.params["callback_query_id"] for c in telegram.of("answerCallbackQuery")]
    assert answered == [press["callback_query"]["id"]] * 2
