"""Control characters never reach the books: a name, address or line text with NUL, ESC or
another C0 character is cleaned on the way in (REST, chat, command line), the statutory files
stay valid, text stored before the fix is cleaned by a migration, and a customer can be
renamed."""

from __future__ import annotations

from typing import Any

from lxml import etree
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from ledger.companies import create_company
from ledger.db import make_engine
from ledger.migrate import upgrade
from ledger.models import Company, Customer
from tests.api.sales_gateway import SalesGateway, sales_gateway

__all__ = ["sales_gateway"]

HOSTILE = "Fjord\x00 Bygg\x1b[31m\x07 AS\x08"


async def test_a_customer_named_with_control_characters_is_stored_clean_and_invoiced_in_valid_ehf(
    sales_gateway: SalesGateway,
) -> None:
    hostile = {"name": HOSTILE, "address": "Sjø\x00gata 4", "postcode": "5003", "city": "Bergen", "orgnr": "912345602"}
    made = await sales_gateway.call("POST", "/customers", json=hostile)
    assert made.status == 201, await made.text()
    customer: dict[str, Any] = await made.json()
    assert customer["name"] == "Fjord Bygg[31m AS" and customer["address"] == "Sjøgata 4"
    line = {"description": "Råd\x00givning\x1f", "quantity": "1", "unit_price": "1000", "vat_code": "3"}
    issued = await sales_gateway.call(
        "POST", "/invoices", json={"customer_id": customer["id"], "lines": [line]},
        headers={"Idempotency-Key": "ctl-1"},
    )
    assert issued.status == 201, await issued.text()
    number = (await issued.json())["number"]
    xml = await sales_gateway.call("GET", f"/invoices/{number}.xml")
    assert xml.status == 200
    etree.fromstring(await xml.read())  # well-formed: nothing XML cannot carry
    year = (await issued.json())["issue_date"][:4]
    saft = await sales_gateway.call("GET", f"/export/saft?year={year}")
    assert saft.status == 200, await saft.text()
    etree.fromstring(await saft.read())


async def test_a_customer_is_renamed_and_a_taken_name_is_refused(sales_gateway: SalesGateway) -> None:
    fjord = sales_gateway.sb.fjord_id
    renamed = await sales_gateway.call("PATCH", f"/customers/{fjord}", json={"name": "Fjord Bygg og\x00 Anlegg AS"})
    assert renamed.status == 200, await renamed.text()
    assert (await renamed.json())["name"] == "Fjord Bygg og Anlegg AS"
    taken = await sales_gateway.call("PATCH", f"/customers/{fjord}", json={"name": "Nordlys Regnskap AS"})
    assert taken.status in (409, 422)
    unknown_field = await sales_gateway.call("PATCH", f"/customers/{fjord}", json={"number": 1})
    assert unknown_field.status == 400
    staff = await sales_gateway.call("PATCH", f"/customers/{fjord}", "staff", json={"name": "X AS"})
    foreign = await sales_gateway.call("PATCH", f"/customers/{fjord}", "foreign", json={"name": "X AS"})
    assert (staff.status, foreign.status) == (403, 404)
    again = await sales_gateway.call("GET", f"/customers/{fjord}")
    assert (await again.json())["name"] == "Fjord Bygg og Anlegg AS"


def test_the_command_lines_company_names_are_cleaned_too(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    upgrade(url)
    engine = make_engine(url)
    with sessionmaker(engine).begin() as session:
        made = create_company(session, "Ctrl\x00 AS\x1b", owner_name="Kari\x07 Nordmann")
        assert made.company.name == "Ctrl AS" and made.owner.user.name == "Kari Nordmann"
    engine.dispose()


def test_text_stored_before_the_fix_is_cleaned_by_the_migration(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "2bacfd5662df")  # the books as they were, written as they could be then
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO companies (id, name, form, vat_registered, vat_term, address, postcode, city, email,"
            " bank_account, kid_method, payment_terms_days, has_employees, created_at)"
            " VALUES (1, :name, 'AS', 0, 'bimonthly', '', '', '', '', '', 'MOD10', 14, 0, CURRENT_TIMESTAMP)"
        ), {"name": "Gammel\x00 AS"})
        conn.execute(text(
            "INSERT INTO customers (company_id, number, name, email, address, postcode, city, created_at)"
            " VALUES (1, 10000, :name, '', :address, '', '', CURRENT_TIMESTAMP)"
        ), {"name": "Nul\x00 AS", "address": "Vei\x1b 1"})
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with sessionmaker(engine).begin() as session:
        customer = session.query(Customer).one()
        assert (customer.name, customer.address) == ("Nul AS", "Vei 1")
        company = session.get(Company, 1)
        assert company is not None and company.name == "Gammel AS"
    engine.dispose()


async def test_an_invoice_line_takes_only_the_companys_own_project(sales_gateway: SalesGateway) -> None:
    """Another company's project id, or one that does not exist, is refused (404) and nothing
    is posted; the company's own is taken."""
    line = {"description": "Rådgivning", "quantity": "1", "unit_price": "1000", "vat_code": "3"}
    customer = sales_gateway.sb.fjord_id
    for n, project in enumerate((sales_gateway.other.hytte_id, 999_999, 2**31 - 1)):
        body = {"customer_id": customer, "lines": [{**line, "project_id": project}]}
        refused = await sales_gateway.call("POST", "/invoices", json=body, headers={"Idempotency-Key": f"p-{n}"})
        assert refused.status == 404, await refused.text()
    before = await (await sales_gateway.call("GET", "/journal?from=2000-01-01&to=2099-12-31")).json()
    own = {"customer_id": customer, "lines": [{**line, "project_id": sales_gateway.sb.hytte_id}]}
    taken = await sales_gateway.call("POST", "/invoices", json=own, headers={"Idempotency-Key": "p-own"})
    assert taken.status == 201
    after = await (await sales_gateway.call("GET", "/journal?from=2000-01-01&to=2099-12-31")).json()
    assert len(after["entries"]) == len(before["entries"]) + 1  # the refused ones posted nothing
