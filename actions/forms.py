"""Asking for what is missing, one question at a time: the shared parts of our Rasa forms.

A form's slots are all listed in the domain (so that whatever the person says that fills any
of them is validated), but `FormValidator.needed` decides which of them are still asked for,
in order: "fakturer Fjord Bygg 12 000 kr" needs no hours, "fakturer Fjord Bygg" does. Forms
are for owners and accountants; anyone else is told politely and the form ends at once.

A question is a custom action (`AskAction`) rendering `ask_<slot>.j2` in the person's
language. When a name matched several customers or projects, the validator keeps them in
the `choices` slot and the question offers one button each; a button's payload is
`/choose{"<entity>": "<name>"}` (intent `choose`), which the slot's `from_entity` mapping
reads like a typed answer. A pick typed by its place ("den andre", "the last one": intent
`choose` with the NLU's `ordinal` entity) counts among the buttons of the question and is
taken as if that button had been pressed.

Answers that only read (a report, an invoice shown) are a `KeeperAction`: the same refusal
for anyone who may not, then the answer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction

from actions.answers import Refused
from actions.confirmation import PENDING_SLOT, RESUME_SLOT
from actions.context import Asker, asker_of
from actions.periods import parse_day
from actions.replies import Answer, render, reply
from ledger import clock
from ledger.permissions import Capability, may

CHOICES_SLOT = "choices"
CHOOSE_INTENT = "choose"
ORDINAL_ENTITY = "ordinal"
_CHOOSE_PAYLOAD = re.compile(r"^/" + CHOOSE_INTENT + r"(\{.*\})$", re.DOTALL)


def choices_for(slot: str, entity: str, options: Sequence[str | tuple[str, str]]) -> dict[str, Any]:
    """What the `choices` slot holds while a question offers buttons for `slot`: each option
    is a name, or a (title, value) pair when the button shows more than the value."""
    return {
        "slot": slot,
        "entity": entity,
        "options": [
            {"title": o[0], "value": o[1]} if isinstance(o, tuple) else {"title": o, "value": o} for o in options
        ],
    }


def choice_buttons(choices: Mapping[str, Any] | None, slot: str) -> list[dict[str, str]]:
    """One button per option offered for `slot` (none when nothing is offered for it)."""
    if not choices or choices.get("slot") != slot:
        return []
    entity = str(choices.get("entity"))
    return [
        {
            "title": str(option["title"]),
            "payload": f"/{CHOOSE_INTENT}{json.dumps({entity: str(option['value'])}, ensure_ascii=False)}",
        }
        for option in choices.get("options") or []
    ]


def _question_buttons(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The buttons of the assistant's messages between the last two messages of the person."""
    buttons: list[dict[str, Any]] = []
    users = 0
    for event in reversed(events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                break
        elif event.get("event") == "bot" and users == 1:
            buttons[:0] = (event.get("data") or {}).get("buttons") or []
    return buttons


def picked_by_place(tracker: Tracker) -> str | None:
    """The value of the option the latest message picks by its place in the list ("den
    andre", "the last one"), as its button's payload would have given it; None when the
    message picks nothing, or a place the question did not offer."""
    latest = tracker.latest_message or {}
    if (latest.get("intent") or {}).get("name") != CHOOSE_INTENT:
        return None
    place = next((e.get("value") for e in latest.get("entities") or [] if e.get("entity") == ORDINAL_ENTITY), None)
    if not isinstance(place, int) or isinstance(place, bool):
        return None
    buttons = _question_buttons(tracker.events or [])
    if place == -1:
        place = len(buttons)
    if not 1 <= place <= len(buttons):
        return None
    payload = _CHOOSE_PAYLOAD.match(str(buttons[place - 1].get("payload") or ""))
    if payload is None:
        return None
    values = json.loads(payload.group(1))
    return str(next(iter(values.values()))) if isinstance(values, dict) and len(values) == 1 else None


def refuse_asker(dispatcher: CollectingDispatcher, asker: Asker, capability: Capability) -> bool:
    """Tells someone who may not do this why (not signed in, or staff); True if refused."""
    if not asker.known:
        dispatcher.utter_message(text=render(asker.language, "not_signed_in.j2"))
        return True
    if not may(asker.role, capability):
        dispatcher.utter_message(text=render(asker.language, "staff_refused.j2"))
        return True
    return False


class KeeperAction(Answer, ABC):
    """An answer for someone who may `capability` (keep the books, unless said): anyone else
    is told why (`refuse_asker`) and nothing is read."""

    capability: ClassVar[Capability] = Capability.KEEP_BOOKS

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asker = asker_of(tracker)
        if refuse_asker(dispatcher, asker, self.capability):
            return []
        return self.answer(dispatcher, tracker, asker)


SlotValidator = Callable[[Any, CollectingDispatcher, Tracker, dict[str, Any]], dict[str, Any] | None]
"""Checks a value said for one slot: `{slot: value}` to take it, `{slot: None}` to ask again."""


def answered(
    dispatcher: CollectingDispatcher, asker: Asker, slot: str, answer: Any, refused: str
) -> dict[str, Any]:
    """The slot value for an answer read by `actions.answers`: the value, or None (asked
    again) after `refused` has said why a `Refused` one cannot be used."""
    if isinstance(answer, Refused):
        reply(dispatcher, asker, refused, reason=answer.reason, said=answer.said)
        return {slot: None}
    return {slot: str(answer)}


#: The forms a request starts, by its intent: such a request said in the middle of another
#: form's question is a new request, not an answer ("fuel for the van, 600 kr" while an
#: invoice asks how many hours).
REQUEST_FORMS = {
    "create_invoice": "invoice_form",
    "register_expense": "register_expense_form",
    "register_payment": "payment_form",
    "log_time": "log_time_form",
    "credit_invoice": "credit_form",
}
#: Entities only a request of this intent names: a message with one is that request, even when
#: a word of it also fills the question asked ("the van" read as a customer).
_OWN_ENTITIES = {
    "register_expense": frozenset({"expense_category", "vendor"}),
    "create_invoice": frozenset({"customer"}),
}
#: How sure the classifier must be before a message leaves a question unanswered.
NEW_REQUEST_CONFIDENCE = 0.8


BARE_NUMBER = re.compile(
    r"\s*-?\d{1,3}(?:[ \u00a0.]\d{3})*(?:[.,]\d+)?\s*(?:t|h|hrs?|hours?|timer?|kr|kroner|nok|,-)?\s*[.!]?\s*",
    re.IGNORECASE,
)
"""A message that is a number and at most its unit: "1.5", "2,5 t", "450 kr", "12 500"."""


def new_request(tracker: Tracker, form: str, filled: Mapping[str, Any]) -> str | None:
    """The form of another request the latest message makes while `form` asks a question;
    None when it is (or may be) an answer: a button, a message the classifier is unsure of, or
    one that fills the slot asked for (`filled`: the slots this message sets), unless it names
    what only the other request has ("fuel for the van, 600 kr")."""
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    other = REQUEST_FORMS.get(str(intent.get("name")))
    if other is None or other == form or str(latest.get("text") or "").startswith("/"):
        return None
    if float(intent.get("confidence") or 0.0) < NEW_REQUEST_CONFIDENCE:
        return None
    own = _OWN_ENTITIES.get(str(intent.get("name")), frozenset())
    if any(e.get("entity") in own for e in latest.get("entities") or []) and _says_more_than_names(latest):
        return other
    requested = tracker.get_slot(REQUESTED_SLOT)
    return None if requested and filled.get(requested) is not None else other


def _says_more_than_names(latest: Mapping[str, Any]) -> bool:
    """Whether a message has a word of its own beside the entities it names: "Fjord Bygg" alone
    answers a question, "fakturer Fjord Bygg" asks for something."""
    text = str(latest.get("text") or "")
    for e in sorted(latest.get("entities") or [], key=lambda e: -int(e.get("start") or 0)):
        if isinstance(e.get("start"), int) and isinstance(e.get("end"), int):
            text = text[: e["start"]] + " " + text[e["end"]:]
    return bool(re.search(r"[^\W\d_]{4,}", text))


def _offers_to_resume(event: EventType, form: str) -> bool:
    if event.get("event") != "slot" or event.get("name") != PENDING_SLOT:
        return False
    value = event.get("value") or {}
    resume = (value.get("values") or {}).get("resume") or {}
    return bool(resume.get("form") == form)


class FormValidator(FormValidationAction, ABC):
    """Validates every slot of the form whenever it is set; asks only for `needed` ones.

    Abstract, so that the action server registers only the concrete validators."""

    capability: Capability = Capability.KEEP_BOOKS

    @abstractmethod
    def needed(self, tracker: Tracker, asker: Asker) -> list[str]:
        """The slots to ask for, in order, given what is known (filled ones are skipped)."""

    @staticmethod
    def day_that_has_come(slot: str, refused: str) -> Callable[..., dict[str, Any]]:
        """The `validate_<slot>` method of a slot that takes a day that has come (hours and
        expenses are entered afterwards); `refused` says why another is not taken (a day not
        understood, or one still to come)."""

        def validate(
            form: FormValidator, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
        ) -> dict[str, Any]:
            day: dt.date | None = parse_day(value)
            if day is None or day > clock.today():
                reply(dispatcher, asker_of(tracker), refused, day=day)
                return {slot: None}
            return {slot: day.isoformat()}

        return validate

    def ended(self, domain: Mapping[str, Any]) -> list[EventType]:
        """The events that leave the form with its slots emptied."""
        events: list[EventType] = [SlotSet(slot, None) for slot in self.domain_slots(dict(domain))]
        return [*events, SlotSet(CHOICES_SLOT, None), SlotSet(REQUESTED_SLOT, None), ActiveLoop(None)]

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asker = asker_of(tracker)
        if refuse_asker(dispatcher, asker, self.capability):
            return self.ended(domain)
        if (
            tracker.active_loop_name == self.form_name()
            and tracker.get_slot(REQUESTED_SLOT)
            and not self.answers_question(tracker)
        ):
            # Only a message answering a question can be a new request instead: a form a rule
            # starts after another action (the details an invoice lacks) still has the
            # request that led to it as the latest message, and must not leave for it.
            other = new_request(tracker, self.form_name(), tracker.slots_to_validate())
            if other is not None:
                # A new request: this question is left (its slots emptied) and the request's
                # own form reads the message afresh.
                return [*self.ended(domain), FollowupAction(other)]
        events: list[EventType] = await super().run(dispatcher, tracker, domain)
        if tracker.get_slot(RESUME_SLOT):
            events.append(SlotSet(RESUME_SLOT, None))  # back in the form: the way back is used
        if any(_offers_to_resume(event, self.form_name()) for event in events):
            # An offer (create the unknown customer?) now waits for Ja/Nei: leave the form;
            # the offer carries its slots and brings the person back on "ja".
            kept = [e for e in events if not (e.get("event") == "slot" and e.get("name") == REQUESTED_SLOT)]
            return kept + self.ended(domain)
        return events

    number_slots: frozenset[str] = frozenset()
    """The slots whose question a bare number answers ("How many hours?" – "1.5")."""

    def answers_question(self, tracker: Tracker) -> bool:
        """Whether the latest message has the very shape of an answer to the question asked,
        so that it is one whatever the classifier took it for ("Marinaveien 2, 4010
        Stavanger" names an amount to it, a bare "1.5" a payment): by default a bare number
        (with its unit at most) asked for one of `number_slots`."""
        said = str((tracker.latest_message or {}).get("text") or "")
        return tracker.get_slot(REQUESTED_SLOT) in self.number_slots and BARE_NUMBER.fullmatch(said) is not None

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        return self.needed(tracker, asker_of(tracker))

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Like the SDK's, but for every slot of the form, asked for or not."""
        form_slots = set(self.domain_slots(domain))
        slots: dict[str, Any] = {k: v for k, v in tracker.slots_to_validate().items() if k in form_slots}
        requested = tracker.get_slot(REQUESTED_SLOT)
        unanswered = requested in form_slots and slots.get(requested) is None
        picked = picked_by_place(tracker) if unanswered else None
        if picked is None and unanswered and self.answers_question(tracker):
            # Shaped as the answer, read as something else by the classifier: the answer.
            picked = str((tracker.latest_message or {}).get("text") or "").strip()
        if picked is not None:
            # "den andre": the second button of the question for the requested slot
            slots[requested] = picked
            tracker.slots[requested] = picked
        for slot_name, slot_value in list(slots.items()):
            validate = self.validator(slot_name)
            if validate is None or slot_value is None:
                continue
            output = validate(slot_value, dispatcher, tracker, domain)
            if isinstance(output, dict):
                slots.update(output)
                tracker.slots.update(output)
        return [SlotSet(slot, value) for slot, value in slots.items()]

    def validator(self, slot: str) -> SlotValidator | None:
        """What checks a value said for `slot`: the method `validate_<slot>`, if any."""
        validate: SlotValidator | None = getattr(self, f"validate_{slot}", None)
        return validate

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventType | None:
        needed = self.needed(tracker, asker_of(tracker))
        missing = (slot for slot in needed if tracker.slots.get(slot) is None)
        return SlotSet(REQUESTED_SLOT, next(missing, None))


class AskAction(Action):
    """Asks for one slot with `ask_<slot>.j2`, offering buttons when there are choices."""

    slot: str = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def context(self, tracker: Tracker, asker: Asker) -> dict[str, Any]:
        """What the question mentions (the customer's name, the unbilled hours, ...)."""
        return {}

    def extra_buttons(self, tracker: Tracker, asker: Asker) -> list[dict[str, str]]:
        return []

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asker = asker_of(tracker)
        choices = tracker.get_slot(CHOICES_SLOT)
        offered = choice_buttons(choices, self.slot)
        text = render(
            asker.language,
            f"ask_{self.slot}.j2",
            options=[button["title"] for button in offered],
            **self.context(tracker, asker),
        )
        buttons = offered + self.extra_buttons(tracker, asker)
        dispatcher.utter_message(text=text, buttons=buttons)
        return [SlotSet("language", asker.language)]


class ActionStaleChoice(Answer):
    """A choice button pressed after its question was closed."""

    action = "action_stale_choice"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        dispatcher.utter_message(text=render(asker.language, "choice_stale.j2"))
        return [SlotSet(CHOICES_SLOT, None)]
