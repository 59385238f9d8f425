"""Running the Telegram bot inside the gateway: long polling by default, or a webhook on
the gateway (`POST /telegram/webhook`, checked with Telegram's secret-token header) when
`BOKBOT_TELEGRAM_WEBHOOK_URL` is set. The bot starts and stops with the gateway
(`cleanup_ctx`); when Telegram cannot be reached at start, the rest of the gateway still runs.

With a webhook and Redis (`BOKBOT_REDIS_URL`, as when several gateways serve), each update
goes to its chat's queue in Redis and whichever gateway holds the chat handles it, so one
chat's updates are handled one at a time and in order across all gateways
(`channels.telegram.ordering`); without Redis, or while it cannot be reached, the gateway
Telegram posts to handles the update itself. Telegram is answered only once the update is
queued in one or the other, and with 503 (so that it sends the update again) when neither
takes it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, ClassVar

from aiohttp import web
from redis.asyncio import Redis
from telegram import Update
from telegram.error import TelegramError
from yarl import URL

from channels.state import CONVERSATIONS, HTTP, SESSIONS, SIGN_IN_THROTTLE
from channels.telegram.bot import ALLOWED_UPDATES, Gateway, TelegramApplication, build_application
from channels.telegram.delivery import Delivery, GatewayFiles
from channels.telegram.keyboards import Keyboards
from channels.telegram.ordering import ChatQueues, QueueUnavailable
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


async def process(application: TelegramApplication, data: dict[str, Any]) -> None:
    """Handles one update taken from its chat's queue in Redis as PTB handles one it fetched
    itself: through the update processor (at most so many at once; in order with any of the
    chat's updates handled in this process while Redis was away), with the error handlers."""
    update = Update.de_json(data, application.bot)
    await application.update_processor.process_update(update, application.process_update(update))


class TelegramService:
    """The bot's life inside the gateway; `application` is set while it runs, `queues` while
    the chats' queues in Redis are used (webhook mode with Redis)."""

    key_prefix: ClassVar[str] = "bokbot:"
    """The prefix of this installation's keys in Redis (as `channels.limits`)."""

    def __init__(self, settings: Settings, telegram: TelegramSettings) -> None:
        self.settings = settings
        self.telegram = telegram
        self.webhook = bool(telegram.webhook_url)
        self.application: TelegramApplication | None = None
        self.queues: ChatQueues | None = None

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
        async with (
            pushing(app[SESSIONS], application.bot, self.telegram.reminder_interval),
            self._ordering(application),
        ):
            yield
        self.application = None
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        await application.stop()
        await application.shutdown()
        forget(redactor)

    @asynccontextmanager
    async def _ordering(self, application: TelegramApplication) -> AsyncIterator[None]:
        """The chats' queues in Redis while the block runs, in webhook mode with Redis."""
        if not (self.webhook and self.settings.redis_url):
            yield
            return
        redis = Redis.from_url(self.settings.redis_url)
        queues = ChatQueues(redis, partial(process, application), key_prefix=self.key_prefix)
        try:
            async with queues.sweeping():
                self.queues = queues
                try:
                    yield
                finally:
                    self.queues = None
        finally:
            await redis.aclose()

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
        comes from Telegram; the bot handles it after the answer (Telegram wants it fast).
        The update goes to its chat's queue in Redis when there is one (see the module
        docstring), else to this process's; 503, so that Telegram sends it again, when it
        can go to neither."""
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
        queues, chat = self.queues, update.effective_chat
        if queues is not None and chat is not None:
            try:
                await queues.put(chat.id, update.update_id, data)
                return web.Response(text="ok")
            except QueueUnavailable:
                pass  # handled here instead; ChatQueues has said so in the log
        if not application.running:
            raise web.HTTPServiceUnavailable()
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
