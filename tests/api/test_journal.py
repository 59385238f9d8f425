"""`GET /api/v1/companies/{cid}/journal`: entries with their lines, for owner and accountant."""

from __future__ import annotations

import pytest

from tests.api.report_fixtures import Gateway, gateway

__all__ = ["gateway"]


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("accountant", 200), ("staff", 403), ("foreign", 404)])
async def test_journal_for_every_role(gateway: Gateway, role: str, status: int) -> None:
    response = await gateway.client.get(f"/api/v1/companies/{gateway.company_id}/journal", headers=gateway.auth(role))
    assert response.status == status


async def test_journal_lines_carry_account_debit_credit_and_vat_code(gateway: Gateway) -> None:
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.company_id}/journal", headers=gateway.auth("accountant")
    )
    entries = (await response.json())["entries"]
    assert [e["voucher_number"] for e in entries] == [1, 2, 3]
    fuel = entries[2]
    assert [(x["account"], x["debit"], x["credit"], x["vat_code"]) for x in fuel["lines"]] == [
        ("7000", "400.00", "0.00", "1"),
        ("2710", "100.00", "0.00", "1"),
        ("1920", "0.00", "500.00", None),
    ]


async def test_journal_period_filters_and_bad_dates(gateway: Gateway) -> None:
    base = f"/api/v1/companies/{gateway.company_id}/journal"
    empty = await gateway.client.get(f"{base}?from=2001-01-01&to=2001-12-31", headers=gateway.auth("owner"))
    assert (await empty.json())["entries"] == []
    bad = await gateway.client.get(f"{base}?from=i+går", headers=gateway.auth("owner"))
    assert bad.status == 400
    assert (await bad.json())["error"]["code"] == "invalid_date"


async def test_another_companys_id_is_not_found_even_for_an_owner(gateway: Gateway) -> None:
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.other_company_id}/journal", headers=gateway.auth("owner")
    )
    assert response.status == 404
