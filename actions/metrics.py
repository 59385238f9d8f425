"""The action server's metrics in Prometheus' text format (`GET /metrics`).

- `bokbot_action_seconds{action}`: how long each action call took here (the books included).
- `bokbot_action_errors_total{action}`: action calls that failed with a server error (an
  exception in the action); a form's validation refusing a value is no error.

The action is labelled by its name when it is one of the registered actions, else "unknown",
so that a caller cannot grow the label set. Who may read the metrics is
`ledger.metrics_access`'s rule (loopback, or `BOKBOT_METRICS_TOKEN`); the action token is not
asked for, so that one Prometheus configuration reads the gateway and the action server alike.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from sanic import HTTPResponse, Request, Sanic, response

from ledger.metrics_access import may_read_metrics
from ledger.settings import get_settings

METRICS_PATH = "/metrics"
REGISTRY = CollectorRegistry()

ACTION_SECONDS = Histogram(
    "bokbot_action_seconds",
    "Seconds an action call took on the action server.",
    ["action"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
ACTION_ERRORS = Counter(
    "bokbot_action_errors", "Action calls that failed with a server error.", ["action"], registry=REGISTRY
)


def _action_of(request: Request, known: Collection[str]) -> str:
    try:
        body: Any = request.json
    except Exception:  # a malformed body names no action
        return "unknown"
    name = body.get("next_action") if isinstance(body, dict) else None
    return name if isinstance(name, str) and name in known else "unknown"


def instrument(app: Sanic, actions: Collection[str]) -> None:
    """Times and counts every action call on `app`, and mounts `/metrics`."""
    known = frozenset(actions)

    @app.on_request
    async def start_clock(request: Request) -> None:
        request.ctx.metrics_started = time.monotonic()

    @app.on_response
    async def observe(request: Request, answer: HTTPResponse) -> None:
        """Records one action call's time, and its failure."""
        started = getattr(request.ctx, "metrics_started", None)
        if request.path != "/webhook" or started is None or answer.status == 401:
            return
        action = _action_of(request, known)
        ACTION_SECONDS.labels(action).observe(time.monotonic() - started)
        if answer.status >= 500:
            ACTION_ERRORS.labels(action).inc()

    async def metrics(request: Request) -> HTTPResponse:
        """The metrics, for loopback or the metrics token (see `ledger.metrics_access`)."""
        relayed = "x-forwarded-for" in request.headers or "forwarded" in request.headers
        allowed = may_read_metrics(
            request.conn_info.client_ip if request.conn_info else None,
            request.headers.get("authorization", ""),
            get_settings().metrics_token,
            forwarded=relayed,
        )
        if not allowed:
            return response.json({"error": "metrics are read from this machine or with the metrics token"}, status=403)
        return response.raw(generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.add_route(metrics, METRICS_PATH, methods=["GET"], name="bokbot_metrics")
