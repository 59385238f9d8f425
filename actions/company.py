"""The conversation around the work: greeting, help, thanks, goodbye, questions outside what
Bokbot does, messages it did not understand, and an accountant switching client company.

None of these posts anything. The answers to "what can you do?", to something out of scope
and to a message not understood all end in the same real examples (`_examples.j2`), fitted
to the asker's role: staff are shown only what they may do (their own hours).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.books import sessions
from actions.confirmation import active_form, leaving_events
from actions.context import Asker, asker_of
from actions.replies import render
from ledger.active_company import companies_of, resolve_company, switch_company
from ledger.errors import UnknownCompany
from ledger.identity import role_in

NAME_KINDS = ("company", "customer", "vendor", "project")
"""The entities a company's name said to switch to may come as, the likeliest first."""


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    """The value of `entity` in the latest message, if the NLU found one."""
    value = next(tracker.get_latest_entity_values(entity), None)
    return str(value).strip() if value is not None and str(value).strip() else None


def _say(dispatcher: CollectingDispatcher, asker: Asker, template: str, **values: Any) -> None:
    dispatcher.utter_message(text=render(asker.language, template, role=asker.role, **values))


class TemplateAnswer(Action, ABC):
    """An answer that is one reply, its `template` in the asker's language fitted to their
    role; it posts nothing.

    Abstract, so that the action server registers only the concrete ones."""

    action: ClassVar[str]

    @property
    @abstractmethod
    def template(self) -> str:
        """The reply's template."""

    def name(self) -> str:
        return self.action

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        _say(dispatcher, asker_of(tracker), self.template)
        return []


class ActionGreet(TemplateAnswer):
    """Greets back and says in one line what Bokbot is for."""

    action = "action_greet"
    template = "greet.j2"


class ActionGoodbye(Action):
    """Says goodbye. Said in the middle of a form, it also leaves the form (nothing is
    posted): the person is going, and a half-asked question should not greet them next time."""

    def name(self) -> str:
        return "action_goodbye"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        left = active_form(tracker) is not None
        _say(dispatcher, asker_of(tracker), "goodbye.j2", left=left)
        return leaving_events(tracker, domain) if left else []


class ActionThank(TemplateAnswer):
    """Answers a thank-you."""

    action = "action_thank"
    template = "thank.j2"


class ActionHelp(TemplateAnswer):
    """Says what Bokbot can do: one sentence, then real examples to copy."""

    action = "action_help"
    template = "help.j2"


class ActionOutOfScope(TemplateAnswer):
    """Says politely that this is outside what Bokbot does, and what it does do."""

    action = "action_out_of_scope"
    template = "out_of_scope.j2"


class ActionNotUnderstood(TemplateAnswer):
    """For a message the NLU was unsure of (`nlu_fallback`): says so and shows examples,
    rather than guessing an action."""

    action = "action_not_understood"
    template = "not_understood.j2"


class ActionDefaultFallback(TemplateAnswer):
    """Replaces Rasa's default fallback (no policy was confident of the next step): the same
    helpful answer as for a message not understood, and the message is forgotten so that the
    conversation goes on as if it had not been sent."""

    action = "action_default_fallback"
    template = "not_understood.j2"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return [*super().run(dispatcher, tracker, domain), UserUtteranceReverted()]


def switch_button(name: str) -> dict[str, str]:
    """A button that switches to the company called `name` when pressed."""
    return {"title": name, "payload": "/switch_company" + json.dumps({"company": name}, ensure_ascii=False)}


class ActionSwitchCompany(Action):
    """Switches the asker to another of their companies by name ("bytt til Fjord Bygg"),
    asking with a button per company when the name fits several or none was given.

    Everything said about the previous company (half-filled questions, a summary waiting for
    "ja") is forgotten, so that nothing meant for one client is posted in another's books.
    """

    def name(self) -> str:
        return "action_switch_company"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        asker = asker_of(tracker)
        if asker.user_id is None:
            _say(dispatcher, asker, "not_signed_in.j2")
            return []
        # "switch to Fjelltopp Digital": the name is a company's whatever kind of name the
        # NLU took it for (a customer, a vendor, a project), as only companies are switched to.
        said = next((found for found in (latest_entity(tracker, kind) for kind in NAME_KINDS) if found), None)
        with sessions().begin() as session:
            choices = companies_of(session, asker.user_id)
            current = next((c.name for c in choices if c.id == asker.company_id), None)
            if said is None:
                if len(choices) <= 1:
                    _say(dispatcher, asker, "company_only_one.j2", current=current)
                    return []
                dispatcher.utter_message(
                    text=render(asker.language, "company_which.j2", current=current),
                    buttons=[switch_button(c.name) for c in choices],
                )
                return []
            try:
                resolution = resolve_company(session, asker.user_id, said)
            except UnknownCompany:
                _say(dispatcher, asker, "company_unknown.j2", said=said, names=[c.name for c in choices])
                return []
            chosen = resolution.chosen
            if chosen is None:
                dispatcher.utter_message(
                    text=render(asker.language, "company_several.j2", said=said),
                    buttons=[switch_button(c.name) for c in resolution.candidates],
                )
                return []
            if chosen.id == asker.company_id:
                _say(dispatcher, asker, "company_already.j2", company=chosen.name)
                return []
            company = switch_company(session, asker.user_id, chosen.id)
            role = role_in(session, asker.user_id, company.id)
            name = company.name
        # The way back: to the company left, and to the overview of every client.
        back = [] if current is None else [
            {**switch_button(current), "title": render(asker.language, "button_back_to.j2", company=current)}
        ]
        overview = {"title": render(asker.language, "button_clients_overview.j2"), "payload": "/clients_overview"}
        dispatcher.utter_message(
            text=render(asker.language, "company_switched.j2", role=asker.role, company=name, new_role=role),
            buttons=[*back, overview],
        )
        return [ActiveLoop(None), AllSlotsReset(), SlotSet("language", asker.language)]
