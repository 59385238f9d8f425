"""What a receipt says: its fields read from its text, and the expense it proposes.

A receipt's text (from OCR of a photo or a PDF, see `channels.receipts`) becomes a
`ReceiptReading`: the vendor, its organisation number, the date, the total, the VAT per rate
and how it was paid, each with a confidence from 0 to 1, or None when the text does not say.
Norwegian and English receipts are read alike: "Å betale", "Totalt", "Sum", "Total", "Amount
due"; "MVA 25 %", "mva-grunnlag", "VAT 15%"; amounts as "1 234,50", "kr 1.234,50" or
"1,234.50"; dates as 03.11.2026, 3/11/26 or 2026-11-03 (day before month, as in Norway and
Britain); "BankAxept", "Visa", "Kontant"; "Org.nr 912 345 678 MVA" (checked with MOD11).

The reading is pure text work and knows nothing of images. `propose_receipt_expense` turns a
reading into the expense it would post, through the company's expense categories
(`ledger.expenses`); when it cannot tell the category it says so, and the assistant asks.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Generic, Literal, TypeVar

from sqlalchemy.orm import Session
from stdnum.no import orgnr as orgnr_number

from ledger.errors import UnknownExpenseCategory
from ledger.expenses import ExpensePlan, ExpenseRule, find_category, plan_expense
from ledger.money import CENT, Money, round_money
from ledger.vendor_rules import rule_for

T = TypeVar("T")

PaymentMethod = Literal["bankaxept", "visa", "mastercard", "amex", "vipps", "card", "cash", "invoice"]

KNOWN_RATES = (Decimal(25), Decimal(15), Decimal(12), Decimal(11), Decimal(6), Decimal(0))
"""VAT rates a Norwegian receipt can show (11.11 % raw fish and 6 % of earlier years aside)."""


@dataclass(frozen=True)
class Found(Generic[T]):
    """A field read from a receipt.

    Attributes:
      value: what was read.
      confidence: how sure the reading is, 0 to 1: high when the text labels the field and
        other fields agree with it (the VAT lines add up to the total, the organisation number
        passes its check digit), low when it is a best guess (the largest amount on the page).
      line: the line of text it came from.
    """

    value: T
    confidence: float
    line: str = ""


@dataclass(frozen=True)
class VatLine:
    """The VAT of one rate on a receipt.

    Attributes:
      rate: the rate in percent (25, 15, 12, 0).
      vat: the VAT amount, when the receipt shows it.
      base: the amount before VAT (mva-grunnlag), when the receipt shows it.
      confidence: 0 to 1; high when base × rate gives the VAT shown.
    """

    rate: Decimal
    vat: Money | None
    base: Money | None
    confidence: float

    @property
    def gross(self) -> Money | None:
        if self.vat is not None and self.base is not None:
            return self.vat + self.base
        return None


@dataclass(frozen=True)
class ReceiptReading:
    """What a receipt's text says.

    Attributes:
      vendor: the shop's name (the first line that names it).
      orgnr: the vendor's organisation number, 9 digits.
      date: the purchase date.
      total: the amount paid, VAT included.
      vat: the VAT per rate, by rate (largest first); empty when no VAT is shown.
      payment: how it was paid: "bankaxept", "visa", "mastercard", "amex", "vipps", "card"
        (a card not named), "cash" or "invoice".
      text: the text it was read from.
    """

    vendor: Found[str] | None
    orgnr: Found[str] | None
    date: Found[dt.date] | None
    total: Found[Money] | None
    vat: tuple[VatLine, ...] = ()
    payment: Found[PaymentMethod] | None = None
    text: str = field(default="", repr=False)

    @property
    def vat_total(self) -> Money | None:
        """The VAT of every rate shown, added up; None when no VAT amount was read."""
        amounts = [line.vat for line in self.vat if line.vat is not None]
        return sum(amounts, Decimal("0.00")) if amounts else None


# --------------------------------------------------------------------------------------------
# Words and numbers


def fold(text: str) -> str:
    """Lower case without accents, æ/ø/å as ae/o/a, for matching words OCR may misread
    ("Å betale" is often read "A betale")."""
    text = text.casefold().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# An amount: thousands grouped by space, dot or comma, two decimals after a comma or a dot
# ("1 234,50", "1.234,50", "1,234.50", "234.50"), or whole kroner marked ",-".
_AMOUNT = re.compile(
    r"(?<![\d.,])(-?\d{1,3}(?:[ \u00a0.,]\d{3})+[.,] ?\d{2}|-?\d+[.,] ?\d{2}|-?\d+(?=,-))(?![\d%])"
)
_PERCENT = re.compile(r"(\d{1,2})(?:[.,](\d{1,2}))?\s*%")
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)"), "dmy"),
    (re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./](\d{2})(?![\d.,])"), "dmy"),
)
# OCR reads a date's second slash as "1", "l" or "|" ("7/7127 14:00"); believed only when a
# time of day follows, as on a till slip's date line.
_MISREAD_DATE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})[1l|I](\d{2})\s+\d{1,2}[:.]\d{2}(?!\d)")
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "mai": 5, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "okt": 10, "oct": 10, "nov": 11, "des": 12, "dec": 12,
}  # fmt: skip
_NAMED_DATE = re.compile(r"(?<!\d)(\d{1,2})\.?\s+([a-z]{3})[a-z]*\.?\s+(\d{4})(?!\d)")
_ORGNR = re.compile(r"(?:org\.?\s*(?:nr|nummer|no)\.?|organisasjonsnummer|foretaksregisteret|mva\s*nr)\W*(?:no\s*)?"
                    r"(\d{3}\s?\d{3}\s?\d{3})", re.IGNORECASE)
_BARE_ORGNR = re.compile(r"(?<!\d)(?:no\s*)?(\d{3}\s?\d{3}\s?\d{3})\s*mva\b", re.IGNORECASE)


def parse_amount(text: str) -> Money | None:
    """ "1 234,50" → 1234.50, "1.234,50" → 1234.50, "1,234.50" → 1234.50, "99,-" → 99.00;
    None when it is not an amount."""
    raw = text.strip().replace("\u00a0", " ")
    negative = raw.startswith("-")
    digits = raw.lstrip("-").strip()
    if re.fullmatch(r"\d+", digits):
        whole, decimals = digits, "00"
    else:
        match = re.fullmatch(r"(\d{1,3}(?:[ .,]\d{3})*|\d+)[.,] ?(\d{2})", digits)
        if match is None:
            return None
        whole, decimals = re.sub(r"[ .,]", "", match.group(1)), match.group(2)
    try:
        value = Decimal(f"{whole}.{decimals}")
    except InvalidOperation:
        return None
    return -value if negative else value


def amounts_in(line: str) -> list[Money]:
    """The amounts written on a line, left to right (percentages and dates left out)."""
    cleaned = _PERCENT.sub(" ", line)
    for pattern, _ in _DATE_PATTERNS:
        cleaned = pattern.sub(" ", cleaned)
    found = []
    for match in _AMOUNT.finditer(cleaned):
        value = parse_amount(match.group(1))
        if value is not None:
            found.append(value)
    return found


def _valid_date(year: int, month: int, day: int) -> dt.date | None:
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def dates_in(line: str) -> list[dt.date]:
    """The dates written on a line: 03.11.2026, 3/11/26, 2026-11-03, 3. nov 2026."""
    found = []
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(line):
            a, b, c = (int(g) for g in match.groups())
            day = _valid_date(a, b, c) if order == "ymd" else _valid_date(c, b, a)
            if day is not None:
                found.append(day)
    for match in _NAMED_DATE.finditer(fold(line)):
        month = _MONTHS.get(match.group(2))
        if month is not None:
            day = _valid_date(int(match.group(3)), month, int(match.group(1)))
            if day is not None:
                found.append(day)
    return found


def _rate_in(line: str) -> Decimal | None:
    match = _PERCENT.search(line)
    if match is None:
        return None
    rate = Decimal(f"{match.group(1)}.{match.group(2) or '0'}").normalize()
    return rate if rate in KNOWN_RATES or rate == Decimal("11.11") else None


# --------------------------------------------------------------------------------------------
# The fields

# Labels of the amount paid, strongest first; a line that is a sub-sum or a VAT line is not it.
_TOTAL_LABELS: tuple[tuple[str, float], ...] = (
    (r"\ba\s*betale\b", 0.95),
    (r"\btil\s*betaling\b", 0.95),
    (r"\bamount\s*due\b", 0.95),
    (r"\bgrand\s*total\b", 0.95),
    (r"\btotalt?\b", 0.9),
    (r"\btotal\s*(?:nok|kr)\b", 0.9),
    (r"\bsum\s*(?:nok|kr|totalt?)?\b", 0.85),
    (r"\bbelop\b", 0.6),
    (r"\bbalance\s*due\b", 0.9),
)
_NOT_TOTAL = re.compile(
    r"sub\s*-?total|delsum|mellomsum|eks\.?\s*mva|ekskl|excl|grunnlag|\bnetto\b|\bnet\b|"
    r"\bmva\b|\bvat\b|\bmoms\b|\btax\b|antall|rabatt|discount|tips|veksel|change|tilbake|"
    r"spart|saved|poeng|points|\bbonus\b"
)
_PAYMENT_WORDS: tuple[tuple[str, PaymentMethod], ...] = (
    (r"bank\s*ax+ept|\bbax\b", "bankaxept"),
    (r"\bvisa\b", "visa"),
    (r"master\s*card|\bmaestro\b", "mastercard"),
    (r"american\s*express|\bamex\b", "amex"),
    (r"\bvipps\b", "vipps"),
    (r"\bkontant|\bcash\b", "cash"),
    (r"\bfaktura\b|\binvoice\b", "invoice"),
    (r"\bbetalingskort|\bkort\b|\bcard\b|\bdebit\b|\bkredit", "card"),
)
_VAT_WORDS = re.compile(r"\bmva\b|\bm\.?v\.?a\b|\bvat\b|\bmoms\b|\btax\b|grunnlag|merverdiavgift")
_ADDRESS_OR_NOISE = re.compile(
    r"(?:^|,)\s*\d{4}\s+[a-z]|gate\b|gata\b|veien\b|vegen\b|road\b|street\b|\bvei\b|\btlf\b|\btel\b|phone|www\.|@|http|"
    r"org|kvittering|receipt|salgskvittering|kopi|copy|velkommen|welcome|dato|date|kasse|bong|"
    r"foretaksregisteret|\bmva\b|\bvat\b"
)


def read_receipt_text(text: str) -> ReceiptReading:
    """The fields of a receipt read from its text (one line per printed line)."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    folded = [fold(line) for line in lines]
    vat = _vat_lines(lines, folded)
    total = _total(lines, folded, vat)
    return ReceiptReading(
        vendor=_vendor(lines, folded),
        orgnr=_orgnr(lines),
        date=_date(lines, folded),
        total=total,
        vat=vat,
        payment=_payment(lines, folded, total),
        text=text,
    )


def _surer(a: Found[T] | None, b: Found[T] | None) -> Found[T] | None:
    if a is None or (b is not None and b.confidence > a.confidence):
        return b
    return a


def combined(first: ReceiptReading, second: ReceiptReading) -> ReceiptReading:
    """Two readings of one receipt (e.g. OCR with two page layouts) as one: each field from
    the reading surer of it; the VAT lines from the one whose lines are surer together."""

    def vat_confidence(reading: ReceiptReading) -> float:
        return sum(line.confidence for line in reading.vat)

    return ReceiptReading(
        vendor=_surer(first.vendor, second.vendor),
        orgnr=_surer(first.orgnr, second.orgnr),
        date=_surer(first.date, second.date),
        total=_surer(first.total, second.total),
        vat=first.vat if vat_confidence(first) >= vat_confidence(second) else second.vat,
        payment=_surer(first.payment, second.payment),
        text=f"{first.text}\n{second.text}",
    )


def _vendor(lines: list[str], folded: list[str]) -> Found[str] | None:
    """The first line near the top with letters in it that is no address, greeting or number."""
    for index, (line, low) in enumerate(zip(lines[:6], folded[:6], strict=False)):
        letters = sum(c.isalpha() for c in line)
        if letters < 3 or letters < len(line.replace(" ", "")) * 0.6:
            continue
        if _ADDRESS_OR_NOISE.search(low) or amounts_in(line) or dates_in(line):
            continue
        name = line.strip(" *-=_.:|")
        confidence = 0.8 if index == 0 else 0.6
        if re.search(r"\b(as|asa|ans|da|enk|ltd|inc|gmbh|ab)\b", low):
            confidence += 0.1
        return Found(name, min(confidence, 0.95), line)
    return None


def _orgnr(lines: list[str]) -> Found[str] | None:
    for pattern, labelled in ((_ORGNR, True), (_BARE_ORGNR, False)):
        for line in lines:
            for match in pattern.finditer(line):
                digits = re.sub(r"\D", "", match.group(1))
                if orgnr_number.is_valid(digits):
                    return Found(digits, 0.95 if labelled else 0.85, line)
    for line in lines:
        # Read with a digit wrong: still said, but with little confidence.
        misread = _ORGNR.search(line)
        if misread is not None:
            return Found(re.sub(r"\D", "", misread.group(1)), 0.3, line)
    return None


def _date(lines: list[str], folded: list[str]) -> Found[dt.date] | None:
    candidates: list[Found[dt.date]] = []
    for line in lines:
        for match in _MISREAD_DATE.finditer(line):
            misread = _valid_date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
            if misread is not None:
                candidates.append(Found(misread, 0.45, line))
    for line, low in zip(lines, folded, strict=True):
        for day in dates_in(line):
            labelled = re.search(r"\bdato\b|\bdate\b|\bkjopsdato\b|\btid\b|\btime\b", low) is not None
            # A due date or a validity ("gyldig til", "bytterett") is not the purchase date.
            other = re.search(r"forfall|due|gyldig|valid|bytte|retur|return|utlop|expir", low) is not None
            confidence = 0.9 if labelled else 0.75
            if other:
                confidence = 0.3
            if not 2000 <= day.year <= 2099:
                confidence = 0.1
            candidates.append(Found(day, confidence, line))
    if not candidates:
        return None
    return max(candidates, key=lambda f: f.confidence)


def _vat_lines(lines: list[str], folded: list[str]) -> tuple[VatLine, ...]:
    """The VAT per rate: lines naming a rate that are VAT lines ("MVA 25% 246,91",
    "25,00 % 987,65 246,91 1 234,56", "Mva-grunnlag 25 %: 987,65") or rows of a VAT table."""
    in_table = False
    by_rate: dict[Decimal, VatLine] = {}
    for line, low in zip(lines, folded, strict=True):
        is_vat = _VAT_WORDS.search(low) is not None
        rate = _rate_in(line)
        if is_vat and rate is None and not amounts_in(line):
            in_table = True  # a table heading ("Mva-sats Grunnlag Mva Sum")
            continue
        if rate is None or not (is_vat or in_table):
            if in_table and rate is None and amounts_in(line) and not is_vat:
                in_table = False
            continue
        amounts = [a for a in amounts_in(line) if a >= 0]
        found = _vat_from(rate, amounts, base_only="grunnlag" in low or "basis" in low or "net" in low)
        if found is None:
            continue
        known = by_rate.get(rate)
        by_rate[rate] = found if known is None else _merge(known, found)
    return tuple(sorted(by_rate.values(), key=lambda v: -v.rate))


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= Decimal("0.02")


def _vat_from(rate: Decimal, amounts: list[Money], *, base_only: bool) -> VatLine | None:
    if not amounts:
        return None
    share = rate / 100
    # Any two amounts that are base and VAT, or gross and VAT, of this rate.
    for i, a in enumerate(amounts):
        for j, b in enumerate(amounts):
            if i == j:
                continue
            if _close(round_money(a * share), b) and (b > 0 or rate == 0):
                return VatLine(rate, b, a, 0.95)
            if _close(round_money(a * share / (1 + share)), b) and b > 0 and a > b:
                return VatLine(rate, b, round_money(a - b), 0.9)
    if base_only:
        return VatLine(rate, round_money(amounts[-1] * share), amounts[-1], 0.6)
    if len(amounts) == 1:
        return VatLine(rate, amounts[0], None, 0.6)
    # Several amounts that do not agree with the rate: the VAT is the smallest positive one.
    return VatLine(rate, min(amounts), None, 0.3)


def _merge(a: VatLine, b: VatLine) -> VatLine:
    """Two lines of the same rate ("Mva-grunnlag 25 %" and "Mva 25 %") read together."""
    base = a.base if a.base is not None else b.base
    vat = a.vat if a.confidence >= b.confidence else b.vat
    if a.base is not None and b.vat is not None and _close(round_money(a.base * a.rate / 100), b.vat):
        return VatLine(a.rate, b.vat, a.base, 0.95)
    if b.base is not None and a.vat is not None and _close(round_money(b.base * a.rate / 100), a.vat):
        return VatLine(a.rate, a.vat, b.base, 0.95)
    return VatLine(a.rate, vat, base, max(a.confidence, b.confidence))


def _total(lines: list[str], folded: list[str], vat: tuple[VatLine, ...]) -> Found[Money] | None:
    candidates: list[Found[Money]] = []
    payments = _paid_amounts(lines, folded)
    for index, low in enumerate(folded):
        if _NOT_TOTAL.search(low):
            continue
        weight = max((w for pattern, w in _TOTAL_LABELS if re.search(pattern, low)), default=0.0)
        if not weight:
            continue
        amounts = [a for a in amounts_in(lines[index]) if a > 0]
        line = lines[index]
        if not amounts:
            # The decimal separator lost ("Å betale kr 186143"): the amount paid with those digits.
            runs = set(re.findall(r"\d{3,}", lines[index].replace(" ", "")))
            amounts = [p for p in payments if f"{p:.2f}".replace(".", "") in runs]
            weight -= 0.1
        if not amounts and index + 1 < len(lines) and not _NOT_TOTAL.search(folded[index + 1]):
            # The label on one line, the amount under it.
            amounts = [a for a in amounts_in(lines[index + 1]) if a > 0]
            line = f"{line} {lines[index + 1]}"
        if amounts:
            candidates.append(Found(amounts[-1], weight, line))
    every_amount = [a for line in lines for a in amounts_in(line) if a > 0]
    gross_from_vat = _gross_from_vat(vat)
    if not candidates:
        if gross_from_vat is not None and gross_from_vat in every_amount:
            return Found(gross_from_vat, 0.6)
        if payments:
            return Found(payments[-1], 0.55)
        if not every_amount:
            return None
        return Found(max(every_amount), 0.3)
    votes: dict[Money, float] = {}
    for found in candidates:
        votes[found.value] = votes.get(found.value, 0.0) + found.confidence
    for paid in payments:
        if paid in votes:
            votes[paid] += 0.5
    if gross_from_vat is not None and gross_from_vat in votes:
        votes[gross_from_vat] += 0.5
    best = max(candidates, key=lambda f: (votes[f.value], f.confidence, f.value))
    agreeing = votes[best.value] - best.confidence
    confidence = min(0.99, best.confidence + min(agreeing, 1.0) * 0.1)
    return Found(best.value, round(confidence, 2), best.line)


def _gross_from_vat(vat: Iterable[VatLine]) -> Money | None:
    grosses = [line.gross for line in vat]
    if not grosses or any(g is None for g in grosses):
        return None
    return sum((g for g in grosses if g is not None), Decimal("0.00")).quantize(CENT)


def _paid_amounts(lines: list[str], folded: list[str]) -> list[Money]:
    """Amounts on the lines that say how it was paid ("BankAxept 1 234,50")."""
    paid: list[Money] = []
    for line, low in zip(lines, folded, strict=True):
        if any(re.search(pattern, low) for pattern, _ in _PAYMENT_WORDS) and not _NOT_TOTAL.search(low):
            paid.extend(a for a in amounts_in(line) if a > 0)
    return paid


def _payment(lines: list[str], folded: list[str], total: Found[Money] | None) -> Found[PaymentMethod] | None:
    for pattern, method in _PAYMENT_WORDS:
        for line, low in zip(lines, folded, strict=True):
            if re.search(pattern, low):
                confidence = 0.9 if method != "card" else 0.7
                if total is not None and total.value in amounts_in(line):
                    confidence = min(0.98, confidence + 0.05)
                return Found(method, confidence, line)
    return None


# --------------------------------------------------------------------------------------------
# The expense it proposes

def vendor_category(session: Session, company_id: int, vendor: str) -> ExpenseRule | None:
    """How the company books this vendor's purchases, from its vendor rule
    (`ledger.vendor_rules`): the rule's account and VAT code, under its category word (whose
    notes and vehicle question come along); None for a vendor it has no rule for."""
    rule = rule_for(session, company_id, vendor)
    if rule is None:
        return None
    category: ExpenseRule | None = None
    if rule.category:
        try:
            category = find_category(session, company_id, rule.category)
        except UnknownExpenseCategory:
            category = None
    return ExpenseRule(
        keyword=rule.category or rule.vendor_name,
        account=rule.account,
        vat_code=rule.vat_code,
        needs_vehicle=category.needs_vehicle if category is not None else False,
        note_nb=category.note_nb if category is not None else "",
        note_en=category.note_en if category is not None else "",
        company_specific=True,
    )


@dataclass(frozen=True)
class ReceiptProposal:
    """The expense a receipt proposes, for the user to confirm or complete.

    Attributes:
      reading: what the receipt says.
      plan: the expense as it would be posted, when the category, total and date are known.
      category_from: "said" (the user named it), "vendor" (what the company decided for this
        vendor before), "vendor_name" (the vendor's name is a category word, e.g. "Parkering
        Oslo") or None when the category must be asked for.
      missing: what the assistant must ask for before posting: "category", "total", "date".
      vat_differs: the receipt's VAT does not match what the category deducts (e.g. food at
        15 % booked as a 25 % category, or VAT shown where none is deductible): say so.
    """

    reading: ReceiptReading
    plan: ExpensePlan | None
    category_from: Literal["said", "vendor", "vendor_name"] | None
    missing: tuple[str, ...]
    vat_differs: bool


def propose_receipt_expense(
    session: Session,
    company_id: int,
    reading: ReceiptReading,
    *,
    category: str | None = None,
    date: dt.date | None = None,
) -> ReceiptProposal:
    """The expense `reading` proposes for the company: the category the user said
    (`category`), else the one the company decided for this vendor (`vendor_category`), else a
    category word in the vendor's name; its account and VAT code come from the expense
    categories (`ledger.expenses.plan_expense`). `date` stands in for a date the receipt does
    not show. Raises what `plan_expense` raises (`UnknownExpenseCategory` for a category the
    user said that does not exist, `VehicleUnknown`)."""
    rule: ExpenseRule | None = None
    source: Literal["said", "vendor", "vendor_name"] | None = None
    vendor = reading.vendor.value if reading.vendor is not None else ""
    if category:
        rule, source = find_category(session, company_id, category), "said"
    elif vendor:
        rule = vendor_category(session, company_id, vendor)
        source = "vendor" if rule is not None else None
    if rule is None and vendor:
        try:
            rule, source = find_category(session, company_id, vendor), "vendor_name"
        except UnknownExpenseCategory:
            rule, source = None, None
    day = reading.date.value if reading.date is not None else date
    missing = tuple(
        name
        for name, known in (("category", rule is not None), ("total", reading.total is not None), ("date", day))
        if not known
    )
    if rule is None or reading.total is None or day is None:
        return ReceiptProposal(reading, None, source, missing, False)
    plan = plan_expense(session, company_id, reading.total.value, rule, day)
    return ReceiptProposal(reading, plan, source, (), _vat_differs(reading, plan))


def _vat_differs(reading: ReceiptReading, plan: ExpensePlan) -> bool:
    rates = {line.rate for line in reading.vat if line.rate > 0}
    if not rates:
        return False
    if not plan.treatment.deducts_vat:
        return False  # nothing deducted: the receipt's VAT is part of the cost, as it should be
    return rates != {plan.treatment.rate.normalize()}
