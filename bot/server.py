"""HTTP serving: the Bolt app under uvicorn.

Bolt's `App.dispatch` is synchronous and, by default, waits for `ack()` by polling: on the
event loop that would serialise every request, which is why DESIGN.md ("Serving") asks for
dispatch in a thread pool. The council app runs Bolt with `process_before_response=True`
and listeners that ack at once and hand their work to bounded pools (handlers/kit.py): its
dispatch of a command, click or event does no I/O and takes about a millisecond, so it runs
on the event loop, which spares two thread hand-offs that cost most under load (measured
with benchmarks/acks.py: ack p99 ~65 ms on the loop against ~95 ms through the pool, in a
burst behind a slow Slack). Modal submissions, whose ack waits for validation in the forms
pool, and any other Bolt app (a bare one polls) are dispatched with
`anyio.to_thread.run_sync`. Dispatch that would do I/O goes to the pool too: in
distribution mode a request whose workspace's installation this process has not read in
the last seconds (bot.platform.oauth.WorkspaceTokens) is authorized from the database.

`GET /slack/install` and `GET /slack/oauth_redirect` (distribution mode: "Add to Slack")
run Bolt's OAuth flow in the pool; `GET /privacy` shows PRIVACY.md, which the install
page links.

`POST /slack/events` trusts nothing before the signature: the body is read up to
MAX_BODY_BYTES (Content-Length first, then counted while streaming: a larger one is answered
413 without reading the rest), its signature is checked (401), and only then is it parsed
(a signed body that cannot be parsed is answered 400). Nothing of a refused body is logged.

`GET /metrics` is Prometheus' text format (bot.platform.metrics): ack latency by request
kind, Web API calls by method and outcome, the work pools and the reminder backlog.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn
from anyio import to_thread
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt import App, BoltRequest, BoltResponse
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bot.platform.logs import describe_exception
from bot.platform.metrics import ACK_SECONDS, REGISTRY, REMINDER_BACKLOG, request_kind
from bot.platform.oauth import INSTALL_PATH, REDIRECT_PATH, WorkspaceTokens
from bot.platform.oauth_pages import PRIVACY_PATH
from bot.reminders.engine import ReminderEngine
from storage.db import ping

log = logging.getLogger("council_bot.server")

EVENTS_PATH = "/slack/events"
METRICS_PATH = "/metrics"

# Slack's requests are a few kilobytes; a modal's whole state stays far below this.
MAX_BODY_BYTES = 1024 * 1024
# How old a signed request may be (Slack's own rule), against replays of old ones.
SIGNATURE_MAX_AGE = 5 * 60


def make_asgi_app(
    *,
    bolt_app: App,
    engine: Engine,
    signing_secret: str,
    reminders: ReminderEngine | None = None,
    installations: WorkspaceTokens | None = None,
) -> Starlette:
    """The HTTP app: Slack's requests, `/healthz` and `/metrics`.

    `signing_secret` is the one the Bolt app verifies with: requests are verified with it
    before anything is parsed (Bolt verifies again). With `reminders`, `/metrics` reports
    that engine's backlog (its database, its clock); the HTTP app built last in a process
    is the one whose backlog is exported.
    """
    if reminders is not None:
        REMINDER_BACKLOG.watch(
            reminders.engine, clock=reminders.clock, late_after=reminders.late_after
        )
    if not signing_secret:
        raise ValueError("the Slack endpoint needs the signing secret")
    secret = signing_secret.encode("utf-8")
    # Bolt answers from the dispatching thread only with process_before_response, where every
    # listener is a kit wrapper that acks at once (handlers/kit.py); any other app (a bare
    # Bolt app polls for its ack) is dispatched in a worker thread.
    # In distribution mode a request's token comes from its installation: when this
    # process read it lately (`installations`), from memory, and the request is answered
    # here; otherwise from the database (and now and then a token refresh), in the pool.
    inline = bool(bolt_app.process_before_response)
    multi = bolt_app.oauth_flow is not None

    def answer_here(body: dict[str, Any], kind: str) -> bool:
        if not inline or kind in _WAITS_FOR_ITS_LISTENER:
            return False
        if not multi:
            return True
        team = team_in(body)
        return (
            installations is not None
            and team is not None
            and (installations.known(team_id=team, enterprise_id=enterprise_in(body)) is not None)
        )

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        raw = await _read_capped(request, MAX_BODY_BYTES)
        if isinstance(raw, Response):
            return raw
        if not _signed(secret, raw, request):
            return _refuse(401, "invalid request")
        try:
            bolt_request = BoltRequest(
                body=raw.decode("utf-8"), query=request.url.query, headers=dict(request.headers)
            )
        except Exception as exc:  # signed, yet not a body Slack sends: say so, parse no more
            log.warning("a signed request could not be read: %s", type(exc).__name__)
            return _refuse(400, "malformed request")
        if not slack_shaped(bolt_request.body):
            log.warning("a signed request does not have the shape of Slack's requests")
            return _refuse(400, "malformed request")
        kind = request_kind(bolt_request.raw_body, request.headers.get("content-type"))
        try:
            if answer_here(bolt_request.body, kind):
                # The kit's wrappers ack and hand off without blocking: answering here spares
                # the two thread hand-offs that cost most under load (GIL contention with
                # the post-ack work of a burst).
                bolt_response = _dispatch(bolt_app, bolt_request, kind, started)
            else:
                bolt_response = await to_thread.run_sync(
                    _dispatch, bolt_app, bolt_request, kind, started
                )
        except Exception as exc:
            # Bolt's own middleware choked on the body (listeners' errors never get here:
            # Bolt hands those to the app's error handler). Nothing of the body is logged.
            log.error("Bolt could not dispatch a signed request: %s", describe_exception(exc))
            return _refuse(400, "malformed request")
        headers = {k: v[0] for k, v in bolt_response.headers.items() if v and k != "content-length"}
        return Response(
            content=bolt_response.body, status_code=bolt_response.status, headers=headers
        )

    flow = bolt_app.oauth_flow

    async def install(request: Request) -> Response:
        if flow is None:
            return _refuse(404, "not found")
        return await to_thread.run_sync(_oauth_step, flow.handle_installation, request)

    async def oauth_redirect(request: Request) -> Response:
        if flow is None:
            return _refuse(404, "not found")
        return await to_thread.run_sync(_oauth_step, flow.handle_callback, request)

    async def privacy(_request: Request) -> Response:
        return HTMLResponse(privacy_page())

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
            Route(INSTALL_PATH, install, methods=["GET"]),
            Route(REDIRECT_PATH, oauth_redirect, methods=["GET"]),
            Route(PRIVACY_PATH, privacy, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route(METRICS_PATH, metrics, methods=["GET"]),
        ]
    )


# Fields that Slack's requests carry as objects (or lists of objects), when they carry them;
# Bolt reads into each without checking.
_OBJECT_FIELDS = ("event", "view", "user", "team", "channel", "container", "message", "state")
_NULLABLE_OBJECT_FIELDS = ("enterprise",)
_LIST_OF_OBJECT_FIELDS = ("actions", "authorizations")
# Identifiers and kinds, strings wherever they appear at the top or one level down.
_STRING_FIELDS = ("type", "command", "team_id", "user_id", "channel_id", "api_app_id", "token")
_NESTED_STRING_FIELDS = {
    "user": ("id",),
    "team": ("id",),
    "channel": ("id",),
    "view": ("id", "callback_id", "private_metadata", "hash"),
    "event": ("type",),
}


def slack_shaped(body: object) -> bool:
    """Whether a parsed body has the shape Bolt assumes: objects where Slack sends objects,
    strings where it sends ids. What the values say is the listeners' business."""
    if not isinstance(body, dict):
        return False
    for name in _OBJECT_FIELDS:
        if name in body and not isinstance(body[name], dict):
            return False
    for name in _NULLABLE_OBJECT_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], dict):
            return False
    for name in _LIST_OF_OBJECT_FIELDS:
        if name in body and not (
            isinstance(body[name], list) and all(isinstance(item, dict) for item in body[name])
        ):
            return False
    for name in _STRING_FIELDS:
        if name in body and not isinstance(body[name], str):
            return False
    for parent, names in _NESTED_STRING_FIELDS.items():
        inner = body.get(parent) or {}
        for name in names:
            if name in inner and not isinstance(inner[name], str):
                return False
    state = (body.get("view") or {}).get("state")
    if state is not None:
        values = state.get("values") if isinstance(state, dict) else None
        if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
            return False
    return True


def team_in(body: dict[str, Any]) -> str | None:
    """The workspace a request comes from, wherever its kind of payload carries it."""
    event = body.get("event") or {}
    team = body.get("team_id") or (body.get("team") or {}).get("id") or event.get("team")
    return str(team) if isinstance(team, str) and team else None


def enterprise_in(body: dict[str, Any]) -> str | None:
    enterprise = body.get("enterprise_id") or (body.get("enterprise") or {}).get("id")
    return str(enterprise) if isinstance(enterprise, str) and enterprise else None


def _refuse(status: int, error: str) -> Response:
    return JSONResponse({"error": error}, status_code=status)


async def _read_capped(request: Request, limit: int) -> bytes | Response:
    """The body, or the refusal to send: 413 above `limit` bytes, read no further.

    A declared Content-Length above the limit is refused before reading anything; a body
    without one (chunked) is counted as it streams in and refused once it passes the limit.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            return _refuse(400, "malformed request")
        if length < 0:
            return _refuse(400, "malformed request")
        if length > limit:
            return _refuse(413, "request too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return _refuse(413, "request too large")
        chunks.append(chunk)
    return b"".join(chunks)


def _signed(secret: bytes, body: bytes, request: Request) -> bool:
    """Slack's signature (`v0=` HMAC-SHA256 of `v0:<timestamp>:<body>`) over the raw bytes,
    within Slack's five minutes. Computed here rather than by slack_sdk's verifier, which
    decodes the body first: an undecodable signed body is malformed (400), not unsigned."""
    timestamp = request.headers.get("x-slack-request-timestamp") or ""
    signature = request.headers.get("x-slack-signature") or ""
    if not (timestamp.isascii() and timestamp.isdigit() and signature):
        return False
    if abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE:
        return False
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = b"v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest().encode("ascii")
    return hmac.compare_digest(expected, signature.encode("utf-8", errors="replace"))


# Modal submissions are validated and acked by their listener in the forms pool: the
# request waits for that ack, so it never waits on the event loop.
_WAITS_FOR_ITS_LISTENER = frozenset({"view_submission", "view_closed"})


def _dispatch(bolt_app: App, bolt_request: BoltRequest, kind: str, started: float) -> BoltResponse:
    """Bolt's dispatch, observing the ack latency by request kind."""
    try:
        return bolt_app.dispatch(bolt_request)
    finally:
        ACK_SECONDS.labels(kind=kind).observe(time.perf_counter() - started)


def _oauth_step(step: Callable[[BoltRequest], BoltResponse], request: Request) -> Response:
    """One step of "Add to Slack" (the install page, or Slack's redirect back), in a thread:
    both read and write the database, the redirect calls Slack too."""
    bolt_request = BoltRequest(body="", query=request.url.query, headers=dict(request.headers))
    bolt_response = step(bolt_request)
    response = Response(content=bolt_response.body, status_code=bolt_response.status)
    for name, values in bolt_response.headers.items():
        if name.lower() == "content-length":
            continue
        for value in values:
            response.headers.append(name, value)
    return response


def privacy_page() -> str:
    """PRIVACY.md, as the install page links it: the text itself, escaped, unstyled."""
    path = Path(__file__).resolve().parent.parent / "PRIVACY.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        text = "See PRIVACY.md in the council bot's source repository."
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Council bot: privacy</title></head><body>"
        f"<pre style='white-space:pre-wrap;max-width:48rem;margin:2rem auto'>"
        f"{html.escape(text)}</pre></body></html>"
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
