"""Vendor rules: a vendor's account and VAT code remembered per company under a normalised
name, found again in a bank line's text, changed and forgotten by the people who keep the
books, and never reaching another company."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledger.errors import InvalidInput, NotFound, UnknownAccount, UnknownVatCode
from ledger.vendor_rules import (
    change_vendor_rule,
    delete_vendor_rule,
    remember_vendor,
    rule_book,
    rule_for,
    vendor_in_bank_text,
    vendor_key,
    vendor_rules,
)
from tests.ledger.builders import sales_books


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Telenor Norge AS", "telenor norge"),
        ("TELENOR NORGE A/S", "telenor norge"),
        ("telenor norge", "telenor norge"),
        ("Elkjøp Nordic ASA", "elkjøp nordic"),
        ("Clas Ohlson AB.", "clas ohlson"),
        ("Uno-X Energi", "uno x energi"),
        ("As Bygg", "bygg"),
    ],
)
def test_vendor_names_are_known_without_case_punctuation_or_company_form(name: str, key: str) -> None:
    assert vendor_key(name) == key


@pytest.mark.parametrize(
    ("text", "vendor"),
    [
        ("VISA 4321 03.11 Telenor Norge AS", "Telenor Norge AS"),
        ("REMA 1000 GRUNERLOKKA", "REMA 1000 GRUNERLOKKA"),
        ("Faktura 123456 Circle K", "Circle K"),
        ("Avtalegiro Gjensidige Forsikring KID 12345678", "Gjensidige Forsikring"),
    ],
)
def test_a_bank_lines_text_names_its_vendor_without_card_words_and_references(text: str, vendor: str) -> None:
    assert vendor_in_bank_text(text) == vendor


def test_a_decision_is_remembered_and_found_again_in_other_spellings(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        rule = remember_vendor(
            s, sb.company_id, "Telenor Norge AS", "6900", "1", category="telefon", user_id=sb.owner_id
        )
        remember_vendor(s, sb.company_id, "Telenor", "6800", "1")
    with books.begin() as s:
        found = rule_for(s, sb.company_id, "TELENOR NORGE")
        assert found is not None and (found.id, found.account, found.vat_code) == (rule.id, "6900", "1")
        # the longest name that fits wins; a shorter one still names the vendor on its own
        book = rule_book(s, sb.company_id)
        assert book.find("Varekjøp TELENOR NORGE AS mobil") == found
        assert (book.find("Telenor butikken") or found).account == "6800"
        assert book.find("Telia Norge") is None


def test_deciding_a_vendor_again_replaces_the_rule(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        first = remember_vendor(s, sb.company_id, "Staples", "6800", "1", category="kontorrekvisita")
        same = remember_vendor(s, sb.company_id, "STAPLES AS", "6800", "1")
        other = remember_vendor(s, sb.company_id, "Staples", "6540", "1", category="inventar")
    assert same.id == first.id and same.times_used == 2 and same.category == "kontorrekvisita"
    assert other.id == first.id and (other.account, other.times_used, other.category) == ("6540", 1, "inventar")


def test_rules_are_refused_for_unknown_accounts_codes_and_nameless_vendors(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        with pytest.raises(UnknownAccount):
            remember_vendor(s, sb.company_id, "Telenor", "6999", "1")
        with pytest.raises(UnknownVatCode):
            remember_vendor(s, sb.company_id, "Telenor", "6900", "3")  # a sales code
        with pytest.raises(InvalidInput):
            remember_vendor(s, sb.company_id, " AS ", "6900", "1")
    with books.begin() as s:
        assert vendor_rules(s, sb.company_id) == []


def test_a_rule_is_changed_and_forgotten_only_in_its_own_company(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    other = sales_books(books, name="Annet AS")
    with books.begin() as s:
        rule = remember_vendor(s, sb.company_id, "Telenor", "6900", "1")
    with books.begin() as s:
        with pytest.raises(NotFound):
            change_vendor_rule(s, other.company_id, rule.id, account="6800")
        with pytest.raises(NotFound):
            delete_vendor_rule(s, other.company_id, rule.id)
        changed = change_vendor_rule(s, sb.company_id, rule.id, account="6800", vat_code="0", user_id=sb.owner_id)
        assert (changed.account, changed.vat_code) == ("6800", "0")
        with pytest.raises(UnknownVatCode):
            change_vendor_rule(s, sb.company_id, rule.id, vat_code="99")
    with books.begin() as s:
        delete_vendor_rule(s, sb.company_id, rule.id)
        assert vendor_rules(s, sb.company_id) == []
        assert rule_for(s, sb.company_id, "Telenor") is None
