"""The gateway's access log, written so that no secret can reach it.

aiohttp's default format (`%r`) logs the request line with its query string, and headers on
request. This logger writes the client, method, path without the query, status, size and
duration only: tokens travel in `Authorization` headers, websocket messages and address
fragments, never in a path. Serve the gateway with
`web.run_app(app, access_log_class=SafeAccessLogger)` (or `AppRunner(..., access_log_class=...)`).
"""

from __future__ import annotations

import logging

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse


class SafeAccessLogger(AbstractAccessLogger):
    """One line per request: `127.0.0.1 "GET /api/v1/me" 200 312 0.004s`."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %s %.3fs',
            request.remote or "-",
            request.method,
            request.rel_url.raw_path,  # still percent-encoded: no line breaks in the log
            response.status,
            response.body_length,
            time,
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
