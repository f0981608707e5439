"""A work process's entry (bot.platform.offload): the same app, dispatching what it is handed.

`serve` and `socket` start `WORK_PROCESSES` of these. Each builds the runtime as the serving
process does (the database is already migrated, and the data keys are read, not made), then
runs handed-off requests through its Bolt app until the serving process stops it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from multiprocessing.connection import Connection

from slack_bolt import BoltRequest

from bot.cli import build_runtime, configure_logging
from bot.platform.offload import Handoff, worker_loop
from bot.reminders.engine import observe_wakes
from bot.settings import Settings


def main(conn: Connection, settings: Settings, socket_mode: bool) -> None:
    configure_logging(settings)
    runtime = build_runtime(settings, socket_mode=socket_mode, offloaded=True)
    # The earliest reminder each thread's job scheduled, for the serving process's engine.
    scheduled = threading.local()

    def observe(due_at: datetime) -> None:
        earliest = getattr(scheduled, "due", None)
        scheduled.due = due_at if earliest is None else min(earliest, due_at)

    def woken() -> datetime | None:
        due: datetime | None = getattr(scheduled, "due", None)
        scheduled.due = None
        return due

    def dispatch(handoff: Handoff) -> None:  # `woken` runs after each, clearing `due`
        headers: dict[str, str | Sequence[str]] = dict(handoff.headers)
        runtime.app.dispatch(BoltRequest(body=handoff.body, headers=headers, mode=handoff.mode))

    observe_wakes(observe)
    try:
        worker_loop(conn, dispatch=dispatch, threads=settings.work_threads, woken=woken)
    finally:
        runtime.work.close(wait=True)
