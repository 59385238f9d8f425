"""Money: amounts and hourly rates in Norwegian kroner.

Owns the `amount` and `rate` entities. An amount carries a currency word or sign
("kr 1.234,-", "1 234,50 kr", "450 kroner", "NOK 2000", "2 millioner", "fem hundre kroner",
"10k"); a rate is money per hour, told apart by the words around it ("1200 kr timen",
"1 200 per time", "rate 950", "timepris 1100", "950/t", "1100 an hour", "hourly rate 900").
Values are decimal strings with a dot and no grouping: "1234.50", "450", "2000000".

A bare number without any of these words is left to the caller (`nlu.entities`), which knows
what the user is asking for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from nlu.numbers import NumberSpan, find_numbers

CURRENCY_BEFORE = re.compile(r"(?:\b(?:kr|nok|kroner)\.?|\$|€)\s*$", re.IGNORECASE)
CURRENCY_AFTER = re.compile(
    r"(?:[.,]-|\s*(?:kr\b\.?|nok\b|kroner\b|krone\b|kronor\b|spenn\b|kroner?\b)(?:\s*[.,]-)?)",
    re.IGNORECASE,
)
# After the money: "timen", "per time", "pr. t", "/t", "i timen", "an hour", "per hour", "/h".
PER_HOUR_AFTER = re.compile(
    r"\s*(?:kr\.?\s*|nok\s*|kroner\s*|,-\s*)?"
    r"(?:(?:per|pr\.?|pr|/)\s*(?:time|timen|t|h|hr|hour|time\.?)\b|"
    # "i timen", "an hour"; not "at" ("349 kr at Elkjøp") nor "i t..."
    r"(?:i|a|à|an|each|every)\s+(?:time|timen|hr|hour)\b|timen\b|"
    r"/\s*(?:t|h|time|hr|hour)\b|(?:in\s+the\s+)?hourly\b|an\s+hour\b|per\s+hour\b)",
    re.IGNORECASE,
)
# Before the money: "rate 950", "timepris på 1100", "hourly rate of 900", "timesats: 850".
RATE_BEFORE = re.compile(
    r"\b(?:rate|timepris|timesats|timeprisen|timeraten|timerate|timelønn|hourly\s+rate|hourly|"
    r"pris\s+per\s+time|pris\s+pr\.?\s+time|per\s+hour|per\s+time|price\s+per\s+hour)"
    r"\s*(?:på|er|of|is|at|:|=|til|to)?\s*(?:kr\.?|nok)?\s*$",
    re.IGNORECASE,
)
# "3 timer à 950", "10 t a 1100", "5 hours @ 900"
AT_RATE = re.compile(
    r"(?:à|á|@|(?<=\btimer )a|(?<=\btime )a|(?<=\bt )a|(?<=\bh )a|(?<=\bhours )at)\s*(?:kr\.?\s*)?$",
    re.IGNORECASE,
)
# Before the money, making a bare number an amount: "beløp 500", "amount: 300", "på kr".
AMOUNT_BEFORE = re.compile(r"\b(?:beløp|beløpet|belop|sum|summen|amount|totalt|total)\s*(?:på|of|:|=|er|is)?\s*$",
                           re.IGNORECASE)


@dataclass(frozen=True)
class Money:
    """Money found in a text.

    Attributes:
        start, end: the span, currency words and rate words included.
        value: the amount.
        per_hour: True for a rate.
    """

    start: int
    end: int
    value: Decimal
    per_hour: bool


def find_money(text: str, numbers: list[NumberSpan] | None = None) -> list[Money]:
    """Finds amounts and rates that carry a currency or rate word."""
    nums = numbers if numbers is not None else find_numbers(text)
    found: list[Money] = []
    for n in nums:
        start, end = n.start, n.end
        currency = False
        before = CURRENCY_BEFORE.search(text[:start])
        if before:
            currency = True
            start = before.start()
        after = CURRENCY_AFTER.match(text, end)
        if after and after.end() > end:
            currency = True
            end = after.end()
        big = not n.words and n.value >= 1000 and (text[n.start:n.end].count(" ") > 0)
        if n.words and not currency and (not _scaled(text, n) or " " not in text[n.start:n.end]):
            continue  # "fem" and "tusen" alone are not money; "fem hundre kroner" is
        per = PER_HOUR_AFTER.match(text, end)
        rate_before = RATE_BEFORE.search(text[:start]) or AT_RATE.search(text[:start])
        if per:
            found.append(Money(start, per.end(), n.value, per_hour=True))
        elif rate_before:
            found.append(Money(rate_before.start(), end, n.value, per_hour=True))
        elif currency or _scaled(text, n) or AMOUNT_BEFORE.search(text[:start]):
            found.append(Money(start, end, n.value, per_hour=False))
        elif big:
            # "1 200" with a thousands group is money-shaped even without "kr"; the caller
            # still checks it against orgnr and invoice numbers (longer, more specific spans).
            continue
    return found


def _scaled(text: str, n: NumberSpan) -> bool:
    """True when the number was written with "millioner", "tusen", "k" and the like."""
    return bool(re.search(r"(millioner|million|mill|mln|mio|milliard|mrd|tusen|thousand|k)$",
                          text[n.start:n.end], re.IGNORECASE))
