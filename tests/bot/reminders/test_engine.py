"""The reminder engine's rules, on SQLite and PostgreSQL, with an injected clock."""

from __future__ import annotations

import collections
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert
from sqlmodel import Session, select

from bot.reminders import engine as reminders
from bot.reminders.engine import (
    Delivered,
    DispatchReport,
    Failed,
    Outcome,
    RateLimited,
    ReminderEngine,
    Undeliverable,
)
from storage import reminders as store
from storage.db import session_scope
from storage.reminders import Reminder, ReminderStatus
from tests.plugins import reminder_workers
from tests.plugins.clock import Clock

ROOT = Path(__file__).resolve().parents[2]
LEASE = timedelta(seconds=60)
HOUR = timedelta(hours=1)


class Recorder:
    """A sender that records what it was given and answers from a script."""

    def __init__(self, answer: Callable[[Reminder], Outcome] | None = None) -> None:
        self.calls: list[Reminder] = []
        self.answer = answer or (lambda _r: Delivered())

    def __call__(self, reminder: Reminder) -> Outcome:
        self.calls.append(reminder)
        return self.answer(reminder)

    @property
    def ids(self) -> list[int | None]:
        return [r.id for r in self.calls]


def make(engine: Engine, clock: Clock, worker: str = "w1", **kwargs: object) -> ReminderEngine:
    return ReminderEngine(engine=engine, clock=clock, worker_id=worker, **kwargs)  # type: ignore[arg-type]


def add(engine: Engine, due_at: datetime, **overrides: object) -> Reminder:
    values: dict[str, object] = {
        "kind": "debrief",
        "team_id": "T1",
        "user_id": "U1",
        "due_at": due_at,
        "payload": {"event": 12},
    }
    values.update(overrides)
    with session_scope(engine) as session:
        return reminders.schedule(session, **values)  # type: ignore[arg-type]


def fetch(engine: Engine, reminder_id: int | None) -> Reminder:
    with Session(engine) as session:
        reminder = session.get(Reminder, reminder_id)
        assert reminder is not None
        return reminder


def bulk_add(engine: Engine, count: int, due_at: datetime, kind: str = "test") -> None:
    rows = [
        {
            "kind": kind,
            "team_id": f"T{i % 3}",
            "user_id": f"U{i}",
            "payload": "{}",
            "due_at": due_at,
            "status": "pending",
            "attempts": 0,
            "late": False,
            "created_at": due_at,
        }
        for i in range(count)
    ]
    with engine.begin() as conn:
        conn.execute(insert(Reminder.__table__), rows)  # type: ignore[attr-defined]


# --- the basic pass ----------------------------------------------------------------------


def test_dispatch_sends_what_is_due_and_nothing_else(migrated_engine: Engine, clock: Clock) -> None:
    due = add(migrated_engine, clock.now - timedelta(seconds=1))
    future = add(migrated_engine, clock.now + timedelta(seconds=1))
    sender = Recorder()
    engine = make(migrated_engine, clock)
    engine.register("debrief", sender, grace=HOUR)

    report = engine.dispatch_due()
    assert report.sent == 1 and report.late == 0 and report.claimed == 1
    assert sender.ids == [due.id]
    assert sender.calls[0].data == {"event": 12}
    stored = fetch(migrated_engine, due.id)
    assert stored.status == ReminderStatus.SENT and stored.sent_at == clock.now
    assert stored.late is False
    assert fetch(migrated_engine, future.id).status == ReminderStatus.PENDING

    assert engine.dispatch_due() == DispatchReport()  # nothing twice
    clock.advance(1)
    assert engine.dispatch_due().sent == 1
    assert sender.ids == [due.id, future.id]


def test_a_pass_works_through_several_batches(migrated_engine: Engine, clock: Clock) -> None:
    bulk_add(migrated_engine, 25, clock.now)
    sender = Recorder()
    engine = make(migrated_engine, clock, batch=10)
    engine.register("test", sender, grace=HOUR)
    assert engine.dispatch_due().sent == 25
    assert len(set(sender.ids)) == 25


def test_dedupe_key_through_the_engine_makes_one_delivery(
    migrated_engine: Engine, clock: Clock
) -> None:
    for _ in range(3):
        add(migrated_engine, clock.now, dedupe_key="debrief:event:12:U1")
    sender = Recorder()
    engine = make(migrated_engine, clock)
    engine.register("debrief", sender, grace=HOUR)
    assert engine.dispatch_due().sent == 1
    assert len(sender.calls) == 1


def test_cancelled_and_moved_subjects(migrated_engine: Engine, clock: Clock) -> None:
    cancelled = add(migrated_engine, clock.now, subject="event:12", kind="gratitude")
    moved = add(migrated_engine, clock.now, subject="event:12")
    sender = Recorder()
    engine = make(migrated_engine, clock)
    engine.register("debrief", sender, grace=HOUR)
    engine.register("gratitude", sender, grace=HOUR)
    with session_scope(migrated_engine) as session:
        assert engine.cancel_subject(session, subject="event:12", kinds=["gratitude"]) == 1
        assert (
            engine.reschedule_subject(
                session, subject="event:12", kind="debrief", due_at=clock.now + HOUR
            )
            == 1
        )
    assert engine.dispatch_due().sent == 0
    clock.advance(HOUR)
    assert engine.dispatch_due().sent == 1
    assert sender.ids == [moved.id]
    assert fetch(migrated_engine, cancelled.id).status == ReminderStatus.CANCELLED


def test_unknown_kind_is_left_for_a_while_then_failed_and_logged(
    migrated_engine: Engine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    mystery = add(migrated_engine, clock.now, kind="mystery")
    engine = make(migrated_engine, clock, unknown_kind_grace=HOUR)
    engine.register("debrief", Recorder(), grace=timedelta(minutes=5))
    # A newer process (rolling deploy) may know the kind: not claimed, not failed yet.
    assert engine.dispatch_due() == DispatchReport()
    assert fetch(migrated_engine, mystery.id).status == ReminderStatus.PENDING
    newer = make(migrated_engine, clock, worker="newer")
    newer_sender = Recorder()
    newer.register("mystery", newer_sender, grace=HOUR)
    other = add(migrated_engine, clock.now, kind="mystery")
    assert newer.dispatch_due().sent == 2
    assert sorted(newer_sender.ids) == sorted([mystery.id, other.id])

    orphan = add(migrated_engine, clock.now, kind="retired")
    clock.advance(HOUR + timedelta(seconds=1))
    with caplog.at_level(logging.INFO, logger="bot.reminders.engine"):
        report = engine.dispatch_due()
    assert report.failed == 1 and report.expired == 0
    stored = fetch(migrated_engine, orphan.id)
    assert stored.status == ReminderStatus.FAILED
    assert stored.last_error == "no sender registered for kind retired"
    assert any(
        f"reminder {orphan.id} failed" in r.getMessage() and r.levelno == logging.ERROR
        for r in caplog.records
    )


def test_register_checks_its_arguments(migrated_engine: Engine, clock: Clock) -> None:
    engine = make(migrated_engine, clock)
    engine.register("debrief", Recorder(), grace=HOUR)
    with pytest.raises(ValueError):
        engine.register("debrief", Recorder(), grace=HOUR)
    with pytest.raises(ValueError):
        engine.register("other", Recorder(), grace=-HOUR)
    assert engine.kinds == {"debrief"}


def test_a_naive_clock_is_refused(migrated_engine: Engine) -> None:
    engine = ReminderEngine(
        engine=migrated_engine, clock=lambda: datetime(2026, 3, 3), worker_id="w"
    )
    with pytest.raises(ValueError, match="aware"):
        engine.dispatch_due()


# --- several processes on one database ---------------------------------------------------


def run_workers(
    database_url: str, tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> dict[str, list[int]]:
    # A spawned child imports tests.plugins.reminder_workers by name and gets the parent's
    # sys.path: make the project root part of it.
    monkeypatch.syspath_prepend(str(ROOT))
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    processes = [
        context.Process(
            target=reminder_workers.dispatch_until_done,
            args=(database_url, f"worker{i}", str(tmp_path), start),
        )
        for i in range(workers)
    ]
    try:
        for process in processes:
            process.start()
        start.set()
        for process in processes:
            process.join(timeout=180)
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
    assert [p.exitcode for p in processes] == [0] * workers
    return {
        path.stem: [int(line) for line in path.read_text().split()]
        for path in tmp_path.glob("worker*.txt")
    }


def test_several_processes_deliver_each_reminder_exactly_once(
    database_url: str,
    migrated_engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    postgres = migrated_engine.dialect.name == "postgresql"
    workers, count = (4, 2000) if postgres else (3, 300)  # PostgreSQL: 4 processes x 500
    bulk_add(migrated_engine, count, datetime.now(UTC) - timedelta(seconds=1))
    deliveries = run_workers(database_url, tmp_path, workers, monkeypatch)

    delivered = collections.Counter(i for ids in deliveries.values() for i in ids)
    duplicates = {i: n for i, n in delivered.items() if n > 1}
    assert duplicates == {}
    assert len(delivered) == count
    assert store.count_by_status(migrated_engine) == {"sent": count}
    if postgres:  # SKIP LOCKED lets every worker take a share
        assert all(deliveries.get(f"worker{i}") for i in range(workers)), {
            k: len(v) for k, v in deliveries.items()
        }


# --- leases, fencing, restarts -----------------------------------------------------------


def test_a_worker_that_died_after_claiming_is_covered_after_the_lease(
    migrated_engine: Engine, clock: Clock
) -> None:
    reminder = add(migrated_engine, clock.now)
    assert reminder.id is not None
    # Worker A claims and "dies" before sending (no send, no mark).
    dead = store.claim_due(
        migrated_engine,
        now=clock.now,
        lease_until=clock.now + LEASE,
        limit=10,
        late_before=clock.now - LEASE,
    )
    assert [r.id for r in dead.reminders] == [reminder.id]

    sender = Recorder()
    survivor = make(migrated_engine, clock, worker="B", lease=LEASE)
    survivor.register("debrief", sender, grace=HOUR)
    assert survivor.dispatch_due().sent == 0  # A's lease still holds
    clock.advance(LEASE - timedelta(seconds=1))
    assert survivor.dispatch_due().sent == 0
    clock.advance(timedelta(seconds=2))
    assert survivor.dispatch_due().sent == 1
    assert survivor.dispatch_due().sent == 0
    assert sender.ids == [reminder.id]
    # A coming back to life and marking its stale claim changes nothing.
    assert not store.mark_sent(
        migrated_engine, reminder_id=reminder.id, token=dead.token, now=clock.now
    )
    assert fetch(migrated_engine, reminder.id).status == ReminderStatus.SENT


def test_a_process_killed_between_claim_and_send_is_covered_by_another(
    database_url: str,
    migrated_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bulk_add(migrated_engine, 3, datetime.now(UTC) - timedelta(seconds=1))
    monkeypatch.syspath_prepend(str(ROOT))
    context = multiprocessing.get_context("spawn")
    claimed = context.Event()
    doomed = context.Process(target=reminder_workers.claim_then_hang, args=(database_url, claimed))
    doomed.start()
    try:
        assert claimed.wait(timeout=60)
    finally:
        doomed.kill()
        doomed.join()
    assert store.count_by_status(migrated_engine) == {"claimed": 3}

    clock = Clock(datetime.now(UTC))
    sender = Recorder()
    survivor = make(migrated_engine, clock, worker="survivor", lease=LEASE)
    survivor.register("test", sender, grace=HOUR)
    assert survivor.dispatch_due().sent == 0  # the dead worker's lease still holds
    clock.advance(LEASE + timedelta(seconds=1))
    assert survivor.dispatch_due().sent == 3
    assert survivor.dispatch_due().sent == 0
    assert len(set(sender.ids)) == 3 == len(sender.ids)
    assert store.count_by_status(migrated_engine) == {"sent": 3}


def test_a_late_mark_after_a_takeover_updates_nothing(
    migrated_engine: Engine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    reminder = add(migrated_engine, clock.now)
    rival = make(migrated_engine, clock, worker="rival", lease=LEASE)
    rival_sender = Recorder()
    rival.register("debrief", rival_sender, grace=HOUR)

    def slow(_r: Reminder) -> Outcome:
        # This send stalls past the lease; the rival takes the reminder over meanwhile.
        clock.advance(LEASE + timedelta(seconds=1))
        assert rival.dispatch_due().sent == 1
        return Delivered()

    engine = make(migrated_engine, clock, worker="slow", lease=LEASE)
    engine.register("debrief", Recorder(slow), grace=HOUR)
    with caplog.at_level(logging.WARNING, logger="bot.reminders.engine"):
        report = engine.dispatch_due()
    assert report.sent == 0 and report.fenced_out == 1
    assert rival_sender.ids == [reminder.id]
    assert any("taken over" in r.getMessage() for r in caplog.records)
    stored = fetch(migrated_engine, reminder.id)
    assert stored.status == ReminderStatus.SENT and stored.attempts == 0


def test_the_lease_is_renewed_while_a_long_batch_is_sent(
    migrated_engine: Engine, clock: Clock
) -> None:
    bulk_add(migrated_engine, 6, clock.now)
    rival = make(migrated_engine, clock, worker="rival", lease=LEASE)
    rival_sender = Recorder()
    rival.register("test", rival_sender, grace=HOUR)

    def slow(_r: Reminder) -> Outcome:
        clock.advance(timedelta(seconds=25))  # six sends: 150 s, far past one lease
        assert rival.dispatch_due().claimed == 0
        return Delivered()

    engine = make(migrated_engine, clock, worker="slow", lease=LEASE)
    sender = Recorder(slow)
    engine.register("test", sender, grace=HOUR)
    report = engine.dispatch_due()
    assert report.sent == 6 and report.fenced_out == 0
    assert rival_sender.calls == []


def test_restart_after_downtime_sends_late_within_grace_and_expires_past_it(
    migrated_engine: Engine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    within = add(migrated_engine, clock.now - timedelta(minutes=20))
    past = add(migrated_engine, clock.now - timedelta(hours=3))
    other_kind = add(migrated_engine, clock.now - timedelta(hours=3), kind="weekly")
    # A reminder claimed by the process that went down, its lease long gone.
    abandoned = add(migrated_engine, clock.now - timedelta(hours=5))
    store.claim_due(
        migrated_engine,
        now=clock.now - timedelta(hours=4),
        lease_until=clock.now - timedelta(hours=4) + LEASE,
        limit=1,
        late_before=clock.now,
    )
    assert fetch(migrated_engine, abandoned.id).status == ReminderStatus.CLAIMED

    sender = Recorder()
    engine = make(migrated_engine, clock)  # the restarted process
    engine.register("debrief", sender, grace=HOUR)
    engine.register("weekly", sender, grace=timedelta(days=1))
    with caplog.at_level(logging.INFO, logger="bot.reminders.engine"):
        report = engine.dispatch_due()

    assert report.expired == 2 and report.sent == 2 and report.late == 2
    assert sorted(sender.ids) == sorted([within.id, other_kind.id])
    assert fetch(migrated_engine, within.id).late is True
    assert fetch(migrated_engine, within.id).status == ReminderStatus.SENT
    for gone in (past, abandoned):
        assert fetch(migrated_engine, gone.id).status == ReminderStatus.EXPIRED
    expired_lines = [r for r in caplog.records if "expired" in r.getMessage()]
    assert {f"reminder {past.id} expired", f"reminder {abandoned.id} expired"} == {
        r.getMessage().split(":")[0] for r in expired_lines
    }
    assert all(r.levelno == logging.WARNING for r in expired_lines)
    assert any(
        f"reminder {within.id}" in r.getMessage() and "late" in r.getMessage()
        for r in caplog.records
    )


def test_recover_alone_expires_without_sending(migrated_engine: Engine, clock: Clock) -> None:
    add(migrated_engine, clock.now - timedelta(hours=2))
    keep = add(migrated_engine, clock.now - timedelta(minutes=2))
    engine = make(migrated_engine, clock)
    engine.register("debrief", Recorder(), grace=HOUR)
    assert engine.recover() == 1
    assert fetch(migrated_engine, keep.id).status == ReminderStatus.PENDING


# --- outcomes ----------------------------------------------------------------------------


def test_a_429_storm_delivers_everything_once_without_counting_attempts(
    migrated_engine: Engine, clock: Clock
) -> None:
    limit_first = 3
    tries: collections.Counter[int | None] = collections.Counter()
    delivered: collections.Counter[int | None] = collections.Counter()

    def storm(reminder: Reminder) -> Outcome:
        tries[reminder.id] += 1
        if tries[reminder.id] <= limit_first:
            return RateLimited(retry_after=2)
        delivered[reminder.id] += 1
        return Delivered()

    bulk_add(migrated_engine, 40, clock.now)
    engine = make(migrated_engine, clock, batch=7)
    engine.register("test", storm, grace=timedelta(minutes=10))
    total = DispatchReport()
    for _ in range(200):
        total += engine.dispatch_due()
        if total.sent == 40:
            break
        clock.advance(timedelta(seconds=2))
    assert total.sent == 40 and total.failed == 0 and total.retrying == 0
    assert total.expired == 0
    assert total.rate_limited >= 40 * limit_first
    assert len(delivered) == 40 and set(delivered.values()) == {1}
    with Session(migrated_engine) as session:
        rows = session.exec(select(Reminder)).all()
    assert {r.status for r in rows} == {ReminderStatus.SENT}
    assert {r.attempts for r in rows} == {0}


def test_a_rate_limit_pauses_the_rest_of_the_batch_for_that_workspace(
    migrated_engine: Engine, clock: Clock
) -> None:
    t1 = [add(migrated_engine, clock.now, team_id="T1", kind="test") for _ in range(3)]
    t2 = add(migrated_engine, clock.now, team_id="T2", kind="test")

    def answer(reminder: Reminder) -> Outcome:
        return RateLimited(5) if reminder.team_id == "T1" else Delivered()

    sender = Recorder(answer)
    engine = make(migrated_engine, clock)
    engine.register("test", sender, grace=HOUR)
    report = engine.dispatch_due()
    assert report.rate_limited == 3 and report.sent == 1
    assert sender.ids == [t1[0].id, t2.id]  # T1's other two were not even tried
    for reminder in t1:
        stored = fetch(migrated_engine, reminder.id)
        assert stored.status == ReminderStatus.PENDING
        assert stored.due_at == clock.now + timedelta(seconds=5)
        assert stored.attempts == 0


def test_retry_after_zero_does_not_spin(migrated_engine: Engine, clock: Clock) -> None:
    add(migrated_engine, clock.now)
    sender = Recorder(lambda _r: RateLimited(0))
    engine = make(migrated_engine, clock)
    engine.register("debrief", sender, grace=HOUR)
    assert engine.dispatch_due().rate_limited == 1
    assert len(sender.calls) == 1


def test_failures_back_off_exponentially_then_fail(
    migrated_engine: Engine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    reminder = add(migrated_engine, clock.now)
    sender = Recorder(lambda _r: Failed("HTTP 500"))
    engine = make(migrated_engine, clock, max_attempts=5)
    engine.register("debrief", sender, grace=HOUR)

    waits = []
    for attempt in range(1, 5):
        report = engine.dispatch_due()
        assert report.retrying == 1 and report.failed == 0
        stored = fetch(migrated_engine, reminder.id)
        assert stored.status == ReminderStatus.PENDING and stored.attempts == attempt
        assert stored.last_error == "HTTP 500"
        waits.append(stored.due_at - clock.now)
        clock.advance(waits[-1] - timedelta(seconds=1))
        assert engine.dispatch_due().claimed == 0  # not before the backoff
        clock.advance(timedelta(seconds=1))
    assert waits == [timedelta(seconds=s) for s in (30, 120, 480, 1920)]

    with caplog.at_level(logging.ERROR, logger="bot.reminders.engine"):
        assert engine.dispatch_due().failed == 1
    stored = fetch(migrated_engine, reminder.id)
    assert stored.status == ReminderStatus.FAILED and stored.attempts == 5
    assert len(sender.calls) == 5
    assert any("giving up" in r.getMessage() for r in caplog.records)
    clock.advance(timedelta(days=1))
    assert engine.dispatch_due() == DispatchReport()


def test_a_sender_exception_counts_as_a_failure(
    migrated_engine: Engine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    reminder = add(migrated_engine, clock.now)

    def boom(_r: Reminder) -> Outcome:
        raise RuntimeError("boom at Zq9-Secret Robotics")  # a message may carry member text

    engine = make(migrated_engine, clock)
    engine.register("debrief", boom, grace=HOUR)
    with caplog.at_level(logging.ERROR, logger="bot.reminders.engine"):
        assert engine.dispatch_due().retrying == 1
    stored = fetch(migrated_engine, reminder.id)
    # The class only: the stored error never holds the message (bot.platform.logs scrubs
    # the logged traceback the same way once installed).
    assert stored.attempts == 1 and stored.last_error == "RuntimeError"
    assert any(r.exc_info for r in caplog.records)


def test_undeliverable_is_terminal_and_logged_once(
    migrated_engine: Engine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    reminder = add(migrated_engine, clock.now)
    sender = Recorder(lambda _r: Undeliverable("user_disabled"))
    engine = make(migrated_engine, clock)
    engine.register("debrief", sender, grace=HOUR)
    with caplog.at_level(logging.INFO, logger="bot.reminders.engine"):
        for _ in range(3):
            engine.dispatch_due()
            clock.advance(HOUR)
    assert len(sender.calls) == 1
    stored = fetch(migrated_engine, reminder.id)
    assert stored.status == ReminderStatus.UNDELIVERABLE
    assert stored.last_error == "user_disabled" and stored.attempts == 0
    lines = [r for r in caplog.records if "undeliverable" in r.getMessage()]
    assert len(lines) == 1 and "user_disabled" in lines[0].getMessage()


def test_shutdown_mid_batch_hands_unsent_claims_back(migrated_engine: Engine, clock: Clock) -> None:
    bulk_add(migrated_engine, 5, clock.now)
    engine = make(migrated_engine, clock)

    def stop_after_first(_r: Reminder) -> Outcome:
        engine.shutdown()
        return Delivered()

    engine.register("test", Recorder(stop_after_first), grace=HOUR)
    report = engine.dispatch_due()
    assert report.sent == 1
    counts = store.count_by_status(migrated_engine)
    assert counts == {"sent": 1, "pending": 4}  # another worker can take them at once


# --- the background scheduler ------------------------------------------------------------


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_start_looks_at_once_and_a_soon_reminder_wakes_it(migrated_engine: Engine) -> None:
    now = datetime.now(UTC)
    overdue = add(migrated_engine, now - timedelta(minutes=5))
    delivered: list[int | None] = []
    lock = threading.Lock()

    def sender(reminder: Reminder) -> Outcome:
        with lock:
            delivered.append(reminder.id)
        return Delivered()

    engine = ReminderEngine(engine=migrated_engine, clock=lambda: datetime.now(UTC), worker_id="bg")
    engine.register("debrief", sender, grace=HOUR)
    # The interval is long: only the start-up look and the wake-up can send in time.
    engine.start(scheduler_interval_seconds=3600)
    try:
        assert engine.running
        assert wait_for(lambda: delivered == [overdue.id])
        soon = add(migrated_engine, datetime.now(UTC))  # commit -> wake
        assert wait_for(lambda: len(delivered) == 2)
        assert delivered[1] == soon.id
        later = add(migrated_engine, datetime.now(UTC) + timedelta(days=2))
        time.sleep(0.3)
        assert later.id not in delivered
    finally:
        engine.shutdown()
    assert not engine.running


def test_an_uncommitted_schedule_wakes_nothing(migrated_engine: Engine) -> None:
    engine = ReminderEngine(engine=migrated_engine, clock=lambda: datetime.now(UTC), worker_id="bg")
    sender = Recorder()
    engine.register("debrief", sender, grace=HOUR)
    engine.start(scheduler_interval_seconds=3600)
    try:
        assert wait_for(lambda: not engine._pass_lock.locked())
        with pytest.raises(RuntimeError), session_scope(migrated_engine) as session:
            reminders.schedule(
                session,
                kind="debrief",
                team_id="T1",
                user_id="U1",
                due_at=datetime.now(UTC),
                payload={},
            )
            raise RuntimeError("the feature failed after scheduling")
        time.sleep(0.3)
        assert sender.calls == []
        assert store.count_by_status(migrated_engine) == {}
    finally:
        engine.shutdown()


def test_a_wake_during_a_pass_is_not_lost(migrated_engine: Engine, clock: Clock) -> None:
    engine = make(migrated_engine, clock)
    passes = []

    def second_reminder_arrives(_r: Reminder) -> Outcome:
        if not passes:
            passes.append(1)
            add(migrated_engine, clock.now, kind="debrief")
            engine.wake()  # as the commit hook would, mid-pass
        return Delivered()

    sender = Recorder(second_reminder_arrives)
    engine.register("debrief", sender, grace=HOUR)
    add(migrated_engine, clock.now)
    engine._tick()  # what the scheduler runs
    assert len(sender.calls) == 2
