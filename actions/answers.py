"""Reading what a person answered: numbers of hours and amounts, as they meant them.

The NLU normalises entities ("7,5 timer" → 7.5), but an answer to "Hvor mange timer?" is
often a bare "7,5", and a few spans need a second look before anything is posted: a minus
sign in front of the span ("-3 timer") and a number the NLU took for an amount although
hours follow it ("1,234 timer"). These pure functions read the message text around the
entity; they refuse rather than guess, with a `reason` a reply template words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_INVOICE_HOURS = Decimal("10000")
"""More hours than this on one invoice line is a misunderstanding, not a job."""

TWO_DECIMALS = Decimal("0.01")

_HOURS_WORD = re.compile(r"\s*(timer|time|timar|t|h|hrs?|hours?)\b", re.IGNORECASE)
_MINUS_BEFORE = re.compile(r"(-|−|–|\bminus\s*)\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"^[-−–]?\s*\d[\d \u00a0]*(?:[.,]\d+)?$")


@dataclass(frozen=True)
class Refused:
    """A value that cannot be used, and why ("negative", "zero", "decimals", "too_many",
    "not_a_number")."""

    reason: str
    said: str


@dataclass(frozen=True)
class Said:
    """An entity as found in the latest message: its value, and the text around it."""

    entity: str
    value: Any
    text: str
    start: int | None
    end: int | None

    @property
    def span(self) -> str:
        if self.start is None or self.end is None:
            return str(self.value)
        return self.text[self.start : self.end]

    @property
    def negated(self) -> bool:
        """A minus sign or "minus" right in front of the span."""
        if self.start is None:
            return bool(re.match(r"^\s*(-|−|–|minus\b)", str(self.value), re.IGNORECASE))
        return bool(_MINUS_BEFORE.search(self.text[: self.start]))

    @property
    def followed_by_hours(self) -> bool:
        """Hours named right after the span ("1,234 timer")."""
        return self.end is not None and bool(_HOURS_WORD.match(self.text[self.end :]))


def said_entity(latest_message: Mapping[str, Any], entity: str) -> Said | None:
    """The first `entity` of the message, with the message text for a second look."""
    text = str(latest_message.get("text") or "")
    for found in latest_message.get("entities") or []:
        if found.get("entity") == entity:
            start, end = found.get("start"), found.get("end")
            return Said(
                entity=entity,
                value=found.get("value"),
                text=text,
                start=int(start) if isinstance(start, int) else None,
                end=int(end) if isinstance(end, int) else None,
            )
    return None


def plain_number(text: str) -> Decimal | None:
    """A number as people write it ("7,5", "7.5", "-3", "1 250"); None if it is not one.
    A comma is a decimal comma: "1,234" is 1.234, never a thousands separator."""
    cleaned = str(text).strip().replace("\u00a0", " ")
    cleaned = re.sub(r"\s*(timer|time|t|h|hours?|kr|nok|,-)\s*$", "", cleaned, flags=re.IGNORECASE).strip()
    if not _NUMBER.match(cleaned):
        return None
    cleaned = cleaned.replace(" ", "").replace(",", ".").replace("−", "-").replace("–", "-")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def exact(value: Any) -> Decimal | None:
    """An entity value (a string, an int or the NLU's float) as an exact Decimal."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return plain_number(str(value))


def hours_answer(value: Any, said: Said | None = None) -> Decimal | Refused:
    """A number of hours to invoice: more than zero, two decimals at most."""
    text = said.span if said is not None else str(value)
    number = plain_number(said.span) if said is not None and said.entity != "hours" else exact(value)
    if number is None:
        return Refused("not_a_number", text)
    if said is not None and said.negated and number > 0:
        number = -number
    return _positive(number, text, MAX_INVOICE_HOURS)


def amount_answer(value: Any, said: Said | None = None) -> Decimal | Refused:
    """An amount of money: more than zero, two decimals at most."""
    text = said.span if said is not None else str(value)
    number = exact(value)
    if number is None:
        return Refused("not_a_number", text)
    if said is not None and said.negated and number > 0:
        number = -number
    return _positive(number, text, None)


def _positive(number: Decimal, text: str, most: Decimal | None) -> Decimal | Refused:
    if not number.is_finite():
        return Refused("not_a_number", text)
    if number < 0:
        return Refused("negative", text)
    if number == 0:
        return Refused("zero", text)
    if number != number.quantize(TWO_DECIMALS):
        return Refused("decimals", text)
    if most is not None and number > most:
        return Refused("too_many", text)
    return number.quantize(TWO_DECIMALS)
