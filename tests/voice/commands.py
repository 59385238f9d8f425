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


HELD_OUT_VOICES = ("+klatt2", "+klatt3", "+m3", "+f2", "+klatt")
HELD_OUT_RATES = (150, 175, 130, 200)
HELD_OUT_HOURS = ("9", "11", "4", "10", "12", "2", "3", "6", "8", "7", "5", "20", "15", "1,5")
HELD_OUT_AMOUNTS = (40, 70, 30, 75, 150, 200, 250, 1200, 1500, 2000, 350, 4500, 90, 14, 65, 700, 900, 24, 44, 140)
HELD_OUT_PHRASES = {
    "hours": ("fakturer {customer} for {number} timer", "før {number} timer på {project}",
              "registrer {number} timer for {customer}", "jeg jobbet {number} timer på {project}"),
    "amount": ("jeg betalte {number} kroner for {category}", "jeg kjøpte {category} for {number} kroner",
               "registrer en utgift på {number} kroner til {category}"),
}
HELD_OUT_CATEGORIES = ("drivstoff", "parkering", "lunsj", "husleie", "programvare", "taxi", "hotell", "verktøy",
                       "bensin", "telefon")


@dataclass(frozen=True)
class HeldOut:
    """A bokmål command with a number that the measurement set does not have, said by another
    of espeak-ng's voices at another rate: a check that what helps the measurement set's
    numbers helps numbers in general, not those sentences.

    Attributes:
      command: what is said (its number as digits, a decimal with a comma).
      voice: espeak-ng's voice variant ("+klatt2").
      rate: words per minute.
    """

    command: Command
    voice: str
    rate: int


def held_out_numbers() -> list[HeldOut]:
    """34 bokmål commands: 14 with hours, 20 with amounts, in other phrasings, figures,
    voices and rates than `commands`; phrasings, names, voices and rates taken in turn."""
    voices, rates = cycle(HELD_OUT_VOICES), cycle(HELD_OUT_RATES)
    customers, projects, categories = cycle(CUSTOMER_NAMES), cycle(PROJECT_NAMES), cycle(HELD_OUT_CATEGORIES)
    made: list[HeldOut] = []
    for kind, numbers in (("hours", HELD_OUT_HOURS), ("amount", HELD_OUT_AMOUNTS)):
        phrases = cycle(HELD_OUT_PHRASES[kind])
        for number in numbers:
            phrase = next(phrases)
            if kind == "hours":
                text = phrase.format(number=number, customer=next(customers), project=next(projects))
            else:
                text = phrase.format(number=number, category=next(categories))
            made.append(HeldOut(Command(text, "nb", "log_time" if kind == "hours" else "expense"), next(voices),
                                next(rates)))
    return made
