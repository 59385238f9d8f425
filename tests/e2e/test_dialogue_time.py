"""Hours through the chat, end to end: logging with everything said, asking for what is
missing, cancelling, staff logging and seeing their own hours; read back through the REST API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger import clock
from ledger.formatting import format_date, format_number
from tests.e2e.conftest import RunningStack
from tests.e2e.turns import api, fresh, turn


def me(stack: RunningStack, token: str | None = None) -> dict[str, Any]:
    response = stack.get("/api/v1/me", token=token)
    assert response.status_code == 200
    return dict(response.json())


def user_id(stack: RunningStack, token: str | None = None) -> int:
    return int(me(stack, token)["id"])


def project_id(stack: RunningStack, name: str) -> int:
    projects = api(stack, "projects")["projects"]
    return int(next(p["id"] for p in projects if p["name"] == name))


def hours_today(stack: RunningStack, project: str, token: str | None = None) -> Decimal:
    today = clock.today().isoformat()
    entries = api(stack, "time-entries", token=token, **{"from": today, "to": today})["time_entries"]
    return sum((Decimal(e["hours"]) for e in entries if e["project_id"] == project_id(stack, project)), Decimal(0))


def test_hours_said_at_once_are_confirmed_then_saved_and_shown(stack: RunningStack) -> None:
    fresh(stack)
    today = clock.today()
    before = hours_today(stack, "Kassesystem")
    summary = turn(stack, "før 2 timer på kassesystem i dag")
    assert summary.texts[-1] == f"Føre 2 timer på Kassesystem (Bergen Bakeri AS) i dag, {format_date(today, 'nb')}?"
    assert summary.payloads == ["/affirm", "/deny"]
    assert hours_today(stack, "Kassesystem") == before

    saved = turn(stack, "ja")
    assert saved.text.startswith("2 timer ført på Kassesystem i dag.")
    assert hours_today(stack, "Kassesystem") == before + 2

    shown = turn(stack, "hvor mange timer har vi ført denne uka?")
    monday = today.toordinal() - today.weekday()
    entries = api(stack, "time-entries", **{"from": today.fromordinal(monday).isoformat(),
                                            "to": today.isoformat()})["time_entries"]
    total = sum((Decimal(e["hours"]) for e in entries), Decimal(0))
    assert shown.text.startswith(f"Alle har ført {format_number(total, 'nb')} timer (")


def test_missing_hours_are_asked_for_in_english(stack: RunningStack) -> None:
    fresh(stack)
    before = hours_today(stack, "Support")
    asked = turn(stack, "log time on Support")
    assert asked.texts[-1] == "How many hours?"
    summary = turn(stack, "1.5")
    assert summary.texts[-1].startswith("Log 1.5 hours on Support (Hansen Rør AS) today, ")
    assert turn(stack, "yes").text.startswith("1.5 hours logged on Support today.")
    assert hours_today(stack, "Support") == before + Decimal("1.5")


def test_negative_hours_are_refused_and_cancel_leaves_the_question(stack: RunningStack) -> None:
    fresh(stack)
    before = hours_today(stack, "Support")
    assert turn(stack, "før timer på support").texts[-1] == "Hvor mange timer?"
    refused = turn(stack, "-3 timer")
    assert refused.texts[0] == "Timer kan ikke være negative."
    assert refused.texts[-1] == "Hvor mange timer?"
    assert turn(stack, "avbryt").text == "Avbrutt. Ingenting er ført."
    assert turn(stack, "3").texts != ["Hvor mange timer?"]
    assert hours_today(stack, "Support") == before


def test_staff_log_and_see_their_own_hours_only(stack: RunningStack) -> None:
    staff = stack.staff_token
    fresh(stack, staff)
    before = hours_today(stack, "Kassesystem", staff)
    summary = turn(stack, "log 3 hours on Kassesystem today", staff)
    assert summary.texts[-1].startswith("Log 3 hours on Kassesystem (Bergen Bakeri AS) today, ")
    assert turn(stack, "yes", staff).text.startswith("3 hours logged on Kassesystem today.")
    assert hours_today(stack, "Kassesystem", staff) == before + 3

    shown = turn(stack, "show my hours this month", staff)
    today = clock.today()
    entries = api(stack, "time-entries", token=staff, **{"from": today.replace(day=1).isoformat(),
                                                         "to": today.isoformat()})["time_entries"]
    mine = sum((Decimal(e["hours"]) for e in entries), Decimal(0))
    assert {e["user_id"] for e in entries} == {user_id(stack, staff)}
    assert shown.text.startswith(f"You have logged {format_number(mine, 'en')} hours (")
    assert "Everyone" not in shown.text and "Not invoiced" not in shown.text
