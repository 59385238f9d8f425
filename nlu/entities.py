"""All rule-based entities of one message, normalised, without overlaps.

Owns the decision between competing readings of the same characters: "7.5 timer" is hours and
not the 7th of May, "faktura 2024" is an invoice and not the year, "Rema 1000" is a shop and
not an amount. The longest span wins; on equal spans the more specific entity wins.

A bare number ("betalt 5000", "før 3 på nettside") has no unit; what it means depends on what
the user is asking for, so the caller may pass the intent the classifier found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from nlu.dates import find_dates_and_periods
from nlu.durations import find_durations, format_hours
from nlu.identifiers import find_identifiers
from nlu.money import find_money
from nlu.numbers import find_numbers, format_decimal
from nlu.ordinals import find_ordinals

#: The entities this module owns; DIET never gets the last word on these.
RULE_ENTITIES = frozenset(
    {"hours", "amount", "rate", "date", "period", "invoice_number", "orgnr", "email", "ordinal"}
)
#: Picking one of the options a question offered: "den andre", "nummer to", "the last one".
CHOOSE_INTENT = "choose"
# On equal spans, the first in this list wins.
_SPECIFICITY = ["email", "orgnr", "invoice_number", "rate", "amount", "hours", "date", "period"]

_HOURS_INTENTS = {"log_time"}
_INVOICE_INTENTS = {"credit_invoice", "send_invoice", "show_invoice", "refund_payment"}
_AMOUNT_INTENTS = {"register_expense", "register_payment", "create_invoice"}
_RATE_INTENTS = {"create_project"}
# Small talk has nothing to post: "ha det, snakkes i morgen" and "tusen takk" carry no date or
# amount, and "hva blir været i morgen" is out of scope whatever day it names.
NO_ENTITY_INTENTS = frozenset({"greet", "goodbye", "thank", "help", "cancel", "out_of_scope"})
# The balance, the reports and undo take a day or a period, never a name: "har vi penger til
# lønn?" names no project, and a name found there would fill a form's slot in a detour.
NO_NAME_INTENTS = frozenset({"check_balance", "show_profit", "show_vat", "show_deadlines", "undo"})


@dataclass(frozen=True)
class Entity:
    """One entity of the NLU contract.

    Attributes:
        entity: the contract's entity name ("hours", "date", ...).
        start, end: the span in the message.
        value: the normalised value: a float for hours, an int for an ordinal (1 for the
            first option, -1 for the last), a string for everything else.
        text: the span as written.
    """

    entity: str
    start: int
    end: int
    value: str | float | int
    text: str


Span = tuple[int, int]


def extract_entities(
    text: str, today: date, intent: str | None = None, protected: list[Span] | None = None,
    sure: bool = True,
) -> list[Entity]:
    """Finds the rule-based entities of a message.

    Args:
        text: the message.
        today: the day relative dates are resolved against.
        intent: the intent the classifier found, used for numbers without a unit (and to
            leave small talk and picks by place without other entities).
        protected: spans that are names found by the entity model ("Rema 1000"); numbers
            without a unit inside them are left alone.
        sure: whether the classifier is sure of the intent. A number without a unit is read
            only then: "7,5" answering "how many hours?" is no amount because the classifier
            leaned towards payments; the form reads such an answer from the text.
    """
    protected = protected or []
    if intent in NO_ENTITY_INTENTS:
        return []
    if intent == CHOOSE_INTENT:
        # "den første" is the first option here, not the 1st of the month; "nr 2" no invoice.
        return [Entity("ordinal", o.start, o.end, o.position, text[o.start:o.end]) for o in find_ordinals(text)]
    numbers = find_numbers(text)
    candidates: list[Entity] = []

    def add(entity: str, start: int, end: int, value: str | float) -> None:
        candidates.append(Entity(entity, start, end, value, text[start:end]))

    for ident in find_identifiers(text):
        add(ident.entity, ident.start, ident.end, ident.value)
    for found in find_dates_and_periods(text, today):
        if found.kind == "period" and re.fullmatch(r"\d{4}", text[found.start:found.end]) \
                and intent in _AMOUNT_INTENTS | _INVOICE_INTENTS:
            continue  # "betalt 2025" is money, "faktura 2024" a number
        add(found.kind, found.start, found.end, found.value)
    for d in find_durations(text, numbers):
        add("hours", d.start, d.end, format_hours(d.hours))
    for money in find_money(text, numbers):
        add("rate" if money.per_hour else "amount", money.start, money.end, format_decimal(money.value))

    kept: list[Entity] = []
    for c in sorted(candidates, key=lambda c: (-(c.end - c.start), _SPECIFICITY.index(c.entity), c.start)):
        if c.entity == "email" or all(_apart(c, k) for k in kept):
            if c.entity != "email" and any(_inside(c, p) for p in protected) \
                    and not _has_unit(c):
                continue
            kept.append(c)

    # Numbers without a unit, read by what the user asks for.
    for n in numbers if sure else []:
        if n.words or any(not (n.end <= k.start or n.start >= k.end) for k in kept):
            continue
        if any(p[0] <= n.start and n.end <= p[1] for p in protected):
            continue
        raw = text[n.start:n.end]
        if len(re.sub(r"\D", "", raw)) >= 8 or re.search(r"(?:kl\.?|klokka|klokken|at)\s*$", text[:n.start], re.I):
            continue
        if re.match(r"\s*%|\s*prosent|\s*percent", text[n.end:], re.I):
            continue
        if re.match(r":\d\d", text[n.end:]) or re.search(r"\d:$", text[:n.start]):
            continue  # a time of day, "møte 10:15"
        if re.search(r"\b(?:linje|line)\s*(?:nr\.?|no\.?)?\s*$", text[:n.start], re.I):
            continue  # "krediter linje 2 på faktura 10004": a line of the invoice, no invoice
        entity = _bare_number_entity(n.value, intent)
        if entity is None:
            continue
        value: str | float
        if entity == "hours":
            value = format_hours(n.value)
        elif entity == "invoice_number":
            if n.value != n.value.to_integral_value() or n.value < 0:
                continue
            value = re.sub(r"\D", "", raw)
        else:
            value = format_decimal(n.value)
        kept.append(Entity(entity, n.start, n.end, value, raw))
    return sorted(kept, key=lambda e: e.start)


def _bare_number_entity(value: Decimal, intent: str | None) -> str | None:
    if intent in _HOURS_INTENTS:
        return "hours" if value <= 24 else None
    if intent in _INVOICE_INTENTS:
        return "invoice_number"
    if intent == "create_invoice":
        return "hours" if value < 50 else "amount"
    if intent in _AMOUNT_INTENTS:
        return "amount"
    if intent in _RATE_INTENTS:
        return "rate" if value >= 100 else None
    return None


def _apart(a: Entity, b: Entity) -> bool:
    return a.end <= b.start or a.start >= b.end


def _inside(e: Entity, span: Span) -> bool:
    return span[0] <= e.start and e.end <= span[1]


def _has_unit(e: Entity) -> bool:
    """True when the entity's own text says what it is (a unit, a currency, a date word)."""
    return bool(re.search(r"[^\d\s.,\-−–]", e.text))


def trim_name(text: str, start: int, end: int, taken: list[Span]) -> Span | None:
    """Cuts a name span found by the entity model so it does not cover a rule-based entity.

    "nettside i går" tagged as a project becomes "nettside"; a name fully covered by a
    rule-based entity disappears (None).
    """
    for s, e in sorted(taken):
        if e <= start or s >= end:
            continue
        if s > start:
            end = s
        elif e < end:
            start = e
        else:
            return None
    segment = text[start:end]
    lead = len(segment) - len(segment.lstrip(" ,.:"))
    segment = segment.strip(" ,.:")
    # Drop prepositions left dangling at the cut ("nettside på", "for Fjord Bygg").
    words = segment.split(" ")
    while words and words[-1].lower() in _DANGLING:
        words.pop()
    head = 0
    while words and words[0].lower() in _DANGLING:
        head += len(words[0]) + 1
        words.pop(0)
    cleaned = " ".join(words).strip()
    if not cleaned:
        return None
    new_start = start + lead + head
    return new_start, new_start + len(cleaned)


_DANGLING = {"på", "i", "for", "til", "fra", "on", "in", "to", "from", "at", "og", "and", "med", "with", ""}


def merge_adjacent(text: str, names: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Joins names of the same type that touch: the entity model sometimes tags "Lager" and
    "Alnabru" as two projects where the user wrote one, "Lager Alnabru"."""
    merged: list[tuple[str, int, int]] = []
    for name in sorted(names, key=lambda n: n[1]):
        if merged:
            kind, start, end = merged[-1]
            if kind == name[0] and end <= name[1] and text[end:name[1]].strip() == "":
                merged[-1] = (kind, start, name[2])
                continue
        merged.append(name)
    return merged


def join_split_projects(text: str, names: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Joins a project name the entity model split in two kinds: projects are often a thing
    and a place ("garasje nesodden"), and the place alone is sometimes tagged as a customer.
    A one-word customer right after a one-word project, with only a space between, is the
    project's second word; customers are named with "for" ("garasje for Hansen")."""
    joined: list[tuple[str, int, int]] = []
    for name in sorted(names, key=lambda n: n[1]):
        if joined:
            kind, start, end = joined[-1]
            if (kind == "project" and name[0] == "customer" and text[end:name[1]] == " "
                    and " " not in text[start:end].strip() and " " not in text[name[1]:name[2]].strip()):
                joined[-1] = (kind, start, name[2])
                continue
        joined.append(name)
    return joined


def attach_numbers_to_names(
    text: str, ours: list[Entity], names: list[dict[str, Any]]
) -> tuple[list[Entity], list[dict[str, Any]]]:
    """Gives a number without a unit to the name right before it when the message already
    has a proper entity of the kind the number was taken for: in "kvittering fra Apotek 1
    89 kr" the amount is "89 kr", so "1" belongs to the shop."""
    kept: list[Entity] = []
    names = [dict(n) for n in names]
    for e in ours:
        bare = re.fullmatch(r"[\d .,]+", e.text) is not None
        has_other = any(o is not e and o.entity == e.entity for o in ours)
        owner = next(
            (n for n in names if "end" in n and n["end"] <= e.start and text[n["end"]:e.start].strip() == ""
             and n["end"] < e.start), None
        ) if bare and has_other else None
        if owner is not None:
            owner["end"] = e.end
            owner["value"] = text[owner["start"]:e.end]
            continue
        kept.append(e)
    return kept, names


def _load_trade_words() -> frozenset[str]:
    """The trade words of Norwegian firm names ("Tveit Rørlegger", "Sæther Media"): the
    `trade` lookup table of the training data, so the list lives in one place."""
    import pathlib

    import yaml  # type: ignore[import-untyped]  # Rasa's dependency; no stubs in its environment

    lookups = yaml.safe_load((pathlib.Path(__file__).with_name("data") / "lookups.yml").read_text("utf-8"))
    for item in lookups["nlu"]:
        if item.get("lookup") == "trade":
            return frozenset(line[2:].strip().lower() for line in item["examples"].splitlines()
                             if line.startswith("- "))
    return frozenset()


TRADE_WORDS = _load_trade_words()
_WORD_TOKEN = re.compile(r"[^\W\d_][\w-]*", re.UNICODE)


def extend_names(
    text: str, names: list[tuple[str, int, int]], taken: list[Span], stop_words: frozenset[str]
) -> list[tuple[str, int, int]]:
    """Completes names the entity model cut short by one word.

    A firm's name is usually a surname and a trade; when only the trade was tagged
    ("rørlegger"), the word before it is taken too ("tveit rørlegger"). A project is often a
    thing and a place; when only the thing was tagged ("garasje"), the word after it is taken
    ("garasje nesodden"). English spending is often two words; when only the first was tagged
    ("printer"), the next is taken ("printer ink": of the 119 one-word categories annotated in
    the training and test data, one is followed by such a word). Only plain words qualify: not
    a stop word, not part of another entity.
    """
    occupied = list(taken) + [(s, e) for _, s, e in names]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in occupied)

    result: list[tuple[str, int, int]] = []
    for kind, start, end in names:
        if " " not in text[start:end].strip():
            if kind in {"customer", "company", "vendor"} and text[start:end].lower() in TRADE_WORDS:
                before = list(_WORD_TOKEN.finditer(text[:start]))
                if before and text[before[-1].end():start].strip() == "":
                    word = before[-1]
                    if word.group(0).lower() not in stop_words and free(word.start(), word.end()):
                        start = word.start()
            elif kind in {"project", "expense_category"}:
                after = _WORD_TOKEN.match(text, end + 1) if text[end:end + 1] == " " else None
                if after and after.group(0).lower() not in stop_words and free(after.start(), after.end()):
                    end = after.end()
        result.append((kind, start, end))
    return result
