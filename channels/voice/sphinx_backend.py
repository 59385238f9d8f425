"""The embedded recogniser: pocketsphinx with the English acoustic model its PyPI package
ships, constrained to the commands of `grammars/` and the company's names.

One decoder per language and company names, built in well under a second and rebuilt
whenever the names change (their fingerprint is the key). A turn is decoded with both
languages' grammars, or only the one the channel asks for, and the better-scoring hypothesis
wins: both use the same acoustic model, so their scores per frame are comparable.

The grammar is tried first; when no sentence of it fits the audio to the end, pocketsphinx
has nothing to say, and a trigram model learnt from the grammar's own sentences
(`channels.voice.language_model`) hears what it can instead. Audio is dithered: stretches of
digital silence (a synthetic voice, a muted microphone) otherwise upset the feature
normalisation so badly that the last words are lost.
"""

from __future__ import annotations

import math
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from channels.voice.audio import Pcm
from channels.voice.grammar import LANGUAGES, CompiledGrammar, compile_grammar
from channels.voice.jsgf import accepts
from channels.voice.language_model import arpa, grammar_sentences
from channels.voice.lexicon import Lexicon
from channels.voice.numbers import digits_for_numbers
from channels.voice.recognition import Transcript
from channels.voice.vocabulary import Vocabulary

CACHED_DECODERS = 32
DITHER_SEED = 4102  # the same dither every time: a recording is always heard the same way


def acoustic_model() -> Path:
    import pocketsphinx

    return Path(pocketsphinx.get_model_path()) / "en-us" / "en-us"


@dataclass(frozen=True)
class Hypothesis:
    """One decoder's best guess.

    Attributes:
      words: what it heard, lowercase, numbers as words.
      score: the acoustic log score per frame (higher is better).
      language: the grammar's language.
      complete: whether the words are a whole sentence of the grammar (pocketsphinx gives
        the best partial path when no sentence fits to the end).
    """

    words: str
    score: float
    language: str
    complete: bool


class _Decoder:
    """pocketsphinx decoders for one compiled grammar (the grammar and its language model);
    one utterance at a time."""

    def __init__(self, grammar: CompiledGrammar) -> None:
        from pocketsphinx import Decoder

        self.grammar = grammar
        self._lock = threading.Lock()
        common = {"hmm": str(acoustic_model()), "loglevel": "FATAL", "samprate": 16000, "dither": True}
        with tempfile.TemporaryDirectory(prefix="bokbot-voice-") as folder:
            dictionary = Path(folder) / "words.dict"
            dictionary.write_text(grammar.dictionary, encoding="utf-8")
            jsgf = Path(folder) / "commands.gram"
            jsgf.write_text(grammar.jsgf, encoding="utf-8")
            model = Path(folder) / "commands.arpa"
            model.write_text(arpa(grammar_sentences(grammar.jsgf)), encoding="utf-8")
            self._grammar = Decoder(dict=str(dictionary), jsgf=str(jsgf), seed=DITHER_SEED, **common)
            self._model = Decoder(dict=str(dictionary), lm=str(model), seed=DITHER_SEED, **common)

    def _run(self, decoder: object, audio: Pcm, language: str) -> Hypothesis | None:
        decoder.start_utt()  # type: ignore[attr-defined]
        decoder.process_raw(audio.samples, no_search=False, full_utt=True)  # type: ignore[attr-defined]
        decoder.end_utt()  # type: ignore[attr-defined]
        hyp = decoder.hyp()  # type: ignore[attr-defined]
        if hyp is None or not hyp.hypstr or not hyp.hypstr.strip():
            return None
        frames = max(int(decoder.n_frames()), 1)  # type: ignore[attr-defined]
        # Each word's acoustic score comes as a probability; their logs per frame compare
        # one language's path with the other's over the same audio.
        logs = [math.log(s.ascore) if s.ascore > 0 else -math.inf for s in decoder.seg() or []]  # type: ignore[attr-defined]
        words = hyp.hypstr.strip()
        return Hypothesis(words, sum(logs) / frames, language, accepts(self.grammar.jsgf, words.split()))

    def decode(self, audio: Pcm) -> Hypothesis | None:
        with self._lock:
            found = self._run(self._grammar, audio, self.grammar.language)
            if found is None or not found.complete:
                guess = self._run(self._model, audio, self.grammar.language)
                if guess is not None and (found is None or guess.complete):
                    found = guess
            return found


class PocketsphinxRecogniser:
    """The embedded speech-to-text engine (see the module's docstring)."""

    name = "pocketsphinx"

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or Lexicon()
        self._decoders: OrderedDict[tuple[str, str], _Decoder] = OrderedDict()
        self._lock = threading.Lock()

    def decoder(self, language: str, vocabulary: Vocabulary) -> _Decoder:
        """The decoder for `language` with `vocabulary`'s names, built if the names changed."""
        key = (language, vocabulary.fingerprint)
        with self._lock:
            found = self._decoders.get(key)
            if found is not None:
                self._decoders.move_to_end(key)
                return found
        built = _Decoder(compile_grammar(language, vocabulary, self.lexicon))
        with self._lock:
            self._decoders[key] = built
            while len(self._decoders) > CACHED_DECODERS:
                self._decoders.popitem(last=False)
        return built

    def hypotheses(self, audio: Pcm, vocabulary: Vocabulary, language: str | None = None) -> list[Hypothesis]:
        """Each language's best guess, the best first."""
        languages = (language,) if language in LANGUAGES else LANGUAGES
        found = [h for lang in languages if (h := self.decoder(lang, vocabulary).decode(audio)) is not None]
        return sorted(found, key=lambda h: (h.complete, h.score), reverse=True)

    def transcribe(self, audio: Pcm, vocabulary: Vocabulary, language: str | None = None) -> Transcript:
        found = self.hypotheses(audio, vocabulary, language)
        if not found:
            return Transcript("", language or "nb", self.name)
        best = found[0]
        text = vocabulary.spelled(digits_for_numbers(best.words, best.language))
        return Transcript(text, best.language, self.name)
