"""What operators can watch (`GET /metrics`, Prometheus' text format).

Labels carry kinds of requests, pool names, Web API method names and Slack's error codes
only, each from a bounded vocabulary: never member text, user ids, channel ids or team
ids, so a scrape reveals load, not who is searching. The reminder backlog is counts only.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from prometheus_client.core import GaugeMetricFamily, Metric
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from sqlalchemy import Engine

from storage import reminders as reminders_store

log = logging.getLogger(__name__)

# One registry for the bot's own series (not the process-global default), so tests and a
# sandbox can read exactly what the bot exports.
REGISTRY = CollectorRegistry(auto_describe=True)

ACK_SECONDS = Histogram(
    "council_ack_seconds",
    "Time from receiving a Slack request to answering it (the ack), by request kind.",
    ["kind"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)

WORK_QUEUE_DEPTH = Gauge(
    "council_work_queue_depth",
    "Post-ack work waiting for a worker thread, by pool.",
    ["pool"],
    registry=REGISTRY,
)

WORK_RUNNING = Gauge(
    "council_work_running",
    "Post-ack work being run right now, by pool.",
    ["pool"],
    registry=REGISTRY,
)

WORK_REJECTED = Counter(
    "council_work_rejected",
    "Requests answered 'busy' (or events dropped) because a work pool was full.",
    ["pool", "kind"],
    registry=REGISTRY,
)

WORK_FAILED = Counter(
    "council_work_failed",
    "Post-ack work that raised (each is logged and reported to the member).",
    ["pool"],
    registry=REGISTRY,
)

SLACK_API_CALLS = Counter(
    "council_slack_api_calls",
    "Slack Web API calls (each HTTP attempt, retries included), by method and outcome: "
    "'ok', Slack's error code, or the HTTP status when Slack answered with one (429 for "
    "rate limits, 5xx), 'connection_error' when no answer came.",
    ["method", "outcome"],
    registry=REGISTRY,
)

# Counted in worker processes (bot.platform.offload) and sent to the acking process, whose
# /metrics is the one scraped.
FORWARDED_COUNTERS = (SLACK_API_CALLS, WORK_FAILED)
_FORWARDED_BY_NAME = {family.name: c for c in FORWARDED_COUNTERS for family in c.describe()}

# A counter's series: (family name, sorted label pairs).
SeriesKey = tuple[str, tuple[tuple[str, str], ...]]


def counter_totals(counters: Iterable[Counter]) -> dict[SeriesKey, float]:
    """Every series of `counters` with its total so far."""
    totals: dict[SeriesKey, float] = {}
    for counter in counters:
        for family in counter.collect():
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    totals[(family.name, tuple(sorted(sample.labels.items())))] = sample.value
    return totals


def count_forwarded(deltas: Mapping[SeriesKey, float]) -> None:
    """Add a worker process's counts to this process's series (unknown names ignored)."""
    for (name, labels), delta in deltas.items():
        counter = _FORWARDED_BY_NAME.get(name)
        if counter is not None and delta > 0:
            counter.labels(**dict(labels)).inc(delta)


# CPU, memory, open files and start time of this process (Linux; nothing elsewhere).
ProcessCollector(registry=REGISTRY)


# --- request kinds -----------------------------------------------------------------------

# What a Slack request can be labelled as: a fixed vocabulary, whatever the body holds.
REQUEST_KINDS = (
    "command",
    "block_actions",
    "block_suggestion",
    "view_submission",
    "view_closed",
    "event_callback",
    "shortcut",
    "url_verification",
    "app_rate_limited",
    "other",
)

_PAYLOAD_TYPES = {kind: kind for kind in REQUEST_KINDS if kind not in ("command", "other")}
_PAYLOAD_TYPES["message_action"] = "shortcut"  # a message shortcut

for _kind in REQUEST_KINDS:  # every kind shows from the first scrape, at 0
    ACK_SECONDS.labels(kind=_kind)


def request_kind(body: str | Mapping[str, Any], content_type: str | None = None) -> str:
    """The kind of a Slack request (one of REQUEST_KINDS), from its body.

    HTTP bodies: slash commands are form-encoded with `command=`, interactivity is
    form-encoded with a JSON `payload=`, the Events API (and `url_verification`) posts
    JSON. Socket Mode hands over the payload already decoded (a mapping). Anything
    unreadable or unknown is "other"; nothing from the body but this word comes out.
    """
    if isinstance(body, Mapping):
        return _kind_of(body)
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/json" or (not media and body.lstrip().startswith("{")):
        return _kind_of(_json_object(body))
    form = parse_qs(body, keep_blank_values=True)
    if "command" in form:
        return "command"
    payload = form.get("payload")
    return _kind_of(_json_object(payload[0])) if payload else "other"


def _json_object(text: str) -> Mapping[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _kind_of(payload: Mapping[str, Any]) -> str:
    if isinstance(payload.get("command"), str):
        return "command"
    kind = payload.get("type")
    return _PAYLOAD_TYPES.get(kind, "other") if isinstance(kind, str) else "other"


class TimedSocketModeHandler(SocketModeHandler):
    """Bolt's Socket Mode handler, observing ACK_SECONDS for each envelope.

    The time runs from receiving the envelope to sending its acknowledgement (the
    Socket Mode counterpart of the HTTP response).
    """

    # The signature of the handle it overrides (Bolt narrows the client type the same way).
    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.perf_counter()
        try:
            super().handle(client, req)
        finally:
            kind = request_kind(req.payload) if isinstance(req.payload, Mapping) else "other"
            ACK_SECONDS.labels(kind=kind).observe(time.perf_counter() - started)


# --- Slack Web API calls -----------------------------------------------------------------

_METHOD = re.compile(r"[A-Za-z]+(?:\.[A-Za-z0-9]+)+")
_ERROR_CODE = re.compile(r"[a-z0-9_]+")
_LABEL_LIMIT = 64


def api_method(url: str) -> str:
    """The Web API method of a request URL (`.../api/chat.postMessage`), or "other".

    Only the last path segment, and only when it looks like a method name: a query
    string or anything else in the URL never becomes a label.
    """
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return name if len(name) <= _LABEL_LIMIT and _METHOD.fullmatch(name) else "other"


def call_outcome(response: HttpResponse | None, error: Exception | None = None) -> str:
    """'ok', Slack's error code, the HTTP status (e.g. '429', '500'), or 'connection_error'."""
    if response is None:
        return "connection_error" if error is not None else "no_response"
    status = response.status_code
    if status != 200:
        return str(status) if 100 <= status <= 599 else "http_error"
    body = response.body if isinstance(response.body, dict) else {}
    if body.get("ok") is True:
        return "ok"
    code = body.get("error")
    if isinstance(code, str) and len(code) <= _LABEL_LIMIT and _ERROR_CODE.fullmatch(code):
        return code
    return "error" if body else "invalid_response"


class SlackApiCallCounter(RetryHandler):
    """Counts every Web API attempt in SLACK_API_CALLS; never asks for a retry.

    slack_sdk asks a client's retry handlers, in order, about every HTTP answer (and
    connection error) until one retries; first in the list, this one sees each attempt,
    including the 429s and 5xx that the handlers after it retry. Bolt copies the retry
    handlers into the client it makes for every request, so listeners' calls are
    counted too.
    """

    def __init__(self) -> None:
        super().__init__(max_retry_count=0)

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        SLACK_API_CALLS.labels(
            method=api_method(request.url), outcome=call_outcome(response, error)
        ).inc()
        return False


# --- the reminder backlog ----------------------------------------------------------------


class ReminderBacklog:
    """Gauges of the reminder backlog, read from the database at scrape time.

    One query per scrape (storage.reminders.backlog). The database is shared by every
    bot process, so each process exports the same numbers: aggregate with max(), not
    sum(). `watch` points it at the running runtime's database and clock; until then
    (and when the query fails, which is logged) the series are absent.

    - council_reminders_due: a worker would claim them now (pending and due, or claimed
      by a worker whose lease ran out);
    - council_reminders_claimed: being sent right now, under a live lease;
    - council_reminders_late: the part of `due` that fell due more than the engine's
      `late_after` ago (1 minute by default: the threshold after which the engine flags
      a reminder it sends as late);
    - council_reminders_failed: given up on (out of attempts, or no sender for its kind);
    - council_reminders_oldest_due_age_seconds: how long the longest-waiting due one has
      waited (0 when none is due).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._source: tuple[Engine, Callable[[], datetime], timedelta] | None = None

    def watch(
        self, engine: Engine | None, *, clock: Callable[[], datetime], late_after: timedelta
    ) -> None:
        """Read the backlog of `engine` with `clock` from now on (None: stop reading)."""
        with self._lock:
            self._source = None if engine is None else (engine, clock, late_after)

    def describe(self) -> Iterable[Metric]:
        return _backlog_families(None)

    def collect(self) -> Iterable[Metric]:
        with self._lock:
            source = self._source
        if source is None:
            return []
        engine, clock, late_after = source
        try:
            now = clock().astimezone(UTC)
            backlog = reminders_store.backlog(engine, now=now, late_before=now - late_after)
        except Exception as exc:  # a scrape still shows every other series
            log.warning("reading the reminder backlog failed: %s", type(exc).__name__)
            return []
        return _backlog_families(backlog, now)


def _backlog_families(
    backlog: reminders_store.Backlog | None, now: datetime | None = None
) -> list[Metric]:
    families = {
        "due": GaugeMetricFamily(
            "council_reminders_due", "Reminders due and waiting for a worker to claim them."
        ),
        "claimed": GaugeMetricFamily(
            "council_reminders_claimed", "Reminders being sent right now (a live claim)."
        ),
        "late": GaugeMetricFamily(
            "council_reminders_late",
            "Due reminders waiting longer than the engine's late_after (1 minute).",
        ),
        "failed": GaugeMetricFamily(
            "council_reminders_failed", "Reminders given up on (failed), ever."
        ),
        "oldest": GaugeMetricFamily(
            "council_reminders_oldest_due_age_seconds",
            "How long the longest-waiting due reminder has waited (0: none due).",
        ),
    }
    if backlog is not None and now is not None:
        families["due"].add_metric([], backlog.due)
        families["claimed"].add_metric([], backlog.claimed)
        families["late"].add_metric([], backlog.late)
        families["failed"].add_metric([], backlog.failed)
        oldest = backlog.oldest_due_at
        age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
        families["oldest"].add_metric([], age)
    return list(families.values())


REMINDER_BACKLOG = ReminderBacklog()
REGISTRY.register(REMINDER_BACKLOG)
