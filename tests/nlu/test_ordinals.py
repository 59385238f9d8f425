"""Picking an option from a list by typing its place: "den andre", "nummer to", "the last one"."""

from __future__ import annotations

from datetime import date

import pytest

from nlu.entities import extract_entities
from nlu.ordinals import LAST, find_ordinals


@pytest.mark.parametrize(
    ("text", "span", "position"),
    [
        ("den første", "første", 1),
        ("første", "første", 1),
        ("den øverste", "øverste", 1),
        ("nummer to", "nummer to", 2),
        ("nr 2", "nr 2", 2),
        ("nr. 4", "nr. 4", 4),
        ("den andre", "andre", 2),
        ("tredje", "tredje", 3),
        ("det første alternativet", "første", 1),
        ("alternativ 3", "alternativ 3", 3),
        ("den 3.", "3.", 3),
        ("the first", "first", 1),
        ("the second one", "second", 2),
        ("the 3rd one", "3rd", 3),
        ("option 2", "option 2", 2),
        ("#2", "#2", 2),
        ("den siste", "siste", LAST),
        ("den nederste", "nederste", LAST),
        ("the last one", "last", LAST),
    ],
)
def test_a_place_in_the_list_is_counted_from_one_or_from_the_end(text: str, span: str, position: int) -> None:
    assert [(text[o.start:o.end], o.position) for o in find_ordinals(text)] == [(span, position)]


@pytest.mark.parametrize(
    "text", ["Fjord Bygg AS", "to", "2", "1.5", "hei", "nummer 12", "vis faktura 10002", "det 11. alternativet"]
)
def test_no_place_where_there_is_none(text: str) -> None:
    assert find_ordinals(text) == []


def test_a_place_is_read_only_when_the_person_picks_from_a_list(today: date) -> None:
    picked = extract_entities("den første", today, "choose")
    assert [(e.entity, e.text, e.value) for e in picked] == [("ordinal", "første", 1)]
    assert [e.entity for e in extract_entities("nr 2", today, "choose")] == ["ordinal"]
    assert [e.entity for e in extract_entities("nr 2", today, "show_invoice")] == ["invoice_number"]
    assert [e.entity for e in extract_entities("før 3 timer den første", today, "log_time")] == ["hours"]
