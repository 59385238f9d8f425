"""A remembered verdict of the intent classifier (`bot.classifier_cache`) is exactly the one the
network gives, is given without running the network, and cannot be changed by what reads it."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import EPOCHS, RANDOM_SEED

from bot import classifier_cache

NETWORK = DIETClassifier.process  # Rasa's own, taken before any test installs the cache

EXAMPLES = [
    ("hei", "greet", []),
    ("hei der", "greet", []),
    ("god morgen", "greet", []),
    ("ja", "affirm", []),
    ("ja takk", "affirm", []),
    ("det stemmer", "affirm", []),
    ("fakturer Fjord Bygg for 5 timer", "create_invoice", [("Fjord Bygg", "customer")]),
    ("fakturer Hansen Rør for 2 timer", "create_invoice", [("Hansen Rør", "customer")]),
    ("lag faktura til Nordlys for 3 timer", "create_invoice", [("Nordlys", "customer")]),
]
ASKED = ["hei", "ja", "fakturer Fjord Bygg for 5 timer", "fakturer Bølgen AS for 7 timer", "noe helt annet", ""]


def _message(text: str, intent: str | None = None, entities: list[tuple[str, str]] = ()) -> Message:
    data: dict[str, Any] = {TEXT: text}
    if intent:
        data[INTENT] = intent
        data[ENTITIES] = [
            {"start": text.index(value), "end": text.index(value) + len(value), "value": value, "entity": name}
            for value, name in entities
        ]
    return Message(data=data)


class Pipeline:
    def __init__(self, tmp_path: Path) -> None:
        storage = LocalModelStorage(tmp_path)
        context = ExecutionContext(GraphSchema({}), node_name="diet")
        self.tokenizer = WhitespaceTokenizer.create(
            WhitespaceTokenizer.get_default_config(), storage, Resource("t"), context
        )
        self.featurizer = CountVectorsFeaturizer.create(
            CountVectorsFeaturizer.get_default_config(), storage, Resource("f"), context
        )
        config = {**DIETClassifier.get_default_config(), EPOCHS: 3, RANDOM_SEED: 1}
        self.diet = DIETClassifier.create(config, storage, Resource("diet"), context)
        data = TrainingData([_message(*example) for example in EXAMPLES])
        self.tokenizer.process_training_data(data)
        self.featurizer.train(data)
        self.featurizer.process_training_data(data)
        self.diet.train(data)
        self.network_runs = 0
        predict = self.diet._predict

        def counted(message: Message) -> Any:
            self.network_runs += 1
            return predict(message)

        self.diet._predict = counted  # type: ignore[method-assign]

    def read(self, text: str, process: Any) -> Message:
        message = Message(data={TEXT: text})
        self.tokenizer.process([message])
        self.featurizer.process([message])
        process(self.diet, [message])
        return message


def verdict(message: Message) -> dict[str, Any]:
    return {key: copy.deepcopy(message.get(key)) for key in (INTENT, INTENT_RANKING_KEY, ENTITIES)}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    yield Pipeline(tmp_path_factory.mktemp("diet"))


def test_a_remembered_verdict_is_the_networks_and_skips_the_network(pipeline: Pipeline) -> None:
    networks = {text: verdict(pipeline.read(text, NETWORK)) for text in ASKED}
    assert any(v[ENTITIES] for v in networks.values())  # the comparison covers entities too
    remembered = classifier_cache.remembering(NETWORK)
    before = pipeline.network_runs
    first = {text: verdict(pipeline.read(text, remembered)) for text in ASKED}
    assert pipeline.network_runs == before + len(ASKED)
    again = {text: verdict(pipeline.read(text, remembered)) for text in ASKED}
    assert pipeline.network_runs == before + len(ASKED)  # not run again
    assert first == networks
    assert again == networks


def test_what_reads_a_verdict_cannot_change_the_remembered_one(pipeline: Pipeline) -> None:
    remembered = classifier_cache.remembering(NETWORK)
    text = "fakturer Hansen Rør for 2 timer"
    expected = verdict(pipeline.read(text, NETWORK))
    first = pipeline.read(text, remembered)
    first.get(ENTITIES).append({"entity": "added", "value": "later"})
    first.get(INTENT)["name"] = "changed"
    second = pipeline.read(text, remembered)
    second.get(INTENT_RANKING_KEY).clear()
    assert verdict(pipeline.read(text, remembered)) == expected


def test_only_the_latest_texts_are_remembered(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classifier_cache, "KEEP_TEXTS", 2)
    pipeline.diet.__dict__.pop(classifier_cache._REMEMBERED, None)
    remembered = classifier_cache.remembering(NETWORK)
    for text in ("hei", "ja", "hei der"):
        pipeline.read(text, remembered)
    runs = pipeline.network_runs
    pipeline.read("hei der", remembered)
    pipeline.read("ja", remembered)
    assert pipeline.network_runs == runs
    pipeline.read("hei", remembered)  # the oldest: forgotten
    assert pipeline.network_runs == runs + 1


def test_diagnostic_runs_always_run_the_network(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    diagnostic = ExecutionContext(GraphSchema({}), node_name="diet", should_add_diagnostic_data=True)
    monkeypatch.setattr(pipeline.diet, "_execution_context", diagnostic)
    remembered = classifier_cache.remembering(NETWORK)
    runs = pipeline.network_runs
    for _ in range(2):
        pipeline.read("god morgen", remembered)
    assert pipeline.network_runs == runs + 2
