"""The chat refuses an invoice the seller or customer lacks details for (bokføringsforskriften
§ 5-1-1): it says, in the person's language, what is missing and how to set it, and proposes
nothing that could not be posted."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from actions.invoicing import ActionProposeInvoice
from ledger.customers import create_customer, update_customer
from tests.actions.chat_builders import Conversation, Person, action_books, new_company, run, said
from tests.actions.test_invoicing import entries, reply
from tests.ledger.builders import seller_details, where

__all__ = ["action_books"]


def _propose(owner: Person, text: str, language: str = "nb") -> tuple[str, bool]:
    """What the invoice form's submit says, and whether it proposed anything."""
    slots = {"invoice_customer": "Vestland Snekker AS", "invoice_hours": "2.00", "invoice_rate": "900"}
    result = run(
        ActionProposeInvoice(),
        said(text, intent="create_invoice", asker=owner, conversation=Conversation(slots=slots), language=language),
    )
    return reply(result), bool(result.slots().get("pending"))


def test_the_chat_names_what_the_seller_and_customer_lack_and_how_to_set_it(
    action_books: sessionmaker[Session],
) -> None:
    owner = new_company(action_books, "Testfirma AS", vat_registered=True)
    with action_books.begin() as s:
        create_customer(s, owner.company_id, "Vestland Snekker AS")
    text, proposed = _propose(owner, "fakturer vestland snekker for 2 timer")
    assert not proposed
    assert "Testfirma ASs adresse, postnummer, poststed, organisasjonsnummer, kontonummer" in text
    assert "Vestland Snekker ASs adresse, postnummer, poststed, organisasjonsnummer" in text
    assert f"bokbot company set --company {owner.company_id} --address" in text
    assert f"PATCH /api/v1/companies/{owner.company_id}/customers/" in text
    assert "Ingenting er ført" in text
    english, _ = _propose(owner, "invoice vestland snekker for 2 hours", language="en")
    assert "Testfirma AS's address, postcode, city, organisation number, bank account" in english
    assert entries(action_books, owner.company_id) == 0


def test_with_every_detail_set_the_chat_proposes_the_invoice(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, "Testfirma AS", vat_registered=True, **seller_details("Testfirma AS"))
    with action_books.begin() as s:
        customer = create_customer(s, owner.company_id, "Vestland Snekker AS").id
        update_customer(s, owner.company_id, customer, **where("923609016"))
    text, proposed = _propose(owner, "fakturer vestland snekker for 2 timer")
    assert proposed
    assert text.startswith("Faktura til Vestland Snekker AS: 2 250,00 kr inkl. mva"), text
