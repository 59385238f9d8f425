"""The embedded recogniser: pocketsphinx with the English acoustic model its PyPI package
ships, constrained to the commands of `grammars/` and the company's names.

One decoder per language and company names, built in well under a second and rebuilt
whenever the names change (their fingerprint is the key). A turn is decoded with both
languages' grammars, or only the one the channel asks for, and the likelier hypothesis wins
(`likelihood`): both use the same acoustic model, so their scores per frame are comparable,
and the language the conversation is in (`prefer`) tips the balance when they are close.

Every candidate language's grammar is tried first; when no sentence of the likeliest fits
the audio to the end, pocketsphinx has nothing to say, and a trigram model learnt from that
grammar's own sentences (`channels.voice.language_model`) hears what it can instead. Audio is
dithered and given a little quiet before and after (`_prepared`): stretches of digital
silence (a synthetic voice, a muted microphone) and speech that starts or stops at the very
edge otherwise upset the feature normalisation so badly that the first or last words are
lost.
"""

from __future__ import annotations

import math
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from channels.voice.audio import SAMPLE_RATE, Pcm
from channels.voice.grammar import LANGUAGES, CompiledGrammar, compile_grammar
from channels.voice.jsgf import accepts
from channels.voice.language_model import arpa, grammar_sentences
from channels.voice.lexicon import Lexicon
from channels.voice.numbers import digits_for_numbers
from channels.voice.recognition import Transcript
from channels.voice.vocabulary import Vocabulary

CACHED_DECODERS = 32
DITHER_SEED = 4102
DITHER = 8  # sample steps of noise, out of 32768: inaudible, but a noise floor the noise removal can measure
MARGIN_SECONDS = 0.6  # at 0.3 the last word ("timer", "ja") is lost now and then
LOUD_RMS = 300.0  # of 32768, over 10 ms: speech, not room noise
GAUSSIANS = 2  # per frame and codebook (pocketsphinx's default is 4): 15 % faster, heard the same
BEAM, WORD_BEAM = 1e-80, 1e-40
"""How far below the best path a path (and a word's end) may fall and still be followed
(pocketsphinx's defaults are 1e-48 and 7e-29). Bokmål is heard with an English acoustic
model, so the right path often scores poorly for a few frames (a Norwegian vowel, a tapped
r) and was cut at the default beams: a whole sentence ("hvor mye har vi i banken") could
find no way through the grammar, and numbers were lost more often ("tolv" heard as "to").
Wider, espeak-ng's bokmål commands were heard exactly in 97.5 % of cases rather than 90 %,
and the numbers of other voices and figures right in 28 of 34 rather than 24, at about the
same cost: the search without the lattice pass (`bestpath=False`) is cheaper than the
pass was. Wider still (1e-120) heard no better and cost a fifth more. English was heard the
same, and as fast, with these beams as with the defaults."""
SCORE_UNIT = 2**10
"""Without the lattice pass (`bestpath=False`), pocketsphinx gives each word's acoustic score
from the search itself, in its scaled-down units (log probability over 2**10, its
SENSCR_SHIFT); times this unit they are on the scale of the lattice's scores, which the
bonuses of `likelihood` were measured in. The lattice pass is left out because it chose
worse than the search it rescored ("fire timer" heard as "tyve timer" where the search had
it right) and took nearly a third of the decoding time."""
_GRAMMAR_SEARCH, _MODEL_SEARCH = "commands", "model"


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
    """One pocketsphinx decoder for one compiled grammar, with two searches over the same
    acoustic model and dictionary: the grammar, and the language model counted from it. One
    utterance at a time."""

    def __init__(self, grammar: CompiledGrammar) -> None:
        from pocketsphinx import Decoder

        self.grammar = grammar
        self._lock = threading.Lock()
        with tempfile.TemporaryDirectory(prefix="bokbot-voice-") as folder:
            dictionary = Path(folder) / "words.dict"
            dictionary.write_text(grammar.dictionary, encoding="utf-8")
            model = Path(folder) / "commands.arpa"
            model.write_text(arpa(grammar_sentences(grammar.jsgf)), encoding="utf-8")
            # The audio is dithered here (`_prepared`), the same way every time.
            self._decoder = Decoder(
                hmm=str(acoustic_model()), dict=str(dictionary), loglevel="FATAL", samprate=16000, dither=False,
                topn=GAUSSIANS, bestpath=False, beam=BEAM, pbeam=BEAM, wbeam=WORD_BEAM,
            )
            self._decoder.add_jsgf_string(_GRAMMAR_SEARCH, grammar.jsgf)
            self._decoder.add_lm_file(_MODEL_SEARCH, str(model))

    def _run(self, search: str, samples: bytes, language: str) -> Hypothesis | None:
        decoder = self._decoder
        decoder.activate_search(search)
        decoder.start_utt()
        decoder.process_raw(samples, no_search=False, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        if hyp is None or not hyp.hypstr or not hyp.hypstr.strip():
            return None
        frames = max(int(decoder.n_frames()), 1)
        # Each word's acoustic score comes as a probability; their logs per frame compare
        # one language's path with the other's over the same audio.
        logs = [math.log(s.ascore) * SCORE_UNIT if s.ascore > 0 else -math.inf for s in decoder.seg() or []]
        words = hyp.hypstr.strip()
        return Hypothesis(words, sum(logs) / frames, language, accepts(self.grammar.jsgf, words.split()))

    def decode_samples(self, samples: bytes, *, fallback: bool = True) -> Hypothesis | None:
        """The grammar's best sentence for `samples` (as `_prepared` gives them); with
        `fallback`, `improved` by the language model."""
        with self._lock:
            found = self._run(_GRAMMAR_SEARCH, samples, self.grammar.language)
        return self.improved(found, samples) if fallback else found

    def improved(self, found: Hypothesis | None, samples: bytes) -> Hypothesis | None:
        """The grammar's `found`, or the language model's guess when that is better: when
        `found` is not a whole sentence and the guess is (or there was nothing)."""
        if found is not None and found.complete:
            return found
        with self._lock:
            guess = self._run(_MODEL_SEARCH, samples, self.grammar.language)
        return guess if guess is not None and (found is None or guess.complete) else found


def _prepared(audio: Pcm) -> bytes:
    """The samples as the decoder hears them: with `MARGIN_SECONDS` of quiet before the first
    loud stretch and after the last (a voice note's longer silences cut, as they cost decoding
    time and say nothing; speech that starts or stops at the very first or last sample padded,
    as it loses its first or last word otherwise), and a dither of a few steps
    (stretches of digital silence, from a synthetic voice or a muted microphone, upset the
    noise and feature normalisation), the same dither every time, so a recording is always
    heard the same way."""
    import numpy

    samples = numpy.frombuffer(audio.samples[: len(audio.samples) // 2 * 2], dtype="<i2").astype(numpy.int32)
    frame = SAMPLE_RATE // 100
    frames = samples[: len(samples) // frame * frame].reshape(-1, frame).astype(numpy.float64)
    loud = numpy.nonzero(numpy.sqrt((frames**2).mean(axis=1)) > LOUD_RMS)[0]
    margin = int(MARGIN_SECONDS * SAMPLE_RATE)
    if len(loud):
        first, last = int(loud[0]) * frame, (int(loud[-1]) + 1) * frame
        before = samples[max(0, first - margin) : first]
        after = samples[last : last + margin]
        samples = numpy.concatenate([
            numpy.zeros(margin - len(before), dtype=numpy.int32), before, samples[first:last], after,
            numpy.zeros(margin - len(after), dtype=numpy.int32),
        ])
    noise = numpy.random.default_rng(DITHER_SEED).integers(-DITHER, DITHER + 1, size=len(samples))
    return bytes(numpy.clip(samples + noise, -32768, 32767).astype("<i2").tobytes())


COMPLETE_BONUS = 0.5
PREFERRED_BONUS = 0.5


def likelihood(hypothesis: Hypothesis, prefer: str | None) -> float:
    """How likely a language's hypothesis is the words said: its acoustic score per frame,
    raised for a whole sentence of its grammar (the other language's grammar seldom fits to
    the end) and for the language the person has been speaking (a short "no" sounds much like
    "ja" to an English acoustic model; the conversation's language breaks such ties). Each
    bonus is about the spread of scores between two readings of the same audio."""
    complete = COMPLETE_BONUS if hypothesis.complete else 0.0
    return hypothesis.score + complete + (PREFERRED_BONUS if hypothesis.language == prefer else 0.0)


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

    def hypotheses(
        self, audio: Pcm, vocabulary: Vocabulary, language: str | None = None, prefer: str | None = None
    ) -> list[Hypothesis]:
        """Each language's grammar's best guess, the likeliest first (`likelihood`), the first
        one completed by the language model when it is not a whole sentence of its grammar.
        The language model (a second pass over the audio) is thus run for one language at
        most, and only when that language's grammar does not fit to the end."""
        languages = (language,) if language in LANGUAGES else LANGUAGES
        samples = _prepared(audio)
        decoders = {lang: self.decoder(lang, vocabulary) for lang in languages}
        found = [h for d in decoders.values() if (h := d.decode_samples(samples, fallback=False)) is not None]
        if not found:
            # Not a word of any grammar: whatever the language models hear.
            found = [h for d in decoders.values() if (h := d.improved(None, samples)) is not None]
        found.sort(key=lambda h: likelihood(h, prefer), reverse=True)
        if found and not found[0].complete:
            best = decoders[found[0].language].improved(found[0], samples)
            found[0] = best if best is not None else found[0]
        return found

    def transcribe(
        self, audio: Pcm, vocabulary: Vocabulary, language: str | None = None, *, prefer: str | None = None
    ) -> Transcript:
        found = self.hypotheses(audio, vocabulary, language, prefer)
        if not found:
            return Transcript("", language or prefer or "nb", self.name)
        best = found[0]
        text = vocabulary.spelled(digits_for_numbers(best.words, best.language))
        return Transcript(text, best.language, self.name)
