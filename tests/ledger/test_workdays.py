"""The Norwegian working calendar that deadlines move by."""

from __future__ import annotations

import datetime as dt

from ledger.workdays import is_working_day, next_working_day, public_holidays, working_days


def test_public_holidays_of_2026() -> None:
    days = public_holidays(2026)
    assert {dt.date(2026, 5, 17), dt.date(2026, 4, 3), dt.date(2026, 12, 26), dt.date(2026, 5, 25)} <= days
    assert dt.date(2026, 12, 24) not in days  # Christmas Eve is a working day by law


def test_next_working_day_skips_weekends_and_holidays() -> None:
    assert next_working_day(dt.date(2026, 10, 10)) == dt.date(2026, 10, 12)  # Saturday
    assert next_working_day(dt.date(2026, 4, 2)) == dt.date(2026, 4, 7)  # Maundy Thursday to Tuesday
    assert next_working_day(dt.date(2026, 10, 9)) == dt.date(2026, 10, 9)  # a Friday stays
    assert not is_working_day(dt.date(2026, 5, 1))


def test_working_days_in_a_span() -> None:
    assert working_days(dt.date(2026, 12, 21), dt.date(2026, 12, 31)) == 8  # the 25th is a holiday, the 26th a Saturday
