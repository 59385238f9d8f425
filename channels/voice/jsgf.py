"""A small reader for the JSGF grammars in `grammars/`, and the sentences they allow.

Only what those grammars use: rules `<name> = ...;`, alternatives `|`, groups `( )`, optional
parts `[ ]`, rule references, plain words, `<NULL>` (nothing said) and weights (`/10/ fem hundre | /1/ fem tusen ett`:
how much likelier one alternative is than another; pocketsphinx honours them only on an
alternative that is a single word); `<VOID>`
matches nothing. The sentences feed the statistical language model
(`channels.voice.language_model`), drawn with the same weights.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Union

_TOKEN = re.compile(r"<[^>]+>|/[0-9.]+/|[()\[\]|;=]|[^\s()\[\]|;=<>/]+")
VOID = "<VOID>"
NULL = "<NULL>"


@dataclass(frozen=True)
class Word:
    text: str


@dataclass(frozen=True)
class Ref:
    rule: str


@dataclass(frozen=True)
class Sequence:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Choice:
    """Alternatives; `weights` (one per option, or empty: all alike) say how likely each is."""

    options: tuple[Node, ...]
    weights: tuple[float, ...] = ()


@dataclass(frozen=True)
class Optional:
    item: Node


Node = Union[Word, Ref, Sequence, Choice, Optional]  # noqa: UP007 (a forward-referenced alias)


class GrammarError(ValueError):
    """The grammar text is not JSGF this reader understands."""


def _strip_comments(text: str) -> str:
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("//", "#JSGF", "grammar ")):
            continue
        lines.append(line.split("//")[0])
    return "\n".join(lines)


def parse(text: str) -> tuple[dict[str, Node], list[str]]:
    """The rules of a grammar by name ("command") and the names of its public rules."""
    rules: dict[str, Node] = {}
    public: list[str] = []
    for statement in _strip_comments(text).split(";"):
        statement = statement.strip()
        if not statement:
            continue
        head, equals, body = statement.partition("=")
        if not equals:
            raise GrammarError(f"not a rule: {statement[:60]!r}")
        head = head.strip()
        is_public = head.startswith("public ")
        name = head.removeprefix("public ").strip()
        if not (name.startswith("<") and name.endswith(">")):
            raise GrammarError(f"not a rule name: {name!r}")
        name = name[1:-1]
        tokens = _TOKEN.findall(body)
        node, used = _alternatives(tokens, 0)
        if used != len(tokens):
            raise GrammarError(f"unexpected {tokens[used]!r} in <{name}>")
        rules[name] = node
        if is_public:
            public.append(name)
    return rules, public


def _weight(tokens: list[str], i: int) -> tuple[float | None, int]:
    """The weight `/w/` at `tokens[i]`, if there is one, and where the alternative starts."""
    if i < len(tokens) and tokens[i].startswith("/"):
        return float(tokens[i].strip("/")), i + 1
    return None, i


def _alternatives(tokens: list[str], i: int) -> tuple[Node, int]:
    options: list[Node] = []
    weights: list[float | None] = []
    weight, i = _weight(tokens, i)
    node, i = _sequence(tokens, i)
    options.append(node)
    weights.append(weight)
    while i < len(tokens) and tokens[i] == "|":
        weight, i = _weight(tokens, i + 1)
        node, i = _sequence(tokens, i)
        options.append(node)
        weights.append(weight)
    if len(options) == 1:
        return options[0], i
    if all(w is None for w in weights):
        return Choice(tuple(options)), i
    # As in pocketsphinx: an alternative without a weight weighs 1.
    return Choice(tuple(options), tuple(1.0 if w is None else w for w in weights)), i


def _sequence(tokens: list[str], i: int) -> tuple[Node, int]:
    items: list[Node] = []
    while i < len(tokens) and tokens[i] not in ("|", ")", "]"):
        token = tokens[i]
        if token in ("(", "["):
            inner, i = _alternatives(tokens, i + 1)
            closing = ")" if token == "(" else "]"
            if i >= len(tokens) or tokens[i] != closing:
                raise GrammarError(f"missing {closing!r}")
            items.append(inner if token == "(" else Optional(inner))
            i += 1
        elif token == NULL:
            items.append(Sequence(()))
            i += 1
        elif token.startswith("<"):
            items.append(Ref(token[1:-1]) if token != VOID else Choice(()))
            i += 1
        else:
            items.append(Word(token.lower()))
            i += 1
    return (items[0] if len(items) == 1 else Sequence(tuple(items))), i


def sample(rules: dict[str, Node], start: str, rng: random.Random) -> list[str] | None:
    """One sentence of rule `start`, each choice taken at random; None when it ran into a
    rule that matches nothing."""
    out: list[str] = []

    def walk(node: Node) -> bool:
        if isinstance(node, Word):
            out.append(node.text)
            return True
        if isinstance(node, Ref):
            if node.rule not in rules:
                raise GrammarError(f"no rule <{node.rule}>")
            return walk(rules[node.rule])
        if isinstance(node, Sequence):
            return all(walk(item) for item in node.items)
        if isinstance(node, Choice):
            if not node.options:
                return False
            if node.weights:
                return walk(rng.choices(node.options, weights=node.weights)[0])
            return walk(rng.choice(node.options))
        return walk(node.item) if rng.random() < 0.5 else True

    return out if walk(rules[start]) else None


def _prune(node: Node, empty: set[str]) -> Node | None:
    """`node` without the parts that need a rule in `empty`; None when nothing is left."""
    if isinstance(node, Word):
        return node
    if isinstance(node, Ref):
        return None if node.rule in empty else node
    if isinstance(node, Sequence):
        items = [_prune(item, empty) for item in node.items]
        return None if any(i is None for i in items) else Sequence(tuple(i for i in items if i is not None))
    if isinstance(node, Choice):
        weights = node.weights or (1.0,) * len(node.options)
        pruned = ((_prune(option, empty), w) for option, w in zip(node.options, weights, strict=True))
        kept = [(o, w) for o, w in pruned if o is not None]
        if not kept:
            return None
        return Choice(tuple(o for o, _ in kept), tuple(w for _, w in kept) if node.weights else ())
    inner = _prune(node.item, empty)
    return Optional(inner) if inner is not None else Sequence(())


def _text(node: Node) -> str:
    if isinstance(node, Word):
        return node.text
    if isinstance(node, Ref):
        return f"<{node.rule}>"
    if isinstance(node, Sequence):
        said = [_text(item) for item in node.items if not (isinstance(item, Sequence) and not item.items)]
        return " ".join(said) if said else NULL
    if isinstance(node, Choice):
        if node.weights:
            pairs = zip(node.options, node.weights, strict=True)
            return "(" + " | ".join(f"/{w:g}/ {_text(option)}" for option, w in pairs) + ")"
        return "(" + " | ".join(_text(option) for option in node.options) + ")"
    return f"[{_text(node.item)}]"


def without_rules(text: str, empty: set[str], name: str = "commands") -> str:
    """The grammar with every alternative that needs one of the `empty` rules left out.
    (pocketsphinx turns a rule that matches nothing, `<VOID>`, into a search that loses the
    ends of sentences, so such alternatives must not be there at all.)"""
    rules, public = parse(text)
    lines = ["#JSGF V1.0 UTF-8;", f"grammar {name};"]
    gone = set(empty)
    changed = True
    pruned: dict[str, Node] = {}
    while changed:
        changed = False
        for rule, node in rules.items():
            if rule in gone:
                continue
            kept = _prune(node, gone)
            if kept is None:
                gone.add(rule)
                changed = True
            else:
                pruned[rule] = kept
    for rule, node in pruned.items():
        if rule not in gone:
            lines.append(f"{'public ' if rule in public else ''}<{rule}> = {_text(node)};")
    return "\n".join(lines) + "\n"


def ends(rules: dict[str, Node], node: Node, words: list[str], start: int) -> set[int]:
    """Where `node` can finish when it starts at `words[start]` (every way it can match)."""
    if isinstance(node, Word):
        return {start + 1} if start < len(words) and words[start] == node.text else set()
    if isinstance(node, Ref):
        return ends(rules, rules[node.rule], words, start) if node.rule in rules else set()
    if isinstance(node, Sequence):
        positions = {start}
        for item in node.items:
            positions = {e for p in positions for e in ends(rules, item, words, p)}
            if not positions:
                break
        return positions
    if isinstance(node, Choice):
        return {e for option in node.options for e in ends(rules, option, words, start)}
    return {start} | ends(rules, node.item, words, start)


def accepts(text: str, words: list[str]) -> bool:
    """Whether the grammar `text` has the sentence `words` (lowercase)."""
    rules, public = parse(text)
    return any(len(words) in ends(rules, rules[name], words, 0) for name in public)
