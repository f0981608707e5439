"""`council-bot serve` as a real process, for tests that need the process itself (its
children, its signals), with the Slack stand-in as its Slack."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.sandbox.standin.server import SlackStandIn


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (name) state ppid ...": the name may hold spaces, so split after its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def work_processes_of(pid: int) -> list[int]:
    """`pid`'s work processes (bot.platform.offload): its spawned children, not the
    resource tracker that multiprocessing starts beside them."""

    def spawned(child: int) -> bool:
        try:
            command = (Path("/proc") / str(child) / "cmdline").read_bytes()
        except OSError:
            return False
        return b"spawn_main" in command

    return [child for child in children_of(pid) if spawned(child)]


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str

    @property
    def events_url(self) -> str:
        return self.url + "/slack/events"

    def metrics(self) -> str:
        with urllib.request.urlopen(self.url + "/metrics", timeout=5) as answer:
            return str(answer.read().decode())


def wait_until(check: Callable[[], object], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@contextmanager
def serve(
    standin: SlackStandIn, *, secret: str, cwd: Path, env: dict[str, str] | None = None
) -> Iterator[Served]:
    """`council-bot serve` on a free port over a SQLite file in `cwd`; SIGTERM at the end
    (the output is then in `served.process.stdout`)."""
    port = free_port()
    full = {
        **os.environ,
        "SLACK_BOT_TOKEN": standin.bot_token,
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": standin.api_url,
        "DATABASE_URL": f"sqlite:///{cwd / 'bot.db'}",
        **(env or {}),
    }
    full.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--host", "127.0.0.1"],
        env=full,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        started = wait_until(lambda: healthy(url) or process.poll() is not None, 60)
        if not started or process.poll() is not None:
            output = process.stdout.read() if process.poll() is not None and process.stdout else ""
            raise AssertionError(f"council-bot serve did not start: {output}")
        yield Served(process=process, url=url)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
