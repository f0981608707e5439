"""The council's own rhythm: its setup, its meetings, members' check-ins, who is away.

- `council_rituals`: one per council, what `/council setup` stored (name, rhythm, wall time
  in the zone it was typed in, length, moderator, video link).
- `council_meetings`: one row per meeting on the rhythm, created one at a time (the next
  when the agenda of one is posted); its reminders have the subject `meeting:<id>`.
- `council_checkins`: a member's answers before one meeting (shown in its agenda).
- `council_member_states`: a member who paused (until a date, or open-ended) or landed.

Every table carries `team_id`, so the workspace purge takes them (storage.purge); the
member columns are erased by the council feature's erase (bot.features.council.service).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Column, Date, UniqueConstraint, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from storage.councils import Council
from storage.crypto import EncryptedText
from storage.types import UTCDateTime, utcnow

MEETING_SCHEDULED = "scheduled"
MEETING_POSTED = "posted"
MEETING_CANCELLED = "cancelled"

STATE_PAUSED = "paused"
STATE_LANDED = "landed"


class CouncilRitual(SQLModel, table=True):
    __tablename__ = "council_rituals"
    __table_args__ = (UniqueConstraint("council_id", name="uq_council_rituals_council"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    council_id: int = Field(foreign_key="councils.id")
    name: str = Field(max_length=80)
    rhythm: str = Field(max_length=16)  # fast | slow | custom
    weekdays: str = Field(max_length=20)  # "0,3": Monday and Thursday
    interval_weeks: int = Field(default=1)
    meeting_time: str = Field(max_length=5)  # "18:30", wall time in `tz`
    first_date: date = Field(sa_column=Column(Date, nullable=False))
    tz: str = Field(default="UTC", max_length=64)
    length_minutes: int = Field(default=60)
    moderator_id: str = Field(max_length=32)
    video_link: str = Field(default="", max_length=500)
    # Hours before a meeting that the check-in DM goes out (then moved out of quiet hours).
    checkin_lead_hours: int = Field(default=24)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class CouncilMeeting(SQLModel, table=True):
    __tablename__ = "council_meetings"
    __table_args__ = (
        UniqueConstraint("council_id", "starts_at", name="uq_council_meetings_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    council_id: int = Field(foreign_key="councils.id", index=True)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    length_minutes: int = Field(default=60)
    number: int = Field(default=1)  # 1: the council's first meeting on the bot
    status: str = Field(default=MEETING_SCHEDULED, max_length=16)
    agenda_ts: str | None = Field(default=None, max_length=32)
    posted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class CouncilCheckin(SQLModel, table=True):
    __tablename__ = "council_checkins"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="uq_council_checkins"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    meeting_id: int = Field(foreign_key="council_meetings.id", index=True)
    user_id: str = Field(max_length=32, index=True)
    # Encrypted at rest: "final round at Globex" is a secret search's most telling line,
    # though the agenda shares it with the council.
    where_now: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    needs: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    win: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class CouncilMemberState(SQLModel, table=True):
    __tablename__ = "council_member_states"
    __table_args__ = (UniqueConstraint("council_id", "user_id", name="uq_council_member_states"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    council_id: int = Field(foreign_key="councils.id", index=True)
    user_id: str = Field(max_length=32)
    state: str = Field(max_length=16)  # paused | landed
    until: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


# --- queries -------------------------------------------------------------------------------------


def ritual_of(session: Session, *, council_id: int) -> CouncilRitual | None:
    return session.exec(select(CouncilRitual).where(CouncilRitual.council_id == council_id)).first()


def meeting_in_team(session: Session, *, meeting_id: int, team_id: str) -> CouncilMeeting | None:
    return session.exec(
        select(CouncilMeeting).where(
            CouncilMeeting.id == meeting_id, CouncilMeeting.team_id == team_id
        )
    ).first()


def scheduled_meetings(session: Session, *, council_id: int) -> Sequence[CouncilMeeting]:
    return session.exec(
        select(CouncilMeeting)
        .where(
            CouncilMeeting.council_id == council_id,
            CouncilMeeting.status == MEETING_SCHEDULED,
        )
        .order_by(col(CouncilMeeting.starts_at))
    ).all()


def previous_meeting(session: Session, *, meeting: CouncilMeeting) -> CouncilMeeting | None:
    return session.exec(
        select(CouncilMeeting)
        .where(
            CouncilMeeting.council_id == meeting.council_id,
            CouncilMeeting.status == MEETING_POSTED,
            col(CouncilMeeting.starts_at) < meeting.starts_at,
        )
        .order_by(col(CouncilMeeting.starts_at).desc())
    ).first()


def add_meeting(
    session: Session,
    *,
    team_id: str,
    council_id: int,
    starts_at: datetime,
    length: int,
    number: int,
) -> tuple[CouncilMeeting, bool]:
    """The meeting at that time (created now: True), race-safe on (council, start)."""
    query = select(CouncilMeeting).where(
        CouncilMeeting.council_id == council_id, CouncilMeeting.starts_at == starts_at
    )
    found = session.exec(query).first()
    if found is not None:
        return found, False
    meeting = CouncilMeeting(
        team_id=team_id,
        council_id=council_id,
        starts_at=starts_at,
        length_minutes=length,
        number=number,
    )
    try:
        with session.begin_nested():
            session.add(meeting)
            session.flush()
        return meeting, True
    except IntegrityError:
        return session.exec(query).one(), False


def checkins_of(session: Session, *, meeting_id: int) -> dict[str, CouncilCheckin]:
    rows = session.exec(select(CouncilCheckin).where(CouncilCheckin.meeting_id == meeting_id))
    return {row.user_id: row for row in rows}


def member_states(session: Session, *, council_id: int) -> dict[str, CouncilMemberState]:
    rows = session.exec(
        select(CouncilMemberState).where(CouncilMemberState.council_id == council_id)
    )
    return {row.user_id: row for row in rows}


def export_member(session: Session, *, team_id: str, user_id: str) -> dict[str, list[dict]]:
    """A member's rows here, for their export: check-ins (with the meeting's council channel
    and start) and pause/landed states."""
    checkins = session.exec(
        select(CouncilCheckin, CouncilMeeting, Council)
        .join(CouncilMeeting, col(CouncilMeeting.id) == CouncilCheckin.meeting_id)
        .join(Council, col(Council.id) == CouncilMeeting.council_id)
        .where(CouncilCheckin.team_id == team_id, CouncilCheckin.user_id == user_id)
        .order_by(col(CouncilMeeting.starts_at))
    ).all()
    states = session.exec(
        select(CouncilMemberState, Council)
        .join(Council, col(Council.id) == CouncilMemberState.council_id)
        .where(CouncilMemberState.team_id == team_id, CouncilMemberState.user_id == user_id)
    ).all()
    return {
        "council_checkins": [
            {
                "channel_id": council.channel_id,
                "meeting_starts_at": meeting.starts_at.isoformat(),
                "where_now": checkin.where_now,
                "needs": checkin.needs,
                "win": checkin.win,
                "updated_at": checkin.updated_at.isoformat(),
            }
            for checkin, meeting, council in checkins
        ],
        "council_status": [
            {
                "channel_id": council.channel_id,
                "state": state.state,
                "until": state.until.isoformat() if state.until else None,
                "updated_at": state.updated_at.isoformat(),
            }
            for state, council in states
        ],
    }


def erase_member(session: Session, *, team_id: str, user_id: str) -> dict[str, int]:
    """Delete a member's check-ins and away states in the workspace; the count per table.
    (A council they moderate keeps its setup: the moderator id is the council's.)"""
    counts: dict[str, int] = {}
    for table in (CouncilCheckin.__table__, CouncilMemberState.__table__):  # type: ignore[attr-defined]
        result = session.execute(
            delete(table).where(table.c.team_id == team_id, table.c.user_id == user_id)
        )
        deleted = int(getattr(result, "rowcount", 0) or 0)
        if deleted:
            counts[table.name] = deleted
    return counts
