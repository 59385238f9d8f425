"""Customers and projects from the chat: creating them ("ny kunde Fjord Bygg AS, org.nr ...",
"nytt prosjekt Nettside for Fjord Bygg, 1 100 kr timen"), and the offer to create one when a
name the person used is not known yet.

Both go through the confirmation mechanism: the assistant shows what it will register and
does it on "ja". An offer made inside another form ("fakturer Nybygg AS ..." when there is no
such customer) carries that form's slots; on "ja" the customer is created and the person is
taken back to where they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.answers import Refused, amount_answer
from actions.books import sessions
from actions.confirmation import Done, confirmed, propose, resume_events
from actions.context import Asker, asker_of
from actions.forms import CHOICES_SLOT, AskAction, FormValidator, choices_for
from actions.replies import render
from ledger.companies import valid_orgnr
from ledger.customers import clean_email, clean_name, find_customer, resolve_customer
from ledger.customers import create_customer as ledger_create_customer
from ledger.errors import InvalidInput, InvalidOrgnr, UnknownCustomer, UnknownProject
from ledger.permissions import Capability, may
from ledger.projects import create_project as ledger_create_project
from ledger.projects import find_project, resolve_project

CUSTOMER_FORM = "customer_form"
PROJECT_FORM = "project_form"


# --------------------------------------------------------------------------------------------
# Resolving names as said, for any form


def resolve_customer_said(
    asker: Asker, said: str, slot: str
) -> tuple[str | None, dict[str, Any] | None]:
    """The customer a name as said means: (its name, None) when clear, (None, choices) when
    several match, (None, None) when none does."""
    assert asker.company_id is not None
    with sessions().begin() as session:
        try:
            resolution = resolve_customer(session, asker.company_id, str(said))
        except UnknownCustomer:
            return None, None
    if resolution.chosen is not None:
        return resolution.chosen.name, None
    return None, choices_for(slot, "customer", [c.name for c in resolution.candidates])


def resolve_project_said(
    asker: Asker, said: str, slot: str, customer: str | None = None
) -> tuple[str | None, dict[str, Any] | None]:
    """The project a name as said means (among the customer's, when one is known), as
    `resolve_customer_said`."""
    assert asker.company_id is not None
    with sessions().begin() as session:
        customer_id = None
        if customer:
            found = find_customer(session, asker.company_id, customer)
            customer_id = found.id if found else None
        try:
            resolution = resolve_project(session, asker.company_id, str(said), customer_id=customer_id)
        except UnknownProject:
            if customer_id is None:
                return None, None
            try:
                resolution = resolve_project(session, asker.company_id, str(said))
            except UnknownProject:
                return None, None
    if resolution.chosen is not None:
        return resolution.chosen.name, None
    return None, choices_for(slot, "project", [c.name for c in resolution.candidates])


def offer_to_create(
    dispatcher: CollectingDispatcher,
    asker: Asker,
    kind: str,
    values: Mapping[str, Any],
    *,
    form: str,
    slot: str,
    slots: Mapping[str, Any],
) -> dict[str, Any]:
    """Offers to create the unknown customer or project (Ja/Nei); on "ja" the person is taken
    back to `form` with `slots` and the new name in `slot`. The slot values for a validator."""
    resume = {"form": form, "slots": {k: v for k, v in slots.items() if v is not None and k != slot}}
    events = propose(
        dispatcher,
        asker.language,
        kind,
        {**values, "resume": resume, "resume_slot": slot},
        f"offer_{kind}.j2",
        asker=asker,
    )
    return {str(e["name"]): e["value"] for e in events if e.get("event") == "slot"}


def form_slot_values(tracker: Tracker, names: list[str]) -> dict[str, Any]:
    return {name: tracker.get_slot(name) for name in names}


# --------------------------------------------------------------------------------------------
# Posting (on "ja")


@confirmed("create_customer")
def post_customer(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """Registers the customer; back into the form the offer came from, if any."""
    assert asker.company_id is not None
    customer = ledger_create_customer(
        session,
        asker.company_id,
        str(values["name"]),
        orgnr=values.get("orgnr") or None,
        email=str(values.get("email") or ""),
    )
    resume = values.get("resume")
    filled = {str(values["resume_slot"]): customer.name} if values.get("resume_slot") else {}
    return Done(
        "customer_created.j2",
        {"name": customer.name, "number": customer.number, "orgnr": customer.orgnr or "", "resumes": bool(resume)},
        events=resume_events(resume, **filled),
    )


@confirmed("create_project")
def post_project(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """Registers the project; back into the form the offer came from, if any."""
    assert asker.company_id is not None
    customer_id = None
    customer_name = ""
    if values.get("customer"):
        customer = find_customer(session, asker.company_id, str(values["customer"]))
        if customer is None:
            raise UnknownCustomer("the customer is gone", said=str(values["customer"]))
        customer_id, customer_name = customer.id, customer.name
    project = ledger_create_project(
        session,
        asker.company_id,
        str(values["name"]),
        customer_id=customer_id,
        hourly_rate=values.get("rate") or None,
    )
    resume = values.get("resume")
    filled = {str(values["resume_slot"]): project.name} if values.get("resume_slot") else {}
    return Done(
        "project_created.j2",
        {
            "name": project.name,
            "customer": customer_name,
            "rate": project.hourly_rate,
            "resumes": bool(resume),
        },
        events=resume_events(resume, **filled),
    )


# --------------------------------------------------------------------------------------------
# "ny kunde ..."


class ValidateCustomerForm(FormValidator):
    """Checks the new customer's name (not taken), organisation number (MOD11) and e-mail."""

    def name(self) -> str:
        return "validate_customer_form"

    def needed(self, tracker: Tracker, asker: Asker) -> list[str]:
        needed = ["new_customer_name"]
        if tracker.get_slot("new_customer_orgnr_refused"):
            needed.append("new_customer_orgnr")
        return needed

    def validate_new_customer_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        assert asker.company_id is not None
        try:
            name = clean_name(str(value))
        except InvalidInput:
            return {"new_customer_name": None}
        with sessions().begin() as session:
            existing = find_customer(session, asker.company_id, name)
            number = existing.number if existing else None
            existing_name = existing.name if existing else ""
        if number is not None:
            dispatcher.utter_message(
                text=render(asker.language, "customer_exists.j2", name=existing_name, number=number)
            )
            return {"new_customer_name": None}
        return {"new_customer_name": name}

    def validate_new_customer_orgnr(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        try:
            orgnr = valid_orgnr(str(value).replace(" ", ""))
        except InvalidOrgnr:
            dispatcher.utter_message(text=render(asker.language, "invalid_orgnr.j2", said=str(value)))
            return {"new_customer_orgnr": None, "new_customer_orgnr_refused": str(value)}
        return {"new_customer_orgnr": orgnr, "new_customer_orgnr_refused": None}

    def validate_new_customer_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        try:
            return {"new_customer_email": clean_email(str(value)) or None}
        except InvalidInput:
            dispatcher.utter_message(text=render(asker.language, "invalid_email.j2", said=str(value)))
            return {"new_customer_email": None}


class ActionProposeCustomer(Action):
    """Shows the new customer and asks Ja/Nei (the customer form's submit)."""

    def name(self) -> str:
        return "action_propose_customer"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asker = asker_of(tracker)
        slots = ["new_customer_name", "new_customer_orgnr", "new_customer_email", "new_customer_orgnr_refused"]
        values = form_slot_values(tracker, slots)
        clear = [SlotSet(slot, None) for slot in slots]
        if not asker.known or not may(asker.role, Capability.KEEP_BOOKS) or not values["new_customer_name"]:
            return clear
        return [
            *clear,
            *propose(
                dispatcher,
                asker.language,
                "create_customer",
                {
                    "name": values["new_customer_name"],
                    "orgnr": values["new_customer_orgnr"] or "",
                    "email": values["new_customer_email"] or "",
                },
                "customer_summary.j2",
                asker=asker,
            ),
        ]


class AskNewCustomerName(AskAction):
    slot = "new_customer_name"


class AskNewCustomerOrgnr(AskAction):
    slot = "new_customer_orgnr"


# --------------------------------------------------------------------------------------------
# "nytt prosjekt ..."


class ValidateProjectForm(FormValidator):
    """Checks the new project's name (not taken), its customer (resolved, or offered to be
    created) and its hourly rate (asked for unless the customer has one)."""

    def name(self) -> str:
        return "validate_project_form"

    def needed(self, tracker: Tracker, asker: Asker) -> list[str]:
        needed = ["new_project_name", "new_project_customer"]
        customer = tracker.get_slot("new_project_customer")
        if customer and _customer_rate(asker, str(customer)) is not None:
            return needed
        return [*needed, "new_project_rate"]

    def validate_new_project_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        assert asker.company_id is not None
        try:
            name = clean_name(str(value))
        except InvalidInput:
            return {"new_project_name": None}
        with sessions().begin() as session:
            existing = find_project(session, asker.company_id, name)
            existing_name = existing.name if existing else None
        if existing_name is not None:
            dispatcher.utter_message(text=render(asker.language, "project_exists.j2", name=existing_name))
            return {"new_project_name": None}
        return {"new_project_name": name}

    def validate_new_project_customer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        name, choices = resolve_customer_said(asker, str(value), "new_project_customer")
        if name is not None:
            return {"new_project_customer": name, CHOICES_SLOT: None}
        if choices is not None:
            return {"new_project_customer": None, CHOICES_SLOT: choices}
        slots = form_slot_values(tracker, ["new_project_name", "new_project_rate"])
        return {
            "new_project_customer": None,
            **offer_to_create(
                dispatcher,
                asker,
                "create_customer",
                {"name": str(value).strip()},
                form=PROJECT_FORM,
                slot="new_project_customer",
                slots=slots,
            ),
        }

    def validate_new_project_rate(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        rate = amount_answer(value)
        if isinstance(rate, Refused):
            text = render(asker.language, "invalid_amount.j2", reason=rate.reason, said=rate.said)
            dispatcher.utter_message(text=text)
            return {"new_project_rate": None}
        return {"new_project_rate": str(rate)}


def _customer_rate(asker: Asker, name: str) -> Decimal | None:
    assert asker.company_id is not None
    with sessions().begin() as session:
        customer = find_customer(session, asker.company_id, name)
        return customer.hourly_rate if customer is not None else None


class ActionProposeProject(Action):
    """Shows the new project and asks Ja/Nei (the project form's submit)."""

    def name(self) -> str:
        return "action_propose_project"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asker = asker_of(tracker)
        slots = ["new_project_name", "new_project_customer", "new_project_rate"]
        values = form_slot_values(tracker, slots)
        clear = [SlotSet(slot, None) for slot in slots]
        if not asker.known or not may(asker.role, Capability.KEEP_BOOKS) or not values["new_project_name"]:
            return clear
        rate = values["new_project_rate"]
        customer_rate = _customer_rate(asker, str(values["new_project_customer"])) if not rate else None
        return [
            *clear,
            *propose(
                dispatcher,
                asker.language,
                "create_project",
                {"name": values["new_project_name"], "customer": values["new_project_customer"], "rate": rate or ""},
                "project_summary.j2",
                shown={"rate": Decimal(rate) if rate else None, "customer_rate": customer_rate},
                asker=asker,
            ),
        ]


class AskNewProjectName(AskAction):
    slot = "new_project_name"


class AskNewProjectCustomer(AskAction):
    slot = "new_project_customer"


class AskNewProjectRate(AskAction):
    slot = "new_project_rate"

    def context(self, tracker: Tracker, asker: Asker) -> dict[str, Any]:
        return {"customer": tracker.get_slot("new_project_customer") or ""}
