"""An offline stand-in of the Slack Web API, served on 127.0.0.1.

Point ``slack_sdk.WebClient(base_url=standin.api_url)`` at a running
:class:`SlackStandIn` and it answers the methods the bot uses with Slack's
documented response shapes and error codes (see ``bot.sandbox.standin.methods``),
records every call, and can be told to fail the next calls with a rate limit,
a server error or a reset connection.

It can hold several workspaces (``add_workspace``): every call is answered by the
workspace whose token it carries. The app's OAuth v2 install flow is ``standin.oauth``
(``bot.sandbox.standin.oauth``): the browser's authorize step (``authorize``, or
``GET /oauth/v2/authorize``), ``oauth.v2.access`` issuing bot tokens (rotating ones
with ``configure_oauth(token_rotation=True)``), ``revoke`` and ``uninstall``.

It also serves the ``response_url`` endpoints the driver mints
(``POST /response/<id>``), which Bolt's ``respond()`` posts to, and answers
``apps.connections.open`` (app-level token only) with a one-time link to its
Socket Mode endpoint (``standin.socket_mode``, see ``bot.sandbox.standin.socket_mode``).

Example::

    with SlackStandIn(seed_demo()) as slack:
        client = WebClient(token=slack.bot_token, base_url=slack.api_url)
        client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="hi")
        slack.wait_for("chat.postMessage")
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import html
import json
import logging
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, overload
from urllib.parse import parse_qsl, urlsplit

from bot.sandbox.standin.methods import APP_LEVEL_METHODS, METHODS, respond_via_url, token_error
from bot.sandbox.standin.oauth import (
    CLIENT_ID,
    CLIENT_SECRET,
    DEFAULT_TOKEN_EXPIRES_IN,
    OAuthApp,
)
from bot.sandbox.standin.socket_mode import SocketModeServer
from bot.sandbox.standin.state import StandInError, Workspace

__all__ = ["ApiCall", "FaultKind", "SlackStandIn"]

logger = logging.getLogger(__name__)

FaultKind = Literal["ratelimited", "server_error", "connection_reset"]

#: Arguments Slack takes as JSON-encoded strings in form posts.
_JSON_ARGS = ("blocks", "attachments", "view", "metadata")
#: Scopes reported in ``X-OAuth-Scopes`` (Slack sends the token's scopes on every answer).
BOT_SCOPES = (
    "chat:write,commands,users:read,channels:read,groups:read,im:read,im:write,"
    "im:history,channels:history,groups:history,reactions:read,files:write"
)
#: Where ``files.getUploadURLExternal``'s upload URLs point (then the upload's own id).
UPLOAD_PATH = "/upload/v1/"
#: Slack's authorize page, on the stand-in beside its Web API.
AUTHORIZE_PATH = "/oauth/v2/authorize"
#: The Web API method that takes the app's client credentials instead of a token.
OAUTH_ACCESS = "oauth.v2.access"
_RESPONSE_URL_STATUS = {"expired_url": 404, "used_url": 404, "message_not_found": 404}


@dataclass
class ApiCall:
    """One request the stand-in answered (or refused, or faulted).

    ``method`` is the Web API method name, or ``"response_url"`` for posts to a
    minted response URL. ``status`` is the HTTP status (0: connection reset).
    """

    method: str
    args: dict[str, Any]
    token: str | None
    status: int
    response: dict[str, Any]
    path: str = ""
    at: float = field(default_factory=time.time)

    @property
    def ok(self) -> bool:
        """True when Slack would have answered ``{"ok": true}`` with HTTP 200."""
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        """The ``error`` code of a refused call, if any."""
        return self.response.get("error")

    def describe(self) -> str:
        """A one-line summary used in timeout messages."""
        outcome = "ok" if self.ok else f"error={self.error}"
        args = json.dumps(self.args, default=str)
        if len(args) > 240:
            args = args[:237] + "..."
        return f"{self.method} -> {self.status} {outcome} args={args}"


@dataclass
class _Fault:
    kind: FaultKind
    remaining: int
    retry_after: int


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # bursts of concurrent app requests must not be refused

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up before its answer (an app stopped mid-call) is not a fault
        # of the stand-in; anything else is printed as socketserver does.
        if isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            return
        super().handle_error(request, client_address)


class SlackStandIn:
    """A stateful Slack Web API stand-in on ``127.0.0.1`` (port chosen by the OS).

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self, workspace: Workspace | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.workspace = workspace if workspace is not None else Workspace()
        #: Every workspace by team id, the constructor's first (it stays ``workspace``).
        self.workspaces: dict[str, Workspace] = {self.workspace.team_id: self.workspace}
        self._workspaces_lock = threading.RLock()
        #: The app's OAuth client and what was issued for it (``configure_oauth``).
        self.oauth = OAuthApp(self.workspaces, clock=lambda: self.clock())
        self._host = host
        self._requested_port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._calls: list[ApiCall] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._calls_lock = threading.Lock()
        self._socket_mode: SocketModeServer | None = None
        self._socket_mode_lock = threading.Lock()
        self._latency: dict[str, float] = {}
        self._in_flight: dict[str, int] = {}

    # --------------------------------------------------------------- lifecycle
    def start(self) -> SlackStandIn:
        """Start serving in a daemon thread; returns ``self``."""
        if self._server is not None:
            return self
        handler = type("_BoundHandler", (_Handler,), {"standin": self})
        server = _Server((self._host, self._requested_port), handler)
        self._server = server
        with self._workspaces_lock:
            for each in self.workspaces.values():
                each.upload_url_base = f"{self.base_url}{UPLOAD_PATH}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() returns within ~50 ms
            name="slack-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (Socket Mode too) and release the ports."""
        with self._socket_mode_lock:
            socket_mode, self._socket_mode = self._socket_mode, None
        if socket_mode is not None:
            socket_mode.stop()
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the stand-in is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{self._host}:{self.port}"

    @property
    def api_url(self) -> str:
        """What to pass as ``WebClient(base_url=...)``: ``http://127.0.0.1:PORT/api/``."""
        return f"{self.base_url}/api/"

    @property
    def authorize_url(self) -> str:
        """Slack's OAuth v2 authorize page on the stand-in (Bolt's ``authorization_url``)."""
        return f"{self.base_url}{AUTHORIZE_PATH}"

    @property
    def bot_token(self) -> str:
        """A bot token the stand-in accepts (of the first workspace)."""
        return self.workspace.bot_token

    def clock(self) -> float:
        """The stand-in's time: its first workspace's clock (codes and tokens expire by it)."""
        return self.workspace.clock()

    # -------------------------------------------------------------- workspaces
    def add_workspace(self, workspace: Workspace) -> Workspace:
        """Serve another workspace (e.g. ``seed_demo(team_id=..., id_prefix=...)``).

        Its ids and bot tokens must not be another workspace's (Slack's are global):
        ``ValueError`` otherwise, so a test cannot mix workspaces up unnoticed.
        """
        with self._workspaces_lock:
            if workspace.team_id in self.workspaces:
                raise ValueError(f"a workspace {workspace.team_id} is already served")
            for other in self.workspaces.values():
                shared = (set(workspace.users) | set(workspace.channels)) & (
                    set(other.users) | set(other.channels)
                )
                if shared:
                    raise ValueError(
                        f"ids {sorted(shared)} are already {other.team_id}'s; "
                        "seed the workspace with an id_prefix"
                    )
                if workspace.bot_tokens & other.bot_tokens:
                    raise ValueError(f"bot tokens already {other.team_id}'s")
            if self._server is not None:
                workspace.upload_url_base = f"{self.base_url}{UPLOAD_PATH}"
            self.workspaces[workspace.team_id] = workspace
            return workspace

    def workspace_of(self, token: str | None) -> Workspace | None:
        """The workspace that accepts ``token`` (bot or app-level), if any."""
        if not token:
            return None
        with self._workspaces_lock:
            for workspace in self.workspaces.values():
                if token in workspace.bot_tokens or token in workspace.app_tokens:
                    return workspace
        return None

    # ------------------------------------------------------------------- oauth
    def configure_oauth(
        self,
        *,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        token_rotation: bool = False,
        token_expires_in: int = DEFAULT_TOKEN_EXPIRES_IN,
    ) -> None:
        """The app's OAuth credentials and whether its bot tokens rotate (and expire)."""
        self.oauth.configure(
            client_id=client_id,
            client_secret=client_secret,
            token_rotation=token_rotation,
            token_expires_in=token_expires_in,
        )

    def authorize(
        self,
        *,
        client_id: str,
        scope: str,
        state: str,
        redirect_uri: str,
        team_id: str | None = None,
        user_id: str | None = None,
        allow: bool = True,
    ) -> str:
        """A member installs the app in the browser: the URL Slack redirects them to.

        ``redirect_uri?code=...&state=...`` when allowed, ``?error=access_denied&state=...``
        when denied. ``team_id`` defaults to the first workspace, ``user_id`` to its first
        member. Raises ``StandInError`` where Slack would show an error page (an unknown
        ``client_id``: ``invalid_client_id``). See ``OAuthApp.authorize``.
        """
        return self.oauth.authorize(
            client_id=client_id,
            scope=scope,
            state=state,
            redirect_uri=redirect_uri,
            team_id=team_id,
            user_id=user_id,
            allow=allow,
        )

    def revoke(self, token: str) -> None:
        """Revoke one token: calls with it are answered ``token_revoked`` afterwards."""
        self.oauth.revoke(token)

    def uninstall(self, team_id: str) -> None:
        """Uninstall the app from ``team_id``: every bot token of it is revoked, preset
        and OAuth-issued. (Send the ``app_uninstalled`` event with the driver.)"""
        self.oauth.uninstall(team_id)

    @property
    def app_token(self) -> str:
        """An app-level token the stand-in accepts for Socket Mode."""
        return self.workspace.app_token

    @property
    def socket_mode(self) -> SocketModeServer:
        """Slack's Socket Mode endpoint (``bot.sandbox.standin.socket_mode``), started on first use.

        ``apps.connections.open`` hands out its one-time links; tests reach the
        app's connections through it, or through ``bot.sandbox.standin.socket_driver``.
        """
        with self._socket_mode_lock:
            if self._socket_mode is None:
                self._socket_mode = SocketModeServer(self.workspace, host=self._host).start()
            return self._socket_mode

    # --------------------------------------------------------------- recording
    @property
    def calls(self) -> list[ApiCall]:
        """Every call so far, oldest first (a snapshot)."""
        with self._calls_lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls to ``method`` (e.g. ``"chat.postMessage"`` or ``"response_url"``)."""
        return [call for call in self.calls if call.method == method]

    def clear_calls(self) -> None:
        """Forget recorded calls (state in the workspace is kept)."""
        with self._calls_lock:
            self._calls.clear()

    # count=1 matches both signatures; the first (one call, not a list) is the one meant.
    @overload
    def wait_for(  # type: ignore[overload-overlap]
        self,
        method: str,
        *,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,
        count: Literal[1] = 1,
    ) -> ApiCall: ...

    @overload
    def wait_for(
        self,
        method: str,
        *,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,
        count: int,
    ) -> list[ApiCall]: ...

    def wait_for(
        self,
        method: str,
        *,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,
        count: int = 1,
    ) -> ApiCall | list[ApiCall]:
        """Wait until ``count`` calls to ``method`` match ``predicate``.

        Returns the first matching :class:`ApiCall` when ``count == 1``, else a
        list of the first ``count``. The app does slow work after ``ack()`` in
        background threads, so tests wait here instead of sleeping. Raises
        ``AssertionError`` listing every recorded call on timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            matches = [c for c in self.calls_to(method) if predicate is None or predicate(c)]
            if len(matches) >= count:
                return matches[0] if count == 1 else matches[:count]
            if time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        listing = "\n".join(
            f"  {index}. {call.describe()}" for index, call in enumerate(self.calls, 1)
        )
        raise AssertionError(
            f"expected {count} call(s) to {method}"
            f"{' matching the predicate' if predicate else ''} within {timeout}s, "
            f"got {len(matches)}. Calls recorded:\n{listing or '  (none)'}"
        )

    def _record(self, call: ApiCall) -> None:
        if "client_secret" in call.args:  # recorded calls get printed; the secret must not
            call.args = {**call.args, "client_secret": "***"}
        with self._calls_lock:
            self._calls.append(call)

    # ----------------------------------------------------------------- latency
    def set_latency(self, seconds: float, *, method: str = "*") -> None:
        """Answer every call to ``method`` (``"*"``: every method, ``response_url``
        included) only after ``seconds``: a slow Slack, for load tests and benchmarks.

        A per-method setting wins over ``"*"``; ``0`` removes the delay.
        """
        if seconds < 0:
            raise ValueError("latency cannot be negative")
        with self._calls_lock:
            if seconds == 0:
                self._latency.pop(method, None)
            else:
                self._latency[method] = seconds

    def in_flight(self, method: str) -> int:
        """Calls to ``method`` being held by the latency knob right now."""
        with self._calls_lock:
            return self._in_flight.get(method, 0)

    @contextlib.contextmanager
    def _waiting(self, method: str) -> Iterator[None]:
        with self._calls_lock:
            self._in_flight[method] = self._in_flight.get(method, 0) + 1
        try:
            yield
        finally:
            with self._calls_lock:
                self._in_flight[method] -= 1

    def _latency_of(self, method: str) -> float:
        with self._calls_lock:
            return self._latency.get(method, self._latency.get("*", 0.0))

    # ------------------------------------------------------------------ faults
    def fail_next(
        self,
        method: str,
        *,
        times: int = 1,
        kind: FaultKind = "ratelimited",
        retry_after: int = 1,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail.

        ``ratelimited``: HTTP 429, ``Retry-After: <retry_after>`` and
        ``{"ok": false, "error": "ratelimited"}``. ``server_error``: HTTP 500.
        ``connection_reset``: the TCP connection is reset with no answer.
        ``method`` may be ``"response_url"``.
        """
        if kind not in ("ratelimited", "server_error", "connection_reset"):
            raise ValueError(f"unknown fault kind: {kind}")
        with self._calls_lock:
            self._faults.setdefault(method, []).append(_Fault(kind, times, retry_after))

    def _take_fault(self, method: str) -> _Fault | None:
        with self._calls_lock:
            queue = self._faults.get(method) or []
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.pop(0)
            return fault

    # ----------------------------------------------------------- response_url
    def mint_response_url(
        self,
        *,
        user: str,
        channel: str,
        message_ts: str | None = None,
        is_ephemeral: bool = False,
        team_id: str | None = None,
    ) -> str:
        """A ``response_url`` for an interaction by ``user`` in ``channel``.

        Pass ``message_ts`` (and ``is_ephemeral``) for actions on a message so
        ``replace_original`` / ``delete_original`` can find it; ``team_id`` for an
        interaction in another workspace than the first.
        """
        workspace = self.workspaces[team_id] if team_id else self.workspace
        target = workspace.mint_response_target(
            user=user, channel=channel, message_ts=message_ts, is_ephemeral=is_ephemeral
        )
        return f"{self.base_url}/response/{target.id}"

    # ---------------------------------------------------------------- dispatch
    def _token_error(self, method: str, token: str | None) -> tuple[Workspace, str | None]:
        """The workspace that answers ``token`` and Slack's error for it, if any."""
        workspace = self.workspace_of(token)
        if workspace is None:
            if token and token in self.oauth.revoked:
                return self.workspace, "token_revoked"
            return self.workspace, token_error(self.workspace, method, token)
        if self.oauth.expired(token or ""):
            return workspace, "token_expired"
        return workspace, token_error(workspace, method, token)

    def _answer_api(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any]]:
        handler = METHODS.get(method)
        if handler is None and method not in APP_LEVEL_METHODS:
            return 200, {"ok": False, "error": "unknown_method"}
        workspace, error = self._token_error(method, token)
        if error is not None:
            return 200, {"ok": False, "error": error}
        if handler is None:  # apps.connections.open, the only app-level method
            return 200, {"ok": True, "url": self.socket_mode.open_link()}
        try:
            with workspace.lock:
                return 200, handler(workspace, args)
        except StandInError as exc:
            return 200, exc.to_response()
        except Exception:
            logger.exception("stand-in failed answering %s", method)
            return 500, {"ok": False, "error": "internal_error"}

    def _answer_oauth_access(
        self, args: dict[str, Any], basic: tuple[str, str] | None
    ) -> tuple[int, dict[str, Any]]:
        try:
            return 200, self.oauth.access(args, basic=basic)
        except StandInError as exc:
            return 200, exc.to_response()
        except Exception:
            logger.exception("stand-in failed answering oauth.v2.access")
            return 500, {"ok": False, "error": "internal_error"}

    def _answer_authorize(self, args: dict[str, Any]) -> tuple[int, str]:
        """``GET /oauth/v2/authorize``: (302, where to) or (400, why not)."""
        try:
            return 302, self.authorize(
                client_id=str(args.get("client_id") or ""),
                scope=str(args.get("scope") or ""),
                state=str(args.get("state") or ""),
                redirect_uri=str(args.get("redirect_uri") or ""),
                team_id=str(args["team"]) if args.get("team") else None,
            )
        except StandInError as error:
            return 400, error.code

    def _holder(self, has: Callable[[Workspace], bool]) -> Workspace:
        """The workspace ``has`` is true of, else the first (which then answers the error)."""
        with self._workspaces_lock:
            return next((w for w in self.workspaces.values() if has(w)), self.workspace)

    def _answer_upload(self, upload_id: str, data: bytes) -> tuple[int, str]:
        """A file's bytes POSTed to its upload URL: ``OK - <size>`` as Slack answers."""
        workspace = self._holder(lambda w: w.has_upload(upload_id))
        try:
            with workspace.lock:
                file = workspace.receive_upload(upload_id, data)
        except StandInError as error:
            status = 404 if error.code == "upload_not_found" else 400
            return status, " ".join([error.code, *error.messages])
        return 200, f"OK - {file.length}"

    def file_content(self, file_id: str) -> bytes:
        """The bytes the app uploaded as ``file_id`` (in any workspace)."""
        return self._holder(lambda w: file_id in w.files).file_content(file_id)

    def _answer_response_url(self, target_id: str, body: dict[str, Any]) -> tuple[int, dict]:
        workspace = self._holder(lambda w: target_id in w.response_targets)
        try:
            with workspace.lock:
                return 200, respond_via_url(workspace, target_id, body)
        except StandInError as error:
            return _RESPONSE_URL_STATUS.get(error.code, 400), error.to_response()
        except Exception:
            logger.exception("stand-in failed answering a response_url post")
            return 500, {"ok": False, "error": "internal_error"}


def _decode_json_args(args: dict[str, Any]) -> dict[str, Any]:
    for key in _JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value.strip():
            # Undecodable JSON stays a string; the method answers with its format error.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


class _Handler(BaseHTTPRequestHandler):
    """Parses what slack_sdk (or any Slack client) sends and answers it."""

    standin: SlackStandIn
    server_version = "SlackStandIn/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    # ---------------------------------------------------------------- parsing
    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _parse(self, raw: bytes) -> dict[str, Any]:
        query = urlsplit(self.path).query
        args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        if not raw:
            return args
        content_type = self.headers.get_content_type()
        if content_type == "application/json":
            body = json.loads(raw.decode("utf-8"))
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            args.update(body)
        elif content_type == "multipart/form-data":
            header = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            message = BytesParser(policy=HTTP).parsebytes(header + raw)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name and not part.get_filename():
                    args[str(name)] = part.get_content()
        else:
            args.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        return args

    def _basic_auth(self) -> tuple[str, str] | None:
        """``client_id:client_secret`` of an ``Authorization: Basic`` header, as slack_sdk
        sends them to ``oauth.v2.access``."""
        authorization = self.headers.get("Authorization") or ""
        if not authorization.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret

    def _token(self, args: dict[str, Any]) -> str | None:
        token = args.pop("token", None)
        authorization = self.headers.get("Authorization") or ""
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        return str(token) if token else None

    # --------------------------------------------------------------- answering
    def _handle(self) -> None:
        path = urlsplit(self.path).path
        raw = self._read_body()
        if path.startswith(UPLOAD_PATH) and self.command == "POST":
            self._upload(path.removeprefix(UPLOAD_PATH), raw, path)
            return
        if path == AUTHORIZE_PATH and self.command == "GET":
            self._authorize()
            return
        if path.startswith("/api/"):
            method = path.removeprefix("/api/").strip("/")
        elif path.startswith("/response/") and self.command == "POST":
            method = "response_url"
        else:
            self._send(404, {"ok": False, "error": "not_found"})
            return
        try:
            args = _decode_json_args(self._parse(raw))
        except (ValueError, UnicodeDecodeError):
            token = self._token({})
            self._finish(method, {}, token, path, 200, {"ok": False, "error": "invalid_form_data"})
            return
        token = self._token(args) if method != "response_url" else None

        delay = self.standin._latency_of(method)
        if delay:
            with self.standin._waiting(method):
                time.sleep(delay)  # each request has its own thread: a slow Slack, not a queue
        fault = self.standin._take_fault(method)
        if fault is not None:
            self._fault(fault, method, args, token, path)
            return
        if method == "response_url":
            status, response = self.standin._answer_response_url(
                path.removeprefix("/response/"), args
            )
        elif method == OAUTH_ACCESS:
            status, response = self.standin._answer_oauth_access(args, self._basic_auth())
        else:
            status, response = self.standin._answer_api(method, args, token)
        self._finish(method, args, token, path, status, response)

    def _authorize(self) -> None:
        """Slack's authorize page: the member allows at once and is sent back (302),
        or a plain error page (400) where Slack would not redirect."""
        args = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        status, answer = self.standin._answer_authorize(args)
        if status == 302:
            self.send_response(302)
            self.send_header("Location", answer)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = (
            "<!doctype html><title>Slack</title>"
            f"<h1>Something went wrong</h1><p>{html.escape(answer)}</p>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _upload(self, upload_id: str, raw: bytes, path: str) -> None:
        """The bytes of a file, raw (not form-encoded), to an upload URL."""
        args = {"upload_id": upload_id, "size": len(raw)}
        fault = self.standin._take_fault("file_upload")
        if fault is not None:
            self._fault(fault, "file_upload", args, None, path)
            return
        status, text = self.standin._answer_upload(upload_id, raw)
        self.standin._record(
            ApiCall("file_upload", args, None, status, {"ok": status == 200}, path)
        )
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _fault(
        self, fault: _Fault, method: str, args: dict[str, Any], token: str | None, path: str
    ) -> None:
        if fault.kind == "connection_reset":
            self.standin._record(ApiCall(method, args, token, 0, {}, path))
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if fault.kind == "ratelimited":
            response = {"ok": False, "error": "ratelimited"}
            self._finish(
                method,
                args,
                token,
                path,
                429,
                response,
                headers={"Retry-After": str(fault.retry_after)},
            )
            return
        self._finish(method, args, token, path, 500, {"ok": False, "error": "internal_error"})

    def _finish(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
        path: str,
        status: int,
        response: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        self.standin._record(ApiCall(method, args, token, status, response, path))
        # Slack names the calling token's scopes: those granted at install for an issued one.
        scopes = self.standin.oauth.scope_of(token) if token else None
        if scopes is not None:
            headers = {**(headers or {}), "X-OAuth-Scopes": scopes}
        self._send(status, response, headers)

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        headers = dict(headers or {})
        self.send_header("X-OAuth-Scopes", headers.pop("X-OAuth-Scopes", BOT_SCOPES))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
