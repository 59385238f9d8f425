"""`bokbot company create` and `bokbot company set` give a company what its invoices must show
(bokføringsforskriften § 5-1-1): address, postcode, city, bank account, organisation number."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bot.test_cli import bokbot


def test_company_create_takes_the_address_and_company_set_changes_any_detail(tmp_path: Path) -> None:
    created = bokbot(
        tmp_path, "company", "create", "--name", "Fjord Bygg AS", "--owner", "Kari", "--address", "Sjøgata 4",
        "--postcode", "5003", "--city", "Bergen", "--json",
    )
    assert created.returncode == 0, created.stderr
    result = bokbot(
        tmp_path, "company", "set", "--company", "1", "--orgnr", "987 654 325", "--bank-account", "1234.56.78903",
        "--city", "Bergen sentrum", "--json",
    )
    assert result.returncode == 0, result.stderr
    company = json.loads(result.stdout)
    assert (company["address"], company["postcode"], company["city"]) == ("Sjøgata 4", "5003", "Bergen sentrum")
    assert (company["orgnr"], company["bank_account"]) == ("987654325", "12345678903")


def test_company_set_refuses_a_bad_bank_account_and_changes_nothing(tmp_path: Path) -> None:
    bokbot(tmp_path, "company", "create", "--name", "Fjord Bygg AS", "--owner", "Kari", "--city", "Bergen")
    refused = bokbot(tmp_path, "company", "set", "--company", "1", "--bank-account", "12345678901", "--city", "Oslo")
    assert refused.returncode != 0
    assert "bank account" in refused.stderr
    nothing = bokbot(tmp_path, "company", "set", "--company", "1")
    assert nothing.returncode != 0 and "--address" in nothing.stderr
    kept = bokbot(tmp_path, "company", "set", "--company", "1", "--postcode", "5003", "--json")
    assert json.loads(kept.stdout)["city"] == "Bergen"
