"""Speech to text behind one interface, whichever engine does it (`BOKBOT_STT`):

  pocketsphinx    embedded, the default: works offline with nothing to download (English
                  acoustic model from its PyPI package, bokmål through espeak-ng's phonemes),
                  hears the commands of `grammars/` with the company's own names
  faster-whisper  a Whisper model (e.g. one fine-tuned for Norwegian) from BOKBOT_STT_MODEL_PATH
  vosk            a Vosk model from BOKBOT_STT_MODEL_PATH

Production engines are given a model path in configuration and never download anything at
run time: a missing path or model is a configuration error at start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from channels.voice.audio import Pcm
from channels.voice.vocabulary import Vocabulary
from ledger.settings import Settings

ENGINES = ("pocketsphinx", "faster-whisper", "vosk")


class SpeechConfigurationError(RuntimeError):
    """The configured engine cannot run (unknown name, no model path, package not installed)."""


@dataclass(frozen=True)
class Transcript:
    """What was heard.

    Attributes:
      text: the words, numbers as digits and names as the books write them
        ("fakturer Fjord Bygg for 5 timer"); "" when nothing was understood.
      language: "nb" or "en", the language it was heard in.
      engine: the engine that heard it.
    """

    text: str
    language: str
    engine: str


class SpeechToText(Protocol):
    """An engine that turns 16 kHz mono speech into a transcript."""

    name: str

    def transcribe(
        self, audio: Pcm, vocabulary: Vocabulary, language: str | None = None, *, prefer: str | None = None
    ) -> Transcript:
        """What `audio` says. `vocabulary` holds the company's names; `language` ("nb", "en")
        when the channel knows the language spoken, None to let the engine decide; `prefer`
        the language the conversation has been in, to favour when the engine is in doubt."""
        ...


def recogniser_from_settings(settings: Settings) -> SpeechToText:
    """The engine `BOKBOT_STT` names, ready to use."""
    engine = settings.stt.strip().lower()
    if engine == "pocketsphinx":
        from channels.voice.sphinx_backend import PocketsphinxRecogniser

        return PocketsphinxRecogniser()
    if engine in ("faster-whisper", "vosk"):
        if settings.stt_model_path is None:
            raise SpeechConfigurationError(f"BOKBOT_STT={engine} needs BOKBOT_STT_MODEL_PATH (a model folder)")
        if not settings.stt_model_path.is_dir():
            raise SpeechConfigurationError(f"BOKBOT_STT_MODEL_PATH {settings.stt_model_path} is not a folder")
        if engine == "faster-whisper":
            from channels.voice.whisper_backend import FasterWhisperRecogniser

            return FasterWhisperRecogniser(settings.stt_model_path)
        from channels.voice.vosk_backend import VoskRecogniser

        return VoskRecogniser(settings.stt_model_path)
    raise SpeechConfigurationError(f"BOKBOT_STT must be one of {', '.join(ENGINES)}, not {settings.stt!r}")
