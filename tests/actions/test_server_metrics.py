"""`/metrics` on the real action server: each action call timed, failures counted, read from
this machine or with the metrics token only (the action token is neither needed nor enough)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from ledger.migrate import upgrade
from ledger.server_keys import action_token
from ledger.settings import Settings

METRICS_TOKEN = "scrape-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def action_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The action server on a free port; its address and action token."""
    url = f"sqlite:///{tmp_path / 'books.db'}"
    upgrade(url)
    port = _free_port()
    env = {
        **os.environ, "BOKBOT_DATABASE_URL": url, "BOKBOT_VAR_DIR": str(tmp_path / "var"),
        "BOKBOT_ACTION_PORT": str(port), "BOKBOT_METRICS_TOKEN": METRICS_TOKEN,
    }
    settings = Settings(_env_file=None, database_url=url, var_dir=tmp_path / "var")  # type: ignore[call-arg]
    log = (tmp_path / "actions.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "actions.server"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 50
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.3)
        else:
            pytest.fail("the action server did not start: " + (tmp_path / "actions.log").read_text()[-2000:])
        yield base, action_token(settings)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _value(text: str, name: str, action: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels.get("action") == action:
                return float(sample.value)
    return 0.0


def test_action_calls_are_timed_and_failures_counted_by_action(action_server: tuple[str, str]) -> None:
    base, token = action_server
    auth = {"Authorization": f"Bearer {token}"}
    # A call whose tracker is broken fails inside the action server: a server error.
    def call(action: str) -> requests.Response:
        body = {"next_action": action, "tracker": None, "domain": {}}
        return requests.post(f"{base}/webhook", json=body, headers=auth, timeout=30)

    broken = call("action_check_balance")
    assert broken.status_code >= 500
    call("action_made_up")

    scraped = requests.get(f"{base}/metrics", timeout=10)
    assert scraped.status_code == 200
    text = scraped.text
    assert _value(text, "bokbot_action_seconds_count", "action_check_balance") == 1
    assert _value(text, "bokbot_action_errors_total", "action_check_balance") == 1
    assert _value(text, "bokbot_action_seconds_count", "unknown") == 1  # names outside the actions are not labels
    assert "action_made_up" not in text


def test_a_relayed_request_needs_the_metrics_token_not_the_action_token(action_server: tuple[str, str]) -> None:
    base, token = action_server
    relayed = {"X-Forwarded-For": "203.0.113.9"}
    assert requests.get(f"{base}/metrics", headers=relayed, timeout=10).status_code == 403
    with_action_token = {**relayed, "Authorization": f"Bearer {token}"}
    assert requests.get(f"{base}/metrics", headers=with_action_token, timeout=10).status_code == 403
    with_metrics_token = {**relayed, "Authorization": f"Bearer {METRICS_TOKEN}"}
    assert requests.get(f"{base}/metrics", headers=with_metrics_token, timeout=10).status_code == 200
    # The metrics path opens nothing else: the actions still need the action token.
    assert requests.post(f"{base}/webhook", json={}, timeout=10).status_code == 401
