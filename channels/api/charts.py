"""`GET /charts/<name>.png`: the chart pictures the assistant's replies point to.

The action server writes each chart under `<var>/charts/` with a name of 32 random hex digits
and replies with this path; the web chat shows it in an `<img>` (which cannot send a token)
and Telegram fetches it through the gateway. So the unguessable name is the key, and the
route serves nothing but such names from that one folder: no other characters, no folders,
no listing, nothing cached by the browser or anyone in between.
"""

from __future__ import annotations

import re

from aiohttp import web

from channels.state import SETTINGS

routes = web.RouteTableDef()

CHART_NAME = re.compile(r"[0-9a-f]{32}\.png")
HEADERS = {
    "Content-Type": "image/png",
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@routes.get("/charts/{name}")
async def chart(request: web.Request) -> web.StreamResponse:
    """Sends one chart, or 404 for any name that is not a chart's or no longer there."""
    name = request.match_info["name"]
    if not CHART_NAME.fullmatch(name):
        raise web.HTTPNotFound()
    path = request.app[SETTINGS].var_dir / "charts" / name
    if not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers=HEADERS)
