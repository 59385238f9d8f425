"""How words sound, for the embedded recogniser's dictionary.

English words come from the CMU pronouncing dictionary that pocketsphinx ships; every other
word (a customer called "Fjord Bygg", every bokmål word) is spoken by espeak-ng into IPA
(`espeak-ng -v nb -q --ipa WORD`) and mapped onto the acoustic model's phones
(`channels.voice.phones`). So a customer or project gets a pronunciation the moment it is
created, with nothing to download or train. Pronunciations are kept for the life of the
process: espeak-ng's answer for a word never changes.

espeak-ng says a word alone differently from the same word in a sentence ("fire" is [fiːra]
alone, [fiːrɛ] in "før fire timer"; "hundre" loses its d alone), and people say an unstressed
final e as a schwa where espeak-ng says [a]. So bokmål words get, besides espeak-ng's
pronunciation of the word alone, the running-speech forms of `RUNNING_SPEECH` (the number words
and the little words around them) and a schwa ending; number words also the readings the
English acoustic model gives their Norwegian sounds (`NUMBER_SOUNDS`, `_with_number_sounds`).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from functools import lru_cache
from pathlib import Path

from channels.voice.numbers import NORWEGIAN
from channels.voice.phones import Phones, ipa_to_phones, pronunciations

ESPEAK_VOICES = {"nb": "nb", "en": "en-us"}

RUNNING_SPEECH: dict[str, tuple[str, ...]] = {
    "en": ("ˈeːn", "ˈɛn"),
    "fire": ("fˈiːrɛ", "fˈiːrə"),
    "åtte": ("ˈɔtːə",),
    "elleve": ("ˈɛlva", "ˈɛlvə"),
    "tyve": ("tˈyːvə",),
    "hundre": ("hˈʉndra", "hˈʉndrə", "hˈʉnrə"),
    "tusen": ("tˈʉːsn", "tˈʉːsən"),
    "og": ("ˈɔ", "ˈoː"),
    "femti": ("fˈɛmti",),
    "timer": ("tˈiːmɛr",),
    "takk": ("tˈɑk",),
}
"""Bokmål words as said in a sentence, by espeak-ng or by people (IPA), heard besides the
word said alone."""
ESPEAK_TIMEOUT_SECONDS = 30.0

NUMBER_WORDS = frozenset({*NORWEGIAN.units, *NORWEGIAN.tens, NORWEGIAN.hundred, NORWEGIAN.thousand})

NUMBER_SOUNDS: dict[str, tuple[Phones, ...]] = {
    "to": (("T", "AO"),),
    "hundre": (("HH", "UW", "N", "AH"), ("HH", "UW", "N", "D", "EH"), ("HH", "UW", "Z", "EH"),
               ("HH", "UW", "ZH", "EH")),
    "fire": (("F", "IY", "EH"), ("F", "IY", "AH")),
}
"""Bokmål number words as the English acoustic model hears them (CMU phones) where the
phone-by-phone reading of espeak-ng's IPA is not it: the close Norwegian [uː] of "to" comes
out nearer AO than UW; the tapped r of "hundre" fuses with the d into a buzz (Z, ZH) or
goes unheard, and so does the r of "fire". Without these, "tre hundre" is heard as "tre
tusen" and "to" as "tolv" (found by decoding espeak-ng's numbers with a free phone loop, so
fitted to a synthetic voice). "to" is not also given OW, though the phone loop hears that
too: with the glide of a diphthong the Norwegian vowel does not have, "tolv" was heard as
"to" (in the measured commands and held-out ones alike), and without it "to" is still heard
right. Only the
number words get such extra readings: a number heard wrong costs money, and every extra
reading makes some other word easier to mistake for this one."""


class EspeakMissing(RuntimeError):
    """espeak-ng is not installed (Debian package `espeak-ng`)."""


def espeak_binary() -> str:
    found = shutil.which("espeak-ng")
    if found is None:
        raise EspeakMissing("espeak-ng is not installed (Debian package 'espeak-ng')")
    return found


def espeak_ipa(words: list[str], language: str) -> list[str]:
    """espeak-ng's IPA for each word, in order (one call for all of them)."""
    if not words:
        return []
    result = subprocess.run(
        [espeak_binary(), "-v", ESPEAK_VOICES[language], "-q", "--ipa"],
        input="\n".join(words) + "\n",
        capture_output=True,
        text=True,
        timeout=ESPEAK_TIMEOUT_SECONDS,
        check=True,
    )
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    if len(lines) == len(words):
        return lines
    # espeak-ng joined or split a line: ask word by word instead.
    return [espeak_ipa_one(word, language) for word in words]


def espeak_ipa_one(word: str, language: str) -> str:
    result = subprocess.run(
        [espeak_binary(), "-v", ESPEAK_VOICES[language], "-q", "--ipa", word],
        capture_output=True,
        text=True,
        timeout=ESPEAK_TIMEOUT_SECONDS,
        check=True,
    )
    return " ".join(result.stdout.split())


@lru_cache(maxsize=1)
def cmu_dictionary() -> dict[str, list[Phones]]:
    """The CMU pronouncing dictionary shipped with pocketsphinx: word → pronunciations."""
    import pocketsphinx

    path = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
    entries: dict[str, list[Phones]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) < 2:
                continue
            word = parts[0].split("(")[0]
            entries.setdefault(word, []).append(tuple(parts[1:]))
    return entries


class Lexicon:
    """Pronunciations by language and word, asked of espeak-ng once per word."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], list[Phones]] = {}
        self._lock = threading.Lock()

    def pronounce(self, words: list[str], language: str) -> dict[str, list[Phones]]:
        """Every word's pronunciations in `language` (lowercase words; English from the CMU
        dictionary where it has them, both languages from espeak-ng otherwise)."""
        with self._lock:
            missing = sorted({w for w in words if (language, w) not in self._known})
        found: dict[str, list[Phones]] = {}
        to_speak: list[str] = []
        for word in missing:
            from_cmu = cmu_dictionary().get(word) if language == "en" else None
            if from_cmu:
                found[word] = from_cmu
            else:
                to_speak.append(word)
        for word, ipa in zip(to_speak, espeak_ipa(to_speak, language), strict=True):
            found[word] = pronunciations(ipa, language)
            if language == "nb":
                found[word] = _with_running_speech(word, found[word])
                if word in NUMBER_WORDS:
                    found[word] = _with_number_sounds(word, ipa, found[word])
        with self._lock:
            self._known.update({(language, w): p for w, p in found.items()})
            return {w: self._known[(language, w)] for w in words if self._known.get((language, w))}


def _with_number_sounds(word: str, ipa: str, found: list[Phones]) -> list[Phones]:
    """`found` with the readings the English acoustic model gives a bokmål number word: those
    of `NUMBER_SOUNDS`; [ʉ] ("tjue", "sju", "tusen"), a vowel English lacks, as ER besides UW;
    a first [f] ("fire", "fem", "førti") as TH, the sound English models most often take a
    weak f for; and a first retroflex [ʂ] ("tjue" as espeak-ng and many speakers say it, the
    kj-sound merged with sj), which English lacks too and lies between its s and sh, as S
    besides SH (without it "tjue" lost to the S of "sytti": "tjue fem" was heard as 75, "tjue
    fire" as 74)."""
    extra = [*NUMBER_SOUNDS.get(word, ()), ipa_to_phones(ipa, "nb", {"ʉ": ("ER",)})]
    extra += [("TH", *p[1:]) for p in [*found, *extra] if p and p[0] == "F"]
    if ipa.lstrip("ˈˌ").startswith("ʂ"):
        extra += [("S", *p[1:]) for p in [*found, *extra] if p and p[0] == "SH"]
    return found + [p for i, p in enumerate(extra) if p not in found and p not in extra[:i]]


def _with_running_speech(word: str, found: list[Phones]) -> list[Phones]:
    """`found` with the word's forms in running speech: those of `RUNNING_SPEECH`, and a final
    "-e" that espeak-ng says as [a] (AA) also as a schwa (AH)."""
    extra = [p for ipa in RUNNING_SPEECH.get(word, ()) for p in pronunciations(ipa, "nb")]
    if word.endswith("e") and found and found[0][-1] == "AA":
        extra.append((*found[0][:-1], "AH"))
    return found + [p for i, p in enumerate(extra) if p not in found and p not in extra[:i]]
