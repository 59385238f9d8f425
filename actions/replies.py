"""Replies written from Jinja2 templates per language (`actions/templates/{nb,en}/`), with
amounts and dates formatted for that language: `render` writes one, `reply` sends it, and an
`Answer` is an action that answers the person asking."""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.context import Asker, asker_of
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


def reply(dispatcher: CollectingDispatcher, asker: Asker, template: str, **context: Any) -> None:
    """Sends `template` rendered in the asker's language as one message."""
    dispatcher.utter_message(text=render(asker.language, template, **context))


class Answer(Action, ABC):
    """An action (named `action` in the domain) that answers the person asking: `answer` is
    told who that is.

    Abstract, so that the action server registers only the concrete ones."""

    action: ClassVar[str]

    def name(self) -> str:
        return self.action

    @abstractmethod
    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        """Answers `asker`; the events to return."""

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return self.answer(dispatcher, tracker, asker_of(tracker))
