"""Days and spans as the NLU hands them over, and as replies name them."""

from __future__ import annotations

import datetime as dt

from actions.periods import parse_day, parse_period, period_label

D = dt.date


def test_periods_are_read_from_iso_intervals_and_days() -> None:
    assert parse_period("2026-01-01/2026-11-29") == (D(2026, 1, 1), D(2026, 11, 29))
    assert parse_period("2026-03-03") == (D(2026, 3, 3), D(2026, 3, 3))
    assert parse_period("2026-12-01/2026-11-01") is None
    assert parse_period("oktober") is None
    assert parse_period(None) is None
    assert parse_day("2026-11-28") == D(2026, 11, 28)
    assert parse_day("i går") is None


def test_spans_are_named_the_short_way_in_both_languages() -> None:
    assert period_label(D(2026, 11, 1), D(2026, 11, 30), "nb") == "november 2026"
    assert period_label(D(2026, 11, 1), D(2026, 11, 30), "en") == "November 2026"
    assert period_label(D(2026, 1, 1), D(2026, 12, 31), "nb") == "2026"
    assert period_label(D(2026, 9, 1), D(2026, 10, 31), "nb") == "september–oktober 2026"
    assert period_label(D(2026, 1, 1), D(2026, 11, 29), "nb") == "1. jan.–29. nov. 2026"
    assert period_label(D(2026, 1, 1), D(2026, 11, 29), "en") == "1 Jan – 29 Nov 2026"
