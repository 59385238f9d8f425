"""Speech to text with faster-whisper (CTranslate2), for production: a Whisper model from a
folder given in configuration (for example one fine-tuned on Norwegian speech), loaded once,
never downloaded. Install with the `whisper` extra."""

from __future__ import annotations

import array
import threading
from pathlib import Path

from channels.voice.audio import Pcm
from channels.voice.numbers import digits_for_numbers
from channels.voice.recognition import SpeechConfigurationError, Transcript
from channels.voice.vocabulary import Vocabulary


class FasterWhisperRecogniser:
    """Whisper through faster-whisper; the company's names are given as the prompt."""

    name = "faster-whisper"

    def __init__(self, model_path: Path) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise SpeechConfigurationError("BOKBOT_STT=faster-whisper needs: pip install '.[whisper]'") from exc
        self._model = WhisperModel(str(model_path), device="cpu", compute_type="int8", local_files_only=True)
        self._lock = threading.Lock()

    def transcribe(
        self, audio: Pcm, vocabulary: Vocabulary, language: str | None = None, *, prefer: str | None = None
    ) -> Transcript:
        import numpy

        samples = array.array("h")
        samples.frombytes(audio.samples)
        floats = numpy.asarray(samples, dtype=numpy.float32) / 32768.0
        names = ", ".join(vocabulary.spelled(n) for n in (*vocabulary.customers, *vocabulary.projects))
        with self._lock:
            segments, info = self._model.transcribe(
                floats, language=language, initial_prompt=names or None, beam_size=1, vad_filter=False
            )
            text = " ".join(s.text.strip() for s in segments).strip()
        heard = "en" if (language or info.language) == "en" else "nb"
        return Transcript(digits_for_numbers(text, heard), heard, self.name)
