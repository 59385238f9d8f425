"""Who is asking, signed: the gateway vouches for each chat message's person, and the action
server believes no one else.

The gateway authenticates people (API token, Telegram account, web chat sign-in), then puts
their user, company, role, channel and message id into the message's metadata with an
HMAC-SHA256 over those fields, the message's text, the Rasa conversation it belongs to and
when it was signed, keyed with the server secret. The action server verifies it before it
reads or writes anything: forged or copied metadata, another conversation, other text or an
old signature are refused, so a process that can reach Rasa's REST webhook still cannot act
as anyone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

SIGNATURE = "signature"
SIGNED_AT = "signed_at"
MAX_AGE = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Identity:
    """A person as the gateway established them for one message.

    Attributes:
      user_id, company_id, role: who, for which company, in which role.
      channel: "web", "telegram", "api", "cli" or "voice".
      message_id: the channel's id of the message ("" if it had none).
    """

    user_id: int
    company_id: int
    role: str
    channel: str
    message_id: str


def conversation_of(user_id: int) -> str:
    """The Rasa conversation (sender id) of a person: one per user."""
    return f"user-{user_id}"


def _mac(secret: bytes, who: Identity, text: str, conversation: str, signed_at: int) -> str:
    fields = [
        str(who.user_id), str(who.company_id), who.role, who.channel, who.message_id,
        hashlib.sha256(text.encode("utf-8")).hexdigest(), conversation, str(signed_at),
    ]
    return hmac.new(secret, "\x1f".join(fields).encode("utf-8"), hashlib.sha256).hexdigest()


def sign(secret: bytes, who: Identity, text: str, at: dt.datetime) -> dict[str, Any]:
    """The metadata for one message of `who` saying `text`, signed at `at`."""
    signed_at = int(at.timestamp())
    return {
        "user_id": who.user_id,
        "company_id": who.company_id,
        "role": who.role,
        "channel": who.channel,
        "message_id": who.message_id,
        SIGNED_AT: signed_at,
        SIGNATURE: _mac(secret, who, text, conversation_of(who.user_id), signed_at),
    }


def verified(
    secret: bytes, metadata: dict[str, Any], *, text: str, conversation: str, now: dt.datetime
) -> Identity | None:
    """The identity in `metadata` if its signature holds for this text and conversation and is
    fresh; None otherwise (unsigned, forged, altered, replayed elsewhere or too old)."""
    try:
        who = Identity(
            user_id=int(metadata["user_id"]),
            company_id=int(metadata["company_id"]),
            role=str(metadata["role"]),
            channel=str(metadata["channel"]),
            message_id=str(metadata.get("message_id") or ""),
        )
        signed_at = int(metadata[SIGNED_AT])
        signature = str(metadata[SIGNATURE])
    except (KeyError, TypeError, ValueError):
        return None
    age = now.timestamp() - signed_at
    if not -60 <= age <= MAX_AGE.total_seconds():
        return None
    expected = _mac(secret, who, text, conversation, signed_at)
    return who if hmac.compare_digest(expected, signature) else None
