"""Speech to text with Vosk (Kaldi), for production: a Vosk model from a folder given in
configuration, loaded once, never downloaded. Install with the `vosk` extra. A Vosk model
is for one language; the transcript is said to be in the language of the model folder's
name ("...-en-..." is English, anything else bokmål)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from channels.voice.audio import SAMPLE_RATE, Pcm
from channels.voice.numbers import digits_for_numbers
from channels.voice.recognition import SpeechConfigurationError, Transcript
from channels.voice.vocabulary import Vocabulary


class VoskRecogniser:
    """One Vosk model; a recogniser per turn (they are cheap, the model is shared)."""

    name = "vosk"

    def __init__(self, model_path: Path) -> None:
        try:
            import vosk
        except ImportError as exc:
            raise SpeechConfigurationError("BOKBOT_STT=vosk needs: pip install '.[vosk]'") from exc
        vosk.SetLogLevel(-1)
        self._vosk = vosk
        self._model = vosk.Model(str(model_path))
        self.language = "en" if "-en" in model_path.name.lower() else "nb"
        self._lock = threading.Lock()

    def transcribe(
        self, audio: Pcm, vocabulary: Vocabulary, language: str | None = None, *, prefer: str | None = None
    ) -> Transcript:
        with self._lock:
            recogniser = self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
            recogniser.AcceptWaveform(audio.samples)
            text = str(json.loads(recogniser.FinalResult()).get("text", ""))
        return Transcript(vocabulary.spelled(digits_for_numbers(text, self.language)), self.language, self.name)
