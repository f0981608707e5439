"""Tables and queries for back-channel reference checklists (`/backchannel`).

One checklist per member search (the hiring manager's name, where its DM message is), and
the people the member means to ask about that manager. Everything here is private to the
member; only a summary they choose to share ever reaches a channel.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint, func, union
from sqlmodel import Field, Session, SQLModel, col, select

from storage.councils import Council
from storage.crypto import EncryptedText
from storage.debriefs import InterviewEvent
from storage.missions import MissionDraft
from storage.searches import Search
from storage.types import UTCDateTime, utcnow


class BackchannelChecklist(SQLModel, table=True):
    """The back-channel checklist of one of a member's searches."""

    __tablename__ = "backchannel_checklists"
    __table_args__ = (
        UniqueConstraint("search_id", name="uq_backchannel_checklists_search_id"),
        Index("ix_backchannel_checklists_owner", "team_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    search_id: int = Field(foreign_key="searches.id")
    # The council channel `/backchannel` was last used in, offered first when sharing.
    council_id: int | None = Field(default=None, foreign_key="councils.id")
    manager_name: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    status: str = Field(default="open", max_length=16)  # open | closed
    # The checklist message in the member's DM with the bot, once posted.
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class BackchannelPerson(SQLModel, table=True):
    """Someone the member means to ask about the hiring manager; notes stay private."""

    __tablename__ = "backchannel_people"

    id: int | None = Field(default=None, primary_key=True)
    checklist_id: int = Field(foreign_key="backchannel_checklists.id", index=True)
    # Who the member asks and what they learn is encrypted at rest (storage/crypto.py).
    name: str = Field(sa_column=Column(EncryptedText, nullable=False))
    relation: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    slack_user_id: str | None = Field(default=None, max_length=32)
    status: str = Field(default="to_ask", max_length=16)  # to_ask | asked | answered
    # would_work_again | mixed | would_not | none
    signal: str = Field(default="none", sa_column=Column(EncryptedText, nullable=False))
    notes: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    asked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class BackchannelShare(SQLModel, table=True):
    """A summary of a checklist the member shared in a council channel: where it was posted,
    so that erasing the member's data deletes it there too. A checklist may be shared any
    number of times (each share is a new message).

    Kept while the member's data is (erase or uninstall deletes it), even after the
    checklist went with its retention: the message is still in the channel, and erase must
    still find it. `checklist_id` is cleared then (ON DELETE SET NULL).
    """

    __tablename__ = "backchannel_shares"
    __table_args__ = (Index("ix_backchannel_shares_owner", "team_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    checklist_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("backchannel_checklists.id", ondelete="SET NULL"), nullable=True
        ),
    )
    channel_id: str = Field(max_length=32)
    message_ts: str = Field(max_length=32)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


# --- checklists ---------------------------------------------------------------------------------


def checklist_of_search(session: Session, *, search_id: int) -> BackchannelChecklist | None:
    return session.exec(
        select(BackchannelChecklist).where(BackchannelChecklist.search_id == search_id)
    ).first()


def checklists_of(
    session: Session, *, team_id: str, user_id: str, status: str | None = "open", limit: int = 100
) -> list[tuple[BackchannelChecklist, Search]]:
    """A member's checklists with their searches, most recently changed first."""
    query = (
        select(BackchannelChecklist, Search)
        .join(Search, col(Search.id) == BackchannelChecklist.search_id)
        .where(BackchannelChecklist.team_id == team_id, BackchannelChecklist.user_id == user_id)
    )
    if status is not None:
        query = query.where(BackchannelChecklist.status == status)
    rows = session.exec(
        query.order_by(
            col(BackchannelChecklist.updated_at).desc(), col(BackchannelChecklist.id).desc()
        ).limit(limit)
    ).all()
    return [(checklist, search) for checklist, search in rows]


def checklists_page(
    session: Session, *, team_id: str, user_id: str, status: str, limit: int
) -> tuple[list[tuple[BackchannelChecklist, Search]], int]:
    """A member's checklists in `status` with their searches, most recently changed first:
    the first `limit`, and how many there are in all (a window count, in the same query)."""
    rows = session.exec(
        select(BackchannelChecklist, Search, func.count().over())
        .join(Search, col(Search.id) == BackchannelChecklist.search_id)
        .where(
            BackchannelChecklist.team_id == team_id,
            BackchannelChecklist.user_id == user_id,
            BackchannelChecklist.status == status,
        )
        .order_by(col(BackchannelChecklist.updated_at).desc(), col(BackchannelChecklist.id).desc())
        .limit(max(limit, 1))
    ).all()
    return [(checklist, search) for checklist, search, _ in rows][:limit], (
        int(rows[0][2]) if rows else 0
    )


# --- people -------------------------------------------------------------------------------------


def people_of(session: Session, *, checklist_id: int) -> list[BackchannelPerson]:
    """The people on a checklist, in the order they were added."""
    return list(
        session.exec(
            select(BackchannelPerson)
            .where(BackchannelPerson.checklist_id == checklist_id)
            .order_by(col(BackchannelPerson.id))
        ).all()
    )


def people_of_checklists(
    session: Session, *, checklist_ids: Collection[int]
) -> dict[int, list[BackchannelPerson]]:
    """The people on each of `checklist_ids`, in the order they were added, in one query."""
    found: dict[int, list[BackchannelPerson]] = {checklist_id: [] for checklist_id in checklist_ids}
    if not checklist_ids:
        return found
    rows = session.exec(
        select(BackchannelPerson)
        .where(col(BackchannelPerson.checklist_id).in_(list(checklist_ids)))
        .order_by(col(BackchannelPerson.checklist_id), col(BackchannelPerson.id))
    ).all()
    for person in rows:
        found[person.checklist_id].append(person)
    return found


def count_people(session: Session, *, checklist_id: int) -> int:
    return int(
        session.exec(
            select(func.count()).where(BackchannelPerson.checklist_id == checklist_id)
        ).one()
    )


def add_person(
    session: Session,
    *,
    checklist_id: int,
    name: str,
    relation: str,
    slack_user_id: str | None,
    now: datetime,
) -> BackchannelPerson:
    person = BackchannelPerson(
        checklist_id=checklist_id,
        name=name,
        relation=relation,
        slack_user_id=slack_user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(person)
    session.flush()
    return person


# --- councils -----------------------------------------------------------------------------------


def councils_used_by(session: Session, *, team_id: str, user_id: str) -> list[Council]:
    """Council channels where the member used the bot: a mission draft, a logged interview,
    or `/backchannel` typed there. Oldest council first."""
    used = union(
        select(MissionDraft.council_id).where(MissionDraft.author_id == user_id),
        select(InterviewEvent.council_id).where(
            InterviewEvent.user_id == user_id, col(InterviewEvent.council_id).is_not(None)
        ),
        select(BackchannelChecklist.council_id).where(
            BackchannelChecklist.user_id == user_id,
            col(BackchannelChecklist.council_id).is_not(None),
        ),
    ).subquery()
    return list(
        session.exec(
            select(Council)
            .where(Council.team_id == team_id, col(Council.id).in_(select(used.c[0])))
            .order_by(col(Council.id))
        ).all()
    )


def councils_of_team(session: Session, *, team_id: str, limit: int = 100) -> list[Council]:
    return list(
        session.exec(
            select(Council).where(Council.team_id == team_id).order_by(col(Council.id)).limit(limit)
        ).all()
    )


# --- shared summaries ---------------------------------------------------------------------------


def add_share(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    checklist_id: int | None,
    channel_id: str,
    message_ts: str,
    now: datetime,
) -> BackchannelShare:
    share = BackchannelShare(
        team_id=team_id,
        user_id=user_id,
        checklist_id=checklist_id,
        channel_id=channel_id,
        message_ts=message_ts,
        created_at=now,
    )
    session.add(share)
    session.flush()
    return share


def shares_of(session: Session, *, team_id: str, user_id: str) -> list[BackchannelShare]:
    """The summaries the member shared, oldest first."""
    return list(
        session.exec(
            select(BackchannelShare)
            .where(BackchannelShare.team_id == team_id, BackchannelShare.user_id == user_id)
            .order_by(col(BackchannelShare.created_at), col(BackchannelShare.id))
        ).all()
    )
