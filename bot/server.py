"""HTTP serving: the Bolt app under uvicorn, dispatched in a thread pool.

Bolt's `App.dispatch` is synchronous and waits for `ack()`. Bolt's ready-made Starlette
adapter calls it on the event loop, which serialises every request; here each request is
dispatched with `anyio.to_thread.run_sync`, so concurrent slash commands are acked in
parallel (DESIGN.md, "Serving").
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable

import uvicorn
from anyio import to_thread
from slack_bolt import App, BoltRequest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from storage.db import ping

log = logging.getLogger("council_bot.server")

EVENTS_PATH = "/slack/events"


def make_asgi_app(*, bolt_app: App, engine: Engine) -> Starlette:
    async def slack_events(request: Request) -> Response:
        body = (await request.body()).decode("utf-8")
        bolt_request = BoltRequest(
            body=body, query=request.url.query, headers=dict(request.headers)
        )
        bolt_response = await to_thread.run_sync(bolt_app.dispatch, bolt_request)
        headers = {k: v[0] for k, v in bolt_response.headers.items() if v and k != "content-length"}
        return Response(
            content=bolt_response.body, status_code=bolt_response.status, headers=headers
        )

    async def healthz(_request: Request) -> Response:
        healthy = await to_thread.run_sync(ping, engine)
        return JSONResponse({"ok": healthy}, status_code=200 if healthy else 503)

    return Starlette(
        routes=[
            Route(EVENTS_PATH, slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


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
