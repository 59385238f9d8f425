"""VAT (merverdiavgift, MVA): codes and rates as dated data, splitting an amount into net and
VAT, the terms and their due dates, the report per term and the settlement that closes one.

VAT codes are the SAF-T standard tax codes. Sales (output VAT, credited to 2700): 3 (25 %),
31 (15 %), 33 (12 %), 5 (0 %, zero-rated) and 6 (outside the VAT act). Purchases (input VAT,
debited to 2710): 1 (25 %), 11 (15 %), 13 (12 %) and 0 (no VAT treatment). A company that is
not VAT-registered charges none and deducts none: its lines carry no code.

Lines carry the code on both sides of a VAT posting: the revenue or cost line (its amount is
the base) and the 2700/2710 line (its amount is the VAT, its `vat_base` the base). The
settlement of a term moves 2700 and 2710 to 2740 with lines that carry no code, so it never
counts in a report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ledger import clock
from ledger.companies import company_by_id
from ledger.data import read_table
from ledger.errors import InvalidInput, UnknownVatCode
from ledger.journal import Posting, ensure_open, post_entry
from ledger.models import Company, JournalEntry, JournalLine, VatRate
from ledger.money import ZERO, Money, money, round_money
from ledger.periods import close_period
from ledger.reports.balances import account_balance
from ledger.workdays import next_working_day

SALES_CODES = ("3", "31", "33", "5", "6")
PURCHASE_CODES = ("1", "11", "13", "0")
OUTPUT_VAT_ACCOUNT = "2700"
INPUT_VAT_ACCOUNT = "2710"
SETTLEMENT_ACCOUNT = "2740"
VAT_ACCOUNTS = (OUTPUT_VAT_ACCOUNT, INPUT_VAT_ACCOUNT)
SETTLEMENT_SOURCE = "vat-settlement:"

Direction = Literal["sales", "purchase"]
TermKind = Literal["bimonthly", "annual"]


def direction_of(code: str) -> Direction:
    """Whether `code` is a sales (output VAT) or a purchase (input VAT) code."""
    if code in SALES_CODES:
        return "sales"
    if code in PURCHASE_CODES:
        return "purchase"
    raise UnknownVatCode(f"unknown VAT code {code!r}", vat_code=code)


@dataclass(frozen=True)
class VatCodeRate:
    """A VAT code's rate on a given day.

    Attributes:
      code: the SAF-T standard tax code ("3").
      direction: "sales" or "purchase".
      rate: percent (25, 15, 12 or 0).
      name_nb, name_en: what the code is called.
    """

    code: str
    direction: Direction
    rate: Decimal
    name_nb: str
    name_en: str


def vat_code_on(session: Session, code: str, day: dt.date) -> VatCodeRate:
    """The code's rate and names in force on `day`; `UnknownVatCode` if it has none then."""
    row = session.scalars(
        select(VatRate)
        .where(
            VatRate.code == code,
            VatRate.valid_from <= day,
            or_(VatRate.valid_to.is_(None), VatRate.valid_to >= day),
        )
        .order_by(VatRate.valid_from.desc())
        .limit(1)
    ).first()
    if row is None:
        raise UnknownVatCode(f"VAT code {code!r} has no rate on {day.isoformat()}", vat_code=code)
    return VatCodeRate(code, direction_of(code), Decimal(row.rate), row.name_nb, row.name_en)


def vat_code_in(session: Session, code: str, first: dt.date, last: dt.date) -> VatCodeRate:
    """The code as it stood at the end of the span `first`..`last`, or at its start if the
    code was withdrawn during it."""
    try:
        return vat_code_on(session, code, last)
    except UnknownVatCode:
        return vat_code_on(session, code, first)


def rate_on(session: Session, code: str, day: dt.date) -> Decimal:
    """The rate in percent of VAT code `code` on `day` ("1" on 2026-10-01 → 25)."""
    return vat_code_on(session, code, day).rate


def code_for_company(company: Company, code: str | None) -> str | None:
    """The code a line of this company carries: none at all when it is not VAT-registered."""
    return code if company.vat_registered else None


@dataclass(frozen=True)
class VatSplit:
    """An amount including VAT split into its net part and its VAT (net + vat == gross)."""

    net: Money
    vat: Money

    @property
    def gross(self) -> Money:
        return self.net + self.vat


def split_gross(gross: Decimal, rate: Decimal) -> VatSplit:
    """Split a VAT-inclusive amount at `rate` percent: the VAT is rounded to øre half up and
    the net is the rest, so the two always add up to the gross (500 at 25 % → 400 + 100)."""
    amount = money(gross)
    if rate < 0:
        raise InvalidInput(f"a VAT rate is never negative: {rate}", rate=str(rate))
    vat = round_money(amount * rate / (100 + rate))
    return VatSplit(net=amount - vat, vat=vat)


def vat_on_net(net: Decimal, rate: Decimal) -> Money:
    """The VAT on a net amount, rounded to øre half up (5 000 at 25 % → 1 250)."""
    return round_money(money(net) * rate / 100)


# --------------------------------------------------------------------------------------------
# Terms


@dataclass(frozen=True, order=True)
class VatTerm:
    """A VAT period (termin): one of six two-month terms of a year, or the whole year.

    Attributes:
      year: the calendar year.
      number: 1 (January–February) to 6 (November–December) for a bimonthly term; 1 for
        the annual term.
      kind: "bimonthly" or "annual" (turnover under NOK 1 million, by application).
    """

    year: int
    number: int
    kind: TermKind = "bimonthly"

    def __post_init__(self) -> None:
        last = 6 if self.kind == "bimonthly" else 1
        if self.kind not in ("bimonthly", "annual") or not 1 <= self.number <= last:
            raise InvalidInput(f"no VAT term {self.number} ({self.kind})", term=self.number)

    @property
    def start(self) -> dt.date:
        month = 1 if self.kind == "annual" else 2 * self.number - 1
        return dt.date(self.year, month, 1)

    @property
    def end(self) -> dt.date:
        if self.kind == "annual" or self.number == 6:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 2 * self.number + 1, 1) - dt.timedelta(days=1)

    @property
    def key(self) -> str:
        """"2026-5" for the fifth bimonthly term of 2026, "2026-annual" for the year."""
        return f"{self.year}-annual" if self.kind == "annual" else f"{self.year}-{self.number}"

    @property
    def statutory_due_date(self) -> dt.date:
        """The due date as the rule states it, before a weekend or holiday moves it."""
        month, day, years_after = _due_dates()[(self.kind, self.number)]
        return dt.date(self.year + years_after, month, day)

    @property
    def due_date(self) -> dt.date:
        """When the return must be filed and the VAT paid (moved to the next working day)."""
        return next_working_day(self.statutory_due_date)

    def next(self) -> VatTerm:
        if self.kind == "annual" or self.number == 6:
            return VatTerm(self.year + 1, 1, self.kind)
        return VatTerm(self.year, self.number + 1, self.kind)

    def previous(self) -> VatTerm:
        if self.number == 1:
            return VatTerm(self.year - 1, 6 if self.kind == "bimonthly" else 1, self.kind)
        return VatTerm(self.year, self.number - 1, self.kind)


@lru_cache(maxsize=1)
def _due_dates() -> dict[tuple[str, int], tuple[int, int, int]]:
    """(term kind, number) → (month, day, years after the term's year), from the data."""
    return {
        (row["applies_to"], int(row["term"])): (
            int(row["due_month"]),
            int(row["due_day"]),
            int(row["years_after"]),
        )
        for row in read_table("statutory_deadlines.csv")
        if row["kind"] == "mva"
    }


def term_of(day: dt.date, kind: TermKind = "bimonthly") -> VatTerm:
    """The term `day` belongs to."""
    return VatTerm(day.year, 1 if kind == "annual" else (day.month - 1) // 2 + 1, kind)


def terms_of_year(year: int, kind: TermKind = "bimonthly") -> list[VatTerm]:
    """The year's terms, in order."""
    return [VatTerm(year, n, kind) for n in range(1, 7 if kind == "bimonthly" else 2)]


def terms_between(first: dt.date, last: dt.date, kind: TermKind = "bimonthly") -> list[VatTerm]:
    """Every term that overlaps the days `first` to `last`."""
    terms = []
    term = term_of(first, kind)
    while term.start <= last:
        terms.append(term)
        term = term.next()
    return terms


def parse_term(text: str, kind: TermKind = "bimonthly") -> VatTerm:
    """A term from its key ("2026-5", "2026-annual"); `InvalidInput` otherwise."""
    year_text, _, number_text = text.strip().partition("-")
    try:
        year = int(year_text)
        if number_text == "annual":
            return VatTerm(year, 1, "annual")
        return VatTerm(year, int(number_text), kind)
    except ValueError as exc:
        raise InvalidInput(f"not a VAT term: {text!r} (write e.g. 2026-5)", term=text) from exc


def company_term_kind(company: Company) -> TermKind:
    return "annual" if company.vat_term == "annual" else "bimonthly"


# --------------------------------------------------------------------------------------------
# The report per term


@dataclass(frozen=True)
class VatReportLine:
    """The turnover or purchases of one VAT code in a term.

    Attributes:
      code, direction, rate, name_nb, name_en: the code as on `VatCodeRate` (rate at the
        term's end).
      base: the amount the VAT is computed on (sales positive, purchases positive; a credit
        note or a return makes it smaller).
      vat: the output VAT (sales) or deductible input VAT (purchases).
    """

    code: str
    direction: Direction
    rate: Decimal
    name_nb: str
    name_en: str
    base: Money
    vat: Money


@dataclass(frozen=True)
class VatReport:
    """A company's VAT return figures for one term.

    Attributes:
      term: the term.
      lines: one per code used in the term, sales codes first.
      output_vat: the VAT charged on sales.
      input_vat: the deductible VAT on purchases.
      to_pay: output minus input VAT: positive is owed to Skatteetaten, negative is refunded.
      settled: whether the term has been settled (moved to 2740 and its period closed).
      vat_registered: False for a company outside the VAT register (the report is empty).
    """

    term: VatTerm
    lines: tuple[VatReportLine, ...]
    output_vat: Money
    input_vat: Money
    settled: bool
    vat_registered: bool = True

    @property
    def to_pay(self) -> Money:
        return self.output_vat - self.input_vat

    @property
    def due_date(self) -> dt.date:
        return self.term.due_date


def _settlement_source(term: VatTerm) -> str:
    return f"{SETTLEMENT_SOURCE}{term.key}"


def _is_settled(session: Session, company_id: int, term: VatTerm) -> bool:
    return (
        session.scalar(
            select(JournalEntry.id).where(
                JournalEntry.company_id == company_id, JournalEntry.source == _settlement_source(term)
            )
        )
        is not None
    )


def vat_report(session: Session, company_id: int, term: VatTerm) -> VatReport:
    """The VAT return of `term`: per code the base and the VAT, and the amount to pay or to
    get back. One aggregate over the term's lines that carry a VAT code."""
    company = company_by_id(session, company_id)
    if not company.vat_registered:
        return VatReport(term, (), ZERO, ZERO, settled=False, vat_registered=False)
    rows = session.execute(
        select(
            JournalLine.vat_code,
            JournalLine.account.in_(VAT_ACCOUNTS).label("is_vat"),
            func.sum(JournalLine.debit),
            func.sum(JournalLine.credit),
        )
        .where(
            JournalLine.company_id == company_id,
            JournalLine.date >= term.start,
            JournalLine.date <= term.end,
            JournalLine.vat_code.is_not(None),
        )
        .group_by(JournalLine.vat_code, "is_vat")
    ).all()
    bases: dict[str, Decimal] = {}
    vats: dict[str, Decimal] = {}
    for code, is_vat, debit, credit in rows:
        assert code is not None
        sign = 1 if direction_of(code) == "purchase" else -1
        amount = sign * (Decimal(debit or 0) - Decimal(credit or 0))
        target = vats if is_vat else bases
        target[code] = target.get(code, ZERO) + amount
    lines = []
    order = {code: i for i, code in enumerate(SALES_CODES + PURCHASE_CODES)}
    for code in sorted(set(bases) | set(vats), key=lambda c: order.get(c, 99)):
        info = vat_code_in(session, code, term.start, term.end)
        lines.append(
            VatReportLine(
                code=code,
                direction=info.direction,
                rate=info.rate,
                name_nb=info.name_nb,
                name_en=info.name_en,
                base=money(bases.get(code, ZERO).quantize(Decimal("0.01"))),
                vat=money(vats.get(code, ZERO).quantize(Decimal("0.01"))),
            )
        )
    output_vat = sum((line.vat for line in lines if line.direction == "sales"), ZERO)
    input_vat = sum((line.vat for line in lines if line.direction == "purchase"), ZERO)
    return VatReport(
        term, tuple(lines), output_vat, input_vat, settled=_is_settled(session, company_id, term)
    )


def vat_reports_between(session: Session, company_id: int, first: dt.date, last: dt.date) -> list[VatReport]:
    """The report of every term of the company's kind that overlaps `first` to `last`."""
    kind = company_term_kind(company_by_id(session, company_id))
    return [vat_report(session, company_id, term) for term in terms_between(first, last, kind)]


# --------------------------------------------------------------------------------------------
# Settlement


@dataclass(frozen=True)
class VatSettlement:
    """A settled term.

    Attributes:
      report: the term's VAT report as settled.
      entry_id: the voucher that moved 2700 and 2710 to 2740 (None when both were zero).
      amount: what the settlement moved to 2740: positive is owed, negative is to be refunded
        (it includes any earlier term left unsettled).
      closed_through: the last day of the closed period (the term's end).
    """

    report: VatReport
    entry_id: int | None
    amount: Money
    closed_through: dt.date


def settle_vat_term(
    session: Session,
    company_id: int,
    term: VatTerm,
    *,
    created_by_id: int | None = None,
    channel: str = "system",
    today: dt.date | None = None,
) -> VatSettlement:
    """Move the balances of 2700 and 2710 at the term's end to 2740 (oppgjørskonto) and close
    the books through that day, so nothing more can be posted into the term."""
    company = company_by_id(session, company_id)
    if not company.vat_registered:
        raise InvalidInput("the company is not VAT-registered", company_id=company_id)
    if term.kind != company_term_kind(company):
        raise InvalidInput(f"the company reports VAT {company.vat_term}, not {term.kind}", term=term.key)
    if (today or clock.today()) <= term.end:
        raise InvalidInput(
            f"term {term.key} runs until {term.end.isoformat()}", term=term.key, end=term.end.isoformat()
        )
    ensure_open(session, company_id, term.end)
    report = vat_report(session, company_id, term)
    output_balance = account_balance(session, company_id, OUTPUT_VAT_ACCOUNT, on=term.end)
    input_balance = account_balance(session, company_id, INPUT_VAT_ACCOUNT, on=term.end)
    postings = [
        Posting(account, -balance)
        for account, balance in ((OUTPUT_VAT_ACCOUNT, output_balance), (INPUT_VAT_ACCOUNT, input_balance))
        if balance != 0
    ]
    owed = -(output_balance + input_balance)
    entry_id = None
    if postings:
        if owed != 0:
            postings.append(Posting(SETTLEMENT_ACCOUNT, -owed))
        entry = post_entry(
            session,
            company_id,
            term.end,
            f"Mva-oppgjør termin {term.key}",
            postings,
            channel=channel,
            created_by_id=created_by_id,
            source=_settlement_source(term),
        )
        entry_id = entry.id
    close_period(session, company_id, term.end, closed_by_id=created_by_id, reason=_settlement_source(term))
    return VatSettlement(
        report=VatReport(term, report.lines, report.output_vat, report.input_vat, settled=True),
        entry_id=entry_id,
        amount=owed,
        closed_through=term.end,
    )
