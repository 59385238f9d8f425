"""What the books already know, end to end over the real processes: the hourly rate of the
customer's project (one project: its rate, said in the summary; several: a button each; the
rate asked for only when the books give none), a project's name read as the project and never
offered as a new customer, a yes that only does what it says, the vehicle taken from the
expense itself, a new request in the middle of a question, and a question asked again in the
language the person has switched to.

The customers and projects are made through the REST API with names no other test uses, so
the answers do not depend on what the other tests did to the demo company.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from ledger import clock
from ledger.db import make_engine
from tests.e2e.conftest import RunningStack
from tests.e2e.turns import api, fresh, turn

pytestmark = pytest.mark.e2e

VAN_OR_CAR = '/choose{"vehicle": "van"}'


def orgnr(base: str) -> str:
    """A valid organisation number from `base` (eight digits) on: the first base at or after it
    that has a MOD11 check digit, with that digit."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    number = int(base)
    while True:
        digits = f"{number:08d}"
        rest = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        if rest != 10:
            return digits + str(0 if rest == 11 else rest)
        number += 1


def post(stack: RunningStack, path: str, body: dict[str, Any]) -> dict[str, Any]:
    import requests

    response = requests.post(
        f"{stack.gateway_url}api/v1/companies/{stack.company_id}/{path}",
        json=body,
        headers={"Authorization": f"Bearer {stack.owner_token}"},
        timeout=60,
    )
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def customer(stack: RunningStack, name: str, base: str) -> int:
    details = {"orgnr": orgnr(base), "address": "Kaigata 1", "postcode": "5003", "city": "Bergen"}
    return int(post(stack, "customers", {"name": name, **details})["id"])


def project(stack: RunningStack, name: str, customer_id: int, rate: str) -> int:
    return int(post(stack, "projects", {"name": name, "customer_id": customer_id, "hourly_rate": rate})["id"])


@pytest.fixture(scope="module")
def books(stack: RunningStack) -> dict[str, int]:
    """Havbris AS with one project (Sjøsida, 1 000 kr), Kystlys AS with two (Naustet 900 kr,
    Verftet 1 200 kr), Tindegg Bygg AS with none and no rate, Brattli Bygg AS with the project
    Brygga (950 kr) and 6 hours on it not yet invoiced."""
    havbris = customer(stack, "Havbris AS", "91234560")
    project(stack, "Sjøsida", havbris, "1000")
    kystlys = customer(stack, "Kystlys AS", "91234570")
    project(stack, "Naustet", kystlys, "900")
    project(stack, "Verftet", kystlys, "1200")
    tindegg = customer(stack, "Tindegg Bygg AS", "91234580")
    brattli = customer(stack, "Brattli Bygg AS", "91234590")
    brygga = project(stack, "Brygga", brattli, "950")
    post(stack, "time-entries", {"date": clock.today().isoformat(), "hours": "6", "project_id": brygga})
    return {"havbris": havbris, "kystlys": kystlys, "tindegg": tindegg, "brattli": brattli}


def customer_names(stack: RunningStack) -> list[str]:
    return sorted(c["name"] for c in api(stack, "customers")["customers"])


def invoice_count(stack: RunningStack) -> int:
    return len(api(stack, "invoices")["invoices"])


def newest_invoice(stack: RunningStack) -> dict[str, Any]:
    return max(api(stack, "invoices")["invoices"], key=lambda i: int(i["number"]))


def forget_vehicle(stack: RunningStack) -> None:
    """The company has not said which vehicle it drives (behind the API's back: no endpoint
    unsays it), so that the van-or-car question can come."""
    engine = make_engine(stack.database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE companies SET vehicle = NULL WHERE id = :id"), {"id": stack.company_id})
    finally:
        engine.dispose()


def test_the_question_is_asked_again_in_norwegian_with_norwegian_words_when_the_person_switches(
    stack: RunningStack,
) -> None:
    forget_vehicle(stack)
    fresh(stack)
    asked = turn(stack, "I paid 450 kr for fuel")
    assert "Is the vehicle a van or a passenger car?" in asked.text, asked.text
    again = turn(stack, "hva mener du?")
    assert "Er bilen en varebil eller en personbil?" in again.text, again.text
    assert "mva på drivstoff" in again.text
    assert "fuel" not in again.text
    assert VAN_OR_CAR in again.payloads
    turn(stack, "avbryt")


def test_one_project_with_a_rate_gives_the_rate_and_the_summary_says_so(
    stack: RunningStack, books: dict[str, int]
) -> None:
    fresh(stack)
    count = invoice_count(stack)
    summary = turn(stack, "fakturer Havbris for 5 timer")
    assert summary.text.startswith("Faktura til Havbris AS: 6 250,00 kr inkl. mva"), summary.text
    assert "5 t på Sjøsida à 1 000,00 kr (prosjektets timepris)." in summary.text
    assert "timepris?" not in summary.text
    turn(stack, "ja")
    invoice = newest_invoice(stack)
    assert invoice_count(stack) == count + 1
    assert (invoice["customer_name"], invoice["net"]) == ("Havbris AS", "5000.00")


def test_several_projects_are_offered_as_buttons_and_the_one_pressed_gives_the_rate(
    stack: RunningStack, books: dict[str, int]
) -> None:
    fresh(stack)
    asked = turn(stack, "fakturer Kystlys for 2 timer")
    assert asked.text.startswith("Hvilket prosjekt hos Kystlys AS gjelder timene?"), asked.text
    assert asked.payloads == ['/choose{"project": "Naustet"}', '/choose{"project": "Verftet"}']
    summary = turn(stack, '/choose{"project": "Verftet"}')
    assert summary.text.startswith("Faktura til Kystlys AS: 3 000,00 kr inkl. mva"), summary.text
    assert "2 t på Verftet à 1 200,00 kr (prosjektets timepris)." in summary.text
    turn(stack, "nei")


def test_the_rate_is_asked_for_only_when_the_books_give_none(stack: RunningStack, books: dict[str, int]) -> None:
    fresh(stack)
    asked = turn(stack, "fakturer Tindegg Bygg for 3 timer")
    assert asked.text.startswith("Hvilken timepris?"), asked.text
    summary = turn(stack, "800 kr")
    assert summary.text.startswith("Faktura til Tindegg Bygg AS: 3 000,00 kr inkl. mva"), summary.text
    turn(stack, "nei")


def test_a_project_named_with_its_customer_invoices_the_projects_unbilled_hours(
    stack: RunningStack, books: dict[str, int]
) -> None:
    fresh(stack)
    customers = customer_names(stack)
    count = invoice_count(stack)
    summary = turn(stack, "fakturer Brattli Bygg for alle timene på Brygga")
    assert "Jeg finner ingen kunde" not in summary.text
    assert summary.text.startswith("Faktura til Brattli Bygg AS: 7 125,00 kr inkl. mva"), summary.text
    assert "- Brygga" in summary.text
    turn(stack, "ja")
    assert invoice_count(stack) == count + 1
    assert (newest_invoice(stack)["customer_name"], newest_invoice(stack)["net"]) == ("Brattli Bygg AS", "5700.00")
    assert customer_names(stack) == customers


def test_a_project_name_alone_is_never_offered_as_a_new_customer(stack: RunningStack, books: dict[str, int]) -> None:
    fresh(stack)
    customers = customer_names(stack)
    summary = turn(stack, "fakturer Brygga for 2 timer")
    assert "Jeg finner ingen kunde" not in summary.text
    assert "ny kunde" not in summary.text
    assert summary.text.startswith("Faktura til Brattli Bygg AS: 2 375,00 kr inkl. mva"), summary.text
    turn(stack, "nei")
    assert customer_names(stack) == customers


def test_a_yes_to_a_new_customer_says_it_only_registers_the_customer_and_invoices_nothing(
    stack: RunningStack, books: dict[str, int]
) -> None:
    fresh(stack)
    count = invoice_count(stack)
    offer = turn(stack, "fakturer Nybakk Snekkeri for 2 timer")
    assert "Jeg finner ingen kunde som heter «Nybakk Snekkeri»" in offer.text, offer.text
    assert "«Ja» registrerer bare kunden" in offer.text
    turn(stack, "ja")
    assert "Nybakk Snekkeri" in customer_names(stack)
    assert invoice_count(stack) == count
    turn(stack, "avbryt")
    assert invoice_count(stack) == count


def test_the_van_is_taken_from_a_norwegian_expense_without_asking(stack: RunningStack) -> None:
    forget_vehicle(stack)
    fresh(stack)
    summary = turn(stack, "diesel til varebilen 700 kr")
    assert "varebil eller en personbil" not in summary.text
    assert "Notert: selskapet har varebil." in summary.text
    assert "Utgift 700,00 kr: diesel" in summary.text
    assert "• 2710 " in summary.text and "debet 140,00 kr (mva-kode 1)" in summary.text
    turn(stack, "nei")


def test_the_van_is_taken_from_an_english_expense_without_asking(stack: RunningStack) -> None:
    forget_vehicle(stack)
    fresh(stack)
    summary = turn(stack, "fuel for the van, 600 kr")
    assert "van or a passenger car" not in summary.text
    assert "Expense NOK 600.00: fuel" in summary.text
    assert "• 2710 " in summary.text and "debit NOK 120.00 (VAT code 1)" in summary.text
    turn(stack, "no")


def test_an_expense_said_while_an_invoice_asks_for_hours_is_an_expense(stack: RunningStack) -> None:
    fresh(stack)
    customers = customer_names(stack)
    asked = turn(stack, "fakturer Hansen Rør")
    assert asked.text.startswith("Hvor mange timer"), asked.text
    summary = turn(stack, "fuel for the van, 600 kr")
    assert "Expense NOK 600.00: fuel" in summary.text, summary.text
    assert "customer" not in summary.text
    turn(stack, "no")
    assert customer_names(stack) == customers
    invoice = turn(stack, "fakturer Hansen Rør for 1 time")
    assert invoice.text.startswith("Faktura til Hansen Rør AS: 1 062,50 kr inkl. mva"), invoice.text
    turn(stack, "nei")
