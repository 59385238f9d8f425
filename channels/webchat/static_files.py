"""The web chat's page and its static files, served safely.

Only the files present in `static/` when the gateway starts are served, looked up by exact
name (so no path can climb out of the folder and no folder is ever listed), with a content
type fixed by suffix and headers that keep the page to itself: a strict
Content-Security-Policy (scripts, styles and connections from this origin only, no inline
code, no framing), no sniffing, no referrer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).resolve().parent / "static"
PREFIX = "/static/"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "media-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), geolocation=(), payment=(), microphone=(self)",
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class StaticFile:
    """One file the page may load.

    Attributes:
      body: its bytes, read once at start.
      content_type: fixed by its suffix.
      etag: a strong validator of its content, for conditional requests.
    """

    body: bytes
    content_type: str
    etag: str


def collect(folder: Path = STATIC) -> dict[str, StaticFile]:
    """The servable files under `folder` by their relative name ("lang/nb.json"): regular
    files with a known suffix, no hidden files, no symbolic links."""
    files: dict[str, StaticFile] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_symlink() or not path.is_file() or any(p.startswith(".") for p in relative.parts):
            continue
        content_type = CONTENT_TYPES.get(path.suffix.lower())
        if content_type is None:
            continue
        body = path.read_bytes()
        files[relative.as_posix()] = StaticFile(body, content_type, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
    return files


class StaticFiles:
    """Serves `/` (the page) and `/static/<name>` from the collected files."""

    def __init__(self, files: dict[str, StaticFile]) -> None:
        self.files = files

    def _response(self, request: web.Request, name: str) -> web.Response:
        found = self.files.get(name)
        if found is None:
            raise web.HTTPNotFound()
        headers = SECURITY_HEADERS | {"ETag": found.etag}
        if request.headers.get("If-None-Match") == found.etag:
            return web.Response(status=304, headers=headers)
        response = web.Response(body=found.body, headers=headers)
        response.content_type = found.content_type.split(";")[0]
        if "charset=" in found.content_type:
            response.charset = found.content_type.split("charset=")[1]
        return response

    async def page(self, request: web.Request) -> web.Response:
        """The web chat page."""
        return self._response(request, "index.html")

    async def static(self, request: web.Request) -> web.Response:
        """One of the page's files, by exact name."""
        return self._response(request, request.match_info["name"])
