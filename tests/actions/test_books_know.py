"""What the books already know, at the action level: the rate of the customer's project (one:
taken and said; several: a button each), a project's name never offered as a new customer, the
vehicle taken from the expense itself, a new request in the middle of a question, and the
category said in the words of the sentence's language."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from actions.expenses import FORM_SLOTS, ValidateRegisterExpenseForm
from actions.forms import new_request
from actions.invoicing import ActionProposeInvoice, ValidateInvoiceForm
from actions.payments import ValidatePaymentForm
from actions.replies import render
from actions.time import FORM_SLOTS as TIME_SLOTS
from actions.time import ValidateLogTimeForm
from ledger.customers import create_customer
from ledger.invoicing import invoice_amount
from ledger.models import Company
from ledger.projects import create_project
from tests.actions.chat_builders import Conversation, Person, Said, action_books, form_domain, new_company, run, said
from tests.ledger.builders import seller_details, where

__all__ = ["action_books"]

INVOICE_DOMAIN = {
    "forms": {
        "invoice_form": {
            "required_slots": ["invoice_customer", "invoice_project", "invoice_hours", "invoice_amount", "invoice_rate"]
        }
    }
}
EXPENSE_DOMAIN = form_domain("register_expense_form", FORM_SLOTS)
TIME_DOMAIN = form_domain("log_time_form", TIME_SLOTS)
PAYMENT_SLOTS = ["payment_invoice", "payment_customer", "payment_amount", "payment_date"]
PAYMENT_DOMAIN = {"forms": {"payment_form": {"required_slots": PAYMENT_SLOTS}}}


def books(action_books: sessionmaker[Session]) -> Person:
    """Havbris AS (no rate) with one project, Sjøsida at 1 000 kr; Kystlys AS (no rate) with
    Naustet (900 kr) and Verftet (1 200 kr); Brattli Bygg AS with Brygga (950 kr)."""
    owner = new_company(action_books, "Testfirma AS", vat_registered=True, **seller_details("Testfirma AS"))
    with action_books.begin() as session:
        havbris = create_customer(session, owner.company_id, "Havbris AS", **where("974760673"))
        create_project(session, owner.company_id, "Sjøsida", customer_id=havbris.id, hourly_rate="1000")
        kystlys = create_customer(session, owner.company_id, "Kystlys AS", **where("923609016"))
        create_project(session, owner.company_id, "Naustet", customer_id=kystlys.id, hourly_rate="900")
        create_project(session, owner.company_id, "Verftet", customer_id=kystlys.id, hourly_rate="1200")
        brattli = create_customer(session, owner.company_id, "Brattli Bygg AS", **where("934567897"))
        create_project(session, owner.company_id, "Brygga", customer_id=brattli.id, hourly_rate="950")
    return owner


def validate_invoice(owner: Person, text: str, extracted: dict[str, Any], **kw: Any) -> Said:
    conversation = Conversation(active_loop="invoice_form")
    return run(ValidateInvoiceForm(),
               said(text, intent="create_invoice", asker=owner, extracted=extracted, conversation=conversation, **kw),
               INVOICE_DOMAIN)


def test_the_only_project_with_a_rate_is_taken_and_the_summary_says_its_rate(
    action_books: sessionmaker[Session],
) -> None:
    owner = books(action_books)
    extracted = {"invoice_customer": "havbris", "invoice_hours": 5}
    result = validate_invoice(owner, "fakturer havbris for 5 timer", extracted)
    slots = result.slots()
    assert (slots["invoice_customer"], slots["invoice_project"]) == ("Havbris AS", "Sjøsida")
    assert slots["requested_slot"] is None
    slots = {"invoice_customer": "Havbris AS", "invoice_project": "Sjøsida", "invoice_hours": "5.00"}
    tracker = said("fakturer", intent="create_invoice", asker=owner, conversation=Conversation(slots=slots))
    shown = run(ActionProposeInvoice(), tracker)
    assert shown.text.startswith("Faktura til Havbris AS: 6 250,00 kr inkl. mva")
    assert "5 t på Sjøsida à 1 000,00 kr (prosjektets timepris)." in shown.text


def test_several_projects_are_asked_about_with_a_button_each_before_any_rate(
    action_books: sessionmaker[Session],
) -> None:
    owner = books(action_books)
    extracted = {"invoice_customer": "kystlys", "invoice_hours": 2}
    result = validate_invoice(owner, "fakturer kystlys for 2 timer", extracted)
    slots = result.slots()
    assert slots["requested_slot"] == "invoice_project"
    assert [o["value"] for o in slots["choices"]["options"]] == ["Naustet", "Verftet"]


def test_a_project_named_as_the_customer_is_the_project_and_no_customer_is_offered(
    action_books: sessionmaker[Session],
) -> None:
    owner = books(action_books)
    result = validate_invoice(owner, "fakturer brygga for 2 timer", {"invoice_customer": "brygga", "invoice_hours": 2})
    slots = result.slots()
    assert (slots["invoice_customer"], slots["invoice_project"]) == ("Brattli Bygg AS", "Brygga")
    assert not slots.get("pending")
    assert result.texts == []


def test_an_expense_said_while_an_invoice_asks_for_hours_leaves_the_invoice_for_the_expense_form(
    action_books: sessionmaker[Session],
) -> None:
    owner = books(action_books)
    conversation = Conversation(slots={"invoice_customer": "Havbris AS"}, active_loop="invoice_form",
                                requested_slot="invoice_hours")
    tracker = said("fuel for the van, 600 kr", intent="register_expense", asker=owner, conversation=conversation,
                   entities={"expense_category": ("fuel", "fuel"), "customer": ("the van", "the van")},
                   extracted={"invoice_customer": "the van", "invoice_amount": "600"})
    result = run(ValidateInvoiceForm(), tracker, INVOICE_DOMAIN)
    assert {"event": "followup", "name": "register_expense_form"} in [
        {"event": e["event"], "name": e.get("name")} for e in result.events
    ]
    slots = result.slots()
    assert slots["invoice_customer"] is None and slots["invoice_amount"] is None
    assert not slots.get("pending") and result.texts == []


def test_an_answer_that_fills_the_question_is_no_new_request(action_books: sessionmaker[Session]) -> None:
    owner = books(action_books)
    conversation = Conversation(slots={"invoice_customer": "Havbris AS"}, active_loop="invoice_form",
                                requested_slot="invoice_hours")
    tracker = said("5 timer", intent="log_time", asker=owner, conversation=conversation,
                   entities={"hours": ("5", "5 timer")}, extracted={"invoice_hours": 5})
    assert new_request(tracker, "invoice_form", tracker.slots_to_validate()) is None


def test_the_van_in_the_expense_itself_is_taken_without_asking(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    tracker = said("diesel til varebilen 700 kr", intent="register_expense", asker=owner,
                   conversation=Conversation(active_loop="register_expense_form"),
                   extracted={"expense_amount": "700", "expense_category": "diesel"})
    result = run(ValidateRegisterExpenseForm(), tracker, EXPENSE_DOMAIN)
    slots = result.slots()
    assert slots["expense_ask_vehicle"] is None and slots["requested_slot"] is None
    assert "Notert: selskapet har varebil." in result.text
    with action_books.begin() as session:
        company = session.get(Company, owner.company_id)
        assert company is not None and company.vehicle == "van"


def test_a_bare_bilen_says_nothing_of_the_vehicle_and_the_question_comes(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    tracker = said("diesel til bilen 700 kr", intent="register_expense", asker=owner,
                   conversation=Conversation(active_loop="register_expense_form"),
                   extracted={"expense_amount": "700", "expense_category": "diesel"})
    result = run(ValidateRegisterExpenseForm(), tracker, EXPENSE_DOMAIN)
    assert result.slots()["requested_slot"] == "expense_vehicle"


def test_the_category_is_said_in_the_language_of_the_sentence() -> None:
    norwegian = render("nb", "ask_expense_vehicle.j2", category="fuel")
    assert "mva på drivstoff" in norwegian and "fuel" not in norwegian
    english = render("en", "ask_expense_vehicle.j2", category="drivstoff")
    assert "VAT on fuel" in english and "drivstoff" not in english


def test_hours_on_a_customers_name_go_to_its_only_project_and_no_project_is_offered(
    action_books: sessionmaker[Session],
) -> None:
    owner = books(action_books)
    conversation = Conversation(active_loop="log_time_form")
    tracker = said("før 3 timer på Havbris", intent="log_time", asker=owner, conversation=conversation,
                   extracted={"time_project": "Havbris", "time_hours": 3})
    result = run(ValidateLogTimeForm(), tracker, TIME_DOMAIN)
    slots = result.slots()
    assert slots["time_project"] == "Sjøsida"
    assert not slots.get("time_project_new")
    several = run(ValidateLogTimeForm(), said("før 3 timer på Kystlys", intent="log_time", asker=owner,
                                               conversation=conversation,
                                               extracted={"time_project": "Kystlys", "time_hours": 3}), TIME_DOMAIN)
    assert "«Kystlys» er en kunde, ikke et prosjekt" in several.text
    assert [o["value"] for o in several.slots()["choices"]["options"]] == ["Naustet", "Verftet"]
    assert not several.slots().get("time_project_new")


def test_a_payment_from_a_customer_without_open_invoices_is_never_matched_to_anothers_by_amount(
    action_books: sessionmaker[Session],
) -> None:
    owner = books(action_books)
    with action_books.begin() as session:
        nordvik = create_customer(session, owner.company_id, "Nordvik Havn AS", **where("912345645"))
        invoice_amount(session, owner.company_id, nordvik.id, "2000", "Arbeid", created_by_id=owner.user_id)
    conversation = Conversation(active_loop="payment_form")
    tracker = said("Havbris har betalt 2 500 kr", intent="register_payment", asker=owner, conversation=conversation,
                   entities={"customer": ("Havbris", "Havbris"), "amount": ("2500", "2 500 kr")},
                   extracted={"payment_customer": "Havbris", "payment_amount": "2500"})
    result = run(ValidatePaymentForm(), tracker, PAYMENT_DOMAIN)
    assert "Havbris AS har ingen ubetalte fakturaer" in result.text
    assert not result.slots().get("payment_invoice")
