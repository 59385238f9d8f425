"""The real assistant for end-to-end tests: a model trained for this run (or reused when one
matches the training data), the real action server, Rasa server and gateway on free ports,
and fresh books with the demo company (SQLite, or PostgreSQL with BOKBOT_TEST_BACKEND=postgresql)."""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from bot import training
from bot.cli import ensure_demo
from bot.stack import Stack
from channels.app import create_app
from channels.telegram.settings import TelegramSettings
from ledger.migrate import upgrade
from ledger.server_keys import rasa_token
from ledger.settings import PROJECT_ROOT, Settings
from tests.channels.fake_telegram import TOKEN, FakeTelegram
from tests.conftest import PG_ADMIN_URL

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class RunningStack:
    """The assistant as a user reaches it.

    Attributes:
      gateway_url: the gateway's base address, ending in "/".
      owner_token, staff_token: API tokens of the demo company's owner and a staff member.
      company_id: the demo company.
      database_url: the books, for checks a test makes behind the API's back.
      rasa_url: the Rasa server (reachable from this host only).
      rasa_token: the token of Rasa's HTTP API.
      action_url: the action server (reachable from this host only).
      settings: the installation's settings (its secrets are in `var_dir`).
      restart_rasa: stops the Rasa server and starts it again (what a deployment does).
      var_dir: where the processes' logs are (`log/`).
      processes: the running processes, to stop or restart one of them (`Stack.services`).
    """

    gateway_url: str
    owner_token: str
    staff_token: str
    company_id: int
    database_url: str
    rasa_url: str
    rasa_token: str
    action_url: str
    settings: Settings
    restart_rasa: Callable[[], None]
    var_dir: Path
    processes: Stack

    def chat(self, text: str, token: str | None = None, **extra: Any) -> requests.Response:
        """One chat turn through the REST API."""
        return requests.post(
            f"{self.gateway_url}api/v1/chat",
            json={"text": text, **extra},
            headers={"Authorization": f"Bearer {token or self.owner_token}"},
            timeout=120,
        )

    def get(self, path: str, token: str | None = None, **params: Any) -> requests.Response:
        return requests.get(
            f"{self.gateway_url}{path.lstrip('/')}",
            params=params,
            headers={"Authorization": f"Bearer {token or self.owner_token}"},
            timeout=60,
        )


BACKEND_VARIABLE = "BOKBOT_TEST_BACKEND"
"""`sqlite` (the default) or `postgresql`: the books the end-to-end stack runs on."""


@pytest.fixture(scope="session")
def books_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Fresh books for the stack: SQLite in a temporary folder, or a new database on the local
    PostgreSQL server when BOKBOT_TEST_BACKEND=postgresql (dropped afterwards)."""
    backend = os.environ.get(BACKEND_VARIABLE, "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('books') / 'bokbot.db'}"
        return
    assert backend == "postgresql", f"{BACKEND_VARIABLE} is sqlite or postgresql, not {backend!r}"
    name = f"bokbot_e2e_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            for database in (name, f"{name}_rasa"):  # the books, and Rasa's conversations beside them
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, books_url: str) -> Iterator[RunningStack]:
    var_dir = tmp_path_factory.mktemp("bokbot-var")
    settings = Settings(
        database_url=books_url,
        gateway_port=free_port(),
        rasa_port=free_port(),
        action_port=free_port(),
        var_dir=var_dir,
        models_dir=PROJECT_ROOT / "models",
        # The suite is one script talking fast as the demo owner, not a person: a roomier rate
        # (the limits themselves are tested in tests/channels/test_limits.py).
        chat_per_minute=6000.0,
        chat_burst=500,
    )
    upgrade(settings.database_url)
    demo = ensure_demo(settings, say=False)
    assert demo is not None
    model = training.train(settings.models_dir, log=var_dir / "log" / "train.log")
    running = Stack(settings, model)
    running.start(say=lambda line: None)
    try:
        yield RunningStack(
            gateway_url=f"http://127.0.0.1:{settings.gateway_port}/",
            owner_token=demo["owner_token"],
            staff_token=demo["staff_token"],
            company_id=int(demo["company_id"]),
            database_url=settings.database_url,
            rasa_url=settings.rasa_base_url,
            rasa_token=rasa_token(settings),
            action_url=f"http://127.0.0.1:{settings.action_port}",
            settings=settings,
            restart_rasa=lambda: running.restart("Rasa server"),
            var_dir=var_dir,
            processes=running,
        )
    finally:
        running.stop()
        for log in sorted((var_dir / "log").glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-40:]
            print(f"\n--- {log.name} (last lines) ---\n" + "\n".join(tail))


def texts(response: requests.Response) -> list[str]:
    """The texts of a chat reply."""
    assert response.status_code == 200, response.text
    return [m["text"] for m in json.loads(response.text)["messages"]]


@pytest.fixture
async def telegram(stack: RunningStack, aiohttp_client: Any) -> AsyncIterator[FakeTelegram]:
    """The fake Bot API, and a gateway with the bot on the stack's Rasa, books and files (the
    charts the action server draws are in the stack's folder)."""
    fake = FakeTelegram()
    await fake.start()
    port = free_port()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=stack.database_url,
        rasa_url=stack.rasa_url,
        host="127.0.0.1",
        gateway_port=port,
        var_dir=stack.var_dir,
    )
    bot = TelegramSettings(
        _env_file=None,  # type: ignore[call-arg]
        token=TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url, webhook_url="",
    )
    client = await aiohttp_client(create_app(settings, bot), server_kwargs={"host": "127.0.0.1", "port": port})
    yield fake
    await client.close()
    await fake.stop()
