"""A fake Telegram Bot API server for the tests: python-telegram-bot talks to it for real
(through `base_url`), it serves the updates a test queues to `getUpdates`, and it records
every call the bot makes so tests can assert on them.

Like Telegram, it answers each method with `{"ok": true, "result": ...}`. A queued update is
served once, whatever offset the bot asks for, so queueing the same update twice is exactly
Telegram delivering it twice. Files a test `store()`s (a person's voice note) are handed out by
`getFile` and downloaded under `base_file_url`, as from Telegram's file server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456789:TEST-token-for-the-fake-bot-api"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Bokbot", "username": "bokbot_test_bot"}


@dataclass(frozen=True)
class Call:
    """One Bot API call the bot made.

    Attributes:
      method: the Bot API method ("sendMessage").
      params: its parameters, JSON values decoded ("reply_markup" is a dict).
      files: uploaded files by field name, as (file name, bytes).
    """

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


def _decoded(value: str) -> Any:
    if value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeTelegram:
    """The fake Bot API on 127.0.0.1 (a free port); `start()` it, `queue()` updates, read `calls`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.pending: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self.downloads: list[str] = []
        self._arrived = asyncio.Event()
        self._next_message_id = 1000
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def queue(self, update: dict[str, Any]) -> None:
        """Delivers `update` to the bot at its next getUpdates."""
        self.pending.append(update)
        self._arrived.set()

    def store(self, file_id: str, body: bytes) -> None:
        """Keeps a file (a person's voice note) for `getFile` and download."""
        self.files[file_id] = body

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 15.0) -> list[Call]:
        """The calls of `method` once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        while len(self.of(method)) < count:
            if time.monotonic() > deadline:
                made = [c.method for c in self.calls]
                raise AssertionError(f"expected {count} {method} call(s); the bot made {made}")
            await asyncio.sleep(0.02)
        return self.of(method)

    async def settle(self, quiet: float = 0.5) -> None:
        """Waits until the bot has made no call for `quiet` seconds (polling aside)."""
        while True:
            before = len([c for c in self.calls if c.method != "getUpdates"])
            await asyncio.sleep(quiet)
            if len([c for c in self.calls if c.method != "getUpdates"]) == before:
                return

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes]] = {}
        if request.content_type == "application/json":
            body = await request.json()
            return (body if isinstance(body, dict) else {}), files
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = (value.filename, value.file.read())
            else:
                params[name] = _decoded(str(value))
        return params, files

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        self._next_message_id += 1
        chat_id = int(params.get("chat_id", 0))
        message = {
            "message_id": self._next_message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message | extra

    async def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if not self.pending:
            self._arrived.clear()
            wait = min(float(params.get("timeout", 0) or 0), 0.5)
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), wait)
        served, self.pending = self.pending, []
        return served

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params, files = await self._params(request)
        self.calls.append(Call(method, params, files))
        result: Any
        if method == "getMe":
            result = BOT_USER
        elif method == "getUpdates":
            result = await self._updates(params)
        elif method == "sendMessage":
            result = self._message(params, text=params.get("text", ""))
        elif method == "sendDocument":
            result = self._message(params, caption=params.get("caption") or "")
        elif method == "sendPhoto":
            result = self._message(params)
        elif method == "sendVoice":
            size = len(files["voice"][1]) if "voice" in files else 0
            result = self._message(params, voice={"file_id": f"sent-{size}", "file_unique_id": f"u{size}",
                                                  "duration": 1, "file_size": size})
        elif method == "getFile":
            file_id = str(params.get("file_id", ""))
            if file_id not in self.files:
                return web.json_response(
                    {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}, status=400
                )
            result = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(self.files[file_id]),
                      "file_path": f"voice/{file_id}.oga"}
        elif method == "getWebhookInfo":
            result = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        elif method in (
            "sendChatAction",
            "answerCallbackQuery",
            "editMessageReplyMarkup",
            "setWebhook",
            "deleteWebhook",
            "setMyCommands",
            "close",
            "logOut",
        ):
            result = True
        else:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.Response(status=401)
        path = request.match_info["path"]
        self.downloads.append(path)
        file_id = path.removeprefix("voice/").removesuffix(".oga")
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id], content_type="audio/ogg")


# Updates as Telegram sends them.

_update_ids = iter(range(500_000, 10_000_000))


def person(telegram_id: int, language_code: str = "nb") -> dict[str, Any]:
    return {"id": telegram_id, "is_bot": False, "first_name": "Kari", "language_code": language_code}


def text_update(telegram_id: int, text: str, *, update_id: int | None = None, language_code: str = "nb",
                chat_type: str = "private") -> dict[str, Any]:
    """A person writing `text` (a leading "/command" is marked as a command, as Telegram does)."""
    message: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": {"id": telegram_id if chat_type == "private" else -telegram_id, "type": chat_type},
        "from": person(telegram_id, language_code),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id if update_id is not None else next(_update_ids), "message": message}


def voice_update(telegram_id: int, file_id: str, *, seconds: int, size: int, update_id: int | None = None,
                 language_code: str = "nb") -> dict[str, Any]:
    """A person sending a voice note (Telegram's OGG Opus), kept by the fake under `file_id`."""
    message: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": {"id": telegram_id, "type": "private"},
        "from": person(telegram_id, language_code),
        "voice": {"file_id": file_id, "file_unique_id": f"u-{file_id}", "duration": seconds,
                  "mime_type": "audio/ogg", "file_size": size},
    }
    return {"update_id": update_id if update_id is not None else next(_update_ids), "message": message}


def button_update(telegram_id: int, data: str, *, on_message: dict[str, Any],
                  callback_id: str | None = None) -> dict[str, Any]:
    """A person pressing the button carrying `data` under the bot's message `on_message`."""
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": callback_id or f"cb{next(_update_ids)}",
            "from": person(telegram_id),
            "chat_instance": "chat-instance-1",
            "data": data,
            "message": {
                "message_id": on_message["message_id"],
                "date": int(time.time()),
                "chat": {"id": telegram_id, "type": "private"},
                "from": BOT_USER,
                "text": on_message.get("text", ""),
                "reply_markup": on_message.get("reply_markup"),
            },
        },
    }


def document_update(telegram_id: int, file_id: str, *, file_name: str, size: int, caption: str = "",
                    mime_type: str = "application/octet-stream", update_id: int | None = None) -> dict[str, Any]:
    """A person sending a file as a document (a bank statement, a PDF receipt), kept by the fake
    under `file_id`."""
    message: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": {"id": telegram_id, "type": "private"},
        "from": person(telegram_id),
        "document": {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": file_name,
                     "mime_type": mime_type, "file_size": size},
    }
    if caption:
        message["caption"] = caption
    return {"update_id": update_id if update_id is not None else next(_update_ids), "message": message}


def photo_update(telegram_id: int, file_ids: list[str], *, size: int, caption: str = "",
                 update_id: int | None = None) -> dict[str, Any]:
    """A person sending a photo: Telegram offers it in several sizes, the largest last."""
    message: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": {"id": telegram_id, "type": "private"},
        "from": person(telegram_id),
        "photo": [
            {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 90 * (n + 1), "height": 160 * (n + 1),
             "file_size": size}
            for n, file_id in enumerate(file_ids)
        ],
    }
    if caption:
        message["caption"] = caption
    return {"update_id": update_id if update_id is not None else next(_update_ids), "message": message}
