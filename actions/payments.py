"""Payments from customers from the chat ("Fjord Bygg har betalt faktura 10023",
"registrer innbetaling 6 250 fra Fjord Bygg i går").

The invoice is found by its number, or among the customer's open invoices (one: that one;
several: a choice), or by the amount when exactly one open invoice is owed that much. The
amount defaults to what is owed, the date to today. The summary shows the voucher (1920
debit, 1500 credit) before anything is posted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.answers import Refused, amount_answer, said_entity
from actions.books import sessions
from actions.confirmation import ChangedSinceShown, Done, confirmed, dry_run, propose, refusal
from actions.context import Asker, asker_of
from actions.forms import CHOICES_SLOT, AskAction, FormValidator
from actions.invoicing import (
    check_invoice_number,
    customers_offered,
    open_invoice_rows,
    pick_by_customer,
    recent_open_buttons,
)
from actions.replies import render
from ledger import clock
from ledger.errors import LedgerError
from ledger.invoicing import get_invoice, owed_on, register_payment
from ledger.models import JournalEntry
from ledger.permissions import Capability, may

PAYMENT_SLOTS = ["payment_invoice", "payment_customer", "payment_amount", "payment_date"]


class ValidatePaymentForm(FormValidator):
    """Finds the invoice paid and reads the amount and the date."""

    def name(self) -> str:
        return "validate_payment_form"

    def needed(self, tracker: Tracker, asker: Asker) -> list[str]:
        return ["payment_invoice"]

    def validate_payment_customer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return pick_by_customer(dispatcher, tracker, value, "payment_customer", "payment_invoice")

    def validate_payment_invoice(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return check_invoice_number(dispatcher, tracker, value, "payment_invoice")

    def validate_payment_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        assert asker.company_id is not None
        amount = amount_answer(value, said_entity(tracker.latest_message, "amount"))
        if isinstance(amount, Refused):
            text = render(asker.language, "invalid_amount.j2", reason=amount.reason, said=amount.said)
            dispatcher.utter_message(text=text)
            return {"payment_amount": None}
        found: dict[str, Any] = {"payment_amount": str(amount)}
        if not tracker.get_slot("payment_invoice") and not tracker.get_slot("payment_customer"):
            with sessions().begin() as session:
                owed_that = [r for r in open_invoice_rows(session, asker.company_id) if r["open"] == amount]
            if len(owed_that) == 1:
                found["payment_invoice"] = str(owed_that[0]["number"])
        return found

    def validate_payment_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        try:
            day = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            dispatcher.utter_message(text=render(asker.language, "invalid_date.j2", reason="not_a_date"))
            return {"payment_date": None}
        if day > clock.today():
            dispatcher.utter_message(text=render(asker.language, "invalid_date.j2", reason="future", day=day))
            return {"payment_date": None}
        return {"payment_date": day.isoformat()}


class AskPaymentInvoice(AskAction):
    slot = "payment_invoice"

    def context(self, tracker: Tracker, asker: Asker) -> dict[str, Any]:
        return {"customers": [b["title"] for b in customers_offered(tracker, "payment_customer")]}

    def extra_buttons(self, tracker: Tracker, asker: Asker) -> list[dict[str, str]]:
        return customers_offered(tracker, "payment_customer") or recent_open_buttons(tracker, asker, self.slot)


def _register(session: Session, asker: Asker, values: dict[str, Any]) -> dict[str, Any]:
    assert asker.company_id is not None
    number = int(values["number"])
    invoice = get_invoice(session, asker.company_id, number)
    owed = owed_on(session, invoice)
    amount = Decimal(str(values["amount"])) if values.get("amount") else owed
    day = dt.date.fromisoformat(str(values["date"])) if values.get("date") else clock.today()
    payment = register_payment(
        session,
        asker.company_id,
        number,
        amount,
        day,
        created_by_id=asker.user_id,
        channel=asker.channel,
        source=asker.source,
    )
    entry = session.get(JournalEntry, payment.journal_entry_id) if payment.journal_entry_id else None
    return {
        "number": number,
        "customer": invoice.customer.name,
        "amount": payment.amount,
        "date": payment.date,
        "owed_before": owed,
        "owed_after": owed - payment.amount,
        "postings": [
            {"account": line.account, "debit": line.debit, "credit": line.credit, "vat_code": line.vat_code}
            for line in (entry.lines if entry else [])
        ],
        "voucher": f"{entry.year}-{entry.voucher_number}" if entry else "",
    }


class ActionProposePayment(Action):
    """Shows the payment that will be posted and asks Ja/Nei (the payment form's submit)."""

    def name(self) -> str:
        return "action_propose_payment"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asker = asker_of(tracker)
        slots = {slot: tracker.get_slot(slot) for slot in PAYMENT_SLOTS}
        clear: list[EventType] = [SlotSet(slot, None) for slot in PAYMENT_SLOTS] + [SlotSet(CHOICES_SLOT, None)]
        if not asker.known or not may(asker.role, Capability.KEEP_BOOKS) or not slots["payment_invoice"]:
            return clear
        values: dict[str, Any] = {
            "number": int(str(slots["payment_invoice"])),
            "amount": slots["payment_amount"] or "",
            "date": slots["payment_date"] or clock.today().isoformat(),
        }
        try:
            shown = dry_run(lambda session: _register(session, asker, values))
        except LedgerError as error:
            dispatcher.utter_message(text=refusal(asker.language, error))
            return clear
        values["amount"] = str(shown["amount"])
        return clear + propose(
            dispatcher, asker.language, "register_payment", values, "payment_summary.j2", shown=shown, asker=asker
        )


@confirmed("register_payment")
def post_payment(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """Posts the payment that was shown."""
    done = _register(session, asker, values)
    if done["amount"] != Decimal(str(values["amount"])):
        raise ChangedSinceShown("the amount changed")
    return Done("payment_registered.j2", done)
