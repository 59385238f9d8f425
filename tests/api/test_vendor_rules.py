"""`/api/v1/companies/{cid}/vendor-rules`: the rules the assistant learned, listed, changed
(account, purchase VAT code, category) and forgotten by owner and accountant; another
company's rule is 404, a bad account or code is refused and changes nothing."""

from __future__ import annotations

import pytest

from ledger.vendor_rules import remember_vendor
from tests.api.sales_gateway import MANAGERS_ONLY, SalesGateway, error_code, sales_gateway

__all__ = ["sales_gateway"]


def telenor(gw: SalesGateway) -> int:
    with gw.books.begin() as s:
        return remember_vendor(s, gw.cid, "Telenor Norge AS", "6900", "1", category="telefon").id


@pytest.mark.parametrize(("role", "allowed"), MANAGERS_ONLY)
async def test_rules_are_listed_per_role(sales_gateway: SalesGateway, role: str, allowed: bool | int) -> None:
    rule_id = telenor(sales_gateway)
    response = await sales_gateway.call("GET", "/vendor-rules", role)
    if allowed is not True:
        assert response.status == allowed
        await error_code(response)
        return
    assert response.status == 200
    assert (await response.json())["vendor_rules"] == [{
        "id": rule_id, "vendor": "Telenor Norge AS", "vendor_key": "telenor norge", "category": "telefon",
        "account": "6900", "vat_code": "1", "times_used": 1,
    }]


async def test_a_rule_is_changed_and_forgotten(sales_gateway: SalesGateway) -> None:
    rule_id = telenor(sales_gateway)
    changed = await sales_gateway.call("PUT", f"/vendor-rules/{rule_id}", "accountant",
                                       json={"account": "6800", "category": "kontorrekvisita"})
    assert changed.status == 200
    body = await changed.json()
    assert (body["account"], body["vat_code"], body["category"]) == ("6800", "1", "kontorrekvisita")
    bad_account = await sales_gateway.call("PUT", f"/vendor-rules/{rule_id}", json={"account": "6999"})
    bad_code = await sales_gateway.call("PUT", f"/vendor-rules/{rule_id}", json={"vat_code": "3"})
    unknown_field = await sales_gateway.call("PUT", f"/vendor-rules/{rule_id}", json={"vendor": "Telia"})
    assert (bad_account.status, bad_code.status, unknown_field.status) == (422, 422, 400)
    assert await error_code(bad_account) == "unknown_account"
    listed = await (await sales_gateway.call("GET", "/vendor-rules")).json()
    assert listed["vendor_rules"][0]["account"] == "6800"
    assert (await sales_gateway.call("DELETE", f"/vendor-rules/{rule_id}")).status == 204
    assert (await (await sales_gateway.call("GET", "/vendor-rules")).json())["vendor_rules"] == []
    assert (await sales_gateway.call("DELETE", f"/vendor-rules/{rule_id}")).status == 404


async def test_another_companys_rule_is_not_found(sales_gateway: SalesGateway) -> None:
    with sales_gateway.books.begin() as s:
        theirs = remember_vendor(s, sales_gateway.other.company_id, "Telenor", "6900", "1").id
    assert (await sales_gateway.call("PUT", f"/vendor-rules/{theirs}", json={"account": "6800"})).status == 404
    assert (await sales_gateway.call("DELETE", f"/vendor-rules/{theirs}", "staff")).status == 403
    assert (await sales_gateway.call("DELETE", f"/vendor-rules/{theirs}")).status == 404
