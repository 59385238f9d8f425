"""The Norwegian working calendar: weekends and public holidays, and the next
working day that a statutory deadline moves to when it falls on neither.

A deadline to the authorities that falls on a Saturday, Sunday or public holiday moves to the
next working day (so the VAT return due 10 October 2026, a Saturday, is due Monday 12 October).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from holidays.countries.norway import Norway


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[dt.date]:
    """Norway's public holidays (helligdager and 1 and 17 May) in `year`, Sundays aside."""
    calendar = Norway(years=year, include_sundays=False)
    return frozenset(calendar.keys())


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and day not in public_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def working_days(first: dt.date, last: dt.date) -> int:
    """How many working days there are from `first` to `last`, both included."""
    count = 0
    day = first
    while day <= last:
        count += is_working_day(day)
        day += dt.timedelta(days=1)
    return count
