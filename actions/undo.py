"""Undoing the last thing the assistant posted for this person ("angre", "undo").

How each kind of voucher is corrected is the ledger's rule (`ledger.corrections`); this
module finds the words for it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.books import sessions
from actions.confirmation import PENDING_SLOT, Done, active_form, leaving_events, proposal_waiting, refusal
from actions.context import Asker, asker_of
from actions.replies import render
from ledger import corrections
from ledger.corrections import UNDO_SOURCE_PREFIX, Correction
from ledger.errors import LedgerError

TEMPLATES = {
    "hours_removed": "undo_hours.j2",
    "credited": "undo_credited.j2",
    "credit_note_final": "undo_credit_note.j2",
    "payment_reversed": "undo_payment.j2",
    "reversed": "undo_reversed.j2",
}


def undo_source(asker: Asker) -> str:
    return f"{UNDO_SOURCE_PREFIX}{asker.message_id}"


def undo_last(session: Session, asker: Asker) -> Done:
    """Corrects the asker's last chat posting (a voucher, or logged hours) and says how."""
    assert asker.company_id is not None and asker.user_id is not None
    done = corrections.undo_last(
        session, asker.company_id, asker.user_id, asker.role or "", channel=asker.channel, source=undo_source(asker)
    )
    return Done(TEMPLATES[done.kind], reply_values(done))


def reply_values(done: Correction) -> dict[str, Any]:
    """What the undo templates show of a correction."""
    return {
        "voucher": done.voucher,
        "reversal": done.reversal,
        "description": done.description,
        "amount": done.amount,
        "total": done.amount,
        "invoice": done.invoice_number or "",
        "credit_note": done.credit_note_number,
        "number": done.credit_note_number,
        "hours": done.hours,
        "project": done.project,
        "date": done.date,
    }


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
