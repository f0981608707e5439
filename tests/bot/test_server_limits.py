"""`POST /slack/events` verifies before it parses, and reads no more than Slack ever sends.

Against the real app served by uvicorn (the `slack` fixture): an unsigned body is refused
with 401 whatever it holds, a body over MAX_BODY_BYTES with 413 before (Content-Length) or
while (chunked) it streams in, and a signed body Bolt cannot make sense of with a clean 400;
none of them leaves a traceback in the log, and the app serves the next request as before.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import socket
import time
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from bot.server import EVENTS_PATH, MAX_BODY_BYTES, METRICS_PATH
from tests.plugins.slack import SIGNING_SECRET, Slack

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def signed_headers(body: bytes, *, content_type: str = FORM) -> dict[str, str]:
    timestamp = str(int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def post(slack: Slack, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST raw bytes to the Slack endpoint; (status, body)."""
    parts = urlsplit(slack.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request("POST", EVENTS_PATH, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


def raw_exchange(slack: Slack, head: bytes, body: bytes) -> tuple[int, bytes]:
    """Send a request head and part of a body over a socket, never finishing the body;
    read the answer the server gives without waiting for the rest."""
    parts = urlsplit(slack.url)
    with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=10) as sock:
        sock.sendall(head + body)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    status_line = received.split(b"\r\n", 1)[0]
    return int(status_line.split()[1]), received


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert "Traceback" not in caplog.text, caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def still_serves(slack: Slack) -> None:
    """The app answers a real slash command after whatever was refused."""
    answer = slack.driver.command(
        user=slack.noor, channel=slack.council, command="/mission", text="help"
    )
    assert answer.status == 200, answer.body
    with urllib.request.urlopen(slack.url + "/healthz", timeout=10) as health:
        assert health.status == 200
    with urllib.request.urlopen(slack.url + METRICS_PATH, timeout=10) as metrics:
        assert metrics.status == 200 and b"council_ack_seconds" in metrics.read()


# --- signature first ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"payload=not-json{{", {"Content-Type": FORM}),  # no signature headers at all
        (b"payload=not-json{{", {"Content-Type": FORM, "X-Slack-Signature": "v0=00"}),
        (
            b"payload=not-json{{",
            {
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": "not-a-number",
                "X-Slack-Signature": "v0=00",
            },
        ),
        (b"\xff\xfe not even utf-8", {"Content-Type": FORM}),
        (b"[1, 2", {"Content-Type": JSON}),
    ],
    ids=["unsigned", "bad-signature", "bad-timestamp", "not-utf8", "broken-json"],
)
def test_an_unsigned_body_is_refused_with_401_before_it_is_parsed(
    slack: Slack, caplog: pytest.LogCaptureFixture, body: bytes, headers: dict[str, str]
) -> None:
    caplog.set_level(logging.DEBUG)
    status, text = post(slack, body, headers)
    assert status == 401, text
    assert json.loads(text) == {"error": "invalid request"}
    no_traceback(caplog)
    still_serves(slack)


def test_a_correct_signature_over_another_body_is_refused(slack: Slack) -> None:
    headers = signed_headers(b"command=%2Fmission&text=help")
    status, _ = post(slack, b"command=%2Fmission&text=list", headers)
    assert status == 401


def test_a_signature_older_than_five_minutes_is_refused(slack: Slack) -> None:
    answer = slack.driver.send(
        urlencode({"payload": "not-json"}), content_type=FORM, timestamp_offset=-301
    )
    assert answer.status == 401


# --- size ---------------------------------------------------------------------------------------


def test_a_declared_body_over_the_cap_is_refused_413_without_reading_it(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    head = (
        f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: {FORM}\r\nContent-Length: {100 * 1024 * 1024}\r\n\r\n"
    ).encode()
    # 100 MB announced, 10 bytes sent: the answer comes without the rest.
    status, _ = raw_exchange(slack, head, b"payload={}")
    assert status == 413
    no_traceback(caplog)
    still_serves(slack)


def test_a_streamed_body_over_the_cap_is_refused_413_once_it_passes_the_cap(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    head = (
        f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: {FORM}\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"a" * 65536
    count = MAX_BODY_BYTES // len(chunk) + 1  # just past the cap, and no final chunk
    body = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(count))
    status, _ = raw_exchange(slack, head, body)
    assert status == 413
    no_traceback(caplog)
    still_serves(slack)


def test_a_malformed_content_length_is_refused_400(slack: Slack) -> None:
    head = (
        f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: {FORM}\r\nContent-Length: -5\r\n\r\n"
    ).encode()
    status, _ = raw_exchange(slack, head, b"")
    assert status in (400, 413)  # uvicorn itself may refuse it first


def test_a_signed_body_just_under_the_cap_is_still_served(slack: Slack) -> None:
    fields = {
        "token": slack.workspace.verification_token,
        "team_id": slack.workspace.team_id,
        "channel_id": slack.council,
        "user_id": slack.noor,
        "command": "/mission",
        "text": "help",
        "trigger_id": slack.workspace.mint_trigger_id(slack.noor),
        "response_url": slack.standin.mint_response_url(user=slack.noor, channel=slack.council),
    }
    body = urlencode(fields).encode()
    body += b"&padding=" + b"x" * (MAX_BODY_BYTES - len(body) - len(b"&padding="))
    assert len(body) == MAX_BODY_BYTES
    status, text = post(slack, body, signed_headers(body))
    assert status == 200, text
    assert slack.standin.wait_for("response_url").ok


# --- signed, yet malformed ----------------------------------------------------------------------


def _payload(value: Any) -> bytes:
    return urlencode({"payload": value if isinstance(value, str) else json.dumps(value)}).encode()


MALFORMED: dict[str, tuple[bytes, str]] = {
    "payload-not-json": (b"payload=not-json{{", FORM),
    "payload-a-list": (_payload([]), FORM),
    "payload-a-number": (_payload(1), FORM),
    "not-utf8": (b"payload=\xff\xfe", FORM),
    "json-a-list": (b"[]", JSON),
    "json-broken": (b'{"type": "event_callback",', JSON),
    "event-a-string": (json.dumps({"type": "event_callback", "event": "x"}).encode(), JSON),
    "event-type-a-number": (
        json.dumps({"type": "event_callback", "event": {"type": 5}}).encode(),
        JSON,
    ),
    "type-a-number": (_payload({"type": 5}), FORM),
    "user-a-string": (_payload({"type": "block_actions", "user": "U1", "actions": []}), FORM),
    "user-id-a-number": (_payload({"type": "block_actions", "user": {"id": 3}}), FORM),
    "actions-not-objects": (
        _payload({"type": "block_actions", "user": {"id": "U1"}, "actions": [5]}),
        FORM,
    ),
    "view-a-string": (_payload({"type": "view_submission", "view": "x"}), FORM),
    "view-state-values-a-list": (
        _payload({"type": "view_submission", "view": {"id": "V1", "state": {"values": []}}}),
        FORM,
    ),
    "team-a-list": (_payload({"type": "block_actions", "team": []}), FORM),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_signed_but_malformed_body_gets_a_clean_400(
    slack: Slack, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    caplog.set_level(logging.DEBUG)
    body, content_type = MALFORMED[case]
    status, text = post(slack, body, signed_headers(body, content_type=content_type))
    assert status == 400, text
    assert json.loads(text) == {"error": "malformed request"}
    no_traceback(caplog)
    still_serves(slack)
