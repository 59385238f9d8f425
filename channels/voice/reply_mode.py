"""Whether a person wants the replies spoken: "svar med tale" / "answer by voice" turns it on,
"svar med tekst" / "answer by text" off, remembered per user (`users.voice_replies`).

The gateway recognises these few phrases itself, written or spoken, so the NLU needs no new
intent for them.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from ledger.models import User

_ON = re.compile(
    r"^(?:svar|snakk|prat) (?:med|i) (?:tale|stemme|lyd)|^(?:answer|reply|respond|talk) (?:by|with|in) (?:voice|speech)"
)
_OFF = re.compile(
    r"^(?:svar|skriv) (?:med|i) tekst|^slutt å svare med (?:tale|stemme|lyd)"
    r"|^(?:answer|reply|respond) (?:by|with|in) text|^stop answering (?:by|with) (?:voice|speech)"
)


def requested_reply_mode(text: str) -> bool | None:
    """True for a request to answer by voice, False for text only, None for anything else."""
    said = re.sub(r"[^\w\s]", " ", text.lower())
    said = re.sub(r"\s+", " ", said).strip()
    said = re.sub(r"^(?:kan du |vær så snill og |please |can you )", "", said)
    if _OFF.search(said):
        return False
    if _ON.search(said):
        return True
    return None


def set_voice_replies(session: Session, user_id: int, on: bool) -> None:
    user = session.get(User, user_id)
    if user is not None:
        user.voice_replies = on


def wants_voice_replies(session: Session, user_id: int) -> bool:
    user = session.get(User, user_id)
    return bool(user is not None and user.voice_replies)
