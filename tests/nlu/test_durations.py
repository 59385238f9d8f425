"""Hours as people type them: digits, words, minutes, both languages."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from nlu.durations import find_durations, format_hours


def hours_in(text: str) -> list[tuple[str, float]]:
    return [(text[d.start:d.end], format_hours(d.hours)) for d in find_durations(text)]


@pytest.mark.parametrize(
    ("text", "span", "hours"),
    [
        ("to og en halv time", "to og en halv time", 2.5),
        ("en halv time", "en halv time", 0.5),
        ("halvannen time", "halvannen time", 1.5),
        ("7,5 timer", "7,5 timer", 7.5),
        ("90 minutter", "90 minutter", 1.5),
        ("1t 30m", "1t 30m", 1.5),
        ("før 3 timer på nettside i går", "3 timer", 3.0),
        ("jobbet 8t i dag", "8t", 8.0),
        ("8 t", "8 t", 8.0),
        ("2,25 timer", "2,25 timer", 2.25),
        ("1 time og 30 minutter", "1 time og 30 minutter", 1.5),
        ("2 timer og 15 min", "2 timer og 15 min", 2.25),
        ("en time", "en time", 1.0),
        ("tre timer", "tre timer", 3.0),
        ("fem timer", "fem timer", 5.0),
        ("ti timer", "ti timer", 10.0),
        ("45 minutter", "45 minutter", 0.75),
        ("30 min", "30 min", 0.5),
        ("et kvarter", "et kvarter", 0.25),
        ("tre kvarter", "tre kvarter", 0.75),
        ("4 timer og en halv", "4 timer og en halv", 4.5),
        ("register 2.5 hours on support", "2.5 hours", 2.5),
        ("log 2.5h on support", "2.5h", 2.5),
        ("half an hour", "half an hour", 0.5),
        ("an hour", "an hour", 1.0),
        ("an hour and a half", "an hour and a half", 1.5),
        ("two and a half hours", "two and a half hours", 2.5),
        ("two hours", "two hours", 2.0),
        ("one hour", "one hour", 1.0),
        ("3 hrs", "3 hrs", 3.0),
        ("90 minutes", "90 minutes", 1.5),
        ("1h 45m", "1h 45m", 1.75),
        ("2 hours and 15 min", "2 hours and 15 min", 2.25),
        ("1h30m", "1h30m", 1.5),
        ("twelve hours", "twelve hours", 12.0),
        ("a quarter of an hour", "a quarter of an hour", 0.25),
        ("20 mins", "20 mins", 0.33),
    ],
)
def test_a_duration_is_read_as_hours(text: str, span: str, hours: float) -> None:
    assert hours_in(text) == [(span, hours)]


@pytest.mark.parametrize(
    "text",
    [
        "1200 kr timen",
        "950 per time",
        "fakturer fjord bygg 5000 kr",
        "vis timebanken",
        "log time on support",
        "send faktura 1005",
        "uke 12",
        "faktura 10 023",
    ],
)
def test_no_duration_where_there_is_none(text: str) -> None:
    assert hours_in(text) == []


def test_two_durations_in_one_message_are_both_found() -> None:
    assert hours_in("3 timer i går og 2,5 timer i dag") == [("3 timer", 3.0), ("2,5 timer", 2.5)]


@pytest.mark.parametrize(
    ("text", "span", "hours"),
    [
        ("fakturer Fjord Bygg for -3 timer", "-3 timer", -3.0),
        ("fakturer fjord bygg for minus 3 timer", "minus 3 timer", -3.0),
        ("minus tre timer", "minus tre timer", -3.0),
        ("før −2,5 t på support", "−2,5 t", -2.5),
        ("log -2 hours", "-2 hours", -2.0),
        ("-1t 30m", "-1t 30m", -1.5),
        ("-2 timer og en halv", "-2 timer og en halv", -2.5),
    ],
)
def test_a_minus_before_hours_is_kept_so_they_can_be_refused(text: str, span: str, hours: float) -> None:
    assert hours_in(text) == [(span, hours)]


@pytest.mark.parametrize(
    ("text", "span", "hours"),
    [
        ("10-12 timer", "12 timer", 12.0),
        ("uke 11 - 3 timer", "3 timer", 3.0),
        ("support-3 timer", "3 timer", 3.0),
    ],
)
def test_a_dash_between_words_or_numbers_is_no_minus(text: str, span: str, hours: float) -> None:
    assert hours_in(text) == [(span, hours)]


@pytest.mark.parametrize(
    ("text", "span", "hours"),
    [
        ("fakturer fjord bygg for 1,234 timer", "1,234 timer", 1.234),
        ("1.234 timer", "1.234 timer", 1.234),
        ("1.5 timer", "1.5 timer", 1.5),
        ("1,5t", "1,5t", 1.5),
        ("0,1 timer", "0,1 timer", 0.1),
        ("2,75 hours", "2,75 hours", 2.75),
    ],
)
def test_before_an_hour_unit_a_comma_or_point_is_a_decimal_mark(text: str, span: str, hours: float) -> None:
    assert hours_in(text) == [(span, hours)]


@pytest.mark.parametrize(
    ("text", "span", "hours"),
    [
        ("fakturer hansen 2 og en halv time til 950 kr timen", "2 og en halv time", 2.5),
        ("2 og en halv time", "2 og en halv time", 2.5),
        ("2 og ei halv time", "2 og ei halv time", 2.5),
        ("2 og en kvart time", "2 og en kvart time", 2.25),
        ("to og en kvart time", "to og en kvart time", 2.25),
        ("2 og tre kvart time", "2 og tre kvart time", 2.75),
        ("3 og et halvt kvarter", "3 og et halvt kvarter", 0.875),
        ("et halvt kvarter", "et halvt kvarter", 0.125),
        ("to kvarter", "to kvarter", 0.5),
        ("5 kvarter", "5 kvarter", 1.25),
        ("før en halvtime på support", "en halvtime", 0.5),
        ("to halvtimer", "to halvtimer", 1.0),
        ("two and a half hours", "two and a half hours", 2.5),
        ("2 and a half hours", "2 and a half hours", 2.5),
        ("2 and a quarter hours", "2 and a quarter hours", 2.25),
        ("two and three quarters hours", "two and three quarters hours", 2.75),
        ("log 4 and a half hrs on support", "4 and a half hrs", 4.5),
    ],
)
def test_a_whole_number_and_a_fraction_are_one_duration(text: str, span: str, hours: float) -> None:
    assert hours_in(text) == [(span, hours)]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("0,1 timer", "0.1"),
        ("0,3 timer", "0.3"),
        ("1,234 timer", "1.234"),
        ("20 min", "0.33"),
        ("1t 10m", "1.17"),
        ("2 og en kvart time", "2.25"),
        ("3 og et halvt kvarter", "0.875"),
        ("7,5 timer", "7.5"),
        ("8 timer", "8.0"),
    ],
)
def test_hours_are_json_numbers_without_float_artefacts(text: str, written: str) -> None:
    (duration,) = find_durations(text)
    assert json.dumps(format_hours(duration.hours)) == written


def test_hours_keep_up_to_four_decimals() -> None:
    assert format_hours(Decimal("1.23456")) == 1.2346
    assert format_hours(Decimal("0.30000000000000004")) == 0.3


@pytest.mark.parametrize(
    ("text", "span", "hours"),
    [
        ("4½ timer", "4½ timer", 4.5),
        ("1 ½ time", "1 ½ time", 1.5),
        ("½ time på support", "½ time", 0.5),
        ("2¾ t", "2¾ t", 2.75),
        ("1:30 t", "1:30 t", 1.5),
        ("8:30 timer i går", "8:30 timer", 8.5),
        ("1:45h support", "1:45h", 1.75),
        ("2 timer og et kvarter", "2 timer og et kvarter", 2.25),
        ("1 time og et kvarter", "1 time og et kvarter", 1.25),
        ("en time og ett kvarter", "en time og ett kvarter", 1.25),
        ("3 timer og tre kvarter", "3 timer og tre kvarter", 3.75),
        ("2 hours and a quarter", "2 hours and a quarter", 2.25),
        ("an hour and a quarter", "an hour and a quarter", 1.25),
    ],
)
def test_fraction_signs_clock_style_and_quarters_after_the_hours(text: str, span: str, hours: float) -> None:
    assert hours_in(text) == [(span, hours)]


def test_a_time_of_day_is_no_duration() -> None:
    assert hours_in("møte kl 10:30") == []
