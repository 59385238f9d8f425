"""Serve the gateway: `python -m channels` (started by `bokbot up`)."""

from __future__ import annotations

import logging

from aiohttp import web

from channels.access_log import SafeAccessLogger
from channels.app import create_app
from ledger.settings import get_settings


def main() -> None:
    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s gateway %(levelname)s %(message)s")
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.gateway_port,
        access_log_class=SafeAccessLogger,  # no query strings or headers: no secrets in the log
        print=None,
    )


if __name__ == "__main__":
    main()
