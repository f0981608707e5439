"""`council-bot serve` as a real process: migrates, serves signed requests, stops on SIGTERM."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.standin.driver import SlackDriver
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, DEMO_MEMBERS, seed_demo
from tests.plugins.serving import serve, stop

SECRET = "fedcba9876543210fedcba9876543210"


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(seed_demo()) as running:
        yield running


def test_serve_answers_signed_requests_and_exits_cleanly_on_sigterm(
    standin: SlackStandIn, tmp_path: Path
) -> None:
    with serve(standin, secret=SECRET, cwd=tmp_path) as served:
        driver = SlackDriver(app_url=served.events_url, signing_secret=SECRET, standin=standin)
        noor = DEMO_MEMBERS[0][0]
        assert (
            driver.command(
                user=noor, channel=DEMO_COUNCIL_CHANNEL, command="/mission", text="help"
            ).status
            == 200
        )
        assert standin.wait_for("response_url").args["blocks"]
        assert (
            driver.command(
                user=noor, channel=DEMO_COUNCIL_CHANNEL, command="/mission", signature="bad"
            ).status
            == 401
        )
        output = stop(served.process, timeout=15)
    code = served.process.returncode
    # uvicorn drains in-flight requests, then re-raises SIGTERM so supervisors see it.
    assert code in (0, -signal.SIGTERM), output
    assert "Finished server process" in output
    assert "Traceback" not in output
    assert (tmp_path / "bot.db").exists()  # migrated on start
    assert "token=" not in output  # request bodies (member text) never reach the log
