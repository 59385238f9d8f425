"""The gateway's metrics in Prometheus' text format (`GET /metrics`).

What is measured here:

- `bokbot_chat_turns_total{channel, outcome}`: chat turns by channel ("web", "telegram",
  "api", "voice", ...) and how they ended: "answered", "repeated" (a message id seen before),
  "busy" (the sender's limits), "conflict" (a message id reused with other text),
  "in_progress", "unavailable" (Rasa did not answer), "unanswered" (Rasa said nothing: an
  action failed, the action server being down), "error" or "cancelled".
- `bokbot_chat_turn_seconds{channel}`: how long a turn took, Rasa and the actions included.
- `bokbot_gateway_errors_total{kind}`: "rasa_unavailable", "unanswered", "turn" (a turn failed
  unexpectedly)
  and "http_5xx" (any request the gateway answered with a server error).
- `bokbot_postings_total{kind}`: vouchers posted, by kind (`ledger.audit.postings_by_kind`).
  Counted in the database when scraped, not in this process: most postings are made by the
  action server, and with several gateways each would otherwise know only its own share.

Turn and error counts belong to this process (Prometheus adds the replicas up). Who may read
them is `ledger.metrics_access`'s rule: loopback, or the configured bearer token.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextvars import ContextVar

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from channels.conversation import Answer, ChatTurn, Conversations, MessageInProgress
from channels.limits import TooBusy
from channels.rasa_client import RasaUnavailable
from channels.state import SESSIONS, SETTINGS
from ledger.audit import postings_by_kind
from ledger.errors import IdempotencyConflict
from ledger.metrics_access import may_read_metrics

REGISTRY = CollectorRegistry()

TURNS = Counter(
    "bokbot_chat_turns", "Chat turns by channel and how they ended.", ["channel", "outcome"], registry=REGISTRY
)
TURN_SECONDS = Histogram(
    "bokbot_chat_turn_seconds",
    "Seconds from a message to its answer, Rasa and the actions included.",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0),
    registry=REGISTRY,
)
ERRORS = Counter("bokbot_gateway_errors", "Failures in the gateway, by kind.", ["kind"], registry=REGISTRY)

# The outcomes a turn ends in by a refusal the sender is told about; anything else is an error.
_REFUSALS: tuple[tuple[type[BaseException], str], ...] = (
    (TooBusy, "busy"),
    (IdempotencyConflict, "conflict"),
    (MessageInProgress, "in_progress"),
)


# Set within a turn's task when Rasa said nothing and the person was told to try again.
_UNANSWERED: ContextVar[bool] = ContextVar("bokbot_unanswered", default=False)


class MeasuredConversations(Conversations):
    """The gateway's conversations, each turn counted and timed."""

    async def _unanswered(self, turn: ChatTurn) -> Answer:
        _UNANSWERED.set(True)
        ERRORS.labels("unanswered").inc()
        return await super()._unanswered(turn)

    async def answer(self, turn: ChatTurn) -> Answer:
        started = time.monotonic()
        outcome = "cancelled"
        _UNANSWERED.set(False)
        try:
            answer = await super().answer(turn)
            outcome = "repeated" if answer.repeated else "unanswered" if _UNANSWERED.get() else "answered"
            return answer
        except RasaUnavailable:
            outcome = "unavailable"
            ERRORS.labels("rasa_unavailable").inc()
            raise
        except Exception as exc:
            outcome = next((name for kind, name in _REFUSALS if isinstance(exc, kind)), "error")
            if outcome == "error":
                ERRORS.labels("turn").inc()
            raise
        finally:
            TURNS.labels(turn.channel, outcome).inc()
            TURN_SECONDS.labels(turn.channel).observe(time.monotonic() - started)


@web.middleware
async def count_server_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Counts every request answered with a 5xx status (or failing with an exception)."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 500:
            ERRORS.labels("http_5xx").inc()
        raise
    except Exception:
        ERRORS.labels("http_5xx").inc()
        raise
    if response.status >= 500:
        ERRORS.labels("http_5xx").inc()
    return response


class _Postings(Collector):
    """Vouchers posted by kind, as counted once in the database."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily("bokbot_postings", "Vouchers posted, by kind.", labels=["kind"])
        for kind, count in self.counts.items():
            family.add_metric([kind], count)
        yield family


def _exposition(app: web.Application) -> bytes:
    with app[SESSIONS].begin() as session:
        counts = {str(kind): count for kind, count in postings_by_kind(session).items()}
    postings = CollectorRegistry()
    postings.register(_Postings(counts))
    return generate_latest(REGISTRY) + generate_latest(postings)


def _peer(request: web.Request) -> str | None:
    """The address of the connection's other end, whatever the proxy middleware made of it."""
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return str(peer[0]) if isinstance(peer, tuple) and peer else None


async def metrics(request: web.Request) -> web.Response:
    """The metrics, for loopback or the configured bearer token (see `ledger.metrics_access`)."""
    # A trusted proxy's client was put into `request.remote` already (channels.proxy); a
    # forwarding header on a request still naming its direct peer came through another proxy.
    relayed = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    allowed = may_read_metrics(
        request.remote,
        request.headers.get("Authorization", ""),
        request.app[SETTINGS].metrics_token,
        forwarded=relayed and request.remote == _peer(request),
    )
    if not allowed:
        return web.json_response(
            {"error": {"code": "forbidden", "message": "metrics are read from this machine or with the metrics token"}},
            status=403,
        )
    body = await asyncio.to_thread(_exposition, request.app)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def setup(app: web.Application) -> None:
    """Mounts `/metrics` on the gateway."""
    app.router.add_get("/metrics", metrics)
