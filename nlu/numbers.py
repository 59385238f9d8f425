"""Numbers as people type them in Norwegian and English chat: digits and words.

Owns turning "1 234,50", "1.234", "7,5", "10k", "to og en halv", "2 og en kvart", "halvannen",
"fem hundre", "twenty-five", "two and a half" or "-3" / "minus 3" into a `Decimal`, and finding
such phrases in a text with their character spans (a minus sign or word in front is part of
the number: a negative quantity must reach the action as negative, to be refused there).
Units (timer, kr, per time) are the business of `durations`, `money` and `dates`; this module
knows none of them.

No Rasa import: these functions are tested on their own and used by `nlu.components`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

#: Number words of both languages, lowercased. "en"/"ett"/"ei"/"one"/"a"/"an" are also
#: articles, so callers only accept word numbers that are followed by a unit.
UNITS: dict[str, int] = {
    "null": 0, "zero": 0,
    "en": 1, "ett": 1, "ei": 1, "én": 1, "one": 1, "a": 1, "an": 1, "ein": 1, "eitt": 1,
    "to": 2, "two": 2,
    "tre": 3, "three": 3,
    "fire": 4, "four": 4,
    "fem": 5, "five": 5,
    "seks": 6, "six": 6,
    "sju": 7, "syv": 7, "seven": 7, "sjau": 7,
    "åtte": 8, "atte": 8, "eight": 8,
    "ni": 9, "nine": 9,
    "ti": 10, "ten": 10,
    "elleve": 11, "eleven": 11,
    "tolv": 12, "twelve": 12,
    "tretten": 13, "thirteen": 13,
    "fjorten": 14, "fourteen": 14,
    "femten": 15, "fifteen": 15,
    "seksten": 16, "sixteen": 16,
    "sytten": 17, "seventeen": 17,
    "atten": 18, "eighteen": 18,
    "nitten": 19, "nineteen": 19,
}
TENS: dict[str, int] = {
    "tjue": 20, "tyve": 20, "twenty": 20, "tjuge": 20,
    "tretti": 30, "tredve": 30, "thirty": 30,
    "førti": 40, "forti": 40, "forty": 40, "fourty": 40,
    "femti": 50, "fifty": 50,
    "seksti": 60, "sixty": 60,
    "sytti": 70, "seventy": 70,
    "åtti": 80, "atti": 80, "eighty": 80,
    "nitti": 90, "ninety": 90,
}
SCALES: dict[str, int] = {
    "hundre": 100, "hundred": 100,
    "tusen": 1000, "thousand": 1000,
    "million": 1_000_000, "millioner": 1_000_000, "millions": 1_000_000, "mill": 1_000_000,
    "mln": 1_000_000, "mio": 1_000_000,
    "milliard": 1_000_000_000, "milliarder": 1_000_000_000, "billion": 1_000_000_000,
    "mrd": 1_000_000_000,
}
#: Words that mean a fraction on their own ("halvannen" is Norwegian for one and a half).
FRACTION_WORDS: dict[str, Decimal] = {
    "halvannen": Decimal("1.5"),
    "halvanna": Decimal("1.5"),
    "halvannan": Decimal("1.5"),  # nynorsk
}
CONNECTORS = {"og", "and", "-"}

_ARTICLES = {"a", "an"}

#: What "og"/"and" may add to a whole number: "to og en halv" is 2.5, "2 og en kvart" 2.25,
#: "3 og et halvt (kvarter)" 3.5, "two and three quarters" 2.75.
FRACTIONS_AFTER_AND: dict[tuple[str, ...], Decimal] = {
    ("en", "halv"): Decimal("0.5"), ("ei", "halv"): Decimal("0.5"), ("ein", "halv"): Decimal("0.5"),
    ("et", "halvt"): Decimal("0.5"), ("ett", "halvt"): Decimal("0.5"),
    ("a", "half"): Decimal("0.5"), ("one", "half"): Decimal("0.5"),
    ("en", "kvart"): Decimal("0.25"), ("ei", "kvart"): Decimal("0.25"), ("ein", "kvart"): Decimal("0.25"),
    ("a", "quarter"): Decimal("0.25"), ("one", "quarter"): Decimal("0.25"),
    ("tre", "kvart"): Decimal("0.75"), ("three", "quarters"): Decimal("0.75"),
    ("three", "quarter"): Decimal("0.75"),
}
_FRACTION_AFTER_DIGITS = re.compile(
    r"\s+(?:og|and|&)\s+(?P<fraction>"
    + "|".join(r"\s+".join(words) for words in sorted(FRACTIONS_AFTER_AND, key=lambda w: -len(" ".join(w))))
    + r")\b",
    re.IGNORECASE,
)
#: The fraction signs phone keyboards offer: "4½ timer", "½ time".
FRACTION_SIGNS: dict[str, Decimal] = {"½": Decimal("0.5"), "¼": Decimal("0.25"), "¾": Decimal("0.75")}
_FRACTION_SIGN = re.compile(r"(?<![\d½¼¾])[½¼¾]")
# A minus in front of a number: "-3 timer", "−450 kr", "minus 3 timer". Not after a digit or a
# letter ("10-12", "2026-03-18", "t-bane"), and glued to the number (a "- " is a dash).
_MINUS_BEFORE = re.compile(r"(?:(?<![\w.,])[-−–]|\b(?:minus|negative|negativ|negativt)\s+)$", re.IGNORECASE)

# A digit number: "1234", "1 234", "1.234", "1,234", "1 234,50", "7,5", "7.5", "1.234,-".
# Grouping separators are only accepted before exactly three digits.
DIGITS_RE = re.compile(
    r"(?<![\d.,_])(?:(?<![a-zæøåé])|(?<=\d[th]))"  # "1h30m": minutes glued to the hours
    r"(?P<num>\d{1,3}(?:(?:[ \u00a0.,'])\d{3})+(?![\d])(?:[.,]\d{1,2}(?!\d))?|\d+(?:[.,]\d+)?)"
    r"(?P<suffix>k\b|mill\b|mln\b)?",
    re.IGNORECASE,
)

_WORD_RE = re.compile(r"[a-zæøåé]+(?:-[a-zæøåé]+)*", re.IGNORECASE)


def parse_digits(text: str) -> Decimal:
    """Reads a number written with digits, with Norwegian or English separators.

    A separator followed by exactly three digits (and another separator or the end) groups
    thousands: "1.234" and "1,234" are 1234, "10 023" is 10023. A separator followed by one,
    two or more than three digits is the decimal mark: "7,5" and "7.5" are 7.5.
    """
    s = text.strip().replace("\u00a0", " ").replace("'", " ")
    s = re.sub(r"[.,]-$", "", s)  # "450,-"
    # The last separator decides: two decimals or fewer after it means a decimal mark.
    m = re.fullmatch(r"(?P<int>\d{1,3}(?:[ .,]\d{3})*|\d+)(?:(?P<sep>[.,])(?P<frac>\d+))?", s)
    if not m:
        raise ValueError(f"not a number: {text!r}")
    int_part = re.sub(r"[ .,]", "", m.group("int"))
    frac = m.group("frac")
    if frac is None:
        return Decimal(int_part)
    if len(frac) == 3 and m.group("int").isdigit() and len(m.group("int")) <= 3:
        # "1.234" / "1,234": a thousands group, not a decimal (money and hours never carry
        # three decimals in chat).
        return Decimal(int_part + frac)
    return Decimal(f"{int_part}.{frac}")


@dataclass(frozen=True)
class NumberSpan:
    """A number found in a text.

    Attributes:
        start: index of the first character.
        end: index after the last character.
        value: the number.
        words: True when written with words ("fem", "to og en halv"); such numbers are only
            trusted by callers when a unit follows.
        decimal_value: the other reading of one separator before three digits, as a decimal
            mark: "1,234" is 1234 as money but 1.234 before "timer". None when the number
            has no such second reading.
    """

    start: int
    end: int
    value: Decimal
    words: bool
    decimal_value: Decimal | None = None


def _word_value(word: str) -> tuple[str, int | Decimal] | None:
    """Classifies one word: ("unit"|"tens"|"scale"|"fraction", value), or None."""
    w = word.lower()
    if w in UNITS:
        return ("unit", UNITS[w])
    if w in TENS:
        return ("tens", TENS[w])
    if w in SCALES:
        return ("scale", SCALES[w])
    if w in FRACTION_WORDS:
        return ("fraction", FRACTION_WORDS[w])
    compound = _compound_value(w)
    if compound is not None:
        return ("tens", compound)
    return None


def _compound_value(word: str) -> int | None:
    """Reads glued Norwegian and hyphenated English compounds: "tjuefem", "twenty-five",
    "femhundre", "totusen"."""
    w = word.replace("-", "")
    for scale_word, scale in (("hundre", 100), ("tusen", 1000), ("hundred", 100),
                              ("thousand", 1000)):
        if w.endswith(scale_word) and len(w) > len(scale_word):
            head = _compound_value(w[: -len(scale_word)]) or UNITS.get(w[: -len(scale_word)])
            if head:
                return head * scale
    for tens_word, tens in TENS.items():
        if w.startswith(tens_word) and len(w) > len(tens_word):
            rest = w[len(tens_word):]
            if rest in UNITS and 0 < UNITS[rest] < 10 and rest not in _ARTICLES:
                return tens + UNITS[rest]
    # Norwegian old style: "femogtjue" = 25
    m = re.fullmatch(r"([a-zæøå]+)og([a-zæøå]+)", w)
    if m and m.group(1) in UNITS and m.group(2) in TENS and 0 < UNITS[m.group(1)] < 10:
        return TENS[m.group(2)] + UNITS[m.group(1)]
    return None


def words_to_number(words: list[str]) -> Decimal | None:
    """Reads a whole list of number words: ["to", "tusen", "fem", "hundre"] → 2500,
    ["to", "og", "en", "halv"] → 2.5, ["halvannen"] → 1.5, ["en", "halv"] → 0.5,
    ["two", "and", "a", "half"] → 2.5, ["half", "an"] → 0.5. None when they are not a number.
    """
    value, used = _read_words(words)
    if used != len(words):
        return None
    return value


def _read_words(words: list[str]) -> tuple[Decimal | None, int]:
    """Reads the longest number-word prefix of `words`; returns (value, words used)."""
    lw = [w.lower() for w in words]
    # "half a(n) ...", "en halv", "ei halv", "a half"
    if len(lw) >= 2 and lw[0] == "half" and lw[1] in _ARTICLES:
        return Decimal("0.5"), 2
    if len(lw) >= 2 and lw[0] in {"en", "ei", "ein", "ett", "a", "an", "one"} and lw[1] in {"halv", "half"}:
        return Decimal("0.5"), 2
    if len(lw) >= 2 and lw[0] in {"et", "ett"} and lw[1] == "halvt":
        return Decimal("0.5"), 2  # "et halvt kvarter"
    if len(lw) >= 2 and lw[0] in {"en", "ei", "ein"} and lw[1] == "kvart":
        return Decimal("0.25"), 2  # "en kvart time"
    if lw and lw[0] in {"halv", "half"}:
        return Decimal("0.5"), 1
    if len(lw) >= 2 and lw[0] in {"tre", "three"} and lw[1] in {"kvart", "kvarter", "quarters"}:
        return Decimal("0.75"), 2
    if len(lw) >= 2 and lw[0] in {"et", "ett", "a", "one"} and lw[1] in {"kvarter", "quarter"}:
        return Decimal("0.25"), 2

    total = 0
    current = 0
    used = 0
    seen_any = False
    i = 0
    while i < len(lw):
        kind = _word_value(lw[i])
        if kind is None:
            if lw[i] in CONNECTORS and seen_any and i + 1 < len(lw):
                # "hundre og femti", "to og en halv", "two and a half"
                nxt = lw[i + 1:]
                fraction = FRACTIONS_AFTER_AND.get(tuple(nxt[:2]))
                if fraction is not None and lw[i] != "-":
                    return Decimal(total + current) + fraction, i + 3
                if _word_value(nxt[0]) is not None and nxt[0] not in _ARTICLES | {"en", "ei", "ein", "ett"}:
                    i += 1
                    continue
                if nxt[0] in {"en", "ei", "ein", "ett"} and len(nxt) > 1 and nxt[1] not in {"halv"}:
                    break
            break
        k, v = kind
        if k == "fraction":
            if seen_any:
                break
            return Decimal(v), i + 1
        if k == "unit":
            following = _word_value(lw[i + 1]) if i + 1 < len(lw) else None
            if lw[i] in _ARTICLES and (following is None or following[0] != "scale"):
                # "a" / "an" only as "a hundred", "a thousand"; otherwise an article.
                if lw[i + 1:i + 2] == ["half"]:
                    return Decimal("0.5"), i + 2
                break
            if seen_any and current % 10 != 0 and current % 100 < 20 and current != 0:
                break  # "fem to" is two numbers
            current += int(v)
        elif k == "tens":
            if seen_any and current % 100 != 0:
                break
            current += int(v)
        else:  # scale
            scale = int(v)
            if current == 0:
                current = 1
            if scale == 100:
                current *= 100
            else:
                total += current * scale
                current = 0
        seen_any = True
        i += 1
        used = i
    if not seen_any:
        return None, 0
    return Decimal(total + current), used


def find_numbers(text: str) -> list[NumberSpan]:
    """Finds numbers written with digits or words, left to right, without overlaps.

    "1 234,50" is one number; "10k" is 10000; "2,5 mill" is 2500000 (digit plus scale word);
    "to og en halv" is 2.5.
    """
    found: list[NumberSpan] = []
    for m in DIGITS_RE.finditer(text):
        try:
            value = parse_digits(m.group("num"))
        except ValueError:
            continue
        end = m.end("num")
        suffix = (m.group("suffix") or "").lower()
        fraction = _FRACTION_AFTER_DIGITS.match(text, end) if not suffix and value == int(value) \
            and re.fullmatch(r"\d+", m.group("num")) else None
        if fraction is not None:
            # "2 og en halv (time)", "2 and a half (hours)": one number, 2.5
            value += FRACTIONS_AFTER_AND[tuple(fraction.group("fraction").lower().split())]
            end = fraction.end()
        elif not suffix and re.fullmatch(r"\d+", m.group("num")) and (sign := re.match(r" ?([½¼¾])", text[end:])):
            value += FRACTION_SIGNS[sign.group(1)]  # "4½", "1 ½"
            end += sign.end()
        if suffix == "k":
            value *= 1000
            end = m.end()
        elif suffix in {"mill", "mln"}:
            value *= 1_000_000
            end = m.end()
        else:
            # "2 millioner", "1,5 mill", "3 tusen"
            after = re.match(r"\s*(millioner|million|millions|mill|mln|mio|milliarder|milliard|"
                             r"billion|mrd|tusen|thousand)\b", text[end:], re.IGNORECASE)
            if after:
                value *= SCALES[after.group(1).lower()]
                end += after.end()
        found.append(NumberSpan(m.start("num"), end, value, words=False,
                                decimal_value=_decimal_reading(m.group("num")) if end == m.end("num") else None))

    for sign in _FRACTION_SIGN.finditer(text):
        found.append(NumberSpan(sign.start(), sign.end(), FRACTION_SIGNS[sign.group(0)], words=False))

    words = list(_WORD_RE.finditer(text))
    i = 0
    while i < len(words):
        if any(n.start <= words[i].start() < n.end for n in found):
            i += 1
            continue
        # Gather a run of words separated only by spaces (or hyphens).
        run = [words[i]]
        j = i + 1
        while j < len(words) and re.fullmatch(r"[ \t]+", text[run[-1].end():words[j].start()]):
            run.append(words[j])
            j += 1
        read, used = _read_words([w.group(0) for w in run])
        if read is not None and used > 0:
            # Trailing connector words ("og") are never the end of a number.
            while used > 0 and run[used - 1].group(0).lower() in CONNECTORS:
                used -= 1
            if used > 0:
                found.append(NumberSpan(run[0].start(), run[used - 1].end(), read, words=True))
                i += used
                continue
        i += 1
    found.sort(key=lambda n: n.start)
    return [_signed(text, n) for n in found]


def _decimal_reading(written: str) -> Decimal | None:
    """"1,234" and "1.234" read with a decimal mark: 1.234 (None for any other number)."""
    if re.fullmatch(r"\d{1,3}[.,]\d{3}", written):
        return Decimal(written.replace(",", "."))
    return None


def _signed(text: str, n: NumberSpan) -> NumberSpan:
    """The number with the minus sign or word in front of it, if there is one: "-3" and
    "minus 3" are -3, so that whoever uses the number can refuse it rather than post 3."""
    minus = _MINUS_BEFORE.search(text, 0, n.start)
    if minus is None:
        return n
    decimal_value = -n.decimal_value if n.decimal_value is not None else None
    return NumberSpan(minus.start(), n.end, -n.value, n.words, decimal_value)


def format_decimal(value: Decimal) -> str:
    """Writes money as the contract wants: a dot, no grouping, no decimals when whole,
    otherwise two: 1234 → "1234", 1234.5 → "1234.50"."""
    if value == value.to_integral_value():
        return str(int(value))
    return str(value.quantize(Decimal("0.01")))
