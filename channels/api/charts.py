"""`GET /charts/<name>.png`: the chart pictures the assistant's replies point to.

The action server writes each chart under `<var>/charts/` with a name of 32 random hex digits
and replies with this path; the web chat shows it in an `<img>` (which cannot send a token)
and Telegram fetches it through the gateway. So the unguessable name is the key, and the
route serves nothing but such names from that one folder: no other characters, no folders,
no listing, nothing cached by the browser or anyone in between.

The reply goes out before its chart is painted (see `actions/charts.py`): while the marker
`<name>.png.painting` is beside the chart's name, the route waits for the picture (a few
tenths of a second; at most `PAINTING_WAIT_SECONDS`).
"""

from __future__ import annotations

import asyncio
import re
import time

from aiohttp import web

from channels.state import SETTINGS

routes = web.RouteTableDef()

CHART_NAME = re.compile(r"[0-9a-f]{32}\.png")
PAINTING = ".painting"  # the marker's suffix, as `actions/charts.py` writes it
PAINTING_WAIT_SECONDS = 15.0
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
    marker = path.with_name(name + PAINTING)
    deadline = time.monotonic() + PAINTING_WAIT_SECONDS
    while not path.is_file() and marker.exists() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    if not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers=HEADERS)
