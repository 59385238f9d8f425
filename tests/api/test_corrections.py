"""`POST .../journal/{voucher}/corrections`: the ledger's one correction policy over REST: an
invoice is credited, anything else reversed, nothing is edited, and only bookkeepers may."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.report_fixtures import Gateway, gateway

__all__ = ["gateway"]


async def _journal(gateway: Gateway) -> list[dict[str, Any]]:
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.company_id}/journal?from=2000-01-01&to=2099-12-31", headers=gateway.auth("owner")
    )
    assert response.status == 200
    return list((await response.json())["entries"])


def _voucher(entry: dict[str, Any]) -> str:
    return f"{entry['year']}-{entry['voucher_number']}"


def _url(gateway: Gateway, voucher: str) -> str:
    return f"/api/v1/companies/{gateway.company_id}/journal/{voucher}/corrections"


async def test_an_invoice_is_credited_and_an_expense_reversed(gateway: Gateway) -> None:
    entries = await _journal(gateway)
    invoice = next(e for e in entries if any(line["account"] == "1500" for line in e["lines"]))
    expense = next(e for e in entries if any(line["account"].startswith("7") for line in e["lines"]))
    credited = await gateway.client.post(_url(gateway, _voucher(invoice)), headers=gateway.auth("accountant"))
    assert credited.status == 201, await credited.text()
    body = await credited.json()
    assert body["kind"] == "credited" and body["credit_note_number"] is not None and body["reversal"]
    reversed_ = await gateway.client.post(_url(gateway, _voucher(expense)), headers=gateway.auth("owner"))
    assert reversed_.status == 201
    assert (await reversed_.json())["kind"] == "reversed"
    after = await _journal(gateway)
    assert len(after) == len(entries) + 2  # two new vouchers, nothing edited or deleted
    assert [e["lines"] for e in after[: len(entries)]] == [e["lines"] for e in entries]
    again = await gateway.client.post(_url(gateway, _voucher(expense)), headers=gateway.auth("owner"))
    assert again.status == 422


async def test_the_same_key_corrects_once(gateway: Gateway) -> None:
    expense = next(e for e in await _journal(gateway) if any(x["account"].startswith("7") for x in e["lines"]))
    headers = {**gateway.auth("owner"), "Idempotency-Key": "fix-1"}
    first = await gateway.client.post(_url(gateway, _voucher(expense)), headers=headers)
    second = await gateway.client.post(_url(gateway, _voucher(expense)), headers=headers)
    assert (first.status, second.status) == (201, 200)
    assert await first.json() == await second.json()


@pytest.mark.parametrize(("role", "voucher", "status"), [
    ("staff", None, 403), ("foreign", None, 404), ("owner", "2001-999", 404), ("owner", "9999-1", 404),
])
async def test_corrections_are_refused_for_staff_strangers_and_unknown_vouchers(
    gateway: Gateway, role: str, voucher: str | None, status: int
) -> None:
    entries = await _journal(gateway)
    response = await gateway.client.post(_url(gateway, voucher or _voucher(entries[0])), headers=gateway.auth(role))
    assert response.status == status
    assert len(await _journal(gateway)) == len(entries)
