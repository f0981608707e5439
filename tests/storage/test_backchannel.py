"""Back-channel tables and use cases on SQLite and PostgreSQL: checklists per search, people
and their limit, status changes with their follow-up reminder in one transaction, councils."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.features.backchannel import service
from bot.features.backchannel.rules import (
    MAX_PEOPLE,
    REMINDER_FOLLOWUP,
    SIGNAL_AGAIN,
    SIGNAL_NONE,
    STATUS_ANSWERED,
    STATUS_ASKED,
    STATUS_TO_ASK,
    AnswerInput,
    PersonInput,
    StartInput,
)
from storage.backchannel import BackchannelChecklist, BackchannelPerson
from storage.councils import upsert_council
from storage.debriefs import InterviewEvent
from storage.reminders import Reminder, ReminderStatus
from storage.searches import Search

T, LENA, MAYA = "T1", "U0LENA0002", "U0MAYA0004"
BERLIN = "Europe/Berlin"
NOW = datetime(2026, 3, 3, 15, tzinfo=UTC)  # Tue 16:00 in Berlin
FOLLOWUP = datetime(2026, 3, 6, 9, tzinfo=UTC)  # Fri 10:00 in Berlin


def start(engine: Engine, user: str = LENA, company: str = "Acme", **kw: object) -> int:
    data = StartInput(search_id=None, company=company, manager_name=str(kw.pop("manager", "")))
    checklist, _ = service.open_checklist(
        engine, team_id=T, user_id=user, data=data, council_id=kw.pop("council_id", None), now=NOW
    )
    return checklist.id


def add(engine: Engine, checklist_id: int, name: str, user: str = LENA) -> int:
    person = service.add_person(
        engine,
        checklist_id=checklist_id,
        team_id=T,
        user_id=user,
        data=PersonInput(name=name, relation="worked with them", slack_user_id=None),
        now=NOW,
    )
    return person.id


def followups(engine: Engine, person_id: int) -> list[Reminder]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Reminder).where(Reminder.subject == f"backchannel_person:{person_id}")
            ).all()
        )


def test_one_checklist_per_search_created_with_the_search(migrated_engine: Engine) -> None:
    first = start(migrated_engine, manager="Dana Reyes")
    again, created = service.open_checklist(
        migrated_engine,
        team_id=T,
        user_id=LENA,
        data=StartInput(search_id=None, company="  acme ", manager_name=""),
        council_id=None,
        now=NOW,
    )
    assert again.id == first and not created
    assert again.manager_name == "Dana Reyes"  # an empty name leaves it alone
    assert again.company == "Acme"
    with Session(migrated_engine) as session:
        (search,) = session.exec(select(Search)).all()
        assert search.company_key == "acme" and search.user_id == LENA
        session.add(BackchannelChecklist(team_id=T, user_id=LENA, search_id=search.id or 0))
        with pytest.raises(IntegrityError):
            session.commit()


def test_only_the_owner_touches_a_checklist(migrated_engine: Engine) -> None:
    checklist_id = start(migrated_engine)
    person_id = add(migrated_engine, checklist_id, "Sam")
    with pytest.raises(service.NotAllowed):
        service.own_checklist(migrated_engine, checklist_id=checklist_id, team_id=T, user_id=MAYA)
    with pytest.raises(service.NotAllowed):
        add(migrated_engine, checklist_id, "Eve", user=MAYA)
    with pytest.raises(service.NotAllowed):
        service.remove_person(
            migrated_engine, person_id=person_id, team_id=T, user_id=MAYA, now=NOW
        )
    assert (
        service.set_statuses(
            migrated_engine,
            changes={person_id: STATUS_ASKED},
            team_id=T,
            user_id=MAYA,
            tz=BERLIN,
            now=NOW,
        )
        == set()
    )
    with Session(migrated_engine) as session:
        search_id = session.exec(select(Search)).one().id
    with pytest.raises(service.NotAllowed):  # another member's search, by id
        service.open_checklist(
            migrated_engine,
            team_id=T,
            user_id=MAYA,
            data=StartInput(search_id=search_id, company="", manager_name=""),
            council_id=None,
            now=NOW,
        )


def test_a_checklist_holds_at_most_25_people(migrated_engine: Engine) -> None:
    checklist_id = start(migrated_engine)
    for i in range(MAX_PEOPLE):
        add(migrated_engine, checklist_id, f"Person {i}")
    with pytest.raises(service.ChecklistFull):
        add(migrated_engine, checklist_id, "One too many")
    snap = service.checklist(migrated_engine, checklist_id=checklist_id, team_id=T)
    assert snap is not None and len(snap.people) == MAX_PEOPLE
    assert [p.name for p in snap.people][:2] == ["Person 0", "Person 1"]  # as added


def test_asking_schedules_one_follow_up_and_answering_calls_it_off(
    migrated_engine: Engine,
) -> None:
    checklist_id = start(migrated_engine)
    person_id = add(migrated_engine, checklist_id, "Sam")
    touched = service.set_statuses(
        migrated_engine,
        changes={person_id: STATUS_ASKED},
        team_id=T,
        user_id=LENA,
        tz=BERLIN,
        now=NOW,
    )
    assert touched == {checklist_id}
    (reminder,) = followups(migrated_engine, person_id)
    assert reminder.kind == REMINDER_FOLLOWUP and reminder.user_id == LENA
    assert reminder.due_at == FOLLOWUP and reminder.status == ReminderStatus.PENDING
    assert reminder.dedupe_key == f"backchannel_person:{person_id}:followup"
    assert reminder.data == {"person": person_id, "checklist": checklist_id}
    # Ticking again changes nothing; answering cancels it.
    service.set_statuses(
        migrated_engine,
        changes={person_id: STATUS_ASKED},
        team_id=T,
        user_id=LENA,
        tz=BERLIN,
        now=NOW,
    )
    person, _ = service.record_answer(
        migrated_engine,
        person_id=person_id,
        team_id=T,
        user_id=LENA,
        data=AnswerInput(status=STATUS_ANSWERED, signal=SIGNAL_AGAIN, notes="Great boss"),
        tz=BERLIN,
        now=NOW + timedelta(days=1),
    )
    assert person.status == STATUS_ANSWERED and person.signal == SIGNAL_AGAIN
    assert person.asked_at == NOW and person.answered_at == NOW + timedelta(days=1)
    (reminder,) = followups(migrated_engine, person_id)
    assert reminder.status == ReminderStatus.CANCELLED


def test_unticking_cancels_and_ticking_again_revives_the_same_reminder(
    migrated_engine: Engine,
) -> None:
    checklist_id = start(migrated_engine)
    person_id = add(migrated_engine, checklist_id, "Sam")
    for status in (STATUS_ASKED, STATUS_TO_ASK):
        service.set_statuses(
            migrated_engine,
            changes={person_id: status},
            team_id=T,
            user_id=LENA,
            tz=BERLIN,
            now=NOW,
        )
    (reminder,) = followups(migrated_engine, person_id)
    assert reminder.status == ReminderStatus.CANCELLED
    with Session(migrated_engine) as session:
        row = session.get(BackchannelPerson, person_id)
        assert row is not None and row.asked_at is None and row.status == STATUS_TO_ASK
    later = NOW + timedelta(days=1)
    service.set_statuses(
        migrated_engine,
        changes={person_id: STATUS_ASKED},
        team_id=T,
        user_id=LENA,
        tz=BERLIN,
        now=later,
    )
    (reminder,) = followups(migrated_engine, person_id)  # still one row: never two
    assert reminder.status == ReminderStatus.PENDING and reminder.due_at == FOLLOWUP + timedelta(
        days=1
    )


def test_a_sent_follow_up_is_never_scheduled_again(migrated_engine: Engine) -> None:
    checklist_id = start(migrated_engine)
    person_id = add(migrated_engine, checklist_id, "Sam")
    service.set_statuses(
        migrated_engine,
        changes={person_id: STATUS_ASKED},
        team_id=T,
        user_id=LENA,
        tz=BERLIN,
        now=NOW,
    )
    with Session(migrated_engine) as session:
        reminder = session.exec(select(Reminder)).one()
        reminder.status = ReminderStatus.SENT.value
        session.add(reminder)
        session.commit()
    for status in (STATUS_TO_ASK, STATUS_ASKED):
        service.set_statuses(
            migrated_engine,
            changes={person_id: status},
            team_id=T,
            user_id=LENA,
            tz=BERLIN,
            now=NOW,
        )
    (reminder,) = followups(migrated_engine, person_id)
    assert reminder.status == ReminderStatus.SENT


def test_an_answer_without_answering_keeps_no_signal(migrated_engine: Engine) -> None:
    checklist_id = start(migrated_engine)
    person_id = add(migrated_engine, checklist_id, "Sam")
    person, _ = service.record_answer(
        migrated_engine,
        person_id=person_id,
        team_id=T,
        user_id=LENA,
        data=AnswerInput(status=STATUS_ASKED, signal=SIGNAL_NONE, notes="Left a voicemail"),
        tz=BERLIN,
        now=NOW,
    )
    assert person.status == STATUS_ASKED and person.notes == "Left a voicemail"
    assert [r.status for r in followups(migrated_engine, person_id)] == [ReminderStatus.PENDING]


def test_removing_and_closing_call_off_follow_ups(migrated_engine: Engine) -> None:
    checklist_id = start(migrated_engine)
    sam, ada = add(migrated_engine, checklist_id, "Sam"), add(migrated_engine, checklist_id, "Ada")
    service.set_statuses(
        migrated_engine,
        changes={sam: STATUS_ASKED, ada: STATUS_ASKED},
        team_id=T,
        user_id=LENA,
        tz=BERLIN,
        now=NOW,
    )
    name, from_checklist = service.remove_person(
        migrated_engine, person_id=sam, team_id=T, user_id=LENA, now=NOW
    )
    assert (name, from_checklist) == ("Sam", checklist_id)
    assert [r.status for r in followups(migrated_engine, sam)] == [ReminderStatus.CANCELLED]
    closed = service.close_checklist(
        migrated_engine, checklist_id=checklist_id, team_id=T, user_id=LENA, now=NOW
    )
    assert not closed.is_open and [p.name for p in closed.people] == ["Ada"]
    assert [r.status for r in followups(migrated_engine, ada)] == [ReminderStatus.CANCELLED]
    assert service.open_checklists(migrated_engine, team_id=T, user_id=LENA) == []
    reopened = service.reopen_checklist(
        migrated_engine, checklist_id=checklist_id, team_id=T, user_id=LENA, now=NOW
    )
    assert reopened.is_open
    with Session(migrated_engine) as session:
        assert session.get(BackchannelPerson, sam) is None


def test_open_checklists_most_recently_changed_first(migrated_engine: Engine) -> None:
    acme = start(migrated_engine, company="Acme")
    globex = start(migrated_engine, company="Globex")
    start(migrated_engine, user=MAYA, company="Initech")
    service.set_manager(
        migrated_engine,
        checklist_id=acme,
        team_id=T,
        user_id=LENA,
        name="Dana",
        now=NOW + timedelta(minutes=5),
    )
    listed = service.open_checklists(migrated_engine, team_id=T, user_id=LENA)
    assert [c.id for c in listed] == [acme, globex]
    assert listed[0].manager_name == "Dana" and listed[1].company == "Globex"


def test_councils_are_those_the_member_used(migrated_engine: Engine) -> None:
    with Session(migrated_engine) as session:
        one = upsert_council(session, team_id=T, channel_id="C1", name="council-one")
        two = upsert_council(session, team_id=T, channel_id="C2", name="council-two")
        upsert_council(session, team_id="T2", channel_id="C9", name="elsewhere")
        session.commit()
        one_id, two_id = one.id, two.id
    # Nothing used yet: every council of the workspace (the handler keeps the member's).
    assert [
        c.channel_id for c in service.councils_for(migrated_engine, team_id=T, user_id=LENA)
    ] == [
        "C1",
        "C2",
    ]
    start(migrated_engine, council_id=two_id)
    with Session(migrated_engine) as session:
        session.add(
            InterviewEvent(
                team_id=T,
                user_id=MAYA,
                council_id=one_id,
                channel_id="C1",
                company="X",
                starts_at=NOW,
            )
        )
        session.commit()
    found = service.councils_for(migrated_engine, team_id=T, user_id=LENA)
    assert [(c.council_id, c.channel_id, c.name) for c in found] == [(two_id, "C2", "council-two")]
    maya = service.councils_for(migrated_engine, team_id=T, user_id=MAYA)
    assert [c.channel_id for c in maya] == ["C1"]
