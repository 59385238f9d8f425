"""What the person sees in Telegram: the assistant's messages as text with an inline
keyboard, pictures and documents (fetched from the gateway itself, with the person's own
authority), spoken replies as voice notes, and the typing indicator while the assistant works.
Also fetches the person's own voice notes from Telegram to be heard."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath

from aiohttp import ClientError, ClientSession, ClientTimeout
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot, InlineKeyboardMarkup, InputFile, Voice
from telegram.constants import ChatAction, MessageLimit
from telegram.error import TelegramError
from telegram.warnings import PTBDeprecationWarning
from yarl import URL

from channels import download_grants
from channels.conversation import BotMessage
from channels.telegram.keyboards import Keyboards
from channels.texts import render
from channels.voice.audio import MAX_BYTES as MAX_VOICE_BYTES
from channels.voice.audio import AudioRejected

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
TYPING_EVERY_SECONDS = 4.0


class FileUnavailable(Exception):
    """The gateway would not hand over a file."""


@dataclass(frozen=True)
class GatewayFiles:
    """Fetches files from the gateway's own REST API on a user's behalf.

    Attributes:
      sessions: the books, to sign a download grant for the user.
      http: the gateway's HTTP client.
      base_url: where this process reaches its own gateway ("http://127.0.0.1:8080").
      own_origins: the origins under which absolute addresses are the gateway's own.
    """

    sessions: sessionmaker[Session]
    http: ClientSession
    base_url: str
    own_origins: frozenset[str]

    def path_of(self, address: str) -> str | None:
        """The gateway path (with query) of `address`; None for an address elsewhere."""
        url = URL(address)
        if not url.is_absolute():
            return str(url) if address.startswith("/") else None
        if str(url.origin()) in self.own_origins:
            return url.raw_path_qs
        return None

    def _grant(self, user_id: int, path: str) -> str:
        with self.sessions.begin() as session:
            return download_grants.issue_grant(session, user_id, path)

    async def fetch(self, user_id: int, path: str) -> bytes:
        """The file at the gateway `path`, as `user_id` may see it."""
        url = URL(self.base_url.rstrip("/") + path, encoded=True)
        grant = await asyncio.to_thread(self._grant, user_id, url.path)
        try:
            async with self.http.get(
                url,
                headers={"Authorization": f"Bearer {grant}"},
                timeout=ClientTimeout(total=60),
                allow_redirects=False,
            ) as response:
                if response.status != 200:
                    raise FileUnavailable(f"{url.path} answered {response.status}")
                body = await response.content.read(MAX_FILE_BYTES + 1)
        except (ClientError, TimeoutError) as exc:
            raise FileUnavailable(str(exc)) from exc
        if len(body) > MAX_FILE_BYTES:
            raise FileUnavailable(f"{url.path} is too large for Telegram")
        return body


def file_name(address: str) -> str:
    return PurePosixPath(URL(address).path).name or "file"


def text_chunks(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """`text` in pieces Telegram accepts, split at line breaks where possible."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text:
        chunks.append(text)
    return chunks


@dataclass(frozen=True)
class Recipient:
    """Whom the replies go to, and on whose authority files are fetched.

    Attributes:
      chat_id: the Telegram chat.
      user_id: the Bokbot user.
      language: "nb" or "en", for the channel's own words.
    """

    chat_id: int
    user_id: int
    language: str


Part = Callable[[InlineKeyboardMarkup | None], Awaitable[object]]


class Delivery:
    """Sends the assistant's messages to Telegram."""

    def __init__(self, keyboards: Keyboards, files: GatewayFiles) -> None:
        self.keyboards = keyboards
        self.files = files

    async def _media(self, bot: Bot, to: Recipient, address: str, *, photo: bool) -> Part:
        """A part sending a picture or document; a short apology if it cannot be fetched."""
        path = self.files.path_of(address)
        media: str | InputFile = address
        if path is not None:
            try:
                media = InputFile(await self.files.fetch(to.user_id, path), filename=file_name(address))
            except FileUnavailable as exc:
                log.warning("file for Telegram not fetched: %s", exc)
                apology = render(to.language, "telegram/file_unavailable.j2", name=file_name(address))
                return lambda markup: bot.send_message(to.chat_id, apology, reply_markup=markup)
        if photo:
            return lambda markup: bot.send_photo(to.chat_id, media, reply_markup=markup)
        return lambda markup: bot.send_document(to.chat_id, media, reply_markup=markup)

    @staticmethod
    async def _text(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> object:
        return await bot.send_message(chat_id, text, reply_markup=markup)

    async def send(self, bot: Bot, to: Recipient, message: BotMessage) -> None:
        """One message: its text, picture and file in that order, the keyboard on the last."""
        parts: list[Part] = []
        for chunk in text_chunks(message.text):
            parts.append(functools.partial(self._text, bot, to.chat_id, chunk))
        if message.image:
            parts.append(await self._media(bot, to, message.image, photo=True))
        if message.attachment:
            parts.append(await self._media(bot, to, message.attachment, photo=False))
        if not parts and message.buttons:
            choose = render(to.language, "telegram/choose.j2")
            parts.append(lambda markup: bot.send_message(to.chat_id, choose, reply_markup=markup))
        keyboard = await self.keyboards.markup(message.buttons) if message.buttons else None
        for index, part in enumerate(parts):
            await part(keyboard if index == len(parts) - 1 else None)

    @staticmethod
    async def voice_note(voice: Voice, max_seconds: float) -> bytes:
        """The OGG Opus bytes of a person's voice note, downloaded from Telegram. Raises
        AudioRejected for one too long or too large to hear, before downloading it, and for one
        Telegram does not hand over."""
        with warnings.catch_warnings():  # python-telegram-bot moves from int seconds to timedelta
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            duration = voice.duration
        seconds = duration.total_seconds() if isinstance(duration, timedelta) else float(duration)
        if seconds > max_seconds or (voice.file_size or 0) > MAX_VOICE_BYTES:
            raise AudioRejected("too_long", f"a voice note of {seconds:g} s")
        try:
            file = await voice.get_file()
            if (file.file_size or 0) > MAX_VOICE_BYTES:
                raise AudioRejected("too_long", "the voice note is too large")
            audio = bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            raise AudioRejected("not_audio", f"the voice note could not be fetched ({type(exc).__name__})") from exc
        if len(audio) > MAX_VOICE_BYTES:
            raise AudioRejected("too_long", "the voice note is too large")
        return audio

    @staticmethod
    async def send_voice(bot: Bot, chat_id: int, ogg_opus: bytes) -> None:
        """Replies spoken, as a voice note (OGG Opus)."""
        await bot.send_voice(chat_id, InputFile(ogg_opus, filename="svar.ogg"))

    async def send_all(self, bot: Bot, to: Recipient, messages: tuple[BotMessage, ...]) -> None:
        for message in messages:
            await self.send(bot, to, message)


@contextlib.asynccontextmanager
async def keep_typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Shows "typing…" in the chat until the block ends (Telegram shows it for 5 seconds)."""

    async def repeat() -> None:
        while True:
            with contextlib.suppress(TelegramError):
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(TYPING_EVERY_SECONDS)

    task = asyncio.create_task(repeat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
