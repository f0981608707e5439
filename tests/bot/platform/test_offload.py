"""Post-ack work in a work process (bot.platform.offload), through `council-bot serve`."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.app import SORRY
from bot.sandbox.standin.driver import Response, SlackDriver
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, DEMO_MEMBERS, seed_demo
from tests.plugins.serving import Served, alive, serve, stop, wait_until, work_processes_of

SECRET = "0123456789abcdef0123456789abcdef"
NOOR = DEMO_MEMBERS[0][0]


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(seed_demo()) as running:
        yield running


def _count(metrics: str, method: str, outcome: str) -> float:
    pattern = (
        rf'^council_slack_api_calls_total\{{method="{re.escape(method)}",'
        rf'outcome="{outcome}"\}} (\S+)$'
    )
    found = re.search(pattern, metrics, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def mission(driver: SlackDriver) -> Response:
    return driver.command(user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/mission")


def test_a_command_is_acked_by_serve_and_its_modal_opened_by_the_work_process(
    standin: SlackStandIn, tmp_path: Path
) -> None:
    with serve(standin, secret=SECRET, cwd=tmp_path) as served:
        workers = work_processes_of(served.process.pid)
        assert len(workers) == 1  # WORK_PROCESSES defaults to 1
        driver = SlackDriver(app_url=served.events_url, signing_secret=SECRET, standin=standin)
        assert mission(driver).status == 200
        opened = standin.wait_for("views.open", timeout=15)
        assert opened.ok
        # The work process's Slack calls are counted where operators scrape.
        assert wait_until(lambda: _count(served.metrics(), "views.open", "ok") >= 1, 10)
        output = stop(served.process)
    assert served.process.returncode in (0, -signal.SIGTERM)
    assert "Traceback" not in output
    assert wait_until(lambda: not alive(workers[0]), 10)  # stopped with it, not orphaned


def test_with_no_work_processes_serve_runs_the_work_in_its_own_threads(
    standin: SlackStandIn, tmp_path: Path
) -> None:
    with serve(standin, secret=SECRET, cwd=tmp_path, env={"WORK_PROCESSES": "0"}) as served:
        assert work_processes_of(served.process.pid) == []
        driver = SlackDriver(app_url=served.events_url, signing_secret=SECRET, standin=standin)
        assert (
            driver.command(user=NOOR, channel=DEMO_COUNCIL_CHANNEL, command="/mission").status
            == 200
        )
        assert standin.wait_for("views.open", timeout=15).ok


def killed_mid_call(
    standin: SlackStandIn, served: Served, method: str, send: Callable[[], Response]
) -> int:
    """Send a request, kill the (only) work process while it waits on Slack's `method` for
    it, and put Slack back to speed; the killed process's pid."""
    [worker] = work_processes_of(served.process.pid)
    standin.set_latency(20, method=method)  # the work process waits on Slack
    assert send().status == 200
    assert wait_until(lambda: standin.in_flight(method) >= 1, 15)
    os.kill(worker, signal.SIGKILL)
    standin.set_latency(0, method=method)
    return worker


def test_a_work_process_killed_mid_request_is_replaced_and_its_member_told(
    standin: SlackStandIn, tmp_path: Path
) -> None:
    with serve(standin, secret=SECRET, cwd=tmp_path) as served:
        driver = SlackDriver(app_url=served.events_url, signing_secret=SECRET, standin=standin)
        first = killed_mid_call(standin, served, "views.open", lambda: mission(driver))
        told = standin.wait_for("chat.postEphemeral", timeout=15)
        assert told.args["user"] == NOOR and told.args["text"] == SORRY
        assert wait_until(
            lambda: [p for p in work_processes_of(served.process.pid) if p != first], 60
        )
        standin.clear_calls()
        # The replacement takes the next request.
        assert mission(driver).status == 200
        assert standin.wait_for("views.open", timeout=30).ok
        output = stop(served.process)
    assert "ended (exit code -9) with 1 requests; starting another" in output


def test_an_event_whose_work_process_was_killed_is_handled_by_serve_itself(
    standin: SlackStandIn, tmp_path: Path
) -> None:
    with serve(standin, secret=SECRET, cwd=tmp_path) as served:
        driver = SlackDriver(app_url=served.events_url, signing_secret=SECRET, standin=standin)
        # Acked (200): Slack will not send it again.
        killed_mid_call(standin, served, "views.publish", lambda: driver.app_home_opened(user=NOOR))
        # Not lost: the serving process runs the event's listener itself.
        published = standin.wait_for(
            "views.publish", predicate=lambda c: c.ok and c.args["user_id"] == NOOR, timeout=15
        )
        assert published.ok
        assert standin.calls_to("chat.postEphemeral") == []  # nobody is told of a failure
        output = stop(served.process)
    assert "event:app_home_opened: its work process ended; running it here" in output
