"""Dates and periods in Norwegian and English, resolved against a given today.

Owns the `date` entity (one day, ISO "YYYY-MM-DD") and the `period` entity (an ISO interval
"YYYY-MM-DD/YYYY-MM-DD", both ends included).

Rules, so that actions and tests can rely on them:

- "i dag", "i går", "i forgårs", "i morgen", "today", "yesterday", "3 dager siden", "2 days ago".
- A weekday alone or with "på"/"on" is the most recent such day, today included; with
  "forrige"/"sist"/"last" it is the most recent such day before today; with "neste"/"next" the
  first one after today; "fredag forrige uke"/"friday last week" is the one in last week.
- A day and month without a year ("3. mars", "3/3", "march 3rd") is the most recent such day
  not in the future; bookkeeping is about what has happened.
- A month, quarter ("3. kvartal", "Q3"), VAT term ("3. termin", two months each) or week
  ("uke 12", ISO weeks) without a year is the most recent one that has begun: "oktober" in
  March 2026 is October 2025.
- "denne uka" is Monday to Sunday; "denne måneden", "i år", "this year" are whole; "hittil i år",
  "so far this year", "year to date" end today; "forrige måned" in January is last December.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS: dict[str, int] = {
    "januar": 1, "january": 1, "jan": 1,
    "februar": 2, "february": 2, "feb": 2, "febr": 2,
    "mars": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}
WEEKDAYS: dict[str, int] = {
    "mandag": 0, "monday": 0, "man": 0, "mon": 0,
    "tirsdag": 1, "tuesday": 1, "tue": 1, "tues": 1,
    "onsdag": 2, "wednesday": 2, "ons": 2, "wed": 2,
    "torsdag": 3, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "tors": 3,
    "fredag": 4, "friday": 4, "fre": 4, "fri": 4,
    "lørdag": 5, "lordag": 5, "saturday": 5, "lør": 5,
    "søndag": 6, "sondag": 6, "sunday": 6, "søn": 6,
}
ORDINALS: dict[str, int] = {
    "første": 1, "forste": 1, "first": 1, "1st": 1,
    "andre": 2, "second": 2, "2nd": 2,
    "tredje": 3, "third": 3, "3rd": 3,
    "fjerde": 4, "fourth": 4, "4th": 4,
    "femte": 5, "fifth": 5, "5th": 5,
    "sjette": 6, "sixth": 6, "6th": 6,
}
NUMBER_WORDS: dict[str, int] = {
    "en": 1, "ett": 1, "one": 1, "a": 1, "to": 2, "two": 2, "tre": 3, "three": 3, "fire": 4,
    "four": 4, "fem": 5, "five": 5, "seks": 6, "six": 6, "sju": 7, "syv": 7, "seven": 7,
    "åtte": 8, "eight": 8, "ni": 9, "nine": 9, "ti": 10, "ten": 10, "fjorten": 14,
    "fourteen": 14, "tretti": 30, "thirty": 30,
}

# Weekday abbreviations that are also common words are only accepted with a qualifier.
_RISKY_WEEKDAYS = {"man", "mon", "ons", "fre", "fri", "wed", "tue", "thu", "tors", "lør", "søn",
                   "tues", "thur", "thurs"}
_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_WORDS = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_ORDINAL_WORDS = "|".join(sorted(ORDINALS, key=len, reverse=True))
_NUMBER_WORDS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_YEAR = r"(?:19|20)\d\d"


@dataclass(frozen=True)
class Found:
    """A date or period found in a text: characters start..end and the ISO value."""

    start: int
    end: int
    value: str
    kind: str  # "date" or "period"


def iso(d: date) -> str:
    return d.isoformat()


def interval(a: date, b: date) -> str:
    return f"{a.isoformat()}/{b.isoformat()}"


def month_period(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def most_recent_month(month: int, today: date) -> int:
    """The year of the most recent `month` that has begun."""
    return today.year if month <= today.month else today.year - 1


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_month(day: int, month: int, year: int | None, today: date) -> date | None:
    """A day and month; without a year the most recent one not in the future."""
    if year is not None:
        if year < 100:
            year += 2000
        return _safe_date(year, month, day)
    d = _safe_date(today.year, month, day)
    if d is None:
        return None
    if d > today:
        return _safe_date(today.year - 1, month, day)
    return d


def _iso_week(year: int, week: int) -> tuple[date, date] | None:
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return monday, monday + timedelta(days=6)


# Each pattern is tried on the lowercased text; the resolver gets the match and today.
_DATE_PATTERNS: list[tuple[re.Pattern[str], str]] = []
_PERIOD_PATTERNS: list[tuple[re.Pattern[str], str]] = []


def _date(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


B = r"(?<![\w])"  # a word start that also works before digits
E = r"(?![\w])"

RELATIVE_DAYS = _date(
    B + r"(?P<word>i\s*forgårs|i\s*forgars|iforgårs|forgårs|i\s*går|igår|i\s*gar|igar|i\s*dag|idag|"
    r"i\s*morgen|imorgen|i\s*overmorgen|overmorgen|today|tdy|yesterday|yday|ystd|tomorrow|tmrw|"
    r"the\s+day\s+before\s+yesterday|day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow)" + E
)
_RELATIVE_OFFSETS = {
    "iforgårs": -2, "forgårs": -2, "iforgars": -2, "igår": -1, "igar": -1, "idag": 0,
    "imorgen": 1, "ioverm": 2, "overmorgen": 2, "ioverm orgen": 2, "today": 0, "tdy": 0,
    "yesterday": -1, "yday": -1, "ystd": -1, "tomorrow": 1, "tmrw": 1,
    "thedaybeforeyesterday": -2, "daybeforeyesterday": -2, "thedayaftertomorrow": 2,
    "iovermorgen": 2,
}
DAYS_AGO = _date(
    B + r"(?:for\s+)?(?P<n>\d{1,3}|" + _NUMBER_WORDS + r")\s+(?P<unit>dager|dag|døgn|days|day|uker|uke|weeks|week)"
    r"\s+(?:siden|ago)" + E
)
WEEKDAY = _date(
    B + r"(?:(?P<qual>forrige|sist|siste|førre|last|previous|past|neste|next|kommende|this|denne|på|pa|on)\s+)?"
    r"(?P<wd>" + _WEEKDAY_WORDS + r")(?:en)?"
    r"(?P<week>\s+(?:i\s+)?(?:forrige\s+uke|forrige\s+uka|sist\s+uke|last\s+week|denne\s+uka|denne\s+uken|this\s+week))?"
    + E
)
# "3. mars", "3 mars", "den 3.mars 2026", "3rd of march", "3 march 2025"
DAY_MONTH = _date(
    B + r"(?:den\s+|the\s+)?(?P<day>\d{1,2})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?(?P<month>" + _MONTH_WORDS + r")\.?"
    r"(?:,?\s+(?P<year>" + _YEAR + r"))?" + E
)
# "march 3rd", "mar 3", "march 3, 2026"
MONTH_DAY = _date(
    B + r"(?P<month>" + _MONTH_WORDS + r")\.?\s+(?:the\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?"
    r"(?:,?\s+(?P<year>" + _YEAR + r"))?" + E + r"(?!\s*(?:timer|t\b|h\b|hours|kr|,-))"
)
# "3/3", "03.03", "3.3.", "3.3.2026", "03.03.26", "3/3-26"
NUMERIC = _date(
    B + r"(?P<day>\d{1,2})(?P<sep>[./])(?P<month>\d{1,2})(?:(?P=sep)(?P<year>\d{4}|\d{2})|\.|-(?P<year2>\d{2}))?"
    + r"(?![\w/]|[.,]\d)"
)
ISO_DATE = _date(B + r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})" + E)
# "den 15.", "the 15th"
DAY_ONLY = _date(B + r"(?:den\s+(?P<d1>\d{1,2})\.|the\s+(?P<d2>\d{1,2})(?:st|nd|rd|th))" + r"(?!\s*\w)")

# Periods
SO_FAR = _date(
    B + r"(?:hittil\s+i\s+år|hittil\s+i\s+ar|hittil\s+i\s+året|så\s+langt\s+i\s+år|sa\s+langt\s+i\s+ar|"
    r"hittil\s+dette\s+året|hittil\s+i\s+aar|year\s+to\s+date|ytd|so\s+far\s+this\s+year|"
    r"this\s+year\s+so\s+far|hittil\s+i\s+år)" + E
)
MONTH_SO_FAR = _date(
    B + r"(?:hittil\s+(?:denne|i\s+denne|i)\s+(?:måneden|måned|mnd|maneden)|month\s+to\s+date|mtd|"
    r"so\s+far\s+this\s+month|this\s+month\s+so\s+far)" + E
)
RELATIVE_PERIOD = _date(
    B + r"(?:(?P<qual>denne|dette|inneværende|innevarende|forrige|sist|siste|førre|neste|this|last|previous|next|"
    r"current|i)\s+)"
    r"(?P<unit>uka|uken|uke|veka|veke|week|måneden|måned|mnd|maneden|maned|månad|month|"
    r"kvartalet|kvartal|quarter|terminen|termin|term|året|år|ar|aret|year|mva-termin|mva-terminen|"
    r"vat\s+period|vat\s+term)" + E
)
LAST_YEAR = _date(B + r"(?:i\s*fjor|ifjor|i\s*fjord|fjoråret|fjorårets)" + E)
LAST_N_DAYS = _date(
    B + r"(?:de\s+|the\s+)?(?:siste|last|past)\s+(?P<n>\d{1,3}|" + _NUMBER_WORDS + r")\s+"
    r"(?P<unit>dagene|dager|days|ukene|uker|weeks|månedene|måneder|months)" + E
)
WEEK_NUMBER = _date(B + r"(?:uke|uka|veke|week|wk|w|u)\.?\s*(?P<week>\d{1,2})(?:\s+(?P<year>" + _YEAR + r"))?" + E)
QUARTER = _date(
    B + r"(?:(?P<n1>[1-4])\.?\s*(?:kvartal|kv|quarter|qtr)|(?P<o1>" + _ORDINAL_WORDS + r")\s+(?:kvartal|quarter)"
    r"|(?:q|k)(?P<n2>[1-4])|(?:kvartal|quarter)\s+(?P<n3>[1-4]))"
    r"(?:\s*(?:i\s+|in\s+|of\s+)?(?P<year>" + _YEAR + r"))?" + E
)
TERM = _date(
    B + r"(?:(?P<n1>[1-6])\.?\s*(?:mva-)?(?:termin|term)|(?P<o1>" + _ORDINAL_WORDS + r")\s+(?:mva-)?(?:termin|term)"
    r"|(?:termin|term)\s+(?P<n3>[1-6]))"
    r"(?:\s*(?:i\s+|in\s+|of\s+)?(?P<year>" + _YEAR + r"))?" + E
)
HALF_YEAR = _date(
    B + r"(?:(?P<n1>[12])\.?\s*halvår|"
    r"(?P<o1>første|forste|andre|first|second)\s+(?:halvår|half(?:\s+of\s+the\s+year)?)|"
    r"h(?P<n2>[12]))(?:\s*(?P<year>" + _YEAR + r"))?" + E
)
MONTH = _date(
    B + r"(?P<month>" + _MONTH_WORDS + r")\.?(?:\s+(?P<year>" + _YEAR + r"))?" + E
)
YEAR = _date(
    B + r"(?P<pre>(?:i|for|in|år|året|regnskapsåret|regnskapsår|year|fiscal\s+year|of|during)\s+)?"
    r"(?P<year>" + _YEAR + r")" + E
    + r"(?!\s*(?:kr|nok|,-|timer|t\b|h\b|hours|kroner))"
)
RANGE_JOIN = re.compile(r"^\s*(?:til|to|until|till|-|–|—|/|og|and|through)\s*$", re.IGNORECASE)
RANGE_START = re.compile(r"(?:fra|from|between|mellom|fom|f\.o\.m\.)\s*$", re.IGNORECASE)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word.lower()]


def _weekday_date(match: re.Match[str], today: date) -> date | None:
    wd_word = match.group("wd").lower()
    qual = (match.group("qual") or "").lower()
    week = re.sub(r"\s+", " ", (match.group("week") or "").strip().lower())
    if wd_word in _RISKY_WEEKDAYS and not qual and not week:
        return None
    wd = WEEKDAYS[wd_word]
    if week:
        this_monday = today - timedelta(days=today.weekday())
        if "forrige" in week or "sist" in week or "last" in week:
            return this_monday - timedelta(days=7) + timedelta(days=wd)
        return this_monday + timedelta(days=wd)
    if qual in {"forrige", "sist", "siste", "førre", "last", "previous", "past"}:
        back = (today.weekday() - wd) % 7 or 7
        return today - timedelta(days=back)
    if qual in {"neste", "next", "kommende"}:
        ahead = (wd - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    if qual in {"this", "denne"}:
        return today - timedelta(days=today.weekday()) + timedelta(days=wd)
    back = (today.weekday() - wd) % 7
    return today - timedelta(days=back)


def find_dates(text: str, today: date) -> list[Found]:
    """Finds single days, left to right, longest first on overlaps."""
    found: list[Found] = []
    for m in RELATIVE_DAYS.finditer(text):
        key = re.sub(r"\s+", "", m.group("word").lower())
        offset = _RELATIVE_OFFSETS.get(key)
        if offset is None:
            continue
        found.append(Found(m.start(), m.end(), iso(today + timedelta(days=offset)), "date"))
    for m in DAYS_AGO.finditer(text):
        n = _number(m.group("n"))
        days = n * 7 if m.group("unit").lower().startswith(("uke", "week")) else n
        found.append(Found(m.start(), m.end(), iso(today - timedelta(days=days)), "date"))
    for m in WEEKDAY.finditer(text):
        d = _weekday_date(m, today)
        if d is not None:
            start = m.start()
            if (m.group("qual") or "").lower() in {"på", "pa", "on"}:
                start = m.start("wd")
            found.append(Found(start, m.end(), iso(d), "date"))
    for pattern in (DAY_MONTH, MONTH_DAY):
        for m in pattern.finditer(text):
            year = int(m.group("year")) if m.group("year") else None
            d = _day_month(int(m.group("day")), MONTHS[m.group("month").lower()], year, today)
            if d is not None:
                article = pattern is DAY_MONTH and re.match(r"(?:den|the)\s", m.group(0), re.I)
                start = m.start("day") if article else m.start()
                found.append(Found(start, m.end(), iso(d), "date"))
    for m in NUMERIC.finditer(text):
        y = m.group("year") or m.group("year2")
        day, month = int(m.group("day")), int(m.group("month"))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        d = _day_month(day, month, int(y) if y else None, today)
        if d is not None:
            found.append(Found(m.start(), m.end(), iso(d), "date"))
    for m in ISO_DATE.finditer(text):
        d = _safe_date(int(m.group("year")), int(m.group("month")), int(m.group("day")))
        if d is not None:
            found.append(Found(m.start(), m.end(), iso(d), "date"))
    for m in DAY_ONLY.finditer(text):
        day = int(m.group("d1") or m.group("d2"))
        d = _safe_date(today.year, today.month, day)
        if d is not None and d > today:
            y, mo = _shift_month(today.year, today.month, -1)
            d = _safe_date(y, mo, day)
        if d is not None:
            found.append(Found(m.start(), m.end(), iso(d), "date"))
    return found


def _relative_period(qual: str, unit: str, today: date) -> tuple[date, date] | None:
    qual = qual.lower()
    unit = re.sub(r"\s+", " ", unit.lower())
    step = 0
    if qual in {"forrige", "sist", "siste", "førre", "last", "previous"}:
        step = -1
    elif qual in {"neste", "next"}:
        step = 1
    elif qual == "i" and unit not in {"år", "ar", "året", "aret", "måned", "uke", "kvartal", "termin"}:
        return None
    if unit in {"uka", "uken", "uke", "veka", "veke", "week"}:
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7 * step)
        return monday, monday + timedelta(days=6)
    if unit in {"måneden", "måned", "mnd", "maneden", "maned", "månad", "month"}:
        y, m = _shift_month(today.year, today.month, step)
        return month_period(y, m)
    if unit in {"kvartalet", "kvartal", "quarter"}:
        q = (today.month - 1) // 3
        y, m = _shift_month(today.year, q * 3 + 1, 3 * step)
        return date(y, m, 1), month_period(*_shift_month(y, m, 2))[1]
    if unit in {"terminen", "termin", "term", "mva-termin", "mva-terminen", "vat period", "vat term"}:
        t = (today.month - 1) // 2
        y, m = _shift_month(today.year, t * 2 + 1, 2 * step)
        return date(y, m, 1), month_period(*_shift_month(y, m, 1))[1]
    if unit in {"året", "år", "ar", "aret", "year"}:
        return date(today.year + step, 1, 1), date(today.year + step, 12, 31)
    return None


def _most_recent_started(year: int | None, start_month: int, today: date) -> int:
    if year is not None:
        return year
    return today.year if start_month <= today.month else today.year - 1


def find_periods(text: str, today: date) -> list[Found]:
    """Finds spans of days, left to right."""
    found: list[Found] = []
    for m in SO_FAR.finditer(text):
        found.append(Found(m.start(), m.end(), interval(date(today.year, 1, 1), today), "period"))
    for m in MONTH_SO_FAR.finditer(text):
        found.append(Found(m.start(), m.end(), interval(today.replace(day=1), today), "period"))
    for m in RELATIVE_PERIOD.finditer(text):
        p = _relative_period(m.group("qual") or "", m.group("unit"), today)
        if p is not None:
            found.append(Found(m.start(), m.end(), interval(*p), "period"))
    for m in LAST_YEAR.finditer(text):
        last_year = interval(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
        found.append(Found(m.start(), m.end(), last_year, "period"))
    for m in LAST_N_DAYS.finditer(text):
        n = _number(m.group("n"))
        unit = m.group("unit").lower()
        if unit.startswith(("uke", "week")):
            n *= 7
        elif unit.startswith(("måned", "month")):
            y, mo = _shift_month(today.year, today.month, -n)
            since = date(y, mo, min(today.day, calendar.monthrange(y, mo)[1]))
            found.append(Found(m.start(), m.end(), interval(since + timedelta(days=1), today), "period"))
            continue
        found.append(Found(m.start(), m.end(), interval(today - timedelta(days=n - 1), today), "period"))
    for m in WEEK_NUMBER.finditer(text):
        week = int(m.group("week"))
        year = int(m.group("year")) if m.group("year") else None
        if year is None:
            span = _iso_week(today.isocalendar()[0], week)
            if span is not None and span[0] > today:
                span = _iso_week(today.isocalendar()[0] - 1, week)
        else:
            span = _iso_week(year, week)
        if span is not None:
            found.append(Found(m.start(), m.end(), interval(*span), "period"))
    for m in QUARTER.finditer(text):
        n = int(m.group("n1") or m.group("n2") or m.group("n3") or ORDINALS.get((m.group("o1") or "").lower(), 0))
        if not 1 <= n <= 4:
            continue
        first = 3 * (n - 1) + 1
        y = _most_recent_started(int(m.group("year")) if m.group("year") else None, first, today)
        found.append(Found(m.start(), m.end(), interval(date(y, first, 1), month_period(y, first + 2)[1]), "period"))
    for m in TERM.finditer(text):
        n = int(m.group("n1") or m.group("n3") or ORDINALS.get((m.group("o1") or "").lower(), 0))
        if not 1 <= n <= 6:
            continue
        first = 2 * (n - 1) + 1
        y = _most_recent_started(int(m.group("year")) if m.group("year") else None, first, today)
        found.append(Found(m.start(), m.end(), interval(date(y, first, 1), month_period(y, first + 1)[1]), "period"))
    for m in HALF_YEAR.finditer(text):
        word = (m.group("o1") or "").lower()
        n = int(m.group("n1") or m.group("n2") or (1 if word in {"første", "forste", "first"} else 2))
        first = 1 if n == 1 else 7
        y = _most_recent_started(int(m.group("year")) if m.group("year") else None, first, today)
        found.append(Found(m.start(), m.end(), interval(date(y, first, 1), month_period(y, first + 5)[1]), "period"))
    for m in MONTH.finditer(text):
        word = m.group("month").lower()
        # Month words that are also other words need help: "may" (a verb), "jan" (a name),
        # "jul" (Christmas), "mar", "des".
        if word in {"may", "mar", "jan", "des", "jul"} and not m.group("year"):
            before = text[: m.start()].lower()
            if word == "jul":
                continue
            if word == "may" and not re.search(r"\b(?:in|for|of|during|since)\s+$", before):
                continue
            if word in {"mar", "des", "jan"} and not re.search(r"\b(?:i|in|for|of)\s+$", before):
                continue
        month = MONTHS[word]
        y = _most_recent_started(int(m.group("year")) if m.group("year") else None, month, today)
        found.append(Found(m.start(), m.end(), interval(*month_period(y, month)), "period"))
    for m in YEAR.finditer(text):
        y = int(m.group("year"))
        if y > today.year + 1:
            continue
        preposition = (m.group("pre") or "").strip().lower() in {"i", "for", "in", "of", "during"}
        start = m.start("year") if preposition else m.start()
        found.append(Found(start, m.end(), interval(date(y, 1, 1), date(y, 12, 31)), "period"))
    return found


def find_dates_and_periods(text: str, today: date) -> list[Found]:
    """Dates and periods without overlaps; "fra 1. mars til 15. mars" becomes one period."""
    candidates = find_dates(text, today) + find_periods(text, today)
    kept: list[Found] = []
    for f in sorted(candidates, key=lambda f: (-(f.end - f.start), f.start, f.kind != "date")):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    kept.sort(key=lambda f: f.start)
    return _join_ranges(text, kept)


def _join_ranges(text: str, found: list[Found]) -> list[Found]:
    out: list[Found] = []
    i = 0
    while i < len(found):
        f = found[i]
        if i + 1 < len(found):
            g = found[i + 1]
            if RANGE_JOIN.match(text[f.end:g.start]):
                a = f.value.split("/")[0]
                b = g.value.split("/")[-1]
                if a <= b:
                    start = f.start
                    pre = RANGE_START.search(text[: f.start])
                    if pre:
                        start = pre.start()
                    out.append(Found(start, g.end, f"{a}/{b}", "period"))
                    i += 2
                    continue
        out.append(f)
        i += 1
    return out
