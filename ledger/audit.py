"""The audit trail of a voucher or an invoice: who posted it, when, through which channel, and
what has corrected it since.

Every journal entry records its author (`created_by_id`), the instant it was written
(`created_at`) and the channel it came through; posted entries are never changed, so a
correction is a later entry of its own: a reversing voucher (`reverses_id`) or, for an
invoice, a credit note in the invoice series. This module reads those records back for the
chat ("hvem bokførte faktura 10004?") and the REST API alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from ledger.corrections import find_voucher
from ledger.errors import NotFound
from ledger.invoicing import get_invoice
from ledger.models import DocumentationRequirement, Invoice, JournalEntry, Payment, User

CorrectionKind = Literal["reversal", "credit_note"]


@dataclass(frozen=True)
class Posting:
    """Who wrote one voucher into the books, and when.

    Attributes:
      voucher: the voucher, "YYYY-N".
      date: the voucher's accounting date (which may differ from the day it was written).
      description: the voucher's text.
      posted_by: the author's name; None when the system posted it on no one's behalf.
      posted_by_id: the author's user id; None likewise.
      posted_at: when it was written (timezone-aware, UTC).
      channel: where it came from: "telegram", "web", "api", "cli", "import" or "system".
    """

    voucher: str
    date: dt.date
    description: str
    posted_by: str | None
    posted_by_id: int | None
    posted_at: dt.datetime
    channel: str


@dataclass(frozen=True)
class AuditCorrection:
    """A later voucher that corrects the audited one.

    Attributes:
      kind: "reversal" (a reversing voucher) or "credit_note" (an invoice credited).
      posting: who posted the correction, when and how.
      credit_note_number: the credit note's number; None for a reversal.
    """

    kind: CorrectionKind
    posting: Posting
    credit_note_number: int | None = None


@dataclass(frozen=True)
class AuditTrail:
    """The trail of one voucher or invoice.

    Attributes:
      posting: who posted it, when and through which channel.
      invoice_number: the invoice or credit note the voucher posted; None for other vouchers.
      kind: "invoice", "credit_note" or "voucher".
      corrections: what corrected it since, oldest first (empty when nothing did).
    """

    posting: Posting
    invoice_number: int | None
    kind: Literal["invoice", "credit_note", "voucher"]
    corrections: tuple[AuditCorrection, ...]


def posting_of(session: Session, entry: JournalEntry) -> Posting:
    """Who posted `entry`, when and how."""
    author = session.get(User, entry.created_by_id) if entry.created_by_id is not None else None
    return Posting(
        voucher=f"{entry.year}-{entry.voucher_number}",
        date=entry.date,
        description=entry.description,
        posted_by=author.name if author else None,
        posted_by_id=entry.created_by_id,
        posted_at=entry.created_at,
        channel=entry.channel,
    )


def _trail(session: Session, entry: JournalEntry, invoice: Invoice | None) -> AuditTrail:
    corrections: list[tuple[dt.datetime, int, AuditCorrection]] = []
    for reversal in session.scalars(select(JournalEntry).where(JournalEntry.reverses_id == entry.id)):
        undone = AuditCorrection("reversal", posting_of(session, reversal))
        corrections.append((reversal.created_at, reversal.id, undone))
    if invoice is not None and invoice.kind == "invoice":
        notes = session.scalars(
            select(Invoice).where(Invoice.company_id == invoice.company_id, Invoice.credits_id == invoice.id)
        )
        for note in notes:
            mirror = session.get(JournalEntry, note.journal_entry_id) if note.journal_entry_id else None
            if mirror is not None:
                found = AuditCorrection("credit_note", posting_of(session, mirror), credit_note_number=note.number)
                corrections.append((mirror.created_at, mirror.id, found))
    corrections.sort(key=lambda c: (c[0], c[1]))
    kind: Literal["invoice", "credit_note", "voucher"] = "voucher"
    if invoice is not None:
        kind = "credit_note" if invoice.kind == "credit_note" else "invoice"
    return AuditTrail(
        posting=posting_of(session, entry),
        invoice_number=invoice.number if invoice else None,
        kind=kind,
        corrections=tuple(c for _, _, c in corrections),
    )


def voucher_audit(session: Session, company_id: int, voucher: str) -> AuditTrail:
    """The trail of the company's voucher "YYYY-N" (NotFound if there is none)."""
    entry = find_voucher(session, company_id, voucher)
    invoice = session.scalar(select(Invoice).where(Invoice.journal_entry_id == entry.id))
    return _trail(session, entry, invoice)


def voucher_number_audit(session: Session, company_id: int, number: int) -> AuditTrail:
    """The trail of the newest voucher numbered `number` ("bilag 57" said without its year:
    numbers start again each year, so the latest year that has it)."""
    year = session.scalar(
        select(JournalEntry.year)
        .where(JournalEntry.company_id == company_id, JournalEntry.voucher_number == number)
        .order_by(JournalEntry.year.desc())
        .limit(1)
    )
    if year is None:
        raise NotFound(f"no voucher number {number}", voucher=str(number))
    return voucher_audit(session, company_id, f"{year}-{number}")


def invoice_audit(session: Session, company_id: int, number: int) -> AuditTrail:
    """The trail of the company's invoice or credit note `number` (UnknownInvoice if none)."""
    invoice = get_invoice(session, company_id, number)
    entry = session.get(JournalEntry, invoice.journal_entry_id) if invoice.journal_entry_id else None
    if entry is None:
        raise NotFound(f"invoice {number} has no voucher", number=number)
    return _trail(session, entry, invoice)


PostingKind = Literal["invoice", "credit_note", "payment", "expense", "reversal", "other"]
POSTING_KINDS: tuple[PostingKind, ...] = ("invoice", "credit_note", "payment", "expense", "reversal", "other")


def postings_by_kind(session: Session) -> dict[PostingKind, int]:
    """How many vouchers the whole installation has posted, by kind: a reversal, an invoice or
    a credit note, a payment, an expense (a voucher that needs its receipt), or anything else.
    Vouchers are never deleted, so each count only grows (a counter, for the metrics)."""
    kind = case(
        (JournalEntry.reverses_id.is_not(None), "reversal"),
        (Invoice.kind == "credit_note", "credit_note"),
        (Invoice.id.is_not(None), "invoice"),
        (Payment.id.is_not(None), "payment"),
        (DocumentationRequirement.id.is_not(None), "expense"),
        else_="other",
    )
    rows = session.execute(
        select(kind, func.count(distinct(JournalEntry.id)))
        .select_from(JournalEntry)
        .outerjoin(Invoice, Invoice.journal_entry_id == JournalEntry.id)
        .outerjoin(Payment, Payment.journal_entry_id == JournalEntry.id)
        .outerjoin(DocumentationRequirement, DocumentationRequirement.journal_entry_id == JournalEntry.id)
        .group_by(kind)
    )
    counts: dict[PostingKind, int] = dict.fromkeys(POSTING_KINDS, 0)
    for name, count in rows:
        counts[name] = int(count)
    return counts
