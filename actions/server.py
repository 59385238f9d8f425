"""The action server: rasa-sdk's, with every action of this package, answering only Rasa.

Rasa presents the action token (`Authorization: Bearer ...`, from the endpoints file that
`bokbot up` writes); any other caller of `/webhook` or `/actions` gets 401 and nothing runs.
`/health` stays open for the supervisor. Run it as `python -m actions.server`.
"""

from __future__ import annotations

import hmac
import logging

from rasa_sdk import endpoint
from rasa_sdk.executor import ActionExecutor
from sanic import HTTPResponse, Request, Sanic, response

from ledger.server_keys import action_token
from ledger.settings import get_settings

OPEN_PATHS = frozenset({"/health"})


def create_app(token: str) -> Sanic:
    """The action server's application, refusing calls without `token`."""
    executor = ActionExecutor()
    executor.register_package("actions")
    app = endpoint.create_app(executor, cors_origins=[])
    expected = f"Bearer {token}".encode()

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        """Refuses a call that does not carry the action token."""
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return response.json({"error": "a valid action token is required"}, status=401)
        return None

    return app


def main() -> None:
    """Serves the action server on 127.0.0.1 at the configured port."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    app = create_app(action_token(settings))
    app.run(
        host="127.0.0.1", port=settings.action_port, single_process=True, access_log=False, motd=False
    )


if __name__ == "__main__":
    main()
