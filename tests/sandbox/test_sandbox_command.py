"""`council-bot` with no tokens, and `council-bot sandbox`, as a person runs them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.plugins.serving import free_port

REPO = Path(__file__).resolve().parents[2]
ADDRESS = re.compile(r"Open (http://127\.0\.0\.1:\d+)/")


def _environment() -> dict[str, str]:
    """The machine's environment without any Slack setting (a fresh machine)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["PYTHONPATH"] = str(REPO)
    return env


def _start(args: list[str], cwd: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        found = ADDRESS.search(line)
        if found:
            return process, found.group(1)
    process.kill()
    raise AssertionError("no address printed:\n" + "".join(seen))


def _stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()


def _state(url: str) -> dict:
    with urllib.request.urlopen(url + "/api/state", timeout=10) as answer:
        return json.loads(answer.read())


def test_plain_council_bot_with_no_tokens_opens_the_sandbox(tmp_path: Path) -> None:
    process, url = _start([], tmp_path)
    try:
        with urllib.request.urlopen(url + "/", timeout=10) as answer:
            assert "Council Bot sandbox" in answer.read().decode()
        assert _state(url)["team"]["name"] == "Council Demo"
    finally:
        assert _stop(process) == 0
    # nothing is left in the working directory: the database lived in a temporary folder
    assert list(tmp_path.iterdir()) == []


def test_sandbox_port_and_data_dir(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "sandbox-data"
    process, url = _start(["sandbox", "--port", str(port), "--data-dir", str(data)], tmp_path)
    try:
        assert url == f"http://127.0.0.1:{port}"
        assert _state(url)["me"]
    finally:
        assert _stop(process) == 0
    assert (data / "council-bot.db").exists()  # kept for the next run


def test_a_port_that_is_taken_is_one_line_and_exit_2(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "sandbox", "--port", str(port)],
            cwd=tmp_path,
            env=_environment(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("setting", ["SLACK_APP_TOKEN=xapp-1", "SLACK_SIGNING_SECRET=abc"])
def test_a_partial_slack_setup_is_not_mistaken_for_no_setup(tmp_path: Path, setting: str) -> None:
    name, value = setting.split("=")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli"],
        cwd=tmp_path,
        env={**_environment(), name: value},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("council-bot: SLACK_BOT_TOKEN is not set")


def test_an_unknown_command_leaves_no_bolt_advice_in_the_terminal(tmp_path: Path) -> None:
    process, url = _start([], tmp_path)
    try:
        body = json.dumps({"user": "U0NOOR0001", "channel": "C0COUNCIL01", "text": "/foo"})
        request = urllib.request.Request(
            url + "/api/command",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert json.loads(answer.read())["ok"] is True
        [ephemeral] = _state(url)["ephemerals"]
        assert ephemeral["text"].startswith("/foo is not a valid command.")
    finally:
        assert _stop(process) == 0
    assert process.stdout is not None
    terminal = process.stdout.read()
    assert "Unhandled request" not in terminal
    assert "@app.command" not in terminal


def test_a_busy_default_port_is_named_when_the_sandbox_moves(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket
    import threading

    import bot.sandbox.main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        monkeypatch.setattr(bot.sandbox.main, "DEFAULT_PORT", busy)
        stop = threading.Event()
        runner = threading.Thread(target=bot.sandbox.main.run_sandbox, kwargs={"stop": stop})
        runner.start()
        try:
            printed = ""
            deadline = time.monotonic() + 60
            while "Open http" not in printed and time.monotonic() < deadline:
                time.sleep(0.05)
                printed += capsys.readouterr().out
        finally:
            stop.set()
            runner.join(timeout=30)
    found = ADDRESS.search(printed)
    assert found, printed
    moved_to = int(found.group(1).rsplit(":", 1)[1])
    assert moved_to != busy
    assert f"Port {busy} is in use" in printed
    assert f"took port {moved_to} instead" in printed
