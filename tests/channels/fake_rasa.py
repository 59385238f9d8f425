"""A fake Rasa server (REST channel only) for the channel-mechanics tests: it answers from
a script and records what it was sent. Rasa itself, with the real model and actions, is
exercised by the end-to-end tests in tests/e2e."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Script = Callable[[str, dict[str, Any]], list[dict[str, Any]]]


def echo(text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"recipient_id": "x", "text": f"echo: {text}"}]


@dataclass(frozen=True)
class Held:
    """One message the fake held before answering: whose, what, and when (monotonic seconds)."""

    sender: str
    message: str
    started: float
    ended: float


@dataclass
class FakeRasaWebhook:
    """The fake's state: what it will answer (`script`), what it received, whether it is up,
    how long it takes to answer (`delay`), how many messages it held at once, and when it held
    each (`held`, in the order they were answered)."""

    script: Script = echo
    received: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False
    delay: float = 0.0
    in_flight: int = 0
    most_in_flight: int = 0
    held: list[Held] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def texts(self) -> list[str]:
        return [r["message"] for r in self.received]

    async def _webhook(self, request: web.Request) -> web.Response:
        if self.down:
            return web.Response(status=503)
        body = await request.json()
        self.received.append(body)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        started = time.monotonic()
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
            self.held.append(Held(body["sender"], body["message"], started, time.monotonic()))
        return web.json_response(self.script(body["message"], body.get("metadata") or {}))

    async def _status(self, request: web.Request) -> web.Response:
        return web.json_response({"model_file": "fake.tar.gz"})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_get("/status", self._status)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
