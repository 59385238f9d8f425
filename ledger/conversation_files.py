"""Files sent into the conversation: what kind of file it is (found from its content, never
from its name), whether it may be taken, and keeping it for the assistant to read.

A bank statement is a camt.053 or camt.054 XML document or the simple CSV that
`ledger.bank` reads; a receipt is one of the kinds of file a voucher keeps as its
documentation (`ledger.attachments`: JPEG, PNG, HEIC, WebP, PDF). Anything else,
anything empty and anything larger than `MAX_FILE_BYTES` is refused (`FileRefused`, with a
`reason` the channels word in the person's language) and nothing is stored.

A stored file has a random public id; `file_for` gives it only to the company it was sent to,
so a message naming someone else's file reads nothing. A receipt is kept with the text OCR
read on it (`ocr_text`, read by the channels when it arrives), so the assistant reads its
fields without reading the picture again.

A receipt sent shortly after its expense was posted without one belongs to that voucher
rather than to a new expense: `voucher_for_receipt` finds it (the newest voucher the same
person posted in the last `RECEIPT_MATCH_DAYS` days that still misses its receipt, of the
receipt's total), and `voucher_keeping` finds the voucher a file is already kept with.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import clock
from ledger.attachments import RECEIPT, MissingDocumentation, detect_type, vouchers_missing_documentation
from ledger.bank import MAX_STATEMENT_BYTES, Statement, parse_csv, read_statement
from ledger.errors import InvalidInput, LedgerError
from ledger.models import ConversationFile, JournalEntry, VoucherAttachment
from ledger.money import Money
from ledger.text import without_controls

MAX_FILE_BYTES = MAX_STATEMENT_BYTES
"""The largest file taken: a month's statement or a phone's photo fits well below it."""
MAX_CAPTION_LENGTH = 2000
MAX_OCR_TEXT = 20_000
"""A receipt's text is kept up to this many characters (a receipt has far fewer)."""
RECEIPT_MATCH_DAYS = 3
"""A receipt sent within this many days of posting an expense without one may be its receipt."""

FileKind = Literal["statement", "receipt"]
RefusalReason = Literal["empty", "too_large", "unsupported", "unreadable_statement"]


class FileRefused(LedgerError):
    """A file the conversation does not take; `reason` is one of `RefusalReason`."""

    code = "file_refused"

    def __init__(self, message: str, reason: RefusalReason, **details: object) -> None:
        super().__init__(message, reason=reason, **details)
        self.reason: RefusalReason = reason


@dataclass(frozen=True)
class FileType:
    """What a file is, found from its content.

    Attributes:
      kind: "statement" or "receipt".
      media_type: the format ("application/xml", "text/csv", "image/jpeg", ...).
      statement_format: "camt.053", "camt.054" or "csv" for a statement; "" for a receipt.
    """

    kind: FileKind
    media_type: str
    statement_format: str = ""


def _camt_format(data: bytes) -> str | None:
    """"camt.053" or "camt.054" for a camt document, None for anything else."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None
    namespace = etree.QName(root).namespace or ""
    for fmt in ("camt.053", "camt.054"):
        if fmt in namespace:
            return fmt
    return None


def _csv_statement(data: bytes) -> bool:
    """Text that reads as the simple CSV statement, with at least one transaction."""
    if b"\x00" in data[:4096]:
        return False
    try:
        statement = parse_csv(data)
    except (InvalidInput, UnicodeDecodeError):
        return False
    return bool(statement.lines)


def classify(data: bytes) -> FileType:
    """What `data` is (see the module docstring); `FileRefused` when it is none of them."""
    if not data:
        raise FileRefused("the file is empty", "empty")
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused("the file is too large", "too_large", limit=MAX_FILE_BYTES)
    receipt = detect_type(data)  # the kinds of file a voucher keeps (ledger.attachments)
    if receipt is not None:
        if len(data) > receipt.max_bytes:
            raise FileRefused("the file is too large", "too_large", limit=receipt.max_bytes)
        return FileType("receipt", receipt.content_type)
    camt = _camt_format(data)
    if camt is not None:
        return FileType("statement", "application/xml", camt)
    if _csv_statement(data):
        return FileType("statement", "text/csv", "csv")
    raise FileRefused("not a bank statement or a receipt", "unsupported")


def store_file(
    session: Session,
    company_id: int,
    user_id: int,
    data: bytes,
    *,
    channel: str,
    filename: str = "",
    caption: str = "",
    ocr_text: str | None = None,
) -> ConversationFile:
    """Classify `data` and keep it for the company; `FileRefused`, storing nothing, when it
    is not taken. A statement must also read (`ledger.bank`), or it is refused too.
    `ocr_text` is a receipt's text as OCR read it (None: not read); a statement keeps none."""
    found = classify(data)
    if found.kind == "statement":
        try:
            read_statement(data, found.media_type)
        except InvalidInput as exc:
            raise FileRefused(f"the statement cannot be read: {exc}", "unreadable_statement") from exc
    row = ConversationFile(
        public_id=secrets.token_hex(16),
        company_id=company_id,
        user_id=user_id,
        kind=found.kind,
        media_type=found.media_type,
        statement_format=found.statement_format,
        filename=without_controls(filename).strip()[:200],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        caption=without_controls(caption).strip()[:MAX_CAPTION_LENGTH],
        channel=channel[:20],
        ocr_text=without_controls(ocr_text)[:MAX_OCR_TEXT]
        if ocr_text is not None and found.kind == "receipt"
        else None,
    )
    session.add(row)
    session.flush()
    return row


def file_for(session: Session, company_id: int, public_id: str) -> ConversationFile | None:
    """The file with this public id, if it was sent to this company; None otherwise."""
    if not public_id or len(public_id) > 32:
        return None
    return session.scalar(
        select(ConversationFile).where(
            ConversationFile.public_id == public_id, ConversationFile.company_id == company_id
        )
    )


def statement_of(row: ConversationFile) -> Statement:
    """The statement a stored statement file holds."""
    if row.kind != "statement":
        raise InvalidInput("the file is not a bank statement", file_id=row.public_id)
    return read_statement(row.content, row.media_type)


def voucher_keeping(session: Session, company_id: int, sha256: str) -> JournalEntry | None:
    """The company's voucher a file with this digest is already kept with, if any."""
    return session.scalar(
        select(JournalEntry)
        .join(VoucherAttachment, VoucherAttachment.journal_entry_id == JournalEntry.id)
        .where(VoucherAttachment.company_id == company_id, VoucherAttachment.sha256 == sha256)
        .order_by(VoucherAttachment.id)
        .limit(1)
    )


def voucher_for_receipt(
    session: Session, company_id: int, user_id: int, total: Money | None, *, now: dt.datetime | None = None
) -> MissingDocumentation | None:
    """The voucher a receipt just sent by `user_id` most likely documents: of the vouchers
    they posted in the last `RECEIPT_MATCH_DAYS` days that still miss their receipt, the
    newest whose amount is the receipt's `total` (any of them when the total was not read);
    None when there is none."""
    since = (now or clock.now()) - dt.timedelta(days=RECEIPT_MATCH_DAYS)
    missing = [
        m
        for m in vouchers_missing_documentation(session, company_id, created_by_id=user_id)
        if m.kind == RECEIPT and (total is None or m.amount == total)
    ]
    posted = {
        entry.id: entry.created_at
        for entry in session.scalars(select(JournalEntry).where(JournalEntry.id.in_([m.entry_id for m in missing])))
    }
    recent = [m for m in missing if posted[m.entry_id] >= since]
    return max(recent, key=lambda m: (posted[m.entry_id], m.entry_id), default=None)
