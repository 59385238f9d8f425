"""The Jinja2 environment for documents: ``templates/{nb,en}/...`` with the formatting filters.

Filters format for the language being rendered (see :mod:`ledger.documents.formatting`):
``money``, ``amount``, ``number``, ``percent``, ``long_date``, ``short_date``,
``bank_account``, ``orgnr``, ``kid``, and ``css_string`` for text placed in a stylesheet.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ledger.documents import formatting
from ledger.documents.model import Language

TEMPLATES_DIR = Path(__file__).with_name("templates")


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = "".join(c if c.isalnum() or c in " .,-·–:_()/&'" else f"\\{ord(c):x} " for c in str(text))
    return Markup(f'"{escaped}"')


@functools.cache
def environment(language: Language) -> Environment:
    """The template environment for ``language`` ("nb" or "en")."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "html.j2"], default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=lambda value, currency="NOK": formatting.money(value, language, currency),
        amount=lambda value: formatting.amount(value, language),
        number=lambda value: formatting.number(value, language),
        percent=lambda value: formatting.percent(value, language),
        long_date=lambda value: formatting.long_date(value, language),
        short_date=lambda value: formatting.short_date(value, language),
        bank_account=formatting.bank_account,
        orgnr=formatting.organisation_number,
        kid=formatting.kid,
        css_string=css_string,
    )
    return env


def render(language: Language, name: str, **context: Any) -> str:
    """Renders ``templates/<language>/<name>`` with ``context``."""
    return environment(language).get_template(f"{language}/{name}").render(**context)
