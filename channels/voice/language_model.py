"""A trigram language model (ARPA text) for the embedded recogniser, counted from sentences
the command grammar allows, with the company's names in them.

A flat grammar makes pocketsphinx choose between whole sentences and, when none fits to the
end, return nothing; a language model learnt from the same sentences keeps the same words
and likely orders but always hears something, and it hears a command said a little
differently from the grammar too. Smoothing is absolute discounting with back-off
(Katz-style): each seen n-gram gives up `DISCOUNT` of its count to the next lower order.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable

from channels.voice.jsgf import parse, sample

DISCOUNT = 0.5
SENTENCES = 6000
START, END = "<s>", "</s>"


def grammar_sentences(jsgf: str, count: int = SENTENCES, seed: int = 4102) -> list[list[str]]:
    """`count` sentences drawn from the grammar's public rules (the same ones every time)."""
    rules, public = parse(jsgf)
    rng = random.Random(seed)
    sentences: list[list[str]] = []
    attempts = 0
    while len(sentences) < count and attempts < count * 4:
        attempts += 1
        found = sample(rules, rng.choice(public), rng)
        if found:
            sentences.append(found)
    return sentences


def _log10(p: float) -> float:
    return math.log10(max(p, 1e-99))


def arpa(sentences: Iterable[list[str]], vocabulary: Iterable[str] = ()) -> str:
    """A back-off trigram model of `sentences` as ARPA text; every word of `vocabulary` gets
    at least a small unigram probability."""
    counts: list[Counter[tuple[str, ...]]] = [Counter(), Counter(), Counter()]
    for sentence in sentences:
        words = [START, *sentence, END]
        for n in (1, 2, 3):
            for i in range(len(words) - n + 1):
                gram = tuple(words[i : i + n])
                if gram != (START,):
                    counts[n - 1][gram] += 1
    for word in vocabulary:
        counts[0].setdefault((word,), 0)
    counts[0].setdefault((START,), 0)

    # Unigrams: add-one, so that every word of the vocabulary can be heard.
    total = sum(counts[0].values()) + len(counts[0])
    probs: list[dict[tuple[str, ...], float]] = [{g: (c + 1) / total for g, c in counts[0].items()}, {}, {}]
    probs[0][(START,)] = 0.0
    backoff: list[dict[tuple[str, ...], float]] = [{}, {}, {}]
    for n in (2, 3):
        history_counts: Counter[tuple[str, ...]] = Counter()
        followers: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for gram, c in counts[n - 1].items():
            history_counts[gram[:-1]] += c
            followers.setdefault(gram[:-1], []).append(gram)
        for history, grams in followers.items():
            seen_mass = 0.0
            lower_mass = 0.0
            for gram in grams:
                p = (counts[n - 1][gram] - DISCOUNT) / history_counts[history]
                probs[n - 1][gram] = p
                seen_mass += p
                lower_mass += _lower(probs, backoff, gram[1:])
            left = max(1.0 - seen_mass, 1e-9)
            backoff[n - 2][history] = left / max(1.0 - lower_mass, 1e-9)

    lines = ["\\data\\"] + [f"ngram {n}={len(probs[n - 1])}" for n in (1, 2, 3)] + [""]
    for n in (1, 2, 3):
        lines.append(f"\\{n}-grams:")
        for gram in sorted(probs[n - 1]):
            p = probs[n - 1][gram]
            logp = -99.0 if gram == (START,) else _log10(p)
            entry = f"{logp:.6f} {' '.join(gram)}"
            if n < 3:
                entry += f" {_log10(backoff[n - 1].get(gram, 1.0)):.6f}"
            lines.append(entry)
        lines.append("")
    lines.append("\\end\\")
    return "\n".join(lines) + "\n"


def _lower(
    probs: list[dict[tuple[str, ...], float]], backoff: list[dict[tuple[str, ...], float]], gram: tuple[str, ...]
) -> float:
    """P(last word | shorter history), backing off as the model will."""
    n = len(gram)
    if n == 1:
        return probs[0].get(gram, 0.0)
    if gram in probs[n - 1]:
        return probs[n - 1][gram]
    return backoff[n - 2].get(gram[:-1], 1.0) * _lower(probs, backoff, gram[1:])
