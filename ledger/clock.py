"""The one clock: what day it is in Norway, and what time it is, for every process.

Nothing else in the product reads the wall clock. `BOKBOT_TODAY=YYYY-MM-DD` in the environment
pins the day for a whole run (the running product and the test suite alike:
`BOKBOT_TODAY=2027-01-01 make test`); a test pins its own day with `pinned(day)`. When a day
is pinned, `now()` is that day at the wall clock's time of day in Oslo, so that time still
passes within a run (link codes and download grants still expire) while the date stays put.

The Rasa server runs on another Python and may not import the ledger; its `nlu/clock.py`
reads the same variable, so both runtimes agree on the day.

Elapsed time for timeouts and rate limits is measured with `time.monotonic()`, which tells
no date and is no clock in this sense.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
TODAY_VARIABLE = "BOKBOT_TODAY"

_pinned: list[dt.date] = []


class BadPinnedDay(ValueError):
    """BOKBOT_TODAY holds something other than a date written YYYY-MM-DD."""


def _pinned_day() -> dt.date | None:
    if _pinned:
        return _pinned[-1]
    text = os.environ.get(TODAY_VARIABLE, "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise BadPinnedDay(f"{TODAY_VARIABLE}={text!r} is not a date written YYYY-MM-DD") from error


def today() -> dt.date:
    """The date it is now in Norway (Europe/Oslo), or the pinned day."""
    day = _pinned_day()
    return day if day is not None else dt.datetime.now(OSLO).date()


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC); on a pinned day, that day at the wall
    clock's time of day in Oslo."""
    wall = dt.datetime.now(OSLO)
    day = _pinned_day()
    if day is not None:
        wall = dt.datetime.combine(day, wall.time().replace(tzinfo=None), tzinfo=OSLO)
    return wall.astimezone(dt.UTC)


@contextmanager
def pinned(day: dt.date | str) -> Iterator[dt.date]:
    """Within the block, today is `day` (a date or "YYYY-MM-DD") for this process."""
    chosen = dt.date.fromisoformat(day) if isinstance(day, str) else day
    _pinned.append(chosen)
    try:
        yield chosen
    finally:
        _pinned.pop()
