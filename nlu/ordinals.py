"""Picking from a list by typing: which of the offered options a person means.

Owns the `ordinal` entity of the `choose` intent: "den første" → 1, "nummer to" → 2, "nr 3" →
3, "the second one" → 2, "2." → 2, "den siste" / "the last one" → -1 (counted from the end),
"den øverste" → 1. The action counts it among the buttons of the question it asked.

Only read when the classifier found `choose`: "den andre" is also "the other one" and "den
første" also a date. A number alone ("2") is no place: it answers "how many hours?".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LAST = -1
"""The position of "den siste", "the last one": the last option, whatever their number."""

ORDINAL_WORDS: dict[str, int] = {
    "første": 1, "forste": 1, "førstnevnte": 1, "førstemann": 1, "øverste": 1, "øverst": 1,
    "first": 1, "top": 1, "former": 1,
    "andre": 2, "annen": 2, "annet": 2, "second": 2,
    "tredje": 3, "third": 3,
    "fjerde": 4, "fourth": 4,
    "femte": 5, "fifth": 5,
    "sjette": 6, "sixth": 6,
    "sjuende": 7, "syvende": 7, "seventh": 7,
    "åttende": 8, "eighth": 8,
    "niende": 9, "ninth": 9,
    "tiende": 10, "tenth": 10,
    "siste": LAST, "sist": LAST, "sistnevnte": LAST, "nederste": LAST, "nederst": LAST,
    "last": LAST, "bottom": LAST, "latter": LAST,
}
#: Cardinal numbers after "nummer", "nr", "number", "option", "alternativ": "nummer to" is 2.
NUMBER_WORDS: dict[str, int] = {
    "en": 1, "ett": 1, "én": 1, "one": 1,
    "to": 2, "two": 2,
    "tre": 3, "three": 3,
    "fire": 4, "four": 4,
    "fem": 5, "five": 5,
    "seks": 6, "six": 6,
    "sju": 7, "syv": 7, "seven": 7,
    "åtte": 8, "eight": 8,
    "ni": 9, "nine": 9,
    "ti": 10, "ten": 10,
}
_MOST = 10

_WORDS = "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True))
_NUMBERS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_COUNTED = r"(?:nummer|nr|no|number|num|#|alternativ|alternativet|option|valg|choice|knapp|button)"
ORDINAL_RE = re.compile(
    rf"(?<![\w])(?:(?P<word>{_WORDS})"
    rf"|(?P<digit_ordinal>\d{{1,2}})(?:\.|st|nd|rd|th|te|de|ende)"
    rf"|{_COUNTED}\.?\s*(?P<counted>\d{{1,2}}|{_NUMBERS}))(?![\w])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Ordinal:
    """A place in a list found in a text: characters start..end, `position` counted from 1,
    or `LAST`."""

    start: int
    end: int
    position: int


def find_ordinals(text: str) -> list[Ordinal]:
    """Finds the places in a list a message names, left to right."""
    found: list[Ordinal] = []
    for m in ORDINAL_RE.finditer(text):
        if m.group("word"):
            position = ORDINAL_WORDS[m.group("word").lower()]
        elif m.group("digit_ordinal"):
            position = int(m.group("digit_ordinal"))
        else:
            counted = m.group("counted").lower()
            position = int(counted) if counted.isdigit() else NUMBER_WORDS[counted]
        if position == LAST or 1 <= position <= _MOST:
            found.append(Ordinal(m.start(), m.end(), position))
    return found
