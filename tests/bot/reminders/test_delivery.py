"""Slack errors to reminder outcomes, with a real slack_sdk WebClient and a local HTTP server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.reminders import engine as reminders
from bot.reminders.delivery import engine_client, retry_after, slack_outcome, slack_sender
from bot.reminders.engine import (
    Delivered,
    Failed,
    RateLimited,
    Reminder,
    ReminderEngine,
    ReminderStatus,
    Undeliverable,
)
from storage.db import session_scope
from tests.plugins.clock import Clock


@dataclass
class Reply:
    status: int = 200
    body: object = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    """Answers Web API calls from a queue of replies (the last one repeats); records calls."""

    def __init__(self) -> None:
        self.replies: list[Reply] = [Reply()]
        self.calls: list[str] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                with fake.lock:
                    fake.calls.append(self.path.rsplit("/", 1)[-1])
                    reply = fake.replies.pop(0) if len(fake.replies) > 1 else fake.replies[0]
                raw = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                payload = raw.encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # never wait for a stuck handler on close
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def answer(self, *replies: Reply) -> None:
        with self.lock:
            self.replies = list(replies)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    try:
        yield fake
    finally:
        fake.close()


def post(slack: FakeSlack):  # type: ignore[no-untyped-def]
    client = engine_client(token="xoxb-test", base_url=slack.url)
    return slack_outcome(lambda: client.chat_postMessage(channel="D1", text="Time to debrief"))


def test_ok_is_delivered(slack: FakeSlack) -> None:
    assert post(slack) == Delivered()
    assert slack.calls == ["chat.postMessage"]


def test_429_is_rate_limited_with_retry_after_and_not_retried_by_the_client(
    slack: FakeSlack,
) -> None:
    slack.answer(Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"}), Reply())
    assert post(slack) == RateLimited(7.0)
    assert slack.calls == ["chat.postMessage"]  # one request: the engine reschedules


def test_ratelimited_error_without_a_header_waits_a_default(slack: FakeSlack) -> None:
    slack.answer(Reply(200, {"ok": False, "error": "ratelimited"}))
    assert post(slack) == RateLimited(30.0)


@pytest.mark.parametrize(
    "error",
    [
        "user_disabled",
        "account_inactive",
        "user_not_found",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "cannot_dm_bot",
    ],
)
def test_permanent_errors_are_undeliverable(slack: FakeSlack, error: str) -> None:
    slack.answer(Reply(200, {"ok": False, "error": error}))
    assert post(slack) == Undeliverable(error)
    assert len(slack.calls) == 1


def test_other_slack_errors_fail(slack: FakeSlack) -> None:
    slack.answer(Reply(200, {"ok": False, "error": "invalid_blocks"}))
    outcome = post(slack)
    assert isinstance(outcome, Failed) and "invalid_blocks" in outcome.error


def test_a_500_fails_after_the_clients_server_error_retries(slack: FakeSlack) -> None:
    slack.answer(Reply(500, "<html>Internal Server Error</html>"))
    outcome = post(slack)
    assert isinstance(outcome, Failed) and "500" in outcome.error
    assert len(slack.calls) == 3  # ServerErrorRetryHandler: two retries, then give up


def test_a_500_then_ok_is_delivered(slack: FakeSlack) -> None:
    slack.answer(Reply(500, {"ok": False, "error": "fatal_error"}), Reply())
    assert post(slack) == Delivered()
    assert len(slack.calls) == 2


def test_a_connection_error_fails() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = engine_client(token="xoxb-test", base_url=f"http://127.0.0.1:{port}/api/", timeout=2)
    outcome = slack_outcome(lambda: client.chat_postMessage(channel="D1", text="hi"))
    assert isinstance(outcome, Failed)


def test_retry_after_header_forms() -> None:
    assert retry_after({"retry-after": "3"}) == 3.0
    assert retry_after({"Retry-After": ["12"]}) == 12.0
    assert retry_after({}) == 30.0
    assert retry_after({"Retry-After": "soon"}) == 30.0
    assert retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # past


def test_slack_sender_passes_an_explicit_outcome_through(slack: FakeSlack) -> None:
    client = engine_client(token="xoxb-test", base_url=slack.url)

    @slack_sender
    def send(reminder: Reminder) -> object:
        if reminder.user_id == "U_LEFT":
            return Undeliverable("left the council")
        client.chat_postMessage(channel=reminder.user_id, text="hi")
        return None

    reminder = Reminder(kind="k", team_id="T1", user_id="U1", payload="{}")
    assert send(reminder) == Delivered()
    gone = Reminder(kind="k", team_id="T1", user_id="U_LEFT", payload="{}")
    assert send(gone) == Undeliverable("left the council")
    slack.answer(Reply(200, {"ok": False, "error": "user_disabled"}))
    assert send(reminder) == Undeliverable("user_disabled")


def test_engine_with_a_slack_sender_rides_out_a_429(
    slack: FakeSlack, migrated_engine: Engine, clock: Clock
) -> None:
    client = engine_client(token="xoxb-test", base_url=slack.url)

    @slack_sender
    def send(reminder: Reminder) -> None:
        channel = client.conversations_open(users=reminder.user_id)["channel"]["id"]
        client.chat_postMessage(channel=channel, text=reminder.data["text"])

    with session_scope(migrated_engine) as session:
        reminder = reminders.schedule(
            session,
            kind="debrief",
            team_id="T1",
            user_id="U1",
            due_at=clock.now,
            payload={"text": "How did the interview go?"},
        )
    slack.answer(
        Reply(200, {"ok": True, "channel": {"id": "D1"}}),
        Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "4"}),
        Reply(200, {"ok": True, "channel": {"id": "D1"}}),
        Reply(200, {"ok": True}),
    )
    engine = ReminderEngine(engine=migrated_engine, clock=clock, worker_id="w")
    engine.register("debrief", send, grace=timedelta(hours=1))
    assert engine.dispatch_due().rate_limited == 1
    clock.advance(timedelta(seconds=3))
    assert engine.dispatch_due().claimed == 0  # Retry-After respected
    clock.advance(timedelta(seconds=1))
    assert engine.dispatch_due().sent == 1
    assert slack.calls == [
        "conversations.open",
        "chat.postMessage",
        "conversations.open",
        "chat.postMessage",
    ]
    with Session(migrated_engine) as session:
        stored = session.get(Reminder, reminder.id)
        assert stored is not None
        assert stored.status == ReminderStatus.SENT and stored.attempts == 0
