"""A gateway on fresh SQLite books with a company that has something in its books, its owner,
an accountant and a staff member, and a second company whose owner must never see the first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.orm import sessionmaker

from channels.app import create_app
from ledger import clock
from ledger.companies import create_company
from ledger.customers import create_customer
from ledger.db import make_engine
from ledger.expenses import register_expense
from ledger.identity import add_user
from ledger.invoicing import invoice_amount
from ledger.journal import Posting, post_entry
from ledger.migrate import upgrade
from ledger.models import Company
from ledger.settings import Settings
from tests.ledger.builders import seller_details, where


@dataclass(frozen=True)
class Gateway:
    """The test client and who may call it.

    Attributes:
      tokens: by role: "owner", "accountant", "staff", and "foreign" (the owner of another
        company).
    """

    client: TestClient
    company_id: int
    other_company_id: int
    tokens: dict[str, str]

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def _fill(url: str) -> tuple[int, int, dict[str, str]]:
    engine = make_engine(url)
    try:
        with sessionmaker(engine).begin() as s:
            made = create_company(
                s,
                "Fjordlys AS",
                owner_name="Kari Nordmann",
                vat_registered=True,
                **{**seller_details("Fjordlys AS"), "orgnr": "923609016"},
            )
            cid = made.company.id
            company = s.get(Company, cid)
            assert company is not None
            company.vehicle = "van"
            accountant = add_user(s, cid, "Regn Skapsen", "accountant")
            staff = add_user(s, cid, "Ola Hansen", "staff")
            other = create_company(s, "Annet AS", owner_name="Per Annen")
            today = clock.today()
            start = today.replace(month=1, day=1)
            post_entry(
                s, cid, start, "Aksjekapital",
                [Posting("1920", Decimal("30000")), Posting("2000", Decimal("-30000"))], channel="cli",
            )
            customer = create_customer(s, cid, "Fjord Bygg AS", **where("974760673")).id
            invoice_amount(s, cid, customer, "5000", "Rådgivning", issue_date=start)
            register_expense(s, cid, "500", "drivstoff", start, "Circle K", None, "web")
            tokens = {
                "owner": made.owner.token,
                "accountant": accountant.token,
                "staff": staff.token,
                "foreign": other.owner.token,
            }
            return cid, other.company.id, tokens
    finally:
        engine.dispose()


@pytest.fixture
async def gateway(tmp_path: Path, aiohttp_client: Any) -> AsyncIterator[Gateway]:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    upgrade(url)
    cid, other, tokens = _fill(url)
    settings = Settings(database_url=url, var_dir=tmp_path / "var")
    client: TestClient = await aiohttp_client(create_app(settings))
    yield Gateway(client, cid, other, tokens)
