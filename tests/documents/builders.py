"""Small builders for documents in the domain's words.

``line("Rådgivning", "7.5 HUR x 1200", vat="3")`` is a line of 7.5 hours at 1 200 kr with
25 % VAT; ``invoice(SELLER_AS, BUYER, [...])`` adds up the VAT breakdown and totals;
``entry("2026-11-02 1500 6250 / 3000 -5000 @3 / 2700 -1250", "Faktura 10023", 1)`` is a
journal entry (positive amounts debit, negative credit, ``@code`` the VAT code).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from ledger.documents.model import (
    InvoiceDocument,
    InvoiceLine,
    JournalEntryRow,
    JournalLineRow,
    Language,
    Party,
    round_money,
    vat_breakdown,
)

RATES = {"3": Decimal("25"), "31": Decimal("15"), "33": Decimal("12"), "5": Decimal("0"), "6": Decimal("0")}

SELLER_AS = Party(
    name="Fjordlys Rådgivning AS",
    orgnr="923609016",
    vat_registered=True,
    address_lines=("Strandgata 12",),
    postcode="5004",
    city="Bergen",
    email="faktura@fjordlys.no",
    bank_account="86011117947",
    is_as=True,
    contact_name="Kari Nordmann",
    phone="55 12 34 56",
)

SELLER_ENK = Party(
    name="Ola Snekker",
    orgnr="923609024",
    vat_registered=True,
    address_lines=("Bakkeveien 3",),
    postcode="7010",
    city="Trondheim",
    email="ola@snekker.no",
    bank_account="12345678903",
    is_as=False,
)

SELLER_NOT_VAT_REGISTERED = Party(
    name="Lille Design Kari Hansen",
    orgnr="923609032",
    vat_registered=False,
    address_lines=("Storgata 7",),
    postcode="0155",
    city="Oslo",
    email="kari@lilledesign.no",
    bank_account="12345678903",
)

BUYER = Party(
    name="Havbris Shipping AS",
    orgnr="923609040",
    vat_registered=True,
    address_lines=("Kaiveien 1", "Bygg B"),
    postcode="4006",
    city="Stavanger",
    email="invoice@havbris.no",
    is_as=True,
)


def line(description: str, quantity_unit_price: str, vat: str = "3", delivered: str | None = None) -> InvoiceLine:
    """``line("Rådgivning", "7.5 HUR x 1200")``: quantity, unit and unit price in one string."""
    quantity, unit, _, price = quantity_unit_price.split()
    q, p = Decimal(quantity), Decimal(price)
    return InvoiceLine(
        description=description,
        quantity=q,
        unit=unit,
        unit_price=p,
        vat_code=vat,
        vat_rate=RATES.get(vat, Decimal("0")),
        net=round_money(q * p),
        delivery_date=dt.date.fromisoformat(delivered) if delivered else None,
    )


def invoice(
    seller: Party,
    buyer: Party,
    lines: Sequence[InvoiceLine],
    *,
    number: str = "10023",
    issued: str = "2026-11-02",
    language: Language = "nb",
    kid: str | None = "100232",
    period: tuple[str, str] | None = ("2026-10-01", "2026-10-31"),
    buyer_reference: str | None = "Per Hansen",
    order_reference: str | None = None,
) -> InvoiceDocument:
    """An invoice due 14 days after ``issued``, with breakdown and totals computed from ``lines``."""
    if not seller.vat_registered:
        lines = [replace(ln, vat_code="", vat_rate=Decimal("0")) for ln in lines]
    breakdown = vat_breakdown(lines)
    net = sum((ln.net for ln in lines), Decimal("0.00"))
    vat = sum((b.vat for b in breakdown), Decimal("0.00"))
    issue_date = dt.date.fromisoformat(issued)
    return InvoiceDocument(
        kind="invoice",
        number=number,
        issue_date=issue_date,
        due_date=issue_date + dt.timedelta(days=14),
        seller=seller,
        buyer=buyer,
        lines=tuple(lines),
        vat_breakdown=breakdown,
        net=net,
        vat=vat,
        total=net + vat,
        kid=kid,
        delivery_start=dt.date.fromisoformat(period[0]) if period else None,
        delivery_end=dt.date.fromisoformat(period[1]) if period else None,
        language=language,
        buyer_reference=buyer_reference,
        order_reference=order_reference,
    )


def credit_note(original: InvoiceDocument, *, number: str = "10024", issued: str = "2026-11-10") -> InvoiceDocument:
    """A credit note for the whole of ``original``, in the same series."""
    issue_date = dt.date.fromisoformat(issued)
    return replace(
        original,
        kind="credit_note",
        number=number,
        issue_date=issue_date,
        due_date=issue_date,
        kid=None,
        credited_invoice_number=original.number,
        credited_invoice_date=original.issue_date,
    )


CONSULTING = [line("Rådgivning, oktober", "5 HUR x 1000", "3", "2026-10-31")]
SEVERAL_RATES = [
    line("Rådgivning", "7.5 HUR x 1200", "3"),
    line("Lunsj til workshop", "12 EA x 149.90", "31"),
    line("Busstransport", "1 EA x 2350", "33"),
    line("Eksportfrakt", "1 EA x 800", "5"),
    line("Utlegg for gebyr", "1 EA x 125.50", "6"),
]


def entry(spec: str, description: str = "", voucher: int = 1, *, customer: str | None = None) -> JournalEntryRow:
    """``entry("2026-11-02 1920 6250 / 1500 -6250", "Innbetaling", 2)``."""
    day, first = spec.split(" ", 1)
    lines = []
    for posting in first.split("/"):
        account, amount, *rest = posting.split()
        value = Decimal(amount)
        vat_code = rest[0].removeprefix("@") if rest else None
        lines.append(
            JournalLineRow(
                account=account,
                debit=value if value > 0 else Decimal("0.00"),
                credit=-value if value < 0 else Decimal("0.00"),
                vat_code=vat_code,
                customer_id=customer if account == "1500" else None,
            )
        )
    date = dt.date.fromisoformat(day)
    return JournalEntryRow(
        voucher_number=voucher,
        date=date,
        description=description,
        created_at=dt.datetime.combine(date, dt.time(9, 30), tzinfo=dt.UTC),
        created_by="Kari Nordmann",
        channel="telegram",
        lines=tuple(lines),
    )
