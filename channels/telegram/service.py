"""Running the Telegram bot inside the gateway: long polling by default, or a webhook on
the gateway (`POST /telegram/webhook`, checked with Telegram's secret-token header) when
`BOKBOT_TELEGRAM_WEBHOOK_URL` is set. The bot starts and stops with the gateway
(`cleanup_ctx`); when Telegram cannot be reached at start, the rest of the gateway still runs.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError
from yarl import URL

from channels.state import CONVERSATIONS, HTTP, SESSIONS, SIGN_IN_THROTTLE
from channels.telegram.bot import ALLOWED_UPDATES, Gateway, TelegramApplication, build_application
from channels.telegram.delivery import Delivery, GatewayFiles
from channels.telegram.keyboards import Keyboards
from channels.telegram.redaction import forget, redact
from channels.telegram.reminders import pushing
from channels.telegram.settings import TelegramSettings
from ledger.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024


def own_base_url(settings: Settings) -> str:
    """Where this process reaches its own gateway."""
    host = settings.host if settings.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.gateway_port}"


def own_origins(settings: Settings) -> frozenset[str]:
    """The origins under which an absolute address points at this gateway."""
    addresses = [own_base_url(settings), settings.web_url, f"http://localhost:{settings.gateway_port}"]
    return frozenset(str(URL(a).origin()) for a in addresses if URL(a).is_absolute())


def webhook_secret(telegram: TelegramSettings) -> str:
    """The configured secret, or one derived from the token (stable across replicas)."""
    if telegram.webhook_secret:
        return telegram.webhook_secret
    return hashlib.sha256(b"bokbot telegram webhook\n" + telegram.token.encode()).hexdigest()


class TelegramService:
    """The bot's life inside the gateway; `application` is set while it runs."""

    def __init__(self, settings: Settings, telegram: TelegramSettings) -> None:
        self.settings = settings
        self.telegram = telegram
        self.webhook = bool(telegram.webhook_url)
        self.application: TelegramApplication | None = None

    async def run(self, app: web.Application) -> AsyncIterator[None]:
        """Starts the bot with the gateway and stops it with the gateway (a `cleanup_ctx`)."""
        redactor = redact(self.telegram.token)
        files = GatewayFiles(app[SESSIONS], app[HTTP], own_base_url(self.settings), own_origins(self.settings))
        keyboards = Keyboards(app[SESSIONS])
        gateway = Gateway(app[CONVERSATIONS], keyboards, Delivery(keyboards, files), app[SIGN_IN_THROTTLE])
        application = build_application(self.settings, self.telegram, gateway, webhook=self.webhook)
        try:
            await self._start(application)
        except TelegramError as exc:
            # The class name only: some of PTB's messages quote the token.
            log.error("Telegram is off: starting the bot failed (%s)", type(exc).__name__)
            await application.shutdown()
            yield
            forget(redactor)
            return
        self.application = application
        log.info("Telegram bot @%s is running (%s)", application.bot.username, self._mode())
        async with pushing(app[SESSIONS], application.bot, self.telegram.reminder_interval):
            yield
        self.application = None
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        await application.stop()
        await application.shutdown()
        forget(redactor)

    def _mode(self) -> str:
        return "webhook" if self.webhook else "long polling"

    async def _start(self, application: TelegramApplication) -> None:
        await application.initialize()
        if self.webhook:
            await application.bot.set_webhook(
                self.telegram.webhook_url,
                secret_token=webhook_secret(self.telegram),
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        await application.start()

    async def receive(self, request: web.Request) -> web.Response:
        """Takes an update Telegram posts to the webhook, once its secret header proves it
        comes from Telegram; the bot handles it after the answer (Telegram wants it fast)."""
        secret = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(secret.encode(), webhook_secret(self.telegram).encode()):
            raise web.HTTPForbidden()
        application = self.application
        if application is None:
            raise web.HTTPServiceUnavailable()
        if (request.content_length or 0) > MAX_UPDATE_BYTES:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_UPDATE_BYTES, actual_size=request.content_length or 0)
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise ValueError("an update is a JSON object")
            update = Update.de_json(data, application.bot)
        except (ValueError, KeyError, TypeError) as exc:
            raise web.HTTPBadRequest() from exc
        await application.update_queue.put(update)
        return web.Response(text="ok")


TELEGRAM = web.AppKey("telegram", TelegramService)


def setup(app: web.Application, settings: Settings, telegram: TelegramSettings) -> None:
    """Adds the Telegram bot to the gateway; does nothing without a bot token."""
    if not telegram.enabled:
        return
    service = TelegramService(settings, telegram)
    app[TELEGRAM] = service
    app.cleanup_ctx.append(service.run)
    if service.webhook:
        app.router.add_post(WEBHOOK_PATH, service.receive)
