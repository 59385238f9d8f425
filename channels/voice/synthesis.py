"""Text to speech: the assistant's words spoken by espeak-ng (bokmål or English) and encoded
as OGG Opus by ffmpeg, the format Telegram's `sendVoice` wants and browsers play."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable

from channels.voice.audio import ffmpeg_binary
from channels.voice.lexicon import ESPEAK_VOICES, espeak_binary

MAX_SPOKEN_CHARACTERS = 1200
SYNTHESIS_TIMEOUT_SECONDS = 30.0
WORDS_PER_MINUTE = 165
_OPUS_FROM_WAV = (
    "-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "pipe:0",
    "-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "24k", "-application", "voip", "-f", "ogg", "pipe:1",
)


def speakable(texts: Iterable[str]) -> str:
    """The replies' words as one text to read aloud: no links, no bullet marks, at most
    `MAX_SPOKEN_CHARACTERS` (cut at a sentence's end where possible)."""
    joined = " ".join(t.strip() for t in texts if t and t.strip())
    joined = re.sub(r"https?://\S+", "", joined)
    joined = re.sub(r"^[\s•*\-–]+", "", joined, flags=re.MULTILINE)
    joined = re.sub(r"\s+", " ", joined).strip()
    if len(joined) <= MAX_SPOKEN_CHARACTERS:
        return joined
    cut = joined[:MAX_SPOKEN_CHARACTERS]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    return cut[: end + 1] if end > 0 else cut


def speak_wav(text: str, language: str, *, voice_variant: str = "", words_per_minute: int = WORDS_PER_MINUTE) -> bytes:
    """`text` spoken by espeak-ng as a WAV file (22 kHz mono)."""
    voice = ESPEAK_VOICES.get(language, "nb") + voice_variant
    result = subprocess.run(
        [espeak_binary(), "-v", voice, "-s", str(words_per_minute), "--stdout"],
        input=text.encode(),
        capture_output=True,
        timeout=SYNTHESIS_TIMEOUT_SECONDS,
        check=True,
    )
    return result.stdout


def to_ogg_opus(wav: bytes) -> bytes:
    """A WAV file as OGG Opus (mono, 24 kbit/s: a voice note)."""
    result = subprocess.run(
        [ffmpeg_binary(), *_OPUS_FROM_WAV],
        input=wav,
        capture_output=True,
        timeout=SYNTHESIS_TIMEOUT_SECONDS,
        check=True,
    )
    return result.stdout


def spoken_reply(texts: Iterable[str], language: str) -> bytes | None:
    """The replies read aloud as OGG Opus; None when there is nothing to say. espeak-ng's
    speech flows straight into ffmpeg, so the encoding runs while the words are spoken
    rather than after (the answer waits for both)."""
    text = speakable(texts)
    if not text:
        return None
    voice = ESPEAK_VOICES.get(language, "nb")
    with subprocess.Popen(
        [espeak_binary(), "-v", voice, "-s", str(WORDS_PER_MINUTE), "--stdout"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    ) as speaker:
        assert speaker.stdin is not None and speaker.stdout is not None
        speaker.stdin.write(text.encode())
        speaker.stdin.close()
        try:
            encoded = subprocess.run(
                [ffmpeg_binary(), *_OPUS_FROM_WAV], stdin=speaker.stdout, capture_output=True,
                timeout=SYNTHESIS_TIMEOUT_SECONDS, check=True,
            ).stdout
        finally:
            speaker.stdout.close()
            if speaker.wait(timeout=SYNTHESIS_TIMEOUT_SECONDS) != 0:
                raise subprocess.CalledProcessError(speaker.returncode, "espeak-ng")
    return encoded
