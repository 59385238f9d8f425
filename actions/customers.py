"""Customers and projects from the chat: creating them ("ny kunde Fjord Bygg AS, org.nr ...",
"nytt prosjekt Nettside for Fjord Bygg, 1 100 kr timen"), and the offer to create one when a
name the person used is not known yet.

Both go through the confirmation mechanism: the assistant shows what it will register and
does it on "ja". An offer made inside another form ("fakturer Nybygg AS ..." when there is no
such customer) carries that form's slots; on "ja" the customer is created and the person is
taken back to where they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.answers import amount_answer
from actions.books import reading
from actions.confirmation import Done, Proposal, ProposeAction, confirmed, propose, resume_events
from actions.context import Asker, asker_of
from actions.forms import CHOICES_SLOT, AskAction, FormValidator, answered, choices_for
from actions.replies import render, reply
from ledger.companies import valid_orgnr
from ledger.customers import Resolution, clean_email, clean_name, find_customer, resolve_customer
from ledger.customers import create_customer as ledger_create_customer
from ledger.errors import InvalidInput, InvalidOrgnr, UnknownCustomer, UnknownProject
from ledger.projects import create_project as ledger_create_project
from ledger.projects import find_project, resolve_project

PROJECT_FORM = "project_form"


# --------------------------------------------------------------------------------------------
# Resolving names as said, for any form


def resolve_customer_said(
    asker: Asker, said: str, slot: str
) -> tuple[str | None, dict[str, Any] | None]:
    """The customer a name as said means: (its name, None) when clear, (None, choices) when
    several match, (None, None) when none does."""
    assert asker.company_id is not None
    with reading().begin() as session:
        try:
            resolution = resolve_customer(session, asker.company_id, str(said))
        except UnknownCustomer:
            return None, None
    return _meant(resolution, slot, "customer")


def resolve_project_said(
    asker: Asker, said: str, slot: str, customer: str | None = None
) -> tuple[str | None, dict[str, Any] | None]:
    """The project a name as said means (among the customer's, when one is known), as
    `resolve_customer_said`."""
    assert asker.company_id is not None
    with reading().begin() as session:
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
    return _meant(resolution, slot, "project")


def _meant(resolution: Resolution, slot: str, entity: str) -> tuple[str | None, dict[str, Any] | None]:
    """The name a resolution settles on, or the choice of its candidates (buttons for `slot`)."""
    if resolution.chosen is not None:
        return resolution.chosen.name, None
    return None, choices_for(slot, entity, [c.name for c in resolution.candidates])


def project_named(asker: Asker, said: str) -> tuple[str, str] | None:
    """(the project's name, its customer's name or "") when `said` is clearly one project of
    the company's; None otherwise."""
    assert asker.company_id is not None
    with reading().begin() as session:
        try:
            resolution = resolve_project(session, asker.company_id, said)
        except UnknownProject:
            return None
        project = resolution.chosen
        if project is None:
            return None
        found = find_project(session, asker.company_id, project.name)
        owner = found.customer.name if found is not None and found.customer is not None else ""
        return project.name, owner


def customer_or_offer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    said: Any,
    *,
    form: str,
    slot: str,
    keep: Iterable[str],
    project_slot: str | None = None,
) -> dict[str, Any]:
    """The slot values for a customer named in `form`: the customer when the name is clear, a
    choice when it fits several, else an offer to create it (Ja/Nei). On "ja" the person is
    taken back to `form` with the slots it should `keep` and the new name in `slot`.

    A name that is one of the company's projects is never offered as a new customer: with a
    `project_slot` it is taken as the project (and its customer as the customer), else the
    person is told it is a project."""
    asker = asker_of(tracker)
    name, choices = resolve_customer_said(asker, str(said), slot)
    if name is not None:
        return {slot: name, CHOICES_SLOT: None}
    if choices is not None:
        return {slot: None, CHOICES_SLOT: choices}
    project = project_named(asker, str(said))
    if project is not None:
        project_name, owner = project
        if project_slot is not None:
            return {slot: owner or None, project_slot: project_name, CHOICES_SLOT: None}
        reply(dispatcher, asker, "name_is_project.j2", name=project_name, customer=owner)
        return {slot: None}
    kept = {k: tracker.get_slot(k) for k in keep if k != slot}
    resume = {"form": form, "slots": {k: v for k, v in kept.items() if v is not None}}
    values = {"name": str(said).strip(), "resume": resume, "resume_slot": slot}
    events = propose(dispatcher, asker.language, "create_customer", values, "offer_create_customer.j2", asker=asker)
    return {slot: None, **{str(e["name"]): e["value"] for e in events if e.get("event") == "slot"}}


def unused_name(
    slot: str, taken: Callable[[Session, int, str], Mapping[str, Any] | None], refused: str
) -> Callable[..., dict[str, Any]]:
    """The `validate_<slot>` method of a new customer's or project's name: taken as said,
    tidied, unless `taken` finds one of that name; then `refused` says so, with what `taken`
    tells of it."""

    def validate(
        form: FormValidator, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        assert asker.company_id is not None
        try:
            name = clean_name(str(value))
        except InvalidInput:
            return {slot: None}
        with reading().begin() as session:
            existing = taken(session, asker.company_id, name)
        if existing is not None:
            reply(dispatcher, asker, refused, **existing)
            return {slot: None}
        return {slot: name}

    return validate


def _customer_called(session: Session, company_id: int, name: str) -> dict[str, Any] | None:
    customer = find_customer(session, company_id, name)
    return {"name": customer.name, "number": customer.number} if customer else None


def _project_called(session: Session, company_id: int, name: str) -> dict[str, Any] | None:
    project = find_project(session, company_id, name)
    return {"name": project.name} if project else None


# --------------------------------------------------------------------------------------------
# Posting (on "ja")


def _registered(template: str, values: dict[str, Any], name: str, **shown: Any) -> Done:
    """The reply on a customer or project registered; back into the form the offer came from,
    if any, with the new name in the slot that asked for it."""
    resume = values.get("resume")
    filled = {str(values["resume_slot"]): name} if values.get("resume_slot") else {}
    return Done(template, {"name": name, **shown, "resumes": bool(resume)}, events=resume_events(resume, **filled))


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
    return _registered("customer_created.j2", values, customer.name, number=customer.number, orgnr=customer.orgnr or "")


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
    return _registered("project_created.j2", values, project.name, customer=customer_name, rate=project.hourly_rate)


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

    validate_new_customer_name = unused_name("new_customer_name", _customer_called, "customer_exists.j2")

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


class ActionProposeCustomer(ProposeAction):
    """Shows the new customer and asks Ja/Nei (the customer form's submit)."""

    action, kind, summary = "action_propose_customer", "create_customer", "customer_summary.j2"
    slots = ("new_customer_name", "new_customer_orgnr", "new_customer_email", "new_customer_orgnr_refused")
    required = ("new_customer_name",)

    def proposal(self, tracker: Tracker, asker: Asker) -> Proposal:
        return Proposal(
            {
                "name": tracker.get_slot("new_customer_name"),
                "orgnr": tracker.get_slot("new_customer_orgnr") or "",
                "email": tracker.get_slot("new_customer_email") or "",
            }
        )


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

    validate_new_project_name = unused_name("new_project_name", _project_called, "project_exists.j2")

    def validate_new_project_customer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        keep = ("new_project_name", "new_project_rate")
        return customer_or_offer(dispatcher, tracker, value, form=PROJECT_FORM, slot="new_project_customer", keep=keep)

    def validate_new_project_rate(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return answered(dispatcher, asker_of(tracker), "new_project_rate", amount_answer(value), "invalid_amount.j2")


def _customer_rate(asker: Asker, name: str) -> Decimal | None:
    assert asker.company_id is not None
    with reading().begin() as session:
        customer = find_customer(session, asker.company_id, name)
        return customer.hourly_rate if customer is not None else None


class ActionProposeProject(ProposeAction):
    """Shows the new project and asks Ja/Nei (the project form's submit)."""

    action, kind, summary = "action_propose_project", "create_project", "project_summary.j2"
    slots = ("new_project_name", "new_project_customer", "new_project_rate")
    required = ("new_project_name",)

    def proposal(self, tracker: Tracker, asker: Asker) -> Proposal:
        name, customer, rate = (tracker.get_slot(slot) for slot in self.slots)
        customer_rate = _customer_rate(asker, str(customer)) if not rate else None
        return Proposal(
            {"name": name, "customer": customer, "rate": rate or ""},
            {"rate": Decimal(rate) if rate else None, "customer_rate": customer_rate},
        )


class AskNewProjectName(AskAction):
    slot = "new_project_name"


class AskNewProjectCustomer(AskAction):
    slot = "new_project_customer"


class AskNewProjectRate(AskAction):
    slot = "new_project_rate"

    def context(self, tracker: Tracker, asker: Asker) -> dict[str, Any]:
        return {"customer": tracker.get_slot("new_project_customer") or ""}
