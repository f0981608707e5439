"""Reminder rows and queries, on SQLite and PostgreSQL (see tests/plugins/databases.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import Session

from storage import reminders as store
from storage.db import session_scope
from storage.migrate import alembic_config
from storage.models import metadata
from storage.reminders import Reminder, ReminderStatus

NOW = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def add(engine: Engine, **overrides: object) -> Reminder:
    values: dict[str, object] = {
        "kind": "debrief",
        "team_id": "T1",
        "user_id": "U1",
        "due_at": NOW,
        "payload": {"event": 12},
    }
    values.update(overrides)
    with session_scope(engine) as session:
        return store.schedule(session, **values)  # type: ignore[arg-type]


def fetch(engine: Engine, reminder_id: int | None) -> Reminder:
    assert reminder_id is not None
    with Session(engine) as session:
        reminder = session.get(Reminder, reminder_id)
        assert reminder is not None
        return reminder


def claim(engine: Engine, now: datetime = NOW, limit: int = 100) -> store.Claim:
    return store.claim_due(
        engine, now=now, lease_until=now + LEASE, limit=limit, late_before=now - LEASE
    )


# --- schema ------------------------------------------------------------------------------


def test_migration_matches_the_model_and_downgrades(migrated_engine: Engine) -> None:
    with migrated_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert [d for d in diff if "reminders" in repr(d)] == []

    columns = {c["name"] for c in inspect(migrated_engine).get_columns("reminders")}
    assert {"status", "due_at", "dedupe_key", "claim_token", "lease_until", "late"} <= columns
    indexes = {
        i["name"]: i["column_names"] for i in inspect(migrated_engine).get_indexes("reminders")
    }
    assert indexes["ix_reminders_status_due_at"] == ["status", "due_at"]

    config = alembic_config()
    with migrated_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    assert not inspect(migrated_engine).has_table("reminders")
    with migrated_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    assert inspect(migrated_engine).has_table("reminders")


# --- scheduling --------------------------------------------------------------------------


def test_schedule_stores_a_pending_row_with_json_payload(migrated_engine: Engine) -> None:
    reminder = add(migrated_engine, subject="event:12")
    stored = fetch(migrated_engine, reminder.id)
    assert stored.status == ReminderStatus.PENDING
    assert stored.due_at == NOW and stored.due_at.tzinfo is not None
    assert json.loads(stored.payload) == {"event": 12}
    assert stored.data == {"event": 12}
    assert stored.attempts == 0 and stored.late is False and stored.claim_token is None


def test_schedule_rejects_naive_times_and_non_json(migrated_engine: Engine) -> None:
    with pytest.raises(ValueError, match="aware"):
        add(migrated_engine, due_at=datetime(2026, 3, 3, 8, 0))
    with pytest.raises(ValueError):
        add(migrated_engine, payload="not json")


def test_same_dedupe_key_makes_one_row(migrated_engine: Engine) -> None:
    first = add(migrated_engine, dedupe_key="debrief:event:12:U1")
    second = add(migrated_engine, dedupe_key="debrief:event:12:U1", due_at=NOW + LEASE)
    assert second.id == first.id
    assert fetch(migrated_engine, first.id).due_at == NOW  # kept, not moved
    # Without a key, two calls are two reminders.
    assert add(migrated_engine).id != add(migrated_engine).id


def test_dedupe_race_lost_at_insert_returns_the_winner(
    migrated_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = add(migrated_engine, dedupe_key="k")
    real = store.get_by_dedupe_key
    calls: list[str] = []

    def not_seen_the_first_time(session: Session, key: str) -> Reminder | None:
        calls.append(key)
        return None if len(calls) == 1 else real(session, key)

    monkeypatch.setattr(store, "get_by_dedupe_key", not_seen_the_first_time)
    with session_scope(migrated_engine) as session:
        loser = store.schedule(
            session,
            kind="debrief",
            team_id="T1",
            user_id="U1",
            due_at=NOW,
            payload={},
            dedupe_key="k",
        )
        # The caller's transaction is still usable after the unique violation.
        other = store.schedule(
            session, kind="debrief", team_id="T1", user_id="U2", due_at=NOW, payload={}
        )
    assert loser.id == winner.id
    assert other.id is not None


def test_scheduling_a_cancelled_key_again_revives_it(migrated_engine: Engine) -> None:
    first = add(migrated_engine, dedupe_key="k", subject="event:1")
    with session_scope(migrated_engine) as session:
        assert store.cancel_subject(session, subject="event:1") == 1
    later = NOW + timedelta(hours=2)
    again = add(migrated_engine, dedupe_key="k", subject="event:1", due_at=later, payload={"v": 2})
    assert again.id == first.id
    stored = fetch(migrated_engine, first.id)
    assert stored.status == ReminderStatus.PENDING
    assert stored.due_at == later and stored.data == {"v": 2}


def test_cancel_subject_by_kind_leaves_claimed_and_other_subjects(migrated_engine: Engine) -> None:
    prompt = add(migrated_engine, subject="event:12", kind="debrief")
    nudge = add(migrated_engine, subject="event:12", kind="gratitude")
    other = add(migrated_engine, subject="event:13", kind="debrief")
    in_flight = add(migrated_engine, subject="event:12", kind="debrief", due_at=NOW - LEASE)
    claimed = claim(migrated_engine, limit=1)
    assert [r.id for r in claimed.reminders] == [in_flight.id]

    with session_scope(migrated_engine) as session:
        assert store.cancel_subject(session, subject="event:12", kinds=["gratitude"]) == 1
        assert store.cancel_subject(session, subject="event:12") == 1
    assert fetch(migrated_engine, prompt.id).status == ReminderStatus.CANCELLED
    assert fetch(migrated_engine, nudge.id).status == ReminderStatus.CANCELLED
    assert fetch(migrated_engine, other.id).status == ReminderStatus.PENDING
    assert fetch(migrated_engine, in_flight.id).status == ReminderStatus.CLAIMED


def test_reschedule_subject_moves_pending_of_one_kind(migrated_engine: Engine) -> None:
    prompt = add(migrated_engine, subject="event:12", kind="debrief")
    nudge = add(migrated_engine, subject="event:12", kind="gratitude")
    later = NOW + timedelta(days=1)
    with session_scope(migrated_engine) as session:
        moved = store.reschedule_subject(session, subject="event:12", kind="debrief", due_at=later)
    assert moved == 1
    assert fetch(migrated_engine, prompt.id).due_at == later
    assert fetch(migrated_engine, nudge.id).due_at == NOW


def test_pending_for_user_lists_upcoming_soonest_first(migrated_engine: Engine) -> None:
    late = add(migrated_engine, due_at=NOW + timedelta(hours=2))
    soon = add(migrated_engine, due_at=NOW + timedelta(hours=1))
    add(migrated_engine, user_id="U2")
    with Session(migrated_engine) as session:
        listed = store.pending_for_user(session, team_id="T1", user_id="U1")
    assert [r.id for r in listed] == [soon.id, late.id]


# --- claiming ----------------------------------------------------------------------------


def test_claim_takes_due_rows_once_with_a_lease(migrated_engine: Engine) -> None:
    due = [add(migrated_engine, due_at=NOW - timedelta(seconds=i)) for i in range(3)]
    future = add(migrated_engine, due_at=NOW + timedelta(seconds=1))

    first = claim(migrated_engine, limit=2)
    assert len(first.reminders) == 2
    assert {r.id for r in first.reminders} == {due[2].id, due[1].id}  # oldest first
    for reminder in first.reminders:
        assert reminder.status == ReminderStatus.CLAIMED
        assert reminder.claim_token == first.token
        assert reminder.lease_until == NOW + LEASE

    second = claim(migrated_engine)
    assert [r.id for r in second.reminders] == [due[0].id]
    assert second.token != first.token
    assert claim(migrated_engine).reminders == []
    assert fetch(migrated_engine, future.id).status == ReminderStatus.PENDING


def test_expired_lease_is_claimable_again(migrated_engine: Engine) -> None:
    reminder = add(migrated_engine)
    dead = claim(migrated_engine)  # a worker claims, then dies before sending
    assert claim(migrated_engine, now=NOW + LEASE).reminders == []  # lease still valid
    later = NOW + LEASE + timedelta(seconds=1)
    retaken = claim(migrated_engine, now=later)
    assert [r.id for r in retaken.reminders] == [reminder.id]
    assert retaken.token != dead.token


def test_claim_flags_late_rows(migrated_engine: Engine) -> None:
    on_time = add(migrated_engine, due_at=NOW - timedelta(seconds=5))
    overdue = add(migrated_engine, due_at=NOW - timedelta(minutes=10))
    flags = {r.id: r.late for r in claim(migrated_engine).reminders}
    assert flags == {on_time.id: False, overdue.id: True}


def test_fenced_mark_from_a_stale_claim_updates_nothing(migrated_engine: Engine) -> None:
    reminder = add(migrated_engine)
    assert reminder.id is not None
    stale = claim(migrated_engine)
    fresh = claim(migrated_engine, now=NOW + 2 * LEASE)

    assert not store.mark_sent(migrated_engine, reminder_id=reminder.id, token=stale.token, now=NOW)
    assert not store.mark_retry(
        migrated_engine,
        reminder_id=reminder.id,
        token=stale.token,
        due_at=NOW,
        attempts=3,
        error="x",
    )
    assert not store.mark_final(
        migrated_engine,
        reminder_id=reminder.id,
        token=stale.token,
        status=ReminderStatus.FAILED,
        error="x",
    )
    stored = fetch(migrated_engine, reminder.id)
    assert stored.status == ReminderStatus.CLAIMED and stored.claim_token == fresh.token
    assert stored.sent_at is None and stored.attempts == 0

    assert store.mark_sent(migrated_engine, reminder_id=reminder.id, token=fresh.token, now=NOW)
    assert fetch(migrated_engine, reminder.id).status == ReminderStatus.SENT
    # Marking twice changes nothing the second time.
    assert not store.mark_sent(migrated_engine, reminder_id=reminder.id, token=fresh.token, now=NOW)


def test_renew_and_release_only_touch_the_claim(migrated_engine: Engine) -> None:
    a, b = add(migrated_engine), add(migrated_engine)
    assert a.id is not None and b.id is not None
    held = claim(migrated_engine)
    store.mark_sent(migrated_engine, reminder_id=a.id, token=held.token, now=NOW)
    later = NOW + 3 * LEASE
    assert store.renew_lease(migrated_engine, token=held.token, lease_until=later) == {b.id}
    assert fetch(migrated_engine, b.id).lease_until == later
    assert store.release_claim(migrated_engine, token=held.token, ids=[a.id, b.id]) == 1
    released = fetch(migrated_engine, b.id)
    assert released.status == ReminderStatus.PENDING and released.claim_token is None
    assert fetch(migrated_engine, a.id).status == ReminderStatus.SENT


def test_expire_overdue_uses_each_kinds_cutoff(migrated_engine: Engine) -> None:
    old_debrief = add(migrated_engine, kind="debrief", due_at=NOW - timedelta(hours=3))
    recent_debrief = add(migrated_engine, kind="debrief", due_at=NOW - timedelta(minutes=30))
    old_nudge = add(migrated_engine, kind="gratitude", due_at=NOW - timedelta(hours=3))
    unknown = add(migrated_engine, kind="mystery", due_at=NOW - timedelta(days=3))
    expired = store.expire_overdue(
        migrated_engine,
        cutoffs={"debrief": NOW - timedelta(hours=1), "gratitude": NOW - timedelta(hours=6)},
        now=NOW,
    )
    assert [r.id for r in expired] == [old_debrief.id]
    assert fetch(migrated_engine, old_debrief.id).status == ReminderStatus.EXPIRED
    for kept in (recent_debrief, old_nudge, unknown):
        assert fetch(migrated_engine, kept.id).status == ReminderStatus.PENDING


def test_expire_overdue_takes_abandoned_claims_not_live_ones(migrated_engine: Engine) -> None:
    reminder = add(migrated_engine, due_at=NOW - timedelta(hours=3))
    claim(migrated_engine)  # lease until NOW + 60 s
    cutoffs = {"debrief": NOW - timedelta(hours=1)}
    assert store.expire_overdue(migrated_engine, cutoffs=cutoffs, now=NOW) == []
    later = NOW + 2 * LEASE
    expired = store.expire_overdue(migrated_engine, cutoffs=cutoffs, now=later)
    assert [r.id for r in expired] == [reminder.id]


def test_next_due_and_counts(migrated_engine: Engine) -> None:
    assert store.next_due_at(migrated_engine) is None
    add(migrated_engine, due_at=NOW + timedelta(minutes=5))
    add(migrated_engine, due_at=NOW + timedelta(minutes=1))
    assert store.next_due_at(migrated_engine) == NOW + timedelta(minutes=1)
    assert store.count_by_status(migrated_engine) == {"pending": 2}
