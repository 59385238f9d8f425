"""Amounts and hourly rates in kroner, with Norwegian and English separators."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlu.money import find_money
from nlu.numbers import find_numbers, format_decimal, parse_digits


def money_in(text: str) -> list[tuple[str, str, str]]:
    return [
        (text[m.start:m.end], "rate" if m.per_hour else "amount", format_decimal(m.value))
        for m in find_money(text)
    ]


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("kr 1.234,-", "kr 1.234,-", "1234"),
        ("1 234,50 kr", "1 234,50 kr", "1234.50"),
        ("kr 450,-", "kr 450,-", "450"),
        ("2 millioner", "2 millioner", "2000000"),
        ("fem hundre kroner", "fem hundre kroner", "500"),
        ("450 kr", "450 kr", "450"),
        ("450kr", "450kr", "450"),
        ("450,-", "450,-", "450"),
        ("kr. 99", "kr. 99", "99"),
        ("NOK 2000", "NOK 2000", "2000"),
        ("2000 nok", "2000 nok", "2000"),
        ("12 500 kroner", "12 500 kroner", "12500"),
        ("1.5 mill", "1.5 mill", "1500000"),
        ("2,5 millioner", "2,5 millioner", "2500000"),
        ("10k", "10k", "10000"),
        ("3 tusen kroner", "3 tusen kroner", "3000"),
        ("to tusen kroner", "to tusen kroner", "2000"),
        ("1,234.50 nok", "1,234.50 nok", "1234.50"),
        ("kr 1 234,5", "kr 1 234,5", "1234.50"),
        ("19,90 kr", "19,90 kr", "19.90"),
        ("twenty thousand kroner", "twenty thousand kroner", "20000"),
        ("a hundred kroner", "a hundred kroner", "100"),
        ("kr 12.500,00", "kr 12.500,00", "12500"),
    ],
)
def test_an_amount_is_a_decimal_string_without_grouping(text: str, span: str, value: str) -> None:
    assert money_in(text) == [(span, "amount", value)]


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("1200 kr timen", "1200 kr timen", "1200"),
        ("1 200 per time", "1 200 per time", "1200"),
        ("rate 950", "rate 950", "950"),
        ("timepris 1100", "timepris 1100", "1100"),
        ("timepris på 1 100 kr", "timepris på 1 100 kr", "1100"),
        ("timesats: 850", "timesats: 850", "850"),
        ("950 kr/t", "950 kr/t", "950"),
        ("950/t", "950/t", "950"),
        ("950,- pr time", "950,- pr time", "950"),
        ("1300 kr i timen", "1300 kr i timen", "1300"),
        ("1100 an hour", "1100 an hour", "1100"),
        ("1100 kr an hour", "1100 kr an hour", "1100"),
        ("1100 per hour", "1100 per hour", "1100"),
        ("1100/h", "1100/h", "1100"),
        ("hourly rate 900", "hourly rate 900", "900"),
        ("hourly rate of 1 250", "hourly rate of 1 250", "1250"),
        ("with a rate of 800", "rate of 800", "800"),
    ],
)
def test_money_per_hour_is_a_rate(text: str, span: str, value: str) -> None:
    assert money_in(text) == [(span, "rate", value)]


def test_hours_at_a_price_are_hours_and_a_rate() -> None:
    assert money_in("fakturer 3 timer à 950") == [("à 950", "rate", "950")]
    assert money_in("10 t a 1100") == [("a 1100", "rate", "1100")]
    assert money_in("5 hours @ 900") == [("@ 900", "rate", "900")]


@pytest.mark.parametrize("text", ["betalt 5000", "faktura 10023", "uke 12", "fem", "7,5 timer"])
def test_a_number_without_currency_is_not_money_here(text: str) -> None:
    assert money_in(text) == []


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1234", "1234"),
        ("1 234", "1234"),
        ("1.234", "1234"),
        ("1,234", "1234"),
        ("1 234 567", "1234567"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("7,5", "7.5"),
        ("7.5", "7.5"),
        ("0,25", "0.25"),
        ("450,-", "450"),
        ("10 023", "10023"),
    ],
)
def test_digits_with_norwegian_or_english_separators(written: str, value: str) -> None:
    assert parse_digits(written) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("to og en halv", "2.5"),
        ("halvannen", "1.5"),
        ("en halv", "0.5"),
        ("fem hundre", "500"),
        ("femhundre", "500"),
        ("to tusen fem hundre", "2500"),
        ("hundre og femti", "150"),
        ("tjuefem", "25"),
        ("femogtjue", "25"),
        ("twenty-five", "25"),
        ("two and a half", "2.5"),
        ("three thousand two hundred and fifty", "3250"),
        ("tolv", "12"),
    ],
)
def test_number_words(text: str, value: str) -> None:
    numbers = find_numbers(text)
    assert len(numbers) == 1
    assert (numbers[0].start, numbers[0].end) == (0, len(text))
    assert numbers[0].value == Decimal(value)


@pytest.mark.parametrize(
    ("value", "written"),
    [("1234", "1234"), ("1234.5", "1234.50"), ("1234.50", "1234.50"), ("0.1", "0.10"),
     ("2000000.0", "2000000"), ("12500.00", "12500")],
)
def test_money_is_written_with_two_decimals_or_none(value: str, written: str) -> None:
    assert format_decimal(Decimal(value)) == written


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("-500 kr", "-500 kr", "-500"),
        ("minus 450 kroner", "minus 450 kroner", "-450"),
        ("kr -1 234,50", "kr -1 234,50", "-1234.50"),
        ("500-600 kr", "600 kr", "600"),
        ("rema 1000 - 450 kr", "450 kr", "450"),
    ],
)
def test_a_minus_before_money_is_kept_and_a_dash_is_not_a_minus(text: str, span: str, value: str) -> None:
    assert money_in(text) == [(span, "amount", value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,5 kr", "1234.50"),
        ("1,234 kr", "1234"),
        ("kr 1.234", "1234"),
        ("2 og en halv million", "2500000"),
    ],
)
def test_before_a_currency_one_separator_before_three_digits_groups_thousands(text: str, value: str) -> None:
    assert [v for _, _, v in money_in(text)] == [value]


@pytest.mark.parametrize(
    ("text", "value", "decimal_value"),
    [
        ("1,234", "1234", "1.234"),
        ("1.234", "1234", "1.234"),
        ("1 234", "1234", None),
        ("12,5", "12.5", None),
        ("1234", "1234", None),
        ("-1,234", "-1234", "-1.234"),
    ],
)
def test_a_number_knows_its_decimal_reading(text: str, value: str, decimal_value: str | None) -> None:
    (number,) = find_numbers(text)
    assert number.value == Decimal(value)
    assert number.decimal_value == (Decimal(decimal_value) if decimal_value else None)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2 og en halv", "2.5"),
        ("2 and a half", "2.5"),
        ("2 og en kvart", "2.25"),
        ("to og en kvart", "2.25"),
        ("3 og et halvt", "3.5"),
        ("two and a quarter", "2.25"),
        ("minus tre", "-3"),
        ("-3", "-3"),
    ],
)
def test_a_whole_number_and_a_fraction_or_a_sign_are_one_number(text: str, value: str) -> None:
    numbers = find_numbers(text)
    assert [(n.start, n.end, n.value) for n in numbers] == [(0, len(text), Decimal(value))]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("bought printer ink for 349 kr at elkjøp", "349 kr"),
        ("450 kr i tirsdags", "450 kr"),
        ("1200 kr at Circle K", "1200 kr"),
    ],
)
def test_at_or_i_after_money_is_no_rate(text: str, span: str) -> None:
    assert [(s, kind) for s, kind, _ in money_in(text)] == [(span, "amount")]
