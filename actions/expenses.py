"""Registering money spent ("jeg betalte 450 kr for drivstoff", "I paid 450 kr for fuel").

A form (`register_expense_form`) asks for what is missing: the amount, then what it was for.
The word is mapped to an account and a VAT code by the company's expense categories
(`ledger.expenses`); when the VAT depends on the vehicle (fuel: a van deducts input VAT, a
passenger car does not, mval. § 8-4) and the company has not said which it drives, the form
asks "varebil eller personbil?" once and remembers the answer on the company. Before
anything is posted the summary shows the lines (accounts, net, VAT, total) and why that
account and code were chosen; "ja" posts it through `ledger.expenses.register_expense`.

Equipment at or over the capitalisation limit is shown as the asset the ledger proposes
(12xx); when the category does not tell whether it lasts, the summary asks "Er dette utstyr
som varer i 3 år eller mer?": "ja" posts the asset, "nei" shows the same purchase as a cost
and asks again. Once posted without a receipt, the reply asks for it ("Har du kvitteringen?
Send et bilde").
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.answers import amount_answer, said_entity
from actions.books import sessions
from actions.confirmation import Done, Proposal, ProposeAction, confirmed, on_deny, propose
from actions.context import Asker, asker_of
from actions.forms import CHOICES_SLOT, AskAction, FormValidator, answered, choice_buttons, choices_for
from actions.periods import parse_day
from actions.replies import render, reply
from actions.vendor_rules import as_last_time
from ledger import clock
from ledger.companies import company_by_id
from ledger.errors import InvalidInput, UnknownExpenseCategory
from ledger.expenses import VEHICLES, ExpensePlan, find_category, plan_expense, register_expense, set_vehicle
from ledger.reports.account_totals import chart_of
from ledger.vendor_rules import remember_vendor, vendor_key

FORM = "register_expense_form"
AMOUNT, CATEGORY, VENDOR, DATE, VEHICLE = (
    "expense_amount",
    "expense_category",
    "expense_vendor",
    "expense_date",
    "expense_vehicle",
)
ASK_VEHICLE = "expense_ask_vehicle"
FORM_SLOTS = (AMOUNT, CATEGORY, VENDOR, DATE, VEHICLE, ASK_VEHICLE)

COMMON_CATEGORIES = {
    "nb": ("drivstoff", "parkering", "kontorrekvisita", "lunsj med kunde", "telefon"),
    "en": ("fuel", "parking", "office supplies", "customer lunch", "phone"),
}
"""The categories offered as buttons when a word fits none (keywords of the default table)."""

_VAN_WORDS = re.compile(r"\b(vare\s*-?\s*bil\w*|van|vans|lastebil\w*|pickup|pick-up)\b", re.IGNORECASE)
_CAR_WORDS = re.compile(r"\b(person\s*-?\s*bil\w*|passenger|car|cars|bil|bilen|elbil\w*)\b", re.IGNORECASE)


_PLAIN_CAR_WORDS = re.compile(r"\b(person\s*-?\s*bil\w*|passenger\s+cars?|elbil\w*)\b", re.IGNORECASE)


def vehicle_named(message: Any) -> str | None:
    """"van" or "car" when a whole message names the vehicle plainly ("diesel til varebilen",
    "fuel for the van", "bensin til personbilen"); a bare "bilen" or "the car" may be the van
    and says nothing."""
    text = str(message or "")
    van, car = bool(_VAN_WORDS.search(text)), bool(_PLAIN_CAR_WORDS.search(text))
    if van == car:
        return None
    return "van" if van else "car"


def vehicle_of(said: Any) -> str | None:
    """"van" or "car" for an answer to "varebil eller personbil?" ("varebil", "a van",
    "personbilen", "passenger car"); None when it says neither or both."""
    text = str(said or "").strip()
    if text in VEHICLES:
        return text
    van, car = bool(_VAN_WORDS.search(text)), bool(_CAR_WORDS.search(text))
    if van == car:
        return None
    return "van" if van else "car"


class ValidateRegisterExpenseForm(FormValidator):
    """Checks the amount, the category (and the vehicle when the VAT depends on it), the
    vendor and the date; owners and accountants only."""

    number_slots = frozenset({AMOUNT})

    def name(self) -> str:
        return "validate_register_expense_form"

    def needed(self, tracker: Tracker, asker: Asker) -> list[str]:
        """The amount, what it was for, and the van-or-car question only when it matters."""
        slots = [AMOUNT, CATEGORY]
        if tracker.get_slot(ASK_VEHICLE):
            slots.append(VEHICLE)
        return slots

    def validate_expense_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Takes an amount more than zero with two decimals at most."""
        answer = amount_answer(value, said_entity(tracker.latest_message, "amount"))
        return answered(dispatcher, asker_of(tracker), AMOUNT, answer, "expense_amount_refused.j2")

    def validate_expense_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Maps the word to a category; offers the closest ones when it fits none, and notes
        whether the van-or-car question is needed."""
        asker = asker_of(tracker)
        if asker.company_id is None:
            return {CATEGORY: None}
        with sessions().begin() as session:
            try:
                rule = find_category(session, asker.company_id, str(value))
            except UnknownExpenseCategory as unknown:
                suggestions = list(unknown.details.get("suggestions") or []) or list(
                    COMMON_CATEGORIES.get(asker.language, COMMON_CATEGORIES["nb"])
                )
                reply(dispatcher, asker, "expense_category_unknown.j2", said=str(value))
                return {CATEGORY: None, CHOICES_SLOT: choices_for(CATEGORY, "expense_category", suggestions)}
            company = company_by_id(session, asker.company_id)
            said_vehicle = vehicle_named((tracker.latest_message or {}).get("text")) if rule.needs_vehicle else None
            if said_vehicle is not None and company.vat_registered:
                # "diesel til varebilen": the message says which vehicle, so nothing to ask.
                if company.vehicle != said_vehicle:
                    set_vehicle(session, asker.company_id, said_vehicle)
                    reply(dispatcher, asker, "expense_vehicle_noted.j2", vehicle=said_vehicle)
                return {CATEGORY: rule.keyword, VEHICLE: said_vehicle, ASK_VEHICLE: None, CHOICES_SLOT: None}
            ask_vehicle = rule.needs_vehicle and company.vat_registered and company.vehicle not in VEHICLES
        return {CATEGORY: rule.keyword, ASK_VEHICLE: ask_vehicle or None, CHOICES_SLOT: None}

    def validate_expense_vehicle(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Takes "varebil"/"van" or "personbil"/"car" and remembers it on the company."""
        asker = asker_of(tracker)
        vehicle = vehicle_of(value)
        if vehicle is None or asker.company_id is None:
            reply(dispatcher, asker, "expense_vehicle_unclear.j2", said=str(value))
            return {VEHICLE: None}
        with sessions().begin() as session:
            set_vehicle(session, asker.company_id, vehicle)
        reply(dispatcher, asker, "expense_vehicle_noted.j2", vehicle=vehicle)
        return {VEHICLE: vehicle, ASK_VEHICLE: None}

    validate_expense_date = FormValidator.day_that_has_come(DATE, "expense_date_refused.j2")

    def validate_expense_vendor(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keeps the shop's name as said (a new one becomes a supplier when posted); a vendor
        decided before, said without what it was for, is proposed as last time."""
        name = " ".join(str(value).split())[:200]
        known = as_last_time(dispatcher, asker_of(tracker), name) if not tracker.get_slot(CATEGORY) else None
        if known is not None:
            return {VENDOR: name, CATEGORY: known[0], ASK_VEHICLE: known[1] or None}
        return {VENDOR: name or None}


class AskExpenseAmount(AskAction):
    """Asks "Hvor mye var det?"."""

    slot = AMOUNT


class AskExpenseCategory(AskAction):
    """Asks what the money was spent on, with the common categories as buttons."""

    slot = CATEGORY

    def context(self, tracker: Tracker, asker: Asker) -> dict[str, Any]:
        return {"amount": Decimal(str(tracker.get_slot(AMOUNT))) if tracker.get_slot(AMOUNT) else None}

    def extra_buttons(self, tracker: Tracker, asker: Asker) -> list[dict[str, str]]:
        if choice_buttons(tracker.get_slot(CHOICES_SLOT), CATEGORY):
            return []
        common = list(COMMON_CATEGORIES.get(asker.language, COMMON_CATEGORIES["nb"]))
        return choice_buttons(choices_for(CATEGORY, "expense_category", common), CATEGORY)


class AskExpenseVehicle(AskAction):
    """Asks "Varebil eller personbil?" (only asked when the VAT depends on it)."""

    slot = VEHICLE

    def context(self, tracker: Tracker, asker: Asker) -> dict[str, Any]:
        return {"category": tracker.get_slot(CATEGORY)}

    def extra_buttons(self, tracker: Tracker, asker: Asker) -> list[dict[str, str]]:
        options = [(render(asker.language, "button_vehicle.j2", vehicle=v), v) for v in VEHICLES]
        return choice_buttons(choices_for(VEHICLE, "vehicle", options), VEHICLE)


def _lines(session: Session, company_id: int, plan: ExpensePlan, language: str) -> list[dict[str, Any]]:
    """The summary's lines: account, its name in the language, debit or credit, VAT code."""
    chart = chart_of(session, company_id)
    lines = []
    for posting in plan.postings:
        account = chart.get(posting.account)
        name = (account.name_en if language == "en" else account.name_nb) if account else ""
        lines.append(
            {
                "account": posting.account,
                "name": name,
                "debit": posting.debit,
                "credit": posting.credit,
                "vat_code": posting.vat_code,
            }
        )
    return lines


class ActionProposeExpense(ProposeAction):
    """Shows the expense exactly as it will be posted (lines, net, VAT, total, and why this
    account and code) and asks Ja/Nei."""

    action, kind, summary = "action_propose_expense", "register_expense", "expense_summary.j2"
    slots, required = FORM_SLOTS, (AMOUNT, CATEGORY)

    def proposal(self, tracker: Tracker, asker: Asker) -> Proposal:
        day = parse_day(tracker.get_slot(DATE)) or clock.today()
        amount, category = str(tracker.get_slot(AMOUNT)), str(tracker.get_slot(CATEGORY))
        return expense_proposal(asker, amount, category, day, tracker.get_slot(VENDOR), durable=None)


def posting_values(plan: ExpensePlan, day: dt.date, vendor: str | None, durable: bool | None) -> dict[str, Any]:
    """What a "ja" to an expense's summary posts (kept in the `pending` slot, so as text), said
    the same way whether the expense was typed or read from a receipt: the amount, day and
    vendor, the answer to "does it last?" (`durable`, when given), and the account, VAT code
    and VAT the summary showed, which the poster holds the books to (`posted_as_shown`)."""
    treatment = plan.treatment
    return {
        "amount": str(plan.gross),
        "date": day.isoformat(),
        "vendor": vendor,
        "account": treatment.account,
        "vat_code": treatment.vat_code,
        "vat": str(plan.vat),
        # "ja" to the question is the answer "it lasts": the asset is posted.
        "durable": True if plan.question_needed else durable,
        "ask_durable": plan.question_needed,
    }


def posted_as_shown(plan: ExpensePlan, values: dict[str, Any]) -> bool:
    """Whether the books post `plan` with the account, VAT code and VAT that `values`
    (`posting_values`) showed; a vehicle or category changed since the summary makes it not."""
    shown = (values.get("account"), values.get("vat_code"), values.get("vat"))
    return (plan.treatment.account, plan.treatment.vat_code, str(plan.vat)) == shown


def expense_proposal(
    asker: Asker, amount: str, category: str, day: dt.date, vendor: str | None, *, durable: bool | None
) -> Proposal:
    """The summary of the expense as the ledger would post it; equipment whose life is
    unclear is shown as the asset, with the question."""
    assert asker.company_id is not None
    with sessions().begin() as session:
        plan = plan_expense(session, asker.company_id, amount, category, day, durable=durable)
        lines = _lines(session, asker.company_id, plan, asker.language)
    treatment = plan.treatment
    values = {**posting_values(plan, day, vendor, durable), "category": treatment.category.keyword}
    shown = {
        "amount": plan.gross,
        "net": plan.net,
        "vat": plan.vat,
        "date": day,
        "lines": lines,
        "rate": treatment.rate,
        "reason": treatment.note_en if asker.language == "en" else treatment.note_nb,
        "min_life_years": plan.asset.limit.min_life_years if plan.asset else None,
    }
    return Proposal(values, shown)


@on_deny("register_expense")
def expense_as_a_cost(dispatcher: CollectingDispatcher, asker: Asker, values: dict[str, Any]) -> list[EventType] | None:
    """A "nei" to "does it last 3 years or more?": the same purchase, shown as a cost."""
    if not values.get("ask_durable") or asker.company_id is None:
        return None
    proposal = expense_proposal(
        asker,
        str(values["amount"]),
        str(values["category"]),
        dt.date.fromisoformat(str(values["date"])),
        values.get("vendor"),
        durable=False,
    )
    return propose(
        dispatcher,
        asker.language,
        "register_expense",
        proposal.values,
        ActionProposeExpense.summary,
        shown=proposal.shown,
        asker=asker,
    )


@confirmed("register_expense")
def post_expense(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """Posts the confirmed expense, refusing if the books would now post something other than
    what was shown (the company's vehicle or categories changed in between)."""
    assert asker.company_id is not None
    registered = register_expense(
        session,
        asker.company_id,
        str(values["amount"]),
        str(values["category"]),
        dt.date.fromisoformat(str(values["date"])),
        values.get("vendor"),
        asker.user_id,
        asker.channel,
        asker.source,
        durable=values.get("durable") if isinstance(values.get("durable"), bool) else None,
    )
    plan = registered.plan
    if not posted_as_shown(plan, values):
        raise InvalidInput("the expense would be posted differently from what was shown")
    category = plan.treatment.category
    if values.get("vendor") and vendor_key(str(values["vendor"])):
        # The person decided what this vendor's purchases are: proposed again next time.
        remember_vendor(session, asker.company_id, str(values["vendor"]), category.account, category.vat_code,
                        category=category.keyword, user_id=asker.user_id)
    return Done(
        "expense_posted.j2",
        {
            "voucher": f"{registered.year}-{registered.voucher_number}",
            "amount": plan.gross,
            "account": plan.treatment.account,
            "vat": plan.vat,
            "asset": plan.treatment.reason == "asset",
            "missing_receipt": registered.missing_receipt,
        },
    )
