"""`POST .../vat/{term}/settlement`: settles a term once, closes it, and is refused for staff,
other companies, terms not yet ended and terms already settled."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger import clock
from tests.api.report_fixtures import Gateway, gateway

__all__ = ["gateway"]


def _url(gateway: Gateway, term: str) -> str:
    return f"/api/v1/companies/{gateway.company_id}/vat/{term}/settlement"


@pytest.mark.parametrize(("role", "status"), [("staff", 403), ("foreign", 404)])
async def test_settlement_is_refused_for_staff_and_strangers(gateway: Gateway, role: str, status: int) -> None:
    response = await gateway.client.post(_url(gateway, f"{clock.today().year}-1"), headers=gateway.auth(role))
    assert response.status == status


@pytest.mark.parametrize("role", ["owner", "accountant"])
async def test_a_term_is_settled_once_and_closes_the_books(gateway: Gateway, role: str) -> None:
    year = clock.today().year  # the books start on 1 January of the clock's year
    with clock.pinned(dt.date(year, 3, 1)):  # the first term has ended
        first = await gateway.client.post(_url(gateway, f"{year}-1"), headers=gateway.auth(role))
        assert first.status == 201
        body = await first.json()
        closed = f"{year}-02-28" if year % 4 else f"{year}-02-29"
        assert (body["amount"], body["closed_through"]) == ("1150.00", closed)
        assert body["report"]["settled"] is True
        again = await gateway.client.post(_url(gateway, f"{year}-1"), headers=gateway.auth(role))
    assert again.status == 422
    assert (await again.json())["error"]["code"] == "period_locked"
    bank = await gateway.client.get(
        f"/api/v1/companies/{gateway.company_id}/reports/trial-balance?to={year}-02-28", headers=gateway.auth(role)
    )
    accounts = {a["account"]: a["closing"] for a in (await bank.json())["accounts"]}
    assert accounts["2740"] == "-1150.00" and "2700" in accounts and accounts["2700"] == "0.00"


@pytest.mark.parametrize(
    ("term", "code"), [("2026-7", "invalid_input"), ("femte", "invalid_input"), ("2999-1", "invalid_input")]
)
async def test_bad_or_unfinished_terms_are_refused(gateway: Gateway, term: str, code: str) -> None:
    response = await gateway.client.post(_url(gateway, term), headers=gateway.auth("owner"))
    assert response.status == 422
    assert (await response.json())["error"]["code"] == code
