"""Dates and periods, resolved against Wednesday 18 March 2026 (see conftest.TODAY)."""

from __future__ import annotations

from datetime import date

import pytest

from nlu.dates import find_dates_and_periods


def found(text: str, today: date) -> list[tuple[str, str, str]]:
    return [(f.kind, text[f.start:f.end], f.value) for f in find_dates_and_periods(text, today)]


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("i går", "i går", "2026-03-17"),
        ("igår", "igår", "2026-03-17"),
        ("i forgårs", "i forgårs", "2026-03-16"),
        ("i dag", "i dag", "2026-03-18"),
        ("idag", "idag", "2026-03-18"),
        ("i morgen", "i morgen", "2026-03-19"),
        ("forrige fredag", "forrige fredag", "2026-03-13"),
        ("sist mandag", "sist mandag", "2026-03-16"),
        ("på fredag", "fredag", "2026-03-13"),
        ("på onsdag", "onsdag", "2026-03-18"),
        ("forrige onsdag", "forrige onsdag", "2026-03-11"),
        ("neste fredag", "neste fredag", "2026-03-20"),
        ("fredag forrige uke", "fredag forrige uke", "2026-03-13"),
        ("mandag denne uka", "mandag denne uka", "2026-03-16"),
        ("3 dager siden", "3 dager siden", "2026-03-15"),
        ("for to dager siden", "for to dager siden", "2026-03-16"),
        ("3. mars", "3. mars", "2026-03-03"),
        ("3 mars", "3 mars", "2026-03-03"),
        ("den 3. mars", "3. mars", "2026-03-03"),
        ("3.mars", "3.mars", "2026-03-03"),
        ("20. desember", "20. desember", "2025-12-20"),
        ("3. mars 2025", "3. mars 2025", "2025-03-03"),
        ("3/3", "3/3", "2026-03-03"),
        ("14/2", "14/2", "2026-02-14"),
        ("03.03", "03.03", "2026-03-03"),
        ("3.3.2026", "3.3.2026", "2026-03-03"),
        ("03.03.26", "03.03.26", "2026-03-03"),
        ("2026-03-01", "2026-03-01", "2026-03-01"),
        ("den 15.", "den 15.", "2026-03-15"),
        ("den 20.", "den 20.", "2026-02-20"),
        ("yesterday", "yesterday", "2026-03-17"),
        ("today", "today", "2026-03-18"),
        ("tomorrow", "tomorrow", "2026-03-19"),
        ("the day before yesterday", "the day before yesterday", "2026-03-16"),
        ("last friday", "last friday", "2026-03-13"),
        ("Last Friday", "Last Friday", "2026-03-13"),
        ("on tuesday", "tuesday", "2026-03-17"),
        ("next monday", "next monday", "2026-03-23"),
        ("friday last week", "friday last week", "2026-03-13"),
        ("2 days ago", "2 days ago", "2026-03-16"),
        ("march 3rd", "march 3rd", "2026-03-03"),
        ("march 3", "march 3", "2026-03-03"),
        ("mar 3", "mar 3", "2026-03-03"),
        ("3rd of march", "3rd of march", "2026-03-03"),
        ("3 march 2025", "3 march 2025", "2025-03-03"),
        ("march 3, 2025", "march 3, 2025", "2025-03-03"),
        ("december 24th", "december 24th", "2025-12-24"),
        ("the 2nd", "the 2nd", "2026-03-02"),
    ],
)
def test_a_day_is_an_iso_date(text: str, span: str, value: str, today: date) -> None:
    assert found(text, today) == [("date", span, value)]


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("forrige måned", "forrige måned", "2026-02-01/2026-02-28"),
        ("sist måned", "sist måned", "2026-02-01/2026-02-28"),
        ("denne måneden", "denne måneden", "2026-03-01/2026-03-31"),
        ("neste måned", "neste måned", "2026-04-01/2026-04-30"),
        ("hittil i år", "hittil i år", "2026-01-01/2026-03-18"),
        ("så langt i år", "så langt i år", "2026-01-01/2026-03-18"),
        ("hittil denne måneden", "hittil denne måneden", "2026-03-01/2026-03-18"),
        ("i år", "i år", "2026-01-01/2026-12-31"),
        ("i fjor", "i fjor", "2025-01-01/2025-12-31"),
        ("forrige år", "forrige år", "2025-01-01/2025-12-31"),
        ("denne uka", "denne uka", "2026-03-16/2026-03-22"),
        ("denne uken", "denne uken", "2026-03-16/2026-03-22"),
        ("forrige uke", "forrige uke", "2026-03-09/2026-03-15"),
        ("uke 12", "uke 12", "2026-03-16/2026-03-22"),
        ("uke 1", "uke 1", "2025-12-29/2026-01-04"),
        ("uke 40", "uke 40", "2025-09-29/2025-10-05"),
        ("uke 12 2025", "uke 12 2025", "2025-03-17/2025-03-23"),
        ("3. kvartal", "3. kvartal", "2025-07-01/2025-09-30"),
        ("1. kvartal", "1. kvartal", "2026-01-01/2026-03-31"),
        ("tredje kvartal", "tredje kvartal", "2025-07-01/2025-09-30"),
        ("Q3", "Q3", "2025-07-01/2025-09-30"),
        ("q1 2025", "q1 2025", "2025-01-01/2025-03-31"),
        ("dette kvartalet", "dette kvartalet", "2026-01-01/2026-03-31"),
        ("forrige kvartal", "forrige kvartal", "2025-10-01/2025-12-31"),
        ("3. termin", "3. termin", "2025-05-01/2025-06-30"),
        ("1. termin", "1. termin", "2026-01-01/2026-02-28"),
        ("forrige termin", "forrige termin", "2026-01-01/2026-02-28"),
        ("denne terminen", "denne terminen", "2026-03-01/2026-04-30"),
        ("oktober", "oktober", "2025-10-01/2025-10-31"),
        ("i oktober", "oktober", "2025-10-01/2025-10-31"),
        ("mars", "mars", "2026-03-01/2026-03-31"),
        ("februar", "februar", "2026-02-01/2026-02-28"),
        ("april", "april", "2025-04-01/2025-04-30"),
        ("oktober 2024", "oktober 2024", "2024-10-01/2024-10-31"),
        ("2025", "2025", "2025-01-01/2025-12-31"),
        ("for 2025", "2025", "2025-01-01/2025-12-31"),
        ("første halvår", "første halvår", "2026-01-01/2026-06-30"),
        ("siste 30 dager", "siste 30 dager", "2026-02-17/2026-03-18"),
        ("fra 1. mars til 15. mars", "fra 1. mars til 15. mars", "2026-03-01/2026-03-15"),
        ("last month", "last month", "2026-02-01/2026-02-28"),
        ("this month", "this month", "2026-03-01/2026-03-31"),
        ("this year", "this year", "2026-01-01/2026-12-31"),
        ("last year", "last year", "2025-01-01/2025-12-31"),
        ("year to date", "year to date", "2026-01-01/2026-03-18"),
        ("so far this year", "so far this year", "2026-01-01/2026-03-18"),
        ("this week", "this week", "2026-03-16/2026-03-22"),
        ("last week", "last week", "2026-03-09/2026-03-15"),
        ("week 12", "week 12", "2026-03-16/2026-03-22"),
        ("third quarter", "third quarter", "2025-07-01/2025-09-30"),
        ("last quarter", "last quarter", "2025-10-01/2025-12-31"),
        ("in october", "october", "2025-10-01/2025-10-31"),
        ("in may", "may", "2025-05-01/2025-05-31"),
        ("january", "january", "2026-01-01/2026-01-31"),
        ("i jan", "jan", "2026-01-01/2026-01-31"),
        ("jul 2025", "jul 2025", "2025-07-01/2025-07-31"),
        ("januar og februar", "januar og februar", "2026-01-01/2026-02-28"),
        ("mva for jan/feb", "jan/feb", "2026-01-01/2026-02-28"),
        ("januar/februar", "januar/februar", "2026-01-01/2026-02-28"),
        ("the last 7 days", "the last 7 days", "2026-03-12/2026-03-18"),
        ("from march 1 to march 15", "from march 1 to march 15", "2026-03-01/2026-03-15"),
    ],
)
def test_a_span_of_days_is_an_iso_interval(text: str, span: str, value: str, today: date) -> None:
    assert found(text, today) == [("period", span, value)]


@pytest.mark.parametrize(
    ("today", "text", "value"),
    [
        (date(2026, 1, 10), "forrige måned", "2025-12-01/2025-12-31"),
        (date(2026, 1, 10), "last month", "2025-12-01/2025-12-31"),
        (date(2026, 10, 5), "oktober", "2026-10-01/2026-10-31"),
        (date(2026, 9, 30), "oktober", "2025-10-01/2025-10-31"),
        (date(2024, 3, 15), "forrige måned", "2024-02-01/2024-02-29"),
        (date(2026, 1, 2), "denne uka", "2025-12-29/2026-01-04"),
        (date(2026, 3, 22), "denne uka", "2026-03-16/2026-03-22"),
        (date(2026, 2, 10), "forrige termin", "2025-11-01/2025-12-31"),
        (date(2026, 1, 5), "forrige kvartal", "2025-10-01/2025-12-31"),
        (date(2026, 11, 29), "Q3", "2026-07-01/2026-09-30"),
    ],
)
def test_relative_periods_cross_year_ends(today: date, text: str, value: str) -> None:
    assert [f.value for f in find_dates_and_periods(text, today)] == [value]


@pytest.mark.parametrize(
    ("today", "text", "value"),
    [
        (date(2026, 3, 20), "forrige fredag", "2026-03-13"),  # a Friday: the one before
        (date(2026, 3, 20), "på fredag", "2026-03-20"),
        (date(2026, 3, 21), "last friday", "2026-03-20"),
        (date(2026, 1, 1), "i går", "2025-12-31"),
        (date(2026, 1, 15), "20. desember", "2025-12-20"),
    ],
)
def test_weekdays_and_days_around_today(today: date, text: str, value: str) -> None:
    assert [f.value for f in find_dates_and_periods(text, today)] == [value]


@pytest.mark.parametrize(
    "text",
    ["may i ask something", "send faktura 10023", "kr 1.234,-", "mandat", "fritt", "fakturer Jan Hansen",
     "lunsj i jul", "julebord", "dagens lunsj", "manuell", "fredagspils"],
)
def test_no_date_where_there_is_none(text: str, today: date) -> None:
    assert find_dates_and_periods(text, today) == []
