"""The sandbox page: one HTML file, one script, one stylesheet, and a small JSON API.

    GET  /                      the page
    GET  /static/...            app.js, style.css
    GET  /api/state?user=U...   what that member sees (the page polls it)
    GET  /api/emoji             Slack's emoji names and what they draw (bot.sandbox.emoji)
    POST /api/command           {user, channel, text: "/mission help"}
    POST /api/action            {user, action_id, block_id, channel+message_ts | view_id, ...}
    POST /api/submit            {user, view_id, values}  (values = view.state.values)
    POST /api/close             {user, view_id}
    POST /api/react             {user, channel, ts, name}  (toggles)
    POST /api/reply             {user, channel, text, thread_ts?}
    POST /api/home              {user}  (the Home tab was opened)
    POST /api/dismiss           {user, channel, ts}  (an ephemeral message)
    POST /api/fast-forward      {minutes} or {next: true}

Everything the app does in answer happens through the stand-in; the page sees it on its
next poll. Only loopback clients are served.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from anyio import to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.sandbox.actions import Actions, SandboxError
from bot.sandbox.emoji import shortcodes
from bot.sandbox.runtime import Sandbox
from bot.sandbox.snapshot import snapshot

STATIC = Path(__file__).parent / "static"
_LOOPBACK = ("127.", "::1", "localhost", "testclient")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "testserver")

Endpoint = Callable[[Request], Awaitable[Response]]


def make_web_app(sandbox: Sandbox, actions: Actions | None = None) -> Starlette:
    """The page and its JSON API for one running sandbox."""
    verbs = actions if actions is not None else Actions(sandbox)

    async def index(_request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def state(request: Request) -> Response:
        user = request.query_params.get("user") or sandbox.member_ids()[0]
        if user not in sandbox.member_ids():
            return JSONResponse({"ok": False, "error": f"unknown member {user!r}"}, 400)
        body = await to_thread.run_sync(lambda: snapshot(sandbox, verbs, user=user))
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    async def emoji(_request: Request) -> Response:
        table = await to_thread.run_sync(shortcodes)
        return JSONResponse(table, headers={"Cache-Control": "max-age=86400"})

    def post(handler: Callable[[dict[str, Any]], dict[str, Any]]) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            # JSON only: a form post from some other web page cannot drive the sandbox.
            if request.headers.get("content-type", "").split(";")[0] != "application/json":
                return JSONResponse({"ok": False, "error": "send application/json"}, 415)
            try:
                body = await request.json()
            except (ValueError, UnicodeDecodeError):
                return JSONResponse({"ok": False, "error": "send a JSON object"}, 400)
            if not isinstance(body, dict):
                return JSONResponse({"ok": False, "error": "send a JSON object"}, 400)
            try:
                answer = await to_thread.run_sync(handler, body)
            except SandboxError as exc:
                return JSONResponse({"ok": False, "error": str(exc)}, 400)
            except (KeyError, TypeError, ValueError) as exc:
                return JSONResponse({"ok": False, "error": f"bad request: {exc}"}, 400)
            return JSONResponse(answer)

        return endpoint

    def fast_forward(body: dict[str, Any]) -> dict[str, Any]:
        if body.get("next"):
            return verbs.fast_forward(to_next=True)
        minutes = body.get("minutes")
        if not isinstance(minutes, int | float) or isinstance(minutes, bool):
            raise SandboxError("minutes must be a number")
        return verbs.fast_forward(seconds=float(minutes) * 60)

    routes = [
        Route("/", index),
        Route("/api/state", state),
        Route("/api/emoji", emoji),
        Route(
            "/api/command",
            post(lambda b: verbs.command(user=b["user"], channel=b["channel"], text=b["text"])),
            methods=["POST"],
        ),
        Route(
            "/api/action",
            post(lambda b: verbs.action(user=b["user"], action=b)),
            methods=["POST"],
        ),
        Route(
            "/api/submit",
            post(lambda b: verbs.submit(user=b["user"], view_id=b["view_id"], values=b["values"])),
            methods=["POST"],
        ),
        Route(
            "/api/close",
            post(lambda b: verbs.close(user=b["user"], view_id=b["view_id"])),
            methods=["POST"],
        ),
        Route(
            "/api/react",
            post(
                lambda b: verbs.react(
                    user=b["user"], channel=b["channel"], ts=b["ts"], name=b["name"]
                )
            ),
            methods=["POST"],
        ),
        Route(
            "/api/reply",
            post(
                lambda b: verbs.post(
                    user=b["user"],
                    channel=b["channel"],
                    text=str(b["text"]),
                    thread_ts=b.get("thread_ts"),
                )
            ),
            methods=["POST"],
        ),
        Route("/api/home", post(lambda b: verbs.open_home(user=b["user"])), methods=["POST"]),
        Route(
            "/api/dismiss",
            post(lambda b: verbs.dismiss(user=b["user"], channel=b["channel"], ts=b["ts"])),
            methods=["POST"],
        ),
        Route("/api/fast-forward", post(fast_forward), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(_LoopbackOnly)
    app.state.actions = verbs
    return app


class _LoopbackOnly:
    """Refuse anyone but this machine (the page can act as any member).

    The Host header is checked too, so a web page elsewhere cannot reach the sandbox by
    pointing a name of its own at 127.0.0.1 (DNS rebinding).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        client = scope.get("client") or ("",)
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1").rsplit(":", 1)[0]
        if scope["type"] == "http" and (
            not str(client[0]).startswith(_LOOPBACK) or host not in _LOOPBACK_HOSTS
        ):
            body = json.dumps({"ok": False, "error": "the sandbox only serves this machine"})
            await send({"type": "http.response.start", "status": 403, "headers": []})
            await send({"type": "http.response.body", "body": body.encode()})
            return
        await self.app(scope, receive, send)
