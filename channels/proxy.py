"""The address a request came from when the gateway stands behind reverse proxies.

Behind a proxy every request comes from the proxy's address, so the sign-in throttle would
count all the world as one source (and refuse everyone after five wrong codes). When the
direct peer is one of `BOKBOT_TRUSTED_PROXIES`, the address the proxy appended to
`X-Forwarded-For` (its last entry) is taken instead; from anyone else the header is ignored,
since a client can write whatever it likes into it.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from channels.state import SETTINGS


def forwarded_client(remote: str | None, forwarded_for: str, trusted: list[str]) -> str | None:
    """The client's address: the proxy's last `X-Forwarded-For` entry when `remote` is a
    trusted proxy, else `remote` itself."""
    if remote is None or remote not in trusted:
        return remote
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    return hops[-1][:64] if hops else remote


@web.middleware
async def client_address(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Sets `request.remote` to the client's address behind trusted proxies."""
    trusted = request.app[SETTINGS].trusted_proxies
    if trusted:
        client = forwarded_client(request.remote, request.headers.get("X-Forwarded-For", ""), trusted)
        if client is not None and client != request.remote:
            request = request.clone(remote=client)
    return await handler(request)
