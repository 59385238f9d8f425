"""Telegram: people talk to the assistant through a Telegram bot (python-telegram-bot).

`setup(app, settings)` adds it to the gateway when `BOKBOT_TELEGRAM_TOKEN` is set. Accounts
are linked with `/start CODE` (the user's link code); every text and button press then takes
the same path as any other channel's message (`channels.conversation`).

  bot.py        the handlers, one per step, and their wiring
  delivery.py   replies as Telegram messages, keyboards, photos, documents; "typing…"
  keyboards.py  inline keyboards and button payloads
  updates.py    concurrency: chats in parallel, each chat in order
  ordering.py   each chat in order across gateways too: the chats' queues in Redis
  service.py    polling or webhook, started and stopped with the gateway
  redaction.py  the bot token kept out of the logs
"""

from channels.telegram.service import setup

__all__ = ["setup"]
