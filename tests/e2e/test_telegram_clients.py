"""The accountant's cross-client overview from Telegram, through the real assistant: a linked
accountant of two client companies asks for every client's balance and gets the list, lowest
first, the chart as a photo, and a button into the client that needs looking at."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import sessionmaker

from ledger import clock
from ledger.companies import create_company
from ledger.db import make_engine
from ledger.identity import add_membership, add_user
from ledger.journal import Posting, post_entry
from tests.channels.fake_telegram import FakeTelegram, text_update
from tests.e2e.conftest import RunningStack
from tests.e2e.test_telegram_e2e import REPLY_SECONDS

pytestmark = pytest.mark.e2e




def accountant_of_two_clients(stack: RunningStack) -> str:
    """Skarven Drift AS (2 000 kr in the bank) and Ospa Design AS (overdrawn by 300 kr), kept by
    one accountant; the accountant's Telegram link code."""
    today = clock.today()
    engine = make_engine(stack.database_url)
    try:
        with sessionmaker(engine).begin() as s:
            skarven = create_company(s, "Skarven Drift AS", owner_name="Siri Skarv", vat_registered=True)
            post_entry(s, skarven.company.id, today, "Innskudd",
                       [Posting("1920", Decimal(2000)), Posting("2000", Decimal(-2000))], channel="cli")
            ospa = create_company(s, "Ospa Design AS", owner_name="Ole Ospa", vat_registered=True)
            post_entry(s, ospa.company.id, today, "Kontorrekvisita",
                       [Posting("6800", Decimal(300)), Posting("1920", Decimal(-300))], channel="cli")
            tove = add_user(s, skarven.company.id, "Tove Telegramrevisor", "accountant")
            add_membership(s, tove.user.id, ospa.company.id, "accountant")
            return tove.link_code
    finally:
        engine.dispose()


async def test_an_accountant_on_telegram_sees_every_clients_balance_lowest_first(
    stack: RunningStack, telegram: FakeTelegram
) -> None:
    code = accountant_of_two_clients(stack)
    telegram.queue(text_update(71101, f"/start {code}"))
    [welcome] = await telegram.wait_for("sendMessage")
    assert "Tove Telegramrevisor" in welcome.params["text"]

    telegram.queue(text_update(71101, "vis saldo for alle klientene mine"))
    answer = (await telegram.wait_for("sendMessage", 2, timeout=REPLY_SECONDS))[1]
    assert answer.params["text"].splitlines()[:3] == [
        "Saldo på driftskontoen hos 2 klienter, lavest først:",
        "• Ospa Design AS: -300,00 kr (overtrukket)",
        "• Skarven Drift AS: 2 000,00 kr",
    ], answer.params["text"]
    [photo] = await telegram.wait_for("sendPhoto", timeout=REPLY_SECONDS)
    keyboard = photo.params.get("reply_markup", {}).get("inline_keyboard", [])
    titles = [b["text"] for row in keyboard for b in row]
    assert any("Ospa Design AS" in title for title in titles), keyboard
