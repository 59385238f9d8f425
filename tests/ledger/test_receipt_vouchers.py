"""A receipt in the conversation and the vouchers it may belong to: its OCR text is kept with
it (a statement keeps none); the voucher a receipt just sent documents is the newest one the
same person posted in the last days that misses its receipt and has the receipt's total; the
voucher a file is already kept with is found by its content."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from ledger import clock
from ledger.attachments import attach_document
from ledger.conversation_files import (
    MAX_OCR_TEXT,
    RECEIPT_MATCH_DAYS,
    store_file,
    voucher_for_receipt,
    voucher_keeping,
)
from ledger.expenses import register_expense
from tests.ledger.builders import sales_books

PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
DAY = dt.date(2026, 11, 10)



def test_a_receipt_keeps_its_ocr_text_without_controls_and_a_statement_keeps_none(
    books: sessionmaker[Session],
) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        receipt = store_file(s, sb.company_id, sb.owner_id, PNG, channel="web", ocr_text="CIRCLE K\x00\nTotalt 749,00")
        long = store_file(s, sb.company_id, sb.owner_id, PNG + b"2", channel="web", ocr_text="x" * (MAX_OCR_TEXT + 9))
        unread = store_file(s, sb.company_id, sb.owner_id, PNG + b"3", channel="web")
        assert receipt.ocr_text == "CIRCLE K\nTotalt 749,00"
        assert long.ocr_text is not None and len(long.ocr_text) == MAX_OCR_TEXT
        assert unread.ocr_text is None


def test_the_newest_recent_voucher_of_the_receipts_total_posted_by_the_sender_is_found(
    books: sessionmaker[Session],
) -> None:
    sb = sales_books(books)
    with clock.pinned(DAY - dt.timedelta(days=RECEIPT_MATCH_DAYS + 1)), books.begin() as s:
        register_expense(s, sb.company_id, "749", "kontorrekvisita", DAY, "Old", sb.owner_id, "web")
    with clock.pinned(DAY), books.begin() as s:
        first = register_expense(s, sb.company_id, "749", "kontorrekvisita", DAY, "A", sb.owner_id, "web")
        newest = register_expense(s, sb.company_id, "749", "kontorrekvisita", DAY, "B", sb.owner_id, "web")
        register_expense(s, sb.company_id, "750", "kontorrekvisita", DAY, "C", sb.owner_id, "web")
        by_staff = register_expense(s, sb.company_id, "120", "parkering", DAY, "D", sb.staff_id, "web")
    with clock.pinned(DAY), books.begin() as s:
        found = voucher_for_receipt(s, sb.company_id, sb.owner_id, Decimal("749.00"))
        assert found is not None and found.entry_id == newest.entry_id
        assert voucher_for_receipt(s, sb.company_id, sb.owner_id, Decimal("120.00")) is None  # the staff's
        any_total = voucher_for_receipt(s, sb.company_id, sb.staff_id, None)
        assert any_total is not None and any_total.entry_id == by_staff.entry_id
        attach_document(s, sb.company_id, newest.entry_id, PNG, created_by_id=sb.owner_id, channel="web")
        again = voucher_for_receipt(s, sb.company_id, sb.owner_id, Decimal("749.00"))
        assert again is not None and again.entry_id == first.entry_id
        kept = voucher_keeping(s, sb.company_id, hashlib.sha256(PNG).hexdigest())
        assert kept is not None and kept.id == newest.entry_id
        assert voucher_keeping(s, sb.company_id + 1, hashlib.sha256(PNG).hexdigest()) is None
    with clock.pinned(DAY + dt.timedelta(days=RECEIPT_MATCH_DAYS + 1)), books.begin() as s:
        assert voucher_for_receipt(s, sb.company_id, sb.owner_id, Decimal("749.00")) is None
