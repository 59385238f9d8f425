"""The chart of an answer across clients: one horizontal bar per client, in the answer's
order (the one needing attention first on top), negative amounts in red.

Drawn and stored like the other charts (`actions.charts.save_chart`): the words and amounts
are worked out here, the figure is built from them in the painting process, so this module
does not load matplotlib in the action server. Every word on it comes from a template in the
asker's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from actions.charts import COLOURS, kroner_axis, save_chart, whole_kroner
from actions.replies import render

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def clients_chart(names: Sequence[str], amounts: Sequence[Decimal], title: str, language: str) -> str:
    """Bars of `amounts` per client named in `names`, the first on top; the path of the PNG."""
    return save_chart(
        _draw_clients,
        list(names),
        [float(a) for a in amounts],
        title,
        render(language, "chart_kroner.j2"),
        language,
    )


def _draw_clients(names: list[str], values: list[float], title: str, unit: str, language: str) -> Figure:
    """The figure of `clients_chart` (in the painting process), as tall as its bars need, laid
    out to fit the clients' names."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 1.2 + 0.42 * len(names)), layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(names)))[::-1]
    axes.barh(positions, values, color=[COLOURS["now"] if v >= 0 else COLOURS["loss"] for v in values])
    axes.set_yticks(positions, names)
    axes.axvline(0, color="#555555", linewidth=0.8)
    axes.xaxis.set_major_formatter(kroner_axis(language))
    for y, value in zip(positions, values, strict=True):
        if value:
            axes.annotate(
                whole_kroner(value, language),
                (value, y),
                ha="left" if value >= 0 else "right",
                va="center",
                fontsize=8,
                xytext=(3 if value >= 0 else -3, 0),
                textcoords="offset points",
            )
    axes.set_title(title)
    axes.set_xlabel(unit)
    axes.spines[["top", "right"]].set_visible(False)
    return figure
