"""VAT (merverdiavgift, MVA): codes and rates as dated data, splitting an amount into net and
VAT, the terms and their due dates, the report per term and the settlement that closes one.

VAT codes are the SAF-T standard tax codes. Sales (output VAT, credited to 2700): 3 (25 %),
31 (15 %), 33 (12 %), 5 (0 %, zero-rated) and 6 (outside the VAT act). Purchases (input VAT,
debited to 2710): 1 (25 %), 11 (15 %), 13 (12 %) and 0 (no VAT treatment). A company that is
not VAT-registered charges none and deducts none: its lines carry no code.

Rates are dated data (`ledger/data/vat_rates.csv`, loaded into `VatRate`): a code's rate is
the one in force on the day of the line (code 33 was 6 % from 2020-04-01 to 2021-09-30 and
12 % before and after), so a term across a rate change reports the code once per rate.

The report of a term carries only the codes that belong in the VAT return (mva-melding), with
the sign the return expects (`ledger/data/mva_melding_codes.csv`, from Skatteetaten's code
lists): code 0 is a posting code, not a line of the return.

Lines carry the code on both sides of a VAT posting: the revenue or cost line (its amount is
the base) and the 2700/2710 line (its amount is the VAT, its `vat_base` the base). The
settlement of a term moves 2700 and 2710 to 2740 with lines that carry no code, so it never
counts in a report. Terms are settled in order, each once: a settlement takes the balances
of 2700 and 2710, so settling a later term first would swallow the earlier one's VAT.
A settlement is recognised by its own record, the close that names its term
(`ClosedPeriod.vat_term`, one per term and company), never by the text of a reason or a
voucher's source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ledger import clock
from ledger.companies import company_by_id
from ledger.data import read_table
from ledger.errors import EarlierTermUnsettled, InvalidInput, PeriodLocked, UnknownVatCode
from ledger.journal import VAT_SETTLEMENT_REASON, Posting, ensure_open, post_entry
from ledger.models import ClosedPeriod, Company, JournalLine, VatRate
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
SETTLEMENT_SOURCE = VAT_SETTLEMENT_REASON

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


def _in_force(code: str, first: dt.date, last: dt.date) -> Select[VatRate]:
    """The rates of `code` in force on some day from `first` to `last`."""
    return select(VatRate).where(
        VatRate.code == code,
        VatRate.valid_from <= last,
        or_(VatRate.valid_to.is_(None), VatRate.valid_to >= first),
    )


def vat_code_on(session: Session, code: str, day: dt.date) -> VatCodeRate:
    """The code's rate and names in force on `day`; `UnknownVatCode` if it has none then."""
    row = session.scalars(_in_force(code, day, day).order_by(VatRate.valid_from.desc()).limit(1)).first()
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


@dataclass(frozen=True)
class VatCodePeriod:
    """A VAT code's rate over the days it was in force.

    Attributes:
      code, rate, name_nb, name_en: as on `VatCodeRate`.
      valid_from: the rate's first day.
      valid_to: its last day, None while it is in force.
    """

    code: str
    rate: Decimal
    name_nb: str
    name_en: str
    valid_from: dt.date
    valid_to: dt.date | None


def rates_between(session: Session, code: str, first: dt.date, last: dt.date) -> list[VatCodePeriod]:
    """Every rate of `code` in force on some day from `first` to `last`, oldest first (code 33
    in 2021: 6 % to 30 September, 12 % from 1 October); `UnknownVatCode` when it has none."""
    rows = session.scalars(_in_force(code, first, last).order_by(VatRate.valid_from)).all()
    if not rows:
        raise UnknownVatCode(
            f"VAT code {code!r} has no rate from {first.isoformat()} to {last.isoformat()}", vat_code=code
        )
    return [
        VatCodePeriod(code, Decimal(r.rate), r.name_nb, r.name_en, r.valid_from, r.valid_to) for r in rows
    ]


def rate_on(session: Session, code: str, day: dt.date) -> Decimal:
    """The rate in percent of VAT code `code` on `day` ("1" on 2026-10-01 → 25)."""
    return vat_code_on(session, code, day).rate


def _rate_rows(session: Session, codes: set[str]) -> dict[str, list[VatRate]]:
    """Every dated rate of `codes`, oldest first per code."""
    found: dict[str, list[VatRate]] = {}
    for row in session.scalars(select(VatRate).where(VatRate.code.in_(codes)).order_by(VatRate.valid_from)):
        found.setdefault(row.code, []).append(row)
    return found


def _row_on(rows: list[VatRate], day: dt.date) -> VatRate | None:
    """The row in force on `day` (the latest to start, when rows overlap)."""
    current = None
    for row in rows:
        if row.valid_from <= day and (row.valid_to is None or day <= row.valid_to):
            current = row
    return current


@dataclass(frozen=True)
class ReturnCode:
    """A SAF-T code as the VAT return (mva-melding) takes it.

    Attributes:
      code: the SAF-T standard tax code ("3").
      specifies: "output", "input" or "both" (reverse charge: both at once).
      sign: +1 when the return expects the code's VAT positive (output VAT), -1 when
        negative (deductible input VAT), 0 for a code that carries both.
      valid_from: the first day the code is valid in the return, when the list says.
    """

    code: str
    specifies: str
    sign: int
    valid_from: dt.date | None


@lru_cache(maxsize=1)
def return_codes() -> dict[str, ReturnCode]:
    """The codes that belong in the VAT return, by code (`mva_melding_codes.csv`)."""
    signs = {"+": 1, "-": -1, "+-": 0}
    return {
        row["code"]: ReturnCode(
            row["code"],
            row["specifies"],
            signs[row["sign"]],
            dt.date.fromisoformat(row["valid_from"]) if row["valid_from"] else None,
        )
        for row in read_table("mva_melding_codes.csv")
    }


def in_vat_return(code: str) -> bool:
    """Whether lines of `code` are reported in the VAT return (3, 1, 5 ...; not 0)."""
    return code in return_codes()


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
    """The turnover or purchases of one VAT code at one rate in a term.

    Attributes:
      code, direction, rate, name_nb, name_en: the code as on `VatCodeRate`, at the rate in
        force on the days of its lines (a term across a rate change has a line per rate).
      base: the amount the VAT is computed on (sales positive, purchases positive; a credit
        note or a return makes it smaller).
      vat: the output VAT (sales) or deductible input VAT (purchases).
      sign: the sign the VAT return expects for the code: +1 (output VAT), -1 (input VAT).
    """

    code: str
    direction: Direction
    rate: Decimal
    name_nb: str
    name_en: str
    base: Money
    vat: Money
    sign: int = 1

    @property
    def return_base(self) -> Money:
        """The base as the VAT return states it (purchases negative)."""
        return self.sign * self.base

    @property
    def return_vat(self) -> Money:
        """The VAT as the VAT return states it: output VAT positive, deductions negative."""
        return self.sign * self.vat


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
        """Output minus input VAT, which is also the sum of the lines' `return_vat`."""
        return self.output_vat - self.input_vat

    @property
    def due_date(self) -> dt.date:
        return self.term.due_date


def _settlement_source(term: VatTerm) -> str:
    return f"{SETTLEMENT_SOURCE}{term.key}"


def _is_settled(session: Session, company_id: int, term: VatTerm) -> bool:
    """Whether `term` itself was settled: its settlement's close names it (an empty term
    posts no voucher but is closed all the same)."""
    closed = select(ClosedPeriod.id).where(ClosedPeriod.company_id == company_id, ClosedPeriod.vat_term == term.key)
    return session.scalar(closed.limit(1)) is not None


def _code_order(code: str) -> int:
    return (SALES_CODES + PURCHASE_CODES).index(code)


def vat_report(session: Session, company_id: int, term: VatTerm) -> VatReport:
    """The VAT return of `term`: per code and rate the base and the VAT, and the amount to pay
    or to get back. One aggregate over the term's lines with a code of the return, per code,
    side (base or VAT) and day, each day's lines at the rate in force that day."""
    company = company_by_id(session, company_id)
    if not company.vat_registered:
        return VatReport(term, (), ZERO, ZERO, settled=False, vat_registered=False)
    reported = [code for code in SALES_CODES + PURCHASE_CODES if in_vat_return(code)]
    rows = session.execute(
        select(
            JournalLine.vat_code,
            JournalLine.account.in_(VAT_ACCOUNTS).label("is_vat"),
            JournalLine.date,
            func.sum(JournalLine.debit),
            func.sum(JournalLine.credit),
        )
        .where(
            JournalLine.company_id == company_id,
            JournalLine.date >= term.start,
            JournalLine.date <= term.end,
            JournalLine.vat_code.in_(reported),
        )
        .group_by(JournalLine.vat_code, "is_vat", JournalLine.date)
    ).all()
    rates = _rate_rows(session, {str(code) for code, *_ in rows})
    bases: dict[tuple[str, Decimal], Decimal] = {}
    vats: dict[tuple[str, Decimal], Decimal] = {}
    infos: dict[tuple[str, Decimal], tuple[dt.date, VatCodeRate]] = {}
    for code, is_vat, day, debit, credit in rows:
        assert code is not None
        row = _row_on(rates.get(code, []), day)
        info = (
            VatCodeRate(code, direction_of(code), Decimal(row.rate), row.name_nb, row.name_en)
            if row is not None
            else vat_code_in(session, code, term.start, term.end)
        )
        key = (code, info.rate)
        if key not in infos or day < infos[key][0]:
            infos[key] = (day, info)
        sign = 1 if info.direction == "purchase" else -1
        target = vats if is_vat else bases
        target[key] = target.get(key, ZERO) + sign * (Decimal(debit or 0) - Decimal(credit or 0))
    lines = []
    for key in sorted(infos, key=lambda k: (_code_order(k[0]), infos[k][0])):
        info = infos[key][1]
        lines.append(
            VatReportLine(
                code=info.code,
                direction=info.direction,
                rate=info.rate,
                name_nb=info.name_nb,
                name_en=info.name_en,
                base=money(bases.get(key, ZERO).quantize(Decimal("0.01"))),
                vat=money(vats.get(key, ZERO).quantize(Decimal("0.01"))),
                sign=return_codes()[info.code].sign,
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


def _vat_settled_through(session: Session, company_id: int) -> dt.date | None:
    """The end of the last settled term, if any."""
    return session.scalar(
        select(func.max(ClosedPeriod.closed_through)).where(
            ClosedPeriod.company_id == company_id, ClosedPeriod.vat_term.is_not(None)
        )
    )


def _first_vat_day(session: Session, company_id: int) -> dt.date | None:
    """The day of the company's first line with a VAT code or on 2700/2710."""
    return session.scalar(
        select(func.min(JournalLine.date)).where(
            JournalLine.company_id == company_id,
            or_(JournalLine.vat_code.is_not(None), JournalLine.account.in_(VAT_ACCOUNTS)),
        )
    )


def first_open_term(session: Session, company_id: int) -> VatTerm | None:
    """The term the company must settle next: the one after the last settled term, or the
    term of its first VAT posting when none is settled (None with neither). Every term from
    there on must be settled, one with no VAT too (its return is filed as zero)."""
    kind = company_term_kind(company_by_id(session, company_id))
    settled = _vat_settled_through(session, company_id)
    if settled is not None:
        return term_of(settled + dt.timedelta(days=1), kind)
    first = _first_vat_day(session, company_id)
    return None if first is None else term_of(first, kind)


@dataclass(frozen=True)
class VatSettlement:
    """A settled term.

    Attributes:
      report: the term's VAT report as settled.
      entry_id: the voucher that moved 2700 and 2710 to 2740 (None when both were zero).
      amount: what the settlement moved to 2740: positive is owed, negative is to be refunded
        (earlier terms are settled first, so it is this term's VAT).
      closed_through: the last day of the term, now closed for VAT postings.
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
    the term for VAT postings, so no VAT can be posted into it any more (other postings can).

    Refused, writing nothing: a company outside the VAT register or of the other term kind
    (`InvalidInput`), a term not yet ended (`InvalidInput`), a term already settled
    (`PeriodLocked`) and a term with an earlier one still open (`EarlierTermUnsettled`)."""
    company = company_by_id(session, company_id)
    if not company.vat_registered:
        raise InvalidInput("the company is not VAT-registered", company_id=company_id)
    if term.kind != company_term_kind(company):
        raise InvalidInput(f"the company reports VAT {company.vat_term}, not {term.kind}", term=term.key)
    if (today or clock.today()) <= term.end:
        raise InvalidInput(
            f"term {term.key} runs until {term.end.isoformat()}", term=term.key, end=term.end.isoformat()
        )
    settled_through = _vat_settled_through(session, company_id)
    if _is_settled(session, company_id, term) or (settled_through is not None and term.end <= settled_through):
        raise PeriodLocked(
            f"VAT term {term.key} is already settled",
            date=term.end.isoformat(),
            closed_through=(settled_through or term.end).isoformat(),
            term=term.key,
        )
    earlier = first_open_term(session, company_id)
    if earlier is not None and earlier.start < term.start:
        raise EarlierTermUnsettled(
            f"VAT term {earlier.key} is not settled yet; settle it first",
            term=term.key,
            earlier=earlier.key,
            earlier_year=earlier.year,
            earlier_number=earlier.number,
            earlier_kind=earlier.kind,
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
    close_period(
        session,
        company_id,
        term.end,
        closed_by_id=created_by_id,
        reason=_settlement_source(term),
        vat_term=term.key,
    )
    return VatSettlement(
        report=VatReport(term, report.lines, report.output_vat, report.input_vat, settled=True),
        entry_id=entry_id,
        amount=owed,
        closed_through=term.end,
    )
