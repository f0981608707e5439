"""Code run in child processes (multiprocessing, spawn) by the reminder tests.

It lives in an importable module, not in a test file: a spawned child imports the target
function by module name.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.reminders.engine import Delivered, ReminderEngine
from storage import reminders as store
from storage.db import make_engine


def dispatch_until_done(
    database_url: str,
    worker_id: str,
    out_dir: str,
    start: Any,
    batch: int = 20,
    jitter: float = 0.0005,
) -> None:
    """Dispatch "test" reminders with a recording sender until none is left to send.

    Every delivery is appended (and flushed) to out_dir/<worker_id>.txt, one id a line,
    before the engine marks it sent: the parent counts each id across all files.
    """
    engine = make_engine(database_url)
    out = Path(out_dir) / f"{worker_id}.txt"
    with out.open("a", encoding="utf-8") as deliveries:

        def sender(reminder: store.Reminder) -> Delivered:
            deliveries.write(f"{reminder.id}\n")
            deliveries.flush()
            if jitter:
                time.sleep(random.uniform(0, jitter))  # interleave the workers
            return Delivered()

        reminders = ReminderEngine(
            engine=engine,
            clock=lambda: datetime.now(UTC),
            worker_id=worker_id,
            batch=batch,
        )
        reminders.register("test", sender, grace=timedelta(days=1))
        start.wait(timeout=60)
        while True:
            report = reminders.dispatch_due()
            if report.claimed:
                continue
            counts = store.count_by_status(engine, kind="test")
            if not counts.get("pending") and not counts.get("claimed"):
                break
            time.sleep(0.01)
    engine.dispose()


def claim_then_hang(database_url: str, claimed: Any) -> None:
    """Claim the due "test" reminders, then hang inside the send until killed."""
    engine = make_engine(database_url)

    def sender(reminder: store.Reminder) -> Delivered:
        claimed.set()
        time.sleep(3600)  # the parent kills the process here, between claim and mark
        return Delivered()

    reminders = ReminderEngine(
        engine=engine, clock=lambda: datetime.now(UTC), worker_id="doomed", batch=10
    )
    reminders.register("test", sender, grace=timedelta(days=1))
    reminders.dispatch_due()
