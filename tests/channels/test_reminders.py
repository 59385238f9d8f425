"""Deadline reminders pushed on Telegram: each exactly once, however many gateway processes
push and across a restart, and again on a later round when sending failed."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from telegram.error import NetworkError

from channels.telegram.reminders import ReminderPusher, reminder_text
from channels.telegram.settings import TelegramSettings
from ledger import clock, identity
from ledger.companies import create_company
from ledger.db import make_engine
from ledger.identity import add_user
from ledger.models import SentReminder, User
from ledger.reminders import due_reminders
from tests.channels.conftest import Books, GatewayFactory
from tests.channels.fake_telegram import FakeTelegram

KARI, ANNE = 4242, 4343


class RecordingBot:
    """Stands in for python-telegram-bot's `Bot`: keeps what it was asked to send; fails the
    first `failures` sends as Telegram being out of reach would."""

    def __init__(self, failures: int = 0) -> None:
        self.sent: list[tuple[int, str]] = []
        self.failures = failures

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        await asyncio.sleep(0.01)  # let the other pusher's round interleave
        if self.failures:
            self.failures -= 1
            raise NetworkError("unreachable")
        self.sent.append((chat_id, text))


@pytest.fixture
def two_processes(db_url: str) -> Iterator[tuple[sessionmaker[Session], sessionmaker[Session]]]:
    """Two gateways' sessions (each its own engine) on one database holding an AS with
    employees whose owner and accountant are on Telegram (the accountant in English)."""
    engines = [make_engine(db_url), make_engine(db_url)]
    first, second = (sessionmaker(engine, expire_on_commit=False) for engine in engines)
    with first.begin() as s:
        made = create_company(s, "Fjordlys AS", owner_name="Kari", vat_registered=True, has_employees=True)
        accountant = add_user(s, made.company.id, "Anne", "accountant")
        for user_id, telegram_id, language in ((made.owner.user.id, KARI, "nb"), (accountant.user.id, ANNE, "en")):
            user = s.get(User, user_id)
            assert user is not None
            user.telegram_user_id, user.language = telegram_id, language
    yield first, second
    for engine in engines:
        engine.dispose()


async def test_two_gateways_pushing_at_once_send_each_reminder_exactly_once(
    two_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
) -> None:
    first, second = two_processes
    bot = RecordingBot()
    pushers = [ReminderPusher(sessions, bot, 60) for sessions in (first, second)]  # type: ignore[arg-type]
    # 3 December 2026: term 5's VAT return is due in 7 days (10 December).
    with clock.pinned("2026-12-03"):
        with first.begin() as s:
            due = due_reminders(s)
        counts = await asyncio.gather(*(p.push_due() for p in pushers for _ in range(3)))
    assert len(due) >= 2
    assert sum(counts) == len(due) == len(bot.sent)
    assert max(Counter(bot.sent).values()) == 1
    assert {chat for chat, _ in bot.sent} == {KARI, ANNE}
    to_kari = [text for chat, text in bot.sent if chat == KARI]
    to_anne = [text for chat, text in bot.sent if chat == ANNE]
    assert any("Mva-meldingen for termin 2026-5 har frist om 7 dager, 10. desember 2026" in t for t in to_kari)
    assert any("The VAT return for term 2026-5 is due in 7 days, 10 December 2026" in t for t in to_anne)
    with second.begin() as s:
        assert s.query(SentReminder).count() == len(due)


async def test_a_reminder_whose_sending_failed_goes_out_on_the_next_round(
    two_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
) -> None:
    first, _ = two_processes
    bot = RecordingBot(failures=1)
    pusher = ReminderPusher(first, bot, 60)  # type: ignore[arg-type]
    with clock.pinned("2026-12-09"):
        with first.begin() as s:
            due = due_reminders(s)
        sent_first = await pusher.push_due()
        sent_then = await pusher.push_due()
        sent_after = await pusher.push_due()
    assert (sent_first, sent_then, sent_after) == (len(due) - 1, 1, 0)
    assert sorted(bot.sent) == sorted({(r.telegram_user_id, reminder_text(r)) for r in due})
    assert any("i morgen" in text for _, text in bot.sent)


def link(books: Books, user: identity.NewUser, telegram_id: int) -> None:
    with books.sessions.begin() as session:
        assert identity.redeem_link_code(session, user.link_code, telegram_id) is not None


async def test_a_reminder_reaches_telegram_once_across_a_restart_of_the_gateway(
    start_gateway: GatewayFactory, telegram_settings: TelegramSettings, fake_telegram: FakeTelegram, books: Books
) -> None:
    link(books, books.owner, KARI)
    quick = telegram_settings.model_copy(update={"reminder_interval": 0.2})
    # Monday 24 May 2027: the tax return for 2026 is due in 7 days (31 May).
    with clock.pinned("2027-05-24"):
        gateway = await start_gateway(quick)
        [reminder] = await fake_telegram.wait_for("sendMessage")
        assert reminder.params["chat_id"] == str(KARI)
        assert "Skattemeldingen for 2026 har frist om 7 dager, 31. mai 2027" in reminder.params["text"]
        await gateway.close()

        with books.sessions.begin() as session:
            anne = add_user(session, books.company_id, "Anne Revisor", "accountant")
        link(books, anne, ANNE)
        await start_gateway(quick)
        # The restarted gateway reminds the newly linked accountant, and Kari not again.
        [_, to_anne] = await fake_telegram.wait_for("sendMessage", 2)
        assert to_anne.params["chat_id"] == str(ANNE)
        await asyncio.sleep(1.0)  # several more rounds
    assert [c.params["chat_id"] for c in fake_telegram.of("sendMessage")] == [str(KARI), str(ANNE)]


async def test_a_reminder_caught_up_after_a_day_without_gateways_says_the_days_left(
    two_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
) -> None:
    first, second = two_processes
    bot = RecordingBot()
    # No gateway ran on 3 December; on the 4th both catch up, once between them.
    with clock.pinned("2026-12-04"):
        counts = await asyncio.gather(*(ReminderPusher(s, bot, 60).push_due() for s in (first, second)))  # type: ignore[arg-type]
    vat = [(chat, text) for chat, text in bot.sent if "2026-5" in text]
    assert sum(counts) == len(bot.sent)
    assert sorted(chat for chat, _ in vat) == sorted([KARI, ANNE])
    assert any("Mva-meldingen for termin 2026-5 har frist om 6 dager, 10. desember 2026" in t for _, t in vat)
    assert any("The VAT return for term 2026-5 is due in 6 days, 10 December 2026" in t for _, t in vat)
    with clock.pinned("2026-12-05"):
        assert await ReminderPusher(second, bot, 60).push_due() == 0  # type: ignore[arg-type]
