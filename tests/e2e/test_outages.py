"""The books' database and Redis going away under the real processes, on PostgreSQL and Redis
reached through proxies the tests cut (the servers themselves keep running for everyone else).

- The database unreachable for 5 seconds: every message in that window is answered at once
  with "try again in a moment, nothing is posted" in the person's language (the web chat and
  the REST API alike), nothing is half-written, and afterwards the half-filled invoice goes
  on where it was and "ja" posts it once.
- Redis unreachable: the gateway counts the per-user limits in its own process and says so
  once in its log; Rasa cannot lock the conversation, so the person is told to try again and
  nothing is posted; once Redis is back the conversation goes on and "ja" posts once.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import requests
from aiohttp import ClientSession, ClientWebSocketResponse
from sqlalchemy import create_engine, func, select, text

from bot import training
from bot.cli import ensure_demo
from bot.stack import Stack
from ledger.db import session_factory
from ledger.migrate import upgrade
from ledger.models import IdempotencyRecord, JournalLine
from ledger.server_keys import rasa_token
from ledger.settings import PROJECT_ROOT, Settings
from tests.conftest import PG_ADMIN_URL
from tests.e2e.conftest import RunningStack, free_port
from tests.e2e.cutting_proxy import CuttingProxy
from tests.e2e.turns import api, fresh, turn

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.processes]

TRY_AGAIN = "Assistenten fikk ikke svart akkurat nå. Prøv igjen om litt – ingenting er bokført."
TRY_AGAIN_EN = "The assistant could not answer just now. Please try again in a moment – nothing was posted."
OUTAGE_SECONDS = 5.0


@dataclass(frozen=True)
class CutStack:
    """The assistant on books and Redis behind proxies.

    Attributes:
      stack: the running assistant (its database address goes through `books`).
      books: the proxy in front of PostgreSQL; redis: the one in front of Redis.
      direct_url: the books straight from the server, for checks made while the proxy is cut.
    """

    stack: RunningStack
    books: CuttingProxy
    redis: CuttingProxy
    direct_url: str


@pytest.fixture(scope="module")
def cut_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CutStack]:
    name = f"bokbot_outages_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    books, redis = CuttingProxy(("127.0.0.1", 5432)), CuttingProxy(("127.0.0.1", 6379))
    var_dir = tmp_path_factory.mktemp("bokbot-outages")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"postgresql+psycopg://postgres@127.0.0.1:{books.port}/{name}",
        redis_url=f"redis://127.0.0.1:{redis.port}/{random.randint(8, 15)}",  # a database of this run's own
        gateway_port=free_port(),
        rasa_port=free_port(),
        action_port=free_port(),
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
        model = training.train(settings.models_dir, log=var_dir / "log" / "train.log")
        running = Stack(settings, model)
        running.start(say=lambda line: None)
        yield CutStack(
            stack=RunningStack(
                gateway_url=f"http://127.0.0.1:{settings.gateway_port}/",
                owner_token=demo["owner_token"],
                staff_token=demo["staff_token"],
                company_id=int(demo["company_id"]),
                database_url=settings.database_url,
                rasa_url=settings.rasa_base_url,
                rasa_token=rasa_token(settings),
                action_url=f"http://127.0.0.1:{settings.action_port}",
                settings=settings,
                restart_rasa=lambda: running.restart("Rasa server") if running else None,
                var_dir=var_dir,
                processes=running,
            ),
            books=books,
            redis=redis,
            direct_url=f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
        )
    finally:
        if running is not None:
            running.stop()
        books.close()
        redis.close()
        for log in sorted((var_dir / "log").glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-30:]
            print(f"\n--- {log.name} (last lines) ---\n" + "\n".join(tail))
        with admin.connect() as conn:
            for database in (name, f"{name}_rasa"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def _count(stack: RunningStack) -> tuple[int, int]:
    """Invoices and journal entries in the books."""
    invoices = len(api(stack, "invoices")["invoices"])
    entries = len(api(stack, "journal", **{"from": "2000-01-01", "to": "2099-12-31"})["entries"])
    return invoices, entries


def _nothing_half_written(direct_url: str) -> None:
    """Every voucher balances, and no chat message is left claimed without its answer."""
    sessions = session_factory(direct_url)
    with sessions() as session:
        unbalanced = session.execute(
            select(JournalLine.entry_id)
            .group_by(JournalLine.entry_id)
            .having(func.sum(JournalLine.debit) - func.sum(JournalLine.credit) != Decimal("0"))
        ).all()
        assert unbalanced == []
        unanswered = session.scalars(
            select(IdempotencyRecord.key).where(IdempotencyRecord.response.is_(None))
        ).all()
        assert unanswered == []


async def _web_chat(stack: RunningStack, http: ClientSession) -> ClientWebSocketResponse:
    """The web chat's socket, signed in as the demo owner."""
    origin = stack.gateway_url.rstrip("/")
    ws = await http.ws_connect(f"{origin}/ws", origin=origin)
    await ws.send_json({"type": "hello", "token": stack.owner_token})
    welcome = await ws.receive_json(timeout=30)
    assert welcome["type"] == "welcome", welcome
    return ws


async def _say(ws: ClientWebSocketResponse, said: str) -> dict[str, Any]:
    """One message in the web chat; the reply (or error) frame for it."""
    message_id = str(uuid.uuid4())
    await ws.send_json({"type": "message", "id": message_id, "text": said})
    while True:
        frame = await ws.receive_json(timeout=120)
        if frame.get("id") == message_id:
            return dict(frame)


def _texts(frame: dict[str, Any]) -> list[str]:
    assert frame["type"] == "reply", frame
    return [m["text"] for m in frame["messages"] if m.get("text")]


def _api_chat(stack: RunningStack, said: str, language: str) -> requests.Response:
    return requests.post(
        f"{stack.gateway_url}api/v1/chat",
        json={"text": said, "message_id": f"outage-{uuid.uuid4().hex}"},
        headers={"Authorization": f"Bearer {stack.owner_token}", "Accept-Language": language},
        timeout=30,
    )


async def test_five_seconds_without_the_books_are_waited_out_and_the_invoice_posts_once(
    cut_stack: CutStack,
) -> None:
    stack = cut_stack.stack
    fresh(stack)
    before = _count(stack)
    async with ClientSession() as http:
        ws = await _web_chat(stack, http)
        asked = _texts(await _say(ws, "jeg vil fakturere Hansen Rør"))
        assert asked[0].startswith("Hvor mange timer"), asked

        with cut_stack.books.cut_for(OUTAGE_SECONDS) as cut_at:
            refused = _texts(await _say(ws, "2 timer"))
            by_api = await asyncio.to_thread(_api_chat, stack, "2 timer", "en")
            also_by_api = await asyncio.to_thread(_api_chat, stack, "2 timer", "nb")
            answered_within = time.monotonic() - cut_at
            _nothing_half_written(cut_stack.direct_url)
        assert refused == [TRY_AGAIN]
        assert by_api.status_code == 503, by_api.text
        assert by_api.json()["error"] == {"code": "books_unavailable", "message": TRY_AGAIN_EN}
        assert also_by_api.json()["error"]["message"] == TRY_AGAIN
        assert answered_within < OUTAGE_SECONDS  # told at once, not after the outage
        assert cut_stack.books.refused > 0  # the processes did try the books, and were cut off

        summary = _texts(await _say(ws, "2 timer"))
        assert summary[0].startswith("Faktura til Hansen Rør AS: 2 125,00 kr inkl. mva"), summary
        posted = _texts(await _say(ws, "ja"))
        assert posted[0].startswith("Faktura ") and "er utstedt og ført" in posted[0], posted
        await ws.close()
    assert _count(stack) == (before[0] + 1, before[1] + 1)
    _nothing_half_written(cut_stack.direct_url)


def test_a_ja_while_the_books_are_away_posts_nothing_and_the_next_ja_posts_once(cut_stack: CutStack) -> None:
    stack = cut_stack.stack
    fresh(stack)
    before = _count(stack)
    summary = turn(stack, "fakturer Hansen Rør for 1 time")
    assert summary.text.startswith("Faktura til Hansen Rør AS"), summary.text
    with cut_stack.books.cut_for(OUTAGE_SECONDS):
        refused = _api_chat(stack, "ja", "nb")
    assert refused.status_code == 503 and refused.json()["error"]["message"] == TRY_AGAIN
    posted = turn(stack, "ja")
    assert posted.text.startswith("Faktura ") and "er utstedt og ført" in posted.text, posted.text
    assert _count(stack) == (before[0] + 1, before[1] + 1)
    again = turn(stack, "ja")
    assert "er utstedt og ført" not in again.text
    assert _count(stack) == (before[0] + 1, before[1] + 1)
    _nothing_half_written(cut_stack.direct_url)


def test_without_redis_the_person_is_told_to_try_again_and_the_invoice_goes_on_after(cut_stack: CutStack) -> None:
    stack = cut_stack.stack
    fresh(stack)
    before = _count(stack)
    asked = turn(stack, "jeg vil fakturere Hansen Rør")
    assert asked.text.startswith("Hvor mange timer"), asked.text
    cut_stack.redis.cut()
    try:
        started = time.monotonic()
        refused = turn(stack, "2 timer")
        again = turn(stack, "2 timer")
        assert time.monotonic() - started < 10  # told at once, not after a long wait
        assert refused.texts == [TRY_AGAIN] and again.texts == [TRY_AGAIN]
        assert _count(stack) == before
    finally:
        cut_stack.redis.restore()
    log = (stack.var_dir / "log" / "gateway.log").read_text(errors="replace")
    assert log.count("per-user limits are counted in this process") == 1

    summary = turn(stack, "2 timer")
    assert summary.text.startswith("Faktura til Hansen Rør AS: 2 125,00 kr inkl. mva"), summary.text
    posted = turn(stack, "ja")
    assert posted.text.startswith("Faktura ") and "er utstedt og ført" in posted.text, posted.text
    assert _count(stack) == (before[0] + 1, before[1] + 1)
    _nothing_half_written(cut_stack.direct_url)
