"""Faults over the real processes: the action server killed in the middle of an invoice, and a
message sent while the Rasa server is down. The person is told, in their language, to try
again in a moment; nothing is half-written; once the process is back the conversation goes
on where it was and "ja" posts the invoice once."""

from __future__ import annotations

import time

import pytest

from bot.stack import Service
from tests.e2e.conftest import RunningStack
from tests.e2e.turns import api, fresh, turn

pytestmark = pytest.mark.processes  # the day plays no part: `make other-days` leaves it out

TRY_AGAIN = "Assistenten fikk ikke svart akkurat nå. Prøv igjen om litt – ingenting er bokført."


def _service(stack: RunningStack, name: str) -> Service:
    return next(s for s in stack.processes.services if s.name == name)


def _count(stack: RunningStack) -> tuple[int, int]:
    """Invoices and journal entries in the books."""
    invoices = len(api(stack, "invoices")["invoices"])
    entries = len(api(stack, "journal", **{"from": "2000-01-01", "to": "2099-12-31"})["entries"])
    return invoices, entries


def test_a_half_filled_invoice_goes_on_after_the_action_server_was_killed_and_posts_once(
    stack: RunningStack,
) -> None:
    started = time.monotonic()
    fresh(stack)
    before = _count(stack)
    asked = turn(stack, "jeg vil fakturere Hansen Rør")
    assert asked.text.startswith("Hvor mange timer"), asked.text

    actions = _service(stack, "action server")
    assert actions.process is not None
    actions.process.kill()  # killed, not stopped: no chance to finish anything
    actions.process.wait(10)
    try:
        asked_at = time.monotonic()
        down = turn(stack, "2 timer")
        assert down.texts == [TRY_AGAIN]
        assert time.monotonic() - asked_at < 10  # told at once, not after a long wait
        assert _count(stack) == before
    finally:
        stack.processes.restart("action server")

    summary = turn(stack, "2 timer")
    assert summary.text.startswith("Faktura til Hansen Rør AS: 2 125,00 kr inkl. mva"), summary.text
    posted = turn(stack, "ja")
    assert posted.text.startswith("Faktura ") and "er utstedt og ført" in posted.text, posted.text
    invoices, entries = _count(stack)
    assert (invoices, entries) == (before[0] + 1, before[1] + 1)
    assert time.monotonic() - started < 60


def test_a_message_sent_while_rasa_is_down_is_refused_clearly_and_the_invoice_goes_on_after(
    stack: RunningStack,
) -> None:
    """Bounded by Rasa loading its model again (most of this test's time), not by Bokbot."""
    fresh(stack)
    before = _count(stack)
    summary = turn(stack, "fakturer Hansen Rør for 1 time")
    assert summary.text.startswith("Faktura til Hansen Rør AS"), summary.text

    rasa = _service(stack, "Rasa server")
    rasa.stop()
    try:
        asked_at = time.monotonic()
        refused = stack.chat("ja", message_id="faults-ja")
        assert time.monotonic() - asked_at < 10  # told at once, not after a long wait
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "assistant_unavailable"
        assert _count(stack) == before
    finally:
        stack.restart_rasa()

    posted = stack.chat("ja", message_id="faults-ja")  # the same message id: it was never answered
    assert posted.status_code == 200
    text = "\n".join(m.get("text") or "" for m in posted.json()["messages"])
    assert text.startswith("Faktura ") and "er utstedt og ført" in text, text
    assert _count(stack) == (before[0] + 1, before[1] + 1)
