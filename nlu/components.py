"""Bokbot's custom Rasa NLU components: language detection and the rule-based entities.

Thin wiring only: the parsing lives in `nlu.language`, `nlu.entities` and the modules they
use, which import nothing from Rasa. Both components are registered with Rasa 3's
`DefaultV1Recipe` as untrained entity extractors, so they run at parse time only, after the
classifier: the entity extractor reads the intent DIET found to interpret numbers without a
unit, and replaces DIET's view of the entities it owns.

How `language` reaches the action server (checked in the Rasa 3.6.21 source):
`MessageProcessor._parse_message_with_graph` returns `Message.as_dict(only_output_properties=
True)`, which includes every property set with `add_to_output=True`; the processor passes that
whole dict as `parse_data` to `UserUttered`, whose constructor merges it into
`UserUttered.parse_data`; the tracker's `latest_message` (`DialogueStateTracker.
_latest_message_data`) is a copy of that `parse_data`, and `UserUttered.as_dict` keeps it for
the tracker store. So a top-level `language` key survives into the `latest_message` that a
rasa-sdk action server receives (`tracker.latest_message["language"]`). No `language` entity
is needed, and the domain has none (its `language` slot is set by the actions);
`emit_entity: true` in the config would add one (value "nb"/"en"). Button payloads
("/affirm") go through the whole pipeline before the RegexMessageHandler replaces intent and
entities, so they carry `language` too, but it is the default "nb" (a payload has no words to
judge by); events created without NLU (the `trigger_intent` API) carry none. Actions should
take the language of the last message with words in it, as `actions/context.py` does.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.clock import today
from nlu.entities import (
    CHOOSE_INTENT,
    NO_ENTITY_INTENTS,
    NO_NAME_INTENTS,
    RULE_ENTITIES,
    attach_numbers_to_names,
    extend_names,
    extract_entities,
    join_split_projects,
    merge_adjacent,
    trim_name,
)
from nlu.language import EN_WORDS, NB_WORDS, detect_language

_LANGUAGE_WORD = re.compile(r"[a-zæøåé']+")
LANGUAGE_KEY = "language"
LANGUAGE_SURE_KEY = "language_sure"


def shows_language(text: str) -> bool:
    """Whether a message has any word that is Norwegian or English only."""
    words = set(_LANGUAGE_WORD.findall(text.lower()))
    return bool((words & NB_WORDS) ^ (words & EN_WORDS)) or bool(re.search(r"[æøå]", text.lower()))
#: Words that are never part of a name: the language detector's function and domain words.
STOP_WORDS = NB_WORDS | EN_WORDS


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent):
    """Sets `language` ("nb" or "en") on every parsed message, as a top-level output key."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"emit_entity": False}

    def __init__(self, config: dict[str, Any]) -> None:
        self._emit_entity = bool(config.get("emit_entity", False))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Detects the language of each message."""
        for message in messages:
            text = message.get(TEXT) or ""
            language = detect_language(text)
            message.set(LANGUAGE_KEY, language, add_to_output=True)
            # "van", "ok" or "Fjord Bygg" alone show no language: the actions then keep the
            # language of the conversation instead of this default.
            message.set(LANGUAGE_SURE_KEY, shows_language(text), add_to_output=True)
            if self._emit_entity:
                entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != LANGUAGE_KEY]
                entities.append({"entity": LANGUAGE_KEY, "value": language,
                                 "extractor": self.__class__.__name__})
                message.set(ENTITIES, entities, add_to_output=True)
        return messages


def _not_understood(message: Message) -> None:
    """Turns the classifier's intent into `nlu_fallback`, as the FallbackClassifier does, with
    the intent ruled out dropped from the ranking."""
    ruled_out = (message.get(INTENT) or {}).get("name")
    confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY, 1.0)
    fallback = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: confidence}
    ranking = [i for i in message.get(INTENT_RANKING_KEY) or [] if i.get(INTENT_NAME_KEY) != ruled_out]
    message.set(INTENT, fallback, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [fallback, *ranking], add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class NormalisedEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Finds and normalises hours, amount, rate, date, period, invoice_number, orgnr and email.

    Runs after DIET: DIET's entities of these types are dropped, and DIET's names (customer,
    project, ...) are cut back where they overlap one of ours ("nettside i går" → "nettside").
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Below this confidence the intent is too unsure to say what a bare number is; the
        # FallbackClassifier's threshold.
        return {"sure_confidence": 0.6}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        self._sure_confidence = float(config.get("sure_confidence", 0.6))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NormalisedEntityExtractor:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the normalised entities to each message."""
        day = today()
        for message in messages:
            self._process_one(message, day)
        return messages

    def _process_one(self, message: Message, day: Any) -> None:
        text = message.get(TEXT) or ""
        intent = (message.get(INTENT) or {}).get("name")
        others = [e for e in message.get(ENTITIES, []) if e.get("entity") not in RULE_ENTITIES]
        names = [(int(e["start"]), int(e["end"])) for e in others if "start" in e and "end" in e]
        confidence = float((message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY, 1.0))
        ours = extract_entities(text, day, intent=intent, protected=names,
                                sure=confidence >= self._sure_confidence)
        if intent == CHOOSE_INTENT and not ours:
            # A pick by place names a place: "3" or "1.5" alone is an answer to the question
            # ("how many hours?"), which the form reads from the text, as for any message the
            # classifier is unsure of.
            _not_understood(message)
            intent = DEFAULT_NLU_FALLBACK_INTENT_NAME
        ours, others = attach_numbers_to_names(text, ours, others)
        taken = [(e.start, e.end) for e in ours]

        kept: list[dict[str, Any]] = []
        names: list[dict[str, Any]] = []
        for e in others:
            if "start" not in e or "end" not in e or e.get("entity") == LANGUAGE_KEY:
                kept.append(e)
                continue
            if intent in NO_ENTITY_INTENTS or intent in NO_NAME_INTENTS:
                continue
            if e.get("entity") == "company" and intent != "switch_company":
                continue  # a client company is only named to switch to it ("taxi to the airport")
            span = trim_name(text, int(e["start"]), int(e["end"]), taken)
            if span is None:
                continue
            if span != (e["start"], e["end"]):
                e = {**e, "start": span[0], "end": span[1], "value": text[span[0]:span[1]]}
            names.append(e)
        by_span = {(e["entity"], e["start"], e["end"]): e for e in names}
        joined = join_split_projects(text, merge_adjacent(text, list(by_span)))
        for (kind, start, end), (_, new_start, new_end) in zip(
            joined, extend_names(text, joined, taken, STOP_WORDS), strict=True
        ):
            e = by_span.get((kind, start, end))
            if e is None:  # joined from two or more
                e = next(n for n in names if n["entity"] == kind and n["start"] == start)
            if (new_start, new_end) != (e["start"], e["end"]):
                e = {**e, "start": new_start, "end": new_end, "value": text[new_start:new_end]}
            kept.append(e)

        for found in ours:
            kept.append(
                {
                    "entity": found.entity,
                    "start": found.start,
                    "end": found.end,
                    "value": found.value,
                    "text": found.text,
                    "confidence_entity": 1.0,
                    "extractor": self.__class__.__name__,
                }
            )
        kept.sort(key=lambda e: (e.get("start", 1 << 30), e.get("entity", "")))
        message.set(ENTITIES, kept, add_to_output=True)
