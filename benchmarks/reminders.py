"""Benchmark the reminder engine: 10,000 due reminders, one process, then two.

    .venv/bin/python benchmarks/reminders.py                       # a temporary SQLite file
    .venv/bin/python benchmarks/reminders.py --database-url postgresql+psycopg://...

Each run starts from fresh rows: COUNT reminders due now, dispatched by N worker
processes (multiprocessing, spawn) with a sender that does nothing but record the id.
It prints the elapsed time of each run (from the moment all workers are released until
the last one has nothing left to send), the ratio, and the duplicates and losses, which
must be zero: the exit status is 1 otherwise.

With --chaos K (issue 11, item 9), it runs the kill -9 test instead: COUNT reminders
(default 3,000) due now, three worker processes, and K times (default 6) a random worker
is killed with SIGKILL mid-run and a fresh one started in its place. Each send sleeps
--latency ms (a Slack call) and then appends the id to the worker's file with one
write(2): once that returns, the "message" survives the kill, as a message Slack stored
does. A kill between that write and the row's mark is a double; it prints the doubles,
the losses (must be zero) and the doubles per kill. The engine marks each reminder right
after its own send, so the window is one UPDATE long.

On PostgreSQL the benchmark works in a scratch schema it creates and drops, so it never
touches existing tables. A SQLite file given with --database-url is migrated and used
as is; point it at a scratch file.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, insert, text
from sqlalchemy.engine import make_url

from bot.reminders.engine import Delivered, ReminderEngine
from storage import reminders as store
from storage.db import make_engine
from storage.migrate import upgrade
from storage.reminders import Reminder

KIND = "benchmark"
_T = Reminder.__table__  # type: ignore[attr-defined]


def worker(
    database_url: str,
    worker_id: str,
    out_path: str,
    batch: int,
    ready: Any,
    start: Any,
    results: Any,
) -> None:
    """One bot process: dispatch until no benchmark reminder is pending or claimed."""
    engine = make_engine(database_url)
    delivered: list[int] = []

    def sender(reminder: Reminder) -> Delivered:
        delivered.append(reminder.id or 0)
        return Delivered()

    reminders = ReminderEngine(
        engine=engine, clock=lambda: datetime.now(UTC), worker_id=worker_id, batch=batch
    )
    reminders.register(KIND, sender, grace=timedelta(days=1))
    with engine.connect():  # open the pool's first connection before the clock starts
        pass
    ready.put(worker_id)
    start.wait()
    began = time.time()
    passes = 0
    while True:
        passes += 1
        report = reminders.dispatch_due()
        if report.claimed:
            continue
        counts = store.count_by_status(engine, kind=KIND)
        if not counts.get("pending") and not counts.get("claimed"):
            break
        time.sleep(0.005)
    ended = time.time()
    Path(out_path).write_text("\n".join(map(str, delivered)), encoding="utf-8")
    results.put((worker_id, began, ended, len(delivered), passes))
    engine.dispose()


def chaos_worker(
    database_url: str,
    worker_id: str,
    out_path: str,
    batch: int,
    latency: float,
    lease: float,
    ready: Any,
    start: Any,
) -> None:
    """One bot process in the kill -9 run: its sends land in `out_path` one write(2) each
    (in the kernel once written, so a SIGKILL right after loses nothing Slack would have)."""
    engine = make_engine(database_url)
    out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def sender(reminder: Reminder) -> Delivered:
        time.sleep(latency)
        os.write(out, f"{reminder.id}\n".encode())
        return Delivered()

    reminders = ReminderEngine(
        engine=engine,
        clock=lambda: datetime.now(UTC),
        worker_id=worker_id,
        batch=batch,
        lease=timedelta(seconds=lease),
    )
    reminders.register(KIND, sender, grace=timedelta(days=1))
    with engine.connect():
        pass
    ready.put(worker_id)
    start.wait()
    while True:
        if reminders.dispatch_due().claimed:
            continue
        counts = store.count_by_status(engine, kind=KIND)
        if not counts.get("pending") and not counts.get("claimed"):
            break
        time.sleep(0.02)
    os.close(out)
    engine.dispose()


@dataclass
class ChaosResult:
    kills: int
    elapsed: float
    delivered: int
    duplicates: int
    lost: int


def run_chaos(
    database_url: str,
    engine: Engine,
    *,
    count: int,
    batch: int,
    kills: int,
    latency: float,
    lease: float,
    seed_value: int,
) -> ChaosResult:
    seed(engine, count)
    with engine.connect() as conn:
        expected = set(
            conn.execute(text("SELECT id FROM reminders WHERE kind = :k"), {"k": KIND}).scalars()
        )
    chance = random.Random(seed_value)
    context = multiprocessing.get_context("spawn")
    ready, start = context.Queue(), context.Event()
    with tempfile.TemporaryDirectory() as out_dir:
        serial = 0

        def spawn() -> Any:
            nonlocal serial
            serial += 1
            name = f"chaos{serial}"
            child = context.Process(
                target=chaos_worker,
                args=(
                    database_url,
                    name,
                    str(Path(out_dir) / f"{name}.txt"),
                    batch,
                    latency,
                    lease,
                    ready,
                    start,
                ),
            )
            child.start()
            return child

        living = [spawn() for _ in range(3)]
        for _ in living:
            ready.get(timeout=120)
        began = time.time()
        start.set()
        done = 0
        # Spread the kills over the run's expected length (three workers in parallel).
        expected_run = count * latency / 3
        for _ in range(kills):
            time.sleep(chance.uniform(0.3, 1.5) * expected_run / max(kills, 1))
            alive = [c for c in living if c.is_alive()]
            if not alive:
                break
            victim = chance.choice(alive)
            os.kill(victim.pid, signal.SIGKILL)
            victim.join(timeout=30)
            living.remove(victim)
            done += 1
            living.append(spawn())
            ready.get(timeout=120)
        for child in living:
            child.join(timeout=3600)
        if any(child.exitcode != 0 for child in living):
            raise SystemExit("a worker process failed")
        elapsed = time.time() - began
        delivered: collections.Counter[int] = collections.Counter()
        for path in Path(out_dir).glob("chaos*.txt"):
            delivered.update(int(x) for x in path.read_text().split())
    counts = store.count_by_status(engine, kind=KIND)
    return ChaosResult(
        kills=done,
        elapsed=elapsed,
        delivered=sum(delivered.values()),
        duplicates=sum(n - 1 for n in delivered.values() if n > 1),
        lost=len(expected - set(delivered)) + (count - counts.get("sent", 0)),
    )


@dataclass
class RunResult:
    processes: int
    elapsed: float
    per_worker: dict[str, int]
    duplicates: int
    lost: int


def seed(engine: Engine, count: int) -> None:
    with engine.begin() as conn:
        conn.execute(delete(_T).where(_T.c.kind == KIND))
    due = datetime.now(UTC) - timedelta(seconds=1)
    rows = [
        {
            "kind": KIND,
            "team_id": f"T{i % 10}",
            "user_id": f"U{i}",
            "payload": "{}",
            "due_at": due,
            "status": "pending",
            "attempts": 0,
            "late": False,
            "created_at": due,
        }
        for i in range(count)
    ]
    with engine.begin() as conn:
        for offset in range(0, count, 1000):
            conn.execute(insert(_T), rows[offset : offset + 1000])


def run(database_url: str, engine: Engine, processes: int, count: int, batch: int) -> RunResult:
    seed(engine, count)
    with engine.connect() as conn:
        expected = set(
            conn.execute(text("SELECT id FROM reminders WHERE kind = :k"), {"k": KIND}).scalars()
        )
    context = multiprocessing.get_context("spawn")
    ready, results, start = context.Queue(), context.Queue(), context.Event()
    with tempfile.TemporaryDirectory() as out_dir:
        children = [
            context.Process(
                target=worker,
                args=(
                    database_url,
                    f"bench{i}",
                    str(Path(out_dir) / f"bench{i}.txt"),
                    batch,
                    ready,
                    start,
                    results,
                ),
            )
            for i in range(processes)
        ]
        for child in children:
            child.start()
        for _ in children:
            ready.get(timeout=120)
        start.set()
        reports = [results.get(timeout=3600) for _ in children]
        for child in children:
            child.join(timeout=60)
        if any(child.exitcode != 0 for child in children):
            raise SystemExit("a worker process failed")
        delivered: collections.Counter[int] = collections.Counter()
        for path in Path(out_dir).glob("bench*.txt"):
            delivered.update(int(x) for x in path.read_text().split())
    counts = store.count_by_status(engine, kind=KIND)
    duplicates = sum(n - 1 for n in delivered.values() if n > 1)
    lost = len(expected - set(delivered)) + (count - counts.get("sent", 0))
    elapsed = max(r[2] for r in reports) - min(r[1] for r in reports)
    return RunResult(
        processes=processes,
        elapsed=elapsed,
        per_worker={r[0]: r[3] for r in sorted(reports)},
        duplicates=duplicates,
        lost=lost,
    )


def scratch_postgres(url: str) -> tuple[str, Engine, str]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False), make_engine(url), schema


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100, help="reminders claimed at a time")
    parser.add_argument(
        "--chaos", type=int, metavar="KILLS", help="the kill -9 run, with this many kills"
    )
    parser.add_argument("--latency", type=float, default=5.0, help="--chaos: ms per send")
    parser.add_argument("--lease", type=float, default=3.0, help="--chaos: claim lease, s")
    parser.add_argument("--seed", type=int, default=11, help="--chaos: which workers die when")
    args = parser.parse_args(argv)
    if args.chaos is not None and args.count == 10_000:
        args.count = 3_000

    temporary = None
    schema = None
    admin: Engine | None = None
    if args.database_url:
        url = args.database_url
    else:
        temporary = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(temporary.name) / 'bench.db'}"
    backend = make_url(url).get_backend_name()
    if backend == "postgresql":
        url, admin, schema = scratch_postgres(url)
    engine = make_engine(url)
    try:
        upgrade(engine)
        shown = make_url(url).render_as_string(hide_password=True)
        print(f"database: {backend} ({shown})")
        if args.chaos is not None:
            print(
                f"kill -9 run: {args.count} reminders, 3 processes, {args.chaos} kills, "
                f"{args.latency:g} ms per send, lease {args.lease:g} s, batch {args.batch}"
            )
            chaos = run_chaos(
                url,
                engine,
                count=args.count,
                batch=args.batch,
                kills=args.chaos,
                latency=args.latency / 1000,
                lease=args.lease,
                seed_value=args.seed,
            )
            per_kill = chaos.duplicates / chaos.kills if chaos.kills else 0.0
            print(
                f"{chaos.kills} kills in {chaos.elapsed:.1f} s: {chaos.delivered} sends, "
                f"duplicates {chaos.duplicates} ({per_kill:.2f} per kill), lost {chaos.lost}"
            )
            print("FAIL: losses" if chaos.lost else "OK: nothing lost")
            return 1 if chaos.lost else 0
        print(f"reminders: {args.count}, batch: {args.batch}, sender: no-op (records ids)")
        results = [run(url, engine, n, args.count, args.batch) for n in (1, 2)]
        for result in results:
            rate = args.count / result.elapsed if result.elapsed else float("inf")
            print(
                f"{result.processes} process{'es' if result.processes > 1 else ''}: "
                f"{result.elapsed:.2f} s ({rate:,.0f} reminders/s), "
                f"per worker {result.per_worker}, "
                f"duplicates {result.duplicates}, lost {result.lost}"
            )
        one, two = results
        print(f"ratio (1 process / 2 processes): {one.elapsed / two.elapsed:.2f}x")
        bad = any(r.duplicates or r.lost for r in results)
        print("FAIL: duplicates or losses" if bad else "OK: no duplicates, no losses")
        return 1 if bad else 0
    finally:
        engine.dispose()
        if admin is not None and schema is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
        if temporary is not None:
            temporary.cleanup()


if __name__ == "__main__":
    sys.exit(main())
