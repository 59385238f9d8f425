"""`/api/v1/companies/{cid}/expense-categories` and `/expenses`: owner and accountant read,
extend and post; staff get 403, another company's owner 404; a repeated key posts once; bad
input changes nothing."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from ledger.expenses import set_vehicle
from ledger.models import JournalLine
from tests.api.sales_gateway import MANAGERS_ONLY, SalesGateway, error_code, sales_gateway

__all__ = ["sales_gateway"]


def journal_lines(gateway: SalesGateway) -> int:
    with gateway.books.begin() as session:
        return int(session.scalar(select(func.count(JournalLine.id)).where(JournalLine.company_id == gateway.cid)) or 0)


def key(name: str) -> dict[str, str]:
    return {"Idempotency-Key": name}


@pytest.mark.parametrize(("role", "allowed"), MANAGERS_ONLY)
async def test_categories_per_role(sales_gateway: SalesGateway, role: str, allowed: bool | int) -> None:
    response = await sales_gateway.call("GET", "/expense-categories", role)
    if allowed is True:
        assert response.status == 200
        rules = {c["keyword"]: (c["account"], c["vat_code"]) for c in (await response.json())["categories"]}
        assert rules["drivstoff"] == ("7000", "1") and rules["lunsj med kunde"] == ("7350", "0")
    else:
        assert response.status == allowed
        await error_code(response)


@pytest.mark.parametrize(("role", "allowed"), MANAGERS_ONLY)
async def test_a_company_word_is_learnt_and_used(sales_gateway: SalesGateway, role: str, allowed: bool | int) -> None:
    body = {"keyword": "hundefôr", "account": "6560", "vat_code": "1", "note_nb": "vakthunden"}
    response = await sales_gateway.call("POST", "/expense-categories", role, json=body)
    if allowed is not True:
        assert response.status == allowed
        return
    assert response.status == 201
    assert (await response.json())["company_specific"] is True
    posted = await sales_gateway.call(
        "POST", "/expenses", role, json={"amount": "250", "category": "hundefôr", "date": "2026-11-02"},
        headers=key(f"dog-{role}"),
    )
    assert posted.status == 201, await posted.text()
    lines = [(x["account"], x["debit"], x["credit"]) for x in (await posted.json())["lines"]]
    assert lines == [("6560", "200.00", "0.00"), ("2710", "50.00", "0.00"), ("1920", "0.00", "250.00")]


async def test_fuel_for_a_van_posts_the_spec_example_once_per_key(sales_gateway: SalesGateway) -> None:
    with sales_gateway.books.begin() as session:
        set_vehicle(session, sales_gateway.cid, "van")
    body = {"amount": "500", "category": "drivstoff", "date": "2026-11-02", "vendor": "Circle K"}
    responses = await asyncio.gather(
        *[sales_gateway.call("POST", "/expenses", json=body, headers=key("fuel-1")) for _ in range(3)]
    )
    assert sorted(r.status for r in responses) == [200, 200, 201]
    first = await responses[0].json()
    assert [(x["account"], x["debit"], x["credit"], x["vat_code"]) for x in first["lines"]] == [
        ("7000", "400.00", "0.00", "1"),
        ("2710", "100.00", "0.00", "1"),
        ("1920", "0.00", "500.00", None),
    ]
    assert journal_lines(sales_gateway) == 3
    other = await sales_gateway.call("POST", "/expenses", json={**body, "amount": "600"}, headers=key("fuel-1"))
    assert other.status == 409


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"amount": "12.345", "category": "kontorrekvisita"}, 422, "invalid_amount"),
        ({"amount": "-50", "category": "kontorrekvisita"}, 422, "invalid_amount"),
        ({"amount": "femti", "category": "kontorrekvisita"}, 422, "invalid_amount"),
        ({"amount": "50", "category": "flyreise til månen"}, 404, "unknown_expense_category"),
        ({"amount": "50"}, 400, "invalid_input"),
    ],
)
async def test_bad_expenses_are_refused_and_change_nothing(
    sales_gateway: SalesGateway, body: dict[str, str], status: int, code: str
) -> None:
    before = journal_lines(sales_gateway)
    response = await sales_gateway.call("POST", "/expenses", json=body, headers=key(f"bad-{code}-{body}"))
    assert response.status == status, await response.text()
    assert await error_code(response) == code
    assert journal_lines(sales_gateway) == before


async def test_posting_an_expense_needs_an_idempotency_key(sales_gateway: SalesGateway) -> None:
    response = await sales_gateway.call("POST", "/expenses", json={"amount": "50", "category": "porto"})
    assert response.status == 400
