"""The assistant's buttons as Telegram inline keyboards, and a pressed button's payload.

Telegram carries at most 64 bytes of `callback_data` per button. Short payloads ("/affirm")
travel as they are; a longer one (a payload with entities) is kept here under a short key,
and if that key is no longer known (the gateway restarted) the pressed button's title is
sent instead, which the assistant understands just as well ("Ja").
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from channels.conversation import Button

CALLBACK_DATA_LIMIT = 64
KEY_PREFIX = "#p:"
SHORT_TITLE = 12


class Keyboards:
    """Builds inline keyboards and remembers the payloads too long to travel with them."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def callback_data(self, payload: str) -> str:
        """What a button carries for `payload`."""
        if len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith(KEY_PREFIX):
            return payload
        key = KEY_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self.capacity:
            self._payloads.popitem(last=False)
        return key

    def markup(self, buttons: tuple[Button, ...]) -> InlineKeyboardMarkup:
        """Short choices ("Ja", "Nei") side by side, longer ones one per row."""
        keys = [InlineKeyboardButton(b.title, callback_data=self.callback_data(b.payload)) for b in buttons]
        if len(keys) <= 3 and all(len(b.title) <= SHORT_TITLE for b in buttons):
            return InlineKeyboardMarkup([keys])
        return InlineKeyboardMarkup([[key] for key in keys])

    def payload(self, data: str, message: Message | None) -> str:
        """The payload a pressed button stands for (its title if the payload is forgotten)."""
        if not data.startswith(KEY_PREFIX):
            return data
        if data in self._payloads:
            return self._payloads[data]
        markup = message.reply_markup if message is not None else None
        for row in markup.inline_keyboard if markup is not None else ():
            for key in row:
                if key.callback_data == data:
                    return key.text
        return ""
