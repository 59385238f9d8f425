"""How well the embedded recogniser hears the commands it is for: 40 bokmål and 40 English
commands (invoice, log hours, balance, unpaid, expense, yes/no) with the demo company's names,
said by espeak-ng's Klatt voices at a slow and a brisk speaking rate (the commands take the two
rates in turn), decoded as a voice note is, and heard with the language given.

Printed per language: word error rate and the share of commands heard exactly (run with
`-s` to see them), and for the commands with a number (hours, amount) the share whose number
was heard right. Bokmål numbers are also measured on held-out commands (`held_out_numbers`:
other figures, phrasings, voices and rates), so that what helps the measurement set is seen
to help numbers in general. A few commands are also heard with the language left to the
recogniser (as a voice note from someone whose language is not known is). The thresholds
asserted are below what was measured on these voices, so a regression shows; they say nothing
about human voices. The NLU is not part of this measurement (the real Rasa server runs only in
the end-to-end stack).

Bounded to about a minute and a half on two cores: one recognition per command.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

import pytest

from channels.voice.audio import decode
from channels.voice.sphinx_backend import PocketsphinxRecogniser
from channels.voice.synthesis import speak_wav
from tests.voice.commands import Command, commands, demo_vocabulary, held_out_numbers, word_errors
from tests.voice.speech import spoken

pytestmark = pytest.mark.voice

RATES = (140, 190)  # words per minute: slow and careful, brisk
# Measured (espeak-ng 1.51, pocketsphinx 5): bokmål 0.5 % word error rate, 97.5 % heard
# exactly, the number right in all 24 commands with one; on the held-out number commands
# the number right in 28 of 34 (82.4 %); English 0.5 % and 97.5 % ("no" heard as "hello"),
# every number right. Before wider search beams, no lattice pass, "to" without OW, "tjue"
# with an S and "for" no longer optional before an invoice's number: bokmål 4.3 % and 82.5 %,
# numbers right in 20 of 24 ("fire" heard as "tyve", "for ti" as "førti", "tolv" as "to",
# "tjue fem" as "sytti fem") and in 19 of 34 held out. The thresholds leave a little room,
# no more.
MAX_WER = {"nb": 0.02, "en": 0.03}
MIN_EXACT = {"nb": 0.92, "en": 0.92}
MIN_NUMBERS_RIGHT = {"nb": 0.95, "en": 0.95}
MIN_HELD_OUT_NUMBERS_RIGHT = 0.76
GUESSED = 6  # commands of each language heard with the language left to the recogniser


@pytest.fixture(scope="module")
def heard() -> dict[str, list[tuple[Command, int, str]]]:
    """Each language's commands with the rate they were said at and what was heard."""
    recogniser = PocketsphinxRecogniser()
    vocabulary = demo_vocabulary()
    results: dict[str, list[tuple[Command, int, str]]] = defaultdict(list)
    for language in ("nb", "en"):
        for index, command in enumerate(commands(language)):
            rate = RATES[index % len(RATES)]
            audio = decode(spoken(command.text, language, rate), "wav", max_seconds=30.0)
            transcript = recogniser.transcribe(audio, vocabulary, language)
            results[language].append((command, rate, transcript.text))
    return results


def number_in(text: str) -> Decimal | None:
    """The first number written in `text` as digits ("2,5" is 2.5), None if there is none."""
    found = re.findall(r"\d+(?:,\d+)?", text)
    return Decimal(found[0].replace(",", ".")) if found else None


def numbers_right(results: list[tuple[Command, str]]) -> tuple[int, int]:
    """(commands whose number was heard right, commands with a number)."""
    with_number = [(c, text) for c, text in results if number_in(c.text) is not None]
    return sum(number_in(text) == number_in(c.text) for c, text in with_number), len(with_number)


def figures(results: list[tuple[Command, int, str]]) -> tuple[float, float]:
    """(word error rate, share heard exactly)."""
    errors = sum(word_errors(c.text, text) for c, _, text in results)
    words = sum(len(c.text.split()) for c, _, _ in results)
    exact = sum(c.text.lower() == text.lower() for c, _, text in results)
    return errors / words, exact / len(results)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_commands_are_heard_with_a_low_word_error_rate(
    heard: dict[str, list[tuple[Command, int, str]]], language: str
) -> None:
    results = heard[language]
    assert len(results) >= 40
    wer, exact = figures(results)
    print(f"\n{language}: {len(results)} commands, word error rate {wer:.1%}, heard exactly {exact:.1%}")
    for rate in RATES:
        at_rate = [r for r in results if r[1] == rate]
        rate_wer, rate_exact = figures(at_rate)
        print(f"  {rate} words/min: word error rate {rate_wer:.1%}, heard exactly {rate_exact:.1%}")
    by_kind: dict[str, list[tuple[Command, int, str]]] = defaultdict(list)
    for result in results:
        by_kind[result[0].kind].append(result)
    for kind, of_kind in by_kind.items():
        print(f"  {kind}: heard exactly {figures(of_kind)[1]:.0%}")
    for command, rate, text in results:
        if command.text.lower() != text.lower():
            print(f"  missed at {rate}: said {command.text!r}, heard {text!r}")
    right, counted = numbers_right([(c, text) for c, _, text in results])
    print(f"  numbers right in {right} of {counted} commands with a number")
    assert wer <= MAX_WER[language]
    assert exact >= MIN_EXACT[language]
    assert right / counted >= MIN_NUMBERS_RIGHT[language]


def test_bokmal_numbers_are_heard_in_commands_the_measurement_set_does_not_have() -> None:
    """Other figures, phrasings and espeak-ng voices: the numbers' share right stays near the
    measurement set's, so the recogniser was not fitted to that set's sentences."""
    recogniser = PocketsphinxRecogniser()
    vocabulary = demo_vocabulary()
    results: list[tuple[Command, str]] = []
    for held in held_out_numbers():
        wav = speak_wav(held.command.text, "nb", voice_variant=held.voice, words_per_minute=held.rate)
        text = recogniser.transcribe(decode(wav, "wav", max_seconds=30.0), vocabulary, "nb").text
        results.append((held.command, text))
        if number_in(text) != number_in(held.command.text):
            print(f"  number missed ({held.voice} at {held.rate}): said {held.command.text!r}, heard {text!r}")
    right, counted = numbers_right(results)
    print(f"\nnb held out: numbers right in {right} of {counted} ({right / counted:.1%})")
    assert right / counted >= MIN_HELD_OUT_NUMBERS_RIGHT


def test_the_language_is_told_from_the_words_when_it_is_not_given() -> None:
    """Both languages' grammars decode the audio and the likelier sentence wins
    (`sphinx_backend.likelihood`, on scores per frame): a bokmål command is heard as bokmål
    and an English one as English with no language given and none preferred."""
    recogniser = PocketsphinxRecogniser()
    vocabulary = demo_vocabulary()
    for language in ("nb", "en"):
        for index, command in enumerate(commands(language)[:: len(commands(language)) // GUESSED][:GUESSED]):
            audio = decode(spoken(command.text, language, RATES[index % len(RATES)]), "wav", max_seconds=30.0)
            transcript = recogniser.transcribe(audio, vocabulary)
            assert transcript.language == language, (command.text, transcript.text)


def test_yes_and_no_are_never_heard_the_other_way_round(heard: dict[str, list[tuple[Command, int, str]]]) -> None:
    """A confirmation heard as its opposite would do (or drop) an invoice the person meant."""
    yes = {"ja", "ja takk", "det stemmer", "yes", "yes please", "that is right"}
    no = {"nei", "nei takk", "avbryt", "no", "no thanks", "cancel"}
    for language in ("nb", "en"):
        for command, _, text in heard[language]:
            if command.kind == "answer":
                said_yes = command.text in yes
                assert text.lower() not in (no if said_yes else yes), (command.text, text)
