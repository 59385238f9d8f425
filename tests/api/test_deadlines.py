"""`GET /api/v1/companies/{cid}/deadlines`: kind, due date, period and late-fee rule."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.report_fixtures import Gateway, gateway

__all__ = ["gateway"]


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("accountant", 200), ("staff", 403), ("foreign", 404)])
async def test_deadlines_for_every_role(gateway: Gateway, role: str, status: int) -> None:
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.company_id}/deadlines", headers=gateway.auth(role)
    )
    assert response.status == status


async def test_deadlines_of_a_vat_registered_as(gateway: Gateway) -> None:
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.company_id}/deadlines", headers=gateway.auth("owner")
    )
    found = (await response.json())["deadlines"]
    kinds = {d["kind"] for d in found}
    assert {"mva", "aksjonaerregisteroppgave", "skattemelding", "arsregnskap"} <= kinds
    assert "a-melding" not in kinds  # no employees
    dates = [dt.date.fromisoformat(d["due_date"]) for d in found]
    assert dates == sorted(dates)
    accounts = next(d for d in found if d["kind"] == "arsregnskap")
    assert accounts["late_fee_rule"]["max_rettsgebyr"] == 52
    assert set(accounts["late_fee_rule"]) >= {"rettsgebyr", "max_fee", "steps", "law"}
    assert all(d["late_fee_rule"] is None for d in found if d["kind"] == "mva")


@pytest.mark.parametrize("days", ["mange", "0", "99999"])
async def test_bad_days_get_400(gateway: Gateway, days: str) -> None:
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.company_id}/deadlines?days={days}", headers=gateway.auth("owner")
    )
    assert response.status == 400
