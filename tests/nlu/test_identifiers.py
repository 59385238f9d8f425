"""Invoice numbers, organisation numbers and e-mail addresses."""

from __future__ import annotations

import pytest

from nlu.identifiers import find_identifiers


def ids_in(text: str) -> list[tuple[str, str, str]]:
    return [(i.entity, text[i.start:i.end], i.value) for i in find_identifiers(text)]


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("faktura nr. 10 023", "10 023", "10023"),
        ("faktura 10023", "10023", "10023"),
        ("faktura nr 1045", "1045", "1045"),
        ("fakturanr 2045", "2045", "2045"),
        ("fakturanummer: 3004", "3004", "3004"),
        ("krediter faktura #1203", "1203", "1203"),
        ("kreditnota for 1010", "1010", "1010"),
        ("send fakt 2201", "2201", "2201"),
        ("invoice 10023", "10023", "10023"),
        ("invoice no. 1045", "1045", "1045"),
        ("invoice number 990", "990", "990"),
        ("invoice #3056", "3056", "3056"),
        ("inv 2045", "2045", "2045"),
        ("send no 1234", "1234", "1234"),
        ("#10050", "10050", "10050"),
    ],
)
def test_an_invoice_number_is_its_digits(text: str, span: str, value: str) -> None:
    assert ids_in(text) == [("invoice_number", span, value)]


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("orgnr 923 609 016", "923 609 016", "923609016"),
        ("org.nr. 923609016", "923609016", "923609016"),
        ("org nr: 923 609 016", "923 609 016", "923609016"),
        ("organisasjonsnummer 914 778 271", "914 778 271", "914778271"),
        ("org number 998 877 665", "998 877 665", "998877665"),
        ("organization number 921000111", "921000111", "921000111"),
        ("ny kunde 987654321", "987654321", "987654321"),
        ("ny kunde 987 654 321", "987 654 321", "987654321"),
        ("orgnr 923.609.016", "923.609.016", "923609016"),
        ("org.nr. 923-609-016", "923-609-016", "923609016"),
    ],
)
def test_an_organisation_number_is_nine_digits(text: str, span: str, value: str) -> None:
    assert ids_in(text) == [("orgnr", span, value)]


@pytest.mark.parametrize(
    "address",
    ["post@fjordbygg.no", "ola.nordmann@berg-elektro.no", "faktura+ehf@firma.com", "Kari@Nordlys.NO"],
)
def test_an_email_address_is_kept_as_written(address: str) -> None:
    assert ids_in(f"send den til {address} takk") == [("email", address, address)]


@pytest.mark.parametrize(
    "text",
    ["faktura på 5000 kr", "fakturer 3 timer", "faktura 5000 kr", "ring 22 33 44 55", "uke 12"],
)
def test_no_identifier_where_there_is_none(text: str) -> None:
    assert ids_in(text) == []
