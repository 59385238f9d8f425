"""The gateway: one aiohttp application serving the web chat, the REST API and Telegram.

`create_app(settings)` builds it without starting anything; `cleanup_ctx` opens and closes
the database engine, the HTTP client to Rasa and (when configured) the Telegram bot.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator

from aiohttp import ClientSession, web
from redis.asyncio import Redis

import channels.api
from channels import metrics, telegram, webchat
from channels.api.common import api_middleware
from channels.limits import SignInThrottle, user_limits
from channels.metrics import MeasuredConversations, count_server_errors
from channels.proxy import client_address
from channels.rasa_client import RasaServers
from channels.state import CONVERSATIONS, HTTP, READING, SESSIONS, SETTINGS, SIGN_IN_THROTTLE
from channels.telegram.settings import TelegramSettings
from ledger.db import engine_for, reading_engine_for, reading_factory, session_factory
from ledger.server_keys import server_secret
from ledger.settings import Settings


def api_route_tables() -> list[web.RouteTableDef]:
    """Every `channels.api.<resource>` module's `routes` table, in name order."""
    tables = []
    for info in sorted(pkgutil.iter_modules(channels.api.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"channels.api.{info.name}")
        table = getattr(module, "routes", None)
        if isinstance(table, web.RouteTableDef):
            tables.append(table)
    return tables


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[SESSIONS] = session_factory(settings.database_url)
    app[READING] = reading_factory(settings.database_url)
    http = ClientSession()
    app[HTTP] = http
    # Several gateway processes share the limits through Redis when there is one (see channels.limits).
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    limits = user_limits(redis, settings.chat_in_flight, settings.chat_per_minute, settings.chat_burst)
    app[SIGN_IN_THROTTLE] = SignInThrottle(app[SESSIONS])
    rasa = RasaServers.parse(settings.rasa_base_url)
    app[CONVERSATIONS] = MeasuredConversations(app[SESSIONS], http, rasa, server_secret(settings), limits)
    yield
    await http.close()
    if redis is not None:
        await redis.aclose()
    engine_for(settings.database_url).dispose()
    reading_engine_for(settings.database_url).dispose()


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(settings: Settings, telegram_settings: TelegramSettings | None = None) -> web.Application:
    """The gateway application for `settings` (nothing runs until it is served), with the
    Telegram bot when `telegram_settings` (read from `BOKBOT_TELEGRAM_*` when not given) has a
    token."""
    app = web.Application(
        middlewares=[count_server_errors, client_address, api_middleware], client_max_size=20 * 1024 * 1024
    )
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_resources)
    app.router.add_get("/health", health)
    metrics.setup(app)
    for table in api_route_tables():
        app.add_routes(table)
    webchat.setup(app, settings)
    telegram.setup(app, settings, telegram_settings if telegram_settings is not None else TelegramSettings())
    return app
