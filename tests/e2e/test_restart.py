"""Conversations live in the tracker store, not in the Rasa process: a half-filled invoice
survives a restart of the Rasa server and is finished afterwards, posted once."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.turns import api, fresh, turn

pytestmark = pytest.mark.processes  # the day plays no part: `make other-days` leaves it out


def test_a_half_filled_invoice_survives_a_rasa_restart(stack: RunningStack) -> None:
    fresh(stack)
    before = len(api(stack, "invoices")["invoices"])
    asked = turn(stack, "I want to invoice Hansen Rør")
    assert asked.text.startswith("How many hours should I invoice Hansen Rør AS for?")
    stack.restart_rasa()
    summary = turn(stack, "2 hours")
    assert summary.text.startswith("Invoice to Hansen Rør AS: NOK 2,125.00 incl. VAT")
    stack.restart_rasa()
    posted = turn(stack, "yes")
    assert posted.text.startswith("Invoice ") and "is issued and posted" in posted.text
    assert len(api(stack, "invoices")["invoices"]) == before + 1
