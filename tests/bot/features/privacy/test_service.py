"""Privacy use cases over a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.features.feedback_requests.rules import NUDGE_KIND, nudge_key
from bot.features.privacy import service
from storage.db import session_scope
from storage.missions import FeedbackAsk, FeedbackRequest, MissionDraft
from storage.reminders import Reminder, ReminderStatus, schedule
from tests.storage.fit_rows import seed_workspace, table_counts

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TEAM = "T0AAAAAAA"
PEER = "U0PEER"


def _council(engine: Engine, channel_id: str, *, team_id: str = TEAM) -> int:
    """A council with one open request asking PEER (and its pending nudge); the request id."""
    seed_workspace(
        engine, team_id=team_id, channel_id=channel_id, author=f"U0{channel_id}", peer=PEER, now=NOW
    )
    with session_scope(engine) as session:
        request = session.exec(
            select(FeedbackRequest)
            .join(MissionDraft)
            .where(MissionDraft.channel_id == channel_id)
            .order_by(col(FeedbackRequest.id).desc())  # the one just seeded
        ).first()
        assert request is not None and request.id is not None
        schedule(
            session,
            kind=NUDGE_KIND,
            team_id=team_id,
            user_id=PEER,
            due_at=NOW + timedelta(hours=3),
            payload={"request": request.id},
            subject=f"request:{request.id}",
            dedupe_key=nudge_key(request.id, PEER),
        )
        return request.id


def _asked(engine: Engine) -> list[tuple[int, str]]:
    with Session(engine) as session:
        rows = session.exec(select(FeedbackAsk.request_id, FeedbackAsk.user_id)).all()
    return sorted((request_id, user_id) for request_id, user_id in rows)


def _nudge_status(engine: Engine, request_id: int) -> str:
    with Session(engine) as session:
        row = session.exec(
            select(Reminder).where(Reminder.dedupe_key == nudge_key(request_id, PEER))
        ).one()
    return row.status


def test_a_member_who_left_is_taken_off_that_councils_open_requests_only(
    engine: Engine,
) -> None:
    here = _council(engine, "C0HERE")
    elsewhere = _council(engine, "C0ELSEWHERE")
    other_team = _council(engine, "C0HERE", team_id="T0OTHER")  # same channel id, other team
    closed = _council(engine, "C0HERE2")
    with session_scope(engine) as session:
        request = session.get(FeedbackRequest, closed)
        assert request is not None
        request.status = "closed"
        draft = session.get(MissionDraft, request.draft_id)
        assert draft is not None
        draft.channel_id = "C0HERE"  # a closed request in the same council keeps its history
        session.add(FeedbackAsk(request_id=here, user_id="U0STAYS"))

    departure = service.member_left(engine, team_id=TEAM, channel_id="C0HERE", user_id=PEER)

    assert departure.requests == [here] and departure.nudges_cancelled == 1
    assert _nudge_status(engine, here) == ReminderStatus.CANCELLED
    for kept in (elsewhere, other_team):
        assert _nudge_status(engine, kept) == ReminderStatus.PENDING
    assert (here, PEER) not in _asked(engine)
    assert {(here, "U0STAYS"), (elsewhere, PEER), (other_team, PEER)} <= set(_asked(engine))
    # Retried event: nothing left to change.
    again = service.member_left(engine, team_id=TEAM, channel_id="C0HERE", user_id=PEER)
    assert again.requests == [] and again.nudges_cancelled == 0


def test_leaving_keeps_the_members_own_data(engine: Engine) -> None:
    _council(engine, "C0HERE")
    before = table_counts(engine)
    service.member_left(engine, team_id=TEAM, channel_id="C0HERE", user_id="U0C0HERE")  # author
    assert table_counts(engine) == before  # their draft, feedback, plans: all still there


def test_leaving_a_channel_that_is_no_council_changes_nothing(engine: Engine) -> None:
    _council(engine, "C0HERE")
    before = table_counts(engine)
    departure = service.member_left(engine, team_id=TEAM, channel_id="C0RANDOM", user_id=PEER)
    assert departure.requests == [] and table_counts(engine) == before


def test_purge_workspace_counts_what_it_deleted(engine: Engine) -> None:
    _council(engine, "C0HERE")
    _council(engine, "C0THERE", team_id="T0OTHER")
    purged = service.purge_workspace(engine, team_id=TEAM)
    assert purged.counts["reminders"] == 3 and purged.counts["mission_drafts"] == 1
    assert purged.total == sum(purged.counts.values()) > 0
    assert service.purge_workspace(engine, team_id=TEAM).total == 0


def test_retention_uses_the_period_it_is_given(engine: Engine) -> None:
    _council(engine, "C0HERE")
    with session_scope(engine) as session:
        draft = session.exec(select(MissionDraft)).one()
        draft.status = "withdrawn"
        draft.updated_at = NOW - timedelta(days=20)
    assert service.apply_retention(engine, now=NOW, days=30) == {}
    counts = service.apply_retention(engine, now=NOW, days=14)
    assert counts is not None and counts["mission_drafts"] == 1
