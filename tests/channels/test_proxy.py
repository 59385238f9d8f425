"""Behind a reverse proxy the client's address comes from `X-Forwarded-For`, but only when the
proxy is trusted: otherwise anyone could name any address and dodge the sign-in throttle."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.proxy import client_address, forwarded_client
from channels.state import SETTINGS
from ledger.settings import Settings


def test_the_proxys_last_forwarded_entry_is_the_client_when_the_proxy_is_trusted() -> None:
    trusted = ["127.0.0.1"]
    assert forwarded_client("127.0.0.1", "203.0.113.9", trusted) == "203.0.113.9"
    # A client's own header comes first; the proxy appends the address it saw.
    assert forwarded_client("127.0.0.1", "10.9.9.9, 203.0.113.9", trusted) == "203.0.113.9"
    assert forwarded_client("127.0.0.1", "", trusted) == "127.0.0.1"


def test_forwarded_for_is_ignored_when_it_comes_from_an_untrusted_peer() -> None:
    assert forwarded_client("198.51.100.7", "203.0.113.9", ["127.0.0.1"]) == "198.51.100.7"
    assert forwarded_client("127.0.0.1", "203.0.113.9", []) == "127.0.0.1"


async def test_the_gateway_sees_the_client_behind_a_trusted_proxy(aiohttp_client: Any) -> None:
    async def remote(request: web.Request) -> web.Response:
        return web.Response(text=request.remote or "")

    app = web.Application(middlewares=[client_address])
    app[SETTINGS] = Settings(_env_file=None, trusted_proxies=["127.0.0.1"])  # type: ignore[call-arg]
    app.router.add_get("/", remote)
    client = await aiohttp_client(app)
    assert await (await client.get("/", headers={"X-Forwarded-For": "203.0.113.9"})).text() == "203.0.113.9"
    assert await (await client.get("/")).text() == "127.0.0.1"
