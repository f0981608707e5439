"""The engine re-checks a claim right before each send (a purged workspace's reminders do not
go), and runs periodic upkeep on its scheduler. SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from bot.reminders.engine import Delivered, Outcome
from storage import purge
from storage.reminders import Reminder
from tests.bot.reminders.test_engine import HOUR, Recorder, add, make
from tests.plugins.clock import Clock


def test_a_reminder_of_a_workspace_purged_mid_batch_is_not_sent(
    migrated_engine: Engine, clock: Clock
) -> None:
    first = add(migrated_engine, clock.now - timedelta(seconds=3), team_id="T0GONE")
    second = add(migrated_engine, clock.now - timedelta(seconds=2), team_id="T0GONE")
    other = add(migrated_engine, clock.now - timedelta(seconds=1), team_id="T0STAYS")

    def uninstall_during_the_first_send(reminder: Reminder) -> Outcome:
        if reminder.id == first.id:  # the app_uninstalled event lands mid-batch
            with Session(migrated_engine) as session:
                purge.purge_team(session, team_id="T0GONE")
                session.commit()
        return Delivered()

    sender = Recorder(uninstall_during_the_first_send)
    engine = make(migrated_engine, clock)
    engine.register("debrief", sender, grace=HOUR)

    report = engine.dispatch_due()

    assert report.claimed == 3  # all three were claimed in one batch, before the purge
    assert sender.ids == [first.id, other.id]  # the second was deleted before its turn
    assert second.id not in sender.ids
    assert report.gone == 1 and report.sent == 1
    with Session(migrated_engine) as session:
        left = session.exec(select(Reminder.team_id, Reminder.status)).all()
    assert left == [("T0STAYS", "sent")]


def test_a_claim_taken_over_before_its_send_is_skipped(
    migrated_engine: Engine, clock: Clock
) -> None:
    first = add(migrated_engine, clock.now - timedelta(seconds=2))
    second = add(migrated_engine, clock.now - timedelta(seconds=1))

    def another_worker_takes_the_second(reminder: Reminder) -> Outcome:
        if reminder.id == first.id:
            with migrated_engine.begin() as conn:
                conn.execute(
                    update(Reminder.__table__)  # type: ignore[attr-defined]
                    .where(Reminder.__table__.c.id == second.id)  # type: ignore[attr-defined]
                    .values(claim_token="someone-else")
                )
        return Delivered()

    sender = Recorder(another_worker_takes_the_second)
    engine = make(migrated_engine, clock)
    engine.register("debrief", sender, grace=HOUR)

    report = engine.dispatch_due()

    assert sender.ids == [first.id]
    assert report.sent == 1 and report.fenced_out == 1 and report.gone == 0


# --- periodic upkeep ------------------------------------------------------------------------------


class FakeScheduler:
    """Records jobs as APScheduler 3 would hold them; a test runs them by hand."""

    def __init__(self) -> None:
        self.jobs: dict[str, tuple[Callable[[], None], dict[str, Any]]] = {}

    def add_job(self, func: Callable[[], None], trigger: str, **options: Any) -> None:
        assert trigger == "interval"
        self.jobs[options["id"]] = (func, options)

    def remove_job(self, job_id: str) -> None:
        del self.jobs[job_id]

    def modify_job(self, job_id: str, **_changes: Any) -> None:
        assert job_id in self.jobs


def test_periodic_jobs_run_on_the_engines_scheduler_from_start_to_shutdown(
    migrated_engine: Engine, clock: Clock
) -> None:
    runs: list[str] = []
    engine = make(migrated_engine, clock, worker="w9")
    engine.every(timedelta(hours=1), lambda: runs.append("retention"), name="retention")
    scheduler = FakeScheduler()

    engine.start(scheduler=scheduler)

    run, options = scheduler.jobs["reminders:w9:retention"]
    assert options["seconds"] == 3600 and options["max_instances"] == 1
    assert options["next_run_time"] is not None  # once at start-up, then every hour
    run()
    assert runs == ["retention"]
    engine.shutdown()
    assert scheduler.jobs == {}  # the engine's own look and the upkeep both removed


def test_a_periodic_job_added_after_start_is_scheduled_and_a_failure_logs_its_class(
    migrated_engine: Engine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make(migrated_engine, clock, worker="w9")
    scheduler = FakeScheduler()
    engine.start(scheduler=scheduler)

    def broken() -> None:
        raise LookupError("a member's secret text")

    engine.every(timedelta(minutes=5), broken, name="broken")
    caplog.set_level(logging.ERROR, logger="bot.reminders.engine")
    scheduler.jobs["reminders:w9:broken"][0]()  # does not raise: the next run tries again

    assert "periodic job broken failed: LookupError" in caplog.text
    assert "secret" not in caplog.text
    engine.shutdown()


def test_periodic_jobs_need_a_positive_interval_and_a_unique_name(
    migrated_engine: Engine, clock: Clock
) -> None:
    engine = make(migrated_engine, clock)
    with pytest.raises(ValueError):
        engine.every(timedelta(0), lambda: None, name="x")
    engine.every(timedelta(seconds=1), lambda: None, name="x")
    with pytest.raises(ValueError):
        engine.every(timedelta(seconds=1), lambda: None, name="x")
    assert engine.periodic == {"x"}
