"""`GET /api/v1/me/clients/overview`: the companies whose books the user keeps, each with the
figures an accountant follows, the one needing attention first; staff memberships left out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.orm import sessionmaker

from channels.app import create_app
from ledger import clock
from ledger.db import make_engine
from ledger.identity import add_user
from ledger.migrate import upgrade
from ledger.settings import Settings
from tests.ledger.test_overview import TODAY, Clients, three_clients

OVERVIEW = "/api/v1/me/clients/overview"


@pytest.fixture
async def books(tmp_path: Path, aiohttp_client: Any) -> AsyncIterator[tuple[TestClient, Clients, str]]:
    """The gateway, the three clients of one accountant, and the token of a staff member."""
    url = f"sqlite:///{tmp_path / 'books.db'}"
    upgrade(url)
    engine = make_engine(url)
    clients = three_clients(sessionmaker(engine, expire_on_commit=False))
    with sessionmaker(engine).begin() as s:
        staff = add_user(s, clients.fjord, "Ola Ansatt", "staff").token
    engine.dispose()
    app = create_app(Settings(database_url=url, var_dir=tmp_path))
    yield await aiohttp_client(app), clients, staff


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_overview_has_each_kept_company_with_its_figures(books: tuple[TestClient, Clients, str]) -> None:
    client, clients, _ = books
    with clock.pinned(TODAY):
        response = await client.get(OVERVIEW, headers=_auth(clients.accountant_token))
    assert response.status == 200
    body = await response.json()
    assert body["today"] == TODAY.isoformat()
    companies = body["companies"]
    assert [(c["name"], c["role"]) for c in companies] == [
        ("Fjord Bygg AS", "accountant"),
        ("Nordlys Regnskap AS", "accountant"),
        ("Hansen Rør", "owner"),
    ]
    fjord = companies[0]
    assert fjord["bank_balance"] == "52000.00"
    assert fjord["receivables"] == {
        "total": "17500.00",
        "overdue": "15000.00",
        "buckets": {"not_due": "2500.00", "0-30": "0.00", "31-60": "5000.00", "61-90": "10000.00", "90+": "0.00"},
    }
    assert {k: fjord["vat"][k] for k in ("term", "to_pay", "due_date", "settled")} == {
        "term": "2026-1", "to_pay": "2400.00", "due_date": "2026-04-10", "settled": False,
    }
    assert [t["term"] for t in fjord["vat"]["late_terms"]] == ["2026-1"]
    assert fjord["vat"]["running"]["to_pay"] == "1500.00"
    assert fjord["next_deadline"]["kind"] == "skattemelding"
    assert (fjord["unbilled_hours"], fjord["unbilled_amount"], fjord["result_this_year"]) == (
        "3.50", "3500.00", "15600.00",
    )
    assert fjord["concerns"] == ["vat_late", "overdue", "unbilled"]
    assert companies[2]["vat"] is None


async def test_the_overview_in_the_order_of_one_figure(books: tuple[TestClient, Clients, str]) -> None:
    client, clients, _ = books
    with clock.pinned(TODAY):
        response = await client.get(OVERVIEW, params={"order": "balance"}, headers=_auth(clients.accountant_token))
    names = [c["name"] for c in (await response.json())["companies"]]
    assert names == ["Nordlys Regnskap AS", "Hansen Rør", "Fjord Bygg AS"]
    bad = await client.get(OVERVIEW, params={"order": "alphabet"}, headers=_auth(clients.accountant_token))
    assert bad.status == 400


async def test_staff_see_no_company_and_strangers_get_401(books: tuple[TestClient, Clients, str]) -> None:
    client, _, staff = books
    with clock.pinned(TODAY):
        response = await client.get(OVERVIEW, headers=_auth(staff))
    assert response.status == 200
    assert (await response.json())["companies"] == []
    assert (await client.get(OVERVIEW)).status == 401
