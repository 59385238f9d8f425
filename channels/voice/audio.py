"""Audio as it arrives (a Telegram voice note in OGG Opus, a browser's WebM, a WAV file)
turned into what the recognisers hear: 16 kHz, 16-bit, mono PCM, and refused with a reason
when it cannot be heard.

ffmpeg (Debian package `ffmpeg`) does the decoding, in a subprocess with a time limit, from
memory to memory; nothing is written to disk. A refusal (`AudioRejected`) happens before
anything reaches the assistant, so it changes nothing.
"""

from __future__ import annotations

import array
import math
import shutil
import subprocess
from dataclasses import dataclass

SAMPLE_RATE = 16000
MAX_SECONDS = 30.0
MAX_BYTES = 5 * 1024 * 1024
SILENCE_RMS = 120.0  # of 32768: quieter than a whisper close to the microphone
DECODE_TIMEOUT_SECONDS = 20.0

CONTENT_TYPES = {
    "audio/ogg": "ogg",
    "audio/opus": "ogg",
    "application/ogg": "ogg",
    "audio/webm": "webm",
    "video/webm": "webm",
    "audio/wav": "wav",
    "audio/wave": "wav",
    "audio/x-wav": "wav",
    "audio/vnd.wave": "wav",
}
"""The formats we read, by content type (parameters such as `;codecs=opus` aside)."""


class AudioRejected(Exception):
    """Audio that cannot be heard; `reason` is one of `REASONS`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


REASONS = ("empty", "too_long", "silent", "not_audio", "unsupported_format", "nothing_heard")


@dataclass(frozen=True)
class Pcm:
    """Speech ready for a recogniser.

    Attributes:
      samples: 16-bit little-endian mono samples at `SAMPLE_RATE`.
    """

    samples: bytes

    @property
    def seconds(self) -> float:
        return len(self.samples) / 2 / SAMPLE_RATE

    @property
    def loudness(self) -> float:
        """Root mean square of the samples (0–32768)."""
        values = array.array("h")
        values.frombytes(self.samples[: len(self.samples) - len(self.samples) % 2])
        if not values:
            return 0.0
        return math.sqrt(sum(v * v for v in values) / len(values))


def format_of(content_type: str) -> str:
    """The container for a request's content type; AudioRejected("unsupported_format") for
    any other."""
    base = content_type.split(";")[0].strip().lower()
    found = CONTENT_TYPES.get(base)
    if found is None:
        raise AudioRejected("unsupported_format", f"{base or 'no content type'} is not a format we read")
    return found


def ffmpeg_binary() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise RuntimeError("ffmpeg is not installed (Debian package 'ffmpeg')")
    return found


def decode(data: bytes, container: str | None = None, *, max_seconds: float = MAX_SECONDS) -> Pcm:
    """`data` as 16 kHz mono PCM; AudioRejected when it is empty, too long, not audio or silent."""
    if not data:
        raise AudioRejected("empty", "no audio was sent")
    if len(data) > MAX_BYTES:
        raise AudioRejected("too_long", f"more than {MAX_BYTES} bytes")
    command = [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-nostdin"]
    if container is not None:
        command += ["-f", container]
    # One second past the limit is read, so that "too long" is told apart from "just right".
    command += ["-i", "pipe:0", "-t", f"{max_seconds + 1:.1f}", "-vn", "-ac", "1", "-ar", str(SAMPLE_RATE)]
    command += ["-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"]
    try:
        result = subprocess.run(command, input=data, capture_output=True, timeout=DECODE_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioRejected("not_audio", "decoding took too long") from exc
    if result.returncode != 0 or not result.stdout:
        raise AudioRejected("not_audio", result.stderr.decode(errors="replace").strip()[-300:])
    pcm = Pcm(result.stdout)
    if pcm.seconds > max_seconds:
        raise AudioRejected("too_long", f"longer than {max_seconds:g} seconds")
    if pcm.seconds < 0.1:
        raise AudioRejected("empty", "less than a tenth of a second of audio")
    if pcm.loudness < SILENCE_RMS:
        raise AudioRejected("silent", "nothing louder than silence")
    return pcm
