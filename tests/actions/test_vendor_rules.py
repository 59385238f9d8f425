"""Vendor rules in the chat: a typed expense with a vendor teaches the vendor and is proposed
as last time when the vendor comes again, the rules are listed, and "Telenor skal føres som
kontorrekvisita" changes one (or makes it); staff may not."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from actions.confirmation import ActionConfirm
from actions.expenses import FORM_SLOTS, ActionProposeExpense, ValidateRegisterExpenseForm
from actions.vendor_rules import ActionChangeVendorRule, ActionListVendorRules
from ledger.identity import add_user
from ledger.models import Company
from ledger.vendor_rules import remember_vendor, vendor_rules
from tests.actions.chat_builders import Conversation, Person, action_books, form_domain, new_company, run, said

__all__ = ["action_books"]


def rules_of(books: sessionmaker[Session], company_id: int) -> dict[str, tuple[str, str]]:
    with books.begin() as s:
        return {r.vendor_name: (r.account, r.vat_code) for r in vendor_rules(s, company_id)}


def test_a_typed_expense_with_a_vendor_teaches_the_vendor(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    with action_books.begin() as s:
        company = s.get(Company, owner.company_id)
        assert company is not None
        company.vehicle = "car"  # the VAT of this purchase is 0, the vendor's category still deducts
    proposal = run(ActionProposeExpense(), said("før utgiften", intent="register_expense", asker=owner,
                                                conversation=Conversation(slots={
                                                    "expense_amount": "500.00", "expense_category": "drivstoff",
                                                    "expense_vendor": "Circle K AS"})))
    pending = proposal.slots()["pending"]
    run(ActionConfirm(), said("ja", intent="affirm", asker=owner, message_id="m9", conversation=Conversation(
        slots={"pending": pending}, events=[{"event": "slot", "name": "pending", "value": pending}])))
    assert rules_of(action_books, owner.company_id) == {"Circle K AS": ("7000", "1")}


def test_rules_are_listed_and_changed_in_the_chat(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    empty = run(ActionListVendorRules(), said("hvilke leverandørregler har du?", intent="list_vendor_rules",
                                              asker=owner))
    assert empty.text.startswith("Jeg har ikke lært noen leverandører ennå.")
    with action_books.begin() as s:
        remember_vendor(s, owner.company_id, "Telenor Norge AS", "6900", "1", category="telefon")
    listed = run(ActionListVendorRules(), said("vis reglene", intent="list_vendor_rules", asker=owner))
    assert "• Telenor Norge AS → 6900" in listed.text and "25 % mva" in listed.text

    text = "Telenor skal føres som kontorrekvisita"
    changed = run(ActionChangeVendorRule(), said(text, intent="change_vendor_rule", asker=owner, entities={
        "vendor": "Telenor", "expense_category": "kontorrekvisita"}))
    assert changed.text.startswith("Endret: Telenor Norge AS føres heretter på 6800")
    text = "Gjensidige should be booked as insurance"
    made = run(ActionChangeVendorRule(), said(text, intent="change_vendor_rule", asker=owner, language="en",
                                              entities={"vendor": "Gjensidige", "expense_category": "insurance"}))
    assert made.text.startswith("Noted: Gjensidige goes on 7500") and "no VAT deduction" in made.text
    assert rules_of(action_books, owner.company_id) == {"Telenor Norge AS": ("6800", "1"), "Gjensidige": ("7500", "0")}

    unclear = run(ActionChangeVendorRule(), said("endre regelen", intent="change_vendor_rule", asker=owner))
    assert unclear.text.startswith("Hvilken leverandør")
    unknown = run(ActionChangeVendorRule(), said("Telenor skal føres som sjokoladefontene",
                                                 intent="change_vendor_rule", asker=owner, entities={
                                                     "vendor": "Telenor", "expense_category": "sjokoladefontene"}))
    assert unknown.text == "Jeg vet ikke hvilken konto «sjokoladefontene» hører til."
    assert rules_of(action_books, owner.company_id)["Telenor Norge AS"] == ("6800", "1")


def test_staff_may_not_see_or_change_rules(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    with action_books.begin() as s:
        staff = Person(add_user(s, owner.company_id, "Ola", "staff").user.id, owner.company_id, "staff")
    for action in (ActionListVendorRules(), ActionChangeVendorRule()):
        answer = run(action, said("Telenor skal føres som telefon", intent="change_vendor_rule", asker=staff,
                                  entities={"vendor": "Telenor", "expense_category": "telefon"}))
        assert answer.text.startswith("Beklager, med en ansatt-tilgang")
    assert rules_of(action_books, owner.company_id) == {}


def test_an_expense_from_a_known_vendor_said_without_what_it_was_for_is_proposed_as_last_time(
    action_books: sessionmaker[Session],
) -> None:
    owner = new_company(action_books, vat_registered=True)
    with action_books.begin() as s:
        remember_vendor(s, owner.company_id, "Telenor Norge AS", "6900", "1", category="telefon")
    domain = form_domain("register_expense_form", FORM_SLOTS)
    conversation = Conversation(slots={"language": "nb"}, active_loop="register_expense_form")
    tracker = said("450 kr til Telenor", intent="register_expense", asker=owner, conversation=conversation,
                   extracted={"expense_amount": "450", "expense_vendor": "Telenor"})
    validated = run(ValidateRegisterExpenseForm(), tracker, domain)
    assert validated.texts == ["Som sist: Telenor Norge AS → 6900 Telefon og internett, 25 % mva."]
    slots = validated.slots()
    assert (slots["expense_category"], slots["expense_vendor"]) == ("telefon", "Telenor")
    assert slots["requested_slot"] is None  # nothing left to ask: the summary comes next

    stranger = said("450 kr til Telia", intent="register_expense", asker=owner, conversation=conversation,
                    extracted={"expense_amount": "450", "expense_vendor": "Telia"})
    asked = run(ValidateRegisterExpenseForm(), stranger, domain)
    assert asked.texts == [] and asked.slots()["requested_slot"] == "expense_category"
