"""Days and spans of days as the NLU hands them over, and as a reply names them.

The NLU normalises "i går" to a `date` entity "2026-11-28" and "hittil i år" to a `period`
entity "2026-01-01/2026-11-29" (both ends included, resolved against today in Oslo). These
pure functions read those values back, and name a span the short way people do: "november
2026", "2026", "1.–15. nov. 2026".
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from babel.dates import format_interval, format_skeleton

from ledger.formatting import locale_of

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def parse_day(value: Any) -> dt.date | None:
    """An ISO day ("2026-11-28"); None for anything else."""
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def parse_period(value: Any) -> tuple[dt.date, dt.date] | None:
    """An ISO interval ("2026-01-01/2026-11-29", both ends included); a single ISO day is a
    span of one day; None for anything else or a span that ends before it starts."""
    text = str(value or "").strip()
    first_text, slash, last_text = text.partition("/")
    first = parse_day(first_text)
    last = parse_day(last_text) if slash else first
    if first is None or last is None or last < first:
        return None
    return first, last


def month_span(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month `day` is in."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_whole_month(first: dt.date, last: dt.date) -> bool:
    return (first, last) == month_span(first)


def is_whole_year(first: dt.date, last: dt.date) -> bool:
    return first == dt.date(first.year, 1, 1) and last == dt.date(first.year, 12, 31)


def period_label(first: dt.date, last: dt.date, language: str) -> str:
    """A span named for a reply: "november 2026", "september–oktober 2026", "2026",
    "1. jan.–29. nov. 2026"."""
    locale = locale_of(language)
    if is_whole_year(first, last):
        return str(first.year)
    if is_whole_month(first, last):
        return str(format_skeleton("yMMMM", first, locale=locale)).translate(_SPACES)
    if first.day == 1 and month_span(last)[1] == last:
        return str(format_interval(first, last, "yMMMM", locale=locale)).translate(_SPACES)
    return str(format_interval(first, last, "yMMMd", locale=locale)).translate(_SPACES)
