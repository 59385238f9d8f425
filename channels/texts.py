"""The gateway's own words (Telegram's welcome, the terminal chat's prompts), written as
Jinja2 templates per language in `channels/templates/{nb,en}/`. The assistant's replies come
from Rasa and the actions; the web chat page carries its own catalogue for the browser."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("nb", "en")
NORWEGIAN = ("nb", "nn", "no")


def language_of(code: str | None) -> str:
    """Our language for a channel's language code ("nb-NO", "en-GB", Telegram's "no"):
    Norwegian for Norwegian codes and when nothing is known, otherwise English."""
    if not code:
        return "nb"
    primary = code.strip().lower().replace("_", "-").split("-")[0]
    return "nb" if primary in NORWEGIAN else "en"


@lru_cache(maxsize=len(LANGUAGES))
def _environment(language: str) -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES / language),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # plain text for Telegram and terminals, never HTML
    )


def render(language: str, template: str, **context: Any) -> str:
    """The text of `template` (e.g. "telegram/not_linked.j2") in `language`, stripped."""
    lang = language if language in LANGUAGES else "nb"
    return _environment(lang).get_template(template).render(**context).strip()
