"""Spoken numbers become digits in a transcript, in both languages, and articles stay words."""

from __future__ import annotations

import pytest

from channels.voice.numbers import digits_for_numbers


@pytest.mark.parametrize(
    ("said", "language", "written"),
    [
        ("fakturer fjord bygg for fem timer", "nb", "fakturer fjord bygg for 5 timer"),
        ("jeg betalte fire hundre og femti kroner", "nb", "jeg betalte 450 kroner"),
        ("før to og en halv time på nettside", "nb", "før 2,5 time på nettside"),
        ("sju komma fem timer", "nb", "7,5 timer"),
        ("ett tusen to hundre og femti kroner", "nb", "1250 kroner"),
        ("tolv hundre kroner", "nb", "1200 kroner"),
        ("tjue en timer", "nb", "21 timer"),
        ("tyve fem kroner", "nb", "25 kroner"),
        ("tusen fem hundre kroner", "nb", "1500 kroner"),
        ("halvannen time", "nb", "1,5 time"),
        ("registrer en utgift", "nb", "registrer en utgift"),
        ("log seven point five hours", "en", "log 7.5 hours"),
        ("i paid one thousand two hundred fifty kroner", "en", "i paid 1250 kroner"),
        ("two and a half hours", "en", "2.5 hours"),
        ("a hundred kroner", "en", "100 kroner"),
        ("register an expense of a lunch", "en", "register an expense of a lunch"),
    ],
)
def test_spoken_numbers_are_written_as_digits(said: str, language: str, written: str) -> None:
    assert digits_for_numbers(said, language) == written
