"""Running the three processes (action server, Rasa server, gateway) as one assistant, or
several replicas of each on one machine (`bokbot up --replicas N`).

Each starts with its own log file in `var/log/`, is health-checked before the next one is
needed, and all of them stop together on Ctrl-C (or when one of them dies).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from bot.rasa_server import TOKEN_VARIABLE
from bot.training import rasa_env
from channels.telegram.settings import TelegramSettings
from ledger.server_keys import action_token, rasa_token
from ledger.settings import PROJECT_ROOT, Settings

PR_SET_PDEATHSIG = 1
VENV_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"


@dataclass
class Service:
    """One child process with its health check."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    healthy: Callable[[], bool]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    warm_up: Callable[[], None] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=_own_group_dying_with_parent,
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        if not self.alive():
            return
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def _own_group_dying_with_parent() -> None:
    """In the child before it runs: its own process group (so a stop reaches its children
    too), and a SIGTERM from the kernel if the supervisor dies without stopping it (Linux)."""
    os.setsid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def http_ok(url: str, check: Callable[[bytes], bool] | None = None) -> Callable[[], bool]:
    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                body = response.read()
                return response.status == 200 and (check is None or check(body))
        except (urllib.error.URLError, OSError, ValueError):
            return False

    return probe


def rasa_warm_up(base_url: str) -> Callable[[], None]:
    """One throwaway turn (an unsigned one: the actions answer it with a refusal and touch no
    books), since Rasa's first prediction after a start builds its TensorFlow graphs, about
    ten seconds that would otherwise be the first person's wait."""

    def warm_up() -> None:
        request = urllib.request.Request(
            f"{base_url}/webhooks/rest/webhook",
            data=json.dumps({"sender": "warm-up", "message": "hei"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError):
            pass  # a cold first turn is slow, not wrong

    return warm_up


def _rasa_has_model(body: bytes) -> bool:
    try:
        return bool(json.loads(body).get("model_file"))
    except ValueError:
        return False


STORE_CLASS = "bot.tracker_store.BokbotSQLTrackerStore"


def tracker_store(settings: Settings) -> dict[str, Any]:
    """Where Rasa keeps conversations, so that a restart or a second Rasa process finds a
    half-filled invoice where it was left: beside the books, in a SQLite file of its own, or
    in a PostgreSQL database of its own on the books' server (`<books>_rasa`, made on first
    start). Either way through `bot.tracker_store`: connections tested before use, so that a
    database restart does not lose a conversation, and the tracker a turn saved kept for the
    conversation's next turn."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return {"type": STORE_CLASS, "dialect": "sqlite", "db": str(settings.var_dir / "rasa-trackers.db")}
    return {
        "type": STORE_CLASS,
        "dialect": "postgresql",
        "url": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "db": f"{url.database}_rasa",
        "login_db": url.database,
        "username": url.username or "",
        "password": url.password or "",
    }


def prepare_tracker_file(settings: Settings) -> None:
    """The SQLite file of Rasa's conversations, made before Rasa opens it: readable by its
    owner only (it holds what people wrote), and in WAL mode (kept by the file), so that
    saving a turn costs one flush to disk instead of the rollback journal's several, and
    reading a conversation never waits for a write."""
    store = tracker_store(settings)
    if store.get("dialect") != "sqlite":
        return
    path = Path(store["db"])
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    path.chmod(0o600)
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def lock_store(settings: Settings) -> dict[str, Any] | None:
    """Rasa's conversation locks in Redis when `BOKBOT_REDIS_URL` is set (needed as soon as
    two Rasa processes serve), else in the Rasa process."""
    if not settings.redis_url:
        return None
    url = urlsplit(settings.redis_url)
    return {
        "type": "redis",
        "url": url.hostname or "127.0.0.1",
        "port": url.port or 6379,
        "db": int(url.path.strip("/") or 0),
        "password": url.password or None,
        "key_prefix": "bokbot",
    }


def write_endpoints(settings: Settings, action_port: int | None = None, name: str = "endpoints.yml") -> Path:
    """Rasa's endpoints file: the action server (on `action_port`, the settings' by default)
    and the token it is called with, the tracker store and the lock store (mode 600: it holds
    secrets)."""
    path = settings.var_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    endpoints: dict[str, Any] = {
        "action_endpoint": {
            "url": f"http://127.0.0.1:{action_port or settings.action_port}/webhook",
            "headers": {"Authorization": f"Bearer {action_token(settings)}"},
        },
        "tracker_store": tracker_store(settings),
    }
    locks = lock_store(settings)
    if locks is not None:
        endpoints["lock_store"] = locks
    text = json.dumps(endpoints, indent=2)  # JSON is YAML
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.chmod(path, 0o600)
    return path


class ReplicasNeedSharedState(ValueError):
    """Several replicas were asked for on an installation whose state only one process may hold."""


def check_replicas(settings: Settings, replicas: int) -> None:
    """Several replicas need the books on PostgreSQL (SQLite takes one writer on one machine)
    and Redis (Rasa's conversation locks and the per-user limits must be the same for all)."""
    if replicas < 1:
        raise ReplicasNeedSharedState("--replicas is 1 or more")
    if replicas == 1:
        return
    missing = []
    if make_url(settings.database_url).get_backend_name() != "postgresql":
        missing.append("BOKBOT_DATABASE_URL on PostgreSQL (e.g. postgresql+psycopg://bokbot@127.0.0.1/bokbot)")
    if not settings.redis_url:
        missing.append("BOKBOT_REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    if missing:
        raise ReplicasNeedSharedState(f"{replicas} replicas need " + " and ".join(missing))


def rasa_urls(settings: Settings, replicas: int) -> list[str]:
    """The Rasa servers of `replicas` replicas on this machine (consecutive ports)."""
    return [f"http://127.0.0.1:{settings.rasa_port + i}" for i in range(replicas)]


def services(settings: Settings, model: Path, replicas: int = 1) -> list[Service]:
    """The processes for `settings`, in start order: `replicas` action servers, Rasa servers
    and gateways on consecutive ports from the configured ones.

    Each Rasa server calls its own action server (Rasa's endpoints take one action address;
    the gateways already spread the turns over the Rasa servers, and so over the action
    servers, with no balancer process in between), and every gateway spreads its turns over
    all the Rasa servers. With one replica the names and logs are those of a single stack."""
    check_replicas(settings, replicas)
    prepare_tracker_file(settings)
    log_dir = settings.var_dir / "log"
    base_env = dict(os.environ)
    base_env["BOKBOT_DATABASE_URL"] = settings.database_url
    base_env["BOKBOT_VAR_DIR"] = str(settings.var_dir)
    base_env["BOKBOT_REDIS_URL"] = settings.redis_url
    if settings.secret:  # given to this process's settings, not (only) by its environment
        base_env["BOKBOT_SECRET"] = settings.secret
    token = rasa_token(settings)
    all_rasa = ",".join(rasa_urls(settings, replicas)) if replicas > 1 else settings.rasa_base_url
    # Only one process may poll Telegram for updates; with a webhook, any gateway takes them.
    polls_telegram = not TelegramSettings().webhook_url
    actions, rasas, gateways = [], [], []
    for i in range(replicas):
        suffix = f" {i + 1}" if replicas > 1 else ""
        log_suffix = f"-{i + 1}" if replicas > 1 else ""
        action_port, rasa_port, gateway_port = (
            settings.action_port + i, settings.rasa_port + i, settings.gateway_port + i
        )
        action_env = {**base_env, "PYTHONPATH": str(PROJECT_ROOT), "BOKBOT_ACTION_PORT": str(action_port)}
        gateway_env = {
            **base_env,
            "BOKBOT_ACTION_PORT": str(action_port),
            "BOKBOT_GATEWAY_PORT": str(gateway_port),
            "BOKBOT_RASA_URL": all_rasa,
            "BOKBOT_HOST": settings.host,
            "BOKBOT_CHAT_IN_FLIGHT": str(settings.chat_in_flight),
            "BOKBOT_CHAT_PER_MINUTE": str(settings.chat_per_minute),
            "BOKBOT_CHAT_BURST": str(settings.chat_burst),
        }
        if i > 0 and polls_telegram:
            gateway_env["BOKBOT_TELEGRAM_TOKEN"] = ""
        actions.append(Service(
            f"action server{suffix}",
            [str(VENV_PYTHON), "-m", "actions.server"],
            action_env,
            log_dir / f"actions{log_suffix}.log",
            http_ok(f"http://127.0.0.1:{action_port}/health"),
        ))
        endpoints = write_endpoints(settings, action_port, f"endpoints{log_suffix}.yml")
        rasas.append(Service(
            f"Rasa server{suffix}",
            [
                str(RASA_PYTHON), "-m", "bot.rasa_server", "run", "--enable-api",
                "--interface", "127.0.0.1", "--port", str(rasa_port),
                "--model", str(model), "--endpoints", str(endpoints),
                "--credentials", "bot/credentials.yml",
            ],
            {**rasa_env(), TOKEN_VARIABLE: token},
            log_dir / f"rasa{log_suffix}.log",
            http_ok(f"http://127.0.0.1:{rasa_port}/status?token={token}", _rasa_has_model),
            warm_up=rasa_warm_up(f"http://127.0.0.1:{rasa_port}"),
        ))
        gateways.append(Service(
            f"gateway{suffix}",
            [str(VENV_PYTHON), "-m", "channels"],
            gateway_env,
            log_dir / f"gateway{log_suffix}.log",
            http_ok(f"http://127.0.0.1:{gateway_port}/health"),
        ))
    return [*actions, *rasas, *gateways]


class Stack:
    """The running assistant; a context manager that stops everything on exit."""

    def __init__(self, settings: Settings, model: Path, replicas: int = 1) -> None:
        self.services = services(settings, model, replicas)

    def start(self, timeout: float = 300.0, say: Callable[[str], None] = print) -> None:
        """Starts the action and Rasa servers together, then, once they are healthy, the
        gateways: a gateway that answers `/health` can answer turns (a proxy's health check
        sends it nothing before)."""
        deadline = time.monotonic() + timeout
        inner = [s for s in self.services if not s.name.startswith("gateway")]
        gateways = [s for s in self.services if s.name.startswith("gateway")]
        for group in (inner, gateways):
            for service in group:
                service.start()
            self._wait_healthy(group, deadline, say)
            warm_ups = [s.warm_up for s in group if s.warm_up is not None]
            if warm_ups:  # all Rasa servers at once: each builds its own graphs
                with ThreadPoolExecutor(len(warm_ups)) as pool:
                    list(pool.map(lambda warm_up: warm_up(), warm_ups))

    def _wait_healthy(self, group: list[Service], deadline: float, say: Callable[[str], None]) -> None:
        for service in group:
            while not service.healthy():
                if not service.alive():
                    self.stop()
                    raise RuntimeError(f"the {service.name} stopped; see {service.log_path}")
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the {service.name} did not become healthy; see {service.log_path}")
                time.sleep(0.5)
            log = service.log_path
            shown = log.relative_to(PROJECT_ROOT) if log.is_relative_to(PROJECT_ROOT) else log
            say(f"  {service.name} is up (log: {shown})")

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def restart(self, name: str, timeout: float = 300.0) -> None:
        """Stop one service and start it again, waiting until it is healthy (and warm)."""
        service = next(s for s in self.services if s.name == name)
        service.stop()
        service.start()
        deadline = time.monotonic() + timeout
        while not service.healthy():
            if not service.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the {service.name} did not come back; see {service.log_path}")
            time.sleep(0.5)
        if service.warm_up is not None:
            service.warm_up()

    def wait(self) -> None:
        """Block until Ctrl-C or until a process dies; then stop them all."""
        try:
            while all(s.alive() for s in self.services):
                time.sleep(1)
            dead = [s.name for s in self.services if not s.alive()]
            print(f"Stopped because the {', '.join(dead)} exited.", file=sys.stderr)
        except KeyboardInterrupt:
            print("\nStopping...", file=sys.stderr)
        finally:
            self.stop()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
