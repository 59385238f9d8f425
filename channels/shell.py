"""`bokbot shell`: chatting with the assistant in a terminal.

It talks to a running gateway's REST chat API (`POST /api/v1/chat`) with an API token, like
any other client, so it goes the same way as the web chat and Telegram. Replies are printed
with their buttons numbered; typing a number presses that button. Ctrl-D ends the chat.

    $ bokbot shell --token bok_...
    Logget inn som Kari Nordmann (Fjordlys AS). ...
    > fakturer Fjord Bygg for 2 timer
    Fakturere Fjord Bygg for 2 timer, 2 500,00 kr?
      [1] Ja
      [2] Nei
    > 1
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import urljoin

from channels.conversation import BotMessage, Button
from channels.texts import language_of, render

PROMPT = "> "


class Unreachable(Exception):
    """The gateway did not answer at all."""


@dataclass(frozen=True)
class GatewayAnswer:
    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class ChatClient:
    """The REST chat API of one gateway, as one user (by their token)."""

    gateway_url: str
    token: str
    timeout: float = 150.0

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> GatewayAnswer:
        request = urllib.request.Request(
            urljoin(self.gateway_url, path),
            data=json.dumps(body).encode("utf-8") if body is not None else None,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return GatewayAnswer(response.status, json.loads(response.read() or b"{}"))
        except urllib.error.HTTPError as exc:
            try:
                parsed = json.loads(exc.read() or b"{}")
            except ValueError:
                parsed = {}
            return GatewayAnswer(exc.code, parsed if isinstance(parsed, dict) else {})
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise Unreachable(str(exc)) from exc

    def me(self) -> GatewayAnswer:
        return self.call("GET", "/api/v1/me")

    def chat(self, text: str, company_id: int | None) -> GatewayAnswer:
        body: dict[str, Any] = {"text": text, "message_id": f"cli-{uuid.uuid4()}", "channel": "cli"}
        if company_id is not None:
            body["company_id"] = company_id
        return self.call("POST", "/api/v1/chat", body)


def printed(message: BotMessage, first_number: int, gateway_url: str, language: str) -> str:
    """One reply as the terminal shows it, its buttons numbered from `first_number`."""
    numbered = list(enumerate(message.buttons, start=first_number))
    return render(
        language,
        "shell/message.j2",
        message=message,
        image=urljoin(gateway_url, message.image) if message.image else "",
        attachment=urljoin(gateway_url, message.attachment) if message.attachment else "",
        buttons=numbered,
    )


def chosen(line: str, buttons: list[Button]) -> str:
    """What to send for a typed line: a listed button's payload for its number, else the line."""
    if line.isdigit() and 1 <= int(line) <= len(buttons):
        return buttons[int(line) - 1].payload
    return line


def _company_name(me: dict[str, Any], company_id: int | None) -> str:
    wanted = company_id if company_id is not None else me.get("active_company_id")
    for company in me.get("companies", []):
        if company.get("id") == wanted:
            return str(company.get("name", ""))
    return ""


def _read_line(given: TextIO, out: TextIO) -> str | None:
    """The next line typed, None at end of input; a terminal gets line editing and history."""
    if given is sys.stdin and out is sys.stdout and given.isatty():
        import readline  # noqa: F401 - imported for its effect on input()

        try:
            return input(PROMPT)
        except EOFError:
            return None
    out.write(PROMPT)
    out.flush()
    line = given.readline()
    return line if line else None


def run_shell(
    gateway_url: str,
    token: str,
    *,
    company_id: int | None = None,
    language: str = "nb",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Chats in the terminal until end of input; 0 then, 1 for a refused token, 2 if the
    gateway cannot be reached."""
    given, out = stdin or sys.stdin, stdout or sys.stdout
    base = gateway_url if gateway_url.endswith("/") else gateway_url + "/"
    client = ChatClient(base, token)

    def say(text: str) -> None:
        out.write(text + "\n")
        out.flush()

    try:
        me = client.me()
    except Unreachable:
        say(render(language, "shell/unreachable.j2", url=base))
        return 2
    if me.status != 200:
        say(render(language, "shell/unauthorized.j2", url=base))
        return 1
    language = language_of(str(me.body.get("language") or language))
    company = _company_name(me.body, company_id)
    say(render(language, "shell/signed_in.j2", name=me.body.get("name", ""), company=company))

    buttons: list[Button] = []
    while True:
        line = _read_line(given, out)
        if line is None:
            out.write("\n")
            return 0
        text = chosen(line.strip(), buttons)
        if not text:
            continue
        try:
            answer = client.chat(text, company_id)
        except Unreachable:
            say(render(language, "shell/unreachable.j2", url=base))
            continue
        if answer.status == 503:
            say(render(language, "shell/unavailable.j2"))
            continue
        if answer.status != 200:
            error = answer.body.get("error", {})
            say(render(language, "shell/refused.j2", message=error.get("message", answer.status)))
            continue
        buttons = []
        for raw in answer.body.get("messages", []):
            message = BotMessage.from_json(raw)
            say(printed(message, len(buttons) + 1, base, language))
            buttons.extend(message.buttons)
