"""The Rasa components wired as in bot/config.yml, on real Rasa Message objects."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from nlu.clock import TODAY_VARIABLE, today
from nlu.components import LanguageDetector, NormalisedEntityExtractor


@pytest.fixture
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_VARIABLE, "2026-03-18")


def create(cls: Any, tmp_path: Any, config: dict[str, Any] | None = None) -> Any:
    return cls.create(
        {**cls.get_default_config(), **(config or {})},
        LocalModelStorage(tmp_path),
        Resource(cls.__name__),
        ExecutionContext(graph_schema=None, model_id="test"),  # type: ignore[arg-type]
    )


def parse(text: str, tmp_path: Any, intent: str | None = None,
          diet: list[dict[str, Any]] | None = None, confidence: float = 0.9) -> Message:
    """Runs the two components as the pipeline does after DIET."""
    message = Message(data={"text": text})
    if intent:
        message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    if diet:
        message.set("entities", diet, add_to_output=True)
    for cls in (LanguageDetector, NormalisedEntityExtractor):
        create(cls, tmp_path).process([message])
    return message


def test_the_components_are_registered_with_the_default_recipe() -> None:
    registered = DefaultV1Recipe._from_registry("nlu.components.NormalisedEntityExtractor")
    assert registered.clazz is NormalisedEntityExtractor
    assert DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR in registered.types
    assert not registered.is_trainable
    assert DefaultV1Recipe._from_registry("nlu.components.LanguageDetector").clazz is LanguageDetector


def test_the_parse_result_carries_language_and_normalised_entities(pinned_today: None, tmp_path: Any) -> None:
    message = parse("fakturer Fjord Bygg for 7,5 timer i går", tmp_path, "create_invoice")
    output = message.as_dict(only_output_properties=True)
    assert output["language"] == "nb"
    assert [(e["entity"], e["value"], e["text"], e["start"], e["end"]) for e in output["entities"]] == [
        ("hours", 7.5, "7,5 timer", 24, 33),
        ("date", "2026-03-17", "i går", 34, 39),
    ]
    assert all(e["extractor"] == "NormalisedEntityExtractor" for e in output["entities"])


def test_english_messages_say_en(pinned_today: None, tmp_path: Any) -> None:
    output = parse("log 2.5 hours on Support yesterday", tmp_path, "log_time").as_dict(
        only_output_properties=True
    )
    assert output["language"] == "en"
    assert [(e["entity"], e["value"]) for e in output["entities"]] == [
        ("hours", 2.5), ("date", "2026-03-17")
    ]


def test_diet_numbers_are_replaced_and_diet_names_cut_back(pinned_today: None, tmp_path: Any) -> None:
    text = "før 3 timer på nettside i går"
    diet = [
        {"entity": "hours", "start": 4, "end": 5, "value": "3", "extractor": "DIETClassifier"},
        {"entity": "project", "start": 15, "end": 29, "value": "nettside i går", "extractor": "DIETClassifier"},
    ]
    entities = parse(text, tmp_path, "log_time", diet).get("entities")
    assert [(e["entity"], e["value"], e["extractor"]) for e in entities] == [
        ("hours", 3.0, "NormalisedEntityExtractor"),
        ("project", "nettside", "DIETClassifier"),
        ("date", "2026-03-17", "NormalisedEntityExtractor"),
    ]


def test_a_shop_name_with_a_number_keeps_its_number(pinned_today: None, tmp_path: Any) -> None:
    text = "kjøpte lunsj på rema 1000 for 189 kr"
    diet = [{"entity": "vendor", "start": 16, "end": 25, "value": "rema 1000", "extractor": "DIETClassifier"}]
    entities = parse(text, tmp_path, "register_expense", diet).get("entities")
    assert [(e["entity"], e["value"]) for e in entities] == [("vendor", "rema 1000"), ("amount", "189")]


def test_the_language_entity_is_optional(pinned_today: None, tmp_path: Any) -> None:
    message = Message(data={"text": "what's my balance"})
    create(LanguageDetector, tmp_path, {"emit_entity": True}).process([message])
    assert message.get("language") == "en"
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("language", "en")]


def test_today_can_be_pinned_for_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_VARIABLE, "2026-01-10")
    assert today().isoformat() == "2026-01-10"
    monkeypatch.delenv(TODAY_VARIABLE)
    assert today().year >= 2026


def test_split_names_are_joined_and_small_talk_has_no_names(pinned_today: None, tmp_path: Any) -> None:
    text = "nytt prosjekt Lager Alnabru"
    diet = [
        {"entity": "project", "start": 14, "end": 19, "value": "Lager", "extractor": "DIETClassifier"},
        {"entity": "project", "start": 20, "end": 27, "value": "Alnabru", "extractor": "DIETClassifier"},
    ]
    entities = parse(text, tmp_path, "create_project", diet).get("entities")
    assert [(e["entity"], e["value"], e["start"], e["end"]) for e in entities] == [
        ("project", "Lager Alnabru", 14, 27)
    ]
    diet = [{"entity": "project", "start": 20, "end": 27, "value": "likevel", "extractor": "DIETClassifier"}]
    assert parse("stopp, jeg vil ikke likevel", tmp_path, "cancel", diet).get("entities") == []


def test_a_name_cut_short_by_diet_is_completed(pinned_today: None, tmp_path: Any) -> None:
    text = "tveit rørlegger betalte 3 400 kr"
    diet = [{"entity": "customer", "start": 6, "end": 15, "value": "rørlegger", "extractor": "DIETClassifier"}]
    entities = parse(text, tmp_path, "register_payment", diet).get("entities")
    assert [(e["entity"], e["value"]) for e in entities] == [("customer", "tveit rørlegger"), ("amount", "3400")]


def test_language_reaches_the_latest_message_an_action_server_gets(pinned_today: None, tmp_path: Any) -> None:
    """The parse result's top-level `language` survives into `tracker.latest_message`, also
    after the event went through a tracker store (serialised and read back)."""
    from rasa.shared.core.events import Event, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    message = parse("what's my balance", tmp_path, "check_balance")
    parse_data = {"intent": message.get("intent"), "entities": [], **message.as_dict(only_output_properties=True)}
    uttered = UserUttered(message.get("text"), parse_data["intent"], parse_data["entities"], parse_data)
    stored = Event.from_parameters(uttered.as_dict())
    for event in (uttered, stored):
        tracker = DialogueStateTracker.from_events("someone", [event])
        state = tracker.current_state(EventVerbosity.AFTER_RESTART)
        assert state["latest_message"]["language"] == "en"


def test_a_pick_without_a_place_is_not_understood(pinned_today: None, tmp_path: Any) -> None:
    """A number alone that the classifier took for a pick is an answer the form reads from the
    text; "den andre" is a pick."""
    message = parse("3", tmp_path, "choose")
    assert message.get("intent")["name"] == "nlu_fallback"
    assert [i["name"] for i in message.get("intent_ranking")] == ["nlu_fallback"]
    assert message.get("entities") == []
    picked = parse("den andre", tmp_path, "choose")
    assert picked.get("intent")["name"] == "choose"
    assert [(e["entity"], e["value"]) for e in picked.get("entities")] == [("ordinal", 2)]


def test_the_balance_and_the_reports_carry_no_names(pinned_today: None, tmp_path: Any) -> None:
    diet = [{"entity": "project", "start": 18, "end": 22, "value": "lønn", "extractor": "DIETClassifier"}]
    message = parse("har vi penger til lønn i dag?", tmp_path, "check_balance", diet)
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("date", "2026-03-18")]


def test_a_bare_number_is_read_only_when_the_intent_is_sure(pinned_today: None, tmp_path: Any) -> None:
    assert [(e["entity"], e["value"]) for e in parse("7,5", tmp_path, "register_payment").get("entities")] == [
        ("amount", "7.50")
    ]
    assert parse("7,5", tmp_path, "register_payment", confidence=0.4).get("entities") == []
    unsure = parse("7,5 timer", tmp_path, "register_payment", confidence=0.4)
    assert [(e["entity"], e["value"]) for e in unsure.get("entities")] == [("hours", 7.5)]
