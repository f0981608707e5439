"""Acks under load: a burst of slash commands behind a slow Slack, against a bare Bolt app.

Usage:
    .venv/bin/python benchmarks/acks.py [--commands 60] [--concurrency 30] [--latency 0.4]
        [--help-concurrency 8] [--help-rounds 10] [--rounds 3] [--no-socket] [--distribution]

Three measurements, each printed as ack p50 / p99 / max, non-200 answers and acks over 3 s:
1. `--commands` `/mission` (each opens the draft modal) sent `--concurrency` at a time as
   signed HTTP requests, while every Slack Web API call takes `--latency` seconds (the
   stand-in's latency knob), to the real app and to a bare Bolt app (one listener that only
   acks) served by the same server (bot.server); then whether all post-ack work finished:
   every modal opened.
2. `--help-concurrency` concurrent `/mission help` with a fast Slack, both apps.
With `--distribution`, 1. and 2. also measure the council app in distribution mode (many
workspaces: each request's token read from its installation in the database, dispatch in
the thread pool), over a database where the stand-in's workspace installed the app.
3. The burst of 1. over Socket Mode (the real app only: Slack's 3 s limit applies to
   envelopes too), with modals opened.

The HTTP bursts are built here (trigger ids and response URLs minted by the stand-in) and
sent, signed and timed by a child process of their own: the stand-in answering the council
app's post-ack Slack calls (the bare app makes none) must not slow the measuring threads.
Under each line is the app's own figure from its `/metrics` ack histogram, the time inside
the app's process. The Socket Mode burst is sent from this process (its driver is the
stand-in's own connection).

Both apps run side by side and each burst of 1. and 2. is sent `--rounds` times to each, in
turn (the order alternating): each round gives a ratio, and the median of them is the
figure, so one slow moment of the machine moves one round rather than the result.

It measures and prints; it asserts nothing, so a busy machine changes the numbers, not the
outcome. Each app runs in its own process (as `council-bot serve` / `socket` do), against
one stand-in in this process, so Slack's own work is not counted as the app's.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import hmac
import json
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.sandbox.standin.driver import Response, SlackDriver
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, DEMO_MEMBERS, seed_demo
from bot.server import EVENTS_PATH
from storage.db import make_engine

SECRET = "benchmark-signing-secret-0123456789"
# --pin: the app's CPU (the harness takes the others), so the stand-in's work for the
# council app's Slack calls does not take the app's CPU time.
PIN_APP = ""
LIMIT = 3.0  # Slack's ack deadline, seconds


@dataclass
class Burst:
    latencies: list[float]  # seconds, per request
    non_200: int

    def line(self, name: str) -> str:
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        late = sum(1 for x in ordered if x > LIMIT)
        return (
            f"  {name:<10} p50 {statistics.median(ordered) * 1000:7.1f} ms   "
            f"p99 {p99 * 1000:7.1f} ms   max {ordered[-1] * 1000:7.1f} ms   "
            f"non-200 {self.non_200:3d}   over 3 s {late:3d}"
        )

    def p99(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


class PreparedDriver(SlackDriver):
    """Builds the requests the stand-in's driver would send (trigger ids and response URLs
    minted by the stand-in) without sending them: a separate process sends them, so the
    measuring threads share a process with nothing else (the stand-in stays here)."""

    def __init__(self, standin: SlackStandIn) -> None:
        super().__init__(app_url="", signing_secret=SECRET, standin=standin)
        self.prepared: list[tuple[str, str]] = []

    def send(self, body: str, *, content_type: str, **_options: object) -> Response:
        self.prepared.append((body, content_type))
        return Response(200, "", None)


def prepared_commands(standin: SlackStandIn, *, total: int, text: str) -> list[tuple[str, str]]:
    driver = PreparedDriver(standin)
    users = [member[0] for member in DEMO_MEMBERS]
    for i in range(total):
        driver.command(
            user=users[i % len(users)], channel=DEMO_COUNCIL_CHANNEL, command="/mission", text=text
        )
    return driver.prepared


def send_prepared(url: str, requests: list[tuple[str, str]], *, concurrency: int) -> Burst:
    """Send `requests` from a child process (this script with --send) and read its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        given, taken = Path(tmp) / "requests.json", Path(tmp) / "results.json"
        given.write_text(json.dumps({"url": url, "requests": requests, "concurrency": concurrency}))
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--send", str(given), str(taken)],
            check=True,
            timeout=300,
        )
        results = json.loads(taken.read_text())
    return Burst(results["latencies"], sum(1 for status in results["statuses"] if status != 200))


def sender_process(given: Path, taken: Path) -> None:
    """The child: sign each request now (Slack's timestamp rule) and time its answer."""
    job = json.loads(given.read_text())
    secret = SECRET.encode()

    def one(request: list[str]) -> tuple[float, int]:
        body, content_type = request
        timestamp = str(int(time.time()))
        digest = hmac.new(secret, f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
        prepared = urllib.request.Request(
            job["url"],
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": f"v0={digest}",
            },
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(prepared, timeout=30) as answer:
                answer.read()
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        return time.perf_counter() - started, status

    with ThreadPoolExecutor(max_workers=job["concurrency"]) as pool:
        results = list(pool.map(one, job["requests"]))
    taken.write_text(
        json.dumps({"latencies": [r[0] for r in results], "statuses": [r[1] for r in results]})
    )


def burst(send: Callable[[int], int], *, total: int, concurrency: int) -> Burst:
    """`total` calls of `send(i)` (returns an HTTP status), `concurrency` at a time."""

    def one(i: int) -> tuple[float, int]:
        started = time.perf_counter()
        try:
            status = send(i)
        except Exception:  # a timeout or a refused connection counts as a failed answer
            status = 0
        return time.perf_counter() - started, status

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(total)))
    return Burst([r[0] for r in results], sum(1 for r in results if r[1] != 200))


def bare_app(*, token: str, api_url: str) -> App:
    """Bolt with one listener that acks `/mission` and does nothing else."""
    app = App(
        client=WebClient(token=token, base_url=api_url),
        signing_secret=SECRET,
        process_before_response=False,
    )

    @app.command("/mission")
    def ack_only(ack: Ack) -> None:
        ack()

    return app


def serve_bare(port: int) -> None:
    """The bare app's process: the same server (bot.server) as `council-bot serve`."""
    from bot.server import make_asgi_app, serve_forever

    app = bare_app(token=os.environ["SLACK_BOT_TOKEN"], api_url=os.environ["SLACK_API_URL"])
    asgi = make_asgi_app(bolt_app=app, engine=make_engine("sqlite://"), signing_secret=SECRET)
    serve_forever(asgi=asgi, host="127.0.0.1", port=port, log_level="warning")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def app_process(
    args: list[str],
    *,
    standin: SlackStandIn,
    tmp: Path,
    root: Path,
    env: dict[str, str | None],
) -> Iterator[subprocess.Popen[str]]:
    """An app in its own process (as in production: Slack's work is not in the app's);
    a None in `env` leaves that variable unset."""
    full_env = {
        **os.environ,
        "SLACK_BOT_TOKEN": standin.bot_token,
        "SLACK_API_URL": standin.api_url,
        "DATABASE_URL": f"sqlite:///{tmp / f'bench-{free_port()}.db'}",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(root),
        **{name: value for name, value in env.items() if value is not None},
    }
    for name, value in env.items():
        if value is None:
            full_env.pop(name, None)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "SLACK_APP_TOKEN"):
        if name not in env:
            full_env.pop(name, None)
    pin = ["taskset", "-c", PIN_APP] if PIN_APP else []
    process = subprocess.Popen(
        [*pin, sys.executable, *args],
        env=full_env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_until(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def command_sender(driver: SlackDriver, text: str) -> Callable[[int], int]:
    users = [member[0] for member in DEMO_MEMBERS]

    def send(i: int) -> int:
        answer = driver.command(
            user=users[i % len(users)], channel=DEMO_COUNCIL_CHANNEL, command="/mission", text=text
        )
        return answer.status

    return send


def ok_calls(standin: SlackStandIn, method: str) -> int:
    return sum(1 for c in standin.calls_to(method) if c.ok)


def server_side(url: str) -> tuple[float, float, dict[float, float]]:
    """(count, sum, cumulative buckets) of the app's own ack histogram for slash commands:
    the time from reading a request to answering it, inside the app's process, free of
    this harness's own work (the stand-in and the driver share this process)."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as answer:
        exposition = answer.read().decode()
    count = total = 0.0
    buckets: dict[float, float] = {}
    for line in exposition.splitlines():
        if not line.startswith("council_ack_seconds") or 'kind="command"' not in line:
            continue
        name, value = line.rsplit(" ", 1)
        if name.startswith("council_ack_seconds_count"):
            count = float(value)
        elif name.startswith("council_ack_seconds_sum"):
            total = float(value)
        elif name.startswith("council_ack_seconds_bucket"):
            bound = name.split('le="', 1)[1].split('"', 1)[0]
            buckets[float("inf") if bound == "+Inf" else float(bound)] = float(value)
    return count, total, buckets


def server_line(
    before: tuple[float, float, dict[float, float]], after: tuple[float, float, dict[float, float]]
) -> str:
    count, total = after[0] - before[0], after[1] - before[1]
    if not count:
        return "  (no server-side figures)"
    p99_bound = next(
        (b for b in sorted(after[2]) if after[2][b] - before[2].get(b, 0.0) >= 0.99 * count),
        float("inf"),
    )
    return (
        f"             in the app's process: mean {total / count * 1000:6.1f} ms, "
        f"p99 <= {p99_bound * 1000:.0f} ms (histogram bucket)"
    )


def app_idle(url: str) -> bool:
    """Whether the app has no post-ack work running or waiting (its work-pool gauges)."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as answer:
        exposition = answer.read().decode()
    busy = [
        float(line.rsplit(" ", 1)[1])
        for line in exposition.splitlines()
        if line.startswith(("council_work_running{", "council_work_queue_depth{"))
    ]
    return not any(busy)


def reached(standin: SlackStandIn, method: str, count: int) -> Callable[[], bool]:
    return lambda: ok_calls(standin, method) >= count


def run_http(standin: SlackStandIn, tmp: Path, args: argparse.Namespace) -> None:
    root = Path(args.app_root).resolve()
    cases = (
        (
            f"{args.commands} x /mission, {args.concurrency} at a time, "
            f"Slack at {args.latency * 1000:.0f} ms per call",
            args.latency,
            "",
            args.commands,
            args.concurrency,
        ),
        (
            f"{args.help_concurrency * args.help_rounds} x /mission help, "
            f"{args.help_concurrency} at a time, fast Slack",
            0.0,
            "help",
            args.help_concurrency * args.help_rounds,
            args.help_concurrency,
        ),
    )
    names = ("bare Bolt", "council", *(("distrib.",) if args.distribution else ()))
    for title, latency, text, total, concurrency in cases:
        print(title)
        results: dict[str, list[Burst]] = {name: [] for name in names}
        with ExitStack() as apps:
            urls = {
                name: apps.enter_context(started(name, standin, tmp, root, warm_up=text))
                for name in names
            }
            for round_number in range(args.rounds):
                # Each round measures every app once, in turn; the order alternates, so
                # neither app is always the one measured right after the other's burst.
                order = names if round_number % 2 == 0 else tuple(reversed(names))
                for name in order:
                    url = urls[name]
                    standin.set_latency(latency)
                    standin.clear_calls()
                    before = server_side(url)
                    requests = prepared_commands(standin, total=total, text=text)
                    result = send_prepared(url + EVENTS_PATH, requests, concurrency=concurrency)
                    results[name].append(result)
                    print(result.line(f"{name} #{round_number + 1}"))
                    print(server_line(before, server_side(url)))
                    if name != "bare Bolt":
                        method = "response_url" if text else "views.open"
                        wait_until(reached(standin, method, total), 60)
                        wait_until(functools.partial(app_idle, url), 60)  # the next one quiet
                        what = "help answers sent" if text else "modals opened"
                        print(f"  post-ack work: {what} {ok_calls(standin, method)} of {total}")
                    standin.set_latency(0)
                    time.sleep(0.5)
        print(ratio_line("council / bare Bolt", results["council"], results["bare Bolt"]))
        if "distrib." in results:
            mine, theirs = results["distrib."], results["council"]
            print(ratio_line("distribution / one workspace", mine, theirs))
        print()


def ratio_line(title: str, mine: list[Burst], theirs: list[Burst]) -> str:
    """The ack p99 ratio of each round, and their median (one slow moment of the machine
    moves one round, not the figure)."""
    ratios = [a.p99() / b.p99() for a, b in zip(mine, theirs, strict=True)]
    rounds = ", ".join(f"{r:.2f}" for r in ratios)
    pooled = pool(mine).p99() / pool(theirs).p99()
    return (
        f"  ack p99 ratio {title}: per round {rounds}; median {statistics.median(ratios):.2f}"
        f" (p99 of all rounds' acks together: {pooled:.2f})"
    )


def pool(bursts: list[Burst]) -> Burst:
    return Burst([x for b in bursts for x in b.latencies], sum(b.non_200 for b in bursts))


@contextmanager
def started(
    name: str, standin: SlackStandIn, tmp: Path, root: Path, *, warm_up: str
) -> Iterator[str]:
    """One app in its own process, healthy and warmed up (two `/mission <warm_up>`);
    yields its URL."""
    port = free_port()
    command = (
        [str(Path(__file__).resolve()), "--bare-server", str(port)]
        if name == "bare Bolt"
        else ["-m", "bot.cli", "serve", "--port", str(port), "--host", "127.0.0.1"]
    )
    env: dict[str, str | None] = {"SLACK_SIGNING_SECRET": SECRET}
    if name == "distrib.":
        env.update(installed_workspace(standin, tmp / f"distribution-{port}.db"))
    with app_process(command, standin=standin, tmp=tmp, root=root, env=env) as process:
        url = f"http://127.0.0.1:{port}"
        if not wait_until(functools.partial(healthy, url), 60):
            raise RuntimeError(f"{name} did not start: {process.stderr}")
        driver = SlackDriver(
            app_url=url + EVENTS_PATH, signing_secret=SECRET, standin=standin, timeout=30
        )
        burst(command_sender(driver, warm_up), total=2, concurrency=1)
        time.sleep(1)
        yield url


def installed_workspace(standin: SlackStandIn, database: Path) -> dict[str, str | None]:
    """Distribution mode's settings, over a database where the stand-in's workspace has
    installed the app (as "Add to Slack" would have stored it): every request then reads
    its token from the installation."""
    from slack_sdk.oauth.installation_store import Installation

    from bot.platform.oauth import BOT_SCOPES
    from bot.sandbox.standin.oauth import CLIENT_ID, CLIENT_SECRET
    from storage import crypto
    from storage.installations import SQLModelInstallationStore
    from storage.migrate import upgrade

    key = crypto.new_key()
    crypto.configure([key])
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    upgrade(engine)
    workspace = standin.workspace
    SQLModelInstallationStore(engine=engine, client_id=CLIENT_ID).save(
        Installation(
            team_id=workspace.team_id,
            team_name=workspace.team_name,
            bot_token=standin.bot_token,
            bot_id=workspace.bot_id,
            bot_user_id=workspace.bot_user_id,
            bot_scopes=",".join(BOT_SCOPES),
            user_id=DEMO_MEMBERS[0][0],
        )
    )
    engine.dispose()
    return {
        "SLACK_BOT_TOKEN": None,
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "DATABASE_URL": url,
        "DATA_KEY": key,
    }


def run_socket(standin: SlackStandIn, tmp: Path, args: argparse.Namespace) -> None:
    from bot.sandbox.standin.socket_driver import SocketModeDriver

    root = Path(args.app_root).resolve()
    env: dict[str, str | None] = {"SLACK_APP_TOKEN": standin.app_token}
    with app_process(["-m", "bot.cli", "socket"], standin=standin, tmp=tmp, root=root, env=env):
        if not wait_until(lambda: bool(standin.socket_mode.active_connections), 60):
            raise RuntimeError("the app did not connect in Socket Mode")
        driver = SocketModeDriver(standin, timeout=30)
        burst(command_sender(driver, ""), total=2, concurrency=1)
        time.sleep(1)
        standin.set_latency(args.latency)
        standin.clear_calls()
        result = burst(
            command_sender(driver, ""), total=args.commands, concurrency=args.concurrency
        )
        print(
            f"Socket Mode: {args.commands} x /mission, {args.concurrency} at a time, "
            f"Slack at {args.latency * 1000:.0f} ms per call"
        )
        print(result.line("council"))
        wait_until(reached(standin, "views.open", args.commands), 60)
        opened = ok_calls(standin, "views.open")
        print(f"  post-ack work: modals opened {opened} of {args.commands}")
        standin.set_latency(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commands", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=30)
    parser.add_argument("--latency", type=float, default=0.4, help="seconds per Web API call")
    parser.add_argument("--help-concurrency", type=int, default=8)
    parser.add_argument("--help-rounds", type=int, default=10)
    parser.add_argument(
        "--rounds", type=int, default=3, help="bursts per app and case, measured in turn"
    )
    parser.add_argument("--no-socket", action="store_true", help="skip the Socket Mode burst")
    parser.add_argument(
        "--distribution",
        action="store_true",
        help="also measure the council app in distribution mode (token read per request)",
    )
    parser.add_argument(
        "--app-root",
        default=str(Path(__file__).resolve().parents[1]),
        help="the checkout whose app is measured (e.g. a worktree of an older commit)",
    )
    parser.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--send", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--pin",
        action="store_true",
        help="run each app on the last CPU and this harness on the others (Linux taskset)",
    )
    args = parser.parse_args()
    if args.pin and not args.send and not args.bare_server:
        global PIN_APP
        cpus = sorted(os.sched_getaffinity(0))
        PIN_APP = str(cpus[-1])
        os.sched_setaffinity(0, cpus[:-1] or cpus)
    if args.send:
        sender_process(*args.send)
        return
    if args.bare_server:
        serve_bare(args.bare_server)
        return
    logging.basicConfig(level=logging.ERROR)
    with SlackStandIn(seed_demo()) as standin, tempfile.TemporaryDirectory() as tmp:
        run_http(standin, Path(tmp), args)
        if not args.no_socket:
            run_socket(standin, Path(tmp), args)


if __name__ == "__main__":
    main()
