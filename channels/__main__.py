"""Serve the gateway: `python -m channels` (started by `bokbot up`)."""

from __future__ import annotations

import logging

from aiohttp import web

from channels.app import create_app
from ledger.settings import get_settings

# Never log query strings or headers: tokens must not reach the logs.
ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tf'


def main() -> None:
    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s gateway %(levelname)s %(message)s")
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.gateway_port,
        access_log_format=ACCESS_LOG_FORMAT,
        print=None,
    )


if __name__ == "__main__":
    main()
