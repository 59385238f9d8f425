"""The Telegram bot's side of the conversation: linking an account with `/start CODE`,
handing text, voice notes (heard by `channels.voice`, then taken as text), documents and
photos (a bank statement or a receipt, through `channels.files`) and button presses to the
assistant, sending the replies back.

One small handler per step; all wiring in `build_application` at the bottom. Only private
chats are served: the books are never shown in a group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker
from telegram import Document, Message, PhotoSize, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from channels.conversation import BOOKS_UNREACHABLE, BotMessage, ChatTurn, Conversations, MessageInProgress, Person
from channels.files import FileNotTaken, FileTurn, answer_file
from channels.limits import SignInThrottle, TooBusy
from channels.rasa_client import RasaUnavailable
from channels.telegram.delivery import Delivery, Recipient, keep_typing
from channels.telegram.keyboards import Keyboards
from channels.telegram.settings import TelegramSettings
from channels.telegram.updates import PerChatUpdateProcessor
from channels.texts import language_of, render
from channels.voice.audio import AudioRejected
from channels.voice.hearing import hear, speak
from channels.voice.reply_mode import requested_reply_mode, set_voice_replies, wants_voice_replies
from ledger.conversation_files import MAX_FILE_BYTES
from ledger.errors import IdempotencyConflict, NotFound
from ledger.settings import Settings

log = logging.getLogger(__name__)

GATEWAY = "bokbot_gateway"
SETTINGS = "bokbot_settings"
ALLOWED_UPDATES = ["message", "callback_query"]

T = TypeVar("T")

TelegramApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class Gateway:
    """What the handlers use of the gateway.

    Attributes:
      conversations: the one path every channel's messages take (`app[CONVERSATIONS]`).
      keyboards: the buttons' payloads.
      delivery: sends the assistant's messages to Telegram.
      sign_ins: the gateway's throttle of wrong link codes (per Telegram account and overall).
    """

    conversations: Conversations
    keyboards: Keyboards
    delivery: Delivery
    sign_ins: SignInThrottle


def gateway_of(context: ContextTypes.DEFAULT_TYPE) -> Gateway:
    gateway = context.bot_data[GATEWAY]
    assert isinstance(gateway, Gateway)
    return gateway


async def say(update: Update, language: str, template: str, **values: Any) -> None:
    """Sends one of the bot's own texts to the chat of `update`."""
    if update.effective_chat is not None:
        await update.effective_chat.send_message(render(language, template, **values))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Links the Telegram account with the code after /start, or says how to get a code."""
    user = update.effective_user
    if user is None:
        return
    gateway = gateway_of(context)
    conversations = gateway.conversations
    code = context.args[0][:64] if context.args else ""
    source = f"telegram:{user.id}"
    if code and await gateway.sign_ins.allowed(source):
        person = await conversations.link_telegram(code, user.id)
        if person is None:
            await gateway.sign_ins.failed(source)
        else:
            await say(update, person.language, "telegram/welcome.j2", name=person.name, company=person.company_name)
            return
    person = await conversations.person_by_telegram(user.id)
    if person is not None:  # also a spent code delivered again: the link it made stands
        await say(update, person.language, "telegram/already_linked.j2", name=person.name, company=person.company_name)
    elif code:
        await say(update, language_of(user.language_code), "telegram/link_failed.j2")
    else:
        await say(update, language_of(user.language_code), "telegram/not_linked.j2")


async def signed_in(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Person | None:
    """The person this Telegram account is linked to; an unlinked one is told how to get
    access and reaches nothing."""
    user = update.effective_user
    if user is None:
        return None
    person = await gateway_of(context).conversations.person_by_telegram(user.id)
    if person is None:
        await say(update, language_of(user.language_code), "telegram/not_linked.j2")
    return person


async def converse(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    text: str,
    message_id: str,
    *,
    channel: str = "telegram",
    heard: str | None = None,
) -> tuple[BotMessage, ...] | None:
    """Hands one message to the assistant, shows "typing…" meanwhile, and sends the replies
    (once: a redelivered update gets the first answer, which was already sent), after the
    line `heard` when one is given. Returns the replies it sent, None if it sent none."""
    chat = update.effective_chat
    if chat is None:
        return None
    gateway = gateway_of(context)
    turn = ChatTurn(person.user_id, text, channel=channel, message_id=message_id)
    async with keep_typing(context.bot, chat.id):
        try:
            answer = await gateway.conversations.answer(turn)
        except RasaUnavailable:
            await say(update, person.language, "telegram/unavailable.j2")
            return None
        except NotFound:
            await say(update, person.language, "telegram/no_company.j2")
            return None
        except IdempotencyConflict:
            await say(update, person.language, "telegram/message_id_reused.j2")
            return None
        except TooBusy:
            await say(update, person.language, "limits/too_busy.j2")
            return None
        except MessageInProgress:
            return None  # Telegram sent the update again while the first is being answered
        if answer.repeated:
            return None
        if heard is not None:
            await chat.send_message(heard)
        to = Recipient(chat.id, person.user_id, person.language)
        await gateway.delivery.send_all(context.bot, to, answer.messages)
        return answer.messages


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Hands what the person wrote to the assistant; the update id is the idempotency key."""
    message = update.effective_message
    if message is None or not message.text:
        return
    person = await signed_in(update, context)
    if person is not None:
        await converse(update, context, person, message.text, f"tg:{update.update_id}")


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Asks the assistant what it can do (Rasa reads "/help" as the `help` intent)."""
    person = await signed_in(update, context)
    if person is not None:
        await converse(update, context, person, "/help", f"tg:{update.update_id}")


async def button_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledges the press, removes the keyboard and sends the button's payload on as the
    person's message."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    person = await signed_in(update, context)
    if person is None:
        return
    message = query.message if isinstance(query.message, Message) else None
    payload = await gateway_of(context).keyboards.payload(query.data or "", message)
    with contextlib.suppress(BadRequest):  # already removed, or the message is too old to edit
        await query.edit_message_reply_markup(reply_markup=None)
    if payload:
        await converse(update, context, person, payload, f"tg:cb:{query.id}")


async def voice_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Hears a voice note with the company's names, shows what was heard, and answers it as
    if it had been written; the answer is also spoken when the person asked for that
    ("svar med tale", which a voice note can say too)."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or message.voice is None or chat is None:
        return
    person = await signed_in(update, context)
    if person is None:
        return
    gateway = gateway_of(context)
    settings: Settings = context.bot_data[SETTINGS]
    sessions = gateway.conversations.sessions
    try:
        async with keep_typing(context.bot, chat.id):
            audio = await gateway.delivery.voice_note(message.voice, settings.voice_max_seconds)
            transcript = await hear(sessions, settings, person.user_id, audio, content_type="audio/ogg")
    except AudioRejected as exc:
        max_seconds = f"{settings.voice_max_seconds:g}"
        await say(update, person.language, "voice/rejected.j2", reason=exc.reason, max_seconds=max_seconds)
        return
    except NotFound:
        await say(update, person.language, "telegram/no_company.j2")
        return
    heard = render(transcript.language, "voice/heard.j2", transcript=transcript.text)
    mode = requested_reply_mode(transcript.text)
    if mode is not None:
        on = mode
        await asyncio.to_thread(_in_books, sessions, lambda session: set_voice_replies(session, person.user_id, on))
        await chat.send_message(heard)
        await say(update, transcript.language, "voice/replies_on.j2" if mode else "voice/replies_off.j2")
        return
    replies = await converse(
        update, context, person, transcript.text, f"tg:{update.update_id}", channel="voice", heard=heard
    )
    if not replies:
        return
    spoken_too: bool = await asyncio.to_thread(_in_books, sessions, lambda s: wants_voice_replies(s, person.user_id))
    if spoken_too:
        spoken = await speak([m.text for m in replies], transcript.language)
        if spoken is not None:
            await gateway.delivery.send_voice(context.bot, chat.id, spoken)


async def file_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Downloads a document or the largest size of a photo and hands it to the assistant with
    its caption (`channels.files`: a bank statement or a receipt); a file it does not take
    is refused in the person's language."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    attachment: Document | PhotoSize | None = message.document or (message.photo[-1] if message.photo else None)
    if attachment is None:
        return
    person = await signed_in(update, context)
    if person is None:
        return
    gateway = gateway_of(context)
    conversations = gateway.conversations
    name = (message.document.file_name or "") if message.document is not None else "photo.jpg"
    if (attachment.file_size or 0) > MAX_FILE_BYTES:  # refused before it is downloaded
        await say(update, person.language, "files/refused.j2", reason="too_large",
                  limit_mb=MAX_FILE_BYTES // (1024 * 1024))
        return
    async with keep_typing(context.bot, chat.id):
        try:
            data = bytes(await (await attachment.get_file()).download_as_bytearray())
        except TelegramError:
            await say(update, person.language, "telegram/file_not_fetched.j2")
            return
        turn = FileTurn(person.user_id, data, "telegram", text=message.caption or "", filename=name,
                        message_id=f"tg:{update.update_id}")
        try:
            answer = await answer_file(conversations, turn)
        except FileNotTaken as refused:
            await chat.send_message(refused.text)
            return
        except RasaUnavailable:
            await say(update, person.language, "telegram/unavailable.j2")
            return
        except NotFound:
            await say(update, person.language, "telegram/no_company.j2")
            return
        except IdempotencyConflict:
            await say(update, person.language, "telegram/message_id_reused.j2")
            return
        except TooBusy:
            await say(update, person.language, "limits/too_busy.j2")
            return
        except MessageInProgress:
            return
        if answer.repeated:
            return
        to = Recipient(chat.id, person.user_id, person.language)
        await gateway.delivery.send_all(context.bot, to, answer.messages)


def _in_books(sessions: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    with sessions.begin() as session:
        return work(session)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Says that text, voice messages and files are what is understood here (a sticker, a
    location, a contact)."""
    person = await signed_in(update, context)
    if person is not None:
        await say(update, person.language, "telegram/text_only.j2")


async def log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs a failed update by its id only (its text belongs to the person). One that failed
    because the books could not be reached (signing in, or finding who is writing, before a
    turn starts: a turn says so itself) is answered "try again in a moment, nothing was
    posted" in the language Telegram gives for the person, as their own language is in the
    books."""
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, BOOKS_UNREACHABLE) and isinstance(update, Update):
        log.warning("Telegram update %s: the books cannot be reached", update_id)
        user = update.effective_user
        with contextlib.suppress(TelegramError):
            await say(update, language_of(user.language_code if user else None), "unavailable.j2")
        return
    log.error("Telegram update %s failed", update_id, exc_info=context.error)


def build_application(
    settings: Settings, telegram: TelegramSettings, gateway: Gateway, *, webhook: bool
) -> TelegramApplication:
    """The bot with its handlers; nothing talks to Telegram until it is initialised."""
    builder = (
        ApplicationBuilder()
        .token(telegram.token)
        .base_url(telegram.base_url)
        .base_file_url(telegram.base_file_url)
        .rate_limiter(AIORateLimiter())
        .concurrent_updates(PerChatUpdateProcessor())
    )
    if webhook:
        builder = builder.updater(None)
    application: TelegramApplication = builder.build()
    application.bot_data[GATEWAY] = gateway
    application.bot_data[SETTINGS] = settings

    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("start", start, filters=private))
    application.add_handler(CommandHandler("help", help_command, filters=private))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, text_message))
    application.add_handler(CallbackQueryHandler(button_pressed))
    application.add_handler(MessageHandler(private & filters.VOICE, voice_message))
    application.add_handler(MessageHandler(private & (filters.Document.ALL | filters.PHOTO), file_message))
    application.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, not_text))
    application.add_error_handler(log_error)
    return application
