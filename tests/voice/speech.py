"""Spoken test audio, made in the test run with espeak-ng (nothing recorded is shipped)."""

from __future__ import annotations

import io
import math
import struct
import subprocess
import wave

from channels.voice.synthesis import speak_wav

TEST_VOICE = "+klatt"
"""espeak-ng's Klatt variant of each language's voice: closer to a human voice than the
default, so the tests measure the recogniser rather than the synthesiser's buzz."""


def spoken(text: str, language: str, words_per_minute: int = 160) -> bytes:
    """`text` said in `language` ("nb", "en") by espeak-ng, as a WAV file."""
    return speak_wav(text, language, voice_variant=TEST_VOICE, words_per_minute=words_per_minute)


def wav_of(samples: list[int], rate: int = 16000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return out.getvalue()


def silence(seconds: float) -> bytes:
    return wav_of([0] * int(16000 * seconds))


def tone(seconds: float, hz: float = 440.0) -> bytes:
    return wav_of([int(8000 * math.sin(2 * math.pi * hz * i / 16000)) for i in range(int(16000 * seconds))])


def as_ogg_opus(wav: bytes) -> bytes:
    """A WAV file as a Telegram-style voice note (OGG Opus, 48 kHz mono)."""
    result = subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "pipe:0", "-ac", "1", "-ar", "48000",
         "-c:a", "libopus", "-b:a", "32k", "-f", "ogg", "pipe:1"],
        input=wav, capture_output=True, check=True, timeout=30,
    )
    return result.stdout
