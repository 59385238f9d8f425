"""The access log never holds a query string or a header."""

from __future__ import annotations

import logging

import pytest
from aiohttp import ClientSession, web

from channels.access_log import SafeAccessLogger
from channels.app import create_app
from tests.channels.conftest import Books, free_port, gateway_settings


async def test_query_strings_and_authorization_never_reach_the_access_log(
    books: Books, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    port = free_port()
    runner = web.AppRunner(create_app(gateway_settings(books, "http://127.0.0.1:9")), access_log_class=SafeAccessLogger)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with ClientSession(f"http://127.0.0.1:{port}") as http:
            await http.get("/health?token=bok_secret-in-a-query", headers={"Authorization": "Bearer bok_secret"})
            await http.get("/api/v1/me%0Aforged-line", headers={"Authorization": f"Bearer {books.owner.token}"})
    finally:
        await runner.cleanup()

    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any('"GET /health" 200' in line for line in lines), lines
    assert "secret" not in caplog.text
    assert books.owner.token not in caplog.text
    assert all("\n" not in line for line in lines)
