"""What documents and exports are made of: plain, frozen values, free of the database.

The ledger maps its rows to these values; every document and export in this package is a
function of them alone, so each can be tested with values built by hand. Money is ``Decimal``
kroner with two decimals (øre), never ``float``.

VAT codes are the SAF-T standard tax codes the ledger posts with (``Standard_Tax_Codes.csv``):
sales "3" (25 %), "31" (15 %), "33" (12 %), "5" (0 %, zero-rated, *fritatt*) and "6" (outside
the VAT act, *utenfor*); "" marks a line sold by a seller that is not VAT-registered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from ledger import clock

Money = Decimal
"""NOK with two decimals."""

Orgnr = str
"""A Norwegian organisation number: nine digits, MOD11 checked (``stdnum.no.orgnr``)."""

AccountNumber = str
"""An NS 4102 account number, e.g. "1920"."""

VatCode = str
"""A SAF-T standard tax code, e.g. "3"; "" when the seller is not VAT-registered."""

DocumentKind = Literal["invoice", "credit_note"]
Language = Literal["nb", "en"]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Party:
    """A seller or a buyer as a document shows it.

    Attributes:
      name: The registered name ("Fjord Consulting AS").
      orgnr: Nine-digit organisation number; None for a private person (no EHF possible).
      vat_registered: True when registered in Merverdiavgiftsregisteret: the orgnr is then
        shown followed by "MVA" and the EHF carries the VAT identifier "NO<orgnr>MVA".
      address_lines: Street address, one line each (usually one).
      postcode: Norwegian four-digit postcode, or the foreign equivalent.
      city: Post town.
      country: ISO 3166-1 alpha-2 code, "NO" by default.
      email: Where invoices go (buyer) or where questions go (seller); may be None.
      bank_account: The seller's account for payment (11 digits); None for buyers.
      is_as: True for an aksjeselskap (AS/ASA): its documents must show "Foretaksregisteret"
        (foretaksregisterloven § 10-2, EHF rule NO-R-002).
      contact_name: A person to ask, shown as "Vår referanse" / "Our reference"; may be None.
      phone: A telephone number; may be None.
    """

    name: str
    orgnr: Orgnr | None = None
    vat_registered: bool = False
    address_lines: tuple[str, ...] = ()
    postcode: str = ""
    city: str = ""
    country: str = "NO"
    email: str | None = None
    bank_account: str | None = None
    is_as: bool = False
    contact_name: str | None = None
    phone: str | None = None

    @property
    def street(self) -> tuple[str, str]:
        """The street line and, joined by commas, any further address lines ("" when none)."""
        lines = [line for line in self.address_lines if line.strip()]
        return (lines[0] if lines else "", ", ".join(lines[1:]))


@dataclass(frozen=True)
class InvoiceLine:
    """One line of an invoice or credit note.

    Attributes:
      description: What was delivered ("Rådgivning, oktober").
      quantity: How many units, e.g. Decimal("7.5") hours.
      unit: UN/ECE recommendation 20 unit code: "HUR" hours, "EA" each, "DAY" days...
      unit_price: Price per unit before VAT.
      vat_code: SAF-T standard tax code of the sale ("3", "31", "33", "5", "6"), "" when the
        seller is not VAT-registered.
      vat_rate: The rate in percent for that code on the delivery date (25, 15, 12 or 0).
      net: The line amount before VAT, normally ``quantity * unit_price`` rounded to øre.
      delivery_date: When it was delivered; None when the invoice's delivery period says it.
    """

    description: str
    quantity: Decimal
    unit: str
    unit_price: Money
    vat_code: VatCode
    vat_rate: Decimal
    net: Money
    delivery_date: dt.date | None = None


@dataclass(frozen=True)
class VatBreakdown:
    """The VAT of one code and rate on a document ("MVA 25 % av 5 000,00 = 1 250,00").

    Attributes:
      code: The SAF-T standard tax code, as on the lines.
      rate: The rate in percent.
      base: The sum of the net amounts of the lines with this code and rate.
      vat: ``base * rate / 100`` rounded half up to øre.
    """

    code: VatCode
    rate: Decimal
    base: Money
    vat: Money


@dataclass(frozen=True)
class InvoiceDocument:
    """Everything an invoice or credit note shows (bokføringsforskriften § 5-1-1 ff.).

    Amounts are as printed: a credit note's lines and totals are positive amounts credited.

    Attributes:
      kind: "invoice" or "credit_note".
      number: The number in the company's unbroken series, e.g. "10023".
      issue_date: The invoice date.
      due_date: When payment is due (default 14 days after the issue date).
      delivery_start: First day of the delivery period; None with no period.
      delivery_end: Last day of the delivery period (or the single delivery date); None when
        each line carries its own date.
      seller: The company issuing the document; its ``bank_account`` is where to pay.
      buyer: The customer.
      lines: The lines, at least one.
      vat_breakdown: One entry per VAT code and rate, see :func:`vat_breakdown`.
      net: Sum of the line amounts.
      vat: Sum of the VAT of the breakdown.
      total: ``net + vat``, the amount to pay (or credited).
      kid: The customer identification number (KID) to pay with; None for a credit note.
      currency: ISO 4217 code; always "NOK" today.
      language: "nb" or "en": the language of the PDF and e-mail.
      credited_invoice_number: For a credit note, the number of the invoice it credits.
      credited_invoice_date: For a credit note, that invoice's issue date, when known.
      buyer_reference: The buyer's reference ("Deres referanse"), e.g. a person or cost centre.
      order_reference: The buyer's order number, when there is one.
      note: A free text printed on the document (and sent as the EHF note).
    """

    kind: DocumentKind
    number: str
    issue_date: dt.date
    due_date: dt.date
    seller: Party
    buyer: Party
    lines: tuple[InvoiceLine, ...]
    vat_breakdown: tuple[VatBreakdown, ...]
    net: Money
    vat: Money
    total: Money
    kid: str | None = None
    delivery_start: dt.date | None = None
    delivery_end: dt.date | None = None
    currency: str = "NOK"
    language: Language = "nb"
    credited_invoice_number: str | None = None
    credited_invoice_date: dt.date | None = None
    buyer_reference: str | None = None
    order_reference: str | None = None
    note: str | None = None

    @property
    def is_credit_note(self) -> bool:
        return self.kind == "credit_note"

    def file_name(self, extension: str) -> str:
        """The document's file name in its language: ``faktura-10023.pdf``,
        ``invoice-10023.xml``, ``kreditnota-10024.pdf``, ``credit-note-10024.pdf``."""
        word = _DOCUMENT_WORDS[(self.kind, self.language)]
        return f"{word}-{self.number}.{extension}"


_DOCUMENT_WORDS: dict[tuple[DocumentKind, Language], str] = {
    ("invoice", "nb"): "faktura",
    ("invoice", "en"): "invoice",
    ("credit_note", "nb"): "kreditnota",
    ("credit_note", "en"): "credit-note",
}


def round_money(value: Decimal) -> Money:
    """``value`` rounded half up to øre, as Norwegian invoices round."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def vat_breakdown(lines: Iterable[InvoiceLine]) -> tuple[VatBreakdown, ...]:
    """The VAT per code and rate of ``lines``, highest rate first.

    VAT is computed on the sum of each rate's lines (not line by line), which is what the
    EHF rules check (BR-CO-17).
    """
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        key = (line.vat_code, line.vat_rate)
        bases[key] = bases.get(key, ZERO) + line.net
    return tuple(
        VatBreakdown(code, rate, round_money(base), round_money(base * rate / 100))
        for (code, rate), base in sorted(bases.items(), key=lambda item: (-item[0][1], item[0][0]))
    )


# --------------------------------------------------------------------------------------------
# Exports


AccountKind = Literal["asset", "liability", "equity", "income", "expense"]


@dataclass(frozen=True)
class AccountRow:
    """One account of the chart, with its balances for the exported period.

    Balances are signed: debit positive, credit negative.

    Attributes:
      number: The account number ("1920").
      name_nb: Norwegian name ("Bankinnskudd").
      name_en: English name ("Bank deposits").
      grouping_code: SAF-T 1.30 grouping code from the næringsspesifikasjon ("1920").
      kind: "asset", "liability", "equity", "income" or "expense".
      opening_balance: Balance at the start of the period.
      closing_balance: Balance at the end of the period.
      grouping_category: SAF-T grouping category ("balanseverdiForOmloepsmiddel"); "" to
        look it up from the grouping code.
    """

    number: AccountNumber
    name_nb: str
    name_en: str
    grouping_code: str
    kind: AccountKind
    opening_balance: Money = ZERO
    closing_balance: Money = ZERO
    grouping_category: str = ""


@dataclass(frozen=True)
class JournalLineRow:
    """One line of a journal entry: an amount on one account, debit or credit.

    Attributes:
      account: The account number.
      debit: The debit amount, or ZERO.
      credit: The credit amount, or ZERO. Exactly one of debit and credit is non-zero.
      description: The line's own text; "" to use the entry's.
      vat_code: The SAF-T standard tax code, when the line carries VAT or a VAT base.
      vat_base: The amount the VAT was computed from (on the VAT line) when known.
      vat_amount: The VAT of this line's base (on a revenue or cost line with a VAT code).
      customer_id: The customer's number, on receivable lines.
      supplier_id: The supplier's number, on payable lines.
    """

    account: AccountNumber
    debit: Money = ZERO
    credit: Money = ZERO
    description: str = ""
    vat_code: VatCode | None = None
    vat_base: Money | None = None
    vat_amount: Money | None = None
    customer_id: str | None = None
    supplier_id: str | None = None

    @property
    def amount(self) -> Money:
        """Signed amount: debit positive, credit negative."""
        return self.debit - self.credit


@dataclass(frozen=True)
class JournalEntryRow:
    """One posted journal entry (bilag).

    Attributes:
      voucher_number: The number in the company's unbroken series for the year.
      date: The posting date.
      description: What happened ("Faktura 10023 Fjord AS").
      created_at: When it was posted (aware datetime, UTC).
      created_by: Who posted it (a user's name), or "" for the system.
      channel: Through which channel: "telegram", "web", "api", "cli" or "import".
      lines: The lines; debits equal credits.
      source: Where it came from ("invoice 10023", a chat message id); may be "".
      reverses: The voucher number this entry reverses, if it is a reversal.
    """

    voucher_number: int
    date: dt.date
    description: str
    created_at: dt.datetime
    created_by: str
    channel: str
    lines: tuple[JournalLineRow, ...]
    source: str = ""
    reverses: int | None = None

    def totals(self) -> tuple[Money, Money]:
        """Its debits and its credits, each summed (equal when it balances)."""
        return sum((line.debit for line in self.lines), ZERO), sum((line.credit for line in self.lines), ZERO)


@dataclass(frozen=True)
class TaxCodeRow:
    """A VAT code the company has used, for the SAF-T tax table.

    Attributes:
      code: The company's code (we use the standard codes, so the same as ``standard_code``).
      standard_code: The SAF-T standard tax code.
      rate: The rate in percent; None when the code has no single rate.
      description: A description ("Utgående mva, alminnelig sats"); "" for the standard one.
      base_rate: The share of the base the rate applies to, in percent (100 normally).
      valid_from, valid_to: The days the rate is in force (either open); a code whose rate
        changed during the period has one row per rate (code 33: 6 % to 2021-09-30, then 12 %).
    """

    code: VatCode
    standard_code: VatCode
    rate: Decimal | None
    description: str = ""
    base_rate: Decimal = Decimal("100")
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the row's rate applies on `day`."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class CounterpartyRow:
    """A customer or a supplier, for the SAF-T master files.

    Attributes:
      number: The customer's or supplier's number in the company ("10001"), the file's
        CustomerID or SupplierID.
      party: Name, orgnr, address and e-mail.
      account: The receivable account ("1500") for a customer, the payable one ("2400") for a
        supplier.
      opening_balance: Balance on that account for this party at the period start (signed).
      closing_balance: The same at the period end.
    """

    number: str
    party: Party
    account: AccountNumber
    opening_balance: Money = ZERO
    closing_balance: Money = ZERO


@dataclass(frozen=True)
class CustomerRow(CounterpartyRow):
    """A customer, for the SAF-T master files (see :class:`CounterpartyRow`)."""

    account: AccountNumber = "1500"

    @property
    def customer_id(self) -> str:
        """The file's CustomerID: the customer's number."""
        return self.number


@dataclass(frozen=True)
class SupplierRow(CounterpartyRow):
    """A supplier, for the SAF-T master files (see :class:`CounterpartyRow`)."""

    account: AccountNumber = "2400"


@dataclass(frozen=True)
class SaftExportInput:
    """Everything a SAF-T Financial export of one company and period needs.

    Attributes:
      company: The company, as seller Party (orgnr required; VAT registration matters).
      fiscal_year: The accounting year, e.g. 2026.
      period_start: First day of the export (usually 1 January).
      period_end: Last day of the export.
      accounts: Every account with a balance or movement, with opening and closing balances.
      customers: The customers that appear in the entries.
      suppliers: The suppliers that appear in the entries.
      tax_codes: The VAT codes used.
      entries: The journal entries of the period, in voucher order.
      software_name: The product that made the file ("Bokbot").
      software_version: Its version.
      software_company: The maker of the product.
      created: The date the file was made.
      user_id: Who made it, when known.
    """

    company: Party
    fiscal_year: int
    period_start: dt.date
    period_end: dt.date
    accounts: tuple[AccountRow, ...]
    entries: tuple[JournalEntryRow, ...]
    customers: tuple[CustomerRow, ...] = ()
    suppliers: tuple[SupplierRow, ...] = ()
    tax_codes: tuple[TaxCodeRow, ...] = ()
    software_name: str = "Bokbot"
    software_version: str = "0.1.0"
    software_company: str = "Bokbot"
    created: dt.date = field(default_factory=clock.today)
    user_id: str | None = None
