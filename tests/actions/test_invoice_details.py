"""The chat asks for what an invoice must show (bokføringsforskriften § 5-1-1) and the seller or
customer lacks, one detail at a time and in the person's language, keeps the answers through
the ledger's own checks, and then shows the invoice as if the details had been there. A bad
answer is asked again and changes nothing; "avbryt" leaves everything as it was."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from actions.confirmation import ActionCancel
from actions.invoice_details import (
    ActionSaveInvoiceDetails,
    AskBuyerAddress,
    AskSellerBankAccount,
    ValidateInvoiceDetailsForm,
    postal_address,
)
from actions.invoicing import ActionProposeInvoice
from ledger.companies import company_by_id
from ledger.customers import create_customer, find_customer, update_customer
from tests.actions.chat_builders import Conversation, Person, Said, action_books, new_company, run, said
from tests.actions.test_invoicing import entries, reply
from tests.ledger.builders import seller_details, where

__all__ = ["action_books"]

INVOICE = {"invoice_customer": "Vestland Snekker AS", "invoice_hours": "2.00", "invoice_rate": "900"}
DETAIL_SLOTS = ["detail_seller_address", "detail_seller_orgnr", "detail_seller_bank_account",
                "detail_buyer_address", "detail_buyer_orgnr"]
DETAILS_DOMAIN = {
    "forms": {
        "invoice_details_form": {
            "required_slots": [*DETAIL_SLOTS, "invoice_customer", "invoice_project", "invoice_hours",
                               "invoice_amount", "invoice_rate"],
        }
    }
}


def _propose(owner: Person, text: str, language: str = "nb", slots: dict[str, Any] | None = None) -> Said:
    return run(
        ActionProposeInvoice(),
        said(text, intent="create_invoice", asker=owner, language=language,
             conversation=Conversation(slots=slots or INVOICE)),
    )


def _answer(owner: Person, text: str, slot: str, value: Any, language: str = "nb", **slots: Any) -> Said:
    """The details form validating `text`, said in answer to the question for `slot`."""
    # an answer of digits says nothing of its language: the conversation's is used
    conversation = Conversation(slots={**INVOICE, "language": language, **slots}, active_loop="invoice_details_form",
                                requested_slot=slot)
    return run(
        ValidateInvoiceDetailsForm(),
        said(text, intent="nlu_fallback", asker=owner, language=language, conversation=conversation,
             extracted={slot: value}),
        DETAILS_DOMAIN,
    )


def _bare_company(books: sessionmaker[Session]) -> Person:
    """A company without address, organisation number or bank account, and a business
    customer without address or organisation number."""
    owner = new_company(books, "Testfirma AS", vat_registered=True)
    with books.begin() as s:
        create_customer(s, owner.company_id, "Vestland Snekker AS")
    return owner


def _details(books: sessionmaker[Session], owner: Person) -> dict[str, Any]:
    with books.begin() as s:
        company = company_by_id(s, owner.company_id)
        customer = find_customer(s, owner.company_id, "Vestland Snekker AS")
        assert customer is not None
        return {
            "company": (company.address, company.postcode, company.city, company.orgnr, company.bank_account),
            "customer": (customer.address, customer.postcode, customer.city, customer.orgnr),
        }


def test_an_address_said_in_one_line_is_read_as_street_postcode_and_city() -> None:
    assert postal_address("Strandgata 1, 5003 Bergen") == {"address": "Strandgata 1", "postcode": "5003",
                                                             "city": "Bergen"}
    assert postal_address("  Kongens gate 12B 7011 Trondheim. ") == {
        "address": "Kongens gate 12B", "postcode": "7011", "city": "Trondheim"}
    assert postal_address("0150 Oslo") == {"postcode": "0150", "city": "Oslo"}
    assert postal_address("Strandgata 1, Bergen") is None
    assert postal_address("5003") is None
    assert postal_address("Storgata 5, 8622 Mo i Rana") == {"address": "Storgata 5", "postcode": "8622",
                                                             "city": "Mo i Rana"}
    assert postal_address("jeg betalte 4010 kr for drivstoff") is None
    assert postal_address("I paid 4010 for the fuel at the station in town today") is None


def test_missing_details_start_the_questions_and_keep_the_invoice(action_books: sessionmaker[Session]) -> None:
    owner = _bare_company(action_books)
    result = _propose(owner, "fakturer vestland snekker for 2 timer")
    slots = result.slots()
    assert "pending" not in slots
    assert slots["resume_form"] == "invoice_details_form"
    assert "invoice_customer" not in slots  # the invoice is kept for its summary
    assert reply(result).startswith(
        "Før jeg kan lage fakturaen trenger jeg Testfirma ASs adresse, postnummer, poststed, "
        "organisasjonsnummer, kontonummer og Vestland Snekker ASs adresse, postnummer, poststed, "
        "organisasjonsnummer, som en faktura må vise")
    english = _propose(owner, "invoice vestland snekker for 2 hours", language="en")
    assert reply(english).startswith("Before I can make the invoice I need Testfirma AS's address")
    assert entries(action_books, owner.company_id) == 0


def test_each_missing_detail_is_asked_for_in_turn_naming_whose(action_books: sessionmaker[Session]) -> None:
    owner = _bare_company(action_books)
    first = _answer(owner, "Strandgata 1, 5003 Bergen", "detail_seller_address", "Strandgata 1, 5003 Bergen")
    assert first.slots()["detail_seller_address"] == {"address": "Strandgata 1", "postcode": "5003", "city": "Bergen"}
    assert first.slots()["requested_slot"] == "detail_seller_orgnr"
    asked = run(AskBuyerAddress(), said("ok", asker=owner, language="nb",
                                        conversation=Conversation(slots=INVOICE)))
    assert asked.text.startswith("Hva er adressen til Vestland Snekker AS?")
    asked_en = run(AskBuyerAddress(), said("ok", asker=owner, language="en",
                                           conversation=Conversation(slots=INVOICE)))
    assert asked_en.text.startswith("What is Vestland Snekker AS's address?")
    bank = run(AskSellerBankAccount(), said("ok", asker=owner, language="nb",
                                            conversation=Conversation(slots=INVOICE)))
    assert bank.text.startswith("Hvilket kontonummer skal kundene betale til Testfirma AS?")
    assert _details(action_books, owner)["company"] == ("", "", "", None, "")  # nothing kept yet


def test_a_bad_organisation_number_or_bank_account_is_asked_again_and_changes_nothing(
    action_books: sessionmaker[Session],
) -> None:
    owner = _bare_company(action_books)
    before = _details(action_books, owner)
    bad = _answer(owner, "123456789", "detail_seller_orgnr", "123456789")
    assert "«123456789» er ikke et gyldig organisasjonsnummer" in bad.text
    assert bad.slots()["detail_seller_orgnr"] is None
    assert bad.slots()["requested_slot"] == "detail_seller_address"  # still lacking; asked in order
    account = _answer(owner, "1234 56 78900", "detail_seller_bank_account", "1234 56 78900", language="en")
    assert '"1234 56 78900" is not a valid bank account number' in account.text
    assert account.slots()["detail_seller_bank_account"] is None
    street = _answer(owner, "Bergen", "detail_buyer_address", "Bergen")
    assert "Jeg fant ikke gateadresse, postnummer og sted i «Bergen»" in street.text
    assert street.slots()["detail_buyer_address"] is None
    good = _answer(owner, "974 760 673", "detail_seller_orgnr", "974 760 673")
    assert good.slots()["detail_seller_orgnr"] == "974760673"
    assert _details(action_books, owner) == before


def test_an_organisation_number_another_customer_has_is_refused(action_books: sessionmaker[Session]) -> None:
    owner = _bare_company(action_books)
    with action_books.begin() as s:
        create_customer(s, owner.company_id, "Annen Kunde AS", **where("974760673"))
    taken = _answer(owner, "974760673", "detail_buyer_orgnr", "974760673")
    assert "Organisasjonsnummer 974760673 er allerede registrert på Annen Kunde AS" in taken.text
    assert taken.slots()["detail_buyer_orgnr"] is None


def test_the_answers_are_kept_then_the_invoice_is_shown_and_the_next_one_asks_nothing(
    action_books: sessionmaker[Session],
) -> None:
    owner = _bare_company(action_books)
    answers = {
        "detail_seller_address": {"address": "Strandgata 1", "postcode": "5003", "city": "Bergen"},
        "detail_seller_orgnr": "974760673",
        "detail_seller_bank_account": "12345678903",
        "detail_buyer_address": {"address": "Sjøgata 4", "postcode": "6900", "city": "Florø"},
        "detail_buyer_orgnr": "923609016",
    }
    saved = run(ActionSaveInvoiceDetails(), said("12345678903", asker=owner, language="nb",
                                                 conversation=Conversation(slots={**INVOICE, **answers})))
    assert saved.text == "Lagret for Testfirma AS og for Vestland Snekker AS; neste faktura spør ikke om det igjen."
    assert all(saved.slots()[slot] is None for slot in DETAIL_SLOTS)
    assert "invoice_customer" not in saved.slots()
    assert _details(action_books, owner) == {
        "company": ("Strandgata 1", "5003", "Bergen", "974760673", "12345678903"),
        "customer": ("Sjøgata 4", "6900", "Florø", "923609016"),
    }
    shown = _propose(owner, "12345678903")
    assert shown.slots()["pending"]["kind"] == "create_invoice"
    assert shown.slots()["resume_form"] is None
    assert reply(shown).startswith("Faktura til Vestland Snekker AS: 2 250,00 kr inkl. mva")
    again = _propose(owner, "fakturer vestland snekker for 2 timer")
    assert again.slots()["pending"]["kind"] == "create_invoice"
    assert "Før jeg kan lage fakturaen" not in reply(again)
    assert entries(action_books, owner.company_id) == 0  # nothing posted before "ja"


def test_a_customer_lacking_only_its_address_is_asked_only_that(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, "Testfirma AS", vat_registered=True, **seller_details("Testfirma AS"))
    with action_books.begin() as s:
        create_customer(s, owner.company_id, "Vestland Snekker AS", orgnr="923609016")
    result = _propose(owner, "invoice vestland snekker for 2 hours", language="en")
    assert reply(result).startswith(
        "Before I can make the invoice I need Vestland Snekker AS's address, postcode, city, which")
    form = _answer(owner, "Sjøgata 4, 6900 Florø", "detail_buyer_address", "Sjøgata 4, 6900 Florø", language="en")
    assert form.slots()["requested_slot"] is None  # nothing more to ask


def test_cancel_in_the_questions_changes_nothing_and_forgets_the_invoice(action_books: sessionmaker[Session]) -> None:
    owner = _bare_company(action_books)
    before = _details(action_books, owner)
    conversation = Conversation(
        slots={**INVOICE, "detail_seller_address": {"address": "Strandgata 1", "postcode": "5003", "city": "Bergen"}},
        active_loop="invoice_details_form",
    )
    done = run(ActionCancel(), said("avbryt", intent="cancel", asker=owner, conversation=conversation), DETAILS_DOMAIN)
    assert done.text == "Avbrutt. Ingenting er ført."
    slots = done.slots()
    assert slots["detail_seller_address"] is None and slots["invoice_customer"] is None
    assert _details(action_books, owner) == before


def test_staff_are_not_asked_and_cannot_set_the_details(action_books: sessionmaker[Session]) -> None:
    owner = _bare_company(action_books)
    from ledger.identity import add_user

    with action_books.begin() as s:
        staff = add_user(s, owner.company_id, "Ola Hansen", "staff")
    worker = Person(staff.user.id, owner.company_id, "staff")
    proposed = _propose(worker, "fakturer vestland snekker for 2 timer")
    assert "resume_form" not in proposed.slots() or proposed.slots()["resume_form"] is None
    saved = run(ActionSaveInvoiceDetails(), said("ok", asker=worker, language="nb", conversation=Conversation(
        slots={**INVOICE, "detail_seller_orgnr": "974760673"})))
    assert "pending" not in saved.slots()
    assert _details(action_books, owner)["company"][3] is None


def test_with_every_detail_set_the_chat_proposes_the_invoice(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, "Testfirma AS", vat_registered=True, **seller_details("Testfirma AS"))
    with action_books.begin() as s:
        customer = create_customer(s, owner.company_id, "Vestland Snekker AS").id
        update_customer(s, owner.company_id, customer, **where("923609016"))
    shown = _propose(owner, "fakturer vestland snekker for 2 timer")
    assert shown.slots()["pending"]
    assert reply(shown).startswith("Faktura til Vestland Snekker AS: 2 250,00 kr inkl. mva")


def test_the_questions_start_even_though_the_latest_message_asked_for_the_invoice(
    action_books: sessionmaker[Session],
) -> None:
    """The details form is started by a rule right after the invoice's submit: the message
    before it ("fakturer Vestland Snekker for 2 timer") is the request that led here, not a
    new request to leave the questions for."""
    owner = _bare_company(action_books)
    text = "fakturer Vestland Snekker for 2 timer"
    conversation = Conversation(slots=INVOICE, active_loop="invoice_details_form")
    started = run(
        ValidateInvoiceDetailsForm(),
        said(text, intent="create_invoice", asker=owner, conversation=conversation,
             entities={"customer": ("Vestland Snekker", "Vestland Snekker"), "hours": ("2", "2 timer")}),
        DETAILS_DOMAIN,
    )
    assert started.slots()["requested_slot"] == "detail_seller_address"
    assert not any(e.get("event") == "followup" for e in started.events)


def test_an_answer_shaped_like_the_detail_asked_for_is_taken_whatever_intent_it_was_given(
    action_books: sessionmaker[Session],
) -> None:
    """"Marinaveien 2, 4010 Stavanger" reads to the classifier as an expense of 4 010 kr; asked
    for an address, it is the address. A message that is no address still leaves for the
    request it makes."""
    owner = _bare_company(action_books)
    conversation = Conversation(slots={**INVOICE, "language": "nb"}, active_loop="invoice_details_form",
                                requested_slot="detail_seller_address")
    address = run(
        ValidateInvoiceDetailsForm(),
        said("Marinaveien 2, 4010 Stavanger", intent="register_expense", asker=owner, language="nb",
             conversation=conversation, entities={"vendor": ("Marinaveien 2", "Marinaveien 2"),
                                                  "amount": ("4010", "4010")},
             extracted={"detail_seller_address": "Marinaveien 2, 4010 Stavanger"}),
        DETAILS_DOMAIN,
    )
    assert not any(e.get("event") == "followup" for e in address.events)
    assert address.slots()["detail_seller_address"] == {"postcode": "4010", "city": "Stavanger",
                                                        "address": "Marinaveien 2"}
    expense = run(
        ValidateInvoiceDetailsForm(),
        said("jeg betalte 4010 kr for drivstoff", intent="register_expense", asker=owner, language="nb",
             conversation=conversation, entities={"amount": ("4010", "4010 kr"),
                                                  "expense_category": ("drivstoff", "drivstoff")},
             extracted={"detail_seller_address": "jeg betalte 4010 kr for drivstoff"}),
        DETAILS_DOMAIN,
    )
    assert [e["name"] for e in expense.events if e.get("event") == "followup"] == ["register_expense_form"]
