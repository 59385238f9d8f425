"""Voucher documentation (bilag): the documents kept with posted journal entries, and the
vouchers still missing theirs.

Bokføringsloven § 10 and bokføringsforskriften ch. 5 ask that every posting is documented.
An expense is documented by its receipt (a photo or a PDF someone sends), a bank posting by
the statement line it came from (written here by the bank import). Documents live in the
database (`VoucherAttachment`), so every process of the installation sees them, and are only
ever added: a posted voucher is never changed, and neither is what documents it.

An expense is posted at once even without its receipt: it is then recorded as needing one
(`DocumentationRequirement`, written when it is posted) and counts as missing its
documentation until a document is attached. "Missing" is derived, never stored, so attaching
the receipt is all it takes to clear it.

The kinds of file kept and their size limit are data (`ledger/data/attachment_types.csv`):
PDF, JPEG, PNG, WebP and HEIC, each recognised by its first bytes rather than by the name or
the type a sender claims.

For callers (chat file uploads, REST):

- `attach_document(session, company_id, entry_id, content, filename, created_by_id=..., channel=...)`
  → `Attached` (the stored `Attachment`, and `repeated` when the same file was already kept
  with that voucher). `ledger.corrections.find_voucher` turns "2026-14" into the entry.
- `list_attachments(session, company_id, entry_id)` → `list[Attachment]`.
- `fetch_attachment(session, company_id, attachment_id, entry_id=None)` → `AttachmentFile`.
- `vouchers_missing_documentation(session, company_id, created_by_id=None)` →
  `list[MissingDocumentation]` (oldest first; the last one a person posted is the receipt a
  photo they send next most likely belongs to).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from ledger.data import read_table
from ledger.errors import InvalidAttachment, NotFound
from ledger.journal import CHANNELS
from ledger.models import DocumentationRequirement, JournalEntry, JournalLine, VoucherAttachment
from ledger.money import ZERO, Money

RECEIPT = "receipt"
STATEMENT_LINE = "statement_line"
KINDS = (RECEIPT, STATEMENT_LINE)
STATEMENT_LINE_TYPE = "application/json"
MAX_FILENAME = 255


# --------------------------------------------------------------------------------------------
# The kinds of file we keep


@dataclass(frozen=True)
class AttachmentType:
    """A kind of file kept as documentation.

    Attributes:
      content_type: its media type ("application/pdf").
      extension: the usual file name ending, without the dot.
      signature: its first bytes; None stands for any byte (the size field of a HEIC box).
      max_bytes: the largest file of this kind that is kept.
      name_nb, name_en: what it is called.
    """

    content_type: str
    extension: str
    signature: tuple[int | None, ...]
    max_bytes: int
    name_nb: str
    name_en: str

    def matches(self, content: bytes) -> bool:
        if len(content) < len(self.signature):
            return False
        return all(want is None or content[i] == want for i, want in enumerate(self.signature))


def _signature(text: str) -> tuple[int | None, ...]:
    pairs = [text[i : i + 2] for i in range(0, len(text), 2)]
    return tuple(None if pair == "??" else int(pair, 16) for pair in pairs)


@lru_cache(maxsize=1)
def attachment_types() -> tuple[AttachmentType, ...]:
    """The kinds of file kept (`attachment_types.csv`), one per signature."""
    return tuple(
        AttachmentType(
            row["content_type"],
            row["extension"],
            _signature(row["signature"]),
            int(row["max_bytes"]),
            row["name_nb"],
            row["name_en"],
        )
        for row in read_table("attachment_types.csv")
    )


def max_attachment_bytes() -> int:
    """The largest file of any kind that is kept (what a channel may accept at most)."""
    return max(t.max_bytes for t in attachment_types())


def accepted_content_types() -> tuple[str, ...]:
    """The media types kept, each once, in the data's order."""
    return tuple(dict.fromkeys(t.content_type for t in attachment_types()))


def detect_type(content: bytes) -> AttachmentType | None:
    """The kind of file `content` is, by its first bytes; None for a kind we do not keep."""
    return next((t for t in attachment_types() if t.matches(content)), None)


def _limits() -> dict[str, object]:
    return {"max_bytes": max_attachment_bytes(), "accepted": list(accepted_content_types())}


def check_document(content: bytes) -> AttachmentType:
    """The kind of a file someone wants kept; `InvalidAttachment` (reason "empty",
    "unsupported_type" or "too_large") when it cannot be."""
    if not content:
        raise InvalidAttachment("the file is empty", reason="empty", **_limits())
    kind = detect_type(content)
    if kind is None:
        raise InvalidAttachment(
            "receipts are kept as PDF, JPEG, PNG, WebP or HEIC", reason="unsupported_type", **_limits()
        )
    if len(content) > kind.max_bytes:
        raise InvalidAttachment(
            f"the file is {len(content)} bytes; at most {kind.max_bytes} are kept",
            reason="too_large",
            size=len(content),
            **_limits(),
        )
    return kind


# --------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class Attachment:
    """A document kept with a voucher (without its bytes).

    Attributes:
      id: the attachment's id.
      journal_entry_id, year, voucher_number: the voucher it documents.
      kind: "receipt" or "statement_line".
      filename, content_type, size, sha256: the file.
      created_at, created_by_id, channel: who added it, when and where.
    """

    id: int
    company_id: int
    journal_entry_id: int
    year: int
    voucher_number: int
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: dt.datetime
    created_by_id: int | None
    channel: str

    @property
    def voucher(self) -> str:
        """The voucher as people write it: "2026-14"."""
        return f"{self.year}-{self.voucher_number}"


@dataclass(frozen=True)
class AttachmentFile:
    """An attachment with its bytes, to hand out."""

    attachment: Attachment
    content: bytes


@dataclass(frozen=True)
class Attached:
    """The result of attaching: the document kept, and whether it was kept before (the same
    bytes sent again for the same voucher are kept once)."""

    attachment: Attachment
    repeated: bool


def _value(row: VoucherAttachment, entry: JournalEntry) -> Attachment:
    return Attachment(
        id=row.id,
        company_id=row.company_id,
        journal_entry_id=row.journal_entry_id,
        year=entry.year,
        voucher_number=entry.voucher_number,
        kind=row.kind,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        created_at=row.created_at,
        created_by_id=row.created_by_id,
        channel=row.channel,
    )


def _entry(session: Session, company_id: int, entry_id: int) -> JournalEntry:
    """The company's journal entry; NotFound for another company's or none."""
    entry = session.get(JournalEntry, entry_id)
    if entry is None or entry.company_id != company_id:
        raise NotFound(f"no voucher with id {entry_id}", entry_id=entry_id)
    return entry


_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"\\/]+")


def clean_filename(filename: str, default: str) -> str:
    """The last part of a sent file name, without controls, quotes or slashes, at most 255
    characters (keeping its ending); `default` when nothing is left."""
    base = PureWindowsPath(PurePosixPath(filename or "").name).name
    base = _UNSAFE.sub("_", base).strip(" .")
    if not base:
        return default
    if len(base) > MAX_FILENAME:
        _, dot, ending = base.rpartition(".")
        keep = f"{dot}{ending}" if dot and len(ending) <= 10 else ""
        base = base[: MAX_FILENAME - len(keep)] + keep
    return base


# --------------------------------------------------------------------------------------------
# Attaching


def _store(
    session: Session,
    entry: JournalEntry,
    content: bytes,
    filename: str,
    content_type: str,
    kind: str,
    created_by_id: int | None,
    channel: str,
) -> Attached:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    digest = hashlib.sha256(content).hexdigest()
    same = _kept(session, entry.id, digest)
    if same is not None:
        return Attached(_value(same, entry), repeated=True)
    row = VoucherAttachment(
        company_id=entry.company_id,
        journal_entry_id=entry.id,
        kind=kind,
        filename=filename,
        content_type=content_type,
        content=content,
        sha256=digest,
        size=len(content),
        created_by_id=created_by_id,
        channel=channel,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # The same file sent twice at once: the other request kept it.
        kept = _kept(session, entry.id, digest)
        if kept is None:
            raise
        return Attached(_value(kept, entry), repeated=True)
    return Attached(_value(row, entry), repeated=False)


def _kept(session: Session, entry_id: int, digest: str) -> VoucherAttachment | None:
    return session.scalar(
        select(VoucherAttachment).where(
            VoucherAttachment.journal_entry_id == entry_id, VoucherAttachment.sha256 == digest
        )
    )


def attach_document(
    session: Session,
    company_id: int,
    entry_id: int,
    content: bytes,
    filename: str = "",
    *,
    created_by_id: int | None,
    channel: str,
) -> Attached:
    """Keep `content` (a receipt's photo or PDF) with the company's voucher `entry_id`, which
    then no longer misses its documentation. The type is read from the bytes; the file name
    is cleaned ("bilag-2026-14.pdf" when none is given). Refused, writing nothing: a voucher
    of another company or none (`NotFound`), an empty, unknown or too large file
    (`InvalidAttachment`). A document may be added to a voucher of a closed period: it
    documents the books without changing them."""
    entry = _entry(session, company_id, entry_id)
    kind = check_document(content)
    name = clean_filename(filename, f"bilag-{entry.year}-{entry.voucher_number}.{kind.extension}")
    return _store(session, entry, content, name, kind.content_type, RECEIPT, created_by_id, channel)


def attach_statement_line(
    session: Session,
    company_id: int,
    entry_id: int,
    line_id: str,
    fields: Mapping[str, object],
    *,
    created_by_id: int | None,
    channel: str,
) -> Attached:
    """Keep the bank statement line a bank posting came from with its voucher, as JSON
    (`fields`: date, amount, text, counterparty, KID, account ... as the statement said)."""
    entry = _entry(session, company_id, entry_id)
    content = json.dumps(
        {"line_id": line_id, **fields}, ensure_ascii=False, sort_keys=True, default=str, indent=2
    ).encode("utf-8")
    name = clean_filename(f"kontoutskrift-{line_id}.json", f"kontoutskrift-{entry.year}-{entry.voucher_number}.json")
    return _store(session, entry, content, name, STATEMENT_LINE_TYPE, STATEMENT_LINE, created_by_id, channel)


# --------------------------------------------------------------------------------------------
# Reading


def list_attachments(session: Session, company_id: int, entry_id: int) -> list[Attachment]:
    """The documents kept with the company's voucher, oldest first; `NotFound` for a voucher
    of another company."""
    entry = _entry(session, company_id, entry_id)
    rows = session.scalars(
        select(VoucherAttachment).where(VoucherAttachment.journal_entry_id == entry.id).order_by(VoucherAttachment.id)
    )
    return [_value(row, entry) for row in rows]


def fetch_attachment(
    session: Session, company_id: int, attachment_id: int, entry_id: int | None = None
) -> AttachmentFile:
    """One document with its bytes; `NotFound` when it is not the company's (or, given
    `entry_id`, not that voucher's)."""
    row = session.get(VoucherAttachment, attachment_id)
    if row is None or row.company_id != company_id or (entry_id is not None and row.journal_entry_id != entry_id):
        raise NotFound(f"no attachment {attachment_id}", attachment_id=attachment_id)
    entry = _entry(session, company_id, row.journal_entry_id)
    return AttachmentFile(_value(row, entry), bytes(row.content))


# --------------------------------------------------------------------------------------------
# What is missing


def require_receipt(session: Session, company_id: int, entry_id: int) -> None:
    """Record, as it is posted, that the voucher needs its receipt (an expense)."""
    _entry(session, company_id, entry_id)
    session.add(DocumentationRequirement(company_id=company_id, journal_entry_id=entry_id, kind=RECEIPT))
    session.flush()


@dataclass(frozen=True)
class MissingDocumentation:
    """A voucher that needs documentation and has none yet.

    Attributes:
      entry_id, year, voucher_number, date, description: the voucher.
      amount: its total (the sum of its debits: an expense's amount paid, VAT included).
      kind: what it needs ("receipt").
    """

    entry_id: int
    year: int
    voucher_number: int
    date: dt.date
    description: str
    amount: Money
    kind: str

    @property
    def voucher(self) -> str:
        return f"{self.year}-{self.voucher_number}"


def vouchers_missing_documentation(
    session: Session,
    company_id: int,
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    created_by_id: int | None = None,
) -> list[MissingDocumentation]:
    """The company's vouchers (dated `first` to `last`, and posted by `created_by_id`, when
    given) that need documentation and have none of that kind attached (a statement line is
    no receipt), oldest first. A voucher that was reversed, and so undone, needs no receipt
    any more."""
    reversal = aliased(JournalEntry)
    attached = exists().where(
        VoucherAttachment.journal_entry_id == JournalEntry.id, VoucherAttachment.kind == DocumentationRequirement.kind
    )
    reversed_ = exists().where(reversal.reverses_id == JournalEntry.id)
    query = (
        select(JournalEntry, DocumentationRequirement.kind, func.sum(JournalLine.debit))
        .join(DocumentationRequirement, DocumentationRequirement.journal_entry_id == JournalEntry.id)
        .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
        .where(JournalEntry.company_id == company_id, ~attached, ~reversed_)
        .group_by(JournalEntry.id, DocumentationRequirement.kind)
        .order_by(JournalEntry.date, JournalEntry.year, JournalEntry.voucher_number)
    )
    if first is not None:
        query = query.where(JournalEntry.date >= first)
    if last is not None:
        query = query.where(JournalEntry.date <= last)
    if created_by_id is not None:
        query = query.where(JournalEntry.created_by_id == created_by_id)
    return [
        MissingDocumentation(
            entry.id,
            entry.year,
            entry.voucher_number,
            entry.date,
            entry.description,
            Decimal(total or ZERO),
            kind,
        )
        for entry, kind, total in session.execute(query)
    ]


def is_missing_documentation(session: Session, company_id: int, entry_id: int) -> bool:
    """Whether the company's voucher needs documentation and has none of that kind attached
    (the bank statement line an expense was paid by is no receipt)."""
    entry = _entry(session, company_id, entry_id)
    needs = session.scalar(
        select(DocumentationRequirement.kind).where(DocumentationRequirement.journal_entry_id == entry.id)
    )
    if needs is None:
        return False
    has = session.scalar(
        select(VoucherAttachment.id)
        .where(VoucherAttachment.journal_entry_id == entry.id, VoucherAttachment.kind == needs)
        .limit(1)
    )
    return has is None
