"""Which web pages may open the chat's websocket: the gateway's own origin as configured (its
`BOKBOT_PUBLIC_URL`, or the address it listens on, with `localhost` and `127.0.0.1` both
standing for a loopback address) and those in `BOKBOT_ALLOWED_ORIGINS`. Never the `Host`
header: a page on another name that resolves to this machine (DNS rebinding) sends a Host of
its own choosing.

Browsers always send `Origin` with a websocket handshake and scripts cannot forge it, so
this stops another site's page from talking to the gateway in a visitor's browser. A
handshake without `Origin` (not a browser) is refused too: such clients have the REST API.
"""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from ledger.settings import Settings

Origin = tuple[str, str, int | None]


def origin_of(address: str) -> Origin | None:
    """(scheme, host, port) of an address, default ports made explicit; None if it has none."""
    try:
        url = URL(address.strip())
    except (ValueError, TypeError):
        return None
    if not url.is_absolute() or url.scheme not in ("http", "https") or not url.host:
        return None
    return url.scheme, url.host.lower(), url.port


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def allowed_origins(settings: Settings) -> set[Origin]:
    """The origins the gateway's own page is served from, by configuration alone."""
    addresses = [settings.web_url, *settings.allowed_origins]
    if not settings.public_url and settings.host in ("127.0.0.1", "localhost", "::1"):
        addresses += [f"http://{name}:{settings.gateway_port}/" for name in LOOPBACK_NAMES]
    return {o for o in map(origin_of, addresses) if o is not None}


def origin_allowed(request: web.Request, settings: Settings) -> bool:
    """True when the request comes from a page this gateway serves (or trusts)."""
    origin = origin_of(request.headers.get("Origin", ""))
    return origin is not None and origin in allowed_origins(settings)
