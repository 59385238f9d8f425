"""`/api/v1/companies/{cid}/projects`: owner and accountant list, create, read and resolve;
staff get 403, another company's owner 404."""

from __future__ import annotations

import pytest

from tests.api.sales_gateway import MANAGERS_ONLY, SalesGateway, error_code, sales_gateway

__all__ = ["sales_gateway"]


@pytest.mark.parametrize(("role", "allowed"), MANAGERS_ONLY)
async def test_list_and_read_projects_per_role(sales_gateway: SalesGateway, role: str, allowed: bool | int) -> None:
    listed = await sales_gateway.call("GET", "/projects", role)
    one = await sales_gateway.call("GET", f"/projects/{sales_gateway.sb.hytte_id}", role)
    resolved = await sales_gateway.call("GET", "/projects/resolve?name=hemsedal", role)
    if allowed is True:
        assert (listed.status, one.status, resolved.status) == (200, 200, 200)
        body = await listed.json()
        assert [(p["name"], p["hourly_rate"]) for p in body["projects"]] == [
            ("Hyttebygg Hemsedal", "1100.00"),
            ("Nettside", "950.00"),
        ]
        assert (await resolved.json())["candidates"][0]["id"] == sales_gateway.sb.hytte_id
    else:
        assert (listed.status, one.status, resolved.status) == (allowed, allowed, allowed)


@pytest.mark.parametrize(("role", "allowed"), MANAGERS_ONLY)
async def test_create_project_per_role(sales_gateway: SalesGateway, role: str, allowed: bool | int) -> None:
    body = {"name": "Support", "customer_id": sales_gateway.sb.nordlys_id, "hourly_rate": "850"}
    response = await sales_gateway.call("POST", "/projects", role, json=body)
    if allowed is True:
        assert response.status == 201
        created = await response.json()
        assert (created["name"], created["customer_id"], created["hourly_rate"]) == (
            "Support",
            sales_gateway.sb.nordlys_id,
            "850.00",
        )
    else:
        assert response.status == allowed


async def test_projects_for_one_customer(sales_gateway: SalesGateway) -> None:
    response = await sales_gateway.call("GET", f"/projects?customer_id={sales_gateway.sb.fjord_id}")
    assert [p["name"] for p in (await response.json())["projects"]] == ["Hyttebygg Hemsedal"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "nettside"}, 422, "duplicate_name"),
        ({"name": "Ny", "customer_id": 99999}, 404, "unknown_customer"),
        ({"name": "Ny", "hourly_rate": "-5"}, 422, "invalid_amount"),
        ({"name": "Ny", "customer_id": "Fjord"}, 400, "invalid_input"),
    ],
)
async def test_bad_projects_are_refused(
    sales_gateway: SalesGateway, body: dict[str, object], status: int, code: str
) -> None:
    if body.get("customer_id") == 99999:
        body = {**body, "customer_id": sales_gateway.other.fjord_id}
    response = await sales_gateway.call("POST", "/projects", json=body)
    assert response.status == status
    assert await error_code(response) == code
