"""Invoices, payments, credit notes and undo through the chat, end to end, in both languages:
the summary before anything is posted, "ja" posting exactly that, "nei" and bad numbers
posting nothing, staff refused; the books read back through the REST API.

The demo company's Fjord Bygg AS has an hourly rate of 1 100 kr, Hansen Rør AS 850 kr.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from ledger.formatting import format_money, format_number
from tests.e2e.conftest import RunningStack
from tests.e2e.turns import Reply, api, fresh, journal_entries, turn


def invoices(stack: RunningStack, **params: Any) -> list[dict[str, Any]]:
    return list(api(stack, "invoices", **params)["invoices"])


def by_number(stack: RunningStack, number: int) -> dict[str, Any]:
    return next(i for i in invoices(stack) if i["number"] == number)


def newest_invoice(stack: RunningStack) -> dict[str, Any]:
    return max(invoices(stack), key=lambda i: int(i["number"]))


def entry_of(stack: RunningStack, description_start: str) -> dict[str, Any]:
    return [e for e in journal_entries(stack) if e["description"].startswith(description_start)][-1]


def lines_of(entry: dict[str, Any]) -> list[tuple[str, Decimal, Decimal]]:
    return [(line["account"], Decimal(line["debit"]), Decimal(line["credit"])) for line in entry["lines"]]


def receivables(stack: RunningStack) -> Decimal:
    return Decimal(api(stack, "reports/receivables")["total"])


def say_with_id(stack: RunningStack, text: str, message_id: str, token: str | None = None) -> Reply:
    response = stack.chat(text, token=token, message_id=message_id)
    assert response.status_code == 200, response.text
    return Reply(response.json()["messages"])


def test_invoice_from_hours_is_shown_then_posted_on_ja(stack: RunningStack) -> None:
    fresh(stack)
    count = len(invoices(stack))
    summary = turn(stack, "fakturer Fjord Bygg for 5 timer")
    assert summary.text.startswith("Faktura til Fjord Bygg AS: 6 875,00 kr inkl. mva")
    assert "5 t × 1 100,00 kr = 5 500,00 kr" in summary.text
    assert "1500 debet 6 875,00 kr, 3000 kredit 5 500,00 kr (mva-kode 3), 2700 kredit 1 375,00 kr" in summary.text
    assert summary.payloads == ["/affirm", "/deny"]
    assert len(invoices(stack)) == count

    posted = turn(stack, "ja")
    invoice = newest_invoice(stack)
    assert posted.text.startswith(f"Faktura {invoice['number']} til Fjord Bygg AS på 6 875,00 kr er utstedt og ført")
    assert posted.messages[0]["attachment"] == (
        f"/api/v1/companies/{stack.company_id}/invoices/{invoice['number']}.pdf"
    )
    assert len(invoices(stack)) == count + 1
    assert (invoice["customer_name"], invoice["net"], invoice["vat"], invoice["total"]) == (
        "Fjord Bygg AS", "5500.00", "1375.00", "6875.00"
    )
    entry = entry_of(stack, f"Faktura {invoice['number']} ")
    assert lines_of(entry) == [
        ("1500", Decimal("6875.00"), Decimal("0.00")),
        ("3000", Decimal("0.00"), Decimal("5500.00")),
        ("2700", Decimal("0.00"), Decimal("1375.00")),
    ]
    assert entry["channel"] == "api" and entry["source"].startswith("chat:")


def test_invoice_in_english_asks_for_the_hours_then_posts_on_yes(stack: RunningStack) -> None:
    fresh(stack)
    asked = turn(stack, "I want to invoice Hansen Rør")
    assert asked.text.startswith("How many hours should I invoice Hansen Rør AS for?")
    summary = turn(stack, "2 hours")
    assert summary.text.startswith("Invoice to Hansen Rør AS: NOK 2,125.00 incl. VAT")
    assert "Posting: 1500 debit NOK 2,125.00, 3000 credit NOK 1,700.00 (VAT code 3), 2700 credit NOK 425.00" in (
        summary.text
    )
    posted = turn(stack, "yes")
    invoice = newest_invoice(stack)
    assert posted.text.startswith(f"Invoice {invoice['number']} to Hansen Rør AS for NOK 2,125.00 is issued and posted")
    assert (invoice["net"], invoice["vat"], invoice["total"]) == ("1700.00", "425.00", "2125.00")


def test_nei_posts_nothing(stack: RunningStack) -> None:
    fresh(stack)
    count, entries = len(invoices(stack)), len(journal_entries(stack))
    summary = turn(stack, "fakturer Bergen Bakeri 12 000 kr")
    assert summary.text.startswith("Faktura til Bergen Bakeri AS: 15 000,00 kr inkl. mva")
    declined = turn(stack, "nei")
    assert declined.text == "OK, da lar jeg det være. Ingenting er ført."
    assert (len(invoices(stack)), len(journal_entries(stack))) == (count, entries)


def test_bad_numbers_of_hours_are_refused_and_nothing_is_posted(stack: RunningStack) -> None:
    fresh(stack)
    entries = len(journal_entries(stack))
    negative = turn(stack, "fakturer Fjord Bygg for -3 timer")
    assert "Timer kan ikke være negative." in negative.text
    assert "Hvor mange timer" in negative.text
    turn(stack, "avbryt")
    three_decimals = turn(stack, "fakturer Fjord Bygg for 1,234 timer")
    assert "høyst to desimaler" in three_decimals.text
    cancelled = turn(stack, "avbryt")
    assert cancelled.text == "Avbrutt. Ingenting er ført."
    assert len(journal_entries(stack)) == entries


def test_staff_are_refused_politely_and_nothing_is_posted(stack: RunningStack) -> None:
    fresh(stack, stack.staff_token)
    entries = len(journal_entries(stack))
    refused = turn(stack, "fakturer Fjord Bygg for 5 timer", stack.staff_token)
    assert "egne timer" in refused.text
    assert not refused.payloads
    assert "egne timer" in turn(stack, "hvem skylder oss penger?", stack.staff_token).text
    assert len(journal_entries(stack)) == entries


def test_the_same_message_id_twice_posts_once(stack: RunningStack) -> None:
    fresh(stack)
    turn(stack, "fakturer Hansen Rør for 1 time")
    count = len(invoices(stack))
    key = f"e2e-once-{uuid.uuid4().hex}"
    first = say_with_id(stack, "ja", key)
    second = say_with_id(stack, "ja", key)
    assert first.text == second.text
    assert len(invoices(stack)) == count + 1


def test_a_payment_defaults_to_what_is_owed_and_pays_the_invoice(stack: RunningStack) -> None:
    fresh(stack)
    turn(stack, "fakturer Hansen Rør for 4 timer")
    turn(stack, "ja")
    invoice = newest_invoice(stack)
    summary = turn(stack, f"registrer innbetaling på faktura {invoice['number']}")
    assert summary.text.startswith(f"Innbetaling 4 250,00 kr fra Hansen Rør AS på faktura {invoice['number']}")
    assert "1920 debet 4 250,00 kr, 1500 kredit 4 250,00 kr" in summary.text
    paid = turn(stack, "ja")
    assert "Fakturaen er betalt" in paid.text
    assert by_number(stack, int(invoice["number"]))["status"] == "paid"


def test_a_credit_note_in_english_credits_the_invoice(stack: RunningStack) -> None:
    fresh(stack)
    turn(stack, "fakturer Fjord Bygg for 2 timer")
    turn(stack, "ja")
    invoice = newest_invoice(stack)
    summary = turn(stack, f"credit invoice {invoice['number']}")
    assert summary.text.startswith(f"Credit note for invoice {invoice['number']} to Fjord Bygg AS: NOK 2,750.00")
    done = turn(stack, "yes")
    assert done.text.startswith(f"Credit note {int(invoice['number']) + 1} for invoice {invoice['number']}")
    assert by_number(stack, int(invoice["number"]))["status"] == "credited"
    assert by_number(stack, int(invoice["number"]) + 1)["kind"] == "credit_note"


def test_undo_credits_the_last_invoice_and_receivables_are_back(stack: RunningStack) -> None:
    fresh(stack)
    before = receivables(stack)
    turn(stack, "fakturer Fjord Bygg for 3 timer")
    turn(stack, "ja")
    invoice = newest_invoice(stack)
    assert receivables(stack) == before + Decimal("4125.00")
    undone = turn(stack, "angre")
    assert undone.text.startswith(f"Angret: faktura {invoice['number']} (4 125,00 kr) er kreditert med kreditnota")
    assert receivables(stack) == before
    assert by_number(stack, int(invoice["number"]))["status"] == "credited"


def test_undo_in_english_reverses_a_payment(stack: RunningStack) -> None:
    fresh(stack)
    turn(stack, "fakturer Hansen Rør for 2 timer")
    turn(stack, "ja")
    invoice = newest_invoice(stack)
    turn(stack, f"register payment on invoice {invoice['number']}")
    turn(stack, "yes")
    assert by_number(stack, int(invoice["number"]))["status"] == "paid"
    undone = turn(stack, "undo")
    assert undone.text.startswith(f"Undone: the payment of NOK 2,125.00 on invoice {invoice['number']}")
    assert by_number(stack, int(invoice["number"]))["status"] == "unpaid"


def test_unpaid_invoices_are_listed_overdue_first(stack: RunningStack) -> None:
    fresh(stack)
    listed = turn(stack, "hvem skylder oss penger?")
    total = receivables(stack)
    assert listed.text.startswith(f"Utestående {format_money(total, 'nb')}")


def customers(stack: RunningStack) -> list[dict[str, Any]]:
    return list(api(stack, "customers")["customers"])


def test_an_unknown_customer_is_offered_created_and_the_invoice_goes_on(stack: RunningStack) -> None:
    fresh(stack)
    name = "Havbris Marina"
    offer = turn(stack, f"fakturer {name} for 3 timer")
    assert f"Jeg finner ingen kunde som heter «{name}»" in offer.text
    assert offer.payloads == ["/affirm", "/deny"]
    assert name not in [c["name"] for c in customers(stack)]

    created = turn(stack, "ja")
    assert f"Kunden {name} er registrert med kundenummer" in created.text
    assert "Hvilken timepris?" in created.text
    assert name in [c["name"] for c in customers(stack)]

    # A customer made in the chat has no address yet, which an invoice must show
    # (bokføringsforskriften § 5-1-1): the assistant asks for it, keeps it, and goes on.
    asked = turn(stack, "900")
    assert f"Før jeg kan lage fakturaen trenger jeg {name}s adresse, postnummer, poststed" in asked.text
    assert f"Hva er adressen til {name}?" in asked.text and not asked.payloads
    shown = turn(stack, "Marinaveien 2, 4010 Stavanger")
    assert f"Lagret for {name}" in shown.text
    assert f"Faktura til {name}: 3 375,00 kr inkl. mva" in shown.text
    customer = next(c for c in customers(stack) if c["name"] == name)
    assert (customer["address"], customer["postcode"], customer["city"]) == ("Marinaveien 2", "4010", "Stavanger")
    turn(stack, "nei")

    summary = turn(stack, f"fakturer {name} for 3 timer til 900 kr timen")
    assert summary.text.startswith(f"Faktura til {name}: 3 375,00 kr inkl. mva"), summary.text
    turn(stack, "ja")
    invoice = newest_invoice(stack)
    assert (invoice["customer_name"], invoice["total"]) == (name, "3375.00")


def test_a_new_customer_then_a_name_fitting_two_is_chosen_with_a_button(stack: RunningStack) -> None:
    fresh(stack)
    bad = turn(stack, "ny kunde Fjord Fisk AS org.nr 123456789")
    assert "ikke et gyldig organisasjonsnummer" in bad.text
    summary = turn(stack, "923609016")
    assert summary.text == "Ny kunde: Fjord Fisk AS, org.nr. 923609016. Skal jeg registrere den?"
    turn(stack, "ja")
    assert "Fjord Fisk AS" in [c["name"] for c in customers(stack)]

    asked = turn(stack, "fakturer fjord for 2 timer")
    assert asked.text.startswith("Flere kunder passer. Hvilken mener du?")
    assert '/choose{"customer": "Fjord Bygg AS"}' in asked.payloads
    summary = turn(stack, '/choose{"customer": "Fjord Bygg AS"}')
    assert summary.text.startswith("Faktura til Fjord Bygg AS: 2 750,00 kr inkl. mva")
    assert turn(stack, "nei").text == "OK, da lar jeg det være. Ingenting er ført."


def test_a_new_project_in_english_is_registered_for_its_customer(stack: RunningStack) -> None:
    fresh(stack)
    name = "Webshop"
    asked = turn(stack, f"create a new project {name} for Nordlys Regnskap")
    assert asked.text == "What hourly rate should the project have (Nordlys Regnskap AS has no hourly rate)?"
    summary = turn(stack, "1200")
    assert summary.text == (
        f"New project: {name} for Nordlys Regnskap AS, hourly rate NOK 1,200.00. Shall I register it?"
    )
    turn(stack, "yes")
    projects = api(stack, "projects")["projects"]
    assert [Decimal(p["hourly_rate"]) for p in projects if p["name"] == name] == [Decimal("1200.00")]


def test_a_projects_unbilled_hours_are_invoiced_and_marked_invoiced(stack: RunningStack) -> None:
    fresh(stack)
    project = next(p for p in api(stack, "projects")["projects"] if p["name"] == "Hyttebygg Hemsedal")
    unbilled = [e for e in api(stack, "time-entries")["time_entries"]
                if e["project_id"] == project["id"] and not e["invoiced"]]
    hours = sum((Decimal(e["hours"]) for e in unbilled), Decimal(0))
    assert hours > 0
    summary = turn(stack, "fakturer timene på Hyttebygg Hemsedal")
    assert summary.text.startswith("Faktura til Fjord Bygg AS:")
    assert f"- Hyttebygg Hemsedal: {format_number(hours, 'nb')} t × 1 100,00 kr" in summary.text
    turn(stack, "ja")
    invoice = newest_invoice(stack)
    assert Decimal(invoice["net"]) == hours * 1100
    left = [e for e in api(stack, "time-entries")["time_entries"]
            if e["project_id"] == project["id"] and not e["invoiced"]]
    assert left == []
