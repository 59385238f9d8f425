"""Spoken numbers in a transcript written as digits: "fire hundre og femti kroner" →
"450 kroner", "to og en halv time" → "2,5 time", "seven point five hours" → "7.5 hours".

The embedded recogniser hears numbers as words (its grammar has no digits); the person sees
the transcript before anything is confirmed, and a figure is easier to check than words. A
lone "en"/"ett"/"a" is left alone: it is an article as often as a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class NumberWords:
    """The words of one language's numbers.

    Attributes:
      units: words worth 0–19 (and their compounds' parts).
      tens: twenty to ninety.
      hundred, thousand: the multipliers.
      joiner: the word between parts ("og", "and").
      point: the decimal word ("komma", "point").
      half: the words that add a half after a number ("og en halv", "and a half").
      articles: words that are a number only next to other number words.
      decimal_mark: how a decimal is written in this language.
    """

    units: dict[str, int]
    tens: dict[str, int]
    hundred: str
    thousand: str
    joiner: str
    point: str
    half: tuple[str, ...]
    articles: frozenset[str]
    decimal_mark: str
    alone: dict[str, Decimal]


NORWEGIAN = NumberWords(
    units={
        "null": 0, "en": 1, "ett": 1, "én": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7,
        "syv": 7, "åtte": 8, "ni": 9, "ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14,
        "femten": 15, "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19,
    },
    tens={
        "tjue": 20, "tyve": 20, "tretti": 30, "førti": 40, "femti": 50, "seksti": 60, "sytti": 70, "åtti": 80,
        "nitti": 90,
    },
    hundred="hundre",
    thousand="tusen",
    joiner="og",
    point="komma",
    half=("og", "en", "halv"),
    articles=frozenset({"en", "ett", "én"}),
    decimal_mark=",",
    alone={"halvannen": Decimal("1.5")},
)

ENGLISH = NumberWords(
    units={
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "a": 1,
    },
    tens={"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90},
    hundred="hundred",
    thousand="thousand",
    joiner="and",
    point="point",
    half=("and", "a", "half"),
    articles=frozenset({"a"}),
    decimal_mark=".",
    alone={},
)

WORDS = {"nb": NORWEGIAN, "en": ENGLISH}


def _is_number_word(words: NumberWords, word: str) -> bool:
    return word in words.units or word in words.tens or word in (words.hundred, words.thousand)


def _read_number(words: NumberWords, tokens: list[str], start: int) -> tuple[Decimal, int] | None:
    """The number spoken from `tokens[start]` and how many tokens it took; None if none."""
    total, current, i, used_any = 0, 0, start, False
    last_kind = ""
    while i < len(tokens):
        word = tokens[i]
        if word in words.units and last_kind not in ("unit",):
            if last_kind == "tens" and words.units[word] >= 10:
                break
            current += words.units[word]
            last_kind = "unit"
        elif word in words.tens and last_kind not in ("unit", "tens"):
            current += words.tens[word]
            last_kind = "tens"
        elif word == words.hundred and last_kind in ("unit", "tens", ""):
            current = (current or 1) * 100
            last_kind = "hundred"
        elif word == words.thousand and last_kind in ("unit", "tens", "hundred", ""):
            total += (current or 1) * 1000
            current = 0
            last_kind = "thousand"
        elif (
            word == words.joiner
            and last_kind in ("hundred", "thousand")
            and i + 1 < len(tokens)
            and (tokens[i + 1] in words.units or tokens[i + 1] in words.tens)
            and tokens[i + 1] not in words.articles
        ):
            i += 1
            last_kind = "joiner"
            continue
        else:
            break
        used_any = True
        i += 1
    if not used_any:
        return None
    taken = tokens[start:i]
    if len(taken) == 1 and taken[0] in words.articles:
        return None
    value = Decimal(total + current)
    if tuple(tokens[i : i + len(words.half)]) == words.half:
        return value + Decimal("0.5"), i + len(words.half) - start
    if i + 1 < len(tokens) and tokens[i] == words.point and tokens[i + 1] in words.units:
        digit = words.units[tokens[i + 1]]
        if digit < 10:
            return value + Decimal(digit) / 10, i + 2 - start
    return value, i - start


def _written(value: Decimal, words: NumberWords) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", words.decimal_mark)


def digits_for_numbers(text: str, language: str) -> str:
    """`text` with its spoken numbers written as digits (decimals with the language's mark)."""
    words = WORDS.get(language, NORWEGIAN)
    tokens = text.split()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        lower = tokens[i].lower()
        if lower in words.alone:
            out.append(_written(words.alone[lower], words))
            i += 1
            continue
        found = _read_number(words, [t.lower() for t in tokens], i) if _is_number_word(words, lower) else None
        if found is None:
            out.append(tokens[i])
            i += 1
            continue
        value, taken = found
        out.append(_written(value, words))
        i += taken
    return re.sub(r"\s+", " ", " ".join(out)).strip()
