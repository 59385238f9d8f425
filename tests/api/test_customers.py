"""`/api/v1/companies/{cid}/customers`: owner and accountant list, create, read and resolve;
staff get 403, another company's owner 404."""

from __future__ import annotations

import pytest

from tests.api.sales_gateway import MANAGERS_ONLY, SalesGateway, error_code, sales_gateway

__all__ = ["sales_gateway"]


@pytest.mark.parametrize(("role", "allowed"), MANAGERS_ONLY)
async def test_list_customers_per_role(sales_gateway: SalesGateway, role: str, allowed: bool | int) -> None:
    response = await sales_gateway.call("GET", "/customers", role)
    if allowed is True:
        assert response.status == 200
        body = await response.json()
        assert [(c["number"], c["name"], c["hourly_rate"]) for c in body["customers"]] == [
            (10000, "Fjord Bygg AS", "1000.00"),
            (10001, "Nordlys Regnskap AS", None),
        ]
    else:
        assert response.status == allowed
        await error_code(response)


@pytest.mark.parametrize(("role", "allowed"), MANAGERS_ONLY)
async def test_create_customer_per_role(sales_gateway: SalesGateway, role: str, allowed: bool | int) -> None:
    body = {"name": "Hansen Rør AS", "orgnr": "987654325", "email": "post@hansenror.example", "hourly_rate": 850}
    response = await sales_gateway.call("POST", "/customers", role, json=body)
    if allowed is True:
        assert response.status == 201
        created = await response.json()
        assert (created["number"], created["orgnr"], created["hourly_rate"]) == (10002, "987654325", "850.00")
        again = await sales_gateway.call("GET", f"/customers/{created['id']}", role)
        assert (await again.json())["name"] == "Hansen Rør AS"
    else:
        assert response.status == allowed


@pytest.mark.parametrize(("role", "allowed"), MANAGERS_ONLY)
async def test_read_and_resolve_per_role(sales_gateway: SalesGateway, role: str, allowed: bool | int) -> None:
    one = await sales_gateway.call("GET", f"/customers/{sales_gateway.sb.fjord_id}", role)
    resolved = await sales_gateway.call("GET", "/customers/resolve?name=fjord", role)
    if allowed is True:
        assert one.status == 200 and resolved.status == 200
        body = await resolved.json()
        assert body["outcome"] == "one" and body["candidates"][0]["name"] == "Fjord Bygg AS"
    else:
        assert one.status == allowed and resolved.status == allowed


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "Fjord Bygg AS"}, 422, "duplicate_name"),
        ({"name": "Ny AS", "orgnr": "123456789"}, 422, "invalid_orgnr"),
        ({"name": "Ny AS", "hourly_rate": "mye"}, 422, "invalid_amount"),
        ({"name": "Ny AS", "hourly_rate": 100.555}, 422, "invalid_amount"),
        ({"name": 42}, 400, "invalid_input"),
        ({}, 400, "invalid_input"),
    ],
)
async def test_bad_customers_are_refused(
    sales_gateway: SalesGateway, body: dict[str, object], status: int, code: str
) -> None:
    response = await sales_gateway.call("POST", "/customers", json=body)
    assert response.status == status
    assert await error_code(response) == code
    listed = await (await sales_gateway.call("GET", "/customers")).json()
    assert len(listed["customers"]) == 2


async def test_unknown_names_and_foreign_customers_are_404(sales_gateway: SalesGateway) -> None:
    assert (await sales_gateway.call("GET", "/customers/resolve?name=Telenor")).status == 404
    assert (await sales_gateway.call("GET", f"/customers/{sales_gateway.other.fjord_id}")).status == 404


async def test_no_token_is_401(sales_gateway: SalesGateway) -> None:
    response = await sales_gateway.client.get(sales_gateway.url("/customers"))
    assert response.status == 401
