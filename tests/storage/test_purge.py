"""The workspace purge and the retention deletes, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from storage import purge
from storage.backchannel import BackchannelChecklist, BackchannelPerson
from storage.events import ProcessedEvent
from storage.missions import MissionDraft, MissionVersion, Objective
from storage.models import metadata
from storage.negotiation import NegotiationLeg
from storage.reminders import Reminder, ReminderStatus
from storage.searches import Search
from tests.storage.fit_rows import seed_workspace, table_counts

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TEAM_A, TEAM_B = "T0AAAAAAA", "T0BBBBBBB"


def _seed(engine: Engine, team_id: str, channel_id: str) -> None:
    seed_workspace(
        engine,
        team_id=team_id,
        channel_id=channel_id,
        author=f"U0{channel_id}",  # one member's search per council: unique per seed
        peer="U0PEER",
        now=NOW,
    )


# --- coverage -----------------------------------------------------------------------------------


def test_every_table_is_purged_with_its_workspace_or_exempt_for_a_reason() -> None:
    names = [table.name for table in metadata.sorted_tables]
    covered = purge.covered_tables()
    for name in names:
        assert name in covered or purge.EXEMPT.get(name), (
            f"table {name} is neither reached by the workspace purge (no team_id column and "
            "no foreign key to a table that is) nor listed in storage.purge.EXEMPT"
        )
    assert purge.uncovered_tables() == []
    assert set(purge.EXEMPT) <= set(names), "EXEMPT names a table that no longer exists"


def test_exempt_tables_hold_no_team_or_member_column() -> None:
    for name in purge.EXEMPT:
        columns = set(metadata.tables[name].c.keys())
        assert not columns & {"team_id", "user_id", "channel_id", "author_id"}, name


def test_the_seed_fills_every_table(engine: Engine) -> None:
    seed_workspace(
        engine,
        team_id=TEAM_A,
        channel_id="C0A",
        author="U0AUTHOR",
        peer="U0PEER",
        now=NOW,
        event_id="Ev0A",
    )
    empty = [name for name, n in table_counts(engine).items() if n == 0]
    assert empty == [], "add a row of these tables to tests/plugins/workspace_rows.py"


# --- the workspace purge ------------------------------------------------------------------------


def test_purging_a_workspace_deletes_its_rows_in_every_table_and_nothing_else(
    engine: Engine,
) -> None:
    _seed(engine, TEAM_B, "C0B")
    only_b = table_counts(engine)
    _seed(engine, TEAM_A, "C0A")
    both = table_counts(engine)
    for name in purge.covered_tables():
        assert both[name] > only_b[name], f"the seed left {name} empty for {TEAM_A}"

    with Session(engine) as session:
        counts = purge.purge_team(session, team_id=TEAM_A)
        session.commit()

    assert table_counts(engine) == only_b
    assert counts == {name: both[name] - only_b[name] for name in purge.covered_tables()}
    with Session(engine) as session:  # what is left is B's, whole
        assert {s.team_id for s in session.exec(select(Search)).all()} == {TEAM_B}
        assert session.exec(select(func.count()).select_from(MissionVersion)).one() == 1


def test_purging_twice_deletes_nothing_the_second_time(engine: Engine) -> None:
    _seed(engine, TEAM_A, "C0A")
    _seed(engine, TEAM_B, "C0B")
    with Session(engine) as session:
        first = purge.purge_team(session, team_id=TEAM_A)
        session.commit()
    after_first = table_counts(engine)
    with Session(engine) as session:
        second = purge.purge_team(session, team_id=TEAM_A)
        session.commit()
    assert sum(first.values()) > 0
    assert set(second) == purge.covered_tables() and sum(second.values()) == 0
    assert table_counts(engine) == after_first


def test_an_empty_team_id_is_refused(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(ValueError):
        purge.purge_team(session, team_id="")


# --- retention ----------------------------------------------------------------------------------

OLD = NOW - timedelta(days=120)
RECENT = NOW - timedelta(days=10)
BEFORE = NOW - timedelta(days=90)


def _set(engine: Engine, model: type, values: dict[str, object], **where: object) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        query = table.update().values(**values)
        for name, value in where.items():
            query = query.where(table.c[name] == value)
        connection.execute(query)


def _expire(engine: Engine, **more: object) -> dict[str, int]:
    with Session(engine) as session:
        counts = purge.purge_expired(
            session, before=BEFORE, events_before=NOW - timedelta(days=1), **more
        )
        session.commit()
    return counts


def test_retention_deletes_old_withdrawn_drafts_with_their_versions_only(engine: Engine) -> None:
    _seed(engine, TEAM_A, "C0A")  # draft 1: withdrawn long ago
    _seed(engine, TEAM_A, "C0A2")  # draft 2: withdrawn recently
    _seed(engine, TEAM_A, "C0A3")  # draft 3: posted, untouched for long
    _set(engine, MissionDraft, {"status": "withdrawn", "updated_at": OLD}, id=1)
    _set(engine, MissionDraft, {"status": "withdrawn", "updated_at": RECENT}, id=2)
    _set(engine, MissionDraft, {"updated_at": OLD}, id=3)
    before = table_counts(engine)

    counts = _expire(engine)

    after = table_counts(engine)
    with Session(engine) as session:
        assert sorted(session.exec(select(MissionDraft.id)).all()) == [2, 3]
        assert sorted(session.exec(select(MissionVersion.draft_id)).all()) == [2, 3]
        assert session.exec(select(func.count()).select_from(Objective)).one() == 2
        # The negotiation ask that served draft 1's objective keeps its text, unlinked.
        legs = {leg.plan_id: leg.objective_id for leg in session.exec(select(NegotiationLeg)).all()}
    assert legs[1] is None and legs[2] is not None and legs[3] is not None
    assert counts["mission_drafts"] == 1 and counts["mission_versions"] == 1
    assert counts["feedback_asks"] == 1 and counts["written_feedback"] == 1
    for name in ("searches", "negotiation_legs", "councils", "interview_events"):
        assert after[name] == before[name], name


def test_retention_deletes_old_closed_checklists_and_their_people_only(engine: Engine) -> None:
    for channel in ("C0A", "C0A2", "C0A3"):
        _seed(engine, TEAM_A, channel)
    _set(engine, BackchannelChecklist, {"status": "closed", "updated_at": OLD}, id=1)
    _set(engine, BackchannelChecklist, {"status": "closed", "updated_at": RECENT}, id=2)
    _set(engine, BackchannelChecklist, {"updated_at": OLD}, id=3)  # open, however old

    counts = _expire(engine)

    with Session(engine) as session:
        assert sorted(session.exec(select(BackchannelChecklist.id)).all()) == [2, 3]
        people = session.exec(select(BackchannelPerson.checklist_id)).all()
        assert sorted(people) == [2, 3]
    assert counts == {"backchannel_checklists": 1, "backchannel_people": 1}


def test_retention_deletes_finished_reminders_past_the_period_and_no_pending_one(
    engine: Engine,
) -> None:
    rows = {
        "sent-old": (ReminderStatus.SENT, OLD, OLD),
        "expired-old": (ReminderStatus.EXPIRED, OLD, None),
        "cancelled-old": (ReminderStatus.CANCELLED, OLD, None),
        "failed-old": (ReminderStatus.FAILED, OLD, None),
        "undeliverable-old": (ReminderStatus.UNDELIVERABLE, OLD, None),
        "sent-recent": (ReminderStatus.SENT, OLD, RECENT),  # due long ago, sent lately
        "cancelled-due-later": (ReminderStatus.CANCELLED, NOW + timedelta(days=5), None),
        "pending-old": (ReminderStatus.PENDING, OLD, None),  # overdue, never finished
        "claimed-old": (ReminderStatus.CLAIMED, OLD, None),
    }
    with Session(engine) as session:
        for key, (status, due, sent) in rows.items():
            session.add(
                Reminder(
                    kind="k",
                    team_id=TEAM_A,
                    user_id="U0",
                    due_at=due,
                    status=status.value,
                    sent_at=sent,
                    dedupe_key=key,
                    created_at=OLD,
                )
            )
        session.commit()

    assert _expire(engine) == {"reminders": 5}

    with Session(engine) as session:
        left = sorted(session.exec(select(Reminder.dedupe_key)).all())
    assert left == ["cancelled-due-later", "claimed-old", "pending-old", "sent-recent"]


def test_retention_forgets_processed_events_after_a_day(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(ProcessedEvent(event_id="Ev-old", received_at=NOW - timedelta(hours=25)))
        session.add(ProcessedEvent(event_id="Ev-new", received_at=NOW - timedelta(hours=23)))
        session.commit()
    assert _expire(engine) == {"processed_events": 1}
    with Session(engine) as session:
        assert list(session.exec(select(ProcessedEvent.event_id)).all()) == ["Ev-new"]


def test_retention_leaves_everything_recent_alone(engine: Engine) -> None:
    _seed(engine, TEAM_A, "C0A")
    _seed(engine, TEAM_B, "C0B")
    before = table_counts(engine)
    assert _expire(engine) == {}
    assert table_counts(engine) == before


def test_retention_runs_twice_at_once_without_error_or_double_counting(engine: Engine) -> None:
    for channel in ("C0A", "C0A2"):
        _seed(engine, TEAM_A, channel)
    _set(engine, MissionDraft, {"status": "withdrawn", "updated_at": OLD}, id=1)
    _set(engine, BackchannelChecklist, {"status": "closed", "updated_at": OLD}, id=2)
    _set(engine, Reminder, {"due_at": OLD, "sent_at": OLD, "created_at": OLD}, status="sent")
    results: list[dict[str, int] | None] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            with Session(engine) as session:
                if not purge.retention_lock(session):
                    results.append(None)  # another process has it: skipped this round
                    return
                counts = purge.purge_expired(
                    session, before=BEFORE, events_before=NOW - timedelta(days=1)
                )
                session.commit()
                results.append(counts)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total: dict[str, int] = {}
    for counts in results:
        for name, n in (counts or {}).items():
            total[name] = total.get(name, 0) + n
    assert total["mission_drafts"] == 1 and total["backchannel_checklists"] == 1
    assert total["reminders"] == 2
    with Session(engine) as session:
        assert sorted(session.exec(select(MissionDraft.id)).all()) == [2]
