"""All rule-based entities of a message together: overlaps, bare numbers, names."""

from __future__ import annotations

from datetime import date

import pytest

from nlu.entities import (
    attach_numbers_to_names,
    extend_names,
    extract_entities,
    join_split_projects,
    merge_adjacent,
    trim_name,
)


def entities(text: str, today: date, intent: str | None = None,
             protected: list[tuple[int, int]] | None = None) -> list[tuple[str, str, object]]:
    return [(e.entity, e.text, e.value) for e in extract_entities(text, today, intent, protected)]


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("fakturer Fjord Bygg for 5 timer", "create_invoice", [("hours", "5 timer", 5.0)]),
        ("før 3 timer på nettsideprosjektet i går", "log_time",
         [("hours", "3 timer", 3.0), ("date", "i går", "2026-03-17")]),
        ("jobbet 7.5 timer 3.3", "log_time",
         [("hours", "7.5 timer", 7.5), ("date", "3.3", "2026-03-03")]),
        ("faktura nr. 10 023 er betalt med 1 234,50 kr", "register_payment",
         [("invoice_number", "10 023", "10023"), ("amount", "1 234,50 kr", "1234.50")]),
        ("fakturer 3 timer à 950", "create_invoice", [("hours", "3 timer", 3.0), ("rate", "à 950", "950")]),
        ("nytt prosjekt hyttebygg 1200 kr timen", "create_project", [("rate", "1200 kr timen", "1200")]),
        ("orgnr 923 609 016 epost post@fjordbygg.no", "create_customer",
         [("orgnr", "923 609 016", "923609016"), ("email", "post@fjordbygg.no", "post@fjordbygg.no")]),
        ("resultat for Q3", "show_profit", [("period", "Q3", "2025-07-01/2025-09-30")]),
        ("invoice nordlys 5 hours at 1100 per hour", "create_invoice",
         [("hours", "5 hours", 5.0), ("rate", "1100 per hour", "1100")]),
        ("log 2 hours on support yesterday", "log_time",
         [("hours", "2 hours", 2.0), ("date", "yesterday", "2026-03-17")]),
    ],
)
def test_entities_of_whole_messages(text: str, intent: str, expected: list[object], today: date) -> None:
    assert entities(text, today, intent) == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("betalt 5000 fra hansen", "register_payment", [("amount", "5000", "5000")]),
        ("før 3 på nettside", "log_time", [("hours", "3", 3.0)]),
        ("send 10023", "send_invoice", [("invoice_number", "10023", "10023")]),
        ("vis 10 023", "show_invoice", [("invoice_number", "10 023", "10023")]),
        ("fakturer fjord bygg 15000", "create_invoice", [("amount", "15000", "15000")]),
        ("fakturer fjord bygg 5", "create_invoice", [("hours", "5", 5.0)]),
        ("nytt prosjekt nettside 950", "create_project", [("rate", "950", "950")]),
        ("vi fikk 8 750 fra berg", "register_payment", [("amount", "8 750", "8750")]),
        ("betalt 2025", "register_payment", [("amount", "2025", "2025")]),
        ("hva er saldoen 5", "check_balance", []),
        ("ring 22334455", "register_payment", []),
        ("25% rabatt", "create_invoice", []),
    ],
)
def test_a_number_without_a_unit_is_read_by_the_intent(
    text: str, intent: str, expected: list[object], today: date
) -> None:
    assert entities(text, today, intent) == expected


def test_a_number_inside_a_name_is_part_of_the_name(today: date) -> None:
    text = "lunsj på rema 1000 450 kr"
    start = text.index("rema 1000")
    assert entities(text, today, "register_expense", [(start, start + 9)]) == [("amount", "450 kr", "450")]


def test_a_number_with_a_unit_wins_over_a_name(today: date) -> None:
    text = "fakturer hansen 5 timer"
    assert entities(text, today, "create_invoice", [(9, 23)]) == [("hours", "5 timer", 5.0)]


@pytest.mark.parametrize(
    ("text", "name", "taken", "kept"),
    [
        ("nettside i går", (0, 14), [(9, 14)], "nettside"),
        ("for fjord bygg 5 timer", (0, 22), [(15, 22)], "fjord bygg"),
        ("i går", (0, 5), [(0, 5)], None),
        ("support", (0, 7), [], "support"),
    ],
)
def test_names_are_cut_back_from_rule_based_entities(
    text: str, name: tuple[int, int], taken: list[tuple[int, int]], kept: str | None
) -> None:
    span = trim_name(text, name[0], name[1], taken)
    assert (text[span[0]:span[1]] if span else None) == kept


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ha det bra, snakkes i morgen", "goodbye"),
        ("tusen takk", "thank"),
        ("hva blir været i morgen", "out_of_scope"),
        ("see you next week", "goodbye"),
    ],
)
def test_small_talk_carries_no_entities(text: str, intent: str, today: date) -> None:
    assert entities(text, today, intent) == []


def test_a_scale_word_alone_is_not_money(today: date) -> None:
    assert entities("tusen takk", today, None) == []
    assert entities("to tusen kroner", today, None) == [("amount", "to tusen kroner", "2000")]


def test_touching_names_of_one_kind_become_one_name() -> None:
    text = "nytt prosjekt Lager Alnabru for Berg"
    names = [("project", 14, 19), ("project", 20, 27), ("customer", 32, 36)]
    assert merge_adjacent(text, names) == [("project", 14, 27), ("customer", 32, 36)]


def test_names_apart_or_of_different_kinds_stay_apart() -> None:
    text = "support for berg"
    assert merge_adjacent(text, [("project", 0, 7), ("customer", 12, 16)]) == [
        ("project", 0, 7), ("customer", 12, 16)
    ]


def test_a_bare_number_after_a_shop_belongs_to_the_shop_when_the_amount_is_elsewhere(today: date) -> None:
    text = "kvittering fra Apotek 1 89 kr"
    names = [{"entity": "vendor", "start": 15, "end": 21, "value": "Apotek"}]
    ours = extract_entities(text, today, "register_expense", [(15, 21)])
    kept, joined = attach_numbers_to_names(text, ours, names)
    assert [(e.entity, e.text) for e in kept] == [("amount", "89 kr")]
    assert joined[0]["value"] == "Apotek 1"


def test_a_bare_number_after_a_customer_is_the_amount_when_it_is_the_only_one(today: date) -> None:
    text = "betalt fjord bygg 5000"
    names = [{"entity": "customer", "start": 7, "end": 17, "value": "fjord bygg"}]
    ours = extract_entities(text, today, "register_payment", [(7, 17)])
    kept, joined = attach_numbers_to_names(text, ours, names)
    assert [(e.entity, e.value) for e in kept] == [("amount", "5000")]
    assert joined == names


STOP = frozenset({"fakturer", "på", "for", "i", "bill", "on", "take", "as", "hvor"})


@pytest.mark.parametrize(
    ("text", "names", "taken", "expected"),
    [
        ("fakturer tveit rørlegger 5 timer", [("customer", 15, 24)], [(25, 32)], ["tveit rørlegger"]),
        ("bill sæther media", [("customer", 12, 17)], [], ["sæther media"]),
        ("fakturer rørlegger", [("customer", 9, 18)], [], ["rørlegger"]),
        ("før 3 timer på garasje nesodden", [("project", 15, 22)], [(4, 11)], ["garasje nesodden"]),
        ("før 3 timer på lager alnabru forrige fredag", [("project", 15, 20)], [(4, 11), (29, 43)],
         ["lager alnabru"]),
        ("log 3 hours on website for berg", [("project", 15, 22), ("customer", 27, 31)], [(4, 11)],
         ["website", "berg"]),
        ("how many hours did logo take", [("project", 19, 23)], [], ["logo"]),
        ("hyttebygg hemsedal i går", [("project", 0, 18)], [(19, 24)], ["hyttebygg hemsedal"]),
        ("bought printer ink for 349 kr", [("expense_category", 7, 14)], [(23, 29)], ["printer ink"]),
        ("parkering på aker brygge", [("expense_category", 0, 9)], [], ["parkering"]),
        ("bensin i går", [("expense_category", 0, 6)], [(7, 12)], ["bensin"]),
    ],
)
def test_names_cut_short_get_their_missing_word(
    text: str, names: list[tuple[str, int, int]], taken: list[tuple[int, int]], expected: list[str]
) -> None:
    assert [text[s:e] for _, s, e in extend_names(text, names, taken, STOP)] == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("fakturer Fjord Bygg for -3 timer", "create_invoice", [("hours", "-3 timer", -3.0)]),
        ("fakturer fjord bygg for minus 3 timer", "create_invoice", [("hours", "minus 3 timer", -3.0)]),
        ("-3", "log_time", [("hours", "-3", -3.0)]),
        ("fakturer fjord bygg for 1,234 timer", "create_invoice", [("hours", "1,234 timer", 1.234)]),
        ("fakturer fjord bygg 1,234", "create_invoice", [("amount", "1,234", "1234")]),
        ("betalte 1.234,5 kr for papir", "register_expense", [("amount", "1.234,5 kr", "1234.50")]),
        ("fakturer hansen 2 og en halv time til 950 kr timen", "create_invoice",
         [("hours", "2 og en halv time", 2.5), ("rate", "950 kr timen", "950")]),
        ("invoice hansen 2 and a half hours", "create_invoice", [("hours", "2 and a half hours", 2.5)]),
        ("send faktura -10023", "send_invoice", []),
    ],
)
def test_signs_decimal_marks_and_fractions_in_whole_messages(
    text: str, intent: str, expected: list[object], today: date
) -> None:
    assert entities(text, today, intent) == expected


def test_a_time_of_day_is_not_read_as_hours(today: date) -> None:
    assert entities("møte 10:15 i dag 2 timer", today, "log_time") == [
        ("date", "i dag", "2026-03-18"), ("hours", "2 timer", 2.0)
    ]


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("spent 8h on garasje nesodden on tuesday", [("project", 12, 19), ("customer", 20, 28)],
         [("project", 12, 28)]),
        ("før 3 timer på garasje for hansen", [("project", 15, 22), ("customer", 27, 33)],
         [("project", 15, 22), ("customer", 27, 33)]),
        ("fakturer hansen nettside", [("customer", 9, 15), ("project", 16, 24)],
         [("customer", 9, 15), ("project", 16, 24)]),
        ("log 2h on support fjord bygg", [("project", 10, 17), ("customer", 18, 28)],
         [("project", 10, 17), ("customer", 18, 28)]),
    ],
)
def test_a_place_tagged_as_a_customer_right_after_a_project_is_part_of_it(
    text: str, names: list[tuple[str, int, int]], expected: list[tuple[str, int, int]]
) -> None:
    assert join_split_projects(text, names) == expected


def test_a_number_without_a_unit_is_left_alone_when_the_intent_is_unsure(today: date) -> None:
    assert entities("betalt 5000 fra hansen", today, "register_payment") == [("amount", "5000", "5000")]
    assert extract_entities("betalt 5000 fra hansen", today, "register_payment", sure=False) == []
    assert [(e.entity, e.value) for e in extract_entities("betalt 5000 kr", today, "register_payment",
                                                            sure=False)] == [("amount", "5000")]


def test_a_credit_or_refund_names_its_invoice_and_a_line_is_no_invoice(today: date) -> None:
    assert entities("krediter linje 2 på faktura 10004", today, "credit_invoice") == [
        ("invoice_number", "10004", "10004")]
    assert entities("krediter 2 timer av faktura 10004", today, "credit_invoice") == [
        ("hours", "2 timer", 2.0), ("invoice_number", "10004", "10004")]
    assert entities("refunder 500 kr av faktura 10004", today, "refund_payment") == [
        ("amount", "500 kr", "500"), ("invoice_number", "10004", "10004")]
    assert entities("refund 500 kr to Fjord Bygg", today, "refund_payment") == [("amount", "500 kr", "500")]
