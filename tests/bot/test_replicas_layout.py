"""`bokbot up --replicas N`: N of each process on consecutive ports, every gateway spreading
its turns over every Rasa server, each Rasa server calling its own action server; refused,
saying what is missing, without PostgreSQL and Redis."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.cli import main
from bot.stack import ReplicasNeedSharedState, check_replicas, services
from ledger.settings import Settings

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/books"


def settings(tmp_path: Path, **given: object) -> Settings:
    values: dict[str, object] = {
        "database_url": PG, "redis_url": "redis://127.0.0.1:6379/3", "var_dir": tmp_path,
        "gateway_port": 9100, "rasa_port": 9200, "action_port": 9300, "secret": "s" * 32, "rasa_token": "t" * 32,
    }
    return Settings(_env_file=None, **(values | given))  # type: ignore[call-arg]


def test_replicas_run_on_consecutive_ports_and_gateways_spread_over_every_rasa(tmp_path: Path) -> None:
    running = services(settings(tmp_path), tmp_path / "model.tar.gz", replicas=2)
    names = [s.name for s in running]
    assert names == ["action server 1", "action server 2", "Rasa server 1", "Rasa server 2", "gateway 1", "gateway 2"]
    gateways = [s for s in running if s.name.startswith("gateway")]
    assert [g.env["BOKBOT_GATEWAY_PORT"] for g in gateways] == ["9100", "9101"]
    assert {g.env["BOKBOT_RASA_URL"] for g in gateways} == {"http://127.0.0.1:9200,http://127.0.0.1:9201"}
    rasas = [s for s in running if s.name.startswith("Rasa")]
    assert [r.command[r.command.index("--port") + 1] for r in rasas] == ["9200", "9201"]
    for i, rasa in enumerate(rasas):
        endpoints = json.loads(Path(rasa.command[rasa.command.index("--endpoints") + 1]).read_text())
        assert endpoints["action_endpoint"]["url"] == f"http://127.0.0.1:{9300 + i}/webhook"
        assert endpoints["lock_store"]["type"] == "redis"
    assert [a.env["BOKBOT_ACTION_PORT"] for a in running if a.name.startswith("action")] == ["9300", "9301"]


def test_one_replica_keeps_the_single_stacks_names_and_logs(tmp_path: Path) -> None:
    running = services(settings(tmp_path, database_url=f"sqlite:///{tmp_path}/b.db", redis_url=""), tmp_path / "m")
    assert [s.name for s in running] == ["action server", "Rasa server", "gateway"]
    assert [s.log_path.name for s in running] == ["actions.log", "rasa.log", "gateway.log"]


def test_rasas_sqlite_conversations_are_private_and_written_ahead(tmp_path: Path) -> None:
    services(settings(tmp_path, database_url=f"sqlite:///{tmp_path}/b.db", redis_url=""), tmp_path / "m")
    trackers = tmp_path / "rasa-trackers.db"
    assert trackers.stat().st_mode & 0o777 == 0o600
    with closing(sqlite3.connect(trackers)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_several_replicas_are_refused_on_sqlite_or_without_redis(tmp_path: Path) -> None:
    with pytest.raises(ReplicasNeedSharedState, match="PostgreSQL"):
        check_replicas(settings(tmp_path, database_url=f"sqlite:///{tmp_path}/b.db"), 2)
    with pytest.raises(ReplicasNeedSharedState, match="BOKBOT_REDIS_URL"):
        check_replicas(settings(tmp_path, redis_url=""), 3)
    check_replicas(settings(tmp_path, database_url=f"sqlite:///{tmp_path}/b.db", redis_url=""), 1)


def test_up_with_replicas_says_what_is_missing_and_starts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOKBOT_DATABASE_URL", f"sqlite:///{tmp_path}/b.db")
    monkeypatch.setenv("BOKBOT_REDIS_URL", "")
    monkeypatch.setenv("BOKBOT_VAR_DIR", str(tmp_path))
    from ledger.settings import get_settings

    get_settings.cache_clear()
    try:
        assert main(["up", "--replicas", "2"]) == 2
    finally:
        get_settings.cache_clear()
    error = capsys.readouterr().err
    assert "2 replicas need BOKBOT_DATABASE_URL on PostgreSQL" in error and "BOKBOT_REDIS_URL" in error
    assert not (tmp_path / "b.db").exists()
