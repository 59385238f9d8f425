"""`GET /api/v1/companies/{cid}/reports/{name}`: every report for owner and accountant; staff
get 403, another company's owner 404, no token 401; figures are decimal strings."""

from __future__ import annotations

import pytest

from channels.api.reports import REPORTS
from ledger import clock
from tests.api.report_fixtures import Gateway, gateway

__all__ = ["gateway"]

NAMES = sorted(REPORTS)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("accountant", 200), ("staff", 403), ("foreign", 404)])
async def test_every_report_for_every_role(gateway: Gateway, name: str, role: str, status: int) -> None:
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.company_id}/reports/{name}", headers=gateway.auth(role)
    )
    assert response.status == status
    body = await response.json()
    if status == 200:
        assert body["report"] == name
    else:
        assert set(body["error"]) == {"code", "message"}


async def test_reports_need_a_token(gateway: Gateway) -> None:
    response = await gateway.client.get(f"/api/v1/companies/{gateway.company_id}/reports/trial-balance")
    assert response.status == 401


async def test_trial_balance_figures_are_exact_decimal_strings(gateway: Gateway) -> None:
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.company_id}/reports/trial-balance", headers=gateway.auth("owner")
    )
    body = await response.json()
    accounts = {a["account"]: a for a in body["accounts"]}
    assert accounts["1920"]["closing"] == "29500.00"
    assert accounts["1500"]["debit"] == "6250.00"
    assert accounts["2710"]["closing"] == "100.00"
    assert body["totals"]["closing"] == "0.00" and body["balanced"] is True


async def test_bank_balance_vat_and_profit_and_loss(gateway: Gateway) -> None:
    base = f"/api/v1/companies/{gateway.company_id}/reports"
    bank = await (await gateway.client.get(f"{base}/bank-balance", headers=gateway.auth("accountant"))).json()
    assert bank == {
        "report": "bank-balance", "account": "1920", "on": clock.today().isoformat(), "balance": "29500.00",
    }
    year = clock.today().year
    vat = await (await gateway.client.get(f"{base}/vat?term={year}-1", headers=gateway.auth("owner"))).json()
    assert vat["terms"][0]["to_pay"] == "1150.00"
    assert [(line["code"], line["base"], line["vat"]) for line in vat["terms"][0]["lines"]] == [
        ("3", "5000.00", "1250.00"),
        ("1", "400.00", "100.00"),
    ]
    pl = await (await gateway.client.get(f"{base}/profit-and-loss", headers=gateway.auth("owner"))).json()
    assert (pl["total_income"], pl["total_costs"], pl["result"]) == ("5000.00", "400.00", "4600.00")


@pytest.mark.parametrize(
    ("query", "code"),
    [("?from=2026-13-01", "invalid_date"), ("?from=2026-05-01&to=2026-04-01", "invalid_period"),
     ("?term=femte", "invalid_input")],
)
async def test_bad_parameters_get_a_clear_error(gateway: Gateway, query: str, code: str) -> None:
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.company_id}/reports/vat{query}", headers=gateway.auth("owner")
    )
    assert response.status in (400, 422)
    assert (await response.json())["error"]["code"] == code


async def test_an_unknown_report_is_404(gateway: Gateway) -> None:
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.company_id}/reports/horoscope", headers=gateway.auth("owner")
    )
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "unknown_report"
