"""The searches table: one member's search at one company, shared by every feature."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from bot.features.searches.rules import company_key
from storage.types import UTCDateTime, utcnow


class Search(SQLModel, table=True):
    """One member's search at one company."""

    __tablename__ = "searches"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "company_key"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32, index=True)
    company: str = Field(max_length=100)
    # Case- and space-folded company name, so "Acme " and "acme" are one search.
    company_key: str = Field(max_length=100)
    role: str = Field(default="", max_length=100)
    stage: str = Field(default="interviewing", max_length=20)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


def searches_of(session: Session, *, team_id: str, user_id: str, limit: int = 100) -> list[Search]:
    """A member's searches, most recent first."""
    return list(
        session.exec(
            select(Search)
            .where(Search.team_id == team_id, Search.user_id == user_id)
            .order_by(col(Search.created_at).desc(), col(Search.id).desc())
            .limit(limit)
        ).all()
    )


def find_or_create_search(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    company: str,
    role: str | None = None,
    stage: str | None = None,
) -> Search:
    """The member's search at `company`, created when new; race-safe.

    `role` and `stage`, when given, update the search (a new mission draft says what the
    member is interviewing for); when left out they stay as they are.
    """
    key = company_key(company)
    query = select(Search).where(
        Search.team_id == team_id, Search.user_id == user_id, Search.company_key == key
    )
    search = session.exec(query).first()
    if search is None:
        search = Search(team_id=team_id, user_id=user_id, company=company, company_key=key)
        if role is not None:
            search.role = role
        if stage is not None:
            search.stage = stage
        try:
            with session.begin_nested():  # a concurrent insert of the same company wins
                session.add(search)
                session.flush()
            return search
        except IntegrityError:
            found = session.exec(query).first()
            if found is None:  # the winner rolled back meanwhile: nothing to join
                raise
            search = found
    if role is not None:
        search.role = role
    if stage is not None:
        search.stage = stage
    session.flush()
    return search
