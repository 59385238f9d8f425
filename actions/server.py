"""The action server: rasa-sdk's, with every action of this package, answering only Rasa.

Rasa presents the action token (`Authorization: Bearer ...`, from the endpoints file that
`bokbot up` writes); any other caller of `/webhook` or `/actions` gets 401 and nothing runs.
`/health` stays open for the supervisor. Run it as `python -m actions.server`.

The actions read and write the books with blocking database calls; each runs in a thread of
its own, so that one person's action waiting for the database (a SQLite write lock, a
PostgreSQL row lock on an invoice number) does not hold up everyone else's.

Each action call logs one JSON line (logger `bokbot.trace`): the request id the gateway gave
the turn (in the message's metadata), the action and how long it took here.
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import inspect
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import endpoint
from rasa_sdk.executor import ActionExecutor
from sanic import HTTPResponse, Request, Sanic, response

from actions.charts import start_painter
from actions.metrics import METRICS_PATH, instrument
from ledger.server_keys import action_token
from ledger.settings import get_settings

# /metrics checks its own readers (actions.metrics): loopback or the metrics token.
OPEN_PATHS = frozenset({"/health", METRICS_PATH})
trace = logging.getLogger("bokbot.trace")


def _request_id(body: Any) -> str:
    """The gateway's request id in an action call's tracker ("" if there is none)."""
    try:
        return str(body["tracker"]["latest_message"]["metadata"].get("request_id", ""))[:32]
    except (KeyError, TypeError, AttributeError):
        return ""


def _in_a_thread(run: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """`run` in a worker thread; a coroutine one (a form's validation, whose validators read
    the books too) on an event loop of that thread's own."""
    if inspect.iscoroutinefunction(run):
        async def threaded_coroutine(*args: Any) -> Any:
            return await asyncio.to_thread(asyncio.run, run(*args))

        return threaded_coroutine

    async def threaded(*args: Any) -> Any:
        return await asyncio.to_thread(run, *args)

    return threaded


def create_app(token: str) -> Sanic:
    """The action server's application, refusing calls without `token`."""
    executor = ActionExecutor()
    executor.register_package("actions")
    for name, run in list(executor.actions.items()):
        executor.actions[name] = _in_a_thread(run)
    app = endpoint.create_app(executor, cors_origins=[])
    instrument(app, list(executor.actions))
    expected = f"Bearer {token}".encode()

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        """Refuses a call that does not carry the action token."""
        request.ctx.started = time.monotonic()
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return response.json({"error": "a valid action token is required"}, status=401)
        return None

    @app.on_response
    async def log_time(request: Request, response: HTTPResponse) -> None:
        """One trace line per action call."""
        if request.path != "/webhook" or not trace.isEnabledFor(logging.INFO):
            return
        try:
            body = request.json if response.status != 401 else None
        except Exception:  # a malformed body was refused already; it names no turn
            body = None
        body = body if isinstance(body, dict) else {}
        trace.info(json.dumps({
            "request_id": _request_id(body), "stage": "actions",
            "action": str(body.get("next_action", ""))[:60], "status": response.status,
            "ms": round((time.monotonic() - request.ctx.started) * 1000, 1),
        }))

    return app


def main() -> None:
    """Serves the action server on 127.0.0.1 at the configured port."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    app = create_app(action_token(settings))
    start_painter()
    # Everything loaded so far (the ledger, Jinja2's templates, Babel's data) lives
    # as long as the process: kept out of Python's full garbage collections, which otherwise
    # walk it all with every action waiting (hundreds of milliseconds under load).
    gc.collect()
    gc.freeze()
    app.run(
        host="127.0.0.1", port=settings.action_port, single_process=True, access_log=False, motd=False
    )


if __name__ == "__main__":
    main()
