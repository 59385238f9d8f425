"""Invoices from the chat: issuing ("fakturer Fjord Bygg for 5 timer"), crediting, sending,
showing one, and who owes what.

An invoice is for hours at the project's or the customer's rate (or a rate said), for a fixed
amount, or for all unbilled hours of a project or customer. The invoice form asks for what
is missing, one question at a time; then the summary shows exactly what will be posted (it
is the real posting, made in a transaction that is rolled back), and "ja" posts it. If the
books changed in between so that the total would differ, nothing is posted.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.answers import Refused, amount_answer, hours_answer, said_entity
from actions.books import reading, sessions
from actions.charts import receivables_aging_chart
from actions.confirmation import (
    RESUME_SLOT,
    ChangedSinceShown,
    Done,
    Proposal,
    ProposeAction,
    confirmed,
    dry_run,
    entry_shown,
    propose,
    refusal,
    say,
)
from actions.context import Asker, asker_of
from actions.customers import customer_or_offer, project_named, resolve_customer_said, resolve_project_said
from actions.forms import (
    CHOICES_SLOT,
    CHOOSE_INTENT,
    AskAction,
    FormValidator,
    KeeperAction,
    SlotValidator,
    answered,
    choice_buttons,
    choices_for,
)
from actions.invoice_details import DETAILS_FORM, details_to_ask
from actions.replies import render
from ledger import clock
from ledger.customers import find_customer
from ledger.documents.mail import SmtpServer, send_invoice
from ledger.errors import InvalidInput, LedgerError, UnknownInvoice
from ledger.invoicing import (
    CreditLine,
    RefundSource,
    can_be_credited,
    credit_invoice,
    get_invoice,
    invoice_amount,
    invoice_document,
    invoice_hours,
    invoice_unbilled_hours,
    list_invoices,
    mark_sent,
    owed_on,
    paid_amount,
    refund_due,
    refund_sources,
)
from ledger.models import Invoice
from ledger.projects import billing_rate, find_project, list_projects
from ledger.reports.receivables import open_invoices, receivables_aging
from ledger.timesheet import unbilled_hours

INVOICE_FORM = "invoice_form"
INVOICE_SLOTS = ["invoice_customer", "invoice_project", "invoice_hours", "invoice_amount", "invoice_rate"]
UNBILLED = "unbilled"
"""The `hours` value of the "all unbilled hours" button."""

MAX_LISTED = 10


def pdf_link(company_id: int, number: int) -> str:
    """Where the gateway serves an invoice's PDF."""
    return f"/api/v1/companies/{company_id}/invoices/{number}.pdf"


# --------------------------------------------------------------------------------------------
# What an invoice will post, and posting it


def issue_from_chat(session: Session, asker: Asker, values: dict[str, Any]) -> Invoice:
    """Issues the invoice `values` describe (see `ActionProposeInvoice`) as the asker."""
    assert asker.company_id is not None
    company_id = asker.company_id
    customer = find_customer(session, company_id, str(values["customer"]))
    if customer is None:
        raise ChangedSinceShown("the customer is gone")
    project_id = values.get("project_id")
    common: dict[str, Any] = {
        "created_by_id": asker.user_id,
        "channel": asker.channel,
        "source": asker.source,
        "language": values.get("language") or asker.language,
    }
    if values["mode"] == "unbilled":
        customer_id = None if project_id else customer.id
        return invoice_unbilled_hours(session, company_id, project_id=project_id, customer_id=customer_id, **common)
    common.update(project_id=project_id, description=str(values["description"]))
    if values["mode"] == "hours":
        rate = values.get("rate") or None
        return invoice_hours(session, company_id, customer.id, str(values["hours"]), rate=rate, **common)
    return invoice_amount(session, company_id, customer.id, str(values["amount"]), **common)


def invoice_summary(session: Session, invoice: Invoice) -> dict[str, Any]:
    """What an invoice says and posts, as plain values for a template."""
    return {
        "number": invoice.number,
        "kind": invoice.kind,
        "customer": invoice.customer.name,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "kid": invoice.kid,
        "net": invoice.net,
        "vat": invoice.vat,
        "total": invoice.total,
        "status": invoice.status,
        "lines": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "net": line.net,
                "vat_rate": line.vat_rate,
                "vat_code": line.vat_code,
            }
            for line in invoice.lines
        ],
        **entry_shown(session, invoice.journal_entry_id),
    }


@confirmed("create_invoice")
def post_invoice(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """Issues the invoice that was shown, if it still comes to the total that was shown."""
    return _as_shown(session, asker, values, "invoice_created.j2", issue_from_chat(session, asker, values))


def _as_shown(
    session: Session, asker: Asker, values: dict[str, Any], template: str, invoice: Invoice, **more: Any
) -> Done:
    """The reply on an invoice or credit note just issued, which must come to the total shown
    (`values["expected_total"]`) or is not posted."""
    done = {**invoice_summary(session, invoice), **more}
    if invoice.total != Decimal(str(values["expected_total"])):
        raise ChangedSinceShown("the total changed", shown=values["expected_total"], now=str(invoice.total))
    assert asker.company_id is not None
    return Done(template, done, attachment=pdf_link(asker.company_id, invoice.number))


# --------------------------------------------------------------------------------------------
# The invoice form


def _known_rate(asker: Asker, customer: str | None, project: str | None) -> Decimal | None:
    assert asker.company_id is not None
    with reading().begin() as session:
        if project:
            found = find_project(session, asker.company_id, project)
            if found is not None:
                rate = billing_rate(found)
                if rate is not None:
                    return rate
        if customer:
            known = find_customer(session, asker.company_id, customer)
            if known is not None:
                return known.hourly_rate
    return None


def _unbilled(asker: Asker, customer: str | None, project: str | None) -> Decimal:
    """The unbilled hours of the project, else of the customer."""
    assert asker.company_id is not None
    with reading().begin() as session:
        project_id = customer_id = None
        if project:
            found = find_project(session, asker.company_id, project)
            project_id = found.id if found else None
        if project_id is None and customer:
            known = find_customer(session, asker.company_id, customer)
            customer_id = known.id if known else None
        if project_id is None and customer_id is None:
            return Decimal("0")
        rows = unbilled_hours(
            session, asker.company_id, project_id=project_id, customer_id=customer_id, through=clock.today()
        )
        return sum((row.hours for row in rows), Decimal("0"))


def _customer_projects(asker: Asker, customer: str | None) -> list[str]:
    """The names of the customer's active projects with an hourly rate of their own."""
    assert asker.company_id is not None
    if not customer:
        return []
    with reading().begin() as session:
        known = find_customer(session, asker.company_id, customer)
        if known is None:
            return []
        projects = list_projects(session, asker.company_id, customer_id=known.id)
        return [p.name for p in projects if p.hourly_rate is not None]


def _hours_without_project(tracker: Tracker) -> bool:
    """Hours to invoice at a rate the books must give: no project, amount or rate said."""
    hours = tracker.get_slot("invoice_hours")
    return bool(hours) and hours != UNBILLED and not any(
        tracker.get_slot(slot) for slot in ("invoice_project", "invoice_amount", "invoice_rate")
    )


class ValidateInvoiceForm(FormValidator):
    """Resolves the customer and project, reads the hours, amount and rate, and asks only for
    what the invoice still needs: the customer; hours (unless an amount is given, or a
    project whose unbilled hours are meant); a rate when none is known."""

    def name(self) -> str:
        return "validate_invoice_form"

    def needed(self, tracker: Tracker, asker: Asker) -> list[str]:
        needed = ["invoice_customer"]
        hours, amount = tracker.get_slot("invoice_hours"), tracker.get_slot("invoice_amount")
        project = tracker.get_slot("invoice_project")
        if amount or hours == UNBILLED or (project and not hours):
            return needed
        needed.append("invoice_hours")
        customer = tracker.get_slot("invoice_customer")
        if _hours_without_project(tracker) and len(_customer_projects(asker, customer)) > 1:
            needed.append("invoice_project")  # which project's rate: one button each
        if hours and customer and _known_rate(asker, customer, project) is None:
            needed.append("invoice_rate")
        return needed

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Also takes the project whose rate the hours are invoiced at: the customer's only
        project with a rate, or a choice of them when there are several."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        asker = asker_of(tracker)
        if asker.company_id is None or not _hours_without_project(tracker):
            return events
        projects = _customer_projects(asker, tracker.get_slot("invoice_customer"))
        if len(projects) == 1:
            tracker.slots["invoice_project"] = projects[0]
            return [*events, SlotSet("invoice_project", projects[0])]
        if len(projects) > 1 and not choice_buttons(tracker.get_slot(CHOICES_SLOT), "invoice_project"):
            choices = choices_for("invoice_project", "project", projects)
            tracker.slots[CHOICES_SLOT] = choices
            return [*events, SlotSet(CHOICES_SLOT, choices)]
        return events

    def validate_invoice_customer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        slot = "invoice_customer"
        return customer_or_offer(
            dispatcher, tracker, value, form=INVOICE_FORM, slot=slot, keep=INVOICE_SLOTS, project_slot="invoice_project"
        )

    def validate_invoice_project(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        assert asker.company_id is not None
        customer = tracker.get_slot("invoice_customer")
        name, choices = resolve_project_said(asker, str(value), "invoice_project", customer)
        if choices is not None:
            return {"invoice_project": None, CHOICES_SLOT: choices}
        if name is None:
            known, _ = resolve_customer_said(asker, str(value), "invoice_customer")
            if known is not None and not customer:
                return {"invoice_project": None, "invoice_customer": known}  # a customer's name, read as one
            dispatcher.utter_message(text=render(asker.language, "unknown_project.j2", said=str(value)))
            return {"invoice_project": None}
        with reading().begin() as session:
            project = find_project(session, asker.company_id, name)
            owner = project.customer.name if project is not None and project.customer is not None else None
        if owner is not None and not customer:
            return {"invoice_project": name, "invoice_customer": owner, CHOICES_SLOT: None}
        return {"invoice_project": name, CHOICES_SLOT: None}

    def validate_invoice_hours(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        if value == UNBILLED:
            customer, project = tracker.get_slot("invoice_customer"), tracker.get_slot("invoice_project")
            if _unbilled(asker, customer, project) > 0:
                return {"invoice_hours": UNBILLED, CHOICES_SLOT: None}
            dispatcher.utter_message(text=render(asker.language, "nothing_unbilled.j2", customer=customer or ""))
            return {"invoice_hours": None}
        hours = hours_answer(value, said_entity(tracker.latest_message, "hours"))
        return answered(dispatcher, asker, "invoice_hours", hours, "invalid_hours.j2")

    def validate_invoice_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        if tracker.get_slot("requested_slot") == "invoice_rate":
            return {"invoice_amount": None}  # an answer to "which rate?", read as the rate
        said = said_entity(tracker.latest_message, "amount")
        if said is not None and said.followed_by_hours:
            # "1,234 timer": a number of hours the NLU read as an amount.
            hours = hours_answer(said.value, said)
            return {"invoice_amount": None, **answered(dispatcher, asker, "invoice_hours", hours, "invalid_hours.j2")}
        return answered(dispatcher, asker, "invoice_amount", amount_answer(value, said), "invalid_amount.j2")

    def validate_invoice_rate(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        rate = amount_answer(value, said_entity(tracker.latest_message, "rate"))
        return answered(dispatcher, asker_of(tracker), "invoice_rate", rate, "invalid_amount.j2")


class AskInvoiceCustomer(AskAction):
    slot = "invoice_customer"


class AskInvoiceHours(AskAction):
    """Asks how many hours, offering the customer's unbilled hours when there are any."""

    slot = "invoice_hours"

    def context(self, tracker: Tracker, asker: Asker) -> dict[str, Any]:
        customer, project = tracker.get_slot("invoice_customer"), tracker.get_slot("invoice_project")
        return {"customer": customer or "", "unbilled": _unbilled(asker, customer, project)}

    def extra_buttons(self, tracker: Tracker, asker: Asker) -> list[dict[str, str]]:
        customer, project = tracker.get_slot("invoice_customer"), tracker.get_slot("invoice_project")
        unbilled = _unbilled(asker, customer, project)
        if unbilled <= 0:
            return []
        title = render(asker.language, "button_unbilled.j2", hours=unbilled)
        return [{"title": title, "payload": f"/{CHOOSE_INTENT}{json.dumps({'hours': UNBILLED})}"}]


class AskInvoiceProject(AskAction):
    """Asks which of the customer's projects the hours are for (a button each)."""

    slot = "invoice_project"

    def context(self, tracker: Tracker, asker: Asker) -> dict[str, Any]:
        return {"customer": tracker.get_slot("invoice_customer") or ""}


class AskInvoiceRate(AskAction):
    slot = "invoice_rate"

    def context(self, tracker: Tracker, asker: Asker) -> dict[str, Any]:
        return {"customer": tracker.get_slot("invoice_customer") or ""}


class ActionProposeInvoice(ProposeAction):
    """Shows exactly what the invoice will post and asks Ja/Nei (the invoice form's submit)."""

    action, kind, summary = "action_propose_invoice", "create_invoice", "invoice_summary.j2"
    slots = (*INVOICE_SLOTS, CHOICES_SLOT)
    required = ("invoice_customer",)

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Before working out a summary that could not be posted, asks for what the seller or
        the customer still lacks (the details form, started by a rule on `resume_form`); the
        invoice's slots are kept for the summary that follows the answers."""
        asker = asker_of(tracker)
        parties = details_to_ask(asker, tracker.get_slot("invoice_customer"))
        if parties is not None:
            dispatcher.utter_message(text=render(
                asker.language, "invoice_details_needed.j2", seller=parties.seller, buyer=parties.buyer,
                missing_seller=list(parties.missing.seller), missing_buyer=list(parties.missing.buyer),
            ))
            return [SlotSet(CHOICES_SLOT, None), SlotSet(RESUME_SLOT, DETAILS_FORM)]
        return [*super().run(dispatcher, tracker, domain), SlotSet(RESUME_SLOT, None)]

    def proposal(self, tracker: Tracker, asker: Asker) -> Proposal:
        values = self._values(asker, {slot: tracker.get_slot(slot) for slot in INVOICE_SLOTS})
        shown = dry_run(lambda session: invoice_summary(session, issue_from_chat(session, asker, values)))
        return Proposal({**values, "expected_total": str(shown["total"])}, {**shown, **_rate_from_books(asker, values)})

    @staticmethod
    def _values(asker: Asker, slots: dict[str, Any]) -> dict[str, Any]:
        assert asker.company_id is not None
        project_id = None
        project_name = slots["invoice_project"]
        if project_name:
            with sessions().begin() as session:
                project = find_project(session, asker.company_id, str(project_name))
                project_id = project.id if project else None
        if slots["invoice_amount"]:
            mode = "amount"
        elif slots["invoice_hours"] and slots["invoice_hours"] != UNBILLED:
            mode = "hours"
        else:
            mode = "unbilled"
        template = "invoice_line_amount.j2" if mode == "amount" else "invoice_line_hours.j2"
        return {
            "mode": mode,
            "customer": slots["invoice_customer"],
            "project_id": project_id,
            "project": project_name or "",
            "hours": slots["invoice_hours"] if mode == "hours" else "",
            "rate": slots["invoice_rate"] or "",
            "amount": slots["invoice_amount"] or "",
            "description": project_name or render(asker.language, template),
            "language": asker.language,
        }


def _rate_from_books(asker: Asker, values: dict[str, Any]) -> dict[str, Any]:
    """Where the hourly rate of hours invoiced without a rate said comes from ("project" or
    "customer") and the rate, so that the summary says so; no source otherwise."""
    if values["mode"] != "hours" or values["rate"]:
        return {"rate_source": ""}
    assert asker.company_id is not None
    with reading().begin() as session:
        project = find_project(session, asker.company_id, values["project"]) if values["project"] else None
        if project is not None and project.hourly_rate is not None:
            return {"rate_source": "project", "rate_used": project.hourly_rate}
        customer = find_customer(session, asker.company_id, str(values["customer"]))
        if customer is not None and customer.hourly_rate is not None:
            return {"rate_source": "customer", "rate_used": customer.hourly_rate}
    return {"rate_source": ""}


# --------------------------------------------------------------------------------------------
# Picking an invoice: by number, or among a customer's open ones


def open_invoice_rows(session: Session, company_id: int, customer: str | None = None) -> list[dict[str, Any]]:
    """The company's invoices with money owed (of one customer, if named), overdue first, as
    the templates show them."""
    customer_id = None
    if customer:
        found = find_customer(session, company_id, customer)
        if found is None:
            return []
        customer_id = found.id
    return [
        {
            "number": owed.number,
            "customer": owed.customer_name,
            "due_date": owed.due_date,
            "total": owed.total,
            "open": owed.open_amount,
            "overdue": owed.overdue,
            "days_overdue": max(owed.days_overdue, 0),
        }
        for owed in open_invoices(session, company_id, customer_id=customer_id)
    ]


def invoice_choices(language: str, slot: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Buttons for picking one of `rows` (as `open_invoice_rows` gives them)."""
    return choices_for(
        slot,
        "invoice_number",
        [(render(language, "invoice_option.j2", **row), str(row["number"])) for row in rows[:5]],
    )


def invoice_number_said(value: Any) -> int | None:
    text = str(value).strip().replace(" ", "")
    return int(text) if text.isdigit() else None


# --------------------------------------------------------------------------------------------
# Crediting


class OpenInvoiceForm(FormValidator, ABC):
    """A form that finds one invoice with money owed: by its number (`number_slot`), or among
    the open invoices of a customer named instead (`customer_slot`)."""

    number_slot: ClassVar[str]
    customer_slot: ClassVar[str]

    @abstractmethod
    def name(self) -> str:
        """The validator's action name (`validate_<form>`)."""

    def needed(self, tracker: Tracker, asker: Asker) -> list[str]:
        return [self.number_slot]

    def validator(self, slot: str) -> SlotValidator | None:
        if slot == self.customer_slot:
            return self.pick_by_customer
        if slot == self.number_slot:
            return self.check_invoice_number
        return super().validator(slot)

    def pick_by_customer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A customer named instead of an invoice: their one open invoice, or a choice of them."""
        customer_slot, number_slot = self.customer_slot, self.number_slot
        asker = asker_of(tracker)
        assert asker.company_id is not None
        if tracker.get_slot(number_slot):
            return {customer_slot: value}
        name, choices = resolve_customer_said(asker, str(value), number_slot)
        if choices is not None:
            return {customer_slot: None, CHOICES_SLOT: {**choices, "entity": "customer", "slot": customer_slot}}
        if name is None:
            # a project's name ("Brygga har betalt"): its customer is meant
            name = (project_named(asker, str(value)) or ("", ""))[1] or None
        if name is None:
            dispatcher.utter_message(text=render(asker.language, "refused.j2", code="unknown_customer",
                                                 details={"said": str(value)}))
            return {customer_slot: None}
        with reading().begin() as session:
            rows = open_invoice_rows(session, asker.company_id, name)
        if not rows:
            dispatcher.utter_message(text=render(asker.language, "no_open_invoices.j2", customer=name))
            return {customer_slot: None}
        if len(rows) == 1:
            return {customer_slot: name, number_slot: str(rows[0]["number"]), CHOICES_SLOT: None}
        return {customer_slot: name, CHOICES_SLOT: invoice_choices(asker.language, number_slot, rows)}

    def check_invoice_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """An invoice number said: it must be one of the company's invoices that this form
        `takes`."""
        slot = self.number_slot
        asker = asker_of(tracker)
        assert asker.company_id is not None
        number = invoice_number_said(value)
        if number is None:
            dispatcher.utter_message(text=render(asker.language, "refused.j2", code="unknown_invoice", details={}))
            return {slot: None}
        with reading().begin() as session:
            try:
                invoice = get_invoice(session, asker.company_id, number)
            except UnknownInvoice as error:
                dispatcher.utter_message(text=refusal(asker.language, error))
                return {slot: None}
            taken = self.takes(session, invoice)
        if not taken:
            dispatcher.utter_message(text=render(asker.language, "invoice_not_open.j2", number=number))
            return {slot: None}
        return {slot: str(number), CHOICES_SLOT: None}

    def takes(self, session: Session, invoice: Invoice) -> bool:
        """Whether the invoice named can be this form's: one with money owed."""
        return owed_on(session, invoice) > 0


class AskOpenInvoice(AskAction):
    """Asks which invoice: with a button per customer the name said fits ("fjord har betalt"
    with two Fjord customers), else per oldest open invoice."""

    customer_slot: ClassVar[str] = ""

    def _customers(self, tracker: Tracker) -> list[dict[str, str]]:
        return choice_buttons(tracker.get_slot(CHOICES_SLOT), self.customer_slot)

    def context(self, tracker: Tracker, asker: Asker) -> dict[str, Any]:
        return {"customers": [b["title"] for b in self._customers(tracker)]}

    def extra_buttons(self, tracker: Tracker, asker: Asker) -> list[dict[str, str]]:
        return self._customers(tracker) or recent_open_buttons(tracker, asker, self.slot)


def recent_open_buttons(tracker: Tracker, asker: Asker, slot: str) -> list[dict[str, str]]:
    """Buttons for the oldest open invoices, when no choice is on offer already."""
    if tracker.get_slot(CHOICES_SLOT) or asker.company_id is None:
        return []
    with reading().begin() as session:
        rows = open_invoice_rows(session, asker.company_id)
    return choice_buttons(invoice_choices(asker.language, slot, rows), slot)


class ValidateCreditForm(OpenInvoiceForm):
    """Finds the invoice to credit (by number, or among the customer's open invoices) and
    what of it: hours off its line of hours, an amount before VAT, a line ("krediter linje 2
    på faktura 10004"), or, none said, all that is left of it. A paid invoice can be credited
    too: the summary then says what is paid back."""

    number_slot, customer_slot = "credit_invoice_number", "credit_customer"

    def name(self) -> str:
        return "validate_credit_form"

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Also reads the line named in the message, which no entity carries."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        line = line_said(str((tracker.latest_message or {}).get("text") or ""))
        if line is not None and tracker.get_slot("credit_line") is None:
            tracker.slots["credit_line"] = str(line)
            return [*events, SlotSet("credit_line", str(line))]
        return events

    def takes(self, session: Session, invoice: Invoice) -> bool:
        """Something left to credit, paid or not."""
        return can_be_credited(invoice)

    def validate_credit_hours(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        hours = hours_answer(value, said_entity(tracker.latest_message, "hours"))
        return answered(dispatcher, asker_of(tracker), "credit_hours", hours, "invalid_hours.j2")

    def validate_credit_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        amount = amount_answer(value, said_entity(tracker.latest_message, "amount"))
        return answered(dispatcher, asker_of(tracker), "credit_amount", amount, "invalid_amount.j2")


_LINE = re.compile(r"\b(?:linje|line)\s*(?:nr\.?|no\.?|number|nummer)?\s*(\d{1,3})\b", re.IGNORECASE)


def line_said(text: str) -> int | None:
    """The invoice line a message names ("linje 2", "line no. 3"), if any."""
    found = _LINE.search(text)
    return int(found.group(1)) if found else None


class AskCreditInvoiceNumber(AskOpenInvoice):
    slot, customer_slot = "credit_invoice_number", "credit_customer"


CREDIT_PART = ("hours", "amount", "line")
"""What of an invoice a credit note takes, when not all that is left of it."""


def credit_proposal(asker: Asker, number: int, part: dict[str, str]) -> Proposal:
    """The credit note of `part` of invoice `number` (all of it when `part` is empty), with
    what of it is paid back: the summary shows it, "ja" posts that and nothing else."""

    def work(session: Session) -> dict[str, Any]:
        assert asker.company_id is not None
        owed = owed_on(session, get_invoice(session, asker.company_id, number))
        note = _credit(session, asker, number, part, refund=True)
        left = owed_on(session, get_invoice(session, asker.company_id, number))
        whole = get_invoice(session, asker.company_id, number).status == "credited"
        return {**invoice_summary(session, note), "refund": refund_due(note.total, owed), "owed_before": owed,
                "owed_after": left, "whole": whole}

    shown = dry_run(work)
    values = {"number": number, **part, "refund": str(shown["refund"]), "expected_total": str(shown["total"])}
    return Proposal(values, {**shown, "credits": number, "part": bool(part)})


class ActionProposeCredit(ProposeAction):
    """Shows the credit note that will be posted, and what it pays back, and asks Ja/Nei
    (the credit form's submit)."""

    action, kind, summary = "action_propose_credit", "credit_invoice", "credit_summary.j2"
    slots = ("credit_invoice_number", "credit_customer", "credit_hours", "credit_amount", "credit_line", CHOICES_SLOT)
    required = ("credit_invoice_number",)

    def proposal(self, tracker: Tracker, asker: Asker) -> Proposal | None:
        number = invoice_number_said(tracker.get_slot("credit_invoice_number"))
        if number is None:
            return None
        part = {key: str(tracker.get_slot(f"credit_{key}")) for key in CREDIT_PART if tracker.get_slot(f"credit_{key}")}
        return credit_proposal(asker, number, part)


def _credit(session: Session, asker: Asker, number: int, part: Mapping[str, Any], *, refund: bool) -> Invoice:
    assert asker.company_id is not None
    line = part.get("line")
    return credit_invoice(
        session,
        asker.company_id,
        number,
        lines=[CreditLine(int(line))] if line else None,
        hours=part.get("hours") or None,
        amount=part.get("amount") or None,
        refund=refund,
        created_by_id=asker.user_id,
        channel=asker.channel,
        source=asker.source,
    )


@confirmed("credit_invoice")
def post_credit_note(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """Issues the credit note that was shown, and pays back what it said would be paid back;
    if the books changed so that the refund would differ, nothing is posted."""
    assert asker.company_id is not None
    number = int(values["number"])
    refund = Decimal(str(values.get("refund") or "0"))
    owed = owed_on(session, get_invoice(session, asker.company_id, number))
    part = {key: values[key] for key in CREDIT_PART if values.get(key)}
    note = _credit(session, asker, number, part, refund=refund > 0)
    if refund_due(note.total, owed) != refund:
        raise ChangedSinceShown("the refund changed", shown=str(refund), now=str(refund_due(note.total, owed)))
    return _as_shown(session, asker, values, "credit_created.j2", note, credits=number, refund=refund)


# --------------------------------------------------------------------------------------------
# Refunds: money paid back by crediting part of a paid invoice


def _refund_buttons(sources: list[RefundSource], amount: Decimal, customer: str) -> list[dict[str, str]]:
    """A button per invoice the refund could come from."""
    return [
        {
            "title": f"{source.number}",
            "payload": "/refund_payment" + json.dumps(
                {"invoice_number": str(source.number), "amount": str(amount), "customer": customer},
                ensure_ascii=False,
            ),
        }
        for source in sources[:5]
    ]


class ActionProposeRefund(KeeperAction):
    """Pays money back to a customer ("refunder 500 kr til Fjord Bygg"): a credit note of
    that amount including VAT off the customer's latest invoice paid in full with enough paid
    on it (or the invoice named), with the refund; shown first, posted on "ja". Several
    invoices that fit get a button each; none, or no amount, is explained."""

    action = "action_propose_refund"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        assert asker.company_id is not None
        latest = tracker.latest_message or {}
        said_amount = next(iter(tracker.get_latest_entity_values("amount")), None)
        amount = amount_answer(said_amount, said_entity(latest, "amount")) if said_amount is not None else None
        said_number = next(iter(tracker.get_latest_entity_values("invoice_number")), None)
        number = invoice_number_said(said_number) if said_number is not None else None
        said_customer = next((str(v).strip() for v in tracker.get_latest_entity_values("customer") if str(v).strip()),
                             None)
        if not isinstance(amount, Decimal) or (number is None and said_customer is None):
            dispatcher.utter_message(text=render(asker.language, "refund_how.j2",
                                                 refused=isinstance(amount, Refused)))
            return []
        customer: str | None = None
        if number is None and said_customer is not None:
            customer, choices = resolve_customer_said(asker, said_customer, "customer")
            if customer is None:
                options = [str(o["value"]) for o in (choices or {}).get("options") or []]
                text = render(asker.language, "refund_customer_unclear.j2", said=said_customer, several=bool(options))
                dispatcher.utter_message(
                    text=text,
                    buttons=[{"title": name, "payload": "/refund_payment" + json.dumps(
                        {"customer": name, "amount": str(amount)}, ensure_ascii=False)} for name in options],
                )
                return []
        try:
            with sessions().begin() as session:
                if number is not None:
                    invoice = get_invoice(session, asker.company_id, number)
                    customer = invoice.customer.name
                    customer_id = invoice.customer_id
                else:
                    found = find_customer(session, asker.company_id, str(customer))
                    assert found is not None
                    customer_id = found.id
                sources = refund_sources(session, asker.company_id, customer_id, amount)
        except LedgerError as error:
            dispatcher.utter_message(text=refusal(asker.language, error))
            return []
        if number is not None:
            sources = [source for source in sources if source.number == number]
        if not sources:
            dispatcher.utter_message(text=render(asker.language, "refund_none.j2", amount=amount,
                                                 customer=customer, number=number))
            return []
        if len(sources) > 1:
            rows = [{"number": s.number, "issue_date": s.issue_date, "total": s.total, "paid": s.paid}
                    for s in sources[:5]]
            dispatcher.utter_message(
                text=render(asker.language, "refund_which.j2", amount=amount, customer=customer, rows=rows),
                buttons=_refund_buttons(sources, amount, str(customer)),
            )
            return []
        source = sources[0]
        try:
            proposal = credit_proposal(asker, source.number, {"line": str(source.line), "amount": str(source.net)})
        except LedgerError as error:
            dispatcher.utter_message(text=refusal(asker.language, error))
            return []
        return propose(dispatcher, asker.language, "credit_invoice", proposal.values, "credit_summary.j2",
                       shown={**(proposal.shown or {}), "asked_refund": amount}, asker=asker)


# --------------------------------------------------------------------------------------------
# Showing, sending and listing


def _number_or_latest(tracker: Tracker, asker: Asker, session: Session) -> Invoice | None:
    """The invoice the message names by number, else the customer's latest, else None."""
    assert asker.company_id is not None
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "invoice_number":
            number = invoice_number_said(entity.get("value"))
            if number is not None:
                return get_invoice(session, asker.company_id, number)
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "customer":
            name, _ = resolve_customer_said(asker, str(entity.get("value")), "invoice_number")
            customer = find_customer(session, asker.company_id, name) if name else None
            if customer is None:
                raise InvalidInput("unknown customer", said=str(entity.get("value")))
            invoices = list_invoices(session, asker.company_id, customer_id=customer.id, include_credit_notes=False)
            return invoices[-1] if invoices else None
    return None


def _invoice_buttons(session: Session, asker: Asker, intent: str) -> list[dict[str, str]]:
    assert asker.company_id is not None
    invoices = list_invoices(session, asker.company_id, include_credit_notes=False)[-5:]
    buttons = []
    for invoice in reversed(invoices):
        row = {
            "number": invoice.number,
            "customer": invoice.customer.name,
            "due_date": invoice.due_date,
            "total": invoice.total,
            "open": owed_on(session, invoice),
            "overdue": False,
            "days_overdue": 0,
        }
        title = render(asker.language, "invoice_option.j2", **row)
        buttons.append({"title": title, "payload": f'/{intent}{{"invoice_number": "{invoice.number}"}}'})
    return buttons


def _invoice_named(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    asker: Asker,
    intent: str,
    facts: Callable[[Session, Invoice], dict[str, Any]],
) -> dict[str, Any] | None:
    """The `facts` of the invoice the message names (by number, else the customer's latest);
    None when it names none, and the person is asked which (a button each, for `intent`), or
    when the ledger refused (said why)."""
    try:
        with sessions().begin() as session:
            invoice = _number_or_latest(tracker, asker, session)
            if invoice is None:
                buttons = _invoice_buttons(session, asker, intent)
                dispatcher.utter_message(text=render(asker.language, "which_invoice.j2", any=bool(buttons)),
                                         buttons=buttons)
                return None
            return {**invoice_summary(session, invoice), **facts(session, invoice)}
    except LedgerError as error:
        dispatcher.utter_message(text=refusal(asker.language, error))
        return None


def _payments_on(session: Session, invoice: Invoice) -> dict[str, Any]:
    """What is paid and owed on an invoice, and whether it is overdue."""
    owed = owed_on(session, invoice)
    overdue = owed > 0 and invoice.due_date < clock.today()
    return {"paid": paid_amount(session, invoice), "open": owed, "overdue": overdue}


def _sending_of(session: Session, invoice: Invoice) -> dict[str, Any]:
    """Where an invoice would be e-mailed, and when it was sent before."""
    return {"email": invoice.customer.email, "sent_at": invoice.sent_at}


class ActionShowInvoice(KeeperAction):
    """One invoice in short (the key figure first) with its PDF."""

    action = "action_show_invoice"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        assert asker.company_id is not None
        shown = _invoice_named(dispatcher, tracker, asker, "show_invoice", _payments_on)
        if shown is not None:
            text = render(asker.language, "invoice_shown.j2", **shown)
            say(dispatcher, text, attachment=pdf_link(asker.company_id, int(shown["number"])))
        return []


class ActionSendInvoice(KeeperAction):
    """Offers to e-mail an invoice (PDF and EHF) to the customer; sends it on "ja"."""

    action = "action_send_invoice"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        shown = _invoice_named(dispatcher, tracker, asker, "send_invoice", _sending_of)
        if shown is None:
            return []
        if not shown["email"]:
            dispatcher.utter_message(text=render(asker.language, "no_email.j2", **shown))
            return []
        values = {"number": shown["number"]}
        return propose(dispatcher, asker.language, "send_invoice", values, "send_summary.j2", shown=shown, asker=asker)


@confirmed("send_invoice")
def post_send_invoice(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """E-mails the invoice and marks it sent; a mail server that refuses leaves it unsent."""
    assert asker.company_id is not None
    number = int(values["number"])
    invoice = get_invoice(session, asker.company_id, number)
    document = invoice_document(session, invoice)
    email = invoice.customer.email
    send_invoice(document, SmtpServer.configured())
    mark_sent(session, asker.company_id, number, at=clock.now())
    return Done(
        "invoice_sent.j2",
        {"number": number, "email": email, "customer": invoice.customer.name, "total": invoice.total},
        attachment=pdf_link(asker.company_id, number),
    )


def unpaid_button(customer: str) -> dict[str, str]:
    """A button that lists what one customer owes."""
    return {"title": customer, "payload": "/list_unpaid" + json.dumps({"customer": customer}, ensure_ascii=False)}


class ActionListUnpaid(KeeperAction):
    """Who owes what: open invoices, overdue first, with the total; of one customer when one is
    named (a name that fits several gets a button each)."""

    action = "action_list_unpaid"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        assert asker.company_id is not None
        customer = None
        said = next((str(v).strip() for v in tracker.get_latest_entity_values("customer") if str(v).strip()), None)
        if said is not None:
            customer, choices = resolve_customer_said(asker, said, "customer")
            if customer is None:
                # A name that fits several customers, or none: ask, rather than list everyone's.
                dispatcher.utter_message(
                    text=render(asker.language, "unpaid_customer_unclear.j2", said=said, several=bool(choices)),
                    buttons=[unpaid_button(o["value"]) for o in (choices or {}).get("options") or []],
                )
                return []
        with reading().begin() as session:
            rows = open_invoice_rows(session, asker.company_id, customer)
            aging = receivables_aging(session, asker.company_id, clock.today()) if rows and not customer else None
        total = sum((row["open"] for row in rows), Decimal("0.00"))
        overdue = sum((row["open"] for row in rows if row["overdue"]), Decimal("0.00"))
        text = render(
            asker.language,
            "unpaid_list.j2",
            rows=rows[:MAX_LISTED],
            more=max(len(rows) - MAX_LISTED, 0),
            total=total,
            overdue=overdue,
            customer=customer or "",
        )
        if aging is not None and overdue > 0:
            # A picture of how overdue the money is says it better than a list.
            chart = receivables_aging_chart(aging, asker.language)
            dispatcher.utter_message(json_message={"text": text, "image": chart, "buttons": []})
        else:
            dispatcher.utter_message(text=text)
        return []
