"""The installation's own secrets: the server secret that signs who is asking, the Rasa
server's API token and the action server's token.

Each is read from its setting when one is given (`BOKBOT_SECRET`, `BOKBOT_RASA_TOKEN`: what
several machines share) and otherwise made on first use into a file in `var/` that only its
owner may read (`var/server-secret`, `var/rasa-token`), so that the three processes of one
installation agree without any configuration. The action server's token is derived from the
server secret, so it needs no file of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from ledger.settings import Settings

SECRET_FILE = "server-secret"
RASA_TOKEN_FILE = "rasa-token"


@lru_cache(maxsize=16)
def _kept_secret(path: Path) -> str:
    """The secret in `path`, made (mode 600, atomically: two processes starting at once agree)
    when there is none yet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32))
    for _ in range(50):
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
        os.sched_yield()  # another process made the file and is writing it
    raise RuntimeError(f"{path} is empty: remove it and start again")


def server_secret(settings: Settings) -> bytes:
    """The key that signs identities, link codes and download grants."""
    return (settings.secret or _kept_secret(settings.var_dir / SECRET_FILE)).encode("utf-8")


def rasa_token(settings: Settings) -> str:
    """The token of the Rasa server's HTTP API (`rasa run --auth-token`)."""
    return settings.rasa_token or _kept_secret(settings.var_dir / RASA_TOKEN_FILE)


def derived_key(settings: Settings, purpose: str) -> str:
    """A key for one purpose, derived from the server secret (hex)."""
    return hmac.new(server_secret(settings), purpose.encode("utf-8"), hashlib.sha256).hexdigest()


def action_token(settings: Settings) -> str:
    """The token Rasa presents to the action server (`Authorization: Bearer ...`)."""
    return derived_key(settings, "action-server")
