"""The real app in Socket Mode, as `council-bot socket` runs it, against the stand-in.

The app is built by `bot.cli.build_runtime(settings, socket_mode=True)` with a bot token
and an app-level token and no signing secret, and connected with Bolt's
`SocketModeHandler` (slack_sdk's built-in client). `SocketModeDriver` sends the same
payloads the HTTP tests send, as Socket Mode envelopes, and returns the app's acks.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.cli import Runtime, build_runtime
from bot.sandbox.standin import driver as payloads
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.socket_driver import SocketAck, SocketModeDriver
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, DEMO_MEMBERS, seed_demo
from bot.services import Services
from bot.settings import Settings
from storage.missions import MissionDraft, ReactionFeedback
from tests.plugins.clock import Clock
from tests.plugins.serving import bot_env, start_bot, stop, wait_until, work_processes_of

NOOR, LENA = DEMO_MEMBERS[0][0], DEMO_MEMBERS[1][0]
DRAFT_VALUES: dict[str, dict[str, dict[str, Any]]] = {
    "company": {"company": payloads.plain("Acme Robotics")},
    "role": {"role": payloads.plain("Head of Product")},
    "stage": {"stage": payloads.static_select("interviewing")},
    "mission": {"mission": payloads.plain("Make warehouse robots easy to deploy.")},
    "objective_1": {"objective_1": payloads.plain("Cut deployment time")},
    "krs_1": {"krs_1": payloads.plain("Deploy a site in 5 days, down from 30")},
}
# Whatever the environment holds, these tests run without them: no signing secret (Socket
# Mode requests are not signed) and no proxy (slack_sdk would tunnel the socket through it).
UNSET = ("SLACK_SIGNING_SECRET", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")


@dataclass
class SocketSlack:
    standin: SlackStandIn
    driver: SocketModeDriver
    runtime: Runtime
    handler: SocketModeHandler
    settings: Settings

    @property
    def engine(self) -> Engine:
        return self.runtime.services.engine


def close_handler(standin: SlackStandIn, handler: SocketModeHandler) -> None:
    """Stop the client as Slack ending the connection would (no 3 s wait on its recv)."""
    handler.client.auto_reconnect_enabled = False
    for connection in standin.socket_mode.active_connections:
        connection.close(timeout=0.5)
    handler.close()


@pytest.fixture
def socket_slack(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[SocketSlack]:
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    standin = SlackStandIn(seed_demo()).start()
    settings = Settings(
        slack_bot_token=standin.bot_token,  # type: ignore[arg-type]
        slack_app_token=standin.app_token,  # type: ignore[arg-type]
        slack_api_url=standin.api_url,
        _env_file=None,  # type: ignore[call-arg]
    )
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    runtime = build_runtime(
        settings, socket_mode=True, services=Services(engine=engine, clock=clock)
    )
    handler = SocketModeHandler(runtime.app, settings.secret("SLACK_APP_TOKEN"))
    handler.connect()
    try:
        yield SocketSlack(standin, SocketModeDriver(standin), runtime, handler, settings)
    finally:
        close_handler(standin, handler)
        standin.stop()


def draft(slack: SocketSlack) -> tuple[SocketAck, str]:
    """`/mission` in the council, then Submit: (the submission's ack, the draft's ts)."""
    slack.driver.command(user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/mission")
    view_id = slack.standin.wait_for("views.open").response["view"]["id"]
    submitted = slack.driver.view_submission(user=NOOR, view_id=view_id, values=DRAFT_VALUES)
    assert isinstance(submitted, SocketAck)
    posted = slack.standin.wait_for("chat.postMessage")
    assert posted.ok and posted.args["channel"] == DEMO_COUNCIL_CHANNEL, posted.describe()
    slack.standin.wait_for("views.publish")  # the submission ends by refreshing Home
    return submitted, str(posted.response["ts"])


def test_the_app_runs_without_a_signing_secret(socket_slack: SocketSlack) -> None:
    assert socket_slack.settings.slack_signing_secret is None
    call = socket_slack.standin.wait_for("apps.connections.open")
    assert call.ok and call.token == socket_slack.standin.app_token
    assert socket_slack.standin.socket_mode.wait_for_connection().is_active


def test_mission_help_over_the_socket_reaches_the_response_url(socket_slack: SocketSlack) -> None:
    ack = socket_slack.driver.command(
        user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/mission", text="help"
    )
    assert isinstance(ack, SocketAck)
    assert ack.ack == {"envelope_id": ack.envelope["envelope_id"]}
    help_reply = socket_slack.standin.wait_for("response_url")
    assert help_reply.ok and "/mission list" in json.dumps(help_reply.args["blocks"])


def test_mission_in_the_council_opens_the_modal(socket_slack: SocketSlack) -> None:
    socket_slack.driver.command(user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/mission")
    opened = socket_slack.standin.wait_for("views.open")
    assert opened.ok, opened.describe()
    assert [v["id"] for v in socket_slack.standin.workspace.modal_stack(NOOR)] == [
        opened.response["view"]["id"]
    ]


def test_a_submission_over_the_socket_posts_and_stores_the_draft(socket_slack: SocketSlack) -> None:
    submitted, ts = draft(socket_slack)
    assert submitted.envelope["type"] == "interactive"
    assert submitted.json is None  # a plain ack closes the modal
    assert socket_slack.standin.workspace.modal_stack(NOOR) == []
    with Session(socket_slack.engine) as session:
        row = session.exec(select(MissionDraft).where(MissionDraft.message_ts == ts)).one()
    assert (row.author_id, row.channel_id) == (NOOR, DEMO_COUNCIL_CHANNEL)


def test_an_invalid_submission_gets_inline_errors_in_the_ack(socket_slack: SocketSlack) -> None:
    socket_slack.driver.command(user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/mission")
    view_id = socket_slack.standin.wait_for("views.open").response["view"]["id"]
    values = {**DRAFT_VALUES, "company": {"company": payloads.plain("  ")}}
    answer = socket_slack.driver.view_submission(user=NOOR, view_id=view_id, values=values)
    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert "company" in answer.json["errors"]
    assert socket_slack.standin.calls_to("chat.postMessage") == []


def test_a_reaction_event_over_the_socket_updates_the_tally(socket_slack: SocketSlack) -> None:
    _, ts = draft(socket_slack)
    reacted = socket_slack.driver.react(user=LENA, channel=DEMO_COUNCIL_CHANNEL, ts=ts, name="+1")
    assert isinstance(reacted, SocketAck)
    assert reacted.envelope["type"] == "events_api"
    update = socket_slack.standin.wait_for("chat.update", predicate=lambda c: c.args["ts"] == ts)
    assert update.ok and LENA in json.dumps(update.args["blocks"])
    with Session(socket_slack.engine) as session:
        rows = session.exec(select(ReactionFeedback)).all()
        assert [(r.user_id, r.emoji, r.present) for r in rows] == [(LENA, "+1", True)]


def test_the_app_acks_every_envelope_with_its_envelope_id(socket_slack: SocketSlack) -> None:
    _, ts = draft(socket_slack)
    socket_slack.driver.react(user=LENA, channel=DEMO_COUNCIL_CHANNEL, ts=ts, name="bulb")
    socket_slack.driver.app_home_opened(user=LENA)
    socket_slack.driver.command(
        user=LENA, channel=DEMO_COUNCIL_CHANNEL, command="/mission", text="list"
    )
    sent = [
        message["envelope_id"]
        for connection in socket_slack.standin.socket_mode.connections
        for message in connection.sent
        if "envelope_id" in message
    ]
    assert len(sent) == len(socket_slack.driver.acks) == 5
    types = {ack.envelope["type"] for ack in socket_slack.driver.acks}
    assert types == {"slash_commands", "interactive", "events_api"}
    for ack in socket_slack.driver.acks:
        assert ack.ack["envelope_id"] == ack.envelope_id == ack.envelope["envelope_id"]
    assert [ack.envelope_id for ack in socket_slack.driver.acks] == sent


@pytest.mark.parametrize(
    ("token", "error"),
    [("xapp-1-A0COUNCILAPP-0000-revoked", "invalid_auth"), ("bot", "not_allowed_token_type")],
)
def test_a_wrong_app_token_is_refused(socket_slack: SocketSlack, token: str, error: str) -> None:
    app_token = socket_slack.standin.bot_token if token == "bot" else token
    handler = SocketModeHandler(socket_slack.runtime.app, app_token)
    try:
        with pytest.raises(SlackApiError) as refused:
            handler.connect()
    finally:
        handler.close()
    assert refused.value.response["error"] == error
    assert len(socket_slack.standin.socket_mode.connections) == 1  # only the fixture's


def test_after_a_disconnect_the_app_reconnects_and_keeps_working(
    socket_slack: SocketSlack,
) -> None:
    sockets = socket_slack.standin.socket_mode
    first = sockets.wait_for_connection()
    first.disconnect("refresh_requested")
    second = sockets.wait_for_connection(count=2)
    assert [c.ok for c in socket_slack.standin.calls_to("apps.connections.open")] == [True, True]
    ack = socket_slack.driver.command(
        user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/mission", text="help"
    )
    assert ack.connection_id == second.id
    assert socket_slack.standin.wait_for("response_url").args["blocks"]
    assert first.wait_closed()  # the client let go of the old connection


# ------------------------------------------------------- `council-bot socket` as a process
def _socket_env(standin: SlackStandIn, *, app_token: str | None = None) -> dict[str, str | None]:
    """What `council-bot socket` adds to a bot process's environment (its app token; no
    signing secret, nor anything else of UNSET)."""
    return {**dict.fromkeys(UNSET), "SLACK_APP_TOKEN": app_token or standin.app_token}


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_council_bot_socket_answers_and_stops_cleanly(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    with SlackStandIn(seed_demo()) as standin:
        process = start_bot(["socket"], standin, cwd=tmp_path, env=_socket_env(standin))
        try:
            try:
                standin.socket_mode.wait_for_connection(timeout=30)
            except TimeoutError:
                process.kill()
                raise AssertionError(process.communicate()[0]) from None
            ack = SocketModeDriver(standin).command(
                user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/mission", text="help"
            )
            assert isinstance(ack, SocketAck) and ack.ack["envelope_id"] == ack.envelope_id
            assert standin.wait_for("response_url").args["blocks"]
        finally:
            output = stop(process, sig=stop_signal, timeout=20)
        assert process.returncode == 0, output
        assert "stopping: closing the Socket Mode connection" in output
        assert "Traceback" not in output
        assert standin.socket_mode.wait_for_connection().wait_closed()
    assert (tmp_path / "bot.db").exists()  # migrated on start
    assert "token=" not in output  # request bodies (member text) never reach the log


def test_council_bot_socket_with_a_refused_app_token_says_so_in_one_line(tmp_path: Path) -> None:
    with SlackStandIn(seed_demo()) as standin:
        refused = "xapp-1-A0OTHER-0000-not-this-app"
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "socket"],
            env=bot_env(standin, cwd=tmp_path, env=_socket_env(standin, app_token=refused)),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("council-bot: SLACK_APP_TOKEN was not accepted by Slack (invalid_auth)")
    assert "Traceback" not in result.stderr


def test_a_burst_behind_a_slow_slack_is_acked_and_every_modal_opens(tmp_path: Path) -> None:
    """`council-bot socket` as it runs in production: it acks each envelope, and its work
    process (WORK_PROCESSES, default 1) opens the modals."""
    from concurrent.futures import ThreadPoolExecutor

    with SlackStandIn(seed_demo()) as standin:
        process = start_bot(["socket"], standin, cwd=tmp_path, env=_socket_env(standin))
        try:
            assert wait_until(lambda: bool(standin.socket_mode.active_connections), 60)
            assert len(work_processes_of(process.pid)) == 1
            driver = SocketModeDriver(standin)
            members = [m[0] for m in DEMO_MEMBERS]

            def send(i: int) -> SocketAck:
                return driver.command(
                    user=members[i % len(members)], channel=DEMO_COUNCIL_CHANNEL, command="/mission"
                )

            send(0)  # the work process's first request (its first Slack calls) out of the way
            assert standin.wait_for("views.open", timeout=30).ok
            standin.clear_calls()
            standin.set_latency(0.4)
            # The driver raises TimeoutError for an envelope not acked within its timeout;
            # Slack's own limit is 3 s, so the driver is held to that.
            driver.timeout = 3.0
            with ThreadPoolExecutor(max_workers=20) as senders:
                acks = list(senders.map(send, range(40)))
            assert len(acks) == 40 and all(a.status == 200 for a in acks)
            opened = standin.wait_for("views.open", count=40, timeout=60)
            assert all(call.ok for call in opened)
        finally:
            standin.set_latency(0)
            stop(process)
