"""Pushing deadline reminders on Telegram: a task that runs beside the bot in every gateway
process and, every `reminder_interval_seconds`, sends the reminders due today
(`ledger.reminders.due_reminders`) to the people they are for, in their language.

Each reminder is claimed in the database (`ledger.reminders.claim`, committed) before it is
sent, so that however many gateway processes run, and across restarts, it goes out once; a
reminder whose sending failed is released and tried again on the next round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot
from telegram.error import Forbidden, TelegramError

from channels.texts import render
from ledger import clock
from ledger.formatting import format_date, format_money
from ledger.reminders import Reminder, claim, due_reminders, release

log = logging.getLogger(__name__)


def reminder_text(reminder: Reminder) -> str:
    """The reminder's message in its reader's language (`channels/templates/*/telegram/reminder.j2`)."""
    language = reminder.language
    return render(
        language,
        "telegram/reminder.j2",
        reminder=reminder,
        due=format_date(reminder.due_date, language),
        amount=format_money(reminder.amount, language) if reminder.amount is not None else "",
    )


class ReminderPusher:
    """Sends the day's reminders through `bot`, with sessions from `sessions`."""

    def __init__(self, sessions: sessionmaker[Session], bot: Bot, interval: float) -> None:
        self.sessions = sessions
        self.bot = bot
        self.interval = interval

    async def push_due(self) -> int:
        """One round: every reminder due today that no process has sent, sent; returns how
        many this process sent."""

        def due() -> list[Reminder]:
            with self.sessions.begin() as session:
                return due_reminders(session, today=clock.today())

        sent = 0
        for reminder in await asyncio.to_thread(due):
            if not await asyncio.to_thread(self._claim, reminder):
                continue
            try:
                await self.bot.send_message(chat_id=reminder.telegram_user_id, text=reminder_text(reminder))
            except Forbidden:
                # The person blocked the bot: nothing to retry until they write to it again.
                log.info("reminder not delivered: user %s has blocked the bot", reminder.user_id)
            except TelegramError as exc:
                log.warning("reminder not sent, tried again next round (%s)", type(exc).__name__)
                await asyncio.to_thread(self._release, reminder)
            else:
                sent += 1
        return sent

    def _claim(self, reminder: Reminder) -> bool:
        with self.sessions.begin() as session:
            return claim(session, reminder)

    def _release(self, reminder: Reminder) -> None:
        with self.sessions.begin() as session:
            release(session, reminder)

    async def run(self) -> None:
        """A round every `interval` seconds, the first one `interval` after the start (the
        bot is settled by then), until cancelled; a failed round is logged and the next one
        tries again."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.push_due()
            except Exception:  # a database hiccup must not end the reminders for good
                log.exception("a round of reminders failed")


@contextlib.asynccontextmanager
async def pushing(sessions: sessionmaker[Session], bot: Bot, interval: float) -> AsyncIterator[ReminderPusher]:
    """The pusher running as a task for the block's duration (none when `interval` is 0);
    stopped at its end."""
    pusher = ReminderPusher(sessions, bot, interval)
    if interval <= 0:
        yield pusher
        return
    task = asyncio.create_task(pusher.run(), name="telegram-reminders")
    try:
        yield pusher
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
