"""How fast slash commands are acknowledged under concurrency: our thread-pool dispatch
against Bolt's ready-made Starlette adapter (which calls the sync dispatch on the loop).

Usage: .venv/bin/python benchmarks/acks.py [--concurrency 8] [--rounds 25]

Both servers run the same Bolt app (a real `/mission help`) against the offline stand-in;
the script prints median and p95 ack latency for each and their ratio. It measures; it
asserts nothing, so a busy machine changes the numbers, not the outcome.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from slack_bolt.adapter.starlette import SlackRequestHandler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from bot.cli import build_runtime
from bot.sandbox.standin.driver import SlackDriver
from bot.sandbox.standin.server import SlackStandIn
from bot.sandbox.standin.state import DEMO_COUNCIL_CHANNEL, DEMO_MEMBERS, seed_demo
from bot.server import EVENTS_PATH, BackgroundServer
from bot.services import Services
from bot.settings import Settings
from storage.db import make_engine

SECRET = "benchmark-signing-secret-0123456789"


def bolt_starlette_app(bolt_app: object) -> Starlette:
    handler = SlackRequestHandler(bolt_app)  # type: ignore[arg-type]

    async def events(request: Request) -> object:
        return await handler.handle(request)

    return Starlette(routes=[Route(EVENTS_PATH, events, methods=["POST"])])


def measure(driver: SlackDriver, *, concurrency: int, rounds: int) -> list[float]:
    user = DEMO_MEMBERS[0][0]

    def one() -> float:
        started = time.perf_counter()
        answer = driver.command(
            user=user, channel=DEMO_COUNCIL_CHANNEL, command="/mission", text="help"
        )
        assert answer.status == 200, answer.body
        return (time.perf_counter() - started) * 1000

    latencies: list[float] = []
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(rounds):
            latencies.extend(pool.map(lambda _i: one(), range(concurrency)))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()

    with SlackStandIn(seed_demo()) as standin, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            slack_bot_token=standin.bot_token,  # type: ignore[arg-type]
            slack_signing_secret=SECRET,  # type: ignore[arg-type]
            slack_api_url=standin.api_url,
            _env_file=None,  # type: ignore[call-arg]
        )
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        runtime = build_runtime(settings, services=Services(engine=engine))
        results: dict[str, list[float]] = {}
        for name, asgi in (
            ("thread-pool dispatch (council-bot serve)", runtime.http_app()),
            ("Bolt's Starlette adapter", bolt_starlette_app(runtime.app)),
        ):
            server = BackgroundServer(asgi)
            server.start()
            driver = SlackDriver(
                app_url=server.url + EVENTS_PATH, signing_secret=SECRET, standin=standin
            )
            measure(driver, concurrency=args.concurrency, rounds=2)  # warm up
            results[name] = measure(driver, concurrency=args.concurrency, rounds=args.rounds)
            server.stop()

    print(f"{args.concurrency} concurrent slash commands x {args.rounds} rounds, ack latency in ms")
    medians = {}
    for name, values in results.items():
        values.sort()
        medians[name] = statistics.median(values)
        p95 = values[int(len(values) * 0.95) - 1]
        print(f"  {name:42s} median {medians[name]:7.1f}   p95 {p95:7.1f}")
    ours, theirs = medians.values()
    print(f"  ratio (adapter median / ours): {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
