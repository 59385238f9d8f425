"""Invoicing: the posting rules of sales, and issuing, crediting and getting paid for invoices.

The rules are pure functions from a business event to balanced postings (testable without a
database), as in the ledger spec's table (25 % VAT):

    invoice 5 h × 1 000   1500 debit 6 250   /  3000 credit 5 000 (code 3), 2700 credit 1 250
    customer pays it      1920 debit 6 250   /  1500 credit 6 250
    credit note for it    3000 debit 5 000 (code 3), 2700 debit 1 250  /  1500 credit 6 250

Revenue goes to 3000 for the VAT-liable codes 3, 31 and 33, to 3100 for code 5 (zero-rated)
and to 3200 for code 6 (outside the VAT act); the revenue line carries the code (its amount is
the base) and so does the 2700 line (its amount is the VAT, its `vat_base` the base). VAT is
computed per code on the sum of that code's lines, as the EHF rules check (BR-CO-17).

A company that is not VAT-registered charges no VAT: its lines have no VAT code (stored as ""
on the invoice line, None on the journal line), the revenue goes to 3000 (it is the turnover
that counts towards the registration threshold) and there is no 2700 line.

The VAT of a rate is computed once, on the summed base of its lines; each line's `vat` is
its share of that (`line_vat_shares`), so the lines always add up to the total shown.

An invoice is not issued without what bokføringsforskriften § 5-1-1 asks it to show
(`missing_invoice_details`): the seller's name, address, organisation number and bank
account; the buyer's name and address, and organisation number for a business buyer.
`InvoiceDetailsMissing` names what is missing. The delivery is the real one: billed hours
give their first to last date, anything else the date said or the issue date.

Invoices and credit notes share one unbroken "invoice" series per company (from 10001); the
number is taken inside the posting transaction, so concurrent invoices never leave a gap or a
duplicate. An invoice is posted when it is issued: there are no drafts. Its status is
"issued", then "sent", "paid" or "credited"; callers see `public_status` (draft, sent, unpaid,
paid, credited as in the API). A credit note credits the whole invoice or part of it (some
lines, some of a line's quantity, an amount), never more than is left of it; what it credits
beyond what is still owed was paid already, and is refunded to the customer (1500 / 1920,
with `refund=True`), never left silently. A payment registered by mistake is taken back with
`reverse_payment`. Who issued it, when, through which channel and why is on its journal entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Literal, TypedDict, Unpack

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import clock
from ledger.companies import company_by_id
from ledger.customers import get_customer
from ledger.documents.model import InvoiceDocument, Language, vat_breakdown
from ledger.documents.model import InvoiceLine as DocumentLine
from ledger.errors import (
    InvalidAmount,
    InvalidInput,
    InvoiceDetailsMissing,
    InvoiceNotOpen,
    NotFound,
    NothingToInvoice,
    Overpayment,
    UnknownInvoice,
    UnknownVatCode,
)
from ledger.exports import party_of
from ledger.journal import CHANNELS, Posting, ensure_open, post_entry, reverse_entry
from ledger.kid import invoice_kid
from ledger.models import Company, Customer, Invoice, JournalEntry, Payment, Project, TimeEntry, User, as_value
from ledger.models import InvoiceLine as InvoiceLineRow
from ledger.money import CENT, ZERO, Money, money, round_money
from ledger.numbering import next_number
from ledger.projects import billing_rate, get_project
from ledger.timesheet import unbilled_entries
from ledger.vat import SALES_CODES, rate_on

RECEIVABLES = "1500"
BANK = "1920"
OUTPUT_VAT = "2700"
SALES_LIABLE = "3000"
SALES_ZERO_RATED = "3100"
SALES_OUTSIDE = "3200"

INVOICE_SERIES = "invoice"
FIRST_INVOICE_NUMBER = 10001
DEFAULT_VAT_CODE = "3"
NO_VAT = ""
"""The VAT code of an invoice line of a company that is not VAT-registered."""

HOURS_UNIT = "HUR"
EACH_UNIT = "EA"
QUANTITY_QUANTUM = Decimal("0.01")

PublicStatus = Literal["draft", "sent", "unpaid", "paid", "credited"]
PUBLIC_STATUSES: tuple[PublicStatus, ...] = ("draft", "sent", "unpaid", "paid", "credited")
STORED_STATUSES: dict[str, tuple[str, ...]] = {
    "draft": (),  # invoices are posted when issued: there are no drafts
    "sent": ("sent",),
    "unpaid": ("issued", "sent"),
    "paid": ("paid",),
    "credited": ("credited",),
}


# --------------------------------------------------------------------------------------------
# Values and posting rules (no database)


@dataclass(frozen=True)
class SaleLine:
    """What someone asks to invoice: one line before it is priced.

    Attributes:
      description: what was delivered ("Nettside, november").
      quantity: how many units (hours, pieces); more than zero, two decimals at most (as
        given: text that is not a number is refused when the line is priced).
      unit_price: the price per unit before VAT; zero or more, two decimals at most.
      vat_code: a sales code (3, 31, 33, 5, 6); None for the default (3, or none when the
        company is not VAT-registered).
      unit: the UN/ECE rec. 20 unit: "HUR" for hours, "EA" for pieces.
      project_id: the project the revenue belongs to, if any.
    """

    description: str
    quantity: Decimal | int | str
    unit_price: Money | int | str
    vat_code: str | None = None
    unit: str = EACH_UNIT
    project_id: int | None = None


@dataclass(frozen=True)
class PricedLine:
    """An invoice line with its VAT code, rate and amount, ready to post.

    Attributes:
      vat_code: the sales code, or "" for a company that is not VAT-registered.
      vat_rate: percent on the invoice date (0 for codes 5 and 6 and for "").
      net: quantity × unit price, rounded half up to øre.
      account: the revenue account (3000, 3100 or 3200).
    """

    description: str
    quantity: Decimal
    unit: str
    unit_price: Money
    vat_code: str
    vat_rate: Decimal
    net: Money
    account: str
    project_id: int | None = None


@dataclass(frozen=True)
class VatTotal:
    """The VAT of one code and rate on an invoice: `vat` = `base` × `rate` / 100, to øre."""

    code: str
    rate: Decimal
    base: Money
    vat: Money


@dataclass(frozen=True)
class InvoiceTotals:
    """What an invoice comes to: net, VAT per code, VAT and total."""

    net: Money
    vat_totals: tuple[VatTotal, ...]
    vat: Money
    total: Money


def revenue_account(vat_code: str) -> str:
    """The revenue account of a sales line: 3000 (codes 3, 31, 33 and none), 3100 (5), 3200 (6)."""
    if vat_code == "5":
        return SALES_ZERO_RATED
    if vat_code == "6":
        return SALES_OUTSIDE
    return SALES_LIABLE


def _decimal(value: Decimal | int | str, what: str) -> Decimal:
    if isinstance(value, float | bool):
        raise InvalidAmount(f"{what} must be an exact number, not {value!r}", value=str(value))
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidAmount(f"{what} is not a number: {value!r}", value=str(value)) from exc
    if not number.is_finite():
        raise InvalidAmount(f"{what} is not a number: {value!r}", value=str(value))
    return number


def quantity_value(quantity: Decimal | int | str) -> Decimal:
    """A line quantity: more than zero, two decimals at most."""
    value = _decimal(quantity, "the quantity")
    if value <= 0:
        raise InvalidAmount("the quantity must be more than zero", value=str(quantity))
    if value != value.quantize(QUANTITY_QUANTUM):
        raise InvalidAmount("the quantity has two decimals at most", value=str(quantity))
    return value.quantize(QUANTITY_QUANTUM)


def price_line(line: SaleLine, vat_code: str, vat_rate: Decimal) -> PricedLine:
    """`line` priced under `vat_code` at `vat_rate` percent."""
    description = " ".join(line.description.split())
    if not description:
        raise InvalidInput("every invoice line needs a description", field="description")
    quantity = quantity_value(line.quantity)
    unit_price = money(line.unit_price)
    if unit_price < 0:
        raise InvalidAmount("a unit price is never negative", value=str(line.unit_price))
    return PricedLine(
        description=description[:500],
        quantity=quantity,
        unit=(line.unit or EACH_UNIT)[:5],
        unit_price=unit_price,
        vat_code=vat_code,
        vat_rate=vat_rate,
        net=round_money(quantity * unit_price),
        account=revenue_account(vat_code),
        project_id=line.project_id,
    )


def invoice_totals(lines: Sequence[PricedLine]) -> InvoiceTotals:
    """Net, VAT per code (on each code's summed base) and total of priced lines."""
    bases: dict[tuple[str, Decimal], Money] = {}
    for line in lines:
        key = (line.vat_code, line.vat_rate)
        bases[key] = bases.get(key, ZERO) + line.net
    totals = tuple(
        VatTotal(code, rate, base, round_money(base * rate / 100))
        for (code, rate), base in sorted(bases.items(), key=lambda item: (-item[0][1], item[0][0]))
    )
    net = sum((line.net for line in lines), ZERO)
    vat = sum((t.vat for t in totals), ZERO)
    return InvoiceTotals(net=net, vat_totals=totals, vat=vat, total=net + vat)


def line_vat_shares(lines: Sequence[PricedLine], totals: InvoiceTotals | None = None) -> list[Money]:
    """Each line's share of its rate's VAT: the rate's VAT (on the summed base, as
    `invoice_totals` computes it, or as `totals` says) split over its lines in proportion to
    their amounts, whole øre each, the øre left over going to the lines whose exact share lost
    most to rounding (the first of equals first). The shares of a rate add up to its VAT, so
    the lines never disagree with the total: three lines of 0.02 at 25 % carry 0.01, 0.01 and
    0.00 of the rate's 0.02, not 0.01 each."""
    by_rate = {(t.code, t.rate): t.vat for t in (totals or invoice_totals(lines)).vat_totals}
    shares = [ZERO] * len(lines)
    groups: dict[tuple[str, Decimal], list[int]] = {}
    for index, line in enumerate(lines):
        groups.setdefault((line.vat_code, line.vat_rate), []).append(index)
    for key, indexes in groups.items():
        exact = {i: lines[i].net * key[1] / 100 for i in indexes}
        for i in indexes:
            shares[i] = exact[i].quantize(CENT, rounding=ROUND_FLOOR)
        left = int((by_rate.get(key, ZERO) - sum((shares[i] for i in indexes), ZERO)) / CENT)
        step = CENT if left >= 0 else -CENT
        order = sorted(indexes, key=lambda i: (-(exact[i] - shares[i]), i) if left >= 0 else (exact[i] - shares[i], i))
        for n in range(abs(left)):
            shares[order[n % len(order)]] += step
    return shares


def invoice_postings(
    lines: Sequence[PricedLine],
    vat_registered: bool = True,
    *,
    customer_id: int | None = None,
    totals: InvoiceTotals | None = None,
) -> list[Posting]:
    """The entry of an invoice: 1500 debit the total (on the customer), revenue credited per
    account, code and project, and 2700 credited per VAT code with a rate (the VAT of
    `totals` when given, else computed on each rate's summed base)."""
    if not lines:
        raise InvalidInput("an invoice needs at least one line")
    if not vat_registered and any(line.vat_code or line.vat_rate for line in lines):
        raise InvalidInput("a company that is not VAT-registered charges no VAT")
    totals = totals or invoice_totals(lines)
    if totals.total <= 0:
        raise InvalidAmount("an invoice comes to more than zero", total=str(totals.total))
    revenue: dict[tuple[str, str, int | None], Money] = {}
    for line in lines:
        key = (line.account, line.vat_code, line.project_id)
        revenue[key] = revenue.get(key, ZERO) + line.net
    postings = [Posting(RECEIVABLES, totals.total, customer_id=customer_id)]
    postings += [
        Posting(account, -net, vat_code=code or None, customer_id=customer_id, project_id=project_id)
        for (account, code, project_id), net in revenue.items()
        if net != 0
    ]
    postings += [
        Posting(OUTPUT_VAT, -t.vat, vat_code=t.code, vat_base=t.base, customer_id=customer_id)
        for t in totals.vat_totals
        if t.vat != 0
    ]
    return postings


def credit_note_postings(
    lines: Sequence[PricedLine],
    vat_registered: bool = True,
    *,
    customer_id: int | None = None,
    totals: InvoiceTotals | None = None,
) -> list[Posting]:
    """The entry of a credit note: the invoice's entry mirrored (revenue and 2700 debited,
    1500 credited)."""
    return [
        Posting(
            p.account,
            -p.amount,
            vat_code=p.vat_code,
            vat_base=-p.vat_base if p.vat_base is not None else None,
            customer_id=p.customer_id,
            project_id=p.project_id,
        )
        for p in invoice_postings(lines, vat_registered, customer_id=customer_id, totals=totals)
    ]


def refund_postings(amount: Money, *, customer_id: int | None = None) -> list[Posting]:
    """The entry of money paid back to a customer: 1500 debit (on the customer), 1920 credit."""
    value = money(amount)
    if value <= 0:
        raise InvalidAmount("a refund is more than zero", value=str(amount))
    return [Posting(RECEIVABLES, value, customer_id=customer_id), Posting(BANK, -value, customer_id=customer_id)]


def payment_postings(amount: Money, *, customer_id: int | None = None) -> list[Posting]:
    """The entry of a customer's payment: 1920 debit, 1500 credit (on the customer)."""
    value = money(amount)
    if value <= 0:
        raise InvalidAmount("a payment is more than zero", value=str(amount))
    return [Posting(BANK, value, customer_id=customer_id), Posting(RECEIVABLES, -value, customer_id=customer_id)]


# --------------------------------------------------------------------------------------------
# Issuing


def sales_vat(session: Session, company: Company, code: str | None, day: dt.date) -> tuple[str, Decimal]:
    """The code and rate a sales line of `company` carries on `day` (none when the company is
    not VAT-registered); UnknownVatCode for a code that is not a sales code."""
    if not company.vat_registered:
        if code not in (None, "", NO_VAT):
            raise InvalidInput(
                "the company is not VAT-registered and charges no VAT", vat_code=code, company_id=company.id
            )
        return NO_VAT, Decimal("0")
    chosen = DEFAULT_VAT_CODE if code in (None, "") else str(code).strip()
    if chosen not in SALES_CODES:
        raise UnknownVatCode(f"{chosen!r} is not a sales VAT code (3, 31, 33, 5, 6)", vat_code=chosen)
    return chosen, rate_on(session, chosen, day)


def _channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise InvalidInput(f"unknown channel {channel!r}", channel=channel)
    return channel


def _language(language: str | None) -> str:
    if language in (None, ""):
        return "nb"
    if language not in ("nb", "en"):
        raise InvalidInput(f"invoices are written in nb or en, not {language!r}", language=language)
    return str(language)


BUSINESS_FORMS = frozenset({"AS", "ASA", "ANS", "DA", "SA", "BA", "KS", "NUF", "ENK", "IKS", "SE"})
"""The company forms of the Enhetsregisteret whose abbreviation ends a business's name."""


def is_business_name(name: str) -> bool:
    """Whether `name` is a business's by its form ("Fjord Bygg AS", "Hansen Rør ENK")."""
    words = name.replace(".", " ").split()
    return len(words) > 1 and words[-1].upper() in BUSINESS_FORMS


@dataclass(frozen=True)
class MissingDetails:
    """What an invoice cannot be issued without (bokføringsforskriften § 5-1-1), by party.

    Attributes:
      seller, buyer: the field names each lacks: "address", "postcode", "city", "orgnr",
        and for the seller "bank_account"; empty when it has everything.
    """

    seller: tuple[str, ...]
    buyer: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.seller or self.buyer)


def missing_invoice_details(company: Company, customer: Customer) -> MissingDetails:
    """What the seller and the buyer still lack for an invoice between them: the seller's
    address, postcode, city, organisation number (shown followed by "MVA" when
    VAT-registered, and with "Foretaksregisteret" for an AS) and bank account; the buyer's
    address, postcode and city, and organisation number for a business buyer."""
    seller = [f for f in ("address", "postcode", "city", "orgnr", "bank_account") if not getattr(company, f)]
    buyer = [f for f in ("address", "postcode", "city") if not getattr(customer, f)]
    if not customer.orgnr and is_business_name(customer.name):
        buyer.append("orgnr")
    return MissingDetails(tuple(seller), tuple(buyer))


def require_invoice_details(company: Company, customer: Customer) -> None:
    """`InvoiceDetailsMissing`, naming what is missing, unless an invoice from `company` to
    `customer` can show all that § 5-1-1 asks."""
    missing = missing_invoice_details(company, customer)
    if not missing:
        return
    parts = [f"{company.name} lacks {', '.join(missing.seller)}" if missing.seller else "",
             f"{customer.name} lacks {', '.join(missing.buyer)}" if missing.buyer else ""]
    raise InvoiceDetailsMissing(
        "the invoice cannot be issued: " + "; ".join(p for p in parts if p),
        seller=company.name,
        buyer=customer.name,
        company_id=company.id,
        customer_id=customer.id,
        missing_seller=list(missing.seller),
        missing_buyer=list(missing.buyer),
    )


def delivery_period(
    day: dt.date, delivery_from: dt.date | None = None, delivery_to: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The first and last day of a delivery: as given (one day given is both), else the issue
    date `day`; InvalidInput when it ends before it starts."""
    first = delivery_from or delivery_to or day
    last = delivery_to or delivery_from or day
    if first > last:
        raise InvalidInput("the delivery period ends before it starts", field="delivery_from")
    return first, last


def issue_invoice(
    session: Session,
    company_id: int,
    customer_id: int,
    lines: Sequence[SaleLine],
    *,
    issue_date: dt.date | None = None,
    delivery_from: dt.date | None = None,
    delivery_to: dt.date | None = None,
    created_by_id: int | None = None,
    channel: str = "api",
    source: str = "",
    language: str | None = None,
    buyer_reference: str = "",
) -> Invoice:
    """Issue and post an invoice: priced lines with the VAT of the issue date, due after the
    company's payment terms, numbered in the company's series, with a KID, for what was
    delivered from `delivery_from` to `delivery_to` (one day given is both; none: the issue
    date). `InvoiceDetailsMissing` when the seller or buyer lacks what the invoice must show."""
    company = company_by_id(session, company_id)
    customer = get_customer(session, company_id, customer_id)
    day = issue_date or clock.today()
    first, last = delivery_period(day, delivery_from, delivery_to)
    ensure_open(session, company_id, day)
    require_invoice_details(company, customer)
    if not lines:
        raise InvalidInput("an invoice needs at least one line")
    priced = []
    for line in lines:
        if line.project_id is not None:
            get_project(session, company_id, line.project_id)  # the company's own, or UnknownProject
        code, rate = sales_vat(session, company, line.vat_code, day)
        priced.append(price_line(line, code, rate))
    postings = invoice_postings(priced, company.vat_registered, customer_id=customer.id)
    number = next_number(session, company_id, INVOICE_SERIES, first=FIRST_INVOICE_NUMBER)
    return _issue(
        session,
        Invoice(
            number=number,
            kind="invoice",
            due_date=day + dt.timedelta(days=company.payment_terms_days),
            delivery_from=first,
            delivery_date=last,
            kid=invoice_kid(customer.number, number, company.kid_method),
            language=_language(language),
            buyer_reference=buyer_reference.strip()[:200],
        ),
        customer,
        day,
        priced,
        postings,
        description=f"Faktura {number} {customer.name}",
        channel=channel,
        created_by_id=created_by_id,
        source=source or f"invoice:{number}",
    )


def _issue(
    session: Session,
    invoice: Invoice,
    customer: Customer,
    day: dt.date,
    lines: Sequence[PricedLine],
    postings: Sequence[Posting],
    *,
    description: str,
    channel: str,
    created_by_id: int | None,
    source: str,
    totals: InvoiceTotals | None = None,
    credits_lines: Sequence[int | None] = (),
) -> Invoice:
    """Posts the entry of an invoice or credit note (numbered, with its own terms) and stores
    it with `lines`, issued to `customer` on `day`, for what the lines come to (or `totals`);
    a credit note's lines point at the invoice lines they credit (`credits_lines`)."""
    entry = post_entry(
        session,
        customer.company_id,
        day,
        description,
        postings,
        channel=_channel(channel),
        created_by_id=created_by_id,
        source=source,
    )
    totals = totals or invoice_totals(lines)
    invoice.company_id = customer.company_id
    invoice.customer_id = customer.id
    invoice.issue_date = day
    invoice.net, invoice.vat, invoice.total = totals.net, totals.vat, totals.total
    invoice.status = "issued"
    invoice.journal_entry_id = entry.id
    invoice.created_by_id = created_by_id
    shares = line_vat_shares(lines, totals)
    credited = list(credits_lines) or [None] * len(lines)
    invoice.lines = [
        InvoiceLineRow(**asdict(line), vat=share, credits_line_id=credits)
        for line, share, credits in zip(lines, shares, credited, strict=True)
    ]
    session.add(invoice)
    session.flush()
    return invoice


class Issuing(TypedDict, total=False):
    """When, by whom, through which channel and in which language an invoice is issued: the
    keyword arguments every way of invoicing passes on to `issue_invoice`."""

    issue_date: dt.date | None
    delivery_from: dt.date | None
    delivery_to: dt.date | None
    created_by_id: int | None
    channel: str
    source: str
    language: str | None


def _hourly_rate(customer: Customer, project: Project | None, rate: Decimal | int | str | None) -> Money:
    if rate is not None and rate != "":
        value = money(rate)
        if value <= 0:
            raise InvalidAmount("an hourly rate is more than zero", value=str(rate))
        return value
    known = billing_rate(project) if project is not None else customer.hourly_rate
    if known is None:
        raise InvalidInput(
            "no hourly rate is known: give one, or set it on the project or the customer",
            customer=customer.name,
            project=project.name if project else None,
        )
    return known


def invoice_hours(
    session: Session,
    company_id: int,
    customer_id: int,
    hours: Decimal | int | str,
    *,
    rate: Decimal | int | str | None = None,
    project_id: int | None = None,
    description: str | None = None,
    vat_code: str | None = None,
    **issuing: Unpack[Issuing],
) -> Invoice:
    """Invoice a number of hours (not from the timesheet) at `rate`, or at the project's or
    customer's rate; the line is described by `description` or the project's name."""
    customer = get_customer(session, company_id, customer_id)
    project = get_project(session, company_id, project_id) if project_id is not None else None
    text = description or (project.name if project else "")
    if not text.strip():
        raise InvalidInput("say what the hours were for", field="description")
    line = SaleLine(
        description=text,
        quantity=quantity_value(hours),
        unit_price=_hourly_rate(customer, project, rate),
        vat_code=vat_code,
        unit=HOURS_UNIT,
        project_id=project.id if project else None,
    )
    return issue_invoice(session, company_id, customer.id, [line], **issuing)


def invoice_amount(
    session: Session,
    company_id: int,
    customer_id: int,
    amount: Decimal | int | str,
    description: str,
    *,
    vat_code: str | None = None,
    project_id: int | None = None,
    **issuing: Unpack[Issuing],
) -> Invoice:
    """Invoice a fixed amount before VAT ("fakturer Bergen Bakeri 12 000 for kassesystem")."""
    if project_id is not None:
        get_project(session, company_id, project_id)
    line = SaleLine(
        description=description,
        quantity=Decimal("1"),
        unit_price=money(amount),
        vat_code=vat_code,
        project_id=project_id,
    )
    return issue_invoice(session, company_id, customer_id, [line], **issuing)


def invoice_unbilled_hours(
    session: Session,
    company_id: int,
    *,
    project_id: int | None = None,
    customer_id: int | None = None,
    vat_code: str | None = None,
    **issuing: Unpack[Issuing],
) -> Invoice:
    """Invoice every billable, unbilled hour of a project (or of all a customer's projects)
    up to the issue date, one line per project at its rate; the time entries get the invoice
    in the same transaction. NothingToInvoice when there are none."""
    if (project_id is None) == (customer_id is None):
        raise InvalidInput("invoice the hours of one project or of one customer")
    day = issuing.get("issue_date") or clock.today()
    if project_id is not None:
        project = get_project(session, company_id, project_id)
        if project.customer_id is None:
            raise InvalidInput(f"the project {project.name} has no customer to invoice", project=project.name)
        customer = get_customer(session, company_id, project.customer_id)
    else:
        assert customer_id is not None
        customer = get_customer(session, company_id, customer_id)
    entries = unbilled_entries(
        session, company_id, project_id=project_id, customer_id=customer_id, through=day, lock=True
    )
    if not entries:
        raise NothingToInvoice(f"no unbilled hours for {customer.name}", customer=customer.name)
    by_project: dict[int, list[TimeEntry]] = {}
    for entry in entries:
        by_project.setdefault(entry.project_id, []).append(entry)
    lines = []
    for group in by_project.values():
        project = group[0].project
        lines.append(
            SaleLine(
                description=project.name,
                quantity=sum((e.hours for e in group), Decimal("0")),
                unit_price=_hourly_rate(customer, project, None),
                vat_code=vat_code,
                unit=HOURS_UNIT,
                project_id=project.id,
            )
        )
    issuing["issue_date"] = day
    # The hours are the delivery: from the first day worked to the last.
    issuing["delivery_from"] = min(e.date for e in entries)
    issuing["delivery_to"] = max(e.date for e in entries)
    invoice = issue_invoice(session, company_id, customer.id, lines, **issuing)
    for entry in entries:
        entry.invoice_id = invoice.id
    session.flush()
    return invoice


# --------------------------------------------------------------------------------------------
# Finding invoices and their state


def get_invoice(session: Session, company_id: int, number: int, *, lock: bool = False) -> Invoice:
    """The company's invoice or credit note with this number; UnknownInvoice if none."""
    stmt = select(Invoice).where(Invoice.company_id == company_id, Invoice.number == number)
    if lock:
        stmt = stmt.with_for_update()
    invoice = session.scalars(stmt).one_or_none()
    if invoice is None:
        raise UnknownInvoice(f"no invoice number {number}", number=number)
    return invoice


def invoice_by_kid(session: Session, company_id: int, kid: str) -> Invoice | None:
    """The company's invoice with this KID, if any."""
    cleaned = kid.strip().replace(" ", "")
    if not cleaned:
        return None
    return session.scalars(
        select(Invoice).where(Invoice.company_id == company_id, Invoice.kid == cleaned, Invoice.kind == "invoice")
    ).first()


def paid_amount(session: Session, invoice: Invoice) -> Money:
    """What has been paid on the invoice so far."""
    total = session.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.invoice_id == invoice.id))
    return Decimal(total or 0).quantize(Decimal("0.01"))


def paid_amounts(session: Session, company_id: int) -> dict[int, Money]:
    """What has been paid on each of the company's invoices (by invoice id)."""
    rows = session.execute(
        select(Payment.invoice_id, func.sum(Payment.amount))
        .where(Payment.company_id == company_id)
        .group_by(Payment.invoice_id)
    ).all()
    return {invoice_id: Decimal(amount).quantize(Decimal("0.01")) for invoice_id, amount in rows}


def open_amount(invoice: Invoice, paid: Money) -> Money:
    """What is still owed on an invoice after `paid` and what credit notes took off it (zero
    for a credited one or a credit note, never below zero)."""
    if invoice.kind != "invoice" or invoice.status == "credited":
        return ZERO
    return max(invoice.total - invoice.credited - paid, ZERO)


def owed_on(session: Session, invoice: Invoice) -> Money:
    """What is still owed on one invoice now (zero for a credited one or a credit note)."""
    return open_amount(invoice, paid_amount(session, invoice))


def public_status(invoice: Invoice) -> str:
    """The status callers see: "sent" or "unpaid" while money is owed (sent to the customer
    or not yet), "paid", "credited"; a credit note is "issued"."""
    if invoice.kind == "credit_note":
        return "issued"
    if invoice.status == "issued":
        return "unpaid"
    return invoice.status


def list_invoices(
    session: Session,
    company_id: int,
    *,
    status: str | None = None,
    customer_id: int | None = None,
    include_credit_notes: bool = True,
) -> list[Invoice]:
    """The company's invoices by number, optionally by status: "draft" (none: invoices are
    posted when issued), "sent", "unpaid" (issued or sent with money owed), "paid", "credited"."""
    stmt = select(Invoice).where(Invoice.company_id == company_id)
    if customer_id is not None:
        stmt = stmt.where(Invoice.customer_id == customer_id)
    if status is not None:
        if status not in PUBLIC_STATUSES:
            raise InvalidInput(f"unknown invoice status {status!r}", status=status)
        stmt = stmt.where(Invoice.kind == "invoice", Invoice.status.in_(STORED_STATUSES[status]))
    elif not include_credit_notes:
        stmt = stmt.where(Invoice.kind == "invoice")
    return list(session.scalars(stmt.order_by(Invoice.number)))


def mark_sent(session: Session, company_id: int, number: int, *, at: dt.datetime | None = None) -> Invoice:
    """Record that the invoice went to the customer; an open invoice becomes "sent"."""
    invoice = get_invoice(session, company_id, number, lock=True)
    when = at or clock.now()
    if when.tzinfo is None:
        raise InvalidInput("give the time the invoice was sent with a timezone")
    if invoice.sent_at is None:
        invoice.sent_at = when
    if invoice.status == "issued" and invoice.kind == "invoice":
        invoice.status = "sent"
    session.flush()
    return invoice


# --------------------------------------------------------------------------------------------
# Credit notes and payments


def can_be_credited(invoice: Invoice) -> bool:
    """Whether a credit note can still be issued for `invoice`: an invoice, not a credit
    note, with something left that earlier credit notes did not take (paid or not: what is
    credited of a paid invoice is paid back)."""
    return invoice.kind == "invoice" and invoice.status != "credited"


def _open_invoice(session: Session, company_id: int, number: int) -> Invoice:
    """Invoice `number`, locked for the change: an invoice, not a credit note, and not
    credited (InvoiceNotOpen)."""
    invoice = get_invoice(session, company_id, number, lock=True)
    if invoice.kind != "invoice":
        raise InvoiceNotOpen(f"{number} is a credit note", number=number)
    if invoice.status == "credited":
        raise InvoiceNotOpen(f"invoice {number} is credited", number=number)
    return invoice


@dataclass(frozen=True)
class CreditLine:
    """Which part of an invoice to credit.

    Attributes:
      line: the line's position on the invoice, from 1.
      quantity: how much of its quantity (hours, pieces); None for all that is left of it.
      amount: instead of a quantity, an amount before VAT off the line ("a discount of 500").
    """

    line: int
    quantity: Decimal | int | str | None = None
    amount: Money | int | str | None = None


def credited_on_lines(session: Session, invoice: Invoice) -> dict[int, tuple[Decimal, Money]]:
    """What earlier credit notes took off each line of `invoice` (by line id): the quantity
    credited as quantity, and the amount before VAT credited in all."""
    notes = session.scalars(select(Invoice).where(Invoice.credits_id == invoice.id, Invoice.kind == "credit_note"))
    taken: dict[int, tuple[Decimal, Money]] = {}
    by_id = {line.id: line for line in invoice.lines}
    for note in notes:
        for row in note.lines:
            if row.credits_line_id is None or row.credits_line_id not in by_id:
                continue
            original = by_id[row.credits_line_id]
            quantity, net = taken.get(row.credits_line_id, (Decimal("0"), ZERO))
            same_unit = (row.unit, row.unit_price) == (original.unit, original.unit_price)
            taken[row.credits_line_id] = (quantity + (row.quantity if same_unit else 0), net + row.net)
    return taken


NOTHING_TAKEN: tuple[Decimal, Money] = (Decimal("0"), ZERO)


def _left_of(line: InvoiceLineRow, taken: tuple[Decimal, Money]) -> tuple[Decimal, Money]:
    return line.quantity - taken[0], line.net - taken[1]


def _credit_lines(
    session: Session,
    invoice: Invoice,
    parts: Sequence[CreditLine] | None,
    hours: Decimal | int | str | None,
    amount: Money | int | str | None,
) -> list[tuple[PricedLine, int]]:
    """The credit note's lines, each with the id of the invoice line it credits: every line's
    remainder (nothing said), the `parts` named, `hours` off the invoice's one line of hours,
    or an `amount` before VAT off its one line. Never more than is left of a line."""
    rows = list(invoice.lines)
    taken = credited_on_lines(session, invoice)
    if hours not in (None, ""):
        hour_lines = [i + 1 for i, row in enumerate(rows) if row.unit == HOURS_UNIT]
        if len(hour_lines) != 1 and not parts:
            raise InvalidInput(
                f"invoice {invoice.number} has {len(hour_lines)} lines of hours: say which line", field="lines"
            )
        target = parts[0].line if parts else hour_lines[0]
        parts = [CreditLine(target, quantity=hours)]
    elif amount not in (None, ""):
        if len(rows) != 1 and not parts:
            raise InvalidInput(f"invoice {invoice.number} has {len(rows)} lines: say which line", field="lines")
        parts = [CreditLine(parts[0].line if parts else 1, amount=amount)]
    elif not parts:
        parts = [
            CreditLine(i + 1) for i, row in enumerate(rows) if _left_of(row, taken.get(row.id, NOTHING_TAKEN))[1] > 0
        ]
        if not parts:
            raise InvoiceNotOpen(f"invoice {invoice.number} is credited", number=invoice.number)
    chosen: list[tuple[PricedLine, int]] = []
    seen: set[int] = set()
    for part in parts:
        if not isinstance(part.line, int) or isinstance(part.line, bool) or not 1 <= part.line <= len(rows):
            raise InvalidInput(f"invoice {invoice.number} has no line {part.line}", field="lines", line=part.line)
        if part.line in seen:
            raise InvalidInput(f"line {part.line} is named twice", field="lines", line=part.line)
        seen.add(part.line)
        row = rows[part.line - 1]
        left_quantity, left_net = _left_of(row, taken.get(row.id, NOTHING_TAKEN))
        original = as_value(PricedLine, row)
        if part.amount not in (None, ""):
            net = money(part.amount) if part.amount is not None else ZERO
            if net <= 0:
                raise InvalidAmount("the amount to credit is more than zero", value=str(part.amount))
            line = PricedLine(**{**asdict(original), "quantity": Decimal("1.00"), "unit": EACH_UNIT,
                                 "unit_price": net, "net": net})
        elif part.quantity in (None, ""):
            if left_quantity == row.quantity and left_net == row.net:
                line = original
            elif round_money(left_quantity * row.unit_price) == left_net:
                line = PricedLine(**{**asdict(original), "quantity": left_quantity, "net": left_net})
            else:
                line = PricedLine(**{**asdict(original), "quantity": Decimal("1.00"), "unit": EACH_UNIT,
                                     "unit_price": left_net, "net": left_net})
        else:
            quantity = quantity_value(part.quantity)
            if quantity > left_quantity:
                raise InvalidAmount(
                    f"line {part.line} has {left_quantity} left to credit, less than {quantity}",
                    value=str(part.quantity), left=str(left_quantity),
                )
            line = PricedLine(**{**asdict(original), "quantity": quantity,
                                 "net": round_money(quantity * row.unit_price)})
        if line.net > left_net or line.net <= 0:
            raise InvalidAmount(
                f"line {part.line} has {left_net:.2f} left to credit, not {line.net:.2f}",
                value=f"{line.net:.2f}", left=f"{left_net:.2f}",
            )
        chosen.append((line, row.id))
    return chosen


def _credit_totals(session: Session, invoice: Invoice, lines: Sequence[PricedLine]) -> InvoiceTotals:
    """What a credit note of `lines` comes to. Its VAT per rate is what that rate's VAT on all
    credited so far comes to, less what earlier credit notes credited, so that credit notes
    which together credit the whole invoice credit exactly its VAT, to the øre."""
    earlier = [
        as_value(PricedLine, row)
        for note in session.scalars(
            select(Invoice).where(Invoice.credits_id == invoice.id, Invoice.kind == "credit_note")
        )
        for row in note.lines
    ]
    before = {(t.code, t.rate): t for t in invoice_totals(earlier).vat_totals} if earlier else {}
    after = {(t.code, t.rate): t for t in invoice_totals([*earlier, *lines]).vat_totals}
    mine = invoice_totals(lines)
    vat_totals = tuple(
        VatTotal(t.code, t.rate, t.base, after[(t.code, t.rate)].vat - (
            before[(t.code, t.rate)].vat if (t.code, t.rate) in before else ZERO))
        for t in mine.vat_totals
    )
    vat = sum((t.vat for t in vat_totals), ZERO)
    return InvoiceTotals(net=mine.net, vat_totals=vat_totals, vat=vat, total=mine.net + vat)


def _settle_status(session: Session, invoice: Invoice) -> None:
    """The invoice's status from what is left of it: "credited" when credit notes took all of
    it, "paid" when nothing is owed, else "sent" or "issued"."""
    taken = credited_on_lines(session, invoice)
    if all(_left_of(row, taken.get(row.id, NOTHING_TAKEN))[1] <= 0 for row in invoice.lines):
        invoice.status = "credited"
    elif invoice.total - invoice.credited - paid_amount(session, invoice) <= 0:
        invoice.status = "paid"
    else:
        invoice.status = "sent" if invoice.sent_at is not None else "issued"


def refund_due(credited: Money, owed: Money) -> Money:
    """What a credit note of `credited` (incl. VAT) pays back to the customer on an invoice
    with `owed` still owed: what it takes off beyond what is owed was paid already."""
    return max(credited - owed, ZERO)


def credit_base(session: Session, invoice: Invoice, gross: Money | int | str, line: int | None = None) -> Money:
    """The amount before VAT to credit off `line` of `invoice` (its position from 1; the
    invoice's only line when None) for a credit note of `gross` including VAT ("refund 500
    kr": 500 kr leaves the bank). At 25 % VAT an øre of base moves the total by one or two
    øre, so some totals cannot be met exactly: then the nearest below, never more than said.
    The VAT is worked out as `credit_invoice` works it out (on all credited so far), so the
    credit note comes to what this promised."""
    total = money(gross)
    if total <= 0:
        raise InvalidAmount("the amount to credit is more than zero", value=str(gross))
    rows = list(invoice.lines)
    if line is None:
        if len(rows) != 1:
            raise InvalidInput(f"invoice {invoice.number} has {len(rows)} lines: say which line", field="lines")
        line = 1
    if not 1 <= line <= len(rows):
        raise InvalidInput(f"invoice {invoice.number} has no line {line}", field="lines", line=line)
    original = as_value(PricedLine, rows[line - 1])
    guess = round_money(total * 100 / (100 + original.vat_rate))
    best: tuple[Money, Money] | None = None
    for step in range(-3, 4):
        net = guess + CENT * step
        if net <= 0:
            continue
        priced = PricedLine(**{**asdict(original), "quantity": Decimal("1.00"), "unit": EACH_UNIT,
                               "unit_price": net, "net": net})
        comes_to = _credit_totals(session, invoice, [priced]).total
        if comes_to <= total and (best is None or comes_to > best[1]):
            best = (net, comes_to)
    if best is None:
        raise InvalidAmount(f"{total:.2f} is too little to credit", value=str(gross))
    return best[0]


@dataclass(frozen=True)
class RefundSource:
    """An invoice that money paid back to its customer can be credited off.

    Attributes:
      number: the invoice's number.
      line: the line credited, by its position from 1.
      net: the amount before VAT credited off that line (see `credit_base`).
      issue_date: when the invoice was issued.
      total: the invoice's total including VAT.
      paid: what the customer has paid on it, less what was paid back before.
    """

    number: int
    line: int
    net: Money
    issue_date: dt.date
    total: Money
    paid: Money


def refund_sources(session: Session, company_id: int, customer_id: int, gross: Money | int | str) -> list[RefundSource]:
    """The customer's invoices that `gross` (incl. VAT) can be paid back from, latest first:
    paid in full (so the whole credit is money back, none of it a debt forgiven), with at
    least `gross` paid on it, and a line with enough left to credit (the first such line)."""
    total = money(gross)
    if total <= 0:
        raise InvalidAmount("the amount to refund is more than zero", value=str(gross))
    invoices = session.scalars(
        select(Invoice)
        .where(Invoice.company_id == company_id, Invoice.customer_id == customer_id, Invoice.kind == "invoice",
               Invoice.status != "credited")
        .order_by(Invoice.issue_date.desc(), Invoice.number.desc())
    )
    found: list[RefundSource] = []
    for invoice in invoices:
        paid = paid_amount(session, invoice)
        if open_amount(invoice, paid) > 0 or paid < total:
            continue
        taken = credited_on_lines(session, invoice)
        for position, row in enumerate(invoice.lines, start=1):
            net = credit_base(session, invoice, total, position)
            if net <= _left_of(row, taken.get(row.id, NOTHING_TAKEN))[1]:
                found.append(RefundSource(invoice.number, position, net, invoice.issue_date, invoice.total, paid))
                break
    return found


def credit_invoice(
    session: Session,
    company_id: int,
    number: int,
    *,
    lines: Sequence[CreditLine] | None = None,
    hours: Decimal | int | str | None = None,
    amount: Money | int | str | None = None,
    refund: bool = False,
    credit_date: dt.date | None = None,
    created_by_id: int | None = None,
    channel: str = "api",
    source: str = "",
) -> Invoice:
    """Issue a credit note (the next number of the same series) for invoice `number`: all
    that is left of it, or the `lines` named, `hours` off its line of hours, or an `amount`
    before VAT off its one line (or the one line named); post its mirror entry. The credit
    note shows the invoice's delivery. An invoice credited in full is "credited" and the
    hours it billed are billable again (a part credit leaves them billed).

    What the credit note takes off beyond what is still owed was paid already: with
    `refund` it is paid back to the customer in the same transaction (1500 / 1920), without
    it the credit is refused (InvoiceNotOpen), so money paid is never left unaccounted for.
    Refused for a credit note and an invoice already credited (InvoiceNotOpen), and for more
    than is left of a line (InvalidAmount)."""
    company = company_by_id(session, company_id)
    invoice = _open_invoice(session, company_id, number)
    customer = get_customer(session, company_id, invoice.customer_id)
    day = credit_date or clock.today()
    ensure_open(session, company_id, day)
    require_invoice_details(company, customer)
    chosen = _credit_lines(session, invoice, lines, hours, amount)
    priced = [line for line, _ in chosen]
    totals = _credit_totals(session, invoice, priced)
    paid = paid_amount(session, invoice)
    owed = open_amount(invoice, paid)
    to_refund = refund_due(totals.total, owed)
    if to_refund > 0 and not refund:
        raise InvoiceNotOpen(
            f"invoice {number} has {paid:.2f} paid on it; crediting {totals.total:.2f} pays back "
            f"{to_refund:.2f}: ask for the refund with the credit",
            number=number,
            paid=f"{paid:.2f}",
            refund=f"{to_refund:.2f}",
        )
    credit_number = next_number(session, company_id, INVOICE_SERIES, first=FIRST_INVOICE_NUMBER)
    note = _issue(
        session,
        Invoice(
            number=credit_number,
            kind="credit_note",
            due_date=day,
            delivery_from=invoice.delivery_from or invoice.delivery_date or invoice.issue_date,
            delivery_date=invoice.delivery_date or invoice.issue_date,
            kid="",
            language=invoice.language,
            credits_id=invoice.id,
            buyer_reference=invoice.buyer_reference,
        ),
        customer,
        day,
        priced,
        credit_note_postings(priced, company.vat_registered, customer_id=customer.id, totals=totals),
        description=f"Kreditnota {credit_number} for faktura {number} {customer.name}",
        channel=channel,
        created_by_id=created_by_id,
        source=source or f"credit-note:{credit_number}",
        totals=totals,
        credits_lines=[line_id for _, line_id in chosen],
    )
    invoice.credited = invoice.credited + totals.total
    if to_refund > 0:
        _refund(session, invoice, customer, to_refund, day, created_by_id=created_by_id, channel=channel,
                source=f"{source or f'credit-note:{credit_number}'}:refund")
    _settle_status(session, invoice)
    if invoice.status == "credited":
        # The hours the invoice billed are billable again: a credited invoice bills nothing.
        for entry_row in session.scalars(select(TimeEntry).where(TimeEntry.invoice_id == invoice.id)):
            entry_row.invoice_id = None
    session.flush()
    return note


def _refund(
    session: Session,
    invoice: Invoice,
    customer: Customer,
    amount: Money,
    day: dt.date,
    *,
    created_by_id: int | None,
    channel: str,
    source: str,
) -> Payment:
    """Pays `amount` back to the customer on `invoice`: posted 1500 / 1920 and kept as a
    negative payment, so the invoice's history shows it."""
    entry = post_entry(
        session,
        invoice.company_id,
        day,
        f"Tilbakebetaling faktura {invoice.number} {customer.name}",
        refund_postings(amount, customer_id=customer.id),
        channel=_channel(channel),
        created_by_id=created_by_id,
        source=source,
    )
    payment = Payment(
        company_id=invoice.company_id, invoice_id=invoice.id, date=day, amount=-amount, journal_entry_id=entry.id
    )
    session.add(payment)
    session.flush()
    return payment


def register_payment(
    session: Session,
    company_id: int,
    number: int,
    amount: Decimal | int | str,
    payment_date: dt.date | None = None,
    *,
    created_by_id: int | None = None,
    channel: str = "api",
    source: str = "",
) -> Payment:
    """Record money received on invoice `number` and post it (1920 / 1500). Part payments are
    fine; more than is owed is refused (Overpayment); the invoice is "paid" when nothing is
    owed. A date in a closed period is refused (PeriodLocked)."""
    value = money(amount)
    if value <= 0:
        raise InvalidAmount("a payment is more than zero", value=str(amount))
    invoice = _open_invoice(session, company_id, number)
    owed = owed_on(session, invoice)
    if value > owed:
        raise Overpayment(
            f"invoice {number} has {owed:.2f} owed, less than {value:.2f}",
            number=number,
            owed=f"{owed:.2f}",
            amount=f"{value:.2f}",
        )
    day = payment_date or clock.today()
    ensure_open(session, company_id, day)
    customer = get_customer(session, company_id, invoice.customer_id)
    entry = post_entry(
        session,
        company_id,
        day,
        f"Innbetaling faktura {number} {customer.name}",
        payment_postings(value, customer_id=customer.id),
        channel=_channel(channel),
        created_by_id=created_by_id,
        source=source or f"payment:invoice:{number}",
    )
    payment = Payment(company_id=company_id, invoice_id=invoice.id, date=day, amount=value, journal_entry_id=entry.id)
    session.add(payment)
    if value == owed:
        invoice.status = "paid"
    session.flush()
    return payment


def reverse_payment(
    session: Session,
    company_id: int,
    payment_id: int,
    *,
    reversal_date: dt.date | None = None,
    created_by_id: int | None = None,
    channel: str = "api",
    source: str = "",
) -> JournalEntry:
    """Take back a payment registered by mistake ("angre"): its entry is reversed (dated
    today by default) and a negative payment dated with the reversal keeps the invoice's
    history, so it is owed again. Returns the reversing entry."""
    payment = session.get(Payment, payment_id)
    if payment is None or payment.company_id != company_id or payment.amount <= 0:
        raise NotFound(f"no payment {payment_id}", payment_id=payment_id)
    if payment.journal_entry_id is None:
        raise InvalidInput(f"payment {payment_id} was never posted", payment_id=payment_id)
    invoice = session.scalars(select(Invoice).where(Invoice.id == payment.invoice_id).with_for_update()).one()
    entry = session.get(JournalEntry, payment.journal_entry_id)
    assert entry is not None
    reversal = reverse_entry(
        session,
        entry,
        channel=_channel(channel),
        created_by_id=created_by_id,
        date=reversal_date or clock.today(),
        source=source,
    )
    session.add(
        Payment(
            company_id=company_id,
            invoice_id=invoice.id,
            date=reversal.date,
            amount=-payment.amount,
            journal_entry_id=reversal.id,
        )
    )
    if invoice.status == "paid":
        invoice.status = "sent" if invoice.sent_at is not None else "issued"
    session.flush()
    return reversal


# --------------------------------------------------------------------------------------------
# The document


def invoice_document(session: Session, invoice: Invoice) -> InvoiceDocument:
    """The invoice or credit note as the documents package's value (for its PDF and EHF)."""
    company = company_by_id(session, invoice.company_id)
    customer = get_customer(session, invoice.company_id, invoice.customer_id)
    creator = session.get(User, invoice.created_by_id) if invoice.created_by_id is not None else None
    lines = tuple(as_value(DocumentLine, line) for line in invoice.lines)
    last = invoice.delivery_date or invoice.issue_date
    first = invoice.delivery_from or last
    credited = session.get(Invoice, invoice.credits_id) if invoice.credits_id is not None else None
    language: Language = "en" if invoice.language == "en" else "nb"
    return InvoiceDocument(
        kind="credit_note" if invoice.kind == "credit_note" else "invoice",
        number=str(invoice.number),
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        seller=party_of(company, contact_name=creator.name if creator else None),
        buyer=party_of(customer),
        lines=lines,
        vat_breakdown=vat_breakdown(lines),
        net=invoice.net,
        vat=invoice.vat,
        total=invoice.total,
        kid=(invoice.kid or None) if invoice.kind == "invoice" else None,
        # One day is a delivery date; more are a period (the PDF and EHF say which).
        delivery_start=first if first != last else None,
        delivery_end=last,
        language=language,
        credited_invoice_number=str(credited.number) if credited else None,
        credited_invoice_date=credited.issue_date if credited else None,
        buyer_reference=invoice.buyer_reference or None,
    )
