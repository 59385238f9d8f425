"""Talking to the Rasa servers over their REST channel (`/webhooks/rest/webhook`).

One gateway may be given several Rasa servers (`BOKBOT_RASA_URL=http://a:5005,http://b:5005`):
turns are spread over them in turn (round-robin; no stickiness is needed, since every Rasa
server reads the conversation from the shared tracker store under the shared lock store).
A server that refuses the connection has not seen the message, so the next one is tried;
one that took the message and then failed is not retried (it may have acted on it), and the
caller hears `RasaUnavailable`.

Each call logs one JSON line (logger `bokbot.trace`) with the request id the gateway made for
the turn and how long Rasa took, so that a slow turn can be followed through the processes.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

from aiohttp import ClientConnectorError, ClientError, ClientSession, ClientTimeout

trace = logging.getLogger("bokbot.trace")


class RasaUnavailable(Exception):
    """No Rasa server answered."""


class RasaServers:
    """The Rasa servers one gateway spreads its turns over, in turn."""

    def __init__(self, urls: Sequence[str]) -> None:
        cleaned = [u.strip().rstrip("/") for u in urls if u.strip()]
        if not cleaned:
            raise ValueError("at least one Rasa server address is needed")
        self.urls = tuple(cleaned)
        self._turn = itertools.count()

    @classmethod
    def parse(cls, text: str) -> RasaServers:
        """The servers in a comma-separated list of base addresses."""
        return cls(text.split(","))

    def in_order(self) -> list[str]:
        """All servers, starting with the one whose turn it is."""
        start = next(self._turn) % len(self.urls)
        return [*self.urls[start:], *self.urls[:start]]


async def send_to_rasa(
    http: ClientSession,
    servers: str | RasaServers,
    sender: str,
    text: str,
    metadata: dict[str, Any],
    *,
    request_id: str = "",
) -> list[dict[str, Any]]:
    """One user message to a Rasa server; the bot's replies as Rasa's REST channel returns them."""
    pool = servers if isinstance(servers, RasaServers) else RasaServers([servers])
    failure = "no Rasa server"
    for base_url in pool.in_order():
        started = time.monotonic()
        try:
            async with http.post(
                f"{base_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": metadata},
                timeout=ClientTimeout(total=120),
            ) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered {response.status}")
                body = await response.json()
        except ClientConnectorError as exc:
            failure = str(exc)
            continue  # never reached this server: the next one may take the message
        except (ClientError, TimeoutError) as exc:
            raise RasaUnavailable(str(exc)) from exc
        finally:
            if trace.isEnabledFor(logging.INFO):
                trace.info(json.dumps({
                    "request_id": request_id, "stage": "rasa", "server": base_url,
                    "ms": round((time.monotonic() - started) * 1000, 1),
                }))
        return body if isinstance(body, list) else []
    raise RasaUnavailable(failure)
