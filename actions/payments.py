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

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.answers import Refused, amount_answer, said_entity
from actions.books import sessions
from actions.confirmation import ChangedSinceShown, Done, Proposal, ProposeAction, confirmed, dry_run, entry_shown
from actions.context import Asker, asker_of
from actions.forms import CHOICES_SLOT, answered
from actions.invoicing import AskOpenInvoice, OpenInvoiceForm, open_invoice_rows
from actions.replies import render
from ledger import clock
from ledger.invoicing import get_invoice, owed_on, register_payment

PAYMENT_SLOTS = ["payment_invoice", "payment_customer", "payment_amount", "payment_date"]


class ValidatePaymentForm(OpenInvoiceForm):
    """Finds the invoice paid and reads the amount and the date."""

    number_slot, customer_slot = "payment_invoice", "payment_customer"

    def name(self) -> str:
        return "validate_payment_form"

    def validate_payment_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        assert asker.company_id is not None
        amount = amount_answer(value, said_entity(tracker.latest_message, "amount"))
        found = answered(dispatcher, asker, "payment_amount", amount, "invalid_amount.j2")
        if isinstance(amount, Refused):
            return found
        entities = (tracker.latest_message or {}).get("entities") or []
        named = any(e.get("entity") in ("customer", "project") for e in entities)
        if not tracker.get_slot("payment_invoice") and not tracker.get_slot("payment_customer") and not named:
            # by the amount alone only when nobody was named: "Havbris har betalt 2 500" is
            # never another customer's invoice of 2 500
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


class AskPaymentInvoice(AskOpenInvoice):
    slot, customer_slot = "payment_invoice", "payment_customer"


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
    return {
        "number": number,
        "customer": invoice.customer.name,
        "amount": payment.amount,
        "date": payment.date,
        "owed_before": owed,
        "owed_after": owed - payment.amount,
        **entry_shown(session, payment.journal_entry_id),
    }


class ActionProposePayment(ProposeAction):
    """Shows the payment that will be posted and asks Ja/Nei (the payment form's submit)."""

    action, kind, summary = "action_propose_payment", "register_payment", "payment_summary.j2"
    slots = (*PAYMENT_SLOTS, CHOICES_SLOT)
    required = ("payment_invoice",)

    def proposal(self, tracker: Tracker, asker: Asker) -> Proposal:
        values: dict[str, Any] = {
            "number": int(str(tracker.get_slot("payment_invoice"))),
            "amount": tracker.get_slot("payment_amount") or "",
            "date": tracker.get_slot("payment_date") or clock.today().isoformat(),
        }
        shown = dry_run(lambda session: _register(session, asker, values))
        return Proposal({**values, "amount": str(shown["amount"])}, shown)


@confirmed("register_payment")
def post_payment(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """Posts the payment that was shown."""
    done = _register(session, asker, values)
    if done["amount"] != Decimal(str(values["amount"])):
        raise ChangedSinceShown("the amount changed")
    return Done("payment_registered.j2", done)
