"""Undoing the last thing the assistant posted for this person ("angre", "undo").

Posted vouchers are never changed: the last voucher this user posted in this company through
the chat is corrected the way an accountant would. An invoice is credited with a credit note
in the invoice series (an issued invoice is never voided; the credit note posts the mirror
entry and releases billed hours); anything else gets a reversing voucher that points to it,
dated like the original when that period is still open, else today. Unbilled hours logged
through the chat are not vouchers: the newest are simply taken back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.books import sessions
from actions.confirmation import PENDING_SLOT, Done, active_form, leaving_events, proposal_waiting, refusal
from actions.context import Asker, asker_of
from actions.replies import render
from ledger.errors import LedgerError, NothingToUndo, PeriodLocked
from ledger.journal import ensure_open, reverse_entry
from ledger.models import Invoice, JournalEntry, Payment, TimeEntry
from ledger.money import ZERO
from ledger.timesheet import remove_time_entry
from ledger.workdays import today_in_oslo

CHAT_SOURCE_PREFIX = "chat"
UNDO_SOURCE_PREFIX = "undo:"
"""The source of what undo itself posts: not a chat posting, so the next "angre" goes further
back instead of undoing the undo."""


def undo_source(asker: Asker) -> str:
    return f"{UNDO_SOURCE_PREFIX}{asker.message_id}"


def last_chat_entry(session: Session, company_id: int, user_id: int) -> JournalEntry:
    """The newest voucher `user_id` posted in this company through the chat that is neither a
    reversal nor reversed already; NothingToUndo when there is none."""
    reversed_ids = select(JournalEntry.reverses_id).where(
        JournalEntry.company_id == company_id, JournalEntry.reverses_id.is_not(None)
    )
    entry = session.scalar(
        select(JournalEntry)
        .where(
            JournalEntry.company_id == company_id,
            JournalEntry.created_by_id == user_id,
            JournalEntry.source.startswith(CHAT_SOURCE_PREFIX),
            JournalEntry.reverses_id.is_(None),
            JournalEntry.id.not_in(reversed_ids),
        )
        .order_by(JournalEntry.id.desc())
        .limit(1)
    )
    if entry is None:
        raise NothingToUndo("nothing posted through the chat to undo")
    return entry


def last_chat_time_entry(session: Session, company_id: int, user_id: int) -> TimeEntry | None:
    """The newest unbilled hours `user_id` logged in this company through the chat, if any."""
    return session.scalar(
        select(TimeEntry)
        .where(
            TimeEntry.company_id == company_id,
            TimeEntry.user_id == user_id,
            TimeEntry.source.startswith(CHAT_SOURCE_PREFIX),
            TimeEntry.invoice_id.is_(None),
        )
        .order_by(TimeEntry.created_at.desc(), TimeEntry.id.desc())
        .limit(1)
    )


def _take_back_hours(session: Session, asker: Asker, entry: TimeEntry) -> Done:
    # Hours are not a voucher: unbilled hours are simply taken back.
    assert asker.company_id is not None and asker.user_id is not None
    project = entry.project.name
    values = {"hours": entry.hours, "project": project, "date": entry.date}
    remove_time_entry(session, asker.company_id, asker.user_id, entry.id)
    return Done("undo_hours.j2", values)


def _reversal_date(session: Session, entry: JournalEntry) -> dt.date:
    try:
        ensure_open(session, entry.company_id, entry.date)
    except PeriodLocked:
        return today_in_oslo()
    return entry.date


def undo_last(session: Session, asker: Asker) -> Done:
    """Corrects the asker's last chat posting (a voucher, or logged hours) and says how."""
    assert asker.company_id is not None and asker.user_id is not None
    hours = last_chat_time_entry(session, asker.company_id, asker.user_id)
    if asker.role == "staff":
        if hours is None:
            raise NothingToUndo("no hours logged through the chat to undo")
        return _take_back_hours(session, asker, hours)
    try:
        entry = last_chat_entry(session, asker.company_id, asker.user_id)
    except NothingToUndo:
        if hours is None:
            raise
        return _take_back_hours(session, asker, hours)
    if hours is not None and hours.created_at > entry.created_at:
        return _take_back_hours(session, asker, hours)
    invoice = session.scalar(select(Invoice).where(Invoice.journal_entry_id == entry.id))
    if invoice is not None and invoice.kind == "invoice":
        return _credit(session, asker, invoice, entry)
    if invoice is not None:
        # A credit note is final (its invoice stays credited): a new invoice replaces it.
        voucher = f"{entry.year}-{entry.voucher_number}"
        return Done("undo_credit_note.j2", {"number": invoice.number, "voucher": voucher})
    payment = session.scalar(select(Payment).where(Payment.journal_entry_id == entry.id))
    if payment is not None:
        return _reverse_payment(session, asker, payment, entry)
    reversal = reverse_entry(
        session,
        entry,
        channel=asker.channel,
        created_by_id=asker.user_id,
        date=_reversal_date(session, entry),
        source=undo_source(asker),
    )
    return Done(
        "undo_reversed.j2",
        {
            "voucher": f"{entry.year}-{entry.voucher_number}",
            "description": entry.description,
            "reversal": f"{reversal.year}-{reversal.voucher_number}",
            "amount": sum((line.debit for line in entry.lines), ZERO),
        },
    )


def _credit(session: Session, asker: Asker, invoice: Invoice, entry: JournalEntry) -> Done:
    from ledger.invoicing import credit_invoice

    assert asker.company_id is not None
    note = credit_invoice(
        session,
        asker.company_id,
        invoice.number,
        channel=asker.channel,
        created_by_id=asker.user_id,
        source=undo_source(asker),
    )
    voucher = session.get(JournalEntry, note.journal_entry_id) if note.journal_entry_id else None
    return Done(
        "undo_credited.j2",
        {
            "invoice": invoice.number,
            "credit_note": note.number,
            "voucher": f"{entry.year}-{entry.voucher_number}",
            "reversal": f"{voucher.year}-{voucher.voucher_number}" if voucher else "",
            "total": invoice.total,
        },
    )


def _reverse_payment(session: Session, asker: Asker, payment: Payment, entry: JournalEntry) -> Done:
    from ledger.invoicing import reverse_payment

    assert asker.company_id is not None
    reversal = reverse_payment(
        session,
        asker.company_id,
        payment.id,
        channel=asker.channel,
        created_by_id=asker.user_id,
        source=undo_source(asker),
    )
    invoice = session.get(Invoice, payment.invoice_id)
    return Done(
        "undo_payment.j2",
        {
            "voucher": f"{entry.year}-{entry.voucher_number}",
            "reversal": f"{reversal.year}-{reversal.voucher_number}",
            "amount": payment.amount,
            "invoice": invoice.number if invoice else "",
        },
    )


class ActionUndo(Action):
    """Reverses (or credits) the last voucher this person posted through the chat, or takes
    back the hours they last logged (the only thing staff can undo).

    Said in the middle of a form, or right after a summary that waits for Ja/Nei, "angre"
    takes back what is being made instead: nothing is posted and nothing earlier is reversed
    (a credit note for last week's invoice is no answer to "angre" while the next one is being
    asked for); a second "angre" then undoes the last posting."""

    def name(self) -> str:
        return "action_undo"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asker = asker_of(tracker)
        if active_form(tracker) is not None or proposal_waiting(tracker):
            dispatcher.utter_message(text=render(asker.language, "undo_left_form.j2"))
            return leaving_events(tracker, domain)
        if not asker.known:
            dispatcher.utter_message(text=render(asker.language, "not_signed_in.j2"))
            return []
        try:
            with sessions().begin() as session:
                done = undo_last(session, asker)
        except LedgerError as error:
            dispatcher.utter_message(text=refusal(asker.language, error))
            return []
        dispatcher.utter_message(text=render(asker.language, done.template, **done.values))
        return [SlotSet(PENDING_SLOT, None), *done.events]
