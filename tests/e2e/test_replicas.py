"""Two replicas of everything (two gateways, two Rasa servers, two action servers) on
PostgreSQL and Redis, as `bokbot up --replicas 2` runs them: one person's turns alternate
between the gateways and still make one conversation, the same message reaching both gateways
is answered once and posts once, and two people invoicing at the same moment through different
gateways get consecutive invoice numbers."""

from __future__ import annotations

import json
import random
import secrets
import socket
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from bot import training
from bot.cli import ensure_demo
from bot.stack import Stack
from ledger.db import session_factory
from ledger.identity import add_user
from ledger.migrate import upgrade
from ledger.permissions import BOOKKEEPERS
from ledger.settings import PROJECT_ROOT, Settings
from tests.conftest import PG_ADMIN_URL

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.processes]

REPLICAS = 2


def free_ports(count: int) -> int:
    """The first of `count` consecutive free ports on the loopback interface."""
    for _ in range(200):
        first = random.randint(20000, 60000 - count)
        sockets = []
        try:
            for port in range(first, first + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free ports")


@dataclass(frozen=True)
class Replicas:
    gateways: list[str]
    owner_token: str
    other_token: str
    company_id: int
    log_dir: Path

    def chat(self, gateway: int, token: str, said: str, message_id: str | None = None) -> list[dict[str, Any]]:
        """One turn through one gateway; sent again, as a client does, while it is 409 (the
        same message still being answered elsewhere)."""
        for _ in range(30):
            response = requests.post(
                f"{self.gateways[gateway]}/api/v1/chat",
                json={"text": said, "message_id": message_id or f"replicas-{uuid.uuid4().hex}"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            )
            if response.status_code != 409:
                break
            time.sleep(1)
        assert response.status_code == 200, response.text
        return list(response.json()["messages"])

    def invoices(self) -> list[dict[str, Any]]:
        response = requests.get(
            f"{self.gateways[0]}/api/v1/companies/{self.company_id}/invoices",
            headers={"Authorization": f"Bearer {self.owner_token}"},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return list(response.json()["invoices"])

    def traces(self, name: str) -> list[dict[str, Any]]:
        """The trace lines (JSON) of each replica's log called `name` ("gateway", "actions")."""
        lines = []
        for log in sorted(self.log_dir.glob(f"{name}-*.log")):
            for line in log.read_text(errors="replace").splitlines():
                start = line.find('{"request_id"')
                if start >= 0:
                    lines.append(json.loads(line[start:]) | {"log": log.name})
        return lines


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    name = f"bokbot_replicas_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    var_dir = tmp_path_factory.mktemp("bokbot-replicas")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
        redis_url=f"redis://127.0.0.1:6379/{random.randint(8, 15)}",  # a database of this run's own
        gateway_port=free_ports(REPLICAS),
        rasa_port=free_ports(REPLICAS),
        action_port=free_ports(REPLICAS),
        var_dir=var_dir,
        models_dir=PROJECT_ROOT / "models",
        chat_per_minute=6000.0,
        chat_burst=500,
    )
    running: Stack | None = None
    try:
        upgrade(settings.database_url)
        demo = ensure_demo(settings, say=False)
        assert demo is not None
        with session_factory(settings.database_url).begin() as session:
            other = add_user(session, int(demo["company_id"]), "Randi Regnskap", BOOKKEEPERS[-1]).token
        model = training.train(settings.models_dir, log=var_dir / "log" / "train.log")
        running = Stack(settings, model, replicas=REPLICAS)
        running.start(timeout=240, say=lambda line: None)
        yield Replicas(
            gateways=[f"http://127.0.0.1:{settings.gateway_port + i}" for i in range(REPLICAS)],
            owner_token=demo["owner_token"],
            other_token=other,
            company_id=int(demo["company_id"]),
            log_dir=var_dir / "log",
        )
    finally:
        if running is not None:
            running.stop()
        for log in sorted((var_dir / "log").glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-20:]
            print(f"\n--- {log.name} (last lines) ---\n" + "\n".join(tail))
        with admin.connect() as conn:
            for database in (name, f"{name}_rasa"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def said(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages if m.get("text"))


def test_one_conversation_continues_whichever_gateway_and_rasa_take_each_turn(replicas: Replicas) -> None:
    token = replicas.owner_token
    replicas.chat(0, token, "avbryt")
    before = len(replicas.invoices())
    asked = said(replicas.chat(1, token, "I want to invoice Hansen Rør"))
    assert asked.startswith("How many hours should I invoice Hansen Rør AS for?")
    summary = said(replicas.chat(0, token, "2 hours"))
    assert summary.startswith("Invoice to Hansen Rør AS: NOK 2,125.00 incl. VAT")
    posted = said(replicas.chat(1, token, "yes"))
    assert posted.startswith("Invoice ") and "is issued and posted" in posted
    assert len(replicas.invoices()) == before + 1
    # Both gateways answered, over both Rasa servers, whose own action servers ran actions.
    gateway_logs = {t["log"] for t in replicas.traces("gateway") if t["stage"] == "gateway"}
    rasa_servers = {t["server"] for t in replicas.traces("gateway") if t["stage"] == "rasa"}
    action_logs = {t["log"] for t in replicas.traces("actions") if t["stage"] == "actions"}
    assert len(gateway_logs) == REPLICAS and len(rasa_servers) == REPLICAS and len(action_logs) == REPLICAS


def test_the_same_message_at_both_gateways_is_answered_once_and_posts_once(replicas: Replicas) -> None:
    token = replicas.owner_token
    replicas.chat(0, token, "avbryt")
    before = len(replicas.invoices())
    replicas.chat(0, token, "fakturer Fjord Bygg for 3 timer")
    message_id = f"twice-{uuid.uuid4().hex}"
    with ThreadPoolExecutor(REPLICAS) as pool:
        answers = list(pool.map(lambda g: replicas.chat(g, token, "ja", message_id), range(REPLICAS)))
    assert answers[0] == answers[1]
    assert "er utstedt og ført" in said(answers[0])
    assert len(replicas.invoices()) == before + 1


def test_two_people_invoicing_at_once_through_different_gateways_get_consecutive_numbers(
    replicas: Replicas,
) -> None:
    before = {i["number"] for i in replicas.invoices()}

    def invoice(who: int) -> str:
        token = (replicas.owner_token, replicas.other_token)[who]
        replicas.chat(who, token, "avbryt")
        replicas.chat(1 - who, token, "fakturer Hansen Rør for 1 time")
        return said(replicas.chat(who, token, "ja"))

    for _ in range(2):
        with ThreadPoolExecutor(2) as pool:
            posted = list(pool.map(invoice, range(2)))
        assert all("er utstedt og ført" in p for p in posted), posted
    numbers = sorted(i["number"] for i in replicas.invoices() if i["number"] not in before)
    assert len(numbers) == 4
    assert numbers == list(range(max(before) + 1, max(before) + 5))
