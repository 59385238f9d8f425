"""How the assistant holds up under load: simulated people each holding a 10-turn conversation
(small talk, balance, an invoice with its confirmation, hours with theirs, unpaid invoices,
the week's hours) through `POST /api/v1/chat`, at several offered rates.

Run on demand (not a test); loopback only, bounded in turns and time, stops by itself:

    .venv/bin/python -m bench.load                                   # a stack of its own on SQLite
    .venv/bin/python -m bench.load --database-url postgresql+psycopg://postgres@127.0.0.1/bench \\
        --redis-url redis://127.0.0.1:6379/5 --replicas 2           # two replicas of everything
    .venv/bin/python -m bench.load --url http://127.0.0.1:8080 --users users.json   # a running one

Without `--url` it starts the action server, Rasa server and gateway itself (as `bokbot up`
does, with the trained model in `models/`) on fresh books with the demo company and as many
bookkeepers as it needs; the per-user limits are raised, since one script plays many people.
`--users` names a JSON list of `{"token", "user_id", "company_id"}` for a running stack.

Turns are offered at a fixed rate for `--seconds` each (open loop: a turn is due at its time
whether or not the previous ones were answered, and its latency counts from when it was due,
so a saturated stack shows as growing latency, not as a politely slower client). Each
simulated person says one turn at a time. For each rate it prints the throughput and p50/p95/
p99 of the turns; afterwards it checks that the books hold exactly what the conversations
posted (every invoice a reply announced, no other; every confirmed hour). With the stack's
logs at hand it also splits the time by stage from the trace lines (`bokbot.trace`): the
gateway's database work before and after the turn, Rasa (NLU and dialogue), the actions.
With a stack of its own it also prints the CPU time each process (with the processes it
started, such as the chart painter) spent per answered turn: on a machine with few cores the
sum of those decides the rate it can sustain.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import secrets
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector

CONVERSATION: tuple[tuple[str, ...], ...] = (
    ("hei", "heisann", "god morgen", "hei hei"),
    ("hva er saldoen?", "saldo?", "hvor mye har vi i banken", "hva er banksaldoen"),
    ("fakturer Hansen Rør for {hours} timer",),
    ("ja",),
    ("før {few} timer på kassesystem i dag",),
    ("ja",),
    ("hvem skylder oss penger?", "hvilke fakturaer er ubetalt?"),
    ("hvor mange timer har vi ført denne uka?", "timer denne uka?"),
    ("hva er saldoen?", "saldo?"),
    ("takk", "tusen takk", "takk for hjelpen"),
)
"""Each turn one of its ways of saying it, an invoice's hours drawn from 1 to 40 and the hours
logged from 1 to 4 (a day holds at most 24 of a person's hours): the texts vary as
people's do (the intent classifier remembers texts it has read; a benchmark of ten texts said
over and over would measure only that), while "ja" and "takk" repeat as people's do."""
INVOICE_POSTED = re.compile(r"^Faktura (\d+) til Hansen Rør AS .* er utstedt og ført")
HOURS_LOGGED = re.compile(r"^\d+ timer? ført på Kassesystem i dag\.")
TURN_TIMEOUT = 60.0
DRAIN_SECONDS = 90.0


@dataclass
class Person:
    """One simulated person and where they are in their conversation."""

    token: str
    user_id: int
    company_id: int
    step: int = 0
    invoices: list[int] = field(default_factory=list)
    hours_logged: int = 0
    chance: random.Random = field(default_factory=lambda: random.Random(secrets.randbits(32)))


@dataclass(frozen=True)
class Turn:
    rate: float
    due: float
    done: float
    status: int

    @property
    def latency(self) -> float:
        return self.done - self.due


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))] if ordered else float("nan")


async def say(http: ClientSession, url: str, person: Person, text: str) -> tuple[int, list[dict[str, Any]]]:
    try:
        async with http.post(
            f"{url}/api/v1/chat",
            json={"text": text, "message_id": f"load-{secrets.token_hex(8)}"},
            headers={"Authorization": f"Bearer {person.token}"},
            timeout=ClientTimeout(total=TURN_TIMEOUT),
        ) as response:
            body = await response.json() if response.status == 200 else {}
            return response.status, list(body.get("messages", []))
    except (ClientError, TimeoutError):
        return 0, []


async def take_turn(http: ClientSession, url: str, person: Person) -> int:
    """The person's next turn; what it posted is noted on the person."""
    ways = CONVERSATION[person.step % len(CONVERSATION)]
    text = person.chance.choice(ways).format(
        hours=person.chance.randint(1, 40), few=person.chance.randint(1, 4)
    )
    status, messages = await say(http, url, person, text)
    if status != 200:
        return status  # the conversation goes on from where it was
    person.step += 1
    for message in messages:
        said = str(message.get("text") or "")
        posted = INVOICE_POSTED.match(said)
        if posted:
            person.invoices.append(int(posted.group(1)))
        if HOURS_LOGGED.match(said):
            person.hours_logged += 1
    return status


async def offer(http: ClientSession, urls: list[str], people: list[Person], rate: float, seconds: float) -> list[Turn]:
    """Turns at `rate` a second for `seconds`, each by an idle person (waiting for one if all
    are busy: the wait counts in the turn's latency)."""
    idle: asyncio.Queue[Person] = asyncio.Queue()
    for person in people:
        idle.put_nowait(person)
    turns: list[Turn] = []
    running: set[asyncio.Task[None]] = set()
    count = int(rate * seconds)
    start = time.monotonic()

    async def one(person: Person, due: float, index: int) -> None:
        status = await take_turn(http, urls[index % len(urls)], person)
        turns.append(Turn(rate, due, time.monotonic(), status))
        idle.put_nowait(person)

    for i in range(count):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        person = await idle.get()
        task = asyncio.create_task(one(person, due, i))
        running.add(task)
        task.add_done_callback(running.discard)
    if running:
        _, late = await asyncio.wait(running, timeout=DRAIN_SECONDS)
        for task in late:
            task.cancel()
    return turns


def report(rate: float, turns: list[Turn]) -> dict[str, Any]:
    answered = [t for t in turns if t.status == 200]
    first_due = min((t.due for t in turns), default=0.0)
    last_done = max((t.done for t in turns), default=0.0)
    latencies = [t.latency * 1000 for t in answered]
    return {
        "offered": rate,
        "turns": len(turns),
        "answered": len(answered),
        "refused_or_failed": len(turns) - len(answered),
        "throughput": round(len(answered) / (last_done - first_due), 1) if last_done > first_due else 0.0,
        "p50_ms": round(percentile(latencies, 0.50)),
        "p95_ms": round(percentile(latencies, 0.95)),
        "p99_ms": round(percentile(latencies, 0.99)),
    }


def trace_lines(log_dir: Path, name: str) -> list[dict[str, Any]]:
    lines = []
    for log in sorted(log_dir.glob(f"{name}*.log")):
        for line in log.read_text(errors="replace").splitlines():
            start = line.find('{"request_id"')
            if start >= 0:
                try:
                    lines.append(json.loads(line[start:]))
                except ValueError:
                    continue
    return lines


def stages(log_dir: Path, seen: set[str]) -> tuple[dict[str, float], set[str]]:
    """Medians and 95th percentiles of each stage over the turns not `seen` before."""
    gateway = [
        t for t in trace_lines(log_dir, "gateway") if t.get("stage") == "gateway" and t["request_id"] not in seen
    ]
    ids = {t["request_id"] for t in gateway}
    actions: dict[str, float] = {}
    for t in trace_lines(log_dir, "actions"):
        if t.get("stage") == "actions" and t["request_id"] in ids:
            actions[t["request_id"]] = actions.get(t["request_id"], 0.0) + float(t["ms"])
    figures: dict[str, float] = {}
    columns = {
        "total": [float(t["ms"]) for t in gateway],
        "db_before": [float(t["db_before_ms"]) for t in gateway],
        "rasa_incl_actions": [float(t["rasa_ms"]) for t in gateway],
        "actions": [actions.get(t["request_id"], 0.0) for t in gateway],
        "rasa_nlu_dialogue": [float(t["rasa_ms"]) - actions.get(t["request_id"], 0.0) for t in gateway],
        "db_after": [float(t["db_after_ms"]) for t in gateway],
    }
    for name, values in columns.items():
        if values:
            figures[f"{name}_p50"] = round(statistics.median(values), 1)
            figures[f"{name}_p95"] = round(percentile(values, 0.95), 1)
    return figures, seen | ids


async def verify(http: ClientSession, url: str, people: list[Person], before: set[int]) -> list[str]:
    """What the books hold against what the conversations were told was posted."""
    problems: list[str] = []
    owner = people[0]
    headers = {"Authorization": f"Bearer {owner.token}"}
    async with http.get(f"{url}/api/v1/companies/{owner.company_id}/invoices", headers=headers) as response:
        invoices = (await response.json())["invoices"]
    new = sorted(i["number"] for i in invoices if i["number"] not in before)
    announced = sorted(n for p in people for n in p.invoices)
    if new != announced:
        problems.append(f"invoices in the books {new[:10]}... ({len(new)}) != announced ({len(announced)})")
    if new and new != list(range(new[0], new[0] + len(new))):
        problems.append("a gap in the invoice numbers")
    for person in people:
        async with http.get(
            f"{url}/api/v1/companies/{person.company_id}/time-entries",
            params={"user_id": str(person.user_id)},
            headers=headers,
        ) as response:
            entries = (await response.json())["time_entries"]
        if len(entries) != person.hours_logged:
            problems.append(f"user {person.user_id}: {len(entries)} time entries, {person.hours_logged} confirmed")
    return problems


def cpu_seconds(groups: dict[str, int]) -> dict[str, float]:
    """CPU time so far of each named process group (a service with the processes it started,
    such as the chart painter), from Linux's /proc; empty elsewhere."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    totals = dict.fromkeys(groups, 0.0)
    by_group = {group: name for name, group in groups.items()}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        name = by_group.get(int(fields[2]))  # the process group, after the state
        if name is not None:
            totals[name] += (int(fields[11]) + int(fields[12])) / ticks  # user and system time
    return totals


async def run(
    urls: list[str],
    people: list[Person],
    rates: list[float],
    seconds: float,
    log_dir: Path | None,
    groups: dict[str, int] | None = None,
) -> int:
    async with ClientSession(connector=TCPConnector(limit=0)) as http:
        owner = people[0]
        async with http.get(
            f"{urls[0]}/api/v1/companies/{owner.company_id}/invoices",
            headers={"Authorization": f"Bearer {owner.token}"},
        ) as response:
            before = {i["number"] for i in (await response.json())["invoices"]}
        await offer(http, urls, people[:2], 2, 3)  # warm-up: the first turns load what Rasa loads lazily
        seen: set[str] = set(t["request_id"] for t in trace_lines(log_dir, "gateway")) if log_dir else set()
        results = []
        for rate in rates:
            before_cpu = cpu_seconds(groups or {})
            turns = await offer(http, urls, people[: max(4, math.ceil(rate * 2))], rate, seconds)
            row = report(rate, turns)
            answered = max(1, row["answered"])
            for name, spent in cpu_seconds(groups or {}).items():
                row[f"cpu_ms_per_turn_{name}"] = round((spent - before_cpu[name]) * 1000 / answered, 1)
            if log_dir is not None:
                figures, seen = stages(log_dir, seen)
                row |= figures
            results.append(row)
            print(json.dumps(row), flush=True)
        problems = await verify(http, urls[0], people, before)
    print()
    print("| offered turns/s | answered turns/s | p50 ms | p95 ms | p99 ms | refused or failed |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['offered']:g} | {r['throughput']:g} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
              f"{r['refused_or_failed']} |")
    posted = sum(len(p.invoices) for p in people)
    hours = sum(p.hours_logged for p in people)
    if problems:
        print("\nThe books do NOT hold what the conversations posted:\n  " + "\n  ".join(problems))
        return 1
    print(f"\nThe books hold exactly what the conversations posted: {posted} invoices, {hours} time entries.")
    return 0


def _free_ports(count: int) -> int:
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = int(s.getsockname()[1])
        try:
            for port in range(first, first + count):
                with socket.socket() as t:
                    t.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError("no free ports")


@contextmanager
def own_stack(
    args: argparse.Namespace, people: int
) -> Iterator[tuple[list[str], list[Person], Path, dict[str, int]]]:
    """A stack of this benchmark's own on fresh books, with `people` bookkeepers."""
    from bot import training
    from bot.cli import ensure_demo
    from bot.stack import Stack
    from ledger.db import session_factory
    from ledger.identity import add_user
    from ledger.migrate import upgrade
    from ledger.permissions import BOOKKEEPERS
    from ledger.settings import PROJECT_ROOT, Settings

    with tempfile.TemporaryDirectory(prefix="bokbot-load-") as folder:
        var_dir = Path(folder)
        replicas = args.replicas
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=args.database_url or f"sqlite:///{var_dir / 'books.db'}",
            redis_url=args.redis_url or "",
            gateway_port=_free_ports(replicas),
            rasa_port=_free_ports(replicas),
            action_port=_free_ports(replicas),
            var_dir=var_dir,
            models_dir=PROJECT_ROOT / "models",
            chat_per_minute=6000.0,
            chat_burst=500,
            secret=secrets.token_hex(16),
        )
        upgrade(settings.database_url)
        demo = ensure_demo(settings, say=False)
        if demo is None:
            raise SystemExit("--database-url must name an empty database")
        company_id = int(demo["company_id"])
        cast = []
        with session_factory(settings.database_url).begin() as session:
            for i in range(people):
                new = add_user(session, company_id, f"Last {i + 1}", BOOKKEEPERS[0])
                cast.append(Person(new.token, new.user.id, company_id))
        model = training.train(settings.models_dir, log=var_dir / "log" / "train.log")
        stack = Stack(settings, model, replicas)
        print(f"Starting {replicas} replica(s) on {settings.database_url.split('://')[0]}...", file=sys.stderr)
        stack.start(say=lambda line: print(line, file=sys.stderr))
        try:
            groups = {
                s.name.replace(" ", "_"): s.process.pid for s in stack.services if s.process is not None
            }
            groups["load"] = os.getpgrp()
            urls = [f"http://127.0.0.1:{settings.gateway_port + i}" for i in range(replicas)]
            yield urls, cast, var_dir / "log", groups
        finally:
            stack.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="5,10,20,30,40", help="offered turns a second, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long each rate is offered (at most 120)")
    parser.add_argument("--url", help="a running gateway (several comma-separated); needs --users")
    parser.add_argument("--users", type=Path, help="JSON list of {token, user_id, company_id} for --url")
    parser.add_argument("--log-dir", type=Path, help="the running stack's log folder, for the time per stage")
    parser.add_argument("--database-url", help="books for the stack started here (an empty database)")
    parser.add_argument("--redis-url", help="Redis for the stack started here")
    parser.add_argument("--replicas", type=int, default=1, help="replicas of the stack started here")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    if not rates or min(rates) <= 0 or max(rates) > 100:
        parser.error("rates are between 0 and 100 turns a second")
    seconds = min(max(args.seconds, 1.0), 120.0)
    people_needed = max(4, math.ceil(max(rates) * 2))
    if args.url:
        if args.users is None:
            parser.error("--url needs --users")
        cast = [Person(str(u["token"]), int(u["user_id"]), int(u["company_id"]))
                for u in json.loads(args.users.read_text())]
        urls = [u.strip().rstrip("/") for u in args.url.split(",")]
        return asyncio.run(run(urls, cast, rates, seconds, args.log_dir))
    with own_stack(args, people_needed) as (urls, cast, log_dir, groups):
        return asyncio.run(run(urls, cast, rates, seconds, log_dir, groups))


if __name__ == "__main__":
    sys.exit(main())
