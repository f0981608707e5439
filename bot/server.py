"""HTTP serving: the Bolt app under uvicorn, dispatched in a thread pool.

Bolt's `App.dispatch` is synchronous and waits for `ack()`. Bolt's ready-made Starlette
adapter calls it on the event loop, which serialises every request; here each request is
dispatched with `anyio.to_thread.run_sync`, so concurrent slash commands are acked in
parallel (DESIGN.md, "Serving").

`GET /metrics` is Prometheus' text format (bot.platform.metrics): ack latency by request
kind, Web API calls by method and outcome, the work pools and the reminder backlog.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

import uvicorn
from anyio import to_thread
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt import App, BoltRequest, BoltResponse
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.platform.metrics import ACK_SECONDS, REGISTRY, REMINDER_BACKLOG, request_kind
from bot.reminders.engine import ReminderEngine
from storage.db import ping

log = logging.getLogger("council_bot.server")

EVENTS_PATH = "/slack/events"
METRICS_PATH = "/metrics"


def make_asgi_app(
    *, bolt_app: App, engine: Engine, reminders: ReminderEngine | None = None
) -> Starlette:
    """The HTTP app: Slack's requests, `/healthz` and `/metrics`.

    With `reminders`, `/metrics` reports that engine's backlog (its database, its clock);
    the HTTP app built last in a process is the one whose backlog is exported.
    """
    if reminders is not None:
        REMINDER_BACKLOG.watch(
            reminders.engine, clock=reminders.clock, late_after=reminders.late_after
        )

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        body = (await request.body()).decode("utf-8")
        bolt_request = BoltRequest(
            body=body, query=request.url.query, headers=dict(request.headers)
        )
        bolt_response = await to_thread.run_sync(
            _dispatch, bolt_app, bolt_request, request.headers.get("content-type"), started
        )
        headers = {k: v[0] for k, v in bolt_response.headers.items() if v and k != "content-length"}
        return Response(
            content=bolt_response.body, status_code=bolt_response.status, headers=headers
        )

    async def healthz(_request: Request) -> Response:
        healthy = await to_thread.run_sync(ping, engine)
        return JSONResponse({"ok": healthy}, status_code=200 if healthy else 503)

    async def metrics(_request: Request) -> Response:
        # Collecting reads the reminder backlog from the database: not on the event loop.
        exposition = await to_thread.run_sync(generate_latest, REGISTRY)
        return Response(content=exposition, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return Starlette(
        routes=[
            Route(EVENTS_PATH, slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route(METRICS_PATH, metrics, methods=["GET"]),
        ]
    )


def _dispatch(
    bolt_app: App, bolt_request: BoltRequest, content_type: str | None, started: float
) -> BoltResponse:
    """Bolt's dispatch (in a worker thread), observing the ack latency by request kind."""
    kind = request_kind(bolt_request.raw_body, content_type)
    try:
        return bolt_app.dispatch(bolt_request)
    finally:
        ACK_SECONDS.labels(kind=kind).observe(time.perf_counter() - started)


def serve_forever(*, asgi: Starlette, host: str, port: int, log_level: str) -> None:
    """Blocking; uvicorn finishes in-flight requests on SIGTERM/SIGINT, then returns."""
    config = uvicorn.Config(
        asgi,
        host=host,
        port=port,
        log_level=log_level.lower(),
        timeout_graceful_shutdown=10,
        access_log=False,  # request lines could reveal who is active when; keep logs lean
    )
    uvicorn.Server(config).run()


class BackgroundServer:
    """uvicorn on 127.0.0.1 and a free port, in a thread (tests and the local sandbox)."""

    def __init__(self, asgi: Starlette, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        config = uvicorn.Config(asgi, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, *, timeout: float = 10.0, wait: Callable[[float], None] | None = None) -> None:
        self._thread.start()
        waited = 0.0
        sleep = wait or threading.Event().wait
        while not self._server.started:
            if waited > timeout or not self._thread.is_alive():
                raise RuntimeError("the HTTP server did not start")
            sleep(0.01)
            waited += 0.01

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()
