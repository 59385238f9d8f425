"""`GET .../export/saft?year=` and `GET .../export/journal?format=hledger`."""

from __future__ import annotations

import pytest

from ledger import clock
from ledger.documents.saft import validate_saft
from tests.api.report_fixtures import Gateway, gateway

__all__ = ["gateway"]

PATHS = ["export/saft", "export/journal?format=hledger"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("accountant", 200), ("staff", 403), ("foreign", 404)])
async def test_exports_for_every_role(gateway: Gateway, path: str, role: str, status: int) -> None:
    response = await gateway.client.get(f"/api/v1/companies/{gateway.company_id}/{path}", headers=gateway.auth(role))
    assert response.status == status


async def test_saft_export_is_valid_xml_for_the_year(gateway: Gateway) -> None:
    year = clock.today().year
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.company_id}/export/saft?year={year}", headers=gateway.auth("accountant")
    )
    assert response.status == 200
    assert response.content_type == "application/xml"
    assert "SAF-T Financial_923609016_" in response.headers["Content-Disposition"]
    assert validate_saft(await response.read()) == []


async def test_hledger_export_is_a_journal(gateway: Gateway) -> None:
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.company_id}/export/journal?format=hledger", headers=gateway.auth("owner")
    )
    text = await response.text()
    assert response.content_type == "text/plain"
    assert text.startswith("commodity NOK")
    assert text.count(" * (") == 3


@pytest.mark.parametrize(
    ("path", "code"),
    [("export/saft?year=i+fjor", "invalid_number"), ("export/journal?format=csv", "invalid_format")],
)
async def test_bad_export_parameters(gateway: Gateway, path: str, code: str) -> None:
    response = await gateway.client.get(f"/api/v1/companies/{gateway.company_id}/{path}", headers=gateway.auth("owner"))
    assert response.status == 400
    assert (await response.json())["error"]["code"] == code


async def test_saft_refused_without_an_organisation_number(gateway: Gateway) -> None:
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.other_company_id}/export/saft", headers=gateway.auth("foreign")
    )
    assert response.status == 422


async def test_hledger_export_from_a_date_opens_with_the_balances_before_it(gateway: Gateway) -> None:
    year = clock.today().year
    response = await gateway.client.get(
        f"/api/v1/companies/{gateway.company_id}/export/journal?format=hledger&from={year}-01-02&to={year}-12-31",
        headers=gateway.auth("owner"),
    )
    text = await response.text()
    assert f"{year}-01-02 * Inngående balanse" in text
    assert " * (" not in text  # every voucher is dated 1 January, before the span
    assert "Eiendeler:1920 Bankinnskudd" in text
