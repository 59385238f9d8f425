"""Faults over the real processes: the action server killed in the middle of an invoice, a
message sent while the Rasa server is down, and a "ja" whose reply was lost after the invoice
was posted. The person is told, in their language, to try again in a moment; nothing is
half-written; once the process is back the conversation goes on where it was and "ja" posts
the invoice once. (The books and Redis going away: test_outages.py.)"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from bot.stack import Service
from ledger import clock
from ledger.server_keys import action_token, server_secret
from ledger.signed_identity import Identity, conversation_of, sign
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


def _confirm_behind_rasas_back(stack: RunningStack, message_id: str) -> list[dict[str, Any]]:
    """What the action server does with a "ja" whose reply never reaches Rasa (the action
    server dies after its commit, or the connection drops): Rasa's own request, made from the
    conversation as Rasa keeps it, with the "ja" as the gateway signs it; Rasa never hears the
    answer, so its conversation still holds the proposal."""
    me = api_me(stack)
    sender = conversation_of(me["id"])
    tracker = requests.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.rasa_token}, timeout=30
    ).json()
    who = Identity(me["id"], stack.company_id, "owner", "api", f"api:{message_id}")
    metadata = sign(server_secret(stack.settings), who, "ja", clock.now())
    latest = {"text": "ja", "intent": {"name": "affirm", "confidence": 1.0}, "entities": [], "metadata": metadata}
    tracker["latest_message"] = latest
    tracker["events"].append({"event": "user", "text": "ja", "parse_data": latest, "metadata": metadata})
    response = requests.post(
        f"{stack.action_url}/webhook",
        json={"next_action": "action_confirm", "sender_id": sender, "tracker": tracker, "domain": {},
              "version": "3.6.0"},
        headers={"Authorization": f"Bearer {action_token(stack.settings)}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return list(response.json()["responses"])


def api_me(stack: RunningStack) -> dict[str, Any]:
    response = stack.get("/api/v1/me")
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_ja_whose_reply_was_lost_after_posting_is_not_posted_again(stack: RunningStack) -> None:
    fresh(stack)
    before = _count(stack)
    summary = turn(stack, "fakturer Hansen Rør for 1 time")
    assert summary.text.startswith("Faktura til Hansen Rør AS"), summary.text

    lost = _confirm_behind_rasas_back(stack, "faults-lost-ja")
    lost_text = "\n".join(r.get("text") or (r.get("custom") or {}).get("text") or "" for r in lost)
    assert lost_text.startswith("Faktura ") and "er utstedt og ført" in lost_text, lost
    assert _count(stack) == (before[0] + 1, before[1] + 1)

    again = turn(stack, "ja")  # Rasa still holds the proposal: the person heard nothing and says "ja" again
    assert again.text == f"Dette er allerede bokført, så jeg fører det ikke en gang til: {lost_text}"
    assert _count(stack) == (before[0] + 1, before[1] + 1)
    follow_up = turn(stack, "ja")
    assert follow_up.text == "Det er ingenting som venter på et ja fra deg nå."
    assert _count(stack) == (before[0] + 1, before[1] + 1)
