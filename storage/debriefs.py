"""Tables and queries for interview events, their debriefs, and the Gratitude House."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, exists, func, or_
from sqlmodel import Field, Session, SQLModel, col, select

from storage.crypto import EncryptedText
from storage.types import UTCDateTime, utcnow


class InterviewEvent(SQLModel, table=True):
    """An interview, negotiation or offer call a member logged with `/debrief`."""

    __tablename__ = "interview_events"
    __table_args__ = (Index("ix_interview_events_owner_start", "team_id", "user_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    # The council channel it was logged in: where its debrief is posted.
    council_id: int | None = Field(default=None, foreign_key="councils.id", index=True)
    channel_id: str = Field(default="", max_length=32)
    search_id: int | None = Field(default=None, foreign_key="searches.id", index=True)
    company: str = Field(max_length=100)
    kind: str = Field(default="interview", max_length=20)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # The zone the member typed the time in (shown back in it).
    tz: str = Field(default="UTC", max_length=64)
    with_whom: str = Field(default="", max_length=150)
    partners: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON user ids
    nudge_minutes: int = Field(default=60)
    status: str = Field(default="scheduled", max_length=16)  # scheduled | cancelled | done
    # Bumped on every move, so the reminders of the new time get their own dedupe keys.
    revision: int = Field(default=1)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def partner_ids(self) -> tuple[str, ...]:
        try:
            value = json.loads(self.partners or "[]")
        except ValueError:
            return ()
        return tuple(str(v) for v in value) if isinstance(value, list) else ()


class Debrief(SQLModel, table=True):
    """How an event went, in the member's words; one per event."""

    __tablename__ = "debriefs"
    __table_args__ = (UniqueConstraint("event_id", name="uq_debriefs_event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="interview_events.id")
    user_id: str = Field(max_length=32)
    rating: int  # 1-5
    went_well: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    worries: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    asked: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    inner_critic: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    evidence: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    wants: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    private: bool = Field(default=False)
    # Where it was posted (the council channel, or the member's DM when private); None
    # until posting succeeded.
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    thread_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    posted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class GratitudePerson(SQLModel, table=True):
    """Someone in a member's private Gratitude House; never posted to a channel."""

    __tablename__ = "gratitude_people"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32, index=True)
    # Gratitude House entries are encrypted at rest (storage/crypto.py), as are debriefs.
    name: str = Field(sa_column=Column(EncryptedText, nullable=False))
    note: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


# --- events -------------------------------------------------------------------------------------


def events_of(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    since: datetime,
    statuses: Sequence[str] = ("scheduled",),
    limit: int = 50,
) -> list[InterviewEvent]:
    """A member's events starting at or after `since`, soonest first."""
    return list(
        session.exec(
            select(InterviewEvent)
            .where(
                InterviewEvent.team_id == team_id,
                InterviewEvent.user_id == user_id,
                col(InterviewEvent.status).in_(list(statuses)),
                col(InterviewEvent.starts_at) >= since,
            )
            .order_by(col(InterviewEvent.starts_at), col(InterviewEvent.id))
            .limit(limit)
        ).all()
    )


def open_events_of(
    session: Session, *, team_id: str, user_id: str, since: datetime, now: datetime, limit: int
) -> tuple[list[tuple[InterviewEvent, bool]], int]:
    """A member's scheduled events from `since` on that are still ahead, or have started and
    wait for a debrief, soonest first, each with whether it was debriefed: the first
    `limit`, and how many there are in all.

    One query however many events there are: the debrief is a correlated EXISTS, and the
    total a window count taken before the limit.
    """
    debriefed = exists().where(col(Debrief.event_id) == InterviewEvent.id)
    rows = session.exec(
        select(InterviewEvent, debriefed, func.count().over())
        .where(
            InterviewEvent.team_id == team_id,
            InterviewEvent.user_id == user_id,
            InterviewEvent.status == "scheduled",
            col(InterviewEvent.starts_at) >= since,
            or_(col(InterviewEvent.starts_at) > now, ~debriefed),
        )
        .order_by(col(InterviewEvent.starts_at), col(InterviewEvent.id))
        .limit(max(limit, 1))
    ).all()
    return [(event, bool(done)) for event, done, _ in rows][:limit], (
        int(rows[0][2]) if rows else 0
    )


def past_events_of(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    waiting_since: datetime,
    limit: int,
) -> tuple[list[tuple[InterviewEvent, Debrief | None]], int]:
    """A member's events that have happened, most recent first, each with its debrief: the
    debriefed ones, and those that started before `waiting_since` without one (the more
    recent of those still wait for a debrief among the open events). The first `limit`,
    and how many there are in all; one query (the total a window count).
    """
    rows = session.exec(
        select(InterviewEvent, Debrief, func.count().over())
        .outerjoin(Debrief, col(Debrief.event_id) == InterviewEvent.id)
        .where(
            InterviewEvent.team_id == team_id,
            InterviewEvent.user_id == user_id,
            InterviewEvent.status != "cancelled",
            col(InterviewEvent.starts_at) <= now,
            or_(col(Debrief.id).is_not(None), col(InterviewEvent.starts_at) < waiting_since),
        )
        .order_by(col(InterviewEvent.starts_at).desc(), col(InterviewEvent.id).desc())
        .limit(max(limit, 1))
    ).all()
    found: list[tuple[InterviewEvent, Debrief | None]] = [
        (event, debrief) for event, debrief, _ in rows
    ]
    return found[:limit], (int(rows[0][2]) if rows else 0)


def debrief_of_event(session: Session, *, event_id: int) -> Debrief | None:
    return session.exec(select(Debrief).where(Debrief.event_id == event_id)).first()


def count_interviews(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    search_id: int | None = None,
    before: datetime | None = None,
) -> dict[int, int]:
    """Interviews logged (not cancelled) per search id; one search's only when given."""
    query = (
        select(InterviewEvent.search_id, func.count())
        .where(
            InterviewEvent.team_id == team_id,
            InterviewEvent.user_id == user_id,
            InterviewEvent.kind == "interview",
            InterviewEvent.status != "cancelled",
            col(InterviewEvent.search_id).is_not(None),
        )
        .group_by(col(InterviewEvent.search_id))
    )
    if search_id is not None:
        query = query.where(InterviewEvent.search_id == search_id)
    if before is not None:
        query = query.where(col(InterviewEvent.starts_at) <= before)
    return {int(sid): int(n) for sid, n in session.exec(query).all() if sid is not None}


# --- the Gratitude House ------------------------------------------------------------------------


def gratitude_of(session: Session, *, team_id: str, user_id: str) -> list[GratitudePerson]:
    return list(
        session.exec(
            select(GratitudePerson)
            .where(GratitudePerson.team_id == team_id, GratitudePerson.user_id == user_id)
            .order_by(col(GratitudePerson.id))
        ).all()
    )


def count_gratitude(session: Session, *, team_id: str, user_id: str) -> int:
    return int(
        session.exec(
            select(func.count()).where(
                GratitudePerson.team_id == team_id, GratitudePerson.user_id == user_id
            )
        ).one()
    )


def add_gratitude(
    session: Session, *, team_id: str, user_id: str, name: str, note: str, now: datetime
) -> GratitudePerson:
    person = GratitudePerson(team_id=team_id, user_id=user_id, name=name, note=note, created_at=now)
    session.add(person)
    session.flush()
    return person


def remove_gratitude(session: Session, *, team_id: str, user_id: str, person_id: int) -> bool:
    """Remove one of the member's own people; False when it is not theirs (or gone)."""
    person = session.get(GratitudePerson, person_id)
    if person is None or person.team_id != team_id or person.user_id != user_id:
        return False
    session.delete(person)
    session.flush()
    return True
