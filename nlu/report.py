"""How well Bokbot understands: trains the NLU model, tests it on the held-out set, prints the figures.

Run from the repository root with the Rasa environment:

    PYTHONPATH=. .venv-rasa/bin/python -m nlu.report

It trains an NLU-only model (`rasa train nlu --config bot/config.yml --nlu nlu/data`), runs
`rasa test nlu` on `tests/nlu/test_data.yml` with BOKBOT_TODAY pinned to the date written at
the top of that file, and then parses every test message with the trained model itself,
because Rasa's own evaluation scores each extractor alone and never looks at an entity's
`value`. Printed: intent accuracy, the most frequent confusions, precision/recall/F1 per entity
of the final parse result (exact spans), and the share of found entities whose normalised value
equals the annotation. Exits with 1 when a figure is below its threshold.

Options: `--model PATH` tests an existing model instead of training; `--config PATH` trains
another pipeline (used to compare pipelines, see nlu/PIPELINES.md); `--out DIR` keeps the model
and Rasa's result files there (default: a temporary folder); `--test-data PATH` tests on another
held-out set (`tests/nlu/test_people.yml`: nynorsk, typos, numbers in words, voice transcripts).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / "tests" / "nlu" / "test_data.yml"
CONFIG = ROOT / "bot" / "config.yml"
TRAINING_DATA = ROOT / "nlu" / "data"

MIN_INTENT_ACCURACY = 0.95
MIN_ENTITY_F1 = 0.90
MIN_VALUE_SHARE = 0.95

#: Messages that no intent fits: they must end in out_of_scope or nlu_fallback.
NONSENSE = ["ghjkl zxcv", "blåbærsyltetøy", "xyz 123 ?", "lorem ipsum dolor", "hmm"]


@dataclass
class EntityScore:
    """Counts for one entity type over the test set."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    """What the trained model did with the test set."""

    total: int = 0
    intents_right: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    entities: dict[str, EntityScore] = field(default_factory=dict)
    values_compared: int = 0
    values_right: int = 0
    value_errors: list[str] = field(default_factory=list)
    entity_errors: list[str] = field(default_factory=list)
    by_language: Counter[tuple[str, bool]] = field(default_factory=Counter)

    @property
    def intent_accuracy(self) -> float:
        return self.intents_right / self.total if self.total else 0.0

    @property
    def value_share(self) -> float:
        return self.values_right / self.values_compared if self.values_compared else 1.0


def pinned_today(test_data: Path) -> str:
    """The BOKBOT_TODAY the test set's values were computed for, from its header comment."""
    match = re.search(r"BOKBOT_TODAY=(\d{4}-\d{2}-\d{2})", test_data.read_text(encoding="utf-8"))
    if not match:
        raise SystemExit(f"{test_data} does not say which BOKBOT_TODAY its values are for")
    return match.group(1)


def rasa_command() -> str:
    return str(Path(sys.executable).with_name("rasa"))


def rasa_env(today: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["BOKBOT_TODAY"] = today
    return env


@dataclass(frozen=True)
class TrainingTime:
    """Wall-clock seconds, and CPU seconds (user + system), which depend less on what else
    the machine is doing."""

    wall: float
    cpu: float


def train(config: Path, out: Path, env: dict[str, str]) -> tuple[Path, TrainingTime]:
    """Trains an NLU-only model; returns its path and the time it took."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run(
        [rasa_command(), "train", "nlu", "--config", str(config), "--nlu", str(TRAINING_DATA),
         "--out", str(out), "--fixed-model-name", "nlu"],
        check=True, cwd=ROOT, env=env,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out / "nlu.tar.gz", TrainingTime(time.monotonic() - started, cpu)


def rasa_test(model: Path, out: Path, env: dict[str, str], test_data: Path = TEST_DATA) -> None:
    subprocess.run(
        [rasa_command(), "test", "nlu", "--model", str(model), "--nlu", str(test_data),
         "--out", str(out), "--no-plot"],
        check=True, cwd=ROOT, env=env,
    )


def same_value(entity: str, found: Any, wanted: Any) -> bool:
    if entity == "hours":
        try:
            return abs(float(found) - float(wanted)) < 1e-6
        except (TypeError, ValueError):
            return False
    return str(found) == str(wanted)


def evaluate(model: Path, test_data: Path = TEST_DATA) -> tuple[Evaluation, list[tuple[str, str, float]]]:
    """Parses every test message with the model and scores the final parse results."""
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    agent = Agent.load(str(model))
    examples = [m for m in load_data(str(test_data)).intent_examples]
    result = Evaluation()

    async def parse_all() -> list[dict[str, Any]]:
        return [await agent.parse_message(m.get("text")) for m in examples]

    async def parse_texts(texts: list[str]) -> list[dict[str, Any]]:
        return [await agent.parse_message(t) for t in texts]

    parsed = asyncio.run(parse_all())
    for message, parse in zip(examples, parsed, strict=True):
        text = message.get("text")
        wanted_intent = message.get("intent")
        got_intent = (parse.get("intent") or {}).get("name")
        result.total += 1
        right = got_intent == wanted_intent
        result.intents_right += right
        result.by_language[(parse.get("language", "?"), right)] += 1
        if not right:
            result.confusions[(wanted_intent, got_intent)] += 1

        wanted = {(e["entity"], e["start"], e["end"]): e.get("value") for e in message.get("entities", [])}
        found = {(e["entity"], e["start"], e["end"]): e.get("value") for e in parse.get("entities", [])
                 if e.get("entity") != "language"}
        for key in set(wanted) | set(found):
            score = result.entities.setdefault(key[0], EntityScore())
            if key in wanted and key in found:
                score.true_positive += 1
                result.values_compared += 1
                if same_value(key[0], found[key], wanted[key]):
                    result.values_right += 1
                else:
                    result.value_errors.append(f"{text!r}: {key[0]} {found[key]!r}, wanted {wanted[key]!r}")
            elif key in found:
                score.false_positive += 1
                result.entity_errors.append(f"{text!r}: extra {key[0]} {text[key[1]:key[2]]!r}")
            else:
                score.false_negative += 1
                result.entity_errors.append(f"{text!r}: missed {key[0]} {text[key[1]:key[2]]!r}")

    nonsense = [(t, (p.get("intent") or {}).get("name"), (p.get("intent") or {}).get("confidence", 0.0))
                for t, p in zip(NONSENSE, asyncio.run(parse_texts(NONSENSE)), strict=True)]
    return result, nonsense


def rasa_token_level(results: Path) -> dict[str, float]:
    """F1 per entity from `rasa test nlu`'s reports: names from DIET, the rest from ours."""
    from nlu.entities import RULE_ENTITIES

    scores: dict[str, float] = {}
    for extractor, owned in (("DIETClassifier", False), ("NormalisedEntityExtractor", True)):
        path = results / f"{extractor}_report.json"
        if not path.exists():
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        for entity, figures in report.items():
            if isinstance(figures, dict) and "f1-score" in figures and " avg" not in entity \
                    and (entity in RULE_ENTITIES) == owned:
                scores[entity] = float(figures["f1-score"])
    return scores


def print_report(result: Evaluation, nonsense: list[tuple[str, str, float]],
                 seconds: TrainingTime | None, rasa_results: Path) -> bool:
    """Prints the figures; returns True when every threshold is met."""
    ok = True
    print()
    print("=== Bokbot NLU on the held-out set ===")
    if seconds is not None:
        print(f"training time: {seconds.wall:.0f} s wall clock, {seconds.cpu:.0f} s CPU")
    print(f"messages: {result.total}")
    languages = Counter(lang for (lang, _), n in result.by_language.items() for _ in range(n))
    print("language detected: " + ", ".join(f"{k} {v}" for k, v in sorted(languages.items())))
    mark = "ok" if result.intent_accuracy >= MIN_INTENT_ACCURACY else "BELOW"
    ok &= mark == "ok"
    print(f"intent accuracy: {result.intent_accuracy:.3f} (threshold {MIN_INTENT_ACCURACY}) {mark}")
    if result.confusions:
        print("top confusions (wanted -> predicted):")
        for (wanted, got), n in result.confusions.most_common(10):
            print(f"  {n} x {wanted} -> {got}")
    print(f"entities (exact spans of the final parse result; threshold F1 {MIN_ENTITY_F1}):")
    print(f"  {'entity':<18}{'prec':>7}{'recall':>8}{'f1':>7}{'support':>9}")
    for name, score in sorted(result.entities.items()):
        support = score.true_positive + score.false_negative
        mark = "ok" if score.f1 >= MIN_ENTITY_F1 else "BELOW"
        ok &= mark == "ok"
        print(f"  {name:<18}{score.precision:>7.3f}{score.recall:>8.3f}{score.f1:>7.3f}{support:>9}  {mark}")
    mark = "ok" if result.value_share >= MIN_VALUE_SHARE else "BELOW"
    ok &= mark == "ok"
    print(f"normalised values equal to the annotation: {result.values_right}/{result.values_compared}"
          f" = {result.value_share:.3f} (threshold {MIN_VALUE_SHARE}) {mark}")
    for line in result.value_errors:
        print(f"  value: {line}")
    for line in result.entity_errors:
        print(f"  span: {line}")
    print("messages no intent fits:")
    for text, intent, confidence in nonsense:
        print(f"  {text!r} -> {intent} ({confidence:.2f})")
    token_level = rasa_token_level(rasa_results)
    if token_level:
        print("Rasa's own token-level entity F1, each entity scored for the component that owns it:")
        print("  " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(token_level.items())))
    print(f"Rasa's own result files: {rasa_results}")
    print("PASSED" if ok else "FAILED: below threshold")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlu.report", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, help="test this model instead of training one")
    parser.add_argument("--config", type=Path, default=CONFIG, help="pipeline to train")
    parser.add_argument("--out", type=Path, help="folder for the model and result files")
    parser.add_argument("--test-data", type=Path, default=TEST_DATA,
                        help="held-out set to test on (default tests/nlu/test_data.yml; "
                             "tests/nlu/test_people.yml holds messages as people really write them)")
    args = parser.parse_args(argv)
    test_data = args.test_data.resolve()

    today = pinned_today(test_data)
    env = rasa_env(today)
    # This process loads the model too: the components must see the same pinned day.
    os.environ["BOKBOT_TODAY"] = today
    out = args.out or Path(tempfile.mkdtemp(prefix="bokbot-nlu-"))
    out.mkdir(parents=True, exist_ok=True)

    seconds = None
    model = args.model
    if model is None:
        model, seconds = train(args.config, out, env)
    results = out / "results"
    rasa_test(model, results, env, test_data)
    evaluation, nonsense = evaluate(model, test_data)
    with open(out / "report.json", "w", encoding="utf-8") as f:
        json.dump(
            {
                "training_seconds": seconds.wall if seconds else None,
                "training_cpu_seconds": seconds.cpu if seconds else None,
                "intent_accuracy": evaluation.intent_accuracy,
                "entities": {k: {"precision": v.precision, "recall": v.recall, "f1": v.f1}
                             for k, v in evaluation.entities.items()},
                "value_share": evaluation.value_share,
            },
            f,
            indent=2,
        )
    return 0 if print_report(evaluation, nonsense, seconds, results) else 1


if __name__ == "__main__":
    sys.exit(main())
