"""Whether Redis answered lately, for the parts of the gateway that carry on without it (the
per-user limits, the Telegram chats' queues): after it fails to answer they stop asking it for
a while, doing the work in the process instead, and the log says once when that begins and
once when it ends."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field


@dataclass
class RedisWatch:
    """Attributes:
      log: the logger of the part that uses Redis (its lines are that part's).
      meanwhile: what the warning says happens until Redis answers ("per-user limits are
        counted in this process").
      again: what the log says once it does ("per-user limits are shared through it").
      recheck_seconds: how long after Redis failed to answer it is asked again.
    """

    log: logging.Logger
    meanwhile: str
    again: str
    recheck_seconds: float = 5.0
    away: bool = field(default=False, init=False)
    _next_try: float = field(default=0.0, init=False, repr=False)

    def resting(self) -> bool:
        """Redis failed to answer a moment ago: not worth asking yet."""
        return self.away and time.monotonic() < self._next_try

    def failed(self, error: BaseException) -> None:
        if not self.away:
            self.log.warning("Redis did not answer (%s): %s until it does", type(error).__name__, self.meanwhile)
        self.away = True
        self._next_try = time.monotonic() + self.recheck_seconds

    def answered(self) -> None:
        if self.away:
            self.log.info("Redis answers again: %s", self.again)
        self.away = False
