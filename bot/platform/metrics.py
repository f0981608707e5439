"""What operators can watch (`GET /metrics`, Prometheus' text format).

Labels carry kinds of requests, pool names and Web API method names only: never member
text, user ids, channel ids or team ids, so a scrape reveals load, not who is searching.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

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
