"""The chart of an answer across clients: one horizontal bar per client, in the answer's
order (the one needing attention first on top), negative amounts in red.

Drawn and stored like the other charts (`actions.charts.save_chart`); every word on it comes
from a template in the asker's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from matplotlib.figure import Figure

from actions.charts import COLOURS, KronerFormatter, save_chart
from actions.replies import render
from ledger.formatting import format_number


def clients_chart(names: Sequence[str], amounts: Sequence[Decimal], title: str, language: str) -> str:
    """Bars of `amounts` per client named in `names`, the first on top; the path of the PNG."""
    figure = Figure(figsize=(7.5, 1.2 + 0.42 * len(names)), layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(names)))[::-1]
    values = [float(a) for a in amounts]
    axes.barh(positions, values, color=[COLOURS["now"] if v >= 0 else COLOURS["loss"] for v in values])
    axes.set_yticks(positions, list(names))
    axes.axvline(0, color="#555555", linewidth=0.8)
    axes.xaxis.set_major_formatter(KronerFormatter(language))
    for y, value in zip(positions, values, strict=True):
        if value:
            axes.annotate(
                format_number(Decimal(str(round(value))), language, 0),
                (value, y),
                ha="left" if value >= 0 else "right",
                va="center",
                fontsize=8,
                xytext=(3 if value >= 0 else -3, 0),
                textcoords="offset points",
            )
    axes.set_title(title)
    axes.set_xlabel(render(language, "chart_kroner.j2"))
    axes.spines[["top", "right"]].set_visible(False)
    return save_chart(figure)
