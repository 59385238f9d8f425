"""Telegram updates of one chat handled one at a time, in update id order, whichever gateway
Telegram posts them to.

Telegram may post updates to the webhook over many connections at once, and the reverse
proxy spreads those over the gateways; `channels.telegram.updates` keeps a chat in order
only within one process. So that "fakturer X for 5 timer" and the "ja" after it are never
answered at the same time (or the other way round) by two gateways, each update is put in
its chat's queue in Redis, a sorted set scored by the update id, and Telegram is answered at
once. Then one gateway at a time drains the chat: whoever takes the chat's lock (a key with
a random token that expires on its own, renewed while the holder works) handles the lowest
update, removes it, and goes on until the queue is empty; then it lets go of the lock and
looks at the queue once more. Whoever adds an update tries to take the lock after adding it,
and the holder looks after letting go, so an update is never left behind by a wake-up that
came at the wrong moment. A gateway that dies holding a lock keeps the chat waiting only
until the lock expires: every gateway sweeps, every few seconds, the chats that still have
updates and drains those nobody holds.

An update leaves its queue only after it has been handled, so one whose gateway stops
half-way is handled again by another (as Telegram itself delivers again what it did not see
answered); the handlers take the update id as the message's idempotency key, so nothing is
posted twice. An update id is remembered for a day, as long as Telegram keeps an update it
could not deliver, so an update delivered again is queued once.

When Redis cannot be reached, `ChatQueues.put` raises `QueueUnavailable` and the caller
handles the update in its own process instead (still in order within that process): an
update is answered late rather than lost. One warning is logged when that begins and one line
when Redis answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from channels.redis_watch import RedisWatch

log = logging.getLogger(__name__)

T = TypeVar("T")

Handler = Callable[[dict[str, Any]], Awaitable[None]]
"""Handles one update, given as Telegram's JSON object (decoded)."""

REDIS_DOWN = (RedisError, OSError, TimeoutError)


class QueueUnavailable(Exception):
    """Redis did not take an update (down, cut off, or slower than `ChatQueues.timeout`)."""


# KEYS: the update id's mark, the chat's queue, the set of chats with queued updates.
# ARGV: update id, the update's JSON, how long idle keys are kept (ms), the chat id.
# Returns 1 when queued, 0 when the update id was seen before.
_PUT = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[2], 'NX', ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return 1
"""

# KEYS: the chat's lock. ARGV: the holder's token, the lock's time to live (ms).
# Returns 1 while the token still holds the lock, else 0.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

# KEYS: the chat's lock, the chat's queue, the set of chats with queued updates.
# ARGV: the holder's token, the chat id.
# Lets go of the lock if the token still holds it and returns how many updates are queued,
# forgetting the chat when none are (atomically, so that no update queued meanwhile is missed).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
local left = redis.call('ZCARD', KEYS[2])
if left == 0 then
  redis.call('SREM', KEYS[3], ARGV[2])
end
return left
"""


@dataclass
class ChatQueues:
    """Every chat's queue of Telegram updates in Redis, drained by one gateway at a time.

    Attributes:
      redis: the client (`redis.asyncio.Redis`).
      handle: handles one update in this process (the bot's handlers and error handlers).
      key_prefix: the prefix of this installation's keys.
      lock_seconds: how long a chat's lock lasts unless its holder renews it (a third of it
        between renewals): how long a gateway that dies holding it keeps the chat waiting.
      idle_seconds: how long a queue, and an update id's mark, is kept with nothing new.
      sweep_seconds: how often the chats left with queued updates are looked for.
      timeout: how long a call waits for Redis before Redis counts as away.
      recheck_seconds: how long after Redis failed to answer it is asked again (meanwhile
        updates are handled in this process at once, without waiting for it).
      stop_seconds: how long, when the gateway stops, a chat being drained may take to finish
        the update at hand (the rest stay queued for the other gateways).
    """

    redis: Redis
    handle: Handler
    key_prefix: str = "bokbot:"
    lock_seconds: float = 15.0
    idle_seconds: float = 24 * 3600.0
    sweep_seconds: float = 2.0
    timeout: float = 1.0
    recheck_seconds: float = 5.0
    stop_seconds: float = 10.0
    _drains: set[asyncio.Task[None]] = field(default_factory=set, repr=False)
    _draining: dict[int, int] = field(default_factory=dict, repr=False)
    _stopping: bool = field(default=False, repr=False)
    _watch: RedisWatch = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._watch = RedisWatch(
            log,
            "Telegram updates are handled in the gateway they reach, in order per chat only within it",
            "Telegram updates are ordered per chat through it",
            self.recheck_seconds,
        )

    def queue_key(self, chat_id: int) -> str:
        return f"{self.key_prefix}telegram:{chat_id}:updates"

    def lock_key(self, chat_id: int) -> str:
        return f"{self.key_prefix}telegram:{chat_id}:lock"

    def _seen_key(self, chat_id: int, update_id: int) -> str:
        return f"{self.key_prefix}telegram:{chat_id}:seen:{update_id}"

    @property
    def _chats_key(self) -> str:
        return f"{self.key_prefix}telegram:chats"

    async def _call(self, call: Awaitable[T]) -> T:
        return await asyncio.wait_for(call, self.timeout)

    async def put(self, chat_id: int, update_id: int, update: dict[str, Any]) -> bool:
        """Queues one update of the chat and starts draining the chat (in the background);
        False when the update id was queued before (Telegram delivering it again). Raises
        QueueUnavailable, having queued nothing, when Redis cannot be reached."""
        if self._watch.resting():
            raise QueueUnavailable()
        body = json.dumps(update, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        keys = [self._seen_key(chat_id, update_id), self.queue_key(chat_id), self._chats_key]
        try:
            queued = await self._call(
                self.redis.eval(_PUT, 3, *keys, update_id, body, int(self.idle_seconds * 1000), chat_id)
            )
        except REDIS_DOWN as exc:
            self._watch.failed(exc)
            raise QueueUnavailable() from exc
        self._watch.answered()
        self.wake(chat_id)  # also for an update queued before, should its drain have been lost
        return bool(int(queued))

    def wake(self, chat_id: int) -> None:
        """Starts draining the chat in the background (it stops at once if another drain holds
        the chat: that one looks at the queue again after letting go)."""
        if self._stopping:
            return
        task = asyncio.create_task(self.drain(chat_id), name=f"telegram-drain-{chat_id}")
        self._drains.add(task)
        task.add_done_callback(self._drains.discard)

    async def drain(self, chat_id: int) -> None:
        """Handles the chat's queued updates in order while holding its lock, until the queue
        stays empty or another gateway holds the chat."""
        self._draining[chat_id] = self._draining.get(chat_id, 0) + 1
        try:
            while not self._stopping:
                token = secrets.token_hex(16)
                taken = await self._call(
                    self.redis.set(self.lock_key(chat_id), token, nx=True, px=int(self.lock_seconds * 1000))
                )
                if not taken:
                    return  # the holder looks at the queue again after letting go
                try:
                    await self._drain_holding(chat_id, token)
                except BaseException:
                    with contextlib.suppress(*REDIS_DOWN):  # else the lock expires on its own
                        await self._release(chat_id, token)
                    raise
                left = await self._release(chat_id, token)
                if not left:
                    return
        except REDIS_DOWN as exc:
            # What is queued stays queued: the sweep drains it once Redis answers again.
            self._watch.failed(exc)
        finally:
            self._draining[chat_id] -= 1
            if not self._draining[chat_id]:
                del self._draining[chat_id]

    async def _drain_holding(self, chat_id: int, token: str) -> None:
        lost = asyncio.Event()
        keeping = asyncio.create_task(self._keep_lock(chat_id, token, lost))
        try:
            while not self._stopping and not lost.is_set():
                lowest = await self._call(self.redis.zrange(self.queue_key(chat_id), 0, 0))
                if not lowest:
                    return
                body = lowest[0]
                assert isinstance(body, bytes | str)  # the member alone: no scores were asked for
                await self._handle(body)
                await self._call(self.redis.zrem(self.queue_key(chat_id), body))
        finally:
            keeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeping

    async def _handle(self, body: bytes | str) -> None:
        update: Any = None
        try:
            update = json.loads(body)
            await self.handle(update)
        except Exception:
            # One update that cannot be handled must not hold up the chat for ever; its text
            # belongs to the person, so only its id is logged.
            update_id = update.get("update_id") if isinstance(update, dict) else None
            log.exception("Telegram update %s failed; it is dropped from its chat's queue", update_id)

    async def _keep_lock(self, chat_id: int, token: str, lost: asyncio.Event) -> None:
        ttl = int(self.lock_seconds * 1000)
        while True:
            await asyncio.sleep(self.lock_seconds / 3)
            try:
                held = await self._call(self.redis.eval(_RENEW, 1, self.lock_key(chat_id), token, ttl))
            except REDIS_DOWN:
                continue  # the lock may lapse meanwhile; then another gateway takes the chat over
            if not int(held):
                lost.set()
                return

    async def _release(self, chat_id: int, token: str) -> int:
        keys = [self.lock_key(chat_id), self.queue_key(chat_id), self._chats_key]
        left = await asyncio.wait_for(asyncio.shield(self.redis.eval(_RELEASE, 3, *keys, token, chat_id)), self.timeout)
        return int(left)

    async def sweep(self) -> None:
        """Drains the chats that have queued updates and no drain here: those of a gateway
        that died holding them (once their lock expires), or whose drain Redis cut short."""
        try:
            chats = await self._call(self.redis.smembers(self._chats_key))
        except REDIS_DOWN as exc:
            self._watch.failed(exc)
            return
        self._watch.answered()
        for member in chats:
            chat_id = int(member)
            if chat_id not in self._draining:
                self.wake(chat_id)

    @asynccontextmanager
    async def sweeping(self) -> AsyncIterator[None]:
        """Sweeps every `sweep_seconds` while the block runs; at its end, lets each drain
        finish the update at hand (for `stop_seconds` at most) and leaves the rest queued."""

        async def sweep_forever() -> None:
            while True:
                await self.sweep()
                await asyncio.sleep(self.sweep_seconds)

        sweeper = asyncio.create_task(sweep_forever(), name="telegram-sweep")
        try:
            yield
        finally:
            self._stopping = True
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            if self._drains:
                _, unfinished = await asyncio.wait(set(self._drains), timeout=self.stop_seconds)
                for task in unfinished:
                    task.cancel()
                await asyncio.gather(*unfinished, return_exceptions=True)
