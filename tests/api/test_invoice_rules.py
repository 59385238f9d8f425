"""The invoice rules through the REST API: a 422 naming what the seller or buyer lacks, the
company's details set with PATCH (owner and accountant; staff 403, strangers 404), the
delivery period on the invoice, and credit notes for part of an invoice with a refund."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.models import Company
from ledger.timesheet import log_time
from tests.api.sales_gateway import MANAGERS_ONLY, SalesGateway, error_code, pg_sales_gateway, sales_gateway
from tests.ledger.builders import day

__all__ = ["pg_sales_gateway", "sales_gateway"]


def _strip_seller(gateway: SalesGateway) -> None:
    with gateway.books.begin() as s:
        company = s.get(Company, gateway.cid)
        assert company is not None
        company.address, company.postcode, company.city, company.bank_account = "", "", "", ""


async def _issue(gateway: SalesGateway, key: str, **body: Any) -> Any:
    lines = body.pop("lines", [{"description": "Rådgivning", "quantity": "5", "unit_price": "1000", "unit": "HUR"}])
    return await gateway.call(
        "POST", "/invoices", json={"customer_id": gateway.sb.fjord_id, "lines": lines, **body},
        headers={"Idempotency-Key": key},
    )


async def test_an_invoice_the_seller_lacks_details_for_is_422_naming_them(sales_gateway: SalesGateway) -> None:
    _strip_seller(sales_gateway)
    refused = await _issue(sales_gateway, "k-1")
    assert refused.status == 422
    body = await refused.json()
    assert body["error"]["code"] == "invoice_details_missing"
    assert "address, postcode, city, bank_account" in body["error"]["message"]
    assert (await (await sales_gateway.call("GET", "/invoices")).json())["invoices"] == []

    changed = await sales_gateway.call(
        "PATCH", "",
        json={"address": "Kaigata 3", "postcode": "5015", "city": "Bergen", "bank_account": "1234.56.78903"},
    )
    assert changed.status == 200, await changed.text()
    company = await changed.json()
    assert (company["address"], company["city"], company["bank_account"]) == ("Kaigata 3", "Bergen", "12345678903")
    issued = await _issue(sales_gateway, "k-2")
    assert issued.status == 201, await issued.text()


async def test_a_buyer_without_address_is_422_and_a_customer_patch_fixes_it(sales_gateway: SalesGateway) -> None:
    made = await sales_gateway.call("POST", "/customers", json={"name": "Vestland Snekker AS"})
    customer = (await made.json())["id"]
    line = {"description": "Snekring", "quantity": "1", "unit_price": "100"}
    ask = {"customer_id": customer, "lines": [line]}
    refused = await sales_gateway.call("POST", "/invoices", json=ask, headers={"Idempotency-Key": "b-1"})
    assert refused.status == 422
    assert "Vestland Snekker AS lacks address, postcode, city, orgnr" in (await refused.json())["error"]["message"]
    details = {"address": "Sjøgata 4", "postcode": "5003", "city": "Bergen", "orgnr": "923609016"}
    assert (await sales_gateway.call("PATCH", f"/customers/{customer}", json=details)).status == 200
    issued = await sales_gateway.call("POST", "/invoices", json=ask, headers={"Idempotency-Key": "b-2"})
    assert issued.status == 201, await issued.text()


@pytest.mark.parametrize(("role", "allowed"), MANAGERS_ONLY)
async def test_company_details_are_changed_by_owner_and_accountant_only(
    sales_gateway: SalesGateway, role: str, allowed: bool | int
) -> None:
    response = await sales_gateway.call("PATCH", "", role=role, json={"city": "Bergen"})
    assert response.status == (200 if allowed is True else allowed)
    with sales_gateway.books.begin() as s:
        city = s.get(Company, sales_gateway.cid).city  # type: ignore[union-attr]
    assert city == ("Bergen" if allowed is True else "Oslo")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"bank_account": "12345678901"}, 422, "invalid_input"),
        ({"orgnr": "123456789"}, 422, "invalid_orgnr"),
        ({"orgnr": "923456783"}, 422, "duplicate_name"),  # the other company's
        ({"address": ""}, 422, "invalid_input"),
        ({"vat_registered": False}, 400, "invalid_input"),
        ({"city": 47}, 400, "invalid_input"),
        ({}, 400, "invalid_input"),
    ],
)
async def test_bad_company_details_are_refused_and_change_nothing(
    sales_gateway: SalesGateway, body: dict[str, Any], status: int, code: str
) -> None:
    response = await sales_gateway.call("PATCH", "", json=body)
    assert response.status == status
    assert await error_code(response) == code
    with sales_gateway.books.begin() as s:
        company = s.get(Company, sales_gateway.cid)
        assert company is not None
        assert (company.address, company.bank_account, company.orgnr) == ("Storgata 1", "12345678903", "998877660")


async def test_the_invoice_carries_its_delivery_period(sales_gateway: SalesGateway) -> None:
    one_day = await (await _issue(sales_gateway, "d-1", issue_date="2026-11-06")).json()
    assert (one_day["delivery_from"], one_day["delivery_to"]) == ("2026-11-06", "2026-11-06")
    period = {"delivery_from": "2026-10-01", "delivery_to": "2026-10-31"}
    said = await (await _issue(sales_gateway, "d-2", issue_date="2026-11-06", **period)).json()
    assert (said["delivery_from"], said["delivery_to"]) == ("2026-10-01", "2026-10-31")
    backwards = await _issue(sales_gateway, "d-3", delivery_from="2026-10-31", delivery_to="2026-10-01")
    assert backwards.status == 422
    with sales_gateway.books.begin() as s:
        for date in ("2026-10-27", "2026-11-03"):
            log_time(s, sales_gateway.cid, sales_gateway.sb.owner_id, sales_gateway.sb.hytte_id, day(date), "3")
    hours = await sales_gateway.call(
        "POST", "/invoices", json={"project_id": sales_gateway.sb.hytte_id, "issue_date": "2026-11-06"},
        headers={"Idempotency-Key": "d-4"},
    )
    billed = await hours.json()
    assert (billed["delivery_from"], billed["delivery_to"]) == ("2026-10-27", "2026-11-03")
    pdf = await sales_gateway.call("GET", f"/invoices/{billed['number']}.xml")
    assert "<cbc:StartDate>2026-10-27</cbc:StartDate>" in await pdf.text()


async def test_credit_notes_for_part_of_an_invoice_and_a_refund(sales_gateway: SalesGateway) -> None:
    invoice = await (await _issue(sales_gateway, "c-1")).json()
    number = invoice["number"]
    two_hours = await sales_gateway.call("POST", f"/invoices/{number}/credit-notes", json={"hours": "2"})
    assert two_hours.status == 201, await two_hours.text()
    note = await two_hours.json()
    assert (note["number"], note["kind"], note["total"]) == (number + 1, "credit_note", "2500.00")
    assert note["credits"] == number
    assert note["lines"][0]["credits_line"] == 1 and note["delivery_to"] == invoice["delivery_to"]
    after = await (await sales_gateway.call("GET", f"/invoices/{number}")).json()
    assert (after["credited"], after["balance"], after["status"]) == ("2500.00", "3750.00", "unpaid")

    paid = await sales_gateway.call("POST", f"/invoices/{number}/payments", json={"amount": "3750"})
    assert paid.status == 201
    without = await sales_gateway.call("POST", f"/invoices/{number}/credit-notes", json={"amount": "1000"})
    assert without.status == 422 and await error_code(without) == "invoice_not_open"
    refunded = await sales_gateway.call(
        "POST", f"/invoices/{number}/credit-notes", json={"lines": [{"line": 1, "amount": "1000"}], "refund": True}
    )
    assert refunded.status == 201, await refunded.text()
    assert (await refunded.json())["total"] == "1250.00"
    final = await (await sales_gateway.call("GET", f"/invoices/{number}")).json()
    assert (final["paid"], final["balance"], final["credited"], final["status"]) == (
        "2500.00", "0.00", "3750.00", "paid",
    )
    journal = await (await sales_gateway.call("GET", "/journal?from=2000-01-01&to=2100-12-31")).json()
    refund = [e for e in journal["entries"] if e["description"].startswith("Tilbakebetaling")]
    assert [(x["account"], x["debit"], x["credit"]) for x in refund[0]["lines"]] == [
        ("1500", "1250.00", "0.00"),
        ("1920", "0.00", "1250.00"),
    ]
    for bad, status in (({"lines": [{"line": 9}]}, 422), ({"lines": "1"}, 400), ({"hours": "99"}, 422)):
        assert (await sales_gateway.call("POST", f"/invoices/{number}/credit-notes", json=bad)).status == status


async def test_on_postgresql_a_part_credit_keeps_the_books_balanced(pg_sales_gateway: SalesGateway) -> None:
    invoice = await (await _issue(pg_sales_gateway, "pg-1")).json()
    number = invoice["number"]
    response = await pg_sales_gateway.call(
        "POST", f"/invoices/{number}/credit-notes", json={"lines": [{"line": 1, "quantity": "1.5"}]}
    )
    assert response.status == 201, await response.text()
    trial = await (await pg_sales_gateway.call("GET", "/reports/trial-balance?from=2000-01-01&to=2100-12-31")).json()
    assert trial["balanced"] is True
    after = await (await pg_sales_gateway.call("GET", f"/invoices/{number}")).json()
    assert (after["credited"], after["balance"]) == ("1875.00", "4375.00")
