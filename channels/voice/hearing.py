"""One spoken message heard: the audio checked and decoded, the company's names looked up,
the words recognised. Every channel's voice path starts here (the REST API's
`/api/v1/chat/voice`, Telegram's voice notes, the web chat's microphone) and then goes on
as text through the one conversation path (`channels.conversation`).
"""

from __future__ import annotations

import asyncio
import base64
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from channels.voice.audio import AudioRejected, decode, format_of
from channels.voice.recognition import SpeechToText, Transcript, recogniser_from_settings
from channels.voice.synthesis import spoken_reply
from channels.voice.vocabulary import Vocabulary, company_vocabulary
from ledger import identity
from ledger.errors import NotFound
from ledger.models import User
from ledger.settings import Settings


@lru_cache(maxsize=4)
def _recogniser(engine: str, model_path: Path | None) -> SpeechToText:
    return recogniser_from_settings(Settings(_env_file=None, stt=engine, stt_model_path=model_path))  # type: ignore[call-arg]


def recogniser_for(settings: Settings) -> SpeechToText:
    """The process's recogniser for `settings` (one per engine: its decoders are reused)."""
    return _recogniser(settings.stt, settings.stt_model_path)


def _vocabulary(sessions: sessionmaker[Session], user_id: int, company_id: int | None) -> tuple[Vocabulary, str]:
    """The company's names, and the language the user speaks to the assistant."""
    with sessions.begin() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("unknown user")
        return company_vocabulary(session, identity.current_company_id(session, user, company_id)), user.language


def hear_now(
    sessions: sessionmaker[Session],
    recogniser: SpeechToText,
    user_id: int,
    audio: bytes,
    *,
    content_type: str | None,
    company_id: int | None = None,
    language: str | None = None,
    max_seconds: float = 30.0,
) -> Transcript:
    """What the user said in `audio` (blocking: run it in a worker thread). Raises
    AudioRejected for audio that cannot be heard (nothing was changed), NotFound for a
    company the user does not belong to."""
    container = format_of(content_type) if content_type is not None else None
    pcm = decode(audio, container, max_seconds=max_seconds)
    vocabulary, speaks = _vocabulary(sessions, user_id, company_id)
    transcript = recogniser.transcribe(pcm, vocabulary, language, prefer=speaks)
    if not transcript.text.strip():
        raise AudioRejected("nothing_heard", "no words were recognised")
    return transcript


async def hear(
    sessions: sessionmaker[Session],
    settings: Settings,
    user_id: int,
    audio: bytes,
    *,
    content_type: str | None,
    company_id: int | None = None,
    language: str | None = None,
) -> Transcript:
    """`hear_now` in a worker thread, with the configured recogniser."""
    recogniser = recogniser_for(settings)
    return await asyncio.to_thread(
        hear_now,
        sessions,
        recogniser,
        user_id,
        audio,
        content_type=content_type,
        company_id=company_id,
        language=language,
        max_seconds=settings.voice_max_seconds,
    )


async def speak(texts: list[str], language: str) -> bytes | None:
    """The replies read aloud as OGG Opus (None when there is nothing to say)."""
    return await asyncio.to_thread(spoken_reply, texts, language)


def data_url(ogg: bytes) -> str:
    """OGG Opus audio as a `data:` address: the reply travels with the answer, so any
    gateway replica can answer and nothing is stored."""
    return "data:audio/ogg;codecs=opus;base64," + base64.b64encode(ogg).decode("ascii")
