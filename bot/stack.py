"""Running the three processes (action server, Rasa server, gateway) as one assistant.

Each starts with its own log file in `var/log/`, is health-checked before the next one is
needed, and all of them stop together on Ctrl-C (or when one of them dies).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from bot.training import rasa_env
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


def _rasa_has_model(body: bytes) -> bool:
    try:
        return bool(json.loads(body).get("model_file"))
    except ValueError:
        return False


TOKEN_VARIABLE = "BOKBOT_RASA_TOKEN"
RASA_WITH_TOKEN = (
    "import os, runpy, sys; "
    f"sys.argv = ['rasa', *sys.argv[1:], '--auth-token', os.environ.pop('{TOKEN_VARIABLE}')]; "
    "runpy.run_module('rasa', run_name='__main__', alter_sys=True)"
)
"""`rasa run` with its API token from the environment, where other users cannot read it (a
token on the command line would be in every process listing)."""


def tracker_store(settings: Settings) -> dict[str, Any]:
    """Where Rasa keeps conversations, so that a restart or a second Rasa process finds a
    half-filled invoice where it was left: beside the books, in a SQLite file of its own, or
    in a PostgreSQL database of its own on the books' server (`<books>_rasa`, made on first
    start)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return {"type": "SQL", "dialect": "sqlite", "db": str(settings.var_dir / "rasa-trackers.db")}
    return {
        "type": "SQL",
        "dialect": "postgresql",
        "url": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "db": f"{url.database}_rasa",
        "login_db": url.database,
        "username": url.username or "",
        "password": url.password or "",
    }


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


def write_endpoints(settings: Settings) -> Path:
    """Rasa's endpoints file: the action server and the token it is called with, the tracker
    store and the lock store (mode 600: it holds secrets)."""
    path = settings.var_dir / "endpoints.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    endpoints: dict[str, Any] = {
        "action_endpoint": {
            "url": f"http://127.0.0.1:{settings.action_port}/webhook",
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


def services(settings: Settings, model: Path) -> list[Service]:
    """The three processes for `settings`, in start order."""
    log_dir = settings.var_dir / "log"
    base_env = dict(os.environ)
    base_env["BOKBOT_DATABASE_URL"] = settings.database_url
    base_env["BOKBOT_VAR_DIR"] = str(settings.var_dir)
    base_env["BOKBOT_ACTION_PORT"] = str(settings.action_port)
    action_env = {**base_env, "PYTHONPATH": str(PROJECT_ROOT)}
    token = rasa_token(settings)
    gateway_env = {
        **base_env,
        "BOKBOT_GATEWAY_PORT": str(settings.gateway_port),
        "BOKBOT_RASA_URL": settings.rasa_base_url,
        "BOKBOT_HOST": settings.host,
        "BOKBOT_CHAT_IN_FLIGHT": str(settings.chat_in_flight),
        "BOKBOT_CHAT_PER_MINUTE": str(settings.chat_per_minute),
        "BOKBOT_CHAT_BURST": str(settings.chat_burst),
    }
    return [
        Service(
            "action server",
            [str(VENV_PYTHON), "-m", "actions.server"],
            action_env,
            log_dir / "actions.log",
            http_ok(f"http://127.0.0.1:{settings.action_port}/health"),
        ),
        Service(
            "Rasa server",
            [
                str(RASA_PYTHON), "-c", RASA_WITH_TOKEN, "run", "--enable-api",
                "--interface", "127.0.0.1", "--port", str(settings.rasa_port),
                "--model", str(model), "--endpoints", str(write_endpoints(settings)),
                "--credentials", "bot/credentials.yml",
            ],
            {**rasa_env(), TOKEN_VARIABLE: token},
            log_dir / "rasa.log",
            http_ok(f"http://127.0.0.1:{settings.rasa_port}/status?token={token}", _rasa_has_model),
        ),
        Service(
            "gateway",
            [str(VENV_PYTHON), "-m", "channels"],
            gateway_env,
            log_dir / "gateway.log",
            http_ok(f"http://127.0.0.1:{settings.gateway_port}/health"),
        ),
    ]


class Stack:
    """The running assistant; a context manager that stops everything on exit."""

    def __init__(self, settings: Settings, model: Path) -> None:
        self.services = services(settings, model)

    def start(self, timeout: float = 300.0, say: Callable[[str], None] = print) -> None:
        for service in self.services:
            service.start()
        deadline = time.monotonic() + timeout
        for service in self.services:
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
        """Stop one service and start it again, waiting until it is healthy."""
        service = next(s for s in self.services if s.name == name)
        service.stop()
        service.start()
        deadline = time.monotonic() + timeout
        while not service.healthy():
            if not service.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the {service.name} did not come back; see {service.log_path}")
            time.sleep(0.5)

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
