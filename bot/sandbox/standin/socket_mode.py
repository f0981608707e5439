"""Slack's Socket Mode, offline: a minimal RFC 6455 WebSocket server for the stand-in.

An app in Socket Mode calls ``apps.connections.open`` with its app-level token
(``xapp-``) and gets a one-time link; :class:`SocketModeServer` mints those
links (``ws://127.0.0.1:PORT/link/?ticket=...&app_id=...``) and serves them:

1. the WebSocket handshake (``Sec-WebSocket-Accept``); an unknown or already
   used ticket is refused with HTTP 401 (the stand-in's choice: Slack does not
   document its answer), anything that is not a version 13 WebSocket upgrade
   with 400 or 426;
2. Slack's ``hello`` frame (``connection_info``, ``num_connections``,
   ``debug_info``);
3. envelopes sent by the test (see :meth:`SocketConnection.send_envelope` and
   ``bot.sandbox.standin.socket_driver``), and the app's acknowledgements
   ``{"envelope_id": ..., "payload": ...}`` read back;
4. ``{"type": "disconnect", "reason": ...}`` frames, pings, pongs and the close
   handshake.

Only the parts of RFC 6455 a Socket Mode client uses are served: no extensions
and no subprotocols; text frames both ways (client frames must be masked,
server frames are not); fragmented messages are reassembled; binary messages
are refused with close code 1003. Protocol errors close with 1002, invalid
UTF-8 with 1007 and oversized messages with 1009, as the RFC says.

Connections are not refreshed on a timer: a test sends ``disconnect`` (or
closes the connection) when it wants the app to reconnect.

The link is ``ws://`` (plain TCP on 127.0.0.1), where Slack's is ``wss://``:
``slack_sdk``'s built-in client picks TLS by port (443) and not by scheme, so
it connects to this link unchanged, and so does ``websocket-client``. The TLS
leg of a real connection (``wss://`` on 443 with the Web API client's SSL
context, or through an HTTPS proxy) is the one part not exercised offline.

Only the standard library is used.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import logging
import secrets
import socket
import socketserver
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.sandbox.standin.state import Workspace

__all__ = [
    "CLOSE_GOING_AWAY",
    "CLOSE_NORMAL",
    "CLOSE_PROTOCOL_ERROR",
    "SocketConnection",
    "SocketModeServer",
    "accept_key",
    "encode_frame",
]

logger = logging.getLogger(__name__)

#: RFC 6455 section 1.3: appended to ``Sec-WebSocket-Key`` before hashing.
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
_DATA_OPCODES = frozenset({OP_CONTINUATION, OP_TEXT, OP_BINARY})
_CONTROL_OPCODES = frozenset({OP_CLOSE, OP_PING, OP_PONG})

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_UNSUPPORTED_DATA = 1003
CLOSE_NO_STATUS = 1005
CLOSE_ABNORMAL = 1006
CLOSE_INVALID_DATA = 1007
CLOSE_TOO_BIG = 1009
# Codes an endpoint may put in a close frame (RFC 6455 section 7.4).
_SENDABLE_CLOSE_CODES = frozenset({1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011})

#: Largest message (after reassembly) the stand-in accepts; acks are small.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
_MAX_HANDSHAKE_BYTES = 16 * 1024
#: Slack's ``hello`` reports how long a connection lives before a refresh (seconds).
APPROXIMATE_CONNECTION_TIME = 18060
#: With ``&debug_reconnects=true`` in the link, Slack refreshes after 360 seconds.
DEBUG_RECONNECTS_CONNECTION_TIME = 360
LINK_PATH = "/link/"
DEBUG_HOST = "applink-standin"

_HTTP_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    426: "Upgrade Required",
}


class WebSocketProtocolError(Exception):
    """The peer broke RFC 6455; the connection is closed with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = reason


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a ``Sec-WebSocket-Key`` (RFC 6455 section 4.2.2)."""
    digest = hashlib.sha1((key + WEBSOCKET_GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def _apply_mask(data: bytes, mask: bytes) -> bytes:
    """XOR ``data`` with the 4-byte ``mask`` repeated (masking and unmasking alike)."""
    if not data:
        return data
    size = len(data)
    repeated = (mask * (size // 4 + 1))[:size]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(size, "big")


def encode_frame(
    opcode: int, payload: bytes, *, fin: bool = True, mask: bytes | None = None
) -> bytes:
    """One WebSocket frame. Servers send unmasked frames; pass ``mask`` to play a client."""
    first = (0x80 if fin else 0) | opcode
    masked = 0x80 if mask is not None else 0
    size = len(payload)
    if size <= 125:
        header = struct.pack("!BB", first, masked | size)
    elif size <= 0xFFFF:
        header = struct.pack("!BBH", first, masked | 126, size)
    else:
        header = struct.pack("!BBQ", first, masked | 127, size)
    if mask is None:
        return header + payload
    if len(mask) != 4:
        raise ValueError("a frame mask is 4 bytes")
    return header + mask + _apply_mask(payload, mask)


def close_payload(code: int, reason: str = "") -> bytes:
    """The body of a close frame: a 2-byte status code and a UTF-8 reason."""
    return struct.pack("!H", code) + reason.encode("utf-8")[:123]


@dataclass
class _Frame:
    fin: bool
    opcode: int
    payload: bytes


def _read_frame(read: Callable[[int], bytes]) -> _Frame:
    """Read one client frame; raise :class:`WebSocketProtocolError` on a broken one."""
    first, second = read(2)
    fin, rsv, opcode = bool(first & 0x80), first & 0x70, first & 0x0F
    masked, size = bool(second & 0x80), second & 0x7F
    if rsv:
        raise WebSocketProtocolError(CLOSE_PROTOCOL_ERROR, "no extension was negotiated")
    if opcode not in _DATA_OPCODES | _CONTROL_OPCODES:
        raise WebSocketProtocolError(CLOSE_PROTOCOL_ERROR, f"unknown opcode {opcode:#x}")
    if not masked:
        raise WebSocketProtocolError(CLOSE_PROTOCOL_ERROR, "client frames must be masked")
    if opcode in _CONTROL_OPCODES and (not fin or size > 125):
        raise WebSocketProtocolError(CLOSE_PROTOCOL_ERROR, "malformed control frame")
    if size == 126:
        (size,) = struct.unpack("!H", read(2))
    elif size == 127:
        (size,) = struct.unpack("!Q", read(8))
        if size >> 63:
            raise WebSocketProtocolError(CLOSE_PROTOCOL_ERROR, "frame length out of range")
    if size > MAX_MESSAGE_BYTES:
        raise WebSocketProtocolError(CLOSE_TOO_BIG, "message too big")
    mask = read(4)
    return _Frame(fin, opcode, _apply_mask(read(size), mask))


@dataclass
class Refusal:
    """A connection attempt the server answered with an HTTP error instead of 101."""

    path: str
    status: int
    reason: str


@dataclass(eq=False)
class SocketConnection:
    """One app connection, from the server's side.

    ``received`` holds every text message the app sent (parsed JSON, or the raw
    string when it is not JSON), acks included; ``acks`` maps envelope ids to
    ack messages. ``close_code`` / ``close_reason`` say how it ended
    (``1006``: the TCP connection dropped without a close frame).
    """

    server: SocketModeServer
    ticket: str
    debug_reconnects: bool = False
    id: str = field(default_factory=lambda: f"conn-{uuid.uuid4().hex[:12]}")
    opened_at: float = field(default_factory=time.time)
    received: list[Any] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    pings_received: int = 0
    pongs_received: list[bytes] = field(default_factory=list)
    ready: bool = False  # the hello was sent
    draining: bool = False
    close_code: int | None = None
    close_reason: str = ""
    closed_by: str | None = None  # "client", "server" or "network"

    def __post_init__(self) -> None:
        self._sock: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._close_sent = False
        self._closed = threading.Event()

    # ------------------------------------------------------------------ state
    @property
    def is_open(self) -> bool:
        return self._sock is not None and not self._closed.is_set() and not self._close_sent

    @property
    def is_active(self) -> bool:
        """Greeted, open and not told to go away: Slack would deliver envelopes here."""
        return self.ready and self.is_open and not self.draining

    def wait_closed(self, timeout: float = 5.0) -> bool:
        """Wait until the TCP connection is gone; True if it is."""
        return self._closed.wait(timeout)

    # ---------------------------------------------------------------- sending
    def send_text(self, text: str) -> None:
        self._send_frame(OP_TEXT, text.encode("utf-8"))

    def send_json(self, message: dict[str, Any]) -> None:
        self.send_text(json.dumps(message))
        with self.server.condition:
            self.sent.append(message)

    def send_envelope(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
        envelope_id: str | None = None,
    ) -> dict[str, Any]:
        """Send ``payload`` in a Socket Mode envelope; returns the envelope.

        ``type`` is ``slash_commands``, ``interactive`` or ``events_api``
        (``retry_attempt`` / ``retry_reason`` are only sent for the latter).
        """
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id or str(uuid.uuid4()),
            "payload": payload,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
        }
        if retry_attempt is not None:
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason or ""
        self.send_json(envelope)
        return envelope

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The app's ack for ``envelope_id``; ``TimeoutError`` if none comes in time."""
        deadline = time.monotonic() + timeout
        with self.server.condition:
            while envelope_id not in self.acks:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed.is_set():
                    state = "closed" if self._closed.is_set() else "open"
                    raise TimeoutError(
                        f"the app did not acknowledge envelope {envelope_id} within "
                        f"{timeout}s (connection {self.id} is {state}; "
                        f"{len(self.acks)} other acks received)"
                    )
                self.server.condition.wait(min(remaining, 0.05))
            return self.acks[envelope_id]

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does before refreshing a connection.

        The connection stays open (the app closes it once it has a new one) but
        no more envelopes are sent on it. Slack's reasons: ``warning``,
        ``refresh_requested``, ``link_disabled``.
        """
        self.draining = True
        self.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": DEBUG_HOST}})

    def ping(self, payload: bytes = b"", *, timeout: float = 5.0) -> None:
        """Send a ping and wait for the matching pong (RFC 6455 section 5.5.2)."""
        self._send_frame(OP_PING, payload)
        deadline = time.monotonic() + timeout
        with self.server.condition:
            while payload not in self.pongs_received:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no pong for {payload!r} within {timeout}s")
                self.server.condition.wait(min(remaining, 0.05))

    def close(self, code: int = CLOSE_NORMAL, reason: str = "", *, timeout: float = 1.0) -> None:
        """Start the close handshake; drop the TCP connection if the app does not answer."""
        if self._closed.is_set():
            return
        self._send_close(code, reason)
        if not self._closed.wait(timeout):
            self._drop()

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        with self._send_lock:
            sock = self._sock
            if sock is None or self._close_sent:
                raise ConnectionError(f"connection {self.id} is closed")
            sock.sendall(encode_frame(opcode, payload))

    def _send_close(self, code: int, reason: str = "") -> None:
        with self._send_lock:
            if self._close_sent or self._sock is None:
                return
            payload = b"" if code == CLOSE_NO_STATUS else close_payload(code, reason)
            with contextlib.suppress(OSError):
                self._sock.sendall(encode_frame(OP_CLOSE, payload))
            self._close_sent = True
        if self.close_code is None:
            self.close_code, self.close_reason, self.closed_by = code, reason, "server"

    def _drop(self) -> None:
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    # ---------------------------------------------------------------- reading
    def _serve(self, read: Callable[[int], bytes]) -> None:
        """Read frames until the connection ends (runs in the connection's thread)."""
        fragments: list[bytes] = []
        fragment_opcode: int | None = None
        try:
            while True:
                frame = _read_frame(read)
                if frame.opcode in _CONTROL_OPCODES:
                    if self._on_control(frame):
                        return
                    continue
                if frame.opcode == OP_CONTINUATION:
                    if fragment_opcode is None:
                        raise WebSocketProtocolError(CLOSE_PROTOCOL_ERROR, "nothing to continue")
                elif fragment_opcode is not None:
                    raise WebSocketProtocolError(CLOSE_PROTOCOL_ERROR, "message interleaved")
                else:
                    fragment_opcode = frame.opcode
                fragments.append(frame.payload)
                if sum(len(part) for part in fragments) > MAX_MESSAGE_BYTES:
                    raise WebSocketProtocolError(CLOSE_TOO_BIG, "message too big")
                if not frame.fin:
                    continue
                message, opcode = b"".join(fragments), fragment_opcode
                fragments, fragment_opcode = [], None
                if opcode == OP_BINARY:
                    raise WebSocketProtocolError(
                        CLOSE_UNSUPPORTED_DATA, "Socket Mode speaks JSON text frames"
                    )
                try:
                    text = message.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise WebSocketProtocolError(CLOSE_INVALID_DATA, "invalid UTF-8") from error
                self._on_text(text)
        except WebSocketProtocolError as error:
            logger.info("closing %s: %s", self.id, error)
            self._send_close(error.code, error.reason)
        except (EOFError, OSError, ValueError):
            pass  # the peer went away (or the server is stopping)

    def _on_control(self, frame: _Frame) -> bool:
        """Answer a control frame; True when the connection is over."""
        if frame.opcode == OP_PING:
            with self.server.condition:
                self.pings_received += 1
            with contextlib.suppress(OSError):
                self._send_frame(OP_PONG, frame.payload)
            return False
        if frame.opcode == OP_PONG:
            with self.server.condition:
                self.pongs_received.append(frame.payload)
                self.server.condition.notify_all()
            return False
        code, reason = _parse_close(frame.payload)
        if self.close_code is None:
            self.close_code, self.close_reason, self.closed_by = code, reason, "client"
        # Echo the status code (RFC 6455 section 5.5.1), then the server closes TCP first.
        self._send_close(CLOSE_NORMAL if code == CLOSE_NO_STATUS else code)
        return True

    def _on_text(self, text: str) -> None:
        try:
            message: Any = json.loads(text)
        except ValueError:
            message = text
        with self.server.condition:
            self.received.append(message)
            if isinstance(message, dict) and isinstance(message.get("envelope_id"), str):
                self.acks.setdefault(message["envelope_id"], message)
            self.server.condition.notify_all()


def _parse_close(payload: bytes) -> tuple[int, str]:
    if not payload:
        return CLOSE_NO_STATUS, ""
    if len(payload) == 1:
        raise WebSocketProtocolError(CLOSE_PROTOCOL_ERROR, "close frame of one byte")
    (code,) = struct.unpack("!H", payload[:2])
    if code not in _SENDABLE_CLOSE_CODES and not 3000 <= code <= 4999:
        raise WebSocketProtocolError(CLOSE_PROTOCOL_ERROR, f"invalid close code {code}")
    try:
        return code, payload[2:].decode("utf-8")
    except UnicodeDecodeError as error:
        raise WebSocketProtocolError(CLOSE_INVALID_DATA, "invalid UTF-8 in close") from error


# ------------------------------------------------------------------ handshake
@dataclass
class _Handshake:
    method: str
    target: str
    version: str
    headers: dict[str, str]


def _read_handshake(rfile: Any) -> _Handshake:
    request_line = rfile.readline(_MAX_HANDSHAKE_BYTES).decode("latin-1").rstrip("\r\n")
    parts = request_line.split(" ")
    if len(parts) != 3:
        raise ValueError(f"malformed request line {request_line!r}")
    headers: dict[str, str] = {}
    total = len(request_line)
    while True:
        line = rfile.readline(_MAX_HANDSHAKE_BYTES).decode("latin-1")
        total += len(line)
        if total > _MAX_HANDSHAKE_BYTES:
            raise ValueError("handshake too large")
        if not line:
            raise EOFError("connection closed during the handshake")
        line = line.rstrip("\r\n")
        if not line:
            break
        name, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"malformed header line {line!r}")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    return _Handshake(parts[0], parts[1], parts[2], headers)


def _tokens(value: str | None) -> set[str]:
    return {token.strip().lower() for token in (value or "").split(",") if token.strip()}


def _valid_key(key: str | None) -> bool:
    if not key:
        return False
    try:
        return len(base64.b64decode(key.encode("ascii"), validate=True)) == 16
    except (binascii.Error, UnicodeEncodeError):
        return False


class _Handler(socketserver.StreamRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        standin = self.server.socket_mode
        try:
            handshake = _read_handshake(self.rfile)
        except (ValueError, UnicodeDecodeError):
            self._refuse("", 400, "malformed handshake")
            return
        except (EOFError, OSError):
            return
        refusal = standin._check_handshake(handshake)
        if refusal is not None:
            self._refuse(handshake.target, *refusal)
            return
        query = parse_qs(urlsplit(handshake.target).query)
        ticket = (query.get("ticket") or [""])[0]
        connection = SocketConnection(
            server=standin,
            ticket=ticket,
            debug_reconnects=(query.get("debug_reconnects") or [""])[0] == "true",
        )
        response = (
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept_key(handshake.headers['sec-websocket-key'])}\r\n"
            "\r\n"
        )
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.wfile.write(response.encode("ascii"))
        connection._sock = self.connection
        try:
            standin._opened(connection)
            connection._serve(self._read_exact)
        except OSError:
            pass  # closed while saying hello (the server is stopping)
        finally:
            standin._ended(connection)

    def _read_exact(self, size: int) -> bytes:
        data = self.rfile.read(size) if size else b""
        if len(data) < size:
            raise EOFError("connection closed")
        return data

    def _refuse(self, path: str, status: int, reason: str, extra: str = "") -> None:
        self.server.socket_mode._refused(Refusal(path, status, reason))
        body = reason.encode("utf-8")
        head = (
            f"HTTP/1.1 {status} {_HTTP_REASONS.get(status, 'Error')}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"{extra}"
            "Connection: close\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            self.wfile.write(head.encode("ascii") + body)


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    socket_mode: SocketModeServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.exception("Socket Mode stand-in failed serving %s", client_address)


# --------------------------------------------------------------------- server
class SocketModeServer:
    """Slack's Socket Mode endpoint on ``127.0.0.1`` (port chosen by the OS).

    ``SlackStandIn`` starts one on the first ``apps.connections.open`` call
    (``standin.socket_mode``); tests can also run one directly.
    """

    def __init__(self, workspace: Workspace, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.workspace = workspace
        self._host = host
        self._requested_port = port
        self._server: _TCPServer | None = None
        self._thread: threading.Thread | None = None
        self.condition = threading.Condition()
        self._tickets: set[str] = set()
        self._connections: list[SocketConnection] = []
        self._refusals: list[Refusal] = []

    # --------------------------------------------------------------- lifecycle
    def start(self) -> SocketModeServer:
        if self._server is not None:
            return self
        server = _TCPServer((self._host, self._requested_port), _Handler)
        server.socket_mode = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="slack-standin-socket-mode",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection (going away, 1001) and release the port."""
        if self._server is None:
            return
        for connection in self.connections:
            if connection.is_open:
                connection.close(CLOSE_GOING_AWAY, "server stopping", timeout=0.2)
            connection._drop()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> SocketModeServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the Socket Mode server is not running; call start() first")
        return int(self._server.server_address[1])

    # ------------------------------------------------------------------ links
    def open_link(self) -> str:
        """A one-time link for ``apps.connections.open`` to hand out."""
        ticket = secrets.token_hex(16)
        with self.condition:
            self._tickets.add(ticket)
        return (
            f"ws://{self._host}:{self.port}{LINK_PATH}"
            f"?ticket={ticket}&app_id={self.workspace.app_id}"
        )

    def _check_handshake(self, handshake: _Handshake) -> tuple[int, str, str] | None:
        """Why a handshake is refused (status, reason, extra header lines), or None."""
        if handshake.method != "GET" or handshake.version != "HTTP/1.1":
            return 405, "a WebSocket handshake is GET with HTTP/1.1", "Allow: GET\r\n"
        parsed = urlsplit(handshake.target)
        if parsed.path.rstrip("/") != LINK_PATH.rstrip("/"):
            return 404, "not found", ""
        headers = handshake.headers
        if "websocket" not in _tokens(headers.get("upgrade")) or "upgrade" not in _tokens(
            headers.get("connection")
        ):
            return 400, "not a WebSocket upgrade", ""
        if headers.get("sec-websocket-version") != "13":
            return 426, "unsupported WebSocket version", "Sec-WebSocket-Version: 13\r\n"
        if not _valid_key(headers.get("sec-websocket-key")):
            return 400, "invalid Sec-WebSocket-Key", ""
        ticket = (parse_qs(parsed.query).get("ticket") or [""])[0]
        with self.condition:
            if ticket not in self._tickets:
                return 401, "invalid or used ticket", ""
            self._tickets.discard(ticket)  # links are one-time
        return None

    # ------------------------------------------------------------ connections
    @property
    def connections(self) -> list[SocketConnection]:
        """Every connection so far, in the order they opened (a snapshot)."""
        with self.condition:
            return list(self._connections)

    @property
    def active_connections(self) -> list[SocketConnection]:
        return [c for c in self.connections if c.is_active]

    @property
    def refusals(self) -> list[Refusal]:
        with self.condition:
            return list(self._refusals)

    def wait_for_connection(self, *, count: int = 1, timeout: float = 5.0) -> SocketConnection:
        """Wait until ``count`` connections are open and greeted; returns the ``count``-th."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while len(self._connections) < count or not self._connections[count - 1].ready:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"expected {count} Socket Mode connection(s) within {timeout}s, "
                        f"got {len(self._connections)}; refused: {self._refusals}"
                    )
                self.condition.wait(min(remaining, 0.05))
            return self._connections[count - 1]

    def current(self, *, timeout: float = 5.0) -> SocketConnection:
        """The newest active connection (Slack may use any), waiting for one."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                active = [c for c in self._connections if c.is_active]
                if active:
                    return active[-1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no app connected in Socket Mode within {timeout}s")
                self.condition.wait(min(remaining, 0.05))

    def _opened(self, connection: SocketConnection) -> None:
        """Say hello, then make the connection available for envelopes."""
        with self.condition:
            self._connections.append(connection)  # from now on, stop() closes it
            open_count = sum(1 for c in self._connections if c.is_open)
        connection_time = (
            DEBUG_RECONNECTS_CONNECTION_TIME
            if connection.debug_reconnects
            else APPROXIMATE_CONNECTION_TIME
        )
        connection.send_json(
            {
                "type": "hello",
                "num_connections": open_count,
                "debug_info": {
                    "host": DEBUG_HOST,
                    "build_number": 1,
                    "approximate_connection_time": connection_time,
                },
                "connection_info": {"app_id": self.workspace.app_id},
            }
        )
        with self.condition:
            connection.ready = True
            self.condition.notify_all()

    def _ended(self, connection: SocketConnection) -> None:
        if connection.close_code is None:
            connection.close_code, connection.closed_by = CLOSE_ABNORMAL, "network"
        with connection._send_lock:
            connection._sock = None
        connection._closed.set()
        with self.condition:
            self.condition.notify_all()

    def _refused(self, refusal: Refusal) -> None:
        with self.condition:
            self._refusals.append(refusal)
            self.condition.notify_all()
