"""Use cases of the back-channel feature: checklists, people, the follow-up reminder.

No Slack here: handlers call these with plain values and render what comes back. Every
use case given a checklist or person id (from a button, a modal's metadata, a reminder)
takes the requesting workspace's `team_id` and finds only that workspace's rows
(storage.scoping): another workspace's id is answered exactly as a gone one. A
status change and its follow-up reminder change in one transaction (bot.reminders.engine.schedule
/ cancel_subject with subject "backchannel_person:<id>"), so a person is never marked
asked without their follow-up, nor answered while it stays due.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from bot.features.backchannel.rules import (
    CHECKLIST_CLOSED,
    CHECKLIST_OPEN,
    MAX_PEOPLE,
    REMINDER_FOLLOWUP,
    STATUS_ANSWERED,
    STATUS_ASKED,
    AnswerInput,
    Checklist,
    Person,
    PersonInput,
    StartInput,
    followup_dedupe_key,
    followup_time,
    person_subject,
    status_times,
)
from bot.features.errors import NotAllowed
from bot.reminders import engine as reminders
from storage import backchannel as store
from storage.backchannel import BackchannelChecklist, BackchannelPerson
from storage.db import session_scope
from storage.scoping import checklist_in_team, council_in_team, person_in_team
from storage.searches import Search, find_or_create_search, searches_of
from storage.types import require_id


class ChecklistFull(NotAllowed):
    """The checklist already holds MAX_PEOPLE people."""


@dataclass(frozen=True, slots=True)
class CouncilOption:
    council_id: int
    channel_id: str
    name: str


# --- rendering one checklist at a time --------------------------------------------------------

_render_locks: dict[int, threading.Lock] = {}
_render_locks_guard = threading.Lock()


@contextmanager
def rendering(checklist_id: int) -> Iterator[None]:
    """Serialise read-render-update of one checklist's DM message inside this process, so
    two quick clicks cannot leave the older state on screen."""
    with _render_locks_guard:
        lock = _render_locks.setdefault(checklist_id, threading.Lock())
    with lock:
        yield


# --- reading ------------------------------------------------------------------------------------


def person_of(row: BackchannelPerson) -> Person:
    """A stored person as the feature (and the Home) shows them."""
    return Person(
        id=require_id(row),
        name=row.name,
        relation=row.relation,
        slack_user_id=row.slack_user_id,
        status=row.status,
        signal=row.signal,
        notes=row.notes,
        asked_at=row.asked_at,
        answered_at=row.answered_at,
    )


def _snapshot(
    session: Session, row: BackchannelChecklist, search: Search | None = None
) -> Checklist:
    checklist_id = require_id(row)
    if search is None:
        search = session.get(Search, row.search_id)
    return Checklist(
        id=checklist_id,
        team_id=row.team_id,
        user_id=row.user_id,
        search_id=row.search_id,
        company=search.company if search is not None else "",
        manager_name=row.manager_name,
        people=tuple(person_of(p) for p in store.people_of(session, checklist_id=checklist_id)),
        status=row.status,
        council_id=row.council_id,
        channel_id=row.channel_id,
        message_ts=row.message_ts,
    )


def searches(engine: Engine, *, team_id: str, user_id: str) -> dict[int, str]:
    """The member's searches (id -> company), most recent first."""
    with session_scope(engine) as session:
        return {
            s.id or 0: s.company for s in searches_of(session, team_id=team_id, user_id=user_id)
        }


def checklist(engine: Engine, *, checklist_id: int, team_id: str) -> Checklist | None:
    """The checklist; None when it does not exist in `team_id`'s workspace."""
    with session_scope(engine) as session:
        row = checklist_in_team(session, checklist_id=checklist_id, team_id=team_id)
        return None if row is None else _snapshot(session, row)


def _own(
    session: Session, *, checklist_id: int, team_id: str, user_id: str
) -> BackchannelChecklist:
    # Another workspace's checklist is not found: the same answer as someone else's.
    row = checklist_in_team(session, checklist_id=checklist_id, team_id=team_id)
    if row is None or row.user_id != user_id:
        raise NotAllowed("That checklist isn't one of yours.")
    return row


def own_checklist(engine: Engine, *, checklist_id: int, team_id: str, user_id: str) -> Checklist:
    """The checklist, if it is the member's in `team_id`; NotAllowed otherwise."""
    with session_scope(engine) as session:
        return _snapshot(
            session, _own(session, checklist_id=checklist_id, team_id=team_id, user_id=user_id)
        )


def _own_person(
    session: Session, *, person_id: int, team_id: str, user_id: str
) -> tuple[BackchannelPerson, BackchannelChecklist]:
    # Another workspace's person is not found: the same answer as a removed one.
    found = person_in_team(session, person_id=person_id, team_id=team_id)
    if found is None:
        raise NotAllowed("That person is no longer on your checklist.")
    person, checklist_row = found
    if checklist_row.user_id != user_id:
        raise NotAllowed("That checklist isn't one of yours.")
    return person, checklist_row


def own_person(
    engine: Engine, *, person_id: int, team_id: str, user_id: str
) -> tuple[Person, Checklist]:
    with session_scope(engine) as session:
        person, row = _own_person(session, person_id=person_id, team_id=team_id, user_id=user_id)
        return person_of(person), _snapshot(session, row)


def open_checklists(engine: Engine, *, team_id: str, user_id: str) -> list[Checklist]:
    """The member's open checklists, most recently changed first."""
    with session_scope(engine) as session:
        rows = store.checklists_of(session, team_id=team_id, user_id=user_id, status=CHECKLIST_OPEN)
        return [_snapshot(session, row, search) for row, search in rows]


def followup_target(
    engine: Engine, *, person_id: int, team_id: str
) -> tuple[Person | None, Checklist | None]:
    """The person a follow-up is about and their checklist, as they are now (None: gone, or
    not `team_id`'s: a reminder of another workspace naming them)."""
    with session_scope(engine) as session:
        found = person_in_team(session, person_id=person_id, team_id=team_id)
        if found is None:
            return None, None
        person, row = found
        return person_of(person), _snapshot(session, row)


# --- checklists ---------------------------------------------------------------------------------


def open_checklist(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    data: StartInput,
    council_id: int | None,
    now: datetime,
) -> tuple[Checklist, bool]:
    """The member's checklist for a search, created (with the search) when new; reopened
    when closed. (checklist, created)."""
    with session_scope(engine) as session:
        if data.search_id is not None:
            search = session.get(Search, data.search_id)
            if search is None or search.user_id != user_id or search.team_id != team_id:
                raise NotAllowed("That search isn't one of yours.")
        else:
            search = find_or_create_search(
                session, team_id=team_id, user_id=user_id, company=data.company
            )
        search_id = require_id(search)
        # The council comes from the form's metadata: only this workspace's is remembered
        # (it is a preference for sharing; another workspace's is simply not one).
        if council_id is not None and (
            council_in_team(session, council_id=council_id, team_id=team_id) is None
        ):
            council_id = None
        row = store.checklist_of_search(session, search_id=search_id)
        created = row is None
        if row is None:
            row = BackchannelChecklist(
                team_id=team_id,
                user_id=user_id,
                search_id=search_id,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
        row.status = CHECKLIST_OPEN
        if data.manager_name:
            row.manager_name = data.manager_name
        if council_id is not None:
            row.council_id = council_id
        row.updated_at = now
        session.flush()
        return _snapshot(session, row, search), created


def attach_message(
    engine: Engine, *, checklist_id: int, team_id: str, channel_id: str, message_ts: str
) -> None:
    """Where the checklist's DM message now is."""
    with session_scope(engine) as session:
        row = checklist_in_team(session, checklist_id=checklist_id, team_id=team_id)
        if row is not None:
            row.channel_id, row.message_ts = channel_id, message_ts


def record_share(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    checklist_id: int,
    channel_id: str,
    message_ts: str,
    now: datetime,
) -> None:
    """Remember a summary the member shared in a council channel, so that erasing their data
    deletes it there too (and their export lists it)."""
    with session_scope(engine) as session:
        row = checklist_in_team(session, checklist_id=checklist_id, team_id=team_id)
        store.add_share(
            session,
            team_id=team_id,
            user_id=user_id,
            checklist_id=checklist_id if row is not None and row.user_id == user_id else None,
            channel_id=channel_id,
            message_ts=message_ts,
            now=now,
        )


def set_manager(
    engine: Engine, *, checklist_id: int, team_id: str, user_id: str, name: str, now: datetime
) -> Checklist:
    with session_scope(engine) as session:
        row = _own(session, checklist_id=checklist_id, team_id=team_id, user_id=user_id)
        row.manager_name = name
        row.updated_at = now
        session.flush()
        return _snapshot(session, row)


def close_checklist(
    engine: Engine, *, checklist_id: int, team_id: str, user_id: str, now: datetime
) -> Checklist:
    """Close it (kept for the member's records); pending follow-ups are called off."""
    with session_scope(engine) as session:
        row = _own(session, checklist_id=checklist_id, team_id=team_id, user_id=user_id)
        row.status = CHECKLIST_CLOSED
        row.updated_at = now
        session.flush()
        for person in store.people_of(session, checklist_id=checklist_id):
            reminders.cancel_subject(session, subject=person_subject(require_id(person)))
        return _snapshot(session, row)


def reopen_checklist(
    engine: Engine, *, checklist_id: int, team_id: str, user_id: str, now: datetime
) -> Checklist:
    """Open it again. Follow-ups called off by closing stay off: ticking someone again (or
    recording their answer) is the member's next move."""
    with session_scope(engine) as session:
        row = _own(session, checklist_id=checklist_id, team_id=team_id, user_id=user_id)
        row.status = CHECKLIST_OPEN
        row.updated_at = now
        session.flush()
        return _snapshot(session, row)


# --- people -------------------------------------------------------------------------------------


def add_person(
    engine: Engine,
    *,
    checklist_id: int,
    team_id: str,
    user_id: str,
    data: PersonInput,
    now: datetime,
) -> Person:
    """Add someone to ask; ChecklistFull when it already holds MAX_PEOPLE."""
    with session_scope(engine) as session:
        row = _own(session, checklist_id=checklist_id, team_id=team_id, user_id=user_id)
        if store.count_people(session, checklist_id=checklist_id) >= MAX_PEOPLE:
            raise ChecklistFull(
                f"Your checklist holds {MAX_PEOPLE} people, the most it can. Remove someone "
                "to make room."
            )
        person = store.add_person(
            session,
            checklist_id=checklist_id,
            name=data.name,
            relation=data.relation,
            slack_user_id=data.slack_user_id,
            now=now,
        )
        row.updated_at = now
        return person_of(person)


def _apply_status(
    session: Session,
    person: BackchannelPerson,
    checklist_row: BackchannelChecklist,
    status: str,
    *,
    tz: str,
    now: datetime,
) -> None:
    """Move one person to `status` and keep their follow-up in step, in the caller's
    transaction."""
    person_id = require_id(person)
    before = person.status
    asked_at, answered_at = status_times(person_of(person), status, now)
    person.asked_at, person.answered_at = asked_at, answered_at
    person.status = status
    person.updated_at = now
    session.flush()  # before the reminder statements, which expire the session's objects
    subject = person_subject(person_id)
    if status == STATUS_ASKED and checklist_row.status == CHECKLIST_OPEN:
        if before != STATUS_ASKED:
            if asked_at is None:  # status_times stamps everyone it moves to "asked"
                raise RuntimeError(f"back-channel person {person_id}: asked with no time")
            reminders.schedule(
                session,
                kind=REMINDER_FOLLOWUP,
                team_id=checklist_row.team_id,
                user_id=checklist_row.user_id,
                due_at=max(followup_time(asked_at, tz=tz), now),
                payload={"person": person_id, "checklist": checklist_row.id},
                subject=subject,
                dedupe_key=followup_dedupe_key(person_id),
            )
    else:
        reminders.cancel_subject(session, subject=subject)


def set_statuses(
    engine: Engine,
    *,
    changes: Mapping[int, str],
    team_id: str,
    user_id: str,
    tz: str,
    now: datetime,
) -> set[int]:
    """Apply status changes (person id -> status) to the member's own people in `team_id`;
    the ids of the checklists touched. People not theirs (or gone, or of another
    workspace) are skipped."""
    touched: set[int] = set()
    with session_scope(engine) as session:
        for person_id, status in changes.items():
            try:
                person, row = _own_person(
                    session, person_id=person_id, team_id=team_id, user_id=user_id
                )
            except NotAllowed:
                continue
            if person.status == status:
                continue
            _apply_status(session, person, row, status, tz=tz, now=now)
            row.updated_at = now
            touched.add(require_id(row))
    return touched


def record_answer(
    engine: Engine,
    *,
    person_id: int,
    team_id: str,
    user_id: str,
    data: AnswerInput,
    tz: str,
    now: datetime,
) -> tuple[Person, int]:
    """Store status, signal and notes; (person, checklist id). Answering calls off the
    follow-up; moving to "asked" schedules it."""
    with session_scope(engine) as session:
        person, row = _own_person(session, person_id=person_id, team_id=team_id, user_id=user_id)
        if person.status != data.status:
            _apply_status(session, person, row, data.status, tz=tz, now=now)
        person.signal = data.signal if data.status == STATUS_ANSWERED else "none"
        person.notes = data.notes
        person.updated_at = now
        row.updated_at = now
        session.flush()
        return person_of(person), require_id(row)


def remove_person(
    engine: Engine, *, person_id: int, team_id: str, user_id: str, now: datetime
) -> tuple[str, int]:
    """Remove someone (their notes too) and call off their follow-up; (name, checklist id)."""
    with session_scope(engine) as session:
        person, row = _own_person(session, person_id=person_id, team_id=team_id, user_id=user_id)
        reminders.cancel_subject(session, subject=person_subject(person_id))
        name = person.name
        session.delete(person)
        row.updated_at = now
        session.flush()
        return name, require_id(row)


# --- councils -----------------------------------------------------------------------------------


def councils_for(engine: Engine, *, team_id: str, user_id: str) -> list[CouncilOption]:
    """Where the member may share a summary: the councils they used the bot in; when there
    are none, every council of the workspace (the handler keeps those the member is in)."""
    with session_scope(engine) as session:
        rows = store.councils_used_by(session, team_id=team_id, user_id=user_id)
        if not rows:
            rows = store.councils_of_team(session, team_id=team_id)
        return [CouncilOption(r.id or 0, r.channel_id, r.name) for r in rows]
