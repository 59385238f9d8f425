"""The embedded recogniser's grammar and dictionary for one language and one company.

The commands are fixed (`grammars/{nb,en}.jsgf`, written to match what the NLU understands);
the company's names are added as the rules <customer>, <project> and <vendor>, and every word
of the result gets its pronunciations (`channels.voice.lexicon`). Names are heard in both
languages' pronunciations: "Fjord Bygg" said in an English sentence is still a Norwegian name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from channels.voice.jsgf import without_rules
from channels.voice.lexicon import Lexicon
from channels.voice.phones import Phones
from channels.voice.vocabulary import Vocabulary

GRAMMARS = Path(__file__).resolve().parent / "grammars"
LANGUAGES = ("nb", "en")
NAME_RULES = ("customer", "project", "vendor")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class CompiledGrammar:
    """What a decoder needs for one language and one company's names.

    Attributes:
      language: "nb" or "en".
      jsgf: the grammar (JSGF text).
      dictionary: the pronunciation dictionary (Sphinx format: `word PH ON ES`, variants as `word(2)`).
      fingerprint: of the names it was built from.
    """

    language: str
    jsgf: str
    dictionary: str
    fingerprint: str


def command_grammar(language: str) -> str:
    return (GRAMMARS / f"{language}.jsgf").read_text(encoding="utf-8")


def _alternatives(names: tuple[str, ...]) -> str:
    return " | ".join(names) if names else "<VOID>"


def grammar_words(jsgf: str) -> set[str]:
    """The words a JSGF grammar can produce (rule names, comments and the header aside)."""
    body = "\n".join(line for line in jsgf.splitlines() if not line.lstrip().startswith(("//", "#", "grammar ")))
    body = re.sub(r"<[^>]*>", " ", body)
    body = body.replace("public", " ")
    return {w.lower() for w in _WORD.findall(body)}


def with_names(jsgf: str, vocabulary: Vocabulary) -> str:
    """The command grammar with the company's names; the commands that need a kind of name
    the company has none of (no suppliers yet) are left out."""
    lists = {"customer": vocabulary.customers, "project": vocabulary.projects, "vendor": vocabulary.vendors}
    rules = [f"<{rule}> = {_alternatives(names)};" for rule, names in lists.items()]
    full = jsgf.rstrip() + "\n\n" + "\n".join(rules) + "\n"
    empty = {rule for rule, names in lists.items() if not names}
    return without_rules(full, empty) if empty else full


def dictionary_text(entries: dict[str, list[Phones]]) -> str:
    lines: list[str] = []
    for word in sorted(entries):
        for index, phones in enumerate(entries[word]):
            key = word if index == 0 else f"{word}({index + 1})"
            lines.append(f"{key} {' '.join(phones)}")
    return "\n".join(lines) + "\n"


def compile_grammar(language: str, vocabulary: Vocabulary, lexicon: Lexicon) -> CompiledGrammar:
    """The grammar and dictionary for `language` with `vocabulary`'s names."""
    jsgf = with_names(command_grammar(language), vocabulary)
    names = vocabulary.words()
    commands = grammar_words(jsgf) - names
    entries = lexicon.pronounce(sorted(commands), language)
    for word, found in lexicon.pronounce(sorted(names), "nb").items():
        entries[word] = list(found)
    if language == "en":
        for word, found in lexicon.pronounce(sorted(names), "en").items():
            entries[word] = [*entries.get(word, []), *(p for p in found if p not in entries.get(word, []))]
    missing = (commands | names) - set(entries)
    if missing:
        raise ValueError(f"no pronunciation for {sorted(missing)}")
    return CompiledGrammar(language, jsgf, dictionary_text(entries), vocabulary.fingerprint)
