"""The end-to-end harness: the Slack stand-in, the real app on a free port, a signed driver.

The app is built by `bot.cli.build_runtime` (the path `council-bot serve` takes: migrations,
app factory, every listener) and served by uvicorn exactly as in production; the driver
plays Slack, and tests assert on what the stand-in received and what the database holds.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.cli import Runtime, build_runtime
from bot.reminders.engine import DispatchReport
from bot.sandbox.standin.driver import SlackDriver
from bot.sandbox.standin.server import ApiCall, SlackStandIn
from bot.sandbox.standin.state import (
    DEMO_COUNCIL_CHANNEL,
    DEMO_GENERAL_CHANNEL,
    DEMO_MEMBERS,
    DEMO_OTHER_PRIVATE_CHANNEL,
    Workspace,
    seed_demo,
)
from bot.server import EVENTS_PATH, BackgroundServer
from bot.services import Services
from bot.settings import Settings
from tests.plugins.clock import Clock

# What Slack answers when a message or view breaks Block Kit's rules or limits.
BLOCK_KIT_ERRORS = frozenset({"invalid_blocks", "invalid_arguments", "msg_too_long", "no_text"})

SIGNING_SECRET = "0123456789abcdef0123456789abcdef"
FORM_ACK_WAIT_IN_TESTS = 8.0  # below the driver's 10 s timeout


@dataclass
class Slack:
    """One running app with its stand-in workspace, as a test sees them."""

    standin: SlackStandIn
    driver: SlackDriver
    runtime: Runtime
    server: BackgroundServer
    clock: Clock  # the app's clock: stands still until a test advances it
    team: str | None = None  # the stand-in workspace this view speaks for (None: the first)

    council = DEMO_COUNCIL_CHANNEL
    public_channel = DEMO_GENERAL_CHANNEL
    private_channel_without_bot = DEMO_OTHER_PRIVATE_CHANNEL
    noor, lena, arjun, maya = (member[0] for member in DEMO_MEMBERS)

    @property
    def workspace(self) -> Workspace:
        return self.standin.workspaces[self.team] if self.team else self.standin.workspace

    def for_workspace(self, team_id: str) -> Slack:
        """The same app as seen from another of the stand-in's workspaces (one seeded by
        `seed_demo`): its driver, its council channel, its members."""
        workspace = self.standin.workspaces[team_id]
        view = dataclasses.replace(self, driver=self.driver.for_workspace(team_id), team=team_id)
        view.council = workspace.find_channel("council-demo").id
        view.public_channel = workspace.find_channel("general").id
        view.private_channel_without_bot = workspace.find_channel("other-private").id
        view.noor, view.lena, view.arjun, view.maya = (
            workspace.find_user(member[1]).id for member in DEMO_MEMBERS
        )
        return view

    @property
    def engine(self) -> Engine:
        return self.runtime.services.engine

    @property
    def url(self) -> str:
        return self.server.url

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until the app has done all it queued after its acks (posts, Home refreshes)."""
        if not self.runtime.work.wait_idle(timeout):
            raise AssertionError(f"the app's post-ack work did not finish in {timeout} s")

    def fast_forward(self, delta: timedelta) -> DispatchReport:
        """Move the app's clock on and let the reminder engine send what fell due."""
        self.clock.advance(delta)
        return self.runtime.services.reminders.dispatch_due()


# Servers of finished tests, still shutting down (joined at the end of the session).
_stopping_servers: list[threading.Thread] = []


def stop_later(stop: Callable[[], None]) -> None:
    """Run `stop` (a server's graceful shutdown: uvicorn's 0.1 s ticks, the stand-in's
    50 ms poll) in the background while the next test runs; joined at the session's end."""
    stopping = threading.Thread(target=stop, daemon=True)
    stopping.start()
    _stopping_servers.append(stopping)


@pytest.fixture(scope="session", autouse=True)
def _join_stopping_servers() -> Iterator[None]:
    yield
    for stopping in _stopping_servers:
        stopping.join(timeout=15)
    _stopping_servers.clear()


@contextmanager
def running_slack(engine: Engine, **settings: Any) -> Iterator[Slack]:
    """The real app against a fresh stand-in; `settings` override the app's Settings."""
    standin = SlackStandIn(seed_demo()).start()
    app_settings = Settings(
        slack_bot_token=standin.bot_token,  # type: ignore[arg-type]
        slack_signing_secret=SIGNING_SECRET,  # type: ignore[arg-type]
        slack_api_url=standin.api_url,
        _env_file=None,  # type: ignore[call-arg]
        **settings,
    )
    with serving(standin, app_settings, engine) as running:
        yield running


@contextmanager
def serving(
    standin: SlackStandIn, app_settings: Settings, engine: Engine, *, port: int = 0
) -> Iterator[Slack]:
    """The app built from `app_settings`, served on `port` (0: any free one) against the
    started `standin`, which it stops at the end, after the checks every test gets."""
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    # The reminder engine is built but not started: tests dispatch with `fast_forward`.
    runtime = build_runtime(app_settings, services=Services(engine=engine, clock=clock))
    # A modal submission is told "slow" when its listener has not acked in 2.5 s; four
    # test processes and PostgreSQL on two cores sometimes take that long. What the tests
    # here prove is what is answered, so they wait as long as their driver does; the time
    # limit itself is tested in tests/handlers/test_kit.py.
    runtime.work.form_ack_wait = FORM_ACK_WAIT_IN_TESTS
    server = BackgroundServer(runtime.http_app(), port=port)
    server.start()
    driver = SlackDriver(
        app_url=server.url + EVENTS_PATH, signing_secret=SIGNING_SECRET, standin=standin
    )
    try:
        yield Slack(standin=standin, driver=driver, runtime=runtime, server=server, clock=clock)
    finally:
        # Work the app queued after its acks finishes against the stand-in before it stops
        # (else its late calls fail and are reported as errors).
        standin.set_latency(0)
        runtime.work.wait_idle(timeout=15)
        runtime.work.close(wait=False)
        # Every request has been answered: uvicorn's graceful shutdown (a few of its 0.1 s
        # ticks) and the stand-in's (up to its 50 ms poll) finish in the background while
        # the next test runs; the checks below read only what the stand-in recorded.
        stop_later(lambda: _stop_both(server, standin))
    # Every message, modal and Home tab the app sent passed Slack's Block Kit checks.
    refused = [c.describe() for c in standin.calls if c.error in BLOCK_KIT_ERRORS]
    assert not refused, "Slack would have refused:\n" + "\n".join(refused)
    # Slack adds "(optional)" to an optional input's label; a label saying it too reads
    # "(optional) (optional)".
    doubled = [
        f"{c.method}: {label}"
        for c in standin.calls
        if c.method.startswith("views.")
        for label in _optional_labels_saying_optional(c.args.get("view"))
    ]
    assert not doubled, "labels that Slack would show as '(optional) (optional)':\n" + (
        "\n".join(doubled)
    )


def _stop_both(server: BackgroundServer, standin: SlackStandIn) -> None:
    try:
        server.stop()
    finally:
        standin.stop()


def _optional_labels_saying_optional(view: Any) -> list[str]:
    if isinstance(view, str):
        view = json.loads(view)
    blocks = (view or {}).get("blocks") or [] if isinstance(view, dict) else []
    return [
        b["label"]["text"]
        for b in blocks
        if b.get("type") == "input"
        and b.get("optional")
        and "(optional)" in str((b.get("label") or {}).get("text", "")).lower()
    ]


@pytest.fixture
def slack(engine: Engine) -> Iterator[Slack]:
    """The real app against the stand-in, on each database backend."""
    with running_slack(engine) as running:
        yield running


def eventually(check: Callable[[], bool], *, timeout: float = 5.0) -> None:
    """Wait for background work (listeners run after ack) to show, e.g. in the database."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def mrkdwn_of(call: ApiCall) -> str:
    """Everything Slack parses for mentions in a message: the top-level text and every
    mrkdwn object (plain_text is shown literally and cannot ping)."""
    found: list[str] = [str(call.args.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(call.args.get("blocks"))
    return "\n".join(found)


def text_of(call: ApiCall | dict[str, Any]) -> str:
    """A message's text and blocks as one searchable string."""
    args = call.args if isinstance(call, ApiCall) else call
    return json.dumps({"text": args.get("text"), "blocks": args.get("blocks")})
