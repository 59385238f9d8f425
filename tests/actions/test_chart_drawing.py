"""A chart is drawn where it is painted, in the painting process: the action server works out
only what the chart says and never loads matplotlib. Without a painting process the action
server draws and paints the same picture itself, before the reply."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal
from pathlib import Path

import pytest

import actions.charts
import ledger.settings
from actions.charts import PAINTING, profit_by_month_chart, receivables_aging_chart
from actions.client_charts import clients_chart
from ledger.reports.monthly import MonthResult
from ledger.reports.receivables import AgingBuckets, ReceivablesAging
from ledger.settings import PROJECT_ROOT, get_settings
from tests.actions.chat_builders import painted


def months(year: int, *results: tuple[str, str]) -> list[MonthResult]:
    """`MonthResult`s from January on, each from its (income, costs)."""
    return [MonthResult(dt.date(year, n, 1), Decimal(i), Decimal(c)) for n, (i, c) in enumerate(results, start=1)]


CHARTS: dict[str, Callable[[], str]] = {
    "profit": lambda: profit_by_month_chart(
        months(2026, ("120000", "80000"), ("90000", "110500"), ("0", "0"), ("99999.99", "12345.67")),
        months(2025, ("100000", "90000"), ("80000", "60000"), ("120000", "130000"), ("70000", "20000")),
        "nb",
    ),
    "aging": lambda: receivables_aging_chart(
        ReceivablesAging(
            dt.date(2026, 11, 29),
            (),
            AgingBuckets(Decimal("125000.40"), Decimal("43210.55"), Decimal("0"), Decimal("8900"), Decimal("23456.49")),
        ),
        "en",
    ),
    "clients": lambda: clients_chart(
        ["Fjord Bygg AS", "Nordlys Regnskap", "Havbris Kafé"],
        [Decimal("-12500.75"), Decimal("83000"), Decimal("0")],
        "Saldo per klient",
        "nb",
    ),
}
SIZES = {"profit": (825, 418), "aging": (825, 418), "clients": (825, 270)}
"""Each chart's picture in pixels: its figure's size in inches at 110 dots per inch."""


def png_of(path: str) -> Path:
    """The file of a chart the reply points to."""
    return get_settings().var_dir / "charts" / Path(path).name


def size_of(png: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, read from its header."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


DRAWS_EVERY_CHART = """
import json, sys
from tests.actions.test_chart_drawing import CHARTS, painted, png_of
pictures = {name: png_of(draw()) for name, draw in CHARTS.items()}
for png in pictures.values():
    painted(png)
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib")
print(json.dumps({"pictures": {name: str(png) for name, png in pictures.items()}, "matplotlib": loaded}))
"""
"""Draws every chart as the action server would, waits until each is painted, and says where
they are and which of matplotlib's modules this process loaded."""


@pytest.fixture
def chart_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Charts written under a var folder of the test's own."""
    monkeypatch.setenv("BOKBOT_VAR_DIR", str(tmp_path / "var"))
    ledger.settings.get_settings.cache_clear()
    yield tmp_path / "var" / "charts"
    ledger.settings.get_settings.cache_clear()


def test_the_action_server_draws_no_chart_itself_the_painting_process_does(tmp_path: Path) -> None:
    env = {**os.environ, "BOKBOT_VAR_DIR": str(tmp_path / "var")}
    drawn = subprocess.run(
        [sys.executable, "-c", DRAWS_EVERY_CHART],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(drawn.stdout.splitlines()[-1])
    assert result["matplotlib"] == []
    for name, png in result["pictures"].items():
        assert Path(png).parent == tmp_path / "var" / "charts"
        assert size_of(Path(png).read_bytes()) == SIZES[name]


@pytest.mark.parametrize("chart", list(CHARTS))
def test_without_its_painting_process_the_action_server_paints_the_same_picture_before_the_reply(
    chart: str, chart_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_the_painter = painted(png_of(CHARTS[chart]()))
    assert size_of(by_the_painter) == SIZES[chart]
    dead = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        with pytest.raises(BrokenProcessPool):
            dead.submit(os._exit, 1).result(timeout=60)
        monkeypatch.setattr(actions.charts, "_painter", dead)
        png = png_of(CHARTS[chart]())
        assert not png.with_name(png.name + PAINTING).exists()
        assert png.read_bytes() == by_the_painter
        assert actions.charts._painter is None  # the next chart starts a new painting process
    finally:
        dead.shutdown()
