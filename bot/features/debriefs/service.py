"""Use cases of the debrief feature: events, their reminders, debriefs, the Gratitude House.

No Slack here: handlers call these with plain values and render what comes back. An
event and its reminders change in one transaction (bot.reminders.engine.schedule /
reschedule_subject / cancel_subject with subject "event:<id>"), so an event is never
stored without its reminders, nor moved or cancelled while its old reminders stay due.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.features.debriefs.rules import (
    EVENT_CANCELLED,
    EVENT_DONE,
    EVENT_SCHEDULED,
    REMINDER_FOLLOWUP,
    REMINDER_PROMPT,
    DebriefInput,
    EventInput,
    EventSummary,
    GratitudeEntry,
    PastEvent,
    ReminderPlan,
    event_subject,
    plan_reminders,
    reminder_dedupe_key,
)
from bot.features.errors import NotAllowed
from bot.reminders import engine as reminders
from storage import debriefs as store
from storage.db import session_scope
from storage.debriefs import Debrief, InterviewEvent
from storage.missions import MissionDraft
from storage.scoping import council_in_team, debrief_in_team, event_in_team
from storage.searches import Search, find_or_create_search, searches_of
from storage.types import require_id, require_row

log = logging.getLogger(__name__)

# Events that started this long ago and were never debriefed still show in lists.
AWAITING_WINDOW = timedelta(days=14)


COUNCIL_GONE = (
    "I can't find that council any more. Please close this and type `/debrief` in your "
    "council's private channel again."
)


class AlreadyDebriefed(NotAllowed):
    """A debrief for this event was stored already."""


@dataclass(frozen=True, slots=True)
class SearchOption:
    search_id: int
    company: str


@dataclass(frozen=True, slots=True)
class DebriefSnapshot:
    """Everything needed to post (or re-post) a debrief and tell the member about it."""

    debrief_id: int
    event: EventSummary
    answers: DebriefInput
    channel_id: str  # the council channel
    thread_ts: str | None  # the mission draft's message for that search, if any
    posted_channel: str | None
    message_ts: str | None


# --- reading ------------------------------------------------------------------------------------


def _summary(session: Session, event: InterviewEvent) -> EventSummary:
    debriefed = store.debrief_of_event(session, event_id=require_id(event)) is not None
    return event_summary(event, debriefed=debriefed)


def event_summary(event: InterviewEvent, *, debriefed: bool) -> EventSummary:
    """A stored event as the feature (and the Home) shows it."""
    return EventSummary(
        event_id=require_id(event),
        user_id=event.user_id,
        company=event.company,
        kind=event.kind,
        starts_at=event.starts_at,
        tz=event.tz,
        search_id=event.search_id,
        with_whom=event.with_whom,
        partners=event.partner_ids,
        status=event.status,
        debriefed=debriefed,
        nudge_minutes=event.nudge_minutes,
    )


def searches(engine: Engine, *, team_id: str, user_id: str) -> list[SearchOption]:
    """The member's searches, for the company select (most recent first)."""
    with session_scope(engine) as session:
        rows = searches_of(session, team_id=team_id, user_id=user_id)
        return [SearchOption(s.id or 0, s.company) for s in rows]


def event(engine: Engine, *, event_id: int, team_id: str) -> EventSummary | None:
    """The event; None when it does not exist in `team_id`'s workspace."""
    with session_scope(engine) as session:
        row = event_in_team(session, event_id=event_id, team_id=team_id)
        return None if row is None else _summary(session, row)


def own_event(engine: Engine, *, event_id: int, team_id: str, user_id: str) -> EventSummary:
    """The event, if it is the member's (in `team_id`); NotAllowed otherwise."""
    with session_scope(engine) as session:
        return _summary(session, _own(session, event_id=event_id, team_id=team_id, user_id=user_id))


def upcoming(engine: Engine, *, team_id: str, user_id: str, now: datetime) -> list[EventSummary]:
    """Scheduled events still ahead, and recent ones still waiting for a debrief."""
    with session_scope(engine) as session:
        rows = store.events_of(
            session, team_id=team_id, user_id=user_id, since=now - AWAITING_WINDOW
        )
        summaries = [_summary(session, row) for row in rows]
    return [s for s in summaries if s.starts_at > now or not s.debriefed]


def past(
    engine: Engine, *, team_id: str, user_id: str, now: datetime, limit: int
) -> tuple[list[PastEvent], int]:
    """Events that have happened, most recent first, with their debriefs: the ones
    `upcoming` no longer shows (debriefed, or too long ago to wait for one). The first
    `limit`, and how many there are."""
    with session_scope(engine) as session:
        rows, total = store.past_events_of(
            session,
            team_id=team_id,
            user_id=user_id,
            now=now,
            waiting_since=now - AWAITING_WINDOW,
            limit=limit,
        )
        found = [
            PastEvent(
                event=event_summary(row, debriefed=debrief is not None),
                rating=debrief.rating if debrief is not None else None,
                private=bool(debrief is not None and debrief.private),
                shared=bool(
                    debrief is not None and not debrief.private and debrief.message_ts is not None
                ),
            )
            for row, debrief in rows
        ]
    return found, total


def interviews_logged(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    search_id: int,
    before: datetime | None = None,
) -> int:
    """How many interviews (not cancelled) the member logged for one search.

    With `before`, only those that started by then (the ones that have happened). The
    mission feature uses it to suggest walking the hiring manager through the draft live.
    """
    with session_scope(engine) as session:
        counts = store.count_interviews(
            session, team_id=team_id, user_id=user_id, search_id=search_id, before=before
        )
    return counts.get(search_id, 0)


def interviews_per_company(
    engine: Engine, *, team_id: str, user_id: str, before: datetime | None = None
) -> dict[str, int]:
    """Interviews logged per company (keyed by storage.missions.company_key)."""
    with session_scope(engine) as session:
        counts = store.count_interviews(session, team_id=team_id, user_id=user_id, before=before)
        if not counts:
            return {}
        rows = session.exec(select(Search).where(col(Search.id).in_(list(counts)))).all()
        return {row.company_key: counts[row.id or 0] for row in rows}


# --- events and their reminders -----------------------------------------------------------------


def _own(session: Session, *, event_id: int, team_id: str, user_id: str) -> InterviewEvent:
    # Another workspace's event is answered as someone else's: the id says nothing here.
    row = event_in_team(session, event_id=event_id, team_id=team_id)
    if row is None or row.user_id != user_id:
        raise NotAllowed("That event isn't one of yours.")
    return row


def _company_of(session: Session, row: InterviewEvent, data: EventInput) -> None:
    if data.search_id is not None:
        search = session.get(Search, data.search_id)
        if search is None or search.user_id != row.user_id or search.team_id != row.team_id:
            raise NotAllowed("That search isn't one of yours.")
    else:
        search = find_or_create_search(
            session, team_id=row.team_id, user_id=row.user_id, company=data.company
        )
    row.search_id, row.company = search.id, search.company


def _payload(row: InterviewEvent) -> dict[str, int]:
    return {"event": require_id(row), "revision": row.revision}


def _schedule_all(session: Session, row: InterviewEvent, plan: ReminderPlan) -> None:
    event_id = require_id(row)
    for kind, due in plan.due().items():
        if due is None:
            continue
        reminders.schedule(
            session,
            kind=kind,
            team_id=row.team_id,
            user_id=row.user_id,
            due_at=due,
            payload=_payload(row),
            subject=event_subject(event_id),
            dedupe_key=reminder_dedupe_key(event_id, kind, row.revision),
        )


def create_event(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    council_id: int | None,
    channel_id: str,
    data: EventInput,
    tz: str,
    now: datetime,
) -> tuple[EventSummary, ReminderPlan]:
    """Store the event and schedule its reminders, in one transaction."""
    plan = plan_reminders(
        starts_at=data.starts_at, tz=tz, now=now, nudge_minutes=data.nudge_minutes
    )
    with session_scope(engine) as session:
        # The council and its channel come from the form's metadata: they must be this
        # workspace's, or a debrief could be posted to another workspace's channel.
        if council_id is not None and (
            council_in_team(session, council_id=council_id, team_id=team_id, channel_id=channel_id)
            is None
        ):
            raise NotAllowed(COUNCIL_GONE)
        row = InterviewEvent(
            team_id=team_id,
            user_id=user_id,
            council_id=council_id,
            channel_id=channel_id,
            company=data.company,
            kind=data.kind,
            starts_at=data.starts_at,
            tz=tz,
            with_whom=data.with_whom,
            partners=json.dumps(list(data.partners)),
            nudge_minutes=data.nudge_minutes,
            created_at=now,
            updated_at=now,
        )
        _company_of(session, row, data)
        session.add(row)
        session.flush()
        _schedule_all(session, row, plan)
        return _summary(session, row), plan


def update_event(
    engine: Engine,
    *,
    event_id: int,
    team_id: str,
    user_id: str,
    data: EventInput,
    tz: str,
    now: datetime,
) -> tuple[EventSummary, ReminderPlan]:
    """Change (or move) an event; its pending reminders move with it in one transaction.

    A reminder already sent for the old time (say the nudge) is scheduled afresh for the
    new time; one no longer wanted (the nudge switched off) is cancelled.
    """
    plan = plan_reminders(
        starts_at=data.starts_at, tz=tz, now=now, nudge_minutes=data.nudge_minutes
    )
    with session_scope(engine) as session:
        row = _own(session, event_id=event_id, team_id=team_id, user_id=user_id)
        if row.status == EVENT_CANCELLED:
            raise NotAllowed("That event was cancelled. Log it again with `/debrief`.")
        if row.status == EVENT_DONE or store.debrief_of_event(session, event_id=event_id):
            raise NotAllowed("You've debriefed that one already, so it can't be moved.")
        moved = row.starts_at != data.starts_at or row.nudge_minutes != data.nudge_minutes
        _company_of(session, row, data)
        row.kind = data.kind
        row.with_whom = data.with_whom
        row.partners = json.dumps(list(data.partners))
        row.tz = tz
        row.updated_at = now
        if moved:
            row.starts_at = data.starts_at
            row.nudge_minutes = data.nudge_minutes
            row.revision += 1
        session.flush()  # before the reminder updates, which expire the session's objects
        if moved:
            subject = event_subject(event_id)
            for kind, due in plan.due().items():
                if due is None:
                    reminders.cancel_subject(session, subject=subject, kinds=[kind])
                    continue
                if not reminders.reschedule_subject(
                    session, subject=subject, kind=kind, due_at=due
                ):
                    # Sent (or expired) for the old time: the new time gets its own.
                    reminders.schedule(
                        session,
                        kind=kind,
                        team_id=row.team_id,
                        user_id=row.user_id,
                        due_at=due,
                        payload=_payload(row),
                        subject=subject,
                        dedupe_key=reminder_dedupe_key(event_id, kind, row.revision),
                    )
        session.flush()
        return _summary(session, row), plan


def cancel_event(
    engine: Engine, *, event_id: int, team_id: str, user_id: str, now: datetime
) -> EventSummary:
    """Cancel the event and every pending reminder about it."""
    with session_scope(engine) as session:
        row = _own(session, event_id=event_id, team_id=team_id, user_id=user_id)
        if row.status == EVENT_SCHEDULED:
            row.status = EVENT_CANCELLED
            row.updated_at = now
            session.flush()
            cancelled = reminders.cancel_subject(session, subject=event_subject(event_id))
            log.info("event %s cancelled with %d pending reminders", event_id, cancelled)
        session.flush()
        return _summary(session, row)


# --- debriefs -----------------------------------------------------------------------------------


def save_debrief(
    engine: Engine,
    *,
    event_id: int,
    team_id: str,
    user_id: str,
    answers: DebriefInput,
    now: datetime,
) -> int:
    """Store the debrief (before any posting) and call off the follow-up; its id."""
    with session_scope(engine) as session:
        row = _own(session, event_id=event_id, team_id=team_id, user_id=user_id)
        if store.debrief_of_event(session, event_id=event_id) is not None:
            raise AlreadyDebriefed("You've already written a debrief for this one.")
        if row.status == EVENT_CANCELLED:
            raise NotAllowed("That event was cancelled.")
        debrief = Debrief(
            event_id=event_id,
            user_id=user_id,
            rating=answers.rating,
            went_well=answers.went_well,
            worries=answers.worries,
            asked=answers.asked,
            inner_critic=answers.inner_critic,
            evidence=answers.evidence,
            wants=answers.wants,
            private=answers.private,
            created_at=now,
        )
        session.add(debrief)
        row.status = EVENT_DONE
        row.updated_at = now
        session.flush()
        # Prompt and follow-up are moot now; the senders check too, for a race.
        reminders.cancel_subject(
            session, subject=event_subject(event_id), kinds=[REMINDER_PROMPT, REMINDER_FOLLOWUP]
        )
        return require_id(debrief)


def debrief(engine: Engine, *, debrief_id: int, team_id: str) -> DebriefSnapshot | None:
    """The debrief; None when it does not exist in `team_id`'s workspace."""
    with session_scope(engine) as session:
        row = debrief_in_team(session, debrief_id=debrief_id, team_id=team_id)
        if row is None:
            return None
        event_row = require_row(
            session.get(InterviewEvent, row.event_id), f"event of debrief {debrief_id}"
        )
        thread_ts = None
        if event_row.search_id is not None and event_row.channel_id:
            draft = session.exec(
                select(MissionDraft)
                .where(
                    MissionDraft.search_id == event_row.search_id,
                    MissionDraft.channel_id == event_row.channel_id,
                    MissionDraft.status != "withdrawn",
                    col(MissionDraft.message_ts).is_not(None),
                )
                .order_by(col(MissionDraft.id).desc())
            ).first()
            thread_ts = draft.message_ts if draft is not None else None
        return DebriefSnapshot(
            debrief_id=debrief_id,
            event=_summary(session, event_row),
            answers=DebriefInput(
                rating=row.rating,
                went_well=row.went_well,
                worries=row.worries,
                asked=row.asked,
                inner_critic=row.inner_critic,
                evidence=row.evidence,
                wants=row.wants,
                private=row.private,
            ),
            channel_id=event_row.channel_id,
            thread_ts=thread_ts,
            posted_channel=row.channel_id,
            message_ts=row.message_ts,
        )


def mark_posted(
    engine: Engine,
    *,
    debrief_id: int,
    team_id: str,
    channel_id: str,
    message_ts: str,
    thread_ts: str | None,
    now: datetime,
) -> None:
    with session_scope(engine) as session:
        row = require_row(
            debrief_in_team(session, debrief_id=debrief_id, team_id=team_id),
            f"debrief {debrief_id}",
        )
        row.channel_id, row.message_ts, row.thread_ts = channel_id, message_ts, thread_ts
        row.posted_at = now


def owns_debrief(engine: Engine, *, debrief_id: int, team_id: str, user_id: str) -> bool:
    with session_scope(engine) as session:
        row = debrief_in_team(session, debrief_id=debrief_id, team_id=team_id)
        return row is not None and row.user_id == user_id


# --- reminders: what a sender needs -------------------------------------------------------------


def reminder_target(engine: Engine, *, event_id: int, team_id: str) -> EventSummary | None:
    """The event a reminder is about, as it is now (None when it is gone, or when it is
    not the reminder's workspace's: the reminder's client speaks for that one only)."""
    return event(engine, event_id=event_id, team_id=team_id)


# --- the Gratitude House ------------------------------------------------------------------------


def gratitude(engine: Engine, *, team_id: str, user_id: str) -> list[GratitudeEntry]:
    with session_scope(engine) as session:
        rows = store.gratitude_of(session, team_id=team_id, user_id=user_id)
        return [GratitudeEntry(id=r.id or 0, name=r.name, note=r.note) for r in rows]


def add_gratitude(
    engine: Engine, *, team_id: str, user_id: str, name: str, note: str, now: datetime
) -> None:
    with session_scope(engine) as session:
        store.add_gratitude(
            session, team_id=team_id, user_id=user_id, name=name, note=note, now=now
        )


def remove_gratitude(engine: Engine, *, team_id: str, user_id: str, person_id: int) -> bool:
    with session_scope(engine) as session:
        return store.remove_gratitude(
            session, team_id=team_id, user_id=user_id, person_id=person_id
        )
