"""The audit trail over REST: who posted a voucher or an invoice, when, through which channel,
and what corrected it; for bookkeepers only, and never another company's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.report_fixtures import Gateway, gateway

__all__ = ["gateway"]


async def _get(gateway: Gateway, path: str, role: str = "owner") -> tuple[int, Any]:
    response = await gateway.client.get(f"/api/v1/companies/{gateway.company_id}{path}", headers=gateway.auth(role))
    return response.status, await response.json()


async def _first_invoice(gateway: Gateway) -> dict[str, Any]:
    status, body = await _get(gateway, "/invoices")
    assert status == 200
    return dict(body["invoices"][0])


async def test_an_invoice_credited_through_the_api_shows_who_posted_it_and_who_credited_it(gateway: Gateway) -> None:
    invoice = await _first_invoice(gateway)
    status, before = await _get(gateway, f"/invoices/{invoice['number']}/audit")
    assert status == 200, before
    assert before["kind"] == "invoice" and before["invoice_number"] == invoice["number"]
    assert before["channel"] == "api" and before["corrections"] == []
    assert before["posted_at"].endswith("+00:00")

    credited = await gateway.client.post(
        f"/api/v1/companies/{gateway.company_id}/journal/{before['voucher']}/corrections",
        headers=gateway.auth("accountant"),
    )
    assert credited.status == 201
    note = (await credited.json())["credit_note_number"]

    status, after = await _get(gateway, f"/invoices/{invoice['number']}/audit", role="accountant")
    assert status == 200
    [correction] = after["corrections"]
    assert correction["kind"] == "credit_note" and correction["credit_note_number"] == note
    assert correction["posted_by"] == "Regn Skapsen" and correction["channel"] == "api"
    assert {k: after[k] for k in ("voucher", "posted_at", "posted_by")} == {
        k: before[k] for k in ("voucher", "posted_at", "posted_by")
    }


async def test_a_reversed_voucher_shows_its_reversal_and_the_reversal_who_posted_it(gateway: Gateway) -> None:
    status, journal = await _get(gateway, "/journal?from=2000-01-01&to=2099-12-31")
    capital = next(e for e in journal["entries"] if e["description"] == "Aksjekapital")
    voucher = f"{capital['year']}-{capital['voucher_number']}"
    reversed_ = await gateway.client.post(
        f"/api/v1/companies/{gateway.company_id}/journal/{voucher}/corrections", headers=gateway.auth("owner")
    )
    assert reversed_.status == 201

    status, trail = await _get(gateway, f"/journal/{voucher}/audit")

    assert status == 200
    assert trail["kind"] == "voucher" and trail["channel"] == "cli" and trail["posted_by"] is None
    [correction] = trail["corrections"]
    assert correction["kind"] == "reversal" and correction["posted_by"] == "Kari Nordmann"
    assert correction["voucher"] == (await reversed_.json())["reversal"]


@pytest.mark.parametrize(("role", "path", "status"), [
    ("staff", "/invoices/{number}/audit", 403),
    ("foreign", "/invoices/{number}/audit", 404),
    ("owner", "/invoices/99999/audit", 404),
    ("owner", "/journal/2001-999/audit", 404),
    ("staff", "/journal/{voucher}/audit", 403),
])
async def test_the_trail_is_refused_to_staff_strangers_and_for_what_does_not_exist(
    gateway: Gateway, role: str, path: str, status: int
) -> None:
    invoice = await _first_invoice(gateway)
    _, trail = await _get(gateway, f"/invoices/{invoice['number']}/audit")
    answer, body = await _get(gateway, path.format(number=invoice["number"], voucher=trail["voucher"]), role=role)
    assert answer == status
    assert "error" in body
