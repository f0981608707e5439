"""Councils (a Slack channel in a workspace) and members (a Slack user with a cached time zone)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from storage.types import UTCDateTime, utcnow

# users.info is asked again after this long; `user_change` events refresh it sooner.
TZ_CACHE_TTL = timedelta(days=1)


class Council(SQLModel, table=True):
    __tablename__ = "councils"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    name: str = Field(default="", max_length=200)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Member(SQLModel, table=True):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    tz: str = Field(default="UTC", max_length=64)
    tz_fetched_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


def upsert_council(session: Session, *, team_id: str, channel_id: str, name: str) -> Council:
    """The channel's council, created on first use; race-safe (two first commands in a new
    council channel, or a modal's check and its submission, may register it at once)."""
    query = select(Council).where(Council.team_id == team_id, Council.channel_id == channel_id)
    council = session.exec(query).first()
    if council is None:
        council = Council(team_id=team_id, channel_id=channel_id, name=name)
        try:
            with session.begin_nested():  # a concurrent insert of the same channel wins
                session.add(council)
                session.flush()
            return council
        except IntegrityError:
            council = session.exec(query).one()
    if name and council.name != name:
        council.name = name
    session.flush()
    return council


def get_council(session: Session, *, team_id: str, channel_id: str) -> Council | None:
    return session.exec(
        select(Council).where(Council.team_id == team_id, Council.channel_id == channel_id)
    ).first()


def councils_of_team(session: Session, *, team_id: str, limit: int) -> list[Council]:
    """The workspace's councils the bot knows (channels it was used in), newest first."""
    return list(
        session.exec(
            select(Council)
            .where(Council.team_id == team_id)
            .order_by(col(Council.id).desc())
            .limit(limit)
        ).all()
    )


def get_member(session: Session, *, team_id: str, user_id: str) -> Member | None:
    return session.exec(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    ).first()


def cached_tz(session: Session, *, team_id: str, user_id: str, now: datetime) -> str | None:
    """The member's IANA zone if it was fetched recently enough to trust."""
    member = get_member(session, team_id=team_id, user_id=user_id)
    if member is None or member.tz_fetched_at is None:
        return None
    if now - member.tz_fetched_at > TZ_CACHE_TTL:
        return None
    return member.tz


def save_tz(session: Session, *, team_id: str, user_id: str, tz: str, now: datetime) -> Member:
    member = get_member(session, team_id=team_id, user_id=user_id)
    if member is None:
        member = Member(team_id=team_id, user_id=user_id)
        session.add(member)
    member.tz = tz
    member.tz_fetched_at = now
    session.flush()
    return member
