"""Reading a receipt's fields from its text, and the expense a receipt proposes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledger.receipts import (
    Found,
    ReceiptReading,
    VatLine,
    amounts_in,
    combined,
    dates_in,
    parse_amount,
    propose_receipt_expense,
    read_receipt_text,
)
from ledger.vendor_rules import remember_vendor
from tests.ledger.book_builders import new_company

GROCERY_NB = """
REMA 1000 STORO
Vitaminveien 7, 0485 Oslo
Org.nr 912 345 602 MVA
Dato: 03.11.2026 Kl. 14:32
Melk 1L                      21,90
Kaffe Friele               1 089,00
Kopipapir A4               kr 123,60
----------------------------------
Sum                       1 234,50
Mva-sats   Grunnlag     Mva
15 %       966,00     144,90
25 %        98,88      24,72
BankAxept                 1 234,50
Takk for handelen!
"""

TILL_EN = """
Harbour Books Ltd
12 Quay Street
Date: 2026-11-03 10:15
Notebook                      45.00
Pens                       1,189.50
Subtotal                   1,234.50
VAT 25%                      246.90
Amount due                 1,234.50
VISA **** 4242             1,234.50
"""


def test_amounts_with_decimal_commas_points_and_grouping() -> None:
    assert parse_amount("1 234,50") == Decimal("1234.50")
    assert parse_amount("1.234,50") == Decimal("1234.50")
    assert parse_amount("1,234.50") == Decimal("1234.50")
    assert parse_amount("99,-") is None  # "99,-" is found on a line, not parsed alone
    assert amounts_in("Kaffe 99,-") == [Decimal("99")]
    assert amounts_in("kr 1 234,50") == [Decimal("1234.50")]
    assert amounts_in("MVA 25% 246,91") == [Decimal("246.91")]
    assert amounts_in("Dato 03.11.2026 14:32") == []
    assert amounts_in("Sum 644, 85") == [Decimal("644.85")]  # OCR's space after the comma


def test_dates_day_before_month_in_three_spellings() -> None:
    assert dates_in("03.11.2026") == [dt.date(2026, 11, 3)]
    assert dates_in("Kvittering 3/11/26 11:29") == [dt.date(2026, 11, 3)]
    assert dates_in("Date: 2026-11-03") == [dt.date(2026, 11, 3)]
    assert dates_in("3. nov. 2026") == [dt.date(2026, 11, 3)]
    assert dates_in("31.02.2026") == []


def test_a_norwegian_grocery_receipt_with_a_vat_table() -> None:
    reading = read_receipt_text(GROCERY_NB)
    assert reading.vendor is not None and reading.vendor.value == "REMA 1000 STORO"
    assert reading.orgnr is not None and reading.orgnr.value == "912345602"
    assert reading.orgnr.confidence > 0.9
    assert reading.date is not None and reading.date.value == dt.date(2026, 11, 3)
    assert reading.total is not None and reading.total.value == Decimal("1234.50")
    assert reading.total.confidence > 0.9  # the sum and the card payment agree
    assert [(v.rate, v.base, v.vat) for v in reading.vat] == [
        (Decimal(25), Decimal("98.88"), Decimal("24.72")),
        (Decimal(15), Decimal("966.00"), Decimal("144.90")),
    ]
    assert reading.vat_total == Decimal("169.62")
    assert reading.payment is not None and reading.payment.value == "bankaxept"


def test_an_english_till_slip_takes_the_amount_due_not_the_subtotal() -> None:
    reading = read_receipt_text(TILL_EN)
    assert reading.vendor is not None and reading.vendor.value == "Harbour Books Ltd"
    assert reading.orgnr is None
    assert reading.date is not None and reading.date.value == dt.date(2026, 11, 3)
    assert reading.total is not None and reading.total.value == Decimal("1234.50")
    assert [(v.rate, v.vat) for v in reading.vat] == [(Decimal(25), Decimal("246.90"))]
    assert reading.payment is not None and reading.payment.value == "visa"


def test_a_receipt_whose_total_is_a_betale_with_vat_lines_and_grunnlag() -> None:
    reading = read_receipt_text(
        "Kaffebrenneriet\nOrg nr: NO912345602MVA\n3/11/26\nKaffe latte 59,00\nBolle 40,00\n"
        "Å betale kr 99,00\nMva-grunnlag 15% 86,09\nMVA 15% 12,91\nVipps 99,00\n"
    )
    assert reading.total is not None and reading.total.value == Decimal("99.00")
    assert [(v.rate, v.base, v.vat, v.confidence) for v in reading.vat] == [
        (Decimal(15), Decimal("86.09"), Decimal("12.91"), 0.95)
    ]
    assert reading.payment is not None and reading.payment.value == "vipps"
    assert reading.orgnr is not None and reading.orgnr.value == "912345602"


def test_ocr_misreadings_are_tolerated_a_betale_and_totalt_under_its_label() -> None:
    reading = read_receipt_text("Narvesen\n13.12.2026\nA betale\n51.147,49\nKontant 51.147,49\n")
    assert reading.total is not None and reading.total.value == Decimal("51147.49")
    assert reading.payment is not None and reading.payment.value == "cash"


def test_an_orgnr_with_a_wrong_check_digit_is_given_with_little_confidence() -> None:
    reading = read_receipt_text("Butikk AS\nOrg.nr 912 345 678 MVA\nSum 10,00\n")
    assert reading.orgnr is not None and reading.orgnr.confidence < 0.5


def test_what_a_receipt_does_not_say_is_none() -> None:
    reading = read_receipt_text("~~~ ||| ~~~\n")
    assert (reading.total, reading.date, reading.orgnr, reading.payment, reading.vat) == (None, None, None, None, ())


def test_two_readings_combine_field_by_field_on_confidence() -> None:
    first = ReceiptReading(None, None, Found(dt.date(2026, 1, 2), 0.9), Found(Decimal("10.00"), 0.3))
    second = ReceiptReading(Found("Kiwi", 0.8), None, Found(dt.date(2026, 2, 1), 0.5), Found(Decimal("12.50"), 0.9),
                            (VatLine(Decimal(15), Decimal("1.63"), Decimal("10.87"), 0.95),))
    both = combined(first, second)
    assert both.vendor == Found("Kiwi", 0.8)
    assert both.date is not None and both.date.value == dt.date(2026, 1, 2)
    assert both.total is not None and both.total.value == Decimal("12.50")
    assert len(both.vat) == 1


# The expense proposed


@pytest.fixture
def company(books: sessionmaker[Session]) -> int:
    return new_company(books, vehicle="van")


def reading(vendor: str, total: str = "1234.50", day: dt.date | None = dt.date(2026, 11, 3),
            rates: tuple[int, ...] = (25,)) -> ReceiptReading:
    return ReceiptReading(
        vendor=Found(vendor, 0.8),
        orgnr=None,
        date=Found(day, 0.9) if day else None,
        total=Found(Decimal(total), 0.95),
        vat=tuple(VatLine(Decimal(r), None, None, 0.6) for r in rates),
    )


def test_an_unknown_vendor_makes_the_proposal_ask_for_the_category(
    books: sessionmaker[Session], company: int
) -> None:
    with books.begin() as s:
        proposal = propose_receipt_expense(s, company, reading("Harbour Books"))
    assert proposal.plan is None
    assert proposal.missing == ("category",)
    assert proposal.category_from is None


def test_the_category_said_gives_the_account_and_vat_code_of_the_expense_rules(
    books: sessionmaker[Session], company: int
) -> None:
    with books.begin() as s:
        proposal = propose_receipt_expense(s, company, reading("Clas Ohlson"), category="kontorrekvisita")
    assert proposal.category_from == "said"
    assert proposal.plan is not None
    assert (proposal.plan.treatment.account, proposal.plan.treatment.vat_code) == ("6800", "1")
    assert (proposal.plan.net, proposal.plan.vat) == (Decimal("987.60"), Decimal("246.90"))
    assert proposal.vat_differs is False


def test_a_vendor_the_company_decided_before_is_booked_as_then(
    books: sessionmaker[Session], company: int
) -> None:
    with books.begin() as s:
        remember_vendor(s, company, "Telenor Norge AS", "6900", "1", category="telefon")
    with books.begin() as s:
        proposal = propose_receipt_expense(s, company, reading("TELENOR NORGE"))
    assert proposal.category_from == "vendor"
    assert proposal.plan is not None and proposal.plan.treatment.account == "6900"


def test_a_vendor_named_by_a_category_word_and_food_vat_against_a_25_percent_category(
    books: sessionmaker[Session], company: int
) -> None:
    with books.begin() as s:
        parking = propose_receipt_expense(s, company, reading("Parkering Oslo", rates=()))
        food = propose_receipt_expense(s, company, reading("Kiwi", rates=(15,)), category="kontorrekvisita")
    assert parking.category_from == "vendor_name"
    assert parking.plan is not None and parking.plan.treatment.account == "7140"
    assert food.vat_differs is True


def test_a_receipt_without_a_date_or_total_asks_for_them(books: sessionmaker[Session], company: int) -> None:
    without = ReceiptReading(vendor=Found("Parkering Oslo", 0.8), orgnr=None, date=None, total=None)
    with books.begin() as s:
        proposal = propose_receipt_expense(s, company, without)
        dated = propose_receipt_expense(s, company, reading("Parkering Oslo", day=None), date=dt.date(2026, 11, 4))
    assert proposal.missing == ("total", "date")
    assert dated.plan is not None and dated.missing == ()
