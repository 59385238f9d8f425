"""Charts as PNG pictures a reply can carry: the result month by month (with last year beside
it) and the receivables by how overdue they are.

A chart is drawn with matplotlib's object API (no global pyplot state, so that charts drawn at
once never share a figure), written under `<var>/charts/` with a random name, and handed to
the reply as the gateway path `/charts/<name>.png` (served by `channels/api/charts.py`). The
name is the only key: 128 random bits, and charts older than a day are removed. Every word on
a chart comes from a template in the asker's language.

A chart is drawn and painted (its figure built, its text measured, rasterised, written as PNG)
in a process of its own, one for the action server: drawing and painting hold Python's lock
for tens of milliseconds and matplotlib lets one figure paint at a time in a process, so done
in the action server's threads, a chart held up every other action running meanwhile. Even
building only the figure here and sending it over pickled cost the action server a seventh of
its CPU under load, so the action server does not load matplotlib at all. It works out what a
chart says as plain values (the words from its templates, which may depend on its settings;
the amounts; the dates) and hands them to `save_chart` with the chart's drawing function, a
function of a module that the painting process finds by name; there the function builds the
figure from those values alone, importing matplotlib where it uses it. The reply does not
wait for the painting: it goes out with the chart's path at once, and a marker file
(`<name>.png.painting`) beside the chart says it is on its way, so the gateway's chart route
waits for it (the page shows the text first, then the picture; Telegram's photo is fetched
through the same route). If the painting process cannot be had, the chart is drawn and
painted here before the reply, as before.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVarTuple

from babel.dates import format_skeleton

from actions.replies import render
from ledger.formatting import format_number, locale_of
from ledger.reports.monthly import MonthResult
from ledger.reports.receivables import BUCKETS, ReceivablesAging
from ledger.settings import get_settings

if TYPE_CHECKING:
    import datetime as dt

    from matplotlib.figure import Figure
    from matplotlib.ticker import Formatter

URL_PREFIX = "/charts/"
KEEP_FOR_SECONDS = 24 * 3600
COLOURS = {"now": "#1f6f8b", "before": "#b8c4cc", "loss": "#c0392b", "overdue": "#e67e22"}


def chart_dir() -> Path:
    """Where charts are written (`<var>/charts`), shared with the gateway through the settings."""
    return get_settings().var_dir / "charts"


log = logging.getLogger(__name__)

PAINTING = ".painting"
"""The suffix of the marker beside a chart being painted (`channels/api/charts.py` waits while
it is there)."""


def _forget_old_charts(folder: Path) -> None:
    cutoff = time.time() - KEEP_FOR_SECONDS
    for old in [*folder.glob("*.png"), *folder.glob(f"*.png{PAINTING}"), *folder.glob("*.png.part")]:
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue  # another process removed it first


PAINT_TIMEOUT_SECONDS = 60
PR_SET_PDEATHSIG = 1
_painter: ProcessPoolExecutor | None = None
_painter_lock = threading.Lock()


def _painter_process() -> ProcessPoolExecutor:
    """The process charts are painted in, started on first use (a fresh interpreter, not a
    fork of this threaded one), ending when this process ends."""
    global _painter
    with _painter_lock:
        if _painter is None:
            _painter = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_die_with,
                initargs=(os.getpid(),),
            )
        return _painter


PAINTER_NICENESS = 10
"""How much the painting process yields the processor to the others: a picture may come a
moment later, but no one's answer should wait while one is painted."""


def _die_with(parent: int) -> None:
    """In the painting process: killed by the kernel when the process that started it ends,
    however it ends (Linux's parent-death signal), so that no painter outlives an action
    server that was killed or crashed; and at a lower priority than the answers."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(PAINTER_NICENESS)
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the painter ends when its work queue closes
    if os.getppid() != parent:
        os._exit(0)  # the parent ended before the signal was asked for


def start_painter() -> int:
    """Starts the painting process now (the action server does, before it serves), so that the
    first chart does not wait the second or two it takes to start and import matplotlib; its
    process id."""
    return _painter_process().submit(_warm).result(timeout=PAINT_TIMEOUT_SECONDS)


def _warm() -> int:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    FigureCanvasAgg(Figure())
    return os.getpid()


Values = TypeVarTuple("Values")


def _paint(draw: Callable[[*Values], Figure], values: tuple[*Values], path: str) -> None:
    """Draws the figure from the chart's values and paints it into a PNG file, whole or not at
    all, then removes the marker that said it was being painted (in the painting process)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        figure = draw(*values)
        FigureCanvasAgg(figure)
        figure.savefig(path + ".part", format="png", dpi=110)
        os.replace(path + ".part", path)
    finally:
        Path(path + PAINTING).unlink(missing_ok=True)


def _painted(path: str, painter: ProcessPoolExecutor) -> Callable[[Future[None]], None]:
    def done(future: Future[None]) -> None:
        error = future.exception()
        if error is None:
            return
        log.warning("a chart could not be painted: %s", type(error).__name__)
        Path(path + PAINTING).unlink(missing_ok=True)  # the route stops waiting: the picture is not coming
        if isinstance(error, BrokenProcessPool):
            _forget_painter(painter)

    return done


def _forget_painter(painter: ProcessPoolExecutor) -> None:
    """The painting process died (killed, out of memory): a new one is started next time."""
    global _painter
    with _painter_lock:
        if _painter is painter:
            _painter = None


def save_chart(draw: Callable[[*Values], Figure], *values: *Values) -> str:
    """Has the chart drawn by `draw` (a function of a module, so that the painting process can
    find it by name) from `values` (plain values: words, numbers, dates) and painted as a PNG
    under a random name (see the module docstring); the gateway path to show it at."""
    folder = chart_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old_charts(folder)
    name = f"{secrets.token_hex(16)}.png"
    path = str(folder / name)
    Path(path + PAINTING).touch()
    painter = _painter_process()
    try:
        painter.submit(_paint, draw, values, path).add_done_callback(_painted(path, painter))
    except BrokenProcessPool:
        _forget_painter(painter)
        _paint(draw, values, path)
    return f"{URL_PREFIX}{name}"


def _kroner_tick(language: str, value: float, pos: int | None = None) -> str:
    return format_number(Decimal(int(value)), language, 0)


def kroner_axis(language: str) -> Formatter:
    """An axis in whole kroner, written in the asker's language ("12 500")."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(partial(_kroner_tick, language))


def whole_kroner(value: float, language: str) -> str:
    """A bar's amount written on the chart, rounded to whole kroner ("43 211")."""
    return format_number(Decimal(str(round(value))), language, 0)


def _new_figure() -> Figure:
    """A figure with fixed margins (room for a title, kroner up to ten digits and a label at
    the side, one line of labels below). Matplotlib's constrained layout would fit them to
    the text, but measuring every piece of text first costs a third of the drawing, and a
    chart is drawn for every list of unpaid invoices."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 3.8))
    figure.subplots_adjust(left=0.14, right=0.98, top=0.9, bottom=0.12)
    return figure


def profit_by_month_chart(
    months: Sequence[MonthResult], previous: Sequence[MonthResult], language: str
) -> str:
    """Bars of the result per month, last year's beside them; the path of the PNG."""
    return save_chart(
        _draw_profit_by_month,
        [m.month for m in months],
        [float(m.result) for m in months],
        str(months[0].month.year) if months else "",
        [float(m.result) for m in previous],
        str(previous[0].month.year) if previous else "",
        render(language, "chart_profit_title.j2", year=months[0].month.year if months else ""),
        render(language, "chart_kroner.j2"),
        language,
    )


def _draw_profit_by_month(
    months: list[dt.date],
    now: list[float],
    this_year: str,
    before: list[float],
    last_year: str,
    title: str,
    unit: str,
    language: str,
) -> Figure:
    """The figure of `profit_by_month_chart` (in the painting process): the result of each of
    `months` (`now`), last year's (`before`, none when empty) beside it, each named by its year
    in the legend."""
    figure = _new_figure()
    axes = figure.add_subplot()
    positions = list(range(len(months)))
    width = 0.4
    if before:
        axes.bar(
            [p - width / 2 for p in positions],
            before,
            width,
            color=COLOURS["before"],
            label=last_year,
        )
    axes.bar(
        [p + (width / 2 if before else 0) for p in positions],
        now,
        width,
        color=[COLOURS["now"] if v >= 0 else COLOURS["loss"] for v in now],
        label=this_year,
    )
    axes.axhline(0, color="#555555", linewidth=0.8)
    locale = locale_of(language)
    axes.set_xticks(positions, [str(format_skeleton("MMM", m, locale=locale)) for m in months])
    axes.yaxis.set_major_formatter(kroner_axis(language))
    axes.set_title(title)
    axes.set_ylabel(unit)
    axes.legend(frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def receivables_aging_chart(aging: ReceivablesAging, language: str) -> str:
    """Bars of what customers owe by how overdue it is; the path of the PNG."""
    amounts = aging.totals.as_dict()
    return save_chart(
        _draw_receivables_aging,
        [render(language, "chart_aging_bucket.j2", bucket=b) for b in BUCKETS],
        [float(amounts[b]) for b in BUCKETS],
        render(language, "chart_aging_title.j2", day=aging.on),
        render(language, "chart_kroner.j2"),
        language,
    )


def _draw_receivables_aging(buckets: list[str], values: list[float], title: str, unit: str, language: str) -> Figure:
    """The figure of `receivables_aging_chart` (in the painting process): a bar per bucket, in
    the order of `BUCKETS`, its amount written above it."""
    figure = _new_figure()
    axes = figure.add_subplot()
    colours = [COLOURS["now"]] + [COLOURS["overdue"]] * 3 + [COLOURS["loss"]]
    axes.bar(buckets, values, color=colours)
    for x, value in enumerate(values):
        if value:
            axes.annotate(whole_kroner(value, language), (x, value), ha="center", va="bottom", fontsize=9)
    axes.yaxis.set_major_formatter(kroner_axis(language))
    axes.set_title(title)
    axes.set_ylabel(unit)
    axes.spines[["top", "right"]].set_visible(False)
    return figure
