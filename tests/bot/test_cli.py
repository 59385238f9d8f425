"""The `bokbot` command line, run as a user runs it (a subprocess with its own database)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

BOKBOT = [sys.executable, "-m", "bot.cli"]


def bokbot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOKBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'books.db'}", "BOKBOT_VAR_DIR": str(tmp_path)}
    return subprocess.run([*BOKBOT, *args], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)


def test_company_create_prints_the_owner_token_as_json(tmp_path: Path) -> None:
    result = bokbot(tmp_path, "company", "create", "--name", "Fjord Bygg AS", "--orgnr", "987 654 325",
                    "--vat-registered", "--owner", "Kari Nordmann", "--json")
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["company_id"] == 1
    assert created["owner_token"].startswith("bok_")


def test_user_add_gives_a_token_and_a_link_code(tmp_path: Path) -> None:
    bokbot(tmp_path, "company", "create", "--name", "Fjord Bygg AS", "--owner", "Kari", "--json")
    result = bokbot(tmp_path, "user", "add", "--company", "1", "--name", "Ola", "--role", "staff", "--json")
    assert result.returncode == 0, result.stderr
    user = json.loads(result.stdout)
    assert user["user_id"] == 2 and user["token"].startswith("bok_") and len(user["link_code"]) == 8


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["company", "create", "--name", "X AS", "--orgnr", "123456789", "--owner", "Kari"], "organisation number"),
        (["user", "add", "--company", "7", "--name", "Ola", "--role", "staff"], "no company 7"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_exit_code(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = bokbot(tmp_path, *args)
    assert result.returncode == 1
    assert message in result.stderr


def test_demo_then_exports_saft_and_an_hledger_journal(tmp_path: Path) -> None:
    demo = bokbot(tmp_path, "demo", "--json")
    assert demo.returncode == 0, demo.stderr
    assert json.loads(demo.stdout)["company_id"] == 1
    saft = bokbot(tmp_path, "export", "saft", "--company", "1", "--out", "saft.xml")
    assert saft.returncode == 0, saft.stderr
    root = etree.parse(str(tmp_path / "saft.xml")).getroot()
    assert root.tag == "{urn:StandardAuditFile-Taxation-Financial:NO}AuditFile"
    journal = bokbot(tmp_path, "export", "journal", "--company", "1", "--out", "-")
    assert journal.returncode == 0, journal.stderr
    assert "1920" in journal.stdout
