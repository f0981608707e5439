"""Tables and queries for `/fit`: the Two-Pager, the Candidate-Market Fit statement, and
the additions council members suggest for a Two-Pager.

Every save is a new row (a version, numbered per member); earlier ones stay. What the
member typed (the list items, the attributes, the sentence) and what a council member
suggested are encrypted at rest (storage/crypto.py). A version records where it was posted
(channel, ts) once it is; a suggestion records the DM that asked the author about it, so
an erase can delete that message too.

Each table carries `team_id`, so the workspace purge takes it. Rows loaded by an id from a
payload go through storage/scoping.py (`two_pager_in_team`, `statement_in_team`,
`suggestion_in_team`): another workspace's id is simply not found.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, delete, func, update
from sqlmodel import Field, Session, SQLModel, col, select

from storage.crypto import EncryptedText
from storage.types import UTCDateTime, utcnow


class FitTwoPager(SQLModel, table=True):
    """One version of a member's Two-Pager: the two lists, as JSON, encrypted."""

    __tablename__ = "fit_two_pagers"
    __table_args__ = (
        Index("ix_fit_two_pagers_owner", "team_id", "user_id"),
        Index("ix_fit_two_pagers_message", "team_id", "channel_id", "message_ts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    number: int
    wants: str = Field(sa_column=Column(EncryptedText, nullable=False))  # JSON list
    dont_wants: str = Field(sa_column=Column(EncryptedText, nullable=False))  # JSON list
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class FitStatement(SQLModel, table=True):
    """One version of a member's Candidate-Market Fit statement, and, once posted, the
    council's last counted sign-off."""

    __tablename__ = "fit_statements"
    __table_args__ = (
        Index("ix_fit_statements_owner", "team_id", "user_id"),
        Index("ix_fit_statements_message", "team_id", "channel_id", "message_ts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    number: int
    stage: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    industry: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    role: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    culture: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    sentence: str = Field(sa_column=Column(EncryptedText, nullable=False))
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    signed: int = Field(default=0)  # other members who reacted with the legend emoji
    signers_of: int = Field(default=0)  # other members in the channel when counted
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class FitSuggestion(SQLModel, table=True):
    """An item a council member suggested for someone's Two-Pager: pending until the author
    accepts (a new version holds it) or declines it."""

    __tablename__ = "fit_suggestions"
    __table_args__ = (Index("ix_fit_suggestions_owner", "team_id", "owner_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    two_pager_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("fit_two_pagers.id", ondelete="CASCADE"), nullable=False
        )
    )
    owner_id: str = Field(max_length=32)  # whose Two-Pager
    user_id: str = Field(max_length=32)  # who suggested it
    list_key: str = Field(max_length=16)  # wants | dont_wants
    item: str = Field(sa_column=Column(EncryptedText, nullable=False))
    status: str = Field(default="pending", max_length=16)
    dm_channel: str | None = Field(default=None, max_length=32)
    dm_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


def dump_items(items: tuple[str, ...] | list[str]) -> str:
    return json.dumps(list(items), ensure_ascii=False)


def load_items(text: str) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


# --- versions -----------------------------------------------------------------------------------


def _next_number(
    session: Session, model: type[FitTwoPager] | type[FitStatement], **owner: str
) -> int:
    latest = session.exec(
        select(func.max(model.number)).where(
            model.team_id == owner["team_id"], model.user_id == owner["user_id"]
        )
    ).one()
    return int(latest or 0) + 1


def add_two_pager(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    wants: tuple[str, ...],
    dont_wants: tuple[str, ...],
    now: datetime,
    channel_id: str | None = None,
    message_ts: str | None = None,
) -> FitTwoPager:
    row = FitTwoPager(
        team_id=team_id,
        user_id=user_id,
        number=_next_number(session, FitTwoPager, team_id=team_id, user_id=user_id),
        wants=dump_items(wants),
        dont_wants=dump_items(dont_wants),
        channel_id=channel_id,
        message_ts=message_ts,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def add_statement(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    attributes: dict[str, str],
    sentence: str,
    now: datetime,
) -> FitStatement:
    row = FitStatement(
        team_id=team_id,
        user_id=user_id,
        number=_next_number(session, FitStatement, team_id=team_id, user_id=user_id),
        stage=attributes.get("stage", ""),
        industry=attributes.get("industry", ""),
        role=attributes.get("role", ""),
        culture=attributes.get("culture", ""),
        sentence=sentence,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def latest_two_pager(session: Session, *, team_id: str, user_id: str) -> FitTwoPager | None:
    return session.exec(
        select(FitTwoPager)
        .where(FitTwoPager.team_id == team_id, FitTwoPager.user_id == user_id)
        .order_by(col(FitTwoPager.number).desc())
        .limit(1)
    ).first()


def latest_statement(session: Session, *, team_id: str, user_id: str) -> FitStatement | None:
    return session.exec(
        select(FitStatement)
        .where(FitStatement.team_id == team_id, FitStatement.user_id == user_id)
        .order_by(col(FitStatement.number).desc())
        .limit(1)
    ).first()


def two_pagers_of(
    session: Session, *, team_id: str, user_id: str, limit: int | None = None
) -> list[FitTwoPager]:
    """The member's Two-Pager versions, newest first."""
    query = (
        select(FitTwoPager)
        .where(FitTwoPager.team_id == team_id, FitTwoPager.user_id == user_id)
        .order_by(col(FitTwoPager.number).desc())
    )
    return list(session.exec(query.limit(limit) if limit else query).all())


def statements_of(
    session: Session, *, team_id: str, user_id: str, limit: int | None = None
) -> list[FitStatement]:
    """The member's statement versions, newest first."""
    query = (
        select(FitStatement)
        .where(FitStatement.team_id == team_id, FitStatement.user_id == user_id)
        .order_by(col(FitStatement.number).desc())
    )
    return list(session.exec(query.limit(limit) if limit else query).all())


def statement_at(
    session: Session, *, team_id: str, channel_id: str, message_ts: str
) -> FitStatement | None:
    """The statement posted as this message of `team_id`, if one was."""
    return session.exec(
        select(FitStatement).where(
            FitStatement.team_id == team_id,
            FitStatement.channel_id == channel_id,
            FitStatement.message_ts == message_ts,
        )
    ).first()


def statement_posted_at(
    session: Session, *, team_id: str, channel_id: str, message_ts: str
) -> bool:
    return (
        statement_at(session, team_id=team_id, channel_id=channel_id, message_ts=message_ts)
        is not None
    )


# --- suggestions --------------------------------------------------------------------------------


def add_suggestion(
    session: Session,
    *,
    team_id: str,
    two_pager: FitTwoPager,
    user_id: str,
    list_key: str,
    item: str,
    now: datetime,
) -> FitSuggestion:
    row = FitSuggestion(
        team_id=team_id,
        two_pager_id=int(two_pager.id or 0),
        owner_id=two_pager.user_id,
        user_id=user_id,
        list_key=list_key,
        item=item,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def claim_decision(
    session: Session, *, suggestion_id: int, team_id: str, status: str, now: datetime
) -> bool:
    """Move a pending suggestion to `status` in one conditional UPDATE: of two answers at
    once (a double click, two processes), exactly one finds it pending."""
    table = FitSuggestion.__table__  # type: ignore[attr-defined]
    result = session.execute(
        update(table)
        .where(
            table.c.id == suggestion_id,
            table.c.team_id == team_id,
            table.c.status == "pending",
        )
        .values(status=status, decided_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def pending_count(session: Session, *, team_id: str, owner_id: str) -> int:
    return int(
        session.exec(
            select(func.count()).where(
                FitSuggestion.team_id == team_id,
                FitSuggestion.owner_id == owner_id,
                FitSuggestion.status == "pending",
            )
        ).one()
    )


def suggestions_by(session: Session, *, team_id: str, user_id: str) -> list[FitSuggestion]:
    """Suggestions the member wrote (on anyone's Two-Pager), oldest first."""
    return list(
        session.exec(
            select(FitSuggestion)
            .where(FitSuggestion.team_id == team_id, FitSuggestion.user_id == user_id)
            .order_by(col(FitSuggestion.id))
        ).all()
    )


def suggestions_to(session: Session, *, team_id: str, owner_id: str) -> list[FitSuggestion]:
    """Suggestions on the member's own Two-Pager, oldest first."""
    return list(
        session.exec(
            select(FitSuggestion)
            .where(FitSuggestion.team_id == team_id, FitSuggestion.owner_id == owner_id)
            .order_by(col(FitSuggestion.id))
        ).all()
    )


# --- a member's own data: export and erase ---------------------------------------------------


def export_member(session: Session, *, team_id: str, user_id: str) -> dict[str, list[dict]]:
    """A member's `/fit` data for their export: every Two-Pager and statement version, and
    the suggestions they wrote on other members' Two-Pagers (and what became of them)."""
    return {
        "two_pager_versions": [
            {
                "version": t.number,
                "wants": list(load_items(t.wants)),
                "dont_wants": list(load_items(t.dont_wants)),
                "posted_in": t.channel_id,
                "created_at": t.created_at.isoformat(),
            }
            for t in reversed(two_pagers_of(session, team_id=team_id, user_id=user_id))
        ],
        "cmf_statements": [
            {
                "version": s.number,
                "stage": s.stage,
                "industry": s.industry,
                "level_role_function": s.role,
                "culture": s.culture,
                "sentence": s.sentence,
                "posted_in": s.channel_id,
                "signed_off_by": s.signed,
                "of": s.signers_of,
                "created_at": s.created_at.isoformat(),
            }
            for s in reversed(statements_of(session, team_id=team_id, user_id=user_id))
        ],
        "two_pager_suggestions_given": [
            {
                "for": s.owner_id,
                "list": s.list_key,
                "item": s.item,
                "status": s.status,
                "created_at": s.created_at.isoformat(),
            }
            for s in suggestions_by(session, team_id=team_id, user_id=user_id)
            if s.owner_id != user_id
        ],
    }


def erase_messages(session: Session, *, team_id: str, user_id: str) -> list[tuple[str, str]]:
    """The bot's messages showing the member's `/fit` data: their posted versions, and the
    DMs that carried suggestions they wrote (or that others wrote to them)."""
    found: list[tuple[str | None, str | None]] = []
    for model in (FitTwoPager, FitStatement):
        found.extend(
            session.exec(
                select(model.channel_id, model.message_ts).where(
                    model.team_id == team_id, model.user_id == user_id
                )
            ).all()
        )
    found.extend(
        (s.dm_channel, s.dm_ts)
        for s in suggestions_by(session, team_id=team_id, user_id=user_id)
        + suggestions_to(session, team_id=team_id, owner_id=user_id)
    )
    return [(c, t) for c, t in found if c and t]


def erase_member(session: Session, *, team_id: str, user_id: str) -> dict[str, int]:
    """Delete a member's `/fit` data: the suggestions they wrote, then their versions (with
    the suggestions others made on them); the count per table."""
    counts: dict[str, int] = {}
    suggestions = FitSuggestion.__table__  # type: ignore[attr-defined]
    owned = [suggestions.c.user_id == user_id, suggestions.c.owner_id == user_id]
    for condition in owned:
        result = session.execute(
            delete(suggestions).where(suggestions.c.team_id == team_id, condition)
        )
        if n := int(getattr(result, "rowcount", 0) or 0):
            counts[suggestions.name] = counts.get(suggestions.name, 0) + n
    for table in (FitTwoPager.__table__, FitStatement.__table__):  # type: ignore[attr-defined]
        result = session.execute(
            delete(table).where(table.c.team_id == team_id, table.c.user_id == user_id)
        )
        if n := int(getattr(result, "rowcount", 0) or 0):
            counts[table.name] = n
    return counts
