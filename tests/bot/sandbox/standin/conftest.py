"""Fixtures for the Slack stand-in tests: a seeded workspace, the stand-in server,
a WebClient pointed at it, and a tiny real Bolt app served over HTTP for the driver."""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from bot.sandbox.standin.driver import SlackDriver
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import ShiftedClock, Workspace, seed_demo

SIGNING_SECRET = "standin-tests-signing-secret"


@pytest.fixture
def clock() -> ShiftedClock:
    """Real time that a test can move forward."""
    return ShiftedClock()


@pytest.fixture
def workspace(clock: ShiftedClock) -> Workspace:
    return seed_demo(clock=clock)


@pytest.fixture
def standin(workspace: Workspace) -> Iterator[SlackStandIn]:
    with SlackStandIn(workspace) as running:
        yield running


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    """The real slack_sdk client, with no retry handlers so faults surface."""
    return WebClient(token=standin.bot_token, base_url=standin.api_url, retry_handlers=[])


@pytest.fixture
def fake_validator(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Swap ``bot.sandbox.standin.blockkit`` for a stub answering the given error lists."""

    def install(*, message: list[str] | None = None, view: list[str] | None = None) -> None:
        stub = types.ModuleType("bot.sandbox.standin.blockkit")
        stub.validate_message = lambda *, text, blocks: list(message or [])  # type: ignore[attr-defined]
        stub.validate_view = lambda view_payload: list(view or [])  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "bot.sandbox.standin.blockkit", stub)

    return install


class _BoltHandler(BaseHTTPRequestHandler):
    """Serves a Bolt App the way any HTTP adapter does: raw body and headers in."""

    app: App

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
        headers: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        answer = self.app.dispatch(
            BoltRequest(body=body, query=urlsplit(self.path).query, headers=headers)
        )
        data = (answer.body or "").encode("utf-8")
        self.send_response(answer.status)
        for name, values in answer.headers.items():
            if name.lower() != "content-length":
                for value in values:
                    self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def serve_app() -> Iterator[Callable[[App], str]]:
    """Serve a Bolt app on a free port; returns its ``/slack/events`` URL."""
    servers: list[ThreadingHTTPServer] = []

    def serve(app: App) -> str:
        handler = type("BoundBoltHandler", (_BoltHandler,), {"app": app})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/slack/events"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def bolt_app(standin: SlackStandIn) -> App:
    """A real Bolt app whose Web API client talks to the stand-in."""
    return App(
        token=standin.bot_token,
        signing_secret=SIGNING_SECRET,
        client=WebClient(token=standin.bot_token, base_url=standin.api_url),
    )


@pytest.fixture
def driver(standin: SlackStandIn, bolt_app: App, serve_app: Callable[[App], str]) -> SlackDriver:
    return SlackDriver(app_url=serve_app(bolt_app), signing_secret=SIGNING_SECRET, standin=standin)
