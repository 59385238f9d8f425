"""Spoken commands for measuring the recogniser: the kinds of command the voice path is for
(invoice, log hours, balance, unpaid, expense, yes/no) in bokmål and English, with the demo
company's own customers, projects and suppliers, and the transcript each should give.

Numbers are written as digits, as the transcript writes them (espeak-ng says them as words);
names as the books write them, without the company form ("Fjord Bygg" for "Fjord Bygg AS").
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import cycle

from channels.voice.vocabulary import Vocabulary, spoken_form, vocabulary_from_names
from ledger.demo import CUSTOMERS, EXPENSES, PROJECTS


@dataclass(frozen=True)
class Command:
    """One command to say.

    Attributes:
      text: what is said, and the transcript it should give.
      language: "nb" or "en".
      kind: "invoice", "log_time", "balance", "unpaid", "expense" or "answer".
    """

    text: str
    language: str
    kind: str


def demo_vocabulary() -> Vocabulary:
    """The demo company's names, as the recogniser is given them."""
    return vocabulary_from_names(
        [c.name for c in CUSTOMERS], [p[0] for p in PROJECTS], sorted({e[3] for e in EXPENSES})
    )


def _written(name: str) -> str:
    return " ".join(spoken_form(name)[1])


CUSTOMER_NAMES = [_written(c.name) for c in CUSTOMERS]
PROJECT_NAMES = [_written(p[0]) for p in PROJECTS]
HOURS = [2, 3, 4, 5, 6, 7, 8, 10, 12]
AMOUNTS = [50, 120, 300, 450, 800, 25, 99, 600]

PHRASES = {
    "nb": {
        "invoice": "fakturer {customer} for {hours} timer",
        "log_time": "før {hours} timer på {project}",
        "expense": "jeg betalte {amount} kroner for {category}",
        "categories": ["drivstoff", "parkering", "lunsj", "husleie", "programvare", "taxi", "hotell", "verktøy"],
        "balance": ["hva er saldoen", "hvor mye har vi på konto", "vis saldo", "hva står på kontoen",
                    "hvor mye har vi i banken"],
        "unpaid": ["hvem skylder meg penger", "vis ubetalte fakturaer", "hvilke fakturaer er ikke betalt",
                   "hvem har ikke betalt", "forfalte fakturaer"],
        "answer": ["ja", "nei", "ja takk", "nei takk", "avbryt", "det stemmer"],
    },
    "en": {
        "invoice": "invoice {customer} for {hours} hours",
        "log_time": "log {hours} hours on {project}",
        "expense": "i paid {amount} kroner for {category}",
        "categories": ["fuel", "parking", "lunch", "rent", "software", "taxi", "hotel", "tools"],
        "balance": ["what is the balance", "how much money do we have", "show my balance",
                    "how much is in the bank", "what is our balance"],
        "unpaid": ["who owes me money", "show unpaid invoices", "which invoices are not paid",
                   "who has not paid", "overdue invoices"],
        "answer": ["yes", "no", "yes please", "no thanks", "cancel", "that is right"],
    },
}


def commands(language: str) -> list[Command]:
    """40 commands in `language`: 8 invoices, 8 hours logged, 8 expenses, 5 balances, 5 unpaid,
    6 answers; the names, numbers and categories taken in turn."""
    phrases = PHRASES[language]
    customers, projects, hours = cycle(CUSTOMER_NAMES), cycle(PROJECT_NAMES), cycle(HOURS)
    made: list[Command] = []
    for _ in range(8):
        made.append(Command(str(phrases["invoice"]).format(customer=next(customers), hours=next(hours)),
                            language, "invoice"))
    for _ in range(8):
        made.append(Command(str(phrases["log_time"]).format(project=next(projects), hours=next(hours)),
                            language, "log_time"))
    for amount, category in zip(AMOUNTS, phrases["categories"], strict=True):
        made.append(Command(str(phrases["expense"]).format(amount=amount, category=category), language, "expense"))
    for kind in ("balance", "unpaid", "answer"):
        made.extend(Command(text, language, kind) for text in phrases[kind])
    return made


def word_errors(expected: str, heard: str) -> int:
    """The word-level edit distance (substitutions, insertions, deletions), case aside."""
    want, got = expected.lower().split(), heard.lower().split()
    row = list(range(len(got) + 1))
    for i, word in enumerate(want, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(got, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1]
