"""The details an invoice must show (bokføringsforskriften § 5-1-1), asked for in the chat when
the seller or the customer lacks them, then kept: the next invoice does not ask again.

When the invoice form is complete but the company lacks its address, organisation number or
bank account, or the customer its address (or organisation number, for a business), the
invoice's submit starts `invoice_details_form` instead of a summary. The form asks for each
missing detail, one at a time, in the person's language ("Hva er adressen til Fjord Bygg
AS?"); an address comes as one answer ("Strandgata 1, 5003 Bergen"). Each answer is checked
by the very ledger functions the REST API changes the details with (`update_company`,
`update_customer`, run in a transaction that is rolled back), so an organisation number that
fails its check is asked for again and nothing is changed. Only when every detail is given are
they stored, in one transaction, and the invoice's summary shown as if they had been there;
"avbryt" leaves the company and the customer as they were, and forgets the invoice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.books import sessions
from actions.confirmation import dry_run, refusal
from actions.context import Asker, asker_of
from actions.forms import AskAction, FormValidator, refuse_asker
from actions.replies import render
from ledger.companies import company_by_id, update_company
from ledger.customers import find_customer, update_customer
from ledger.errors import DuplicateName, InvalidOrgnr, LedgerError
from ledger.invoicing import MissingDetails, missing_invoice_details
from ledger.permissions import Capability, may

DETAILS_FORM = "invoice_details_form"
SELLER_ADDRESS = "detail_seller_address"
SELLER_ORGNR = "detail_seller_orgnr"
SELLER_BANK_ACCOUNT = "detail_seller_bank_account"
BUYER_ADDRESS = "detail_buyer_address"
BUYER_ORGNR = "detail_buyer_orgnr"
DETAIL_SLOTS = (SELLER_ADDRESS, SELLER_ORGNR, SELLER_BANK_ACCOUNT, BUYER_ADDRESS, BUYER_ORGNR)
INVOICE_SLOTS = ("invoice_customer", "invoice_project", "invoice_hours", "invoice_amount", "invoice_rate")
ADDRESS_PARTS = ("address", "postcode", "city")

_POSTAL = re.compile(r"^(?:(?P<street>.*?\S)[\s,]+)?(?P<postcode>\d{4})\s+(?P<city>[^\d,]*[^\W\d_][^\d,]*?)[.\s]*$")
_MONEY_WORDS = re.compile(r"\b(?:kr|kroner|nok|mva|betalt|betalte|paid|faktura|invoice)\b|,-", re.IGNORECASE)
MAX_PLACE_WORDS = 4
"""A place's name is a few words ("Mo i Rana", "Bø i Telemark"); more is a sentence."""


def postal_address(said: str) -> dict[str, str] | None:
    """A Norwegian postal address said in one line, as the ledger keeps it: "Strandgata 1,
    5003 Bergen" → street address, postcode, city; "5003 Bergen" has no street. None when
    there is no four-digit postcode followed by a place, or the words are about money ("jeg
    betalte 4010 kr for drivstoff" is no address in 4010 "kr for drivstoff")."""
    text = " ".join(str(said).split())
    found = _POSTAL.match(text)
    if found is None or _MONEY_WORDS.search(text) or len(found["city"].split()) > MAX_PLACE_WORDS:
        return None
    parts = {"postcode": found["postcode"], "city": found["city"].strip(" ,")}
    if found["street"]:
        parts["address"] = found["street"].strip(" ,")
    return parts


@dataclass(frozen=True)
class Parties:
    """The seller and the buyer of the invoice being made, and what each lacks.

    Attributes:
      company_id, customer_id: the company issuing it and its customer.
      seller, buyer: their names, for the questions.
      missing: the details the invoice cannot be issued without (see `missing_invoice_details`).
    """

    company_id: int
    customer_id: int
    seller: str
    buyer: str
    missing: MissingDetails


def parties_of(asker: Asker, customer: str | None) -> Parties | None:
    """The parties of an invoice to `customer` from the asker's company; None when the
    customer is not known."""
    if asker.company_id is None or not customer:
        return None
    with sessions().begin() as session:
        found = find_customer(session, asker.company_id, str(customer))
        if found is None:
            return None
        company = company_by_id(session, asker.company_id)
        missing = missing_invoice_details(company, found)
        return Parties(company.id, found.id, company.name, found.name, missing)


def slots_for(missing: MissingDetails) -> list[str]:
    """The questions to ask for what is missing, in order: the seller's address (street,
    postcode and city in one answer), organisation number and bank account, then the buyer's
    address and organisation number."""
    slots = []
    if set(missing.seller) & set(ADDRESS_PARTS):
        slots.append(SELLER_ADDRESS)
    if "orgnr" in missing.seller:
        slots.append(SELLER_ORGNR)
    if "bank_account" in missing.seller:
        slots.append(SELLER_BANK_ACCOUNT)
    if set(missing.buyer) & set(ADDRESS_PARTS):
        slots.append(BUYER_ADDRESS)
    if "orgnr" in missing.buyer:
        slots.append(BUYER_ORGNR)
    return slots


def details_to_ask(asker: Asker, customer: str | None) -> Parties | None:
    """The parties of the invoice when it lacks details the asker may set (owners and
    accountants keep the company's details); None when there is nothing to ask."""
    if not asker.known or not may(asker.role, Capability.KEEP_BOOKS):
        return None
    parties = parties_of(asker, customer)
    return parties if parties is not None and parties.missing else None


def _changes(slots: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The company's and the customer's details as the form's slots hold them."""
    seller: dict[str, str] = {}
    buyer: dict[str, str] = {}
    if isinstance(slots.get(SELLER_ADDRESS), dict):
        seller.update(slots[SELLER_ADDRESS])
    if slots.get(SELLER_ORGNR):
        seller["orgnr"] = str(slots[SELLER_ORGNR])
    if slots.get(SELLER_BANK_ACCOUNT):
        seller["bank_account"] = str(slots[SELLER_BANK_ACCOUNT])
    if isinstance(slots.get(BUYER_ADDRESS), dict):
        buyer.update(slots[BUYER_ADDRESS])
    if slots.get(BUYER_ORGNR):
        buyer["orgnr"] = str(slots[BUYER_ORGNR])
    return seller, buyer


def store_details(session: Session, parties: Parties, seller: dict[str, str], buyer: dict[str, str]) -> None:
    """Keeps the details given, with the checks the REST API's changes go through."""
    if seller:
        update_company(session, parties.company_id, **seller)
    if buyer:
        update_customer(session, parties.company_id, parties.customer_id, **buyer)


class ValidateInvoiceDetailsForm(FormValidator):
    """Asks for each detail the invoice lacks and checks each answer as the ledger would take
    it, changing nothing until all are given."""

    def name(self) -> str:
        return "validate_invoice_details_form"

    def needed(self, tracker: Tracker, asker: Asker) -> list[str]:
        parties = parties_of(asker, tracker.get_slot("invoice_customer"))
        return slots_for(parties.missing) if parties is not None else []

    def answers_question(self, tracker: Tracker) -> bool:
        """An address with a postcode and a place, or a number of an organisation number's or
        a bank account's length, answers the detail asked for: free text that the classifier
        would read as an expense ("Marinaveien 2, 4010 Stavanger") or a payment."""
        said = str((tracker.latest_message or {}).get("text") or "")
        asked = tracker.get_slot("requested_slot")
        if asked in (SELLER_ADDRESS, BUYER_ADDRESS):
            return postal_address(said) is not None
        return asked in DETAIL_SLOTS and _digits(said).isdigit() and len(_digits(said)) in (9, 11)

    def _checked(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        slot: str,
        value: Any,
        refused: Callable[[str, LedgerError], str],
    ) -> dict[str, Any]:
        """`{slot: value}` when the ledger would take the detail `value` (tried and rolled
        back), else `{slot: None}` after saying why, and the question comes again."""
        asker = asker_of(tracker)
        parties = parties_of(asker, tracker.get_slot("invoice_customer"))
        if parties is None:
            return {slot: None}
        seller, buyer = _changes({slot: value})
        try:
            dry_run(lambda session: store_details(session, parties, seller, buyer))
        except LedgerError as error:
            dispatcher.utter_message(text=refused(asker.language, error))
            return {slot: None}
        return {slot: value}

    def _address(
        self, slot: str, party: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        asker = asker_of(tracker)
        parties = parties_of(asker, tracker.get_slot("invoice_customer"))
        if parties is None:
            return {slot: None}
        lacks = parties.missing.seller if party == "seller" else parties.missing.buyer
        parts = postal_address(str(value))
        if parts is None or ("address" in lacks and "address" not in parts):
            name = parties.seller if party == "seller" else parties.buyer
            dispatcher.utter_message(text=render(asker.language, "invalid_address.j2", said=str(value), name=name))
            return {slot: None}
        return self._checked(dispatcher, tracker, slot, parts, refusal)

    def validate_detail_seller_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return self._address(SELLER_ADDRESS, "seller", value, dispatcher, tracker)

    def validate_detail_buyer_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return self._address(BUYER_ADDRESS, "buyer", value, dispatcher, tracker)

    def validate_detail_seller_orgnr(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return self._checked(dispatcher, tracker, SELLER_ORGNR, _digits(value), _refused_orgnr(value))

    def validate_detail_buyer_orgnr(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return self._checked(dispatcher, tracker, BUYER_ORGNR, _digits(value), _refused_orgnr(value))

    def validate_detail_seller_bank_account(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        said = str(value)
        return self._checked(
            dispatcher, tracker, SELLER_BANK_ACCOUNT, _digits(value),
            lambda language, error: render(language, "invalid_bank_account.j2", said=said),
        )


def _digits(value: Any) -> str:
    """An identifier as typed ("974 760 673", "1503.12.34567"): its digits, which is what
    the ledger's checks read; anything else is left for them to refuse."""
    text = str(value).strip()
    digits = re.sub(r"[\s.\-]", "", text)
    return digits if digits.isdigit() else text


def _refused_orgnr(value: Any) -> Callable[[str, LedgerError], str]:
    """What to say when an organisation number is refused: it fails its check, or another
    company or customer has it."""

    def say(language: str, error: LedgerError) -> str:
        if isinstance(error, InvalidOrgnr):
            return render(language, "invalid_orgnr.j2", said=str(value))
        if isinstance(error, DuplicateName):
            return render(language, "orgnr_taken.j2", said=str(value), name=error.details.get("name", ""))
        return refusal(language, error)

    return say


class AskInvoiceDetail(AskAction):
    """Asks for one detail of the seller or the buyer, naming whose."""

    def context(self, tracker: Tracker, asker: Asker) -> dict[str, Any]:
        parties = parties_of(asker, tracker.get_slot("invoice_customer"))
        if parties is None:
            return {"seller": "", "buyer": "", "street_known": False}
        lacks = parties.missing.buyer if self.slot == BUYER_ADDRESS else parties.missing.seller
        return {"seller": parties.seller, "buyer": parties.buyer, "street_known": "address" not in lacks}


class AskSellerAddress(AskInvoiceDetail):
    slot = SELLER_ADDRESS


class AskSellerOrgnr(AskInvoiceDetail):
    slot = SELLER_ORGNR


class AskSellerBankAccount(AskInvoiceDetail):
    slot = SELLER_BANK_ACCOUNT


class AskBuyerAddress(AskInvoiceDetail):
    slot = BUYER_ADDRESS


class AskBuyerOrgnr(AskInvoiceDetail):
    slot = BUYER_ORGNR


class ActionSaveInvoiceDetails(Action):
    """Keeps the details the form gathered (the details form's submit), in one transaction;
    the invoice's summary follows (a rule). Refused details leave everything as it was and
    forget the invoice, so no summary follows."""

    def name(self) -> str:
        return "action_save_invoice_details"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asker = asker_of(tracker)
        forget: list[EventType] = [SlotSet(slot, None) for slot in DETAIL_SLOTS]
        forget_invoice: list[EventType] = [SlotSet(slot, None) for slot in INVOICE_SLOTS]
        if refuse_asker(dispatcher, asker, Capability.KEEP_BOOKS):
            return forget + forget_invoice
        parties = parties_of(asker, tracker.get_slot("invoice_customer"))
        if parties is None:
            return forget + forget_invoice
        seller, buyer = _changes({slot: tracker.get_slot(slot) for slot in DETAIL_SLOTS})
        if not seller and not buyer:
            return forget
        try:
            with sessions().begin() as session:
                store_details(session, parties, seller, buyer)
        except LedgerError as error:
            dispatcher.utter_message(text=refusal(asker.language, error))
            return forget + forget_invoice
        dispatcher.utter_message(
            text=render(asker.language, "invoice_details_saved.j2", seller=parties.seller, buyer=parties.buyer,
                        seller_details=seller, buyer_details=buyer)
        )
        return forget
