"""Chat turns for the end-to-end dialogue tests: one message through `POST /api/v1/chat` with
a fresh message id, what came back, and the books read back through the REST API.

Every test starts from a clean slate with `fresh(stack, token)` ("avbryt"): the stack is
shared by the whole session and the assistant remembers each person's conversation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from tests.e2e.conftest import RunningStack


@dataclass(frozen=True)
class Reply:
    """The assistant's messages for one turn."""

    messages: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m.get("text")]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def payloads(self) -> list[str]:
        return [b["payload"] for m in self.messages for b in m.get("buttons") or []]

    @property
    def images(self) -> list[str]:
        return [m["image"] for m in self.messages if m.get("image")]


def turn(stack: RunningStack, text: str, token: str | None = None) -> Reply:
    """Says `text` as the token's user (the owner by default) with a new message id."""
    response = stack.chat(text, token=token, message_id=f"e2e-{uuid.uuid4().hex}")
    assert response.status_code == 200, response.text
    return Reply(response.json()["messages"])


def fresh(stack: RunningStack, token: str | None = None) -> None:
    """Leaves whatever question a previous test left open."""
    turn(stack, "avbryt", token)


def api(stack: RunningStack, path: str, token: str | None = None, **params: Any) -> Any:
    """A REST read of the demo company (`path` after `/api/v1/companies/{cid}/`)."""
    response = stack.get(f"/api/v1/companies/{stack.company_id}/{path}", token=token, **params)
    assert response.status_code == 200, response.text
    return response.json()


def journal_entries(stack: RunningStack, **params: Any) -> list[dict[str, Any]]:
    return list(api(stack, "journal", **params)["entries"])
