"""The details an invoice lacks asked for and kept, part credits and refunds through the chat,
end to end: the questions in the person's language, the summary before anything is posted,
"ja" posting exactly that; the books read back through the REST API.

The demo company's Fjord Bygg AS has an hourly rate of 1 100 kr.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.e2e.conftest import RunningStack
from tests.e2e.test_dialogue_books_know import orgnr, post
from tests.e2e.test_dialogue_invoicing import by_number, newest_invoice
from tests.e2e.turns import api, fresh, turn


def _customer(stack: RunningStack, name: str) -> dict[str, Any]:
    customers = api(stack, "customers")["customers"]
    return next(c for c in customers if c["name"] == name)


def test_a_customer_without_address_is_asked_for_it_once_and_the_invoice_follows(stack: RunningStack) -> None:
    fresh(stack)
    post(stack, "customers", {"name": "Kvitsand Bygg AS", "hourly_rate": "1000"})
    asked = turn(stack, "fakturer Kvitsand Bygg for 2 timer")
    assert "Før jeg kan lage fakturaen trenger jeg Kvitsand Bygg ASs adresse" in asked.text
    assert "Hva er adressen til Kvitsand Bygg AS?" in asked.text
    again = turn(stack, "Bergen")
    assert "Jeg fant ikke gateadresse, postnummer og sted" in again.text
    number = turn(stack, "Strandgata 1, 5003 Bergen")
    assert "Hva er organisasjonsnummeret til Kvitsand Bygg AS?" in number.text
    bad = turn(stack, "123456789")
    assert "«123456789» er ikke et gyldig organisasjonsnummer" in bad.text
    assert _customer(stack, "Kvitsand Bygg AS")["address"] in ("", None)
    shown = turn(stack, orgnr("97531240"))
    assert "Lagret for Kvitsand Bygg AS" in shown.text
    assert "Faktura til Kvitsand Bygg AS: 2 500,00 kr inkl. mva" in shown.text
    kept = _customer(stack, "Kvitsand Bygg AS")
    assert (kept["address"], kept["postcode"], kept["city"]) == ("Strandgata 1", "5003", "Bergen")
    turn(stack, "nei")
    second = turn(stack, "fakturer Kvitsand Bygg for 1 time")
    assert second.text.startswith("Faktura til Kvitsand Bygg AS: 1 250,00 kr inkl. mva")


def test_part_of_an_invoice_credited_by_hours_then_money_paid_back(stack: RunningStack) -> None:
    fresh(stack)
    turn(stack, "fakturer Fjord Bygg for 5 timer")
    turn(stack, "ja")
    invoice = newest_invoice(stack)
    number = int(invoice["number"])
    shown = turn(stack, f"krediter 2 timer av faktura {number}")
    assert shown.text.startswith(f"Kreditnota for faktura {number} til Fjord Bygg AS: 2 750,00 kr inkl. mva")
    assert "2 200,00 kr eks. mva og 2 750,00 kr inkl. mva" in shown.text
    done = turn(stack, "ja")
    assert done.text.startswith(f"Kreditnota {number + 1} for faktura {number}")
    assert Decimal(by_number(stack, number)["total"]) == Decimal("6875.00")
    turn(stack, f"Fjord Bygg har betalt faktura {number}")
    turn(stack, "ja")
    refund = turn(stack, f"refund 500 kr of invoice {number}")
    assert refund.text.startswith(f"Credit note for invoice {number} to Fjord Bygg AS: NOK 500.00 incl. VAT")
    assert "so NOK 500.00 will be paid back" in refund.text
    paid_back = turn(stack, "yes")
    assert "The refund of NOK 500.00 to Fjord Bygg AS is posted" in paid_back.text
