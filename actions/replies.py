"""Replies written from Jinja2 templates per language (`actions/templates/{nb,en}/`), with
amounts and dates formatted for that language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ledger.formatting import format_date, format_money, format_number

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=2)
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader([TEMPLATES / language, TEMPLATES / "shared"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.filters["money"] = lambda amount: format_money(amount, language)
    env.filters["number"] = lambda value, decimals=2: format_number(value, language, decimals)
    env.filters["date"] = lambda day, style="long": format_date(day, language, style)
    return env


def render(language: str, template: str, **context: Any) -> str:
    """The text of `template` (e.g. "balance.j2") in `language`, stripped."""
    lang = language if language in ("nb", "en") else "nb"
    return environment(lang).get_template(template).render(**context).strip()
