"""storage.reminders.backlog: the counts `GET /metrics` exports, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import col

from storage import reminders as store
from storage.db import session_scope
from storage.reminders import Reminder, ReminderStatus

NOW = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
LATE_AFTER = timedelta(minutes=1)


def add(engine: Engine, *, due_at: datetime, key: str) -> int:
    with session_scope(engine) as session:
        reminder = store.schedule(
            session,
            kind="debrief",
            team_id="T1",
            user_id="U1",
            due_at=due_at,
            payload={},
            dedupe_key=key,
        )
        assert reminder.id is not None
        return reminder.id


def set_row(engine: Engine, reminder_id: int, **values: object) -> None:
    with engine.begin() as conn:
        conn.execute(update(Reminder).where(col(Reminder.id) == reminder_id).values(**values))


def read(engine: Engine, now: datetime = NOW) -> store.Backlog:
    return store.backlog(engine, now=now, late_before=now - LATE_AFTER)


def test_an_empty_table_has_no_backlog(engine: Engine) -> None:
    assert read(engine) == store.Backlog(due=0, claimed=0, late=0, failed=0, oldest_due_at=None)


def test_backlog_counts_each_state_by_its_definition(engine: Engine) -> None:
    add(engine, due_at=NOW - timedelta(seconds=30), key="due-on-time")
    add(engine, due_at=NOW - timedelta(minutes=5), key="due-late")
    add(engine, due_at=NOW + timedelta(hours=1), key="future")  # not due yet: not counted
    in_flight = add(engine, due_at=NOW - timedelta(minutes=10), key="in-flight")
    set_row(
        engine,
        in_flight,
        status=ReminderStatus.CLAIMED.value,
        claim_token="t1",
        lease_until=NOW + timedelta(seconds=30),
    )
    abandoned = add(engine, due_at=NOW - timedelta(minutes=20), key="abandoned")
    set_row(
        engine,
        abandoned,
        status=ReminderStatus.CLAIMED.value,
        claim_token="t2",
        lease_until=NOW - timedelta(seconds=1),  # its worker died: claimable again
    )
    for index, status in enumerate(
        [ReminderStatus.FAILED, ReminderStatus.FAILED, ReminderStatus.SENT, ReminderStatus.EXPIRED]
    ):
        done = add(engine, due_at=NOW - timedelta(hours=2), key=f"done-{index}")
        set_row(engine, done, status=status.value)

    backlog = read(engine)

    assert backlog.due == 3  # on time, late, and the abandoned claim
    assert backlog.claimed == 1  # only the live lease
    assert backlog.late == 2  # due more than a minute ago and nobody sending it
    assert backlog.failed == 2
    assert backlog.oldest_due_at == NOW - timedelta(minutes=20)


def test_the_backlog_moves_with_the_clock(engine: Engine) -> None:
    add(engine, due_at=NOW + timedelta(minutes=2), key="soon")
    assert read(engine).due == 0
    later = read(engine, NOW + timedelta(minutes=2))
    assert (later.due, later.late) == (1, 0)
    much_later = read(engine, NOW + timedelta(minutes=10))
    assert (much_later.due, much_later.late) == (1, 1)


def test_backlog_wants_aware_times(engine: Engine) -> None:
    with pytest.raises(ValueError, match="aware"):
        store.backlog(engine, now=NOW.replace(tzinfo=None), late_before=NOW - LATE_AFTER)
