"""Receipts read by OCR: 40 drawn here with their truth known (`bench.receipts`), half of them
spoiled like phone photos; the total and the date must be right on at least 90 % of them.
Also a receipt as a PDF, one photographed sideways, and a file that is no picture."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image

from bench.receipts import make_receipt, measure, read_all
from channels.receipts.ocr import UnreadableReceipt, read_receipt

RECEIPTS = 40


def test_total_and_date_are_read_right_on_at_least_90_percent_of_drawn_receipts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    receipts = [make_receipt(i) for i in range(RECEIPTS)]
    assert sum(r.truth.spoiled for r in receipts) == RECEIPTS // 2
    assert {r.truth.language for r in receipts} == {"nb", "en"}
    assert {rate for r in receipts for rate, _ in r.truth.vat} == {Decimal(25), Decimal(15), Decimal(12)}
    accuracy = measure(read_all(receipts, workers=2))
    with capsys.disabled():
        print(f"\nReceipt fields read right ({RECEIPTS} receipts):\n{accuracy.table()}")
    assert accuracy.total_and_date >= 0.9
    assert accuracy.share("total", "spoiled") >= 0.8 and accuracy.share("date", "spoiled") >= 0.8


def test_a_receipt_sent_as_a_pdf_is_read() -> None:
    receipt = make_receipt(0)
    pdf = io.BytesIO()
    Image.open(io.BytesIO(receipt.image)).convert("RGB").save(pdf, "PDF", resolution=100)
    reading = read_receipt(pdf.getvalue())
    assert reading.total is not None and reading.total.value == receipt.truth.total
    assert reading.date is not None and reading.date.value == receipt.truth.date


def test_a_receipt_photographed_sideways_is_turned_upright() -> None:
    receipt = make_receipt(2)
    sideways = io.BytesIO()
    Image.open(io.BytesIO(receipt.image)).rotate(90, expand=True, fillcolor=250).save(sideways, "PNG")
    reading = read_receipt(sideways.getvalue())
    assert reading.total is not None and reading.total.value == receipt.truth.total


@pytest.mark.parametrize("data", [b"", b"not a picture", b"%PDF-1.4 broken"])
def test_a_file_that_is_no_picture_or_pdf_is_refused(data: bytes) -> None:
    with pytest.raises(UnreadableReceipt):
        read_receipt(data)


def test_a_picture_of_too_many_pixels_is_refused_before_it_is_decoded() -> None:
    huge = io.BytesIO()
    Image.new("1", (8000, 6000)).save(huge, "PNG")
    with pytest.raises(UnreadableReceipt):
        read_receipt(huge.getvalue())
