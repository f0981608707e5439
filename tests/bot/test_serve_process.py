"""`council-bot serve` as a real process: migrates, serves signed requests, stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.standin.driver import SlackDriver
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, DEMO_MEMBERS, seed_demo

SECRET = "fedcba9876543210fedcba9876543210"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(seed_demo()) as running:
        yield running


def test_serve_answers_signed_requests_and_exits_cleanly_on_sigterm(
    standin: SlackStandIn, tmp_path: Path
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": standin.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": standin.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
    }
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if _healthy(url) or process.poll() is not None:
                break
            threading.Event().wait(0.05)
        assert _healthy(url), process.stdout.read() if process.poll() is not None else "no answer"

        driver = SlackDriver(app_url=url + "/slack/events", signing_secret=SECRET, standin=standin)
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
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    output = process.stdout.read() if process.stdout else ""
    # uvicorn drains in-flight requests, then re-raises SIGTERM so supervisors see it.
    assert code in (0, -signal.SIGTERM), output
    assert "Finished server process" in output
    assert "Traceback" not in output
    assert (tmp_path / "bot.db").exists()  # migrated on start
    assert "token=" not in output  # request bodies (member text) never reach the log
