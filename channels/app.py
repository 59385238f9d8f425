"""The gateway: one aiohttp application serving the web chat, the REST API and Telegram.

`create_app(settings)` builds it without starting anything; `cleanup_ctx` opens and closes
the database engine, the HTTP client to Rasa and (when configured) the Telegram bot.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator

from aiohttp import ClientSession, web

import channels.api
from channels import telegram, webchat
from channels.api.common import api_middleware
from channels.conversation import Conversations
from channels.limits import SignInThrottle, UserLimits
from channels.state import CONVERSATIONS, HTTP, SESSIONS, SETTINGS, SIGN_IN_THROTTLE
from ledger.db import engine_for, session_factory
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
    http = ClientSession()
    app[HTTP] = http
    limits = UserLimits(settings.chat_in_flight, settings.chat_per_minute, settings.chat_burst)
    app[CONVERSATIONS] = Conversations(app[SESSIONS], http, settings.rasa_base_url, server_secret(settings), limits)
    yield
    await http.close()
    engine_for(settings.database_url).dispose()


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(settings: Settings) -> web.Application:
    """The gateway application for `settings` (nothing runs until it is served)."""
    app = web.Application(middlewares=[api_middleware], client_max_size=20 * 1024 * 1024)
    app[SETTINGS] = settings
    app[SIGN_IN_THROTTLE] = SignInThrottle()
    app.cleanup_ctx.append(_resources)
    app.router.add_get("/health", health)
    for table in api_route_tables():
        app.add_routes(table)
    webchat.setup(app, settings)
    telegram.setup(app, settings)
    return app
