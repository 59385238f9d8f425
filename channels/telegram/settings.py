"""The Telegram bot's settings: read from `BOKBOT_TELEGRAM_*` (and `.env`), apart from the
installation's settings because nothing but the Telegram channel needs them."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class TelegramSettings(BaseSettings):
    """How the gateway reaches Telegram; each field is read from `BOKBOT_TELEGRAM_<FIELD>`.

    Attributes:
      token: the bot token from BotFather; Telegram is off when it is empty.
      webhook_url: the public address of `/telegram/webhook`; webhook mode instead of long
        polling when set.
      webhook_secret: the secret Telegram echoes in its header in webhook mode; derived from the
        token when empty (the same on every replica).
      base_url, base_file_url: the Bot API's addresses (tests point them at a local fake server).
      reminder_interval: seconds between two rounds of deadline reminders
        (`channels.telegram.reminders`); 0 turns the reminders off in this process.
    """

    model_config = SettingsConfigDict(env_prefix="BOKBOT_TELEGRAM_", env_file=".env", extra="ignore")

    token: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    reminder_interval: float = 900.0

    @property
    def enabled(self) -> bool:
        return bool(self.token)
