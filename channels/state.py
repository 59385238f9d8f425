"""Typed application state of the gateway (aiohttp `AppKey`s), shared by every channel."""

from __future__ import annotations

from aiohttp import ClientSession, web
from sqlalchemy.orm import Session, sessionmaker

from ledger.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
SESSIONS = web.AppKey("sessions", sessionmaker[Session])
READING = web.AppKey("reading", sessionmaker[Session])
"""Sessions for what only reads (see `ledger.db`)."""
HTTP = web.AppKey("http", ClientSession)

from channels.conversation import Conversations  # noqa: E402
from channels.limits import SignInThrottle  # noqa: E402

CONVERSATIONS = web.AppKey("conversations", Conversations)
SIGN_IN_THROTTLE = web.AppKey("sign_in_throttle", SignInThrottle)
