"""`POST /api/v1/companies/{cid}/bank/statements`: camt.053 XML, CSV or a multipart form;
matches and postings come back; a second import posts nothing; owner and accountant only."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from ledger.invoicing import issue_invoice
from tests.api.sales_gateway import MANAGERS_ONLY, SalesGateway, error_code, sales_gateway
from tests.ledger.builders import day, line

__all__ = ["sales_gateway"]

DATA = Path(__file__).resolve().parents[1] / "ledger" / "data"
CAMT = (DATA / "camt053_no.xml").read_bytes()
CSV = (DATA / "statement_no.csv").read_bytes()


def three_invoices(gw: SalesGateway) -> None:
    with gw.books.begin() as s:
        issue_invoice(s, gw.cid, gw.sb.fjord_id, [line("5 × 1000 Rådgivning")], issue_date=day("2026-10-20"))
        issue_invoice(s, gw.cid, gw.sb.nordlys_id, [line("10 × 950 Nettside")], issue_date=day("2026-10-21"))
        issue_invoice(s, gw.cid, gw.sb.fjord_id, [line("1 × 800 Befaring")], issue_date=day("2026-10-22"))


@pytest.mark.parametrize(("role", "allowed"), MANAGERS_ONLY)
async def test_import_camt_per_role(sales_gateway: SalesGateway, role: str, allowed: bool | int) -> None:
    three_invoices(sales_gateway)
    response = await sales_gateway.call(
        "POST", "/bank/statements", role, data=CAMT, headers={"Content-Type": "application/xml"}
    )
    if allowed is not True:
        assert response.status == allowed
        await error_code(response)
        return
    assert response.status == 200
    body = await response.json()
    assert body["format"] == "camt.053" and len(body["lines"]) == 7
    assert [(m["invoice_number"], m["amount"], m["rule"]) for m in body["matches"]] == [
        (10001, "6250.00", "kid"),
        (10002, "11875.00", "amount_and_customer"),
        (10003, "400.00", "kid"),
    ]
    assert [u["reason"] for u in body["unmatched"]] == ["outgoing", "no_match", "overpayment", "currency"]
    assert [p["repeated"] for p in body["posted"]] == [False, False, False]


async def test_a_second_import_posts_nothing(sales_gateway: SalesGateway) -> None:
    three_invoices(sales_gateway)
    headers = {"Content-Type": "application/xml"}
    await sales_gateway.call("POST", "/bank/statements", data=CAMT, headers=headers)
    again = await (await sales_gateway.call("POST", "/bank/statements", data=CAMT, headers=headers)).json()
    assert again["posted"] == [] and again["matches"] == []
    assert [u["reason"] for u in again["unmatched"]].count("already_posted") == 3
    invoices = await (await sales_gateway.call("GET", "/invoices?status=paid")).json()
    assert [i["number"] for i in invoices["invoices"]] == [10001, 10002]


async def test_csv_and_a_proposal_without_posting(sales_gateway: SalesGateway) -> None:
    three_invoices(sales_gateway)
    proposal = await sales_gateway.call(
        "POST", "/bank/statements?post=false", data=CSV, headers={"Content-Type": "text/csv"}
    )
    body = await proposal.json()
    assert body["format"] == "csv" and len(body["matches"]) == 2 and body["posted"] == []
    posted = await sales_gateway.call("POST", "/bank/statements", data=CSV, headers={"Content-Type": "text/csv"})
    assert [p["invoice_number"] for p in (await posted.json())["posted"]] == [10001, 10002]


async def test_a_multipart_upload(sales_gateway: SalesGateway) -> None:
    three_invoices(sales_gateway)
    form = aiohttp.FormData()
    form.add_field("file", CAMT, filename="kontoutskrift.xml", content_type="application/xml")
    response = await sales_gateway.call("POST", "/bank/statements", data=form)
    assert response.status == 200
    assert len((await response.json())["posted"]) == 3


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b"", "text/csv", 400),
        (b"<Document><broken>", "application/xml", 422),
        (b"2026-11-03;Tekst;mye", "text/csv", 422),
    ],
)
async def test_bad_statements_are_refused(
    sales_gateway: SalesGateway, data: bytes, content_type: str, status: int
) -> None:
    response = await sales_gateway.call("POST", "/bank/statements", data=data, headers={"Content-Type": content_type})
    assert response.status == status
    await error_code(response)
