"""The assistant's buttons as Telegram inline keyboards, and a pressed button's payload.

Telegram carries at most 64 bytes of `callback_data` per button. Short payloads ("/affirm")
travel as they are; a longer one (a payload with entities) is kept in the database under a
short key (`ledger.shared_state`), so that whichever gateway process receives the press finds
it, after a restart too. If that key is no longer known (forgotten after long disuse) the
pressed button's title is sent instead, which the assistant understands just as well ("Ja").
"""

from __future__ import annotations

import asyncio
import hashlib

from sqlalchemy.orm import Session, sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from channels.conversation import Button
from ledger import shared_state

CALLBACK_DATA_LIMIT = 64
KEY_PREFIX = "#p:"
SHORT_TITLE = 12


class Keyboards:
    """Builds inline keyboards and remembers the payloads too long to travel with them."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @staticmethod
    def callback_data(payload: str) -> str:
        """What a button carries for `payload` (a key for a long one, see `markup`)."""
        if len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith(KEY_PREFIX):
            return payload
        return KEY_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]

    def _remember(self, kept: dict[str, str]) -> None:
        with self.sessions.begin() as session:
            for key, payload in sorted(kept.items()):
                shared_state.remember_payload(session, key, payload)

    def _recall(self, key: str) -> str | None:
        with self.sessions() as session:
            return shared_state.payload_for(session, key)

    async def markup(self, buttons: tuple[Button, ...]) -> InlineKeyboardMarkup:
        """Short choices ("Ja", "Nei") side by side, longer ones one per row; the payloads
        that travel as keys are kept before the keyboard is sent."""
        data = [self.callback_data(b.payload) for b in buttons]
        kept = {key: b.payload for key, b in zip(data, buttons, strict=True) if key != b.payload}
        if kept:
            await asyncio.to_thread(self._remember, kept)
        keys = [InlineKeyboardButton(b.title, callback_data=key) for b, key in zip(buttons, data, strict=True)]
        if len(keys) <= 3 and all(len(b.title) <= SHORT_TITLE for b in buttons):
            return InlineKeyboardMarkup([keys])
        return InlineKeyboardMarkup([[key] for key in keys])

    async def payload(self, data: str, message: Message | None) -> str:
        """The payload a pressed button stands for (its title if the payload is forgotten)."""
        if not data.startswith(KEY_PREFIX):
            return data
        kept = await asyncio.to_thread(self._recall, data[:CALLBACK_DATA_LIMIT])
        if kept is not None:
            return kept
        markup = message.reply_markup if message is not None else None
        for row in markup.inline_keyboard if markup is not None else ():
            for key in row:
                if key.callback_data == data:
                    return key.text
        return ""
