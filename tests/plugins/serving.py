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
from collections.abc import Callable, Iterator, Mapping, Sequence
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


# Proxies would route the bot's calls to the stand-in (on 127.0.0.1) elsewhere.
_PROXIES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")


def bot_env(
    standin: SlackStandIn, *, cwd: Path, env: Mapping[str, str | None] | None = None
) -> dict[str, str]:
    """A bot process's environment: the stand-in as its Slack (bot token, API URL), a SQLite
    file in `cwd`, no app token; `env` adds to it, a None there unsets a variable."""
    full = {
        **{k: v for k, v in os.environ.items() if k not in (*_PROXIES, "SLACK_APP_TOKEN")},
        "SLACK_BOT_TOKEN": standin.bot_token,
        "SLACK_API_URL": standin.api_url,
        "DATABASE_URL": f"sqlite:///{cwd / 'bot.db'}",
    }
    for name, value in (env or {}).items():
        if value is None:
            full.pop(name, None)
        else:
            full[name] = value
    return full


def start_bot(
    args: Sequence[str],
    standin: SlackStandIn,
    *,
    cwd: Path,
    env: Mapping[str, str | None] | None = None,
) -> subprocess.Popen[str]:
    """`council-bot <args>` as its own process (see `bot_env`), its output in one pipe."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        env=bot_env(standin, cwd=cwd, env=env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(
    process: subprocess.Popen[str], *, sig: signal.Signals = signal.SIGTERM, timeout: float = 30
) -> str:
    """Send `sig` and wait (killing it after `timeout`); its whole output."""
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.communicate(timeout=timeout)[0] or ""
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate(timeout=5)[0] or ""


@contextmanager
def serve(
    standin: SlackStandIn,
    *,
    secret: str,
    cwd: Path,
    env: Mapping[str, str | None] | None = None,
    port: int | None = None,
) -> Iterator[Served]:
    """`council-bot serve` on `port` (or a free one), answering once healthy; stopped with
    SIGTERM at the end unless the test stopped it (`stop`)."""
    port = port or free_port()
    process = start_bot(
        ["serve", "--port", str(port), "--host", "127.0.0.1"],
        standin,
        cwd=cwd,
        env={"SLACK_SIGNING_SECRET": secret, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        started = wait_until(lambda: healthy(url) or process.poll() is not None, 60)
        if not started or process.poll() is not None:
            raise AssertionError(f"council-bot serve did not start: {stop(process)}")
        yield Served(process=process, url=url)
    finally:
        stop(process)
