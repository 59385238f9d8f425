"""A voucher's documentation over REST: list, keep (raw body or multipart), download with its
own content type, and the vouchers missing theirs; owner and accountant; another company's
voucher is 404."""

from __future__ import annotations

import aiohttp
import pytest

from ledger.attachments import max_attachment_bytes
from ledger.expenses import RegisteredExpense, register_expense
from tests.api.sales_gateway import MANAGERS_ONLY, SalesGateway, error_code, pg_sales_gateway, sales_gateway
from tests.ledger.builders import day

__all__ = ["pg_sales_gateway", "sales_gateway"]

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32


def _expense(gw: SalesGateway, amount: str = "499", category: str = "kontorrekvisita") -> RegisteredExpense:
    with gw.books.begin() as s:
        return register_expense(s, gw.cid, amount, category, day("2026-11-02"), "Clas Ohlson", gw.sb.owner_id, "web")


def _voucher(done: RegisteredExpense) -> str:
    return f"{done.year}-{done.voucher_number}"


async def _an_expense_without_its_receipt_is_listed_until_a_receipt_is_sent(gw: SalesGateway) -> None:
    paper = _expense(gw)
    lunch = _expense(gw, "850", "lunsj med kunde")
    missing = await (await gw.call("GET", "/vouchers/missing-documentation")).json()
    assert [(v["voucher"], v["amount"], v["needs"]) for v in missing["vouchers"]] == [
        (_voucher(paper), "499.00", "receipt"),
        (_voucher(lunch), "850.00", "receipt"),
    ]
    path = f"/journal/{_voucher(paper)}/attachments"
    listed = await (await gw.call("GET", path)).json()
    assert listed == {"voucher": _voucher(paper), "missing_documentation": True, "attachments": []}
    sent = await gw.call("POST", path + "?filename=kvittering.pdf", data=PDF)
    assert sent.status == 201
    kept = await sent.json()
    assert (kept["content_type"], kept["size"], kept["filename"], kept["kind"]) == (
        "application/pdf",
        len(PDF),
        "kvittering.pdf",
        "receipt",
    )
    again = await gw.call("POST", path, data=PDF)
    assert again.status == 200 and (await again.json())["id"] == kept["id"]
    listed = await (await gw.call("GET", path)).json()
    assert listed["missing_documentation"] is False and [a["id"] for a in listed["attachments"]] == [kept["id"]]
    file = await gw.client.get(kept["url"], headers=gw.auth("owner"))
    assert file.status == 200 and file.content_type == "application/pdf" and await file.read() == PDF
    assert 'filename="kvittering.pdf"' in file.headers["Content-Disposition"]
    missing = await (await gw.call("GET", "/vouchers/missing-documentation")).json()
    assert [v["voucher"] for v in missing["vouchers"]] == [_voucher(lunch)]


async def test_an_expense_without_its_receipt_is_listed_until_a_receipt_is_sent(sales_gateway: SalesGateway) -> None:
    await _an_expense_without_its_receipt_is_listed_until_a_receipt_is_sent(sales_gateway)


@pytest.mark.postgres
async def test_an_expense_without_its_receipt_is_listed_until_a_receipt_is_sent_on_postgresql(
    pg_sales_gateway: SalesGateway,
) -> None:
    await _an_expense_without_its_receipt_is_listed_until_a_receipt_is_sent(pg_sales_gateway)


async def test_a_receipt_sent_as_a_multipart_form_keeps_its_name_and_its_type_from_its_bytes(
    sales_gateway: SalesGateway,
) -> None:
    done = _expense(sales_gateway)
    form = aiohttp.FormData()
    form.add_field("file", JPEG, filename="Kvittering æøå.pdf", content_type="application/pdf")
    sent = await sales_gateway.call("POST", f"/journal/{_voucher(done)}/attachments", data=form)
    assert sent.status == 201
    kept = await sent.json()
    assert (kept["content_type"], kept["filename"]) == ("image/jpeg", "Kvittering æøå.pdf")
    file = await sales_gateway.client.get(kept["url"], headers=sales_gateway.auth("owner"))
    assert file.content_type == "image/jpeg" and file.headers["X-Content-Type-Options"] == "nosniff"
    assert "filename*=UTF-8''Kvittering%20%C3%A6%C3%B8%C3%A5.pdf" in file.headers["Content-Disposition"]


async def test_a_file_that_is_no_receipt_or_too_large_is_refused_and_nothing_is_kept(
    sales_gateway: SalesGateway,
) -> None:
    done = _expense(sales_gateway)
    path = f"/journal/{_voucher(done)}/attachments"
    refused = await sales_gateway.call("POST", path, data=b"just some text")
    assert refused.status == 422 and await error_code(refused) == "invalid_attachment"
    empty = await sales_gateway.call("POST", path, data=b"")
    assert empty.status == 422 and await error_code(empty) == "invalid_attachment"
    huge = await sales_gateway.call("POST", path, data=PDF + b"\x00" * max_attachment_bytes())
    assert huge.status == 413 and await error_code(huge) == "too_large"
    form = aiohttp.FormData()
    form.add_field("other", PDF, filename="x.pdf")
    no_file = await sales_gateway.call("POST", path, data=form)
    assert no_file.status == 400
    listed = await (await sales_gateway.call("GET", path)).json()
    assert listed["attachments"] == [] and listed["missing_documentation"] is True


@pytest.mark.parametrize(("role", "allowed"), MANAGERS_ONLY)
async def test_documents_per_role(sales_gateway: SalesGateway, role: str, allowed: bool | int) -> None:
    done = _expense(sales_gateway)
    path = f"/journal/{_voucher(done)}/attachments"
    for method, target, kwargs in (
        ("GET", path, {}),
        ("POST", path, {"data": PDF}),
        ("GET", "/vouchers/missing-documentation", {}),
    ):
        response = await sales_gateway.call(method, target, role, **kwargs)
        if allowed is True:
            assert response.status in (200, 201)
        else:
            assert response.status == allowed and await error_code(response)


async def test_another_companys_voucher_and_its_documents_are_not_found(sales_gateway: SalesGateway) -> None:
    gw = sales_gateway
    done = _expense(gw)
    kept = await (await gw.call("POST", f"/journal/{_voucher(done)}/attachments", data=PDF)).json()
    other = f"/api/v1/companies/{gw.other.company_id}/journal/{_voucher(done)}"
    foreign = gw.auth("foreign")
    # The other company's own books have no such voucher: nothing leaks through its id either.
    assert (await gw.client.get(other + "/attachments", headers=foreign)).status == 404
    assert (await gw.client.post(other + "/attachments", headers=foreign, data=PDF)).status == 404
    assert (await gw.client.get(f"{other}/attachments/{kept['id']}", headers=foreign)).status == 404
    # Nor through another voucher of the right company.
    later = _expense(gw, "120", "parkering")
    wrong = await gw.call("GET", f"/journal/{_voucher(later)}/attachments/{kept['id']}")
    assert wrong.status == 404
    assert (await gw.call("GET", "/journal/2026-999/attachments")).status == 404


async def test_equipment_over_the_capitalisation_limit_is_an_asset_over_rest_and_an_unclear_life_is_asked(
    sales_gateway: SalesGateway,
) -> None:
    gw = sales_gateway
    body = {"amount": "37500", "category": "laptop", "date": "2026-11-02"}
    laptop = await (await gw.call("POST", "/expenses", json=body, headers={"Idempotency-Key": "pc"})).json()
    assert [line["account"] for line in laptop["lines"]] == ["1280", "2710", "1920"]
    assert laptop["missing_documentation"] is True
    tools = {"amount": "50000", "category": "verktøy", "date": "2026-11-02"}
    asked = await gw.call("POST", "/expenses", json=tools, headers={"Idempotency-Key": "t1"})
    assert asked.status == 422 and await error_code(asked) == "equipment_life_unknown"
    wears = await gw.call("POST", "/expenses", json={**tools, "durable": False}, headers={"Idempotency-Key": "t2"})
    assert [line["account"] for line in (await wears.json())["lines"]] == ["6560", "2710", "1920"]
    lasts = await gw.call("POST", "/expenses", json={**tools, "durable": True}, headers={"Idempotency-Key": "t3"})
    assert [line["account"] for line in (await lasts.json())["lines"]] == ["1200", "2710", "1920"]
    bad = await gw.call("POST", "/expenses", json={**tools, "durable": "ja"}, headers={"Idempotency-Key": "t4"})
    assert bad.status == 400
