"""How much one person may ask of the assistant at once, so that one token (a script, a stuck
client, an attacker) cannot make everyone else wait, and how many wrong link codes may be
tried.

Each user may have a few messages in flight and a sustained rate with a burst (a token
bucket); past either, the message is refused at once with `TooBusy`, which every channel
answers with a sentence in the person's language (the REST API with 429 and Retry-After).

Where the counts live decides whether several gateway processes see the same person:

- `RedisUserLimits` (when `BOKBOT_REDIS_URL` is set, as it must be when several gateways
  serve): one small atomic script per message in Redis, timed by Redis's own clock, so every
  process counts the same bucket. A message in flight is a lease that expires on its own, so a
  gateway that dies mid-turn does not hold a person's places for ever.
- `UserLimits` (no Redis: the single-process default): the counts in this process, measured
  with `time.monotonic()`. Putting them in the database instead would add a write to every
  message for nothing while there is one process (SQLite serialises writers), so the
  database is not used for them.

When Redis cannot be reached (down, restarting, cut off by the network, or slower than
`RedisUserLimits.timeout`), each gateway counts in its own process instead, with the same
limits, and logs one warning when that begins and one line when Redis is back. The limits
keep others from being crowded out, so refusing everyone (failing closed) would protect no
one; dropping the limits (failing open) would let one script flood the assistant exactly when
it is weakest. Counting per process keeps a single gateway exactly as strict as before; with
N gateways a person may get up to N times the allowance until Redis returns. Rasa's
conversation locks are in the same Redis (`bot.stack.lock_store`), and Rasa does not take a
message it cannot lock: while Redis is away, the person is told to try again in a moment and
nothing is posted (see README, "Several replicas").

Wrong link codes are rare, so `SignInThrottle` counts them in the database
(`ledger.shared_state`) whatever the deployment: one code for every process.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.orm import Session, sessionmaker

from channels.redis_watch import RedisWatch
from ledger import shared_state

log = logging.getLogger(__name__)


class TooBusy(Exception):
    """A message refused because its sender has too many in flight or sent too many lately.

    Attributes:
      retry_after: seconds after which a message will be taken again.
    """

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many messages; try again in {retry_after:.0f} s")
        self.retry_after = retry_after


class Limits(Protocol):
    """What the conversation path needs of the per-user limits."""

    def admit(self, user_id: int) -> AbstractAsyncContextManager[None]:
        """Hold one of the user's places while the block runs; TooBusy when there is none."""
        ...


@dataclass
class _Bucket:
    tokens: float
    updated: float
    in_flight: int = 0


@dataclass
class UserLimits:
    """Per-user limits kept in this gateway process (see the module docstring for when).

    Attributes:
      max_in_flight: messages of one user being answered at the same time.
      per_minute: the sustained rate of messages a user may send.
      burst: how many may come at once after a quiet spell.
    """

    max_in_flight: int = 2
    per_minute: float = 30.0
    burst: int = 10
    _buckets: dict[int, _Bucket] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @asynccontextmanager
    async def admit(self, user_id: int) -> AsyncIterator[None]:
        """Hold one of the user's places while the block runs; TooBusy when there is none."""
        now = time.monotonic()
        rate = self.per_minute / 60.0
        with self._lock:
            bucket = self._buckets.setdefault(user_id, _Bucket(float(self.burst), now))
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.in_flight >= self.max_in_flight:
                raise TooBusy(retry_after=1.0)
            if bucket.tokens < 1.0:
                raise TooBusy(retry_after=(1.0 - bucket.tokens) / rate)
            bucket.tokens -= 1.0
            bucket.in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                bucket.in_flight -= 1


# KEYS: the user's bucket (hash: tokens, updated ms) and in-flight leases (sorted set scored by
# expiry ms). ARGV: max in flight, tokens per ms, burst, lease id, lease ms.
# Returns {1, 0} when admitted, else {0, ms to wait}.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max_in_flight = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local lease_ms = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= max_in_flight then
  return {0, 1000}
end
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(stored[1]) or burst
local updated = tonumber(stored[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
if tokens < 1 then
  return {0, math.ceil((1 - tokens) / rate)}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
redis.call('ZADD', KEYS[2], now + lease_ms, ARGV[4])
redis.call('PEXPIRE', KEYS[2], lease_ms)
return {1, 0}
"""


@dataclass
class RedisUserLimits:
    """Per-user limits shared by every gateway process through Redis.

    Attributes:
      redis: the client (`redis.asyncio.Redis`).
      max_in_flight, per_minute, burst: as for `UserLimits`.
      key_prefix: the prefix of this installation's keys.
      lease_seconds: how long a message counts as in flight at most (longer than the
        gateway waits for Rasa), should its gateway die before it is answered.
      timeout: how long a message waits for Redis before it is counted in the process.
      recheck_seconds: how long after Redis failed to answer it is asked again (meanwhile
        messages are counted in the process at once, without waiting for it).
    """

    redis: Redis
    max_in_flight: int = 2
    per_minute: float = 30.0
    burst: int = 10
    key_prefix: str = "bokbot:"
    lease_seconds: float = 150.0
    timeout: float = 1.0
    recheck_seconds: float = 5.0
    _fallback: UserLimits | None = field(default=None, repr=False)
    _watch: RedisWatch = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._watch = RedisWatch(
            log, "per-user limits are counted in this process", "per-user limits are shared through it",
            self.recheck_seconds,
        )

    @property
    def fallback(self) -> UserLimits:
        """The limits counted in this process while Redis cannot be reached."""
        if self._fallback is None:
            self._fallback = UserLimits(self.max_in_flight, self.per_minute, self.burst)
        return self._fallback

    def _keys(self, user_id: int) -> list[str]:
        return [f"{self.key_prefix}limits:{user_id}:bucket", f"{self.key_prefix}limits:{user_id}:in-flight"]

    @asynccontextmanager
    async def admit(self, user_id: int) -> AsyncIterator[None]:
        """Hold one of the user's places while the block runs; TooBusy when there is none.
        When Redis cannot be reached the places are counted in this process (see the module
        docstring)."""
        keys = self._keys(user_id)
        lease = secrets.token_hex(8)
        rate_per_ms = self.per_minute / 60_000.0
        if self._watch.resting():
            async with self.fallback.admit(user_id):
                yield
            return
        try:
            admitted, wait_ms = await asyncio.wait_for(
                self.redis.eval(
                    _ADMIT, 2, *keys, self.max_in_flight, repr(rate_per_ms), self.burst, lease,
                    int(self.lease_seconds * 1000),
                ),
                self.timeout,
            )
        except (RedisError, OSError, TimeoutError) as exc:
            self._watch.failed(exc)
            async with self.fallback.admit(user_id):
                yield
            return
        self._watch.answered()
        if not int(admitted):
            raise TooBusy(retry_after=max(int(wait_ms), 1) / 1000.0)
        try:
            yield
        finally:
            with contextlib.suppress(RedisError, OSError, TimeoutError):  # else the lease expires on its own
                await asyncio.wait_for(asyncio.shield(self.redis.zrem(keys[1], lease)), self.timeout)


def user_limits(redis: Redis | None, max_in_flight: int, per_minute: float, burst: int) -> Limits:
    """The limits for this gateway: shared through Redis when there is one, else in-process."""
    if redis is None:
        return UserLimits(max_in_flight, per_minute, burst)
    return RedisUserLimits(redis, max_in_flight, per_minute, burst)


@dataclass
class SignInThrottle:
    """How many wrong link codes may be tried, from one address and from everywhere, before
    every attempt is refused for a while (a right code too), so that an 8-character code
    cannot be guessed by opening many sockets, many addresses or many gateway processes:
    the failures are counted in the database, which every process shares.

    Attributes:
      sessions: the books' sessions.
      per_source: failed attempts one source (an IP address, a Telegram account) may make
        within `window` seconds.
      overall: failed attempts all sources together may make within `window` seconds.
      window: the span, in seconds, that failures are counted over.
    """

    sessions: sessionmaker[Session]
    per_source: int = 5
    overall: int = 100
    window: float = 600.0

    def _allowed(self, source: str) -> bool:
        within = dt.timedelta(seconds=self.window)
        with self.sessions() as session:
            return (
                shared_state.sign_in_failures(session, source, within=within) < self.per_source
                and shared_state.sign_in_failures(session, None, within=within) < self.overall
            )

    def _failed(self, source: str) -> None:
        with self.sessions.begin() as session:
            shared_state.record_sign_in_failure(session, source, keep=dt.timedelta(seconds=self.window))

    async def allowed(self, source: str) -> bool:
        """False while `source`, or everyone together, has failed too often lately."""
        return await asyncio.to_thread(self._allowed, source)

    async def failed(self, source: str) -> None:
        """Count a wrong code from `source`."""
        await asyncio.to_thread(self._failed, source)
