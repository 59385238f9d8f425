"""Durations: how many hours a message talks about.

Owns the `hours` entity: "7,5 timer" → 7.5, "en halv time" → 0.5, "to og en halv time" → 2.5,
"halvannen time" → 1.5, "90 minutter" → 1.5, "1t 30m" → 1.5, "2 hours and 15 min" → 2.25,
"an hour and a half" → 1.5, "en halvtime" → 0.5, "et kvarter" → 0.25, "3 og et halvt kvarter"
→ 0.875, "-3 timer" → -3 (a minus is kept, so that the action refuses it instead of logging 3
hours), "1,234 timer" → 1.234 (before an hour unit, one separator before three digits is a
decimal mark).

A number followed by "timen", "per time", "/t" or "an hour" after money is a rate, not a
duration; `money` finds those, and the longer span wins when both match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from nlu.numbers import NumberSpan, find_numbers

HOUR_UNIT = re.compile(
    r"\s*(?:timer|timar|timmer|tímer|time|tim|tmr|hours|hour|hrs|hr|t|h)(?![a-zæøå/])", re.IGNORECASE
)
MINUTE_UNIT = re.compile(
    r"\s*(?:minutter|minutt|minuttar|min|minutes|minute|mins|m)(?![\w/])", re.IGNORECASE
)
# "and" / "og" / "," between the hours and the minutes of one duration.
JOINER = re.compile(r"\s*(?:og|and|,|&|\+)?\s*", re.IGNORECASE)
AN_HOUR = re.compile(
    r"\b(?:an|one|en|ei|ein|1)\s+(?:hour|time)(?P<half>\s+(?:and\s+a\s+half|og\s+e[in]n?\s+halv))?\b",
    re.IGNORECASE,
)
HOUR_AND_A_HALF = re.compile(r"\b(?:an\s+)?hour\s+and\s+a\s+half\b", re.IGNORECASE)
HALF_HOUR_UNIT = re.compile(r"\s*(?:halvtimer|halvtimen|halvtime)\b", re.IGNORECASE)
QUARTER_UNIT = re.compile(r"\s*(?:kvarter|quarters?(?:\s+of\s+an\s+hour)?)\b", re.IGNORECASE)
QUARTERS = re.compile(r"\b(?P<n>et|ett|ei|ett|tre|a|one|three)\s+(?:kvarter|quarters?\s+of\s+an\s+hour)\b",
                      re.IGNORECASE)
_QUARTER_VALUES = {"et": "0.25", "ett": "0.25", "ei": "0.25", "a": "0.25", "one": "0.25",
                   "tre": "0.75", "three": "0.75"}
# What may follow an hour unit as part of the same duration: "2 timer og et kvarter" is 2.25.
FRACTION_AFTER_HOURS = re.compile(
    r"\s+(?:og|and)\s+(?:(?P<half>en\s+halv|ei\s+halv|ein\s+halv|a\s+half)|(?P<quarter>et\s+kvarter|ett\s+kvarter|"
    r"a\s+quarter)|(?P<three>tre\s+kvarter|three\s+quarters))\b",
    re.IGNORECASE,
)
# "1:30 t", "8:30 timer": hours and minutes written like a clock, with an hour unit after.
CLOCK_DURATION = re.compile(
    r"(?<![\d:.,])(?P<h>\d{1,2}):(?P<m>[0-5]\d)(?=\s*(?:timer|time|t|h|hours|hrs|hr)(?![a-zæøå/]))",
    re.IGNORECASE,
)
# A duration unit followed by these is a rate ("950 kr per time" is found by `money`).
_NOT_AFTER = re.compile(r"\s*(?:kr|nok|kroner)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Duration:
    """A duration found in a text: characters start..end, `hours` as a Decimal."""

    start: int
    end: int
    hours: Decimal


def find_durations(text: str, numbers: list[NumberSpan] | None = None) -> list[Duration]:
    """Finds every duration in `text`, left to right, without overlaps."""
    nums = numbers if numbers is not None else find_numbers(text)
    found: list[Duration] = []

    for m in HOUR_AND_A_HALF.finditer(text):
        found.append(Duration(m.start(), m.end(), Decimal("1.5")))
    for m in AN_HOUR.finditer(text):
        value = Decimal("1.5") if m.group("half") else Decimal("1")
        end = m.end()
        extra = None if m.group("half") else _minutes_after(text, end, nums) or _fraction_after(text, end)
        if extra is not None:
            value += extra[0]
            end = extra[1]
        found.append(Duration(m.start(), end, value))
    for m in CLOCK_DURATION.finditer(text):
        hour = HOUR_UNIT.match(text, m.end())
        assert hour is not None  # the lookahead saw it
        found.append(Duration(m.start(), hour.end(), Decimal(m.group("h")) + _minutes(Decimal(m.group("m")))))
    for m in QUARTERS.finditer(text):
        found.append(Duration(m.start(), m.end(), Decimal(_QUARTER_VALUES[m.group("n").lower()])))

    for i, n in enumerate(nums):
        rest = text[n.end:]
        hour = HOUR_UNIT.match(rest)
        value = n.decimal_value if n.decimal_value is not None else n.value
        if hour and abs(value) < 1000:
            # "2 timer" but not "2 t kr"; "2,5 t" fine.
            end = n.end + hour.end()
            extra = _minutes_after(text, end, nums[i + 1:]) or _fraction_after(text, end)
            more = Decimal(0)
            if extra is not None:
                more, end = extra
            found.append(Duration(n.start, end, value - more if value < 0 else value + more))
            continue
        half_hour = HALF_HOUR_UNIT.match(rest)
        if half_hour and n.value < 1000:
            found.append(Duration(n.start, n.end + half_hour.end(), n.value / 2))  # "en halvtime"
            continue
        quarter = QUARTER_UNIT.match(rest)
        if quarter and n.value < 1000:
            found.append(Duration(n.start, n.end + quarter.end(), n.value / 4))
            continue
        minute = MINUTE_UNIT.match(rest)
        # "30m" is minutes, but "fem m" is not.
        if minute and not (n.words and minute.group(0).strip().lower() == "m"):
            found.append(Duration(n.start, n.end + minute.end(), _minutes(n.value)))
    return _without_overlaps(found)


def _fraction_after(text: str, pos: int) -> tuple[Decimal, int] | None:
    """Reads "og en halv" / "og et kvarter" / "and three quarters" right after an hour unit:
    (hours, end)."""
    m = FRACTION_AFTER_HOURS.match(text, pos)
    if m is None:
        return None
    return Decimal("0.5" if m.group("half") else "0.25" if m.group("quarter") else "0.75"), m.end()


def _minutes(minutes: Decimal) -> Decimal:
    """Minutes as hours, to 1/100 hour (what a time entry holds): 20 minutes are 0.33."""
    return (minutes / 60).quantize(Decimal("0.01"))


def _minutes_after(text: str, pos: int, nums: list[NumberSpan]) -> tuple[Decimal, int] | None:
    """Reads "og 30 minutter" / " 30m" right after an hour unit: (hours, end)."""
    joiner = JOINER.match(text, pos)
    start = joiner.end() if joiner else pos
    for n in nums:
        if n.start == start:
            minute = MINUTE_UNIT.match(text, n.end)
            if minute:
                return _minutes(n.value), minute.end()
        if n.start > start:
            break
    return None


def _without_overlaps(found: list[Duration]) -> list[Duration]:
    """Keeps the longest of overlapping durations."""
    kept: list[Duration] = []
    for d in sorted(found, key=lambda d: (-(d.end - d.start), d.start)):
        if all(d.end <= k.start or d.start >= k.end for k in kept):
            kept.append(d)
    return sorted(kept, key=lambda d: d.start)


def format_hours(hours: Decimal) -> float:
    """Hours as the contract's number: 7.5, 0.25, 2.0, 1.234.

    The float is made from the exact decimal, rounded to four places, so its shortest form
    (what JSON carries) is the number as written: never 0.30000000000000004. Extra decimals
    are kept rather than rounded away, so that the action can refuse "1,234 timer" instead of
    invoicing 1.23 hours."""
    return float(hours.quantize(Decimal("0.0001")))
