"""Per-user limits while Redis is away: each gateway counts in its own process with the same
limits (not none, not a refusal for everyone), says so once in its log, and shares the counts
through Redis again when Redis is back. Redis is cut off through a proxy, never stopped."""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import time
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from channels.limits import RedisUserLimits, TooBusy
from tests.e2e.cutting_proxy import CuttingProxy

REDIS = ("127.0.0.1", 6379)


@pytest.fixture
def proxy() -> Iterator[CuttingProxy]:
    cutting = CuttingProxy(REDIS)
    yield cutting
    cutting.close()


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own on the local Redis; its keys are removed afterwards."""
    name = f"bokbot-test-{secrets.token_hex(6)}:"
    yield name
    client = Redis(host=REDIS[0], port=REDIS[1])
    keys = [key async for key in client.scan_iter(match=f"{name}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def admitted(limits: RedisUserLimits, user_id: int, times: int) -> int:
    """How many of `times` messages, one after the other, are let through."""
    count = 0
    for _ in range(times):
        try:
            async with limits.admit(user_id):
                count += 1
        except TooBusy:
            pass
    return count


async def test_while_redis_is_cut_off_the_same_limits_are_counted_in_the_process_and_logged_once(
    proxy: CuttingProxy, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = Redis(host="127.0.0.1", port=proxy.port, socket_connect_timeout=0.5)
    limits = RedisUserLimits(client, max_in_flight=2, per_minute=6, burst=3, key_prefix=prefix, recheck_seconds=0.5)
    assert await admitted(limits, 7, 1) == 1  # through Redis
    assert proxy.accepted >= 1
    proxy.cut()
    with caplog.at_level(logging.INFO, logger="channels.limits"):
        started = time.monotonic()
        assert await admitted(limits, 7, 5) == 3  # the burst again, counted here, then refused
        assert time.monotonic() - started < 2.5  # Redis is waited for once, not for every message
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "counted in this process" in warnings[0].getMessage()
        proxy.restore()
        await asyncio.sleep(0.6)  # Redis is asked again after `recheck_seconds`
        # Back in Redis, whose bucket had two of its three tokens left.
        assert await admitted(limits, 7, 3) == 2
        assert any("Redis answers again" in r.getMessage() for r in caplog.records)
    await client.aclose()


async def test_places_in_flight_are_still_limited_while_redis_is_cut_off(proxy: CuttingProxy, prefix: str) -> None:
    client = Redis(host="127.0.0.1", port=proxy.port, socket_connect_timeout=0.5)
    limits = RedisUserLimits(client, max_in_flight=1, per_minute=600, burst=10, key_prefix=prefix)
    proxy.cut()
    async with limits.admit(8):
        with pytest.raises(TooBusy):
            async with limits.admit(8):
                pass
        async with limits.admit(9):  # someone else is not held up
            pass
    await client.aclose()


async def test_a_redis_that_accepts_and_never_answers_does_not_hold_up_a_message(prefix: str) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections are accepted by the kernel and never read
    client = Redis(host="127.0.0.1", port=silent.getsockname()[1])
    limits = RedisUserLimits(client, max_in_flight=2, per_minute=1, burst=2, key_prefix=prefix, timeout=0.5)
    started = time.monotonic()
    assert await admitted(limits, 7, 3) == 2
    assert time.monotonic() - started < 3
    await asyncio.wait_for(client.aclose(), 5)
    silent.close()
