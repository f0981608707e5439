"""Tables and queries for the Listening Tour log (`/tour`).

One row per conversation a member logged on their Listening Tour (who, which of the three
kinds, when, what they heard, the one-line takeaway), and one per takeaway the member
shared in a council channel (where it was posted, so that erasing the member's data can
delete it there too). Everything here is private to the member: who they talked to, what
they heard and the takeaway are encrypted at rest (storage/crypto.py); only a takeaway the
member chose to share ever reaches a channel.

`tour_settings` holds a member's own choices: their target (how many conversations they
aim for) and whether the monthly update prompt is on; a row exists only once they chose.

Each table carries `team_id`, so the workspace purge takes it. A conversation is loaded by
id only through `conversation_in_team`: another workspace's id is simply not found.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint, delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from storage.crypto import EncryptedText
from storage.types import UTCDateTime, utcnow


class TourConversation(SQLModel, table=True):
    """One conversation of a member's Listening Tour."""

    __tablename__ = "tour_conversations"
    __table_args__ = (Index("ix_tour_conversations_owner", "team_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    # Who the member talked to, what they heard, and their takeaway: encrypted at rest.
    person_name: str = Field(sa_column=Column(EncryptedText, nullable=False))
    kind: str = Field(max_length=16)  # reverse_exit | network | recruiter
    held_on: date
    heard: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    takeaway: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    # Whether the member asked to be reminded to send thanks (the reminder is in reminders).
    thanks: bool = Field(default=False)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class TourShare(SQLModel, table=True):
    """A takeaway the member shared in a council channel: where it was posted. Kept while
    the member's data is; `conversation_id` is cleared if the conversation goes first."""

    __tablename__ = "tour_shares"
    __table_args__ = (Index("ix_tour_shares_owner", "team_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    conversation_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("tour_conversations.id", ondelete="SET NULL"), nullable=True
        ),
    )
    channel_id: str = Field(max_length=32)
    message_ts: str = Field(max_length=32)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class TourSettings(SQLModel, table=True):
    """A member's own tour settings: their target, and the monthly update prompt on or off."""

    __tablename__ = "tour_settings"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_tour_settings_owner"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    target: int | None = Field(default=None)  # None: the method's default (rules.TARGET)
    monthly: bool = Field(default=True)  # the monthly update prompt
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


# --- conversations ------------------------------------------------------------------------------


def add_conversation(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    person_name: str,
    kind: str,
    held_on: date,
    heard: str,
    takeaway: str,
    thanks: bool,
    now: datetime,
) -> TourConversation:
    row = TourConversation(
        team_id=team_id,
        user_id=user_id,
        person_name=person_name,
        kind=kind,
        held_on=held_on,
        heard=heard,
        takeaway=takeaway,
        thanks=thanks,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def conversation_in_team(
    session: Session, *, conversation_id: int, team_id: str
) -> TourConversation | None:
    """The conversation, if it is `team_id`'s (storage/scoping.py's rule, for this table)."""
    return session.exec(
        select(TourConversation).where(
            TourConversation.id == conversation_id, TourConversation.team_id == team_id
        )
    ).first()


def recent_conversations(
    session: Session, *, team_id: str, user_id: str, limit: int
) -> list[TourConversation]:
    """The member's latest conversations: most recent date first, then latest logged."""
    return list(
        session.exec(
            select(TourConversation)
            .where(TourConversation.team_id == team_id, TourConversation.user_id == user_id)
            .order_by(col(TourConversation.held_on).desc(), col(TourConversation.id).desc())
            .limit(limit)
        ).all()
    )


def counts_by_kind(session: Session, *, team_id: str, user_id: str) -> dict[str, int]:
    """How many conversations the member logged, per kind (one query)."""
    rows = session.exec(
        select(TourConversation.kind, func.count())
        .where(TourConversation.team_id == team_id, TourConversation.user_id == user_id)
        .group_by(TourConversation.kind)
    ).all()
    return {str(kind): int(n) for kind, n in rows}


def count_conversations(session: Session, *, team_id: str, user_id: str) -> int:
    return int(
        session.exec(
            select(func.count()).where(
                TourConversation.team_id == team_id, TourConversation.user_id == user_id
            )
        ).one()
    )


# --- settings ----------------------------------------------------------------------------------


def settings_of(session: Session, *, team_id: str, user_id: str) -> TourSettings | None:
    return session.exec(
        select(TourSettings).where(TourSettings.team_id == team_id, TourSettings.user_id == user_id)
    ).first()


def settings_for_update(
    session: Session, *, team_id: str, user_id: str, now: datetime
) -> TourSettings:
    """The member's settings row, created if missing (race-safe: a concurrent first
    choice by the same member finds the row the other one inserted)."""
    found = settings_of(session, team_id=team_id, user_id=user_id)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            row = TourSettings(team_id=team_id, user_id=user_id, updated_at=now)
            session.add(row)
            session.flush()
            return row
    except IntegrityError:
        found = settings_of(session, team_id=team_id, user_id=user_id)
        if found is None:
            raise
        return found


# --- shared takeaways ---------------------------------------------------------------------------


def add_share(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    conversation_id: int | None,
    channel_id: str,
    message_ts: str,
    now: datetime,
) -> TourShare:
    share = TourShare(
        team_id=team_id,
        user_id=user_id,
        conversation_id=conversation_id,
        channel_id=channel_id,
        message_ts=message_ts,
        created_at=now,
    )
    session.add(share)
    session.flush()
    return share


def shares_of(session: Session, *, team_id: str, user_id: str) -> list[TourShare]:
    """The takeaways the member shared, oldest first."""
    return list(
        session.exec(
            select(TourShare)
            .where(TourShare.team_id == team_id, TourShare.user_id == user_id)
            .order_by(col(TourShare.created_at), col(TourShare.id))
        ).all()
    )


# --- a member's own data: export and erase ---------------------------------------------------


def export_member(session: Session, *, team_id: str, user_id: str) -> dict[str, list[dict]]:
    """A member's Listening Tour, for their export: every conversation, and where they
    shared a takeaway."""
    conversations = session.exec(
        select(TourConversation)
        .where(TourConversation.team_id == team_id, TourConversation.user_id == user_id)
        .order_by(col(TourConversation.held_on), col(TourConversation.id))
    ).all()
    return {
        "listening_tour": [
            {
                "person": c.person_name,
                "kind": c.kind,
                "held_on": c.held_on.isoformat(),
                "heard": c.heard,
                "takeaway": c.takeaway,
                "remind_thanks": c.thanks,
                "created_at": c.created_at.isoformat(),
            }
            for c in conversations
        ],
        "tour_shares": [
            {
                "channel_id": s.channel_id,
                "message_ts": s.message_ts,
                "created_at": s.created_at.isoformat(),
            }
            for s in shares_of(session, team_id=team_id, user_id=user_id)
        ],
        "tour_settings": [
            {
                "target": t.target,
                "monthly_update": t.monthly,
                "updated_at": t.updated_at.isoformat(),
            }
            for t in [settings_of(session, team_id=team_id, user_id=user_id)]
            if t is not None
        ],
    }


def erase_member(session: Session, *, team_id: str, user_id: str) -> dict[str, int]:
    """Delete a member's Listening Tour (shares first, then conversations, then settings);
    the count per table. The shared messages are the caller's to delete in Slack
    (`shares_of` first)."""
    counts: dict[str, int] = {}
    tables = (TourShare.__table__, TourConversation.__table__, TourSettings.__table__)  # type: ignore[attr-defined]
    for table in tables:
        result = session.execute(
            delete(table).where(table.c.team_id == team_id, table.c.user_id == user_id)
        )
        deleted = int(getattr(result, "rowcount", 0) or 0)
        if deleted:
            counts[table.name] = deleted
    return counts
