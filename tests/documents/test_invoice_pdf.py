"""The invoice PDF is a real PDF that shows what bokføringsforskriften § 5-1-1 asks for.

Its text is read back with ``pdftotext`` (Debian's poppler-utils).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.documents.formatting import bank_account, kid, long_date, money, organisation_number, percent
from ledger.documents.pdf import invoice_html, invoice_pdf, pdf_filename

from .builders import (
    BUYER,
    CONSULTING,
    SELLER_AS,
    SELLER_ENK,
    SELLER_NOT_VAT_REGISTERED,
    SEVERAL_RATES,
    credit_note,
    invoice,
    line,
)

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext is missing: apt-get install poppler-utils"
)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text, whitespace (including no-break spaces) collapsed to single spaces."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return re.sub(r"\s+", " ", out.stdout.replace("\u00a0", " ").replace("\u202f", " "))


def test_the_invoice_is_a_real_pdf() -> None:
    pdf = invoice_pdf(invoice(SELLER_AS, BUYER, SEVERAL_RATES))
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


@needs_pdftotext
def test_the_invoice_fits_one_a4_page(tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(invoice_pdf(invoice(SELLER_AS, BUYER, SEVERAL_RATES)))
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)
    assert "(A4)" in info


@needs_pdftotext
def test_a_norwegian_invoice_shows_everything_the_regulation_asks_for(tmp_path: Path) -> None:
    doc = invoice(SELLER_AS, BUYER, SEVERAL_RATES)
    text = pdf_text(invoice_pdf(doc), tmp_path)
    required = [
        "FAKTURA",
        "Nr. 10023",
        "Fakturadato 02.11.2026",
        "Forfallsdato 16.11.2026",
        "Fjordlys Rådgivning AS",
        "Strandgata 12",
        "5004 Bergen",
        "Org.nr. 923 609 016 MVA",
        "Foretaksregisteret",
        "Havbris Shipping AS",
        "Kaiveien 1",
        "4006 Stavanger",
        "Org.nr. 923 609 040 MVA",
        "Leveringsperiode 01.10.2026–31.10.2026",
        "Rådgivning",
        "7,5 t",
        "1 200,00",
        "9 000,00",
        "Lunsj til workshop",
        "12 stk",
        "149,90",
        "25 % 9 000,00 kr 2 250,00 kr",
        "15 % 1 798,80 kr 269,82 kr",
        "12 % 2 350,00 kr 282,00 kr",
        "0 % fritatt 800,00 kr 0,00 kr",
        "0 % utenfor mva-loven 125,50 kr 0,00 kr",
        "Sum eks. MVA 14 074,30 kr",
        "Sum MVA 2 801,82 kr",
        "Å betale 16 876,12 kr",
        "Kontonummer",
        "8601.11.17947",
        "KID",
        "100232",
        "Deres referanse Per Hansen",
        "Vår referanse Kari Nordmann",
        "Side 1 av 1",
    ]
    missing = [item for item in required if item not in text]
    assert missing == [], text


@needs_pdftotext
def test_an_english_invoice_uses_english_words_and_number_formats(tmp_path: Path) -> None:
    doc = invoice(SELLER_AS, BUYER, CONSULTING, language="en", order_reference="PO-778")
    text = pdf_text(invoice_pdf(doc), tmp_path)
    for item in [
        "INVOICE",
        "No. 10023",
        "Invoice date 02/11/2026",
        "Due date 16/11/2026",
        "Org. no. 923 609 016 MVA",
        "Foretaksregisteret",
        "BILL TO",
        "Your order no. PO-778",
        "1,000.00",
        "25% NOK 5,000.00 NOK 1,250.00",
        "Total excl. VAT NOK 5,000.00",
        "Amount due NOK 6,250.00",
        "Account number",
        "Page 1 of 1",
    ]:
        assert item in text, item
    assert re.search(r"\b5 ?h\b", text)  # 5 hours
    assert "Faktura" not in text


@needs_pdftotext
def test_a_seller_not_registered_for_vat_shows_no_mva_and_says_why(tmp_path: Path) -> None:
    text = pdf_text(invoice_pdf(invoice(SELLER_NOT_VAT_REGISTERED, BUYER, CONSULTING)), tmp_path)
    assert "Org.nr. 923 609 032" in text
    assert "923 609 032 MVA" not in text
    assert "Foretaksregisteret" not in text
    assert "Selger er ikke registrert i Merverdiavgiftsregisteret" in text
    assert "Sum MVA" not in text
    assert "Å betale 5 000,00 kr" in text


@needs_pdftotext
def test_an_enk_is_not_said_to_be_in_foretaksregisteret(tmp_path: Path) -> None:
    doc = invoice(SELLER_ENK, BUYER, [line("Snekring", "12.25 HUR x 650", "3", "2026-10-14")], period=None)
    text = pdf_text(invoice_pdf(doc), tmp_path)
    assert "Org.nr. 923 609 024 MVA" in text
    assert "Foretaksregisteret" not in text
    assert "LEVERT" in text and "14.10.2026" in text
    assert "12,25 t" in text
    assert "Å betale 9 953,13 kr" in text  # 7 962,50 + 25 % = 1 990,625 -> 1 990,63


@needs_pdftotext
def test_a_credit_note_names_the_invoice_it_credits(tmp_path: Path) -> None:
    doc = credit_note(invoice(SELLER_AS, BUYER, CONSULTING))
    text = pdf_text(invoice_pdf(doc), tmp_path)
    assert "KREDITNOTA" in text
    assert "Nr. 10024" in text
    assert "Krediterer faktura 10023 (02.11.2026)" in text
    assert "Kreditert beløp 6 250,00 kr" in text
    assert "KID" not in text


def test_names_with_markup_or_quotes_are_escaped_in_page_and_footer() -> None:
    seller = replace(SELLER_AS, name='Bøker & "Blekk" <AS>')
    html = invoice_html(invoice(seller, BUYER, CONSULTING))
    assert "Bøker &amp; &#34;Blekk&#34; &lt;AS&gt;" in html
    assert '"Bøker & \\22 Blekk\\22  \\3c AS\\3e ' in html  # CSS string in the page footer
    assert invoice_pdf(invoice(seller, BUYER, CONSULTING)).startswith(b"%PDF-")


def test_file_names_follow_the_document_and_language() -> None:
    doc = invoice(SELLER_AS, BUYER, CONSULTING)
    assert pdf_filename(doc) == "faktura-10023.pdf"
    assert pdf_filename(replace(doc, language="en")) == "invoice-10023.pdf"
    assert pdf_filename(credit_note(doc)) == "kreditnota-10024.pdf"


def test_amounts_dates_and_numbers_are_written_the_local_way() -> None:
    assert money(Decimal("6250"), "nb") == "6\u00a0250,00\u00a0kr"
    assert money(Decimal("6250"), "en") == "NOK\u00a06,250.00"
    assert percent(Decimal("25.00"), "nb") == "25\u00a0%"
    assert long_date(invoice(SELLER_AS, BUYER, CONSULTING).issue_date, "nb") == "2. november 2026"
    assert bank_account("86011117947") == "8601.11.17947"
    assert bank_account("NO9386011117947") == "NO9386011117947"
    assert organisation_number("923609016", vat_registered=True) == "923 609 016 MVA"
    assert kid("100232") == "100232"
    assert kid("12345678903") == "1234 5678 903"
