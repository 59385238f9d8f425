"""Reports through the chat, end to end: the figures in the answers are the REST API's, the
result comes with a chart the gateway serves, and staff are refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import requests

from ledger import clock
from ledger.formatting import format_date, format_money
from ledger.vat import term_of
from tests.e2e.conftest import RunningStack
from tests.e2e.turns import api, fresh, turn


def profit_so_far(stack: RunningStack) -> dict[str, str]:
    today = clock.today()
    return dict(api(stack, "reports/profit-and-loss", **{"from": dt.date(today.year, 1, 1).isoformat(),
                                                         "to": today.isoformat()}))


def test_the_result_so_far_this_year_is_the_rest_reports_with_a_chart(stack: RunningStack) -> None:
    fresh(stack)
    reply = turn(stack, "vis resultatet hittil i år")
    report = profit_so_far(stack)
    result = Decimal(report["result"])
    word = "Overskudd" if result >= 0 else "Underskudd"
    assert reply.text.startswith(f"{word} {format_money(abs(result), 'nb')} (")
    assert f"mot {format_money(Decimal(report['previous_result']), 'nb')} samme periode i fjor" in reply.text
    assert f"Inntekter {format_money(Decimal(report['total_income']), 'nb')}" in reply.text
    [image] = reply.images
    picture = requests.get(f"{stack.gateway_url}{image.lstrip('/')}", timeout=10)
    assert picture.status_code == 200
    assert picture.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_result_in_english(stack: RunningStack) -> None:
    fresh(stack)
    reply = turn(stack, "what's the profit this year?")
    result = Decimal(profit_so_far(stack)["result"])
    word = "Profit" if result >= 0 else "Loss"
    assert reply.text.startswith(f"{word} {format_money(abs(result), 'en')} (")


def test_vat_to_pay_and_the_due_date_are_the_rest_reports(stack: RunningStack) -> None:
    fresh(stack)
    reply = turn(stack, "hvor mye mva skal vi betale?")
    today = clock.today()
    for term in (term_of(today).previous(), term_of(today)):
        [report] = api(stack, "reports/vat", term=term.key)["terms"]
        to_pay = Decimal(report["to_pay"])
        amount = f"å betale {format_money(to_pay, 'nb')}" if to_pay >= 0 else f"til gode {format_money(-to_pay, 'nb')}"
        due = format_date(dt.date.fromisoformat(report["due_date"]), "nb")
        assert f"Mva {term.number}. termin (" in reply.text
        assert f"{amount}, frist {due}" in reply.text
        for line in report["lines"]:
            assert f"• Kode {line['code']} (" in reply.text
            base, vat = format_money(Decimal(line["base"]), "nb"), format_money(Decimal(line["vat"]), "nb")
            assert f"grunnlag {base}, mva {vat}" in reply.text


def test_vat_in_english(stack: RunningStack) -> None:
    fresh(stack)
    reply = turn(stack, "how much VAT do we owe?")
    current = term_of(clock.today())
    assert f"VAT term {current.number} (" in reply.text
    assert "so far" in reply.text and "due " in reply.text


def test_deadlines_are_the_rest_apis_with_the_late_fee_rule(stack: RunningStack) -> None:
    fresh(stack)
    reply = turn(stack, "hvilke frister har vi?")
    deadlines = api(stack, "deadlines")["deadlines"]
    first = format_date(dt.date.fromisoformat(deadlines[0]["due_date"]), "nb")
    lines = reply.text.splitlines()
    assert lines[0] == "Neste frister:"
    assert lines[1].startswith(f"• {first}: ")
    assert "rettsgebyr" in lines[-1]


def test_staff_are_refused_reports_politely(stack: RunningStack) -> None:
    staff = stack.staff_token
    fresh(stack, staff)
    for question in ("vis resultatet hittil i år", "hvor mye mva skal vi betale?"):
        reply = turn(stack, question, staff)
        assert "egne timer" in reply.text
        assert "kr" not in reply.text and not reply.images
