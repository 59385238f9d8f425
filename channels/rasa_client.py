"""Talking to the Rasa server over its REST channel (`/webhooks/rest/webhook`)."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout


class RasaUnavailable(Exception):
    """The Rasa server did not answer."""


async def send_to_rasa(
    http: ClientSession, base_url: str, sender: str, text: str, metadata: dict[str, Any]
) -> list[dict[str, Any]]:
    """One user message to Rasa; the bot's replies as Rasa's REST channel returns them."""
    try:
        async with http.post(
            f"{base_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": metadata},
            timeout=ClientTimeout(total=120),
        ) as response:
            if response.status != 200:
                raise RasaUnavailable(f"Rasa answered {response.status}")
            body = await response.json()
    except (ClientError, TimeoutError) as exc:
        raise RasaUnavailable(str(exc)) from exc
    return body if isinstance(body, list) else []
