"""A receipt sent in the chat (a photo or a PDF, on Telegram, in the web chat or through the
REST API), read and proposed as the expense it documents, or kept with the voucher it belongs to.

The gateway read the receipt's text by OCR when it arrived and stored it with the file
(`ledger.conversation_files`); here its fields are read from that text
(`ledger.receipts.read_receipt_text`) and the expense proposed through the company's expense
categories and vendor rules (`propose_receipt_expense`): "Kvittering fra Circle K 03.11.2026:
749,00 kr, drivstoff (7000), 25 % mva 149,80 kr. Bokføre?". "ja" posts it
(`ledger.expenses.register_expense`) with the picture as the voucher's attachment, and the
vendor's account and VAT code are remembered for next time.

What the receipt does not say is asked for: what it was (a vendor the company has no rule
for) with the common categories as buttons (`/categorise_receipt{"expense_category": ...}`;
a category typed while a receipt waits comes here too, see `actions.statements`), and van or
car when fuel's VAT depends on it. A receipt without a readable total is not guessed at: the
person is asked to type the expense. A missing date is taken as the day it was sent, and the
summary says so. Equipment over the capitalisation limit whose life is not known is asked
about as the expense flow asks it ("Er dette utstyr som varer i 3 år eller mer?").

A receipt sent shortly after its expense was posted without one ("Har du kvitteringen? Send et
bilde") is proposed for that voucher instead ("Legge kvitteringen ved bilag 2026-57 (Circle K,
749,00 kr)?"); "ja" keeps it there (`ledger.attachments.attach_document`), "nei" proposes it
as an expense of its own.

The receipt waiting for an answer is the `receipt` slot: `{"file_id", "company_id",
"user_id", "category"}`; everything else is read again from the stored file each time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.books import sessions
from actions.confirmation import (
    PENDING_SLOT,
    ChangedSinceShown,
    Done,
    confirmed,
    on_deny,
    propose,
    refusal,
)
from actions.context import Asker, own_file_state
from actions.expenses import COMMON_CATEGORIES, posted_as_shown, posting_values, vehicle_of
from actions.forms import KeeperAction
from actions.replies import render, reply
from ledger import clock
from ledger.attachments import attach_document, is_missing_documentation
from ledger.conversation_files import file_for, voucher_for_receipt, voucher_keeping
from ledger.errors import InvalidInput, LedgerError, UnknownExpenseCategory, VehicleUnknown
from ledger.expenses import VEHICLES, plan_expense, register_expense, set_vehicle
from ledger.models import ConversationFile, JournalEntry
from ledger.permissions import Capability, may
from ledger.receipts import ReceiptProposal, ReceiptReading, propose_receipt_expense, read_receipt_text
from ledger.vendor_rules import remember_vendor, vendor_key

RECEIPT_SLOT = "receipt"
CATEGORISE_INTENT = "categorise_receipt"
CATEGORY_ENTITY = "expense_category"
VEHICLE_ENTITY = "vehicle"
MAX_BUTTONS = 5


def _state(asker: Asker, file_id: str, category: str | None = None) -> dict[str, Any]:
    return {"file_id": file_id, "company_id": asker.company_id, "user_id": asker.user_id, "category": category}


def waiting_receipt(tracker: Tracker, asker: Asker) -> dict[str, Any] | None:
    """The receipt waiting for an answer, if it is this person's in this company."""
    return own_file_state(tracker, RECEIPT_SLOT, asker)


def _reading(row: ConversationFile) -> ReceiptReading | None:
    """What the stored receipt says; None when OCR read nothing of use on it."""
    if row.ocr_text is None:
        return None
    reading = read_receipt_text(row.ocr_text)
    if reading.total is None and reading.vendor is None and reading.date is None:
        return None
    return reading


def _sent_on(row: ConversationFile) -> dt.date:
    """The day (in Norway) the file was sent: the date of a receipt that shows none."""
    return row.created_at.astimezone(clock.OSLO).date()


def _row(session: Session, asker: Asker, file_id: str) -> ConversationFile:
    assert asker.company_id is not None
    row = file_for(session, asker.company_id, file_id)
    if row is None or row.kind != "receipt":
        raise InvalidInput("the receipt is not in these books", field="file_id")
    return row


def _vendor(reading: ReceiptReading) -> str:
    return reading.vendor.value if reading.vendor is not None else ""


def _category_buttons(language: str, leave_out: str | None = None) -> list[dict[str, str]]:
    options = [c for c in COMMON_CATEGORIES.get(language, COMMON_CATEGORIES["nb"]) if c != leave_out]
    return [
        {"title": option, "payload": f'/{CATEGORISE_INTENT}{{"{CATEGORY_ENTITY}": "{option}"}}'}
        for option in options[:MAX_BUTTONS]
    ]


def _vehicle_buttons(language: str, category: str) -> list[dict[str, str]]:
    """Varebil/Personbil, carrying the category said (if any) along with the answer."""
    said = f'"{CATEGORY_ENTITY}": "{category}", ' if category else ""
    return [
        {
            "title": render(language, "button_vehicle.j2", vehicle=vehicle),
            "payload": f'/{CATEGORISE_INTENT}{{{said}"{VEHICLE_ENTITY}": "{vehicle}"}}',
        }
        for vehicle in VEHICLES
    ]


def _shown(reading: ReceiptReading, row: ConversationFile) -> dict[str, Any]:
    """What every question about the receipt shows of it."""
    return {
        "vendor": _vendor(reading),
        "date": reading.date.value if reading.date is not None else _sent_on(row),
        "date_read": reading.date is not None,
        "amount": reading.total.value if reading.total is not None else None,
    }


def answer_receipt(
    dispatcher: CollectingDispatcher,
    asker: Asker,
    file_id: str,
    *,
    category: str | None = None,
    durable: bool | None = None,
    look_for_voucher: bool = True,
) -> list[EventType]:
    """Answers a receipt sent in the chat (see the module docstring): proposes keeping it with
    the voucher that waits for it, or posting it as an expense (in `category`, when the person
    said one), or asks what is missing. The events remember the question asked."""
    assert asker.company_id is not None
    forget: list[EventType] = [SlotSet(RECEIPT_SLOT, None)]
    with sessions().begin() as session:
        row = file_for(session, asker.company_id, file_id)
        if row is None or row.kind != "receipt":
            reply(dispatcher, asker, "file_unknown.j2")
            return forget
        if not may(asker.role, Capability.KEEP_BOOKS):
            reply(dispatcher, asker, "receipt_received.j2", caption=row.caption)
            return forget
        kept = voucher_keeping(session, asker.company_id, row.sha256)
        if kept is not None:
            reply(dispatcher, asker, "receipt_kept_before.j2", voucher=f"{kept.year}-{kept.voucher_number}")
            return forget
        reading = _reading(row)
        if reading is None:
            reply(dispatcher, asker, "receipt_unreadable.j2")
            return forget
        shown = _shown(reading, row)
        if look_for_voucher:
            assert asker.user_id is not None
            total = reading.total.value if reading.total is not None else None
            waiting = voucher_for_receipt(session, asker.company_id, asker.user_id, total)
            if waiting is not None:
                values = {"file_id": file_id, "entry_id": waiting.entry_id, "voucher": waiting.voucher}
                entry = session.get(JournalEntry, waiting.entry_id)
                about = {**shown, "voucher_amount": waiting.amount, "voucher_date": waiting.date,
                         "description": entry.description if entry is not None else ""}
                return [SlotSet(RECEIPT_SLOT, _state(asker, file_id)), *propose(
                    dispatcher, asker.language, "attach_receipt", values, "receipt_attach_summary.j2",
                    shown=about, asker=asker,
                )]
        if reading.total is None:
            reply(dispatcher, asker, "receipt_no_total.j2", **shown)
            return forget
        try:
            proposal = propose_receipt_expense(session, asker.company_id, reading, category=category,
                                               date=_sent_on(row))
        except UnknownExpenseCategory:
            reply(dispatcher, asker, "expense_category_unknown.j2", said=category or "")
            return _ask_category(dispatcher, asker, file_id, shown)
        except VehicleUnknown:
            text = render(asker.language, "receipt_vehicle_question.j2", **shown, category=category or "")
            dispatcher.utter_message(text=text, buttons=_vehicle_buttons(asker.language, category or ""))
            return [SlotSet(RECEIPT_SLOT, _state(asker, file_id, category)), SlotSet(PENDING_SLOT, None)]
        if "category" in proposal.missing:
            return _ask_category(dispatcher, asker, file_id, shown)
        try:
            kept_values, figures = _expense_summary(session, asker, proposal, _day(reading, row), durable)
        except LedgerError as error:  # a closed period, an account gone: said, nothing asked
            dispatcher.utter_message(text=refusal(asker.language, error))
            return forget
        values = {"file_id": file_id, "category": category, "stand_in_date": _sent_on(row).isoformat(),
                  **kept_values}
    return [SlotSet(RECEIPT_SLOT, _state(asker, file_id, category)), *propose(
        dispatcher, asker.language, "post_receipt", values, "receipt_summary.j2",
        shown={**shown, **figures}, asker=asker,
    )]


def _ask_category(
    dispatcher: CollectingDispatcher, asker: Asker, file_id: str, shown: dict[str, Any]
) -> list[EventType]:
    text = render(asker.language, "receipt_category_question.j2", **shown)
    dispatcher.utter_message(text=text, buttons=_category_buttons(asker.language))
    return [SlotSet(RECEIPT_SLOT, _state(asker, file_id)), SlotSet(PENDING_SLOT, None)]


def _day(reading: ReceiptReading, row: ConversationFile) -> dt.date:
    """The receipt's date, or the day it was sent when it shows none."""
    return reading.date.value if reading.date is not None else _sent_on(row)


def _expense_summary(
    session: Session, asker: Asker, proposal: ReceiptProposal, day: dt.date, durable: bool | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values kept for "ja" and the figures the summary shows; `durable` is the answer
    to "does it last?" when it was given."""
    assert proposal.plan is not None and asker.company_id is not None
    plan = proposal.plan
    if durable is not None:
        plan = plan_expense(session, asker.company_id, plan.gross, plan.treatment.category, day, durable=durable)
    treatment = plan.treatment
    reading = proposal.reading
    # "category" is what the person said (kept for asking again); the category it came to is shown.
    values = {**posting_values(plan, day, _vendor(reading), durable), "shown_category": treatment.category.keyword}
    shown = {
        "category": treatment.category.keyword,
        "vat": plan.vat,
        "rate": treatment.rate,
        "asset": treatment.reason == "asset",
        "vat_differs": proposal.vat_differs,
        "receipt_rates": [line.rate for line in reading.vat if line.rate > 0],
        "payment": reading.payment.value if reading.payment is not None else "",
        "min_life_years": plan.asset.limit.min_life_years if plan.asset else None,
    }
    return values, shown


def _durable(values: dict[str, Any]) -> bool | None:
    durable = values.get("durable")
    return durable if isinstance(durable, bool) else None


@confirmed("post_receipt")
def post_receipt(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """Posts the expense the receipt proposed, with the receipt kept as the voucher's
    attachment, and remembers the vendor's account and VAT code; refused if the books would
    now post something other than what was shown."""
    assert asker.company_id is not None
    row = _row(session, asker, str(values["file_id"]))
    if voucher_keeping(session, asker.company_id, row.sha256) is not None:
        raise ChangedSinceShown("the receipt was kept with a voucher since the summary")
    reading = _reading(row)
    if reading is None:
        raise ChangedSinceShown("the receipt's text is gone")
    stand_in = dt.date.fromisoformat(str(values["stand_in_date"]))
    proposal = propose_receipt_expense(session, asker.company_id, reading, category=values.get("category") or None,
                                       date=stand_in)
    if proposal.plan is None or str(proposal.plan.gross) != values.get("amount"):
        raise ChangedSinceShown("the receipt reads differently now")
    day = dt.date.fromisoformat(str(values["date"]))
    category = proposal.plan.treatment.category
    vendor = _vendor(reading) or None
    registered = register_expense(
        session, asker.company_id, proposal.plan.gross, category, day, vendor, asker.user_id, asker.channel,
        asker.source, durable=_durable(values), receipt=bytes(row.content), receipt_filename=row.filename,
    )
    plan = registered.plan
    if not posted_as_shown(plan, values):
        raise ChangedSinceShown("the expense would be posted differently from what was shown")
    learned = ""
    if vendor and vendor_key(vendor) and proposal.category_from != "vendor":
        # The person decided what this vendor's purchases are: proposed again next time.
        remember_vendor(session, asker.company_id, vendor, category.account, category.vat_code,
                        category=category.keyword, user_id=asker.user_id)
        learned = vendor
    return Done(
        "receipt_posted.j2",
        {
            "voucher": f"{registered.year}-{registered.voucher_number}",
            "amount": plan.gross,
            "account": plan.treatment.account,
            "vat": plan.vat,
            "asset": plan.treatment.reason == "asset",
            "kept": not registered.missing_receipt,
            "learned": learned,
        },
        events=(SlotSet(RECEIPT_SLOT, None),),
    )


@on_deny("post_receipt")
def receipt_denied(dispatcher: CollectingDispatcher, asker: Asker, values: dict[str, Any]) -> list[EventType] | None:
    """A "nei" to "does it last 3 years or more?": the same receipt, shown as a cost. A "nei"
    to the expense itself: nothing is posted, and the other categories are offered in case it
    was something else (the receipt waits for one; "avbryt" leaves it)."""
    if asker.company_id is None:
        return None
    if values.get("ask_durable"):
        return answer_receipt(dispatcher, asker, str(values["file_id"]), category=values.get("category") or None,
                              durable=False, look_for_voucher=False)
    text = render(asker.language, "receipt_category_other.j2", category=values.get("shown_category") or "")
    dispatcher.utter_message(text=text, buttons=_category_buttons(asker.language, values.get("shown_category")))
    return [SlotSet(RECEIPT_SLOT, _state(asker, str(values["file_id"])))]


@confirmed("attach_receipt")
def attach_receipt(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """Keeps the receipt with the voucher it was proposed for."""
    assert asker.company_id is not None
    row = _row(session, asker, str(values["file_id"]))
    entry_id = int(values["entry_id"])
    attached = attach_document(session, asker.company_id, entry_id, bytes(row.content), row.filename,
                               created_by_id=asker.user_id, channel=asker.channel)
    return Done(
        "receipt_attached.j2",
        {"voucher": attached.attachment.voucher, "repeated": attached.repeated,
         "still_missing": is_missing_documentation(session, asker.company_id, entry_id)},
        events=(SlotSet(RECEIPT_SLOT, None),),
    )


@on_deny("attach_receipt")
def receipt_of_its_own(
    dispatcher: CollectingDispatcher, asker: Asker, values: dict[str, Any]
) -> list[EventType] | None:
    """A "nei" to keeping the receipt with that voucher: it is proposed as an expense of its
    own."""
    if asker.company_id is None:
        return None
    return answer_receipt(dispatcher, asker, str(values["file_id"]), look_for_voucher=False)


def _entity(tracker: Tracker, name: str) -> str:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return " ".join(str(entity["value"]).split())
    return ""


def categorise_receipt(
    dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker, state: dict[str, Any]
) -> list[EventType]:
    """The answer to a receipt's question: what it was (a button or typed), and van or car
    when fuel's VAT depends on it; then the expense is proposed."""
    assert asker.company_id is not None
    said = str((tracker.latest_message or {}).get("text") or "")
    category = _entity(tracker, CATEGORY_ENTITY) or ("" if said.startswith("/") else said.strip())
    category = category or str(state.get("category") or "")
    vehicle = vehicle_of(_entity(tracker, VEHICLE_ENTITY))
    if vehicle is not None:
        with sessions().begin() as session:
            set_vehicle(session, asker.company_id, vehicle)
        reply(dispatcher, asker, "expense_vehicle_noted.j2", vehicle=vehicle)
    return answer_receipt(dispatcher, asker, str(state["file_id"]), category=category[:100] or None,
                          look_for_voucher=False)


class ActionCategoriseReceipt(KeeperAction):
    """Proposes the receipt waiting for its category in the category the person picked."""

    action = "action_categorise_receipt"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        state = waiting_receipt(tracker, asker)
        if state is None:
            reply(dispatcher, asker, "receipt_none_waiting.j2")
            return [SlotSet(RECEIPT_SLOT, None)]
        try:
            return categorise_receipt(dispatcher, tracker, asker, state)
        except LedgerError as error:
            dispatcher.utter_message(text=refusal(asker.language, error))
            return []
