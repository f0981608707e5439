"""Socket Mode in the stand-in: apps.connections.open, the WebSocket endpoint, the driver.

The endpoint is checked from three sides: an independent RFC 6455 client
(``websocket-client``), raw frames for what well-behaved clients never send, and
the real ``slack_sdk`` built-in client under Bolt's ``SocketModeHandler``, the one
``council-bot socket`` uses.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import websocket
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.standin.driver import plain
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.socket_driver import SocketAck, SocketModeDriver
from bot.sandbox.standin.socket_mode import (
    CLOSE_GOING_AWAY,
    SocketConnection,
    accept_key,
    encode_frame,
)
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL

NOOR = "U0NOOR0001"
MASK = b"\x11\x22\x33\x44"
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk tunnels Socket Mode through $HTTPS_PROXY; the stand-in is on 127.0.0.1."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def open_link(standin: SlackStandIn) -> str:
    client = WebClient(base_url=standin.api_url, retry_handlers=[])
    return str(client.apps_connections_open(app_token=standin.app_token)["url"])


# --------------------------------------------------------------- a raw client
class RawClient:
    """Speaks the wire directly, to send what well-behaved clients never do."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=5)
        self.target = f"{parts.path}?{parts.query}"
        self.host = f"{parts.hostname}:{parts.port}"
        self._buffer = b""

    def handshake(self, **overrides: str | None) -> tuple[int, dict[str, str], bytes]:
        key = base64.b64encode(os.urandom(16)).decode()
        headers: dict[str, str | None] = {
            "Host": self.host,
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": key,
            "Sec-WebSocket-Version": "13",
            **overrides,
        }
        lines = [f"GET {self.target} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in headers.items() if value is not None]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        while b"\r\n\r\n" not in self._buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self._buffer += chunk
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode().split("\r\n")
        answer = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines)
        }
        if answer.get("sec-websocket-accept") is not None:
            assert answer["sec-websocket-accept"] == accept_key(key)
        return int(status_line.split(" ")[1]), answer, self._buffer

    def _read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError
            self._buffer += chunk
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def read_frame(self) -> tuple[int, bytes]:
        first, second = self._read(2)
        assert not second & 0x80, "server frames are never masked"
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", self._read(2))
        elif size == 127:
            (size,) = struct.unpack("!Q", self._read(8))
        return first & 0x0F, self._read(size)

    def read_json(self) -> dict[str, Any]:
        opcode, data = self.read_frame()
        assert opcode == 0x1
        return dict(json.loads(data))

    def read_close(self) -> int:
        while True:
            opcode, data = self.read_frame()
            if opcode == 0x8:
                return int(struct.unpack("!H", data[:2])[0])

    def send(self, opcode: int, payload: bytes, *, fin: bool = True, masked: bool = True) -> None:
        self.sock.sendall(encode_frame(opcode, payload, fin=fin, mask=MASK if masked else None))

    def closed_by_server(self) -> bool:
        """True once the server ends the TCP connection (EOF or reset) within 5 s."""
        self.sock.settimeout(5)
        try:
            while self.sock.recv(4096):
                pass
        except TimeoutError:
            return False
        except OSError:
            return True
        return True

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw(standin: SlackStandIn) -> Iterator[Callable[[], RawClient]]:
    clients: list[RawClient] = []

    def connect() -> RawClient:
        client = RawClient(open_link(standin))
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


def connected(raw: Callable[[], RawClient]) -> RawClient:
    client = raw()
    status, _, _ = client.handshake()
    assert status == 101
    assert client.read_json()["type"] == "hello"
    return client


# ------------------------------------------------------- apps.connections.open
def test_the_app_token_opens_a_one_time_link(standin: SlackStandIn) -> None:
    url = open_link(standin)
    parts = urlsplit(url)
    assert parts.scheme == "ws" and parts.hostname == "127.0.0.1"
    assert parts.port == standin.socket_mode.port and parts.path == "/link/"
    query = parse_qs(parts.query)
    assert query["app_id"] == [standin.workspace.app_id] and query["ticket"][0]
    call = standin.wait_for("apps.connections.open")
    assert call.ok and call.token == standin.app_token
    assert open_link(standin) != url  # a new ticket each time


@pytest.mark.parametrize(
    ("token", "error"),
    [
        ("bot", "not_allowed_token_type"),
        ("xapp-1-A0OTHER-9999-unknown", "invalid_auth"),
        ("", "not_authed"),
    ],
)
def test_apps_connections_open_takes_only_the_app_token(
    standin: SlackStandIn, token: str, error: str
) -> None:
    client = WebClient(base_url=standin.api_url, retry_handlers=[])
    app_token = standin.bot_token if token == "bot" else token
    with pytest.raises(SlackApiError) as refused:
        client.api_call("apps.connections.open", headers={"Authorization": f"Bearer {app_token}"})
    assert refused.value.response["error"] == error
    assert standin.calls_to("apps.connections.open")[0].error == error


def test_the_app_token_cannot_call_bot_methods(standin: SlackStandIn) -> None:
    client = WebClient(token=standin.app_token, base_url=standin.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel=DEMO_COUNCIL_CHANNEL, text="hi")
    assert refused.value.response["error"] == "not_allowed_token_type"


def test_apps_connections_open_can_be_rate_limited(standin: SlackStandIn) -> None:
    standin.fail_next("apps.connections.open", kind="ratelimited", retry_after=1)
    client = WebClient(base_url=standin.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as refused:
        client.apps_connections_open(app_token=standin.app_token)
    assert refused.value.response.status_code == 429
    assert open_link(standin).startswith("ws://")


# ------------------------------------------------------------- the handshake
def test_an_rfc6455_client_connects_and_hears_hello(standin: SlackStandIn) -> None:
    ws = websocket.create_connection(open_link(standin) + "&debug_reconnects=true", timeout=5)
    try:
        hello = json.loads(ws.recv())
        assert hello == {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {
                "host": "applink-standin",
                "build_number": 1,
                "approximate_connection_time": 360,
            },
            "connection_info": {"app_id": standin.workspace.app_id},
        }
        second = websocket.create_connection(open_link(standin), timeout=5)
        assert json.loads(second.recv())["num_connections"] == 2
        second.close()
        ws.ping(b"are you there")
        opcode, data = ws.recv_data(control_frame=True)
        assert (opcode, data) == (websocket.ABNF.OPCODE_PONG, b"are you there")
        ws.send(json.dumps({"envelope_id": "e-1", "payload": {"text": "ok"}}))
        connection = standin.socket_mode.wait_for_connection()
        assert connection.wait_for_ack("e-1") == {"envelope_id": "e-1", "payload": {"text": "ok"}}
    finally:
        ws.close()


def test_a_link_works_once(standin: SlackStandIn) -> None:
    url = open_link(standin)
    websocket.create_connection(url, timeout=5).close()
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url, timeout=5)
    assert refused.value.status_code == 401
    bogus = url.split("ticket=")[0] + "ticket=made-up"
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(bogus, timeout=5)
    assert [r.status for r in standin.socket_mode.refusals] == [401, 401]


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"Upgrade": None}, 400),
        ({"Connection": "keep-alive"}, 400),
        ({"Sec-WebSocket-Key": "too-short"}, 400),
        ({"Sec-WebSocket-Version": "8"}, 426),
    ],
)
def test_a_broken_handshake_is_refused_and_keeps_the_ticket(
    raw: Callable[[], RawClient],
    standin: SlackStandIn,
    overrides: dict[str, str | None],
    status: int,
) -> None:
    client = raw()
    answer_status, headers, _ = client.handshake(**overrides)
    assert answer_status == status
    if status == 426:
        assert headers["sec-websocket-version"] == "13"
    assert standin.socket_mode.connections == []


def test_only_the_link_path_is_served(standin: SlackStandIn) -> None:
    url = open_link(standin).replace("/link/", "/elsewhere/")
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url, timeout=5)
    assert refused.value.status_code == 404


# ------------------------------------------------------------------ framing
def test_a_fragmented_message_is_reassembled(
    raw: Callable[[], RawClient], standin: SlackStandIn
) -> None:
    client = connected(raw)
    ack = json.dumps({"envelope_id": "frag", "payload": {"text": "é" * 200}}).encode()
    client.send(0x1, ack[:10], fin=False)
    client.send(0x9, b"between fragments")  # control frames may interleave
    client.send(0x0, ack[10:150], fin=False)
    client.send(0x0, ack[150:])
    assert client.read_frame() == (0xA, b"between fragments")
    connection = standin.socket_mode.wait_for_connection()
    assert connection.wait_for_ack("frag")["payload"]["text"] == "é" * 200


def test_a_large_message_uses_the_64_bit_length(
    raw: Callable[[], RawClient], standin: SlackStandIn
) -> None:
    client = connected(raw)
    client.send(0x1, json.dumps({"envelope_id": "big", "payload": {"text": "x" * 70_000}}).encode())
    connection = standin.socket_mode.wait_for_connection()
    assert len(connection.wait_for_ack("big")["payload"]["text"]) == 70_000
    connection.send_json({"type": "probe", "data": "y" * 70_000})
    assert len(client.read_json()["data"]) == 70_000


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"opcode": 0x1, "payload": b'{"envelope_id": "x"}', "masked": False}, 1002),
        ({"opcode": 0x2, "payload": b"\x00\x01"}, 1003),
        ({"opcode": 0x1, "payload": b"\xff\xfe"}, 1007),
        ({"opcode": 0x0, "payload": b"nothing started"}, 1002),
        ({"opcode": 0x9, "payload": b"x" * 126}, 1002),
        ({"opcode": 0x3, "payload": b""}, 1002),
    ],
)
def test_protocol_errors_close_with_the_rfc_code(
    raw: Callable[[], RawClient], standin: SlackStandIn, frame: dict[str, Any], code: int
) -> None:
    client = connected(raw)
    client.send(**frame)
    assert client.read_close() == code
    assert client.closed_by_server()
    connection = standin.socket_mode.wait_for_connection()
    assert connection.wait_closed()
    assert (connection.close_code, connection.closed_by) == (code, "server")


def test_a_client_close_is_echoed_and_recorded(
    raw: Callable[[], RawClient], standin: SlackStandIn
) -> None:
    client = connected(raw)
    client.send(0x8, struct.pack("!H", 4000) + b"bye")
    assert client.read_close() == 4000
    connection = standin.socket_mode.wait_for_connection()
    assert connection.wait_closed()
    assert (connection.close_code, connection.close_reason, connection.closed_by) == (
        4000,
        "bye",
        "client",
    )


def test_a_server_close_reaches_the_client(standin: SlackStandIn) -> None:
    ws = websocket.create_connection(open_link(standin), timeout=5)
    ws.recv()
    connection = standin.socket_mode.wait_for_connection()
    connection.close(CLOSE_GOING_AWAY, "maintenance", timeout=0.2)
    opcode, data = ws.recv_data(control_frame=True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert struct.unpack("!H", data[:2])[0] == CLOSE_GOING_AWAY and data[2:] == b"maintenance"
    ws.close()
    assert connection.wait_closed() and not connection.is_open


def test_stopping_the_standin_closes_connections_going_away(standin: SlackStandIn) -> None:
    ws = websocket.create_connection(open_link(standin), timeout=5)
    ws.recv()
    standin.stop()
    opcode, data = ws.recv_data(control_frame=True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert struct.unpack("!H", data[:2])[0] == CLOSE_GOING_AWAY
    ws.close()


# ----------------------------------------------------- the real slack_sdk client
@pytest.fixture
def socket_app(standin: SlackStandIn) -> App:
    """A Bolt app with no signing secret whose Web API client talks to the stand-in."""
    return App(
        client=WebClient(token=standin.bot_token, base_url=standin.api_url),
        signing_secret="",
    )


@pytest.fixture
def connect(standin: SlackStandIn, socket_app: App) -> Iterator[Callable[[], SocketModeHandler]]:
    handlers: list[SocketModeHandler] = []

    def start() -> SocketModeHandler:
        handler = SocketModeHandler(socket_app, standin.app_token)
        handler.connect()
        handlers.append(handler)
        return handler

    yield start
    for handler in handlers:
        close_handler(standin, handler)


def close_handler(standin: SlackStandIn, handler: SocketModeHandler) -> None:
    """Close like Slack ending the connection; slack_sdk's own close() waits out a 3 s recv."""
    handler.client.auto_reconnect_enabled = False
    for connection in standin.socket_mode.active_connections:
        connection.close(timeout=0.5)
    handler.close()


def test_the_slack_sdk_client_pings_and_answers_pings(
    standin: SlackStandIn, connect: Callable[[], SocketModeHandler]
) -> None:
    connect()
    connection = standin.socket_mode.wait_for_connection()
    deadline = time.monotonic() + 5
    while connection.pings_received == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert connection.pings_received >= 1  # slack_sdk pings right after the handshake
    connection.ping(b"from-slack")  # returns once the matching pong is back


def test_the_driver_delivers_a_slash_command_and_returns_the_ack(
    standin: SlackStandIn, socket_app: App, connect: Callable[[], SocketModeHandler]
) -> None:
    seen: list[BoltRequest] = []

    @socket_app.command("/mission")
    def command(ack: Ack, respond: Respond, request: BoltRequest) -> None:
        seen.append(request)
        ack(text="On it")
        respond("done")

    connect()
    ack = SocketModeDriver(standin).command(
        user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/mission", text="help"
    )
    assert isinstance(ack, SocketAck)
    assert ack.status == 200 and ack.json == {"text": "On it"}
    assert ack.ack == {"envelope_id": ack.envelope_id, "payload": {"text": "On it"}}
    assert ack.envelope["type"] == "slash_commands"
    assert ack.envelope["accepts_response_payload"] is True
    assert "retry_attempt" not in ack.envelope
    assert ack.envelope["payload"] == ack.payload
    assert ack.payload is not None and ack.payload["text"] == "help"
    assert seen[0].mode == "socket_mode" and seen[0].body["command"] == "/mission"
    assert standin.wait_for("response_url").args["text"] == "done"


def test_the_same_payloads_as_the_http_driver(
    standin: SlackStandIn, socket_app: App, connect: Callable[[], SocketModeHandler]
) -> None:
    socket_app.command("/x")(lambda ack: ack())
    connect()
    ack = SocketModeDriver(standin).command(user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="x")
    assert ack.payload is not None
    assert set(ack.payload) == {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    }
    assert ack.payload["command"] == "/x" and ack.json is None  # an empty ack has no payload


def test_a_view_submission_answer_comes_back_in_the_ack(
    standin: SlackStandIn, socket_app: App, connect: Callable[[], SocketModeHandler]
) -> None:
    modal = {
        "type": "modal",
        "callback_id": "draft",
        "title": {"type": "plain_text", "text": "Draft"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "mission",
                "label": {"type": "plain_text", "text": "Mission"},
                "element": {"type": "plain_text_input", "action_id": "text"},
            }
        ],
    }

    @socket_app.command("/draft")
    def open_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modal)

    @socket_app.view("draft")
    def submit(ack: Ack, view: dict[str, Any]) -> None:
        if not view["state"]["values"]["mission"]["text"]["value"]:
            ack(response_action="errors", errors={"mission": "Say what the role is for."})
        else:
            ack()

    connect()
    driver = SocketModeDriver(standin)
    driver.command(user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/draft")
    view_id = standin.wait_for("views.open").response["view"]["id"]
    refused = driver.view_submission(
        user=NOOR, view_id=view_id, values={"mission": {"text": plain("")}}
    )
    assert refused.envelope["type"] == "interactive"
    assert refused.json == {
        "response_action": "errors",
        "errors": {"mission": "Say what the role is for."},
    }
    assert [v["id"] for v in standin.workspace.modal_stack(NOOR)] == [view_id]  # still open
    accepted = driver.view_submission(
        user=NOOR, view_id=view_id, values={"mission": {"text": plain("Ship it")}}
    )
    assert accepted.json is None and standin.workspace.modal_stack(NOOR) == []


def test_events_carry_retry_fields_and_bolt_sees_retries(
    standin: SlackStandIn, socket_app: App, connect: Callable[[], SocketModeHandler]
) -> None:
    retries: list[str | None] = []

    @socket_app.event("app_home_opened")
    def home(ack: Ack, request: BoltRequest) -> None:
        ack()
        retries.append(request.headers.get("x-slack-retry-num", [None])[0])

    connect()
    driver = SocketModeDriver(standin)
    first = driver.app_home_opened(user=NOOR)
    assert first.envelope["type"] == "events_api"
    assert first.envelope["accepts_response_payload"] is False
    assert (first.envelope["retry_attempt"], first.envelope["retry_reason"]) == (0, "")
    assert first.payload is not None and first.payload["type"] == "event_callback"
    again = driver.redeliver(first.payload, retry_num=2)
    assert again.envelope["retry_attempt"] == 2 and again.envelope_id != first.envelope_id
    deadline = time.monotonic() + 5  # Bolt acks events first, then runs the listener
    while len(retries) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(retries, key=str) == ["0", "2"]


def test_every_envelope_is_acked_with_its_own_id(
    standin: SlackStandIn, socket_app: App, connect: Callable[[], SocketModeHandler]
) -> None:
    @socket_app.command("/slow")
    def slow(ack: Ack, command: dict[str, Any]) -> None:
        time.sleep(0.04 * (5 - int(command["text"])))  # later envelopes ack first
        ack(text=command["text"])

    connect()
    driver = SocketModeDriver(standin)

    def run(n: int) -> SocketAck:
        answer = driver.command(
            user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/slow", text=str(n)
        )
        assert isinstance(answer, SocketAck)
        return answer

    with ThreadPoolExecutor(max_workers=5) as pool:
        acks = list(pool.map(run, range(5)))
    for n, ack in enumerate(acks):
        assert ack.ack == {"envelope_id": ack.envelope["envelope_id"], "payload": {"text": str(n)}}
    assert len({ack.envelope_id for ack in acks}) == 5


def test_socket_mode_requests_are_not_signed(standin: SlackStandIn) -> None:
    driver = SocketModeDriver(standin)
    with pytest.raises(TypeError):
        driver.command(user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/x", signature="bad")
    with pytest.raises(TypeError):
        driver.url_verification()


def test_an_envelope_nobody_acks_times_out(standin: SlackStandIn) -> None:
    ws = websocket.create_connection(open_link(standin), timeout=5)  # reads, never acks
    try:
        driver = SocketModeDriver(standin, timeout=0.3)
        with pytest.raises(TimeoutError, match="did not acknowledge"):
            driver.app_home_opened(user=NOOR)
    finally:
        ws.close()


def test_without_a_connection_the_driver_times_out(standin: SlackStandIn) -> None:
    with pytest.raises(TimeoutError, match="no app connected"):
        SocketModeDriver(standin, timeout=0.2).app_home_opened(user=NOOR)


def test_a_disconnect_makes_the_client_reconnect_with_a_new_link(
    standin: SlackStandIn, socket_app: App, connect: Callable[[], SocketModeHandler]
) -> None:
    @socket_app.command("/ping")
    def ping(ack: Ack) -> None:
        ack(text="pong")

    connect()
    first: SocketConnection = standin.socket_mode.wait_for_connection()
    first.disconnect("refresh_requested")
    assert first.sent[-1] == {
        "type": "disconnect",
        "reason": "refresh_requested",
        "debug_info": {"host": "applink-standin"},
    }
    second = standin.socket_mode.wait_for_connection(count=2)
    assert len(standin.calls_to("apps.connections.open")) == 2
    assert first.wait_closed()  # the client drops the old connection once the new one is up
    ack = SocketModeDriver(standin).command(
        user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/ping"
    )
    assert ack.json == {"text": "pong"} and ack.connection_id == second.id
