"""The web chat: a plain HTML/CSS/JS page at `/` talking to the assistant over a websocket.

`setup(app, settings)` adds its routes to the gateway:

  GET /               the page (static/index.html)
  GET /static/<name>  its script, styles, language catalogues (static/lang/{nb,en}.json), icon
  GET /ws             the websocket (chat_socket.py: sign-in, then chat turns)

People sign in with a token in the address fragment (`/#token=TOKEN`, which browsers never
send to a server) or with a link code typed into the page; the page keeps the token in
sessionStorage and downloads files (invoice PDFs) from the REST API with it.
"""

from __future__ import annotations

from aiohttp import web

from channels.webchat.chat_socket import chat_socket
from channels.webchat.static_files import PREFIX, StaticFiles, collect
from ledger.settings import Settings


def setup(app: web.Application, settings: Settings) -> None:
    """Adds the page, its files and the websocket to the gateway."""
    files = StaticFiles(collect())
    app.router.add_get("/", files.page)
    app.router.add_get(PREFIX + "{name:.+}", files.static)
    app.router.add_get("/ws", chat_socket)
