"""How much one person may ask of the assistant at once, so that one token (a script, a stuck
client, an attacker) cannot make everyone else wait.

Each user may have a few messages in flight and a sustained rate with a burst (a token
bucket); past either, the message is refused at once with `TooBusy`, which every channel
answers with a sentence in the person's language (the REST API with 429 and Retry-After).
Elapsed time is measured with `time.monotonic()`, which knows no date.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


class TooBusy(Exception):
    """A message refused because its sender has too many in flight or sent too many lately.

    Attributes:
      retry_after: seconds after which a message will be taken again.
    """

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many messages; try again in {retry_after:.0f} s")
        self.retry_after = retry_after


@dataclass
class _Bucket:
    tokens: float
    updated: float
    in_flight: int = 0


@dataclass
class UserLimits:
    """Per-user limits of one gateway process.

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

    @contextmanager
    def admit(self, user_id: int) -> Iterator[None]:
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


@dataclass
class SignInThrottle:
    """How many wrong link codes may be tried, from one address and from everywhere, before
    every attempt is refused for a while (a right code too), so that an 8-character code
    cannot be guessed by opening many sockets or many addresses.

    Attributes:
      per_source: failed attempts one source (an IP address, a Telegram account) may make
        within `window` seconds.
      overall: failed attempts all sources together may make within `window` seconds.
      window: the span, in seconds, that failures are counted over.
    """

    per_source: int = 5
    overall: int = 100
    window: float = 600.0
    _failures: dict[str, list[float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _recent(self, key: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(key, []) if now - t < self.window]
        if kept:
            self._failures[key] = kept
        else:
            self._failures.pop(key, None)
        return kept

    def allowed(self, source: str) -> bool:
        """False while `source`, or everyone together, has failed too often lately."""
        now = time.monotonic()
        with self._lock:
            return len(self._recent(source, now)) < self.per_source and len(self._recent("", now)) < self.overall

    def failed(self, source: str) -> None:
        """Count a wrong code from `source`."""
        now = time.monotonic()
        with self._lock:
            for key in (source, ""):
                self._failures.setdefault(key, []).append(now)
