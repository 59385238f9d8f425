"""Download grants: how the gateway fetches a file from its own REST API on a person's behalf
(Telegram sending an invoice PDF or a chart) without ever holding that person's token.

A grant is a bearer credential for one GET of one path by one user, valid for a minute:
`grant.<user id>.<expiry>.<signature>`. The signature is an HMAC keyed by the server secret
together with the user's stored token hash: every gateway replica can check a grant, a grant
dies when the user's token is replaced, and someone who saw the database alone cannot forge
one. The
REST API then applies the user's own role checks, exactly as for their token.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from sqlalchemy.orm import Session

from ledger import clock
from ledger.models import User
from ledger.server_keys import server_secret
from ledger.settings import get_settings

PREFIX = "grant."
DEFAULT_TTL = dt.timedelta(seconds=60)


def _signature(token_hash: str, user_id: int, expires: int, path: str) -> str:
    key = hmac.new(server_secret(get_settings()), token_hash.encode("ascii"), hashlib.sha256).digest()
    message = f"download-grant\n{user_id}\n{expires}\n{path}".encode("utf-8", "surrogatepass")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def is_grant(credential: str) -> bool:
    return credential.startswith(PREFIX)


def issue_grant(
    session: Session, user_id: int, path: str, *, ttl: dt.timedelta = DEFAULT_TTL, now: dt.datetime | None = None
) -> str:
    """A grant for `user_id` to GET `path` (a gateway path such as "/api/v1/.../10001.pdf")."""
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    expires = int(((now or clock.now()) + ttl).timestamp())
    return f"{PREFIX}{user_id}.{expires}.{_signature(user.token_hash, user_id, expires, path)}"


def user_for_grant(session: Session, credential: str, path: str, *, now: dt.datetime | None = None) -> int | None:
    """The user a grant speaks for, if it is genuine, unexpired and for this very path."""
    if not is_grant(credential):
        return None
    try:
        user_text, expires_text, signature = credential[len(PREFIX) :].split(".")
        user_id, expires = int(user_text), int(expires_text)
    except ValueError:
        return None
    if not 0 < user_id < 2**31:
        return None
    if expires < (now or clock.now()).timestamp():
        return None
    user = session.get(User, user_id)
    if user is None:
        return None
    expected = _signature(user.token_hash, user_id, expires, path)
    return user_id if hmac.compare_digest(expected, signature) else None
