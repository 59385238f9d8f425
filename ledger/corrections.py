"""Correcting what was posted: the one policy for every kind of voucher, for the chat's "angre"
and the REST API alike.

Posted vouchers are never changed or deleted. A voucher is corrected the way an accountant
would: an invoice is credited with a credit note in the invoice series (an issued invoice is
never voided; the credit note posts the mirror entry and releases the hours it billed); a
payment is reversed and its invoice is owed again; a credit note is final (a new invoice
replaces it); anything else gets a reversing voucher that points to it, dated like the
original while that period is open, else today. Unbilled hours are not vouchers: hours
logged through the chat are simply taken back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, UnaryExpression, select
from sqlalchemy.orm import Session

from ledger import clock
from ledger.errors import InvalidInput, NotFound, NothingToUndo, PeriodLocked
from ledger.journal import ensure_open, postings_of, reverse_entry
from ledger.models import Invoice, JournalEntry, Payment, TimeEntry
from ledger.money import ZERO
from ledger.permissions import Capability, may
from ledger.timesheet import remove_time_entry

CHAT_SOURCE_PREFIX = "chat"
"""What the chat writes as the source of its postings (see `chat_source`)."""
UNDO_SOURCE_PREFIX = "undo:"
"""The source of what a correction posts: not a chat posting, so the next "angre" goes further
back instead of undoing the undo."""

R = TypeVar("R", JournalEntry, TimeEntry)

CorrectionKind = Literal["hours_removed", "credited", "credit_note_final", "payment_reversed", "reversed"]


@dataclass(frozen=True)
class Correction:
    """What a correction did.

    Attributes:
      kind: "hours_removed" (unbilled hours taken back), "credited" (an invoice credited with
        a credit note), "credit_note_final" (nothing done: a credit note is not undone),
        "payment_reversed" (its invoice is owed again) or "reversed" (a reversing voucher).
      voucher: the corrected voucher, "YYYY-N"; "" for hours.
      reversal: the voucher that corrects it, "YYYY-N"; "" when nothing was posted.
      description: the corrected voucher's text.
      amount: what the corrected voucher moved (its debits; the invoice total, the payment).
      invoice_number: the invoice credited or paid; None if none.
      credit_note_number: the credit note issued (or the final one met); None if none.
      hours, project, date: the hours taken back; None otherwise.
    """

    kind: CorrectionKind
    voucher: str = ""
    reversal: str = ""
    description: str = ""
    amount: Decimal = ZERO
    invoice_number: int | None = None
    credit_note_number: int | None = None
    hours: Decimal | None = None
    project: str | None = None
    date: dt.date | None = None


def chat_source(message_id: str) -> str:
    """The source recorded on what a chat message posts: "chat:<message id>"."""
    return f"{CHAT_SOURCE_PREFIX}:{message_id}" if message_id else CHAT_SOURCE_PREFIX


def _voucher(entry: JournalEntry) -> str:
    return f"{entry.year}-{entry.voucher_number}"


def find_voucher(session: Session, company_id: int, voucher: str) -> JournalEntry:
    """The company's voucher written "YYYY-N"; NotFound when there is none."""
    year, _, number = voucher.partition("-")
    if not (year.isdigit() and number.isdigit()) or len(year) != 4 or len(number) > 9:
        raise InvalidInput("a voucher is written YYYY-N, e.g. 2026-14", voucher=voucher[:20])
    entry = session.scalar(
        select(JournalEntry).where(
            JournalEntry.company_id == company_id,
            JournalEntry.year == int(year),
            JournalEntry.voucher_number == int(number),
        )
    )
    if entry is None:
        raise NotFound(f"no voucher {voucher}", voucher=voucher)
    return entry


def _newest_through_chat(
    session: Session,
    kind: type[R],
    company_id: int,
    user_id: int,
    *still: ColumnElement[bool],
    newest_first: tuple[UnaryExpression[Any], ...] = (),
) -> R | None:
    """The newest row of `kind` (a voucher or hours) that `user_id` wrote in this company
    through the chat and of which `still` holds: by `newest_first`, then the last written."""
    author = JournalEntry.created_by_id if kind is JournalEntry else TimeEntry.user_id
    return session.scalar(
        select(kind)
        .where(kind.company_id == company_id, author == user_id, kind.source.startswith(CHAT_SOURCE_PREFIX), *still)
        .order_by(*newest_first, kind.id.desc())
        .limit(1)
    )


def last_chat_entry(session: Session, company_id: int, user_id: int) -> JournalEntry:
    """The newest voucher `user_id` posted in this company through the chat that is neither a
    reversal nor reversed already; NothingToUndo when there is none."""
    reversed_ids = select(JournalEntry.reverses_id).where(
        JournalEntry.company_id == company_id, JournalEntry.reverses_id.is_not(None)
    )
    not_reversal = JournalEntry.reverses_id.is_(None)
    not_reversed = JournalEntry.id.not_in(reversed_ids)
    entry = _newest_through_chat(session, JournalEntry, company_id, user_id, not_reversal, not_reversed)
    if entry is None:
        raise NothingToUndo("nothing posted through the chat to undo")
    return entry


def last_chat_time_entry(session: Session, company_id: int, user_id: int) -> TimeEntry | None:
    """The newest unbilled hours `user_id` logged in this company through the chat, if any."""
    unbilled = TimeEntry.invoice_id.is_(None)
    return _newest_through_chat(
        session, TimeEntry, company_id, user_id, unbilled, newest_first=(TimeEntry.created_at.desc(),)
    )


def _take_back_hours(session: Session, company_id: int, user_id: int, entry: TimeEntry) -> Correction:
    taken = Correction("hours_removed", hours=entry.hours, project=entry.project.name, date=entry.date)
    remove_time_entry(session, company_id, user_id, entry.id)
    return taken


def _reversal_date(session: Session, entry: JournalEntry) -> dt.date:
    try:
        ensure_open(session, entry.company_id, entry.date, postings_of(entry))
    except PeriodLocked:
        return clock.today()
    return entry.date


def correct_entry(
    session: Session, entry: JournalEntry, *, user_id: int, channel: str, source: str
) -> Correction:
    """Correct one posted voucher by the policy in the module docstring."""
    from ledger.invoicing import credit_invoice, reverse_payment

    company_id = entry.company_id
    if entry.reverses_id is not None:
        raise InvalidInput("a reversing voucher is not corrected again", voucher=_voucher(entry))
    invoice = session.scalar(select(Invoice).where(Invoice.journal_entry_id == entry.id))
    if invoice is not None and invoice.kind == "invoice":
        note = credit_invoice(
            session, company_id, invoice.number, channel=channel, created_by_id=user_id, source=source
        )
        mirror = session.get(JournalEntry, note.journal_entry_id) if note.journal_entry_id else None
        return Correction(
            "credited",
            voucher=_voucher(entry),
            reversal=_voucher(mirror) if mirror else "",
            description=entry.description,
            amount=invoice.total,
            invoice_number=invoice.number,
            credit_note_number=note.number,
        )
    if invoice is not None:
        return Correction(
            "credit_note_final", voucher=_voucher(entry), description=entry.description,
            credit_note_number=invoice.number,
        )
    payment = session.scalar(select(Payment).where(Payment.journal_entry_id == entry.id))
    if payment is not None:
        reversal = reverse_payment(
            session, company_id, payment.id, channel=channel, created_by_id=user_id, source=source
        )
        paid = session.get(Invoice, payment.invoice_id)
        return Correction(
            "payment_reversed",
            voucher=_voucher(entry),
            reversal=_voucher(reversal),
            description=entry.description,
            amount=payment.amount,
            invoice_number=paid.number if paid else None,
        )
    reversal = reverse_entry(
        session, entry, channel=channel, created_by_id=user_id, date=_reversal_date(session, entry), source=source
    )
    return Correction(
        "reversed",
        voucher=_voucher(entry),
        reversal=_voucher(reversal),
        description=entry.description,
        amount=sum((line.debit for line in entry.lines), ZERO),
    )


def undo_last(
    session: Session, company_id: int, user_id: int, role: str, *, channel: str, source: str
) -> Correction:
    """Correct the user's last posting through the chat in this company (a voucher, or the
    hours they logged after it). Staff may only take back their own hours."""
    hours = last_chat_time_entry(session, company_id, user_id)
    if not may(role, Capability.KEEP_BOOKS):
        if hours is None:
            raise NothingToUndo("no hours logged through the chat to undo")
        return _take_back_hours(session, company_id, user_id, hours)
    try:
        entry = last_chat_entry(session, company_id, user_id)
    except NothingToUndo:
        if hours is None:
            raise
        return _take_back_hours(session, company_id, user_id, hours)
    if hours is not None and hours.created_at > entry.created_at:
        return _take_back_hours(session, company_id, user_id, hours)
    return correct_entry(session, entry, user_id=user_id, channel=channel, source=source)
