"""The intent classifier's verdict on a text it has read before, remembered (in the Rasa process,
Python 3.10; installed by `bot.rasa_server`).

DIET, the neural network that finds a message's intent and entities, is the largest single
cost of a turn: about 10 ms of CPU for each message, most of it TensorFlow dispatching the
hundreds of small operations of a transformer and a CRF for a sentence of a few words. Its
verdict depends on nothing but the text: the features it reads are made from the text by the
components before it, the model does not change while it is loaded, and at prediction time it
draws nothing at random. And people repeat themselves: "ja", "nei", "takk", "hei", "hva er
saldoen?", a button's title. So a loaded classifier remembers its verdict (intent, ranking,
entities) for the last `KEEP_TEXTS` texts it read, and gives the same verdict again without
running the network. Everything after it in the pipeline (dates resolved against today, the
language, the fallback) still runs for every message.

Remembered verdicts are copied in and out: the components after DIET complete the entities in
place. A new model is a new classifier with nothing remembered. Diagnostic runs (`rasa test`)
and messages that arrive with entities already set go through the network as before.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any

from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import ENTITY_RECOGNITION, INTENT_CLASSIFICATION

KEEP_TEXTS = 5000
_REMEMBERED = "_bokbot_verdicts"


def _verdict_keys(classifier: DIETClassifier) -> list[str]:
    keys = []
    if classifier.component_config[INTENT_CLASSIFICATION]:
        keys += [INTENT, INTENT_RANKING_KEY]
    if classifier.component_config[ENTITY_RECOGNITION]:
        keys.append(ENTITIES)
    return keys


def remembering(process: Any) -> Any:
    """`DIETClassifier.process` that remembers its verdicts by text (see the module docstring)."""

    def remembered(self: DIETClassifier, messages: list[Message]) -> list[Message]:
        if self._execution_context.should_add_diagnostic_data:
            return process(self, messages)
        verdicts: OrderedDict[str, dict[str, Any]] = self.__dict__.setdefault(_REMEMBERED, OrderedDict())
        keys = _verdict_keys(self)
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or message.get(ENTITIES):
                process(self, [message])
                continue
            verdict = verdicts.get(text)
            if verdict is None:
                process(self, [message])
                verdicts[text] = copy.deepcopy({key: message.get(key) for key in keys})
                while len(verdicts) > KEEP_TEXTS:
                    verdicts.popitem(last=False)
                continue
            verdicts.move_to_end(text)
            for key, value in copy.deepcopy(verdict).items():
                message.set(key, value, add_to_output=True)
        return messages

    return remembered


def install() -> None:
    DIETClassifier.process = remembering(DIETClassifier.process)  # type: ignore[method-assign]
