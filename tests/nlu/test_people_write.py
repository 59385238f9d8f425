"""Messages as people write them: nynorsk hours and numbers, hours run together with their
unit, and nynorsk recognised as Norwegian (answered in bokmål)."""

from __future__ import annotations

from datetime import date

import pytest

from nlu.entities import extract_entities
from nlu.language import detect_language

TODAY = date(2026, 3, 18)


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("før fire timar på lageret", 4.0),
        ("før tre og ein halv time på kaia", 3.5),
        ("ein time på brygga", 1.0),
        ("registrer halvannan time på smia", 1.5),
        ("to timar og ein halv på naustet", 2.5),
        ("5t kontorbygg", 5.0),
        ("fakturer Havbris for fem timer", 5.0),
    ],
)
def test_hours_are_read_in_nynorsk_and_run_together_when_written_so(text: str, hours: float) -> None:
    found = [e for e in extract_entities(text, TODAY, intent="log_time") if e.entity == "hours"]
    assert [e.value for e in found] == [hours]


def test_an_amount_in_nynorsk_words_is_read_when_written_so() -> None:
    found = extract_entities("eitt hundre kroner for parkering", TODAY, intent="register_expense")
    assert [(e.entity, e.value) for e in found] == [("amount", "100")]


@pytest.mark.parametrize(
    "text",
    ["kor mykje har vi i banken", "kven har ikkje betalt", "kva skuldar kundane oss", "eg jobba to timar i går"],
)
def test_nynorsk_is_norwegian_when_written_so(text: str) -> None:
    assert detect_language(text) == "nb"
