"""Debrief tables and use cases on SQLite and PostgreSQL: events with their reminders in one
transaction, moving and cancelling, debriefs, interview counts, the Gratitude House."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.features.debriefs import service
from bot.features.debriefs.rules import (
    REMINDER_FOLLOWUP,
    REMINDER_GRATITUDE,
    REMINDER_PROMPT,
    DebriefInput,
    EventInput,
)
from storage.debriefs import Debrief, InterviewEvent
from storage.reminders import Reminder, ReminderStatus
from storage.searches import Search, find_or_create_search

T, LENA, MAYA = "T1", "U0LENA0002", "U0MAYA0004"
NOW = datetime(2026, 3, 3, 9, tzinfo=UTC)
START = datetime(2026, 3, 5, 13, tzinfo=UTC)  # 14:00 in Berlin


def data(**overrides: object) -> EventInput:
    values: dict[str, object] = {
        "search_id": None,
        "company": "Globex",
        "kind": "interview",
        "starts_at": START,
        "with_whom": "",
        "partners": ("U0NOOR0001",),
        "nudge_minutes": 60,
    }
    values.update(overrides)
    return EventInput(**values)  # type: ignore[arg-type]


def create(engine: Engine, user: str = LENA, **overrides: object) -> int:
    event, _ = service.create_event(
        engine,
        team_id=T,
        user_id=user,
        council_id=None,
        channel_id="C1",
        data=data(**overrides),
        tz="Europe/Berlin",
        now=NOW,
    )
    return event.event_id


def reminders(engine: Engine, event_id: int) -> list[Reminder]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Reminder)
                .where(Reminder.subject == f"event:{event_id}")
                .order_by(Reminder.id)  # type: ignore[arg-type]
            ).all()
        )


def by_kind(engine: Engine, event_id: int) -> dict[str, list[tuple[str, datetime]]]:
    found: dict[str, list[tuple[str, datetime]]] = {}
    for r in reminders(engine, event_id):
        found.setdefault(r.kind, []).append((r.status, r.due_at))
    return found


ANSWERS = DebriefInput(
    rating=3,
    went_well="Rapport",
    worries="",
    asked="",
    inner_critic="",
    evidence="",
    wants="",
    private=False,
)


def test_an_event_is_stored_with_its_three_reminders(migrated_engine: Engine) -> None:
    event_id = create(migrated_engine)
    rows = reminders(migrated_engine, event_id)
    assert {(r.kind, r.due_at) for r in rows} == {
        (REMINDER_GRATITUDE, START - timedelta(hours=1)),
        (REMINDER_PROMPT, START + timedelta(hours=1)),
        (REMINDER_FOLLOWUP, START + timedelta(hours=25)),
    }
    assert all(r.user_id == LENA and r.data["event"] == event_id for r in rows)
    assert all(r.dedupe_key == f"event:{event_id}:{r.kind}:r1" for r in rows)
    with Session(migrated_engine) as session:
        event = session.get(InterviewEvent, event_id)
        assert event is not None and event.partner_ids == ("U0NOOR0001",)


def test_moving_moves_pending_reminders_and_renews_sent_ones(migrated_engine: Engine) -> None:
    event_id = create(migrated_engine)
    with Session(migrated_engine) as session:  # the nudge went out already
        nudge = session.exec(select(Reminder).where(Reminder.kind == REMINDER_GRATITUDE)).one()
        nudge.status = ReminderStatus.SENT.value
        session.add(nudge)
        session.commit()
    later = START + timedelta(days=1)
    event, plan = service.update_event(
        migrated_engine,
        team_id=T,
        event_id=event_id,
        user_id=LENA,
        data=data(starts_at=later),
        tz="Europe/Berlin",
        now=NOW,
    )
    assert event.starts_at == later and plan.prompt == later + timedelta(hours=1)
    kinds = by_kind(migrated_engine, event_id)
    assert kinds[REMINDER_GRATITUDE] == [
        ("sent", START - timedelta(hours=1)),
        ("pending", later - timedelta(hours=1)),
    ]
    assert kinds[REMINDER_PROMPT] == [("pending", later + timedelta(hours=1))]
    assert kinds[REMINDER_FOLLOWUP] == [("pending", later + timedelta(hours=25))]
    with Session(migrated_engine) as session:
        stored = session.get(InterviewEvent, event_id)
        assert stored is not None and stored.revision == 2


def test_switching_the_nudge_off_cancels_it(migrated_engine: Engine) -> None:
    event_id = create(migrated_engine)
    service.update_event(
        migrated_engine,
        team_id=T,
        event_id=event_id,
        user_id=LENA,
        data=data(nudge_minutes=0),
        tz="Europe/Berlin",
        now=NOW,
    )
    assert by_kind(migrated_engine, event_id)[REMINDER_GRATITUDE] == [
        ("cancelled", START - timedelta(hours=1))
    ]


def test_cancelling_cancels_every_pending_reminder(migrated_engine: Engine) -> None:
    event_id = create(migrated_engine)
    event = service.cancel_event(
        migrated_engine, team_id=T, event_id=event_id, user_id=LENA, now=NOW
    )
    assert event.status == "cancelled"
    assert {r.status for r in reminders(migrated_engine, event_id)} == {"cancelled"}
    with pytest.raises(service.NotAllowed):
        service.update_event(
            migrated_engine,
            team_id=T,
            event_id=event_id,
            user_id=LENA,
            data=data(),
            tz="UTC",
            now=NOW,
        )


def test_only_the_owner_may_change_an_event(migrated_engine: Engine) -> None:
    event_id = create(migrated_engine)
    with pytest.raises(service.NotAllowed):
        service.cancel_event(migrated_engine, team_id=T, event_id=event_id, user_id=MAYA, now=NOW)
    with pytest.raises(service.NotAllowed):
        service.save_debrief(
            migrated_engine, team_id=T, event_id=event_id, user_id=MAYA, answers=ANSWERS, now=NOW
        )
    assert {r.status for r in reminders(migrated_engine, event_id)} == {"pending"}


def test_a_debrief_calls_off_prompt_and_follow_up_and_is_one_per_event(
    migrated_engine: Engine,
) -> None:
    event_id = create(migrated_engine)
    debrief_id = service.save_debrief(
        migrated_engine, team_id=T, event_id=event_id, user_id=LENA, answers=ANSWERS, now=NOW
    )
    kinds = by_kind(migrated_engine, event_id)
    assert kinds[REMINDER_PROMPT][0][0] == "cancelled"
    assert kinds[REMINDER_FOLLOWUP][0][0] == "cancelled"
    assert kinds[REMINDER_GRATITUDE][0][0] == "pending"
    with pytest.raises(service.AlreadyDebriefed):
        service.save_debrief(
            migrated_engine, team_id=T, event_id=event_id, user_id=LENA, answers=ANSWERS, now=NOW
        )
    snap = service.debrief(migrated_engine, team_id=T, debrief_id=debrief_id)
    assert snap is not None and snap.message_ts is None and snap.thread_ts is None
    service.mark_posted(
        migrated_engine,
        team_id=T,
        debrief_id=debrief_id,
        channel_id="C1",
        message_ts="1.2",
        thread_ts=None,
        now=NOW,
    )
    snap = service.debrief(migrated_engine, team_id=T, debrief_id=debrief_id)
    assert snap is not None and snap.message_ts == "1.2" and snap.event.debriefed
    with Session(migrated_engine) as session:  # the table itself refuses a second one
        session.add(Debrief(event_id=event_id, user_id=LENA, rating=1))
        with pytest.raises(IntegrityError):
            session.commit()


def test_upcoming_lists_future_events_and_ones_waiting_for_a_debrief(
    migrated_engine: Engine,
) -> None:
    soon = create(migrated_engine, starts_at=START)
    later = create(migrated_engine, starts_at=START + timedelta(days=2), company="Initech")
    debriefed = create(migrated_engine, starts_at=START + timedelta(hours=1), company="Hooli")
    service.save_debrief(
        migrated_engine, team_id=T, event_id=debriefed, user_id=LENA, answers=ANSWERS, now=NOW
    )
    create(migrated_engine, user=MAYA)
    after = START + timedelta(hours=3)
    listed = service.upcoming(migrated_engine, team_id=T, user_id=LENA, now=after)
    assert [e.event_id for e in listed] == [soon, later]  # soon is waiting for its debrief
    assert [
        e.event_id
        for e in service.upcoming(
            migrated_engine, team_id=T, user_id=LENA, now=after + timedelta(days=20)
        )
    ] == []


def test_counting_interviews_per_search(migrated_engine: Engine) -> None:
    first = create(migrated_engine, company="Acme Robotics", starts_at=START)
    create(migrated_engine, company="acme  robotics", starts_at=START + timedelta(days=1))
    create(migrated_engine, company="Acme Robotics", kind="negotiation")
    cancelled = create(migrated_engine, company="Acme Robotics")
    service.cancel_event(migrated_engine, team_id=T, event_id=cancelled, user_id=LENA, now=NOW)
    create(migrated_engine, company="Acme Robotics", user=MAYA)
    with Session(migrated_engine) as session:
        event = session.get(InterviewEvent, first)
        assert event is not None and event.search_id is not None
        search_id = event.search_id
        assert len(session.exec(select(Search).where(Search.user_id == LENA)).all()) == 1
    count = service.interviews_logged
    assert count(migrated_engine, team_id=T, user_id=LENA, search_id=search_id) == 2
    assert (
        count(
            migrated_engine,
            team_id=T,
            user_id=LENA,
            search_id=search_id,
            before=START + timedelta(hours=1),
        )
        == 1
    )
    assert count(migrated_engine, team_id=T, user_id=MAYA, search_id=search_id) == 0
    assert service.interviews_per_company(migrated_engine, team_id=T, user_id=LENA) == {
        "acme robotics": 2
    }


def test_find_or_create_search_keeps_an_existing_search_as_it_is(migrated_engine: Engine) -> None:
    with Session(migrated_engine) as session:
        session.add(
            Search(
                team_id=T,
                user_id=LENA,
                company="Acme",
                company_key="acme",
                role="Head of Product",
                stage="offer",
            )
        )
        session.commit()
        found = find_or_create_search(session, team_id=T, user_id=LENA, company=" ACME ")
        assert (found.role, found.stage) == ("Head of Product", "offer")
        new = find_or_create_search(session, team_id=T, user_id=LENA, company="Globex")
        assert new.id is not None and new.id != found.id
        session.commit()


def test_the_gratitude_house_is_per_member(migrated_engine: Engine) -> None:
    service.add_gratitude(migrated_engine, team_id=T, user_id=LENA, name="Ana", note="", now=NOW)
    service.add_gratitude(migrated_engine, team_id=T, user_id=MAYA, name="Ben", note="x", now=NOW)
    (ana,) = service.gratitude(migrated_engine, team_id=T, user_id=LENA)
    assert ana.name == "Ana"
    assert not service.remove_gratitude(migrated_engine, team_id=T, user_id=MAYA, person_id=ana.id)
    assert service.remove_gratitude(migrated_engine, team_id=T, user_id=LENA, person_id=ana.id)
    assert service.gratitude(migrated_engine, team_id=T, user_id=LENA) == []
    assert [p.name for p in service.gratitude(migrated_engine, team_id=T, user_id=MAYA)] == ["Ben"]
