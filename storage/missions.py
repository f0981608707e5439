"""Tables and queries for job searches, mission drafts, their versions and feedback."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Text, UniqueConstraint, and_, event, func
from sqlmodel import Field, Session, SQLModel, col, select

from storage.crypto import EncryptedText
from storage.searches import Search
from storage.types import UTCDateTime, require_id, utcnow


class MissionDraft(SQLModel, table=True):
    __tablename__ = "mission_drafts"

    id: int | None = Field(default=None, primary_key=True)
    search_id: int = Field(foreign_key="searches.id", index=True)
    council_id: int = Field(foreign_key="councils.id", index=True)
    author_id: str = Field(max_length=32, index=True)
    status: str = Field(default="posted", max_length=20)  # posted | withdrawn | shared
    channel_id: str = Field(max_length=32)
    message_ts: str | None = Field(default=None, max_length=32, index=True)
    # The modal (Slack's view id) the draft was submitted from: one modal, one draft.
    submission_key: str | None = Field(default=None, max_length=64, unique=True, index=True)
    current_version: int = Field(default=1)
    # When the bot suggested walking the hiring manager through this draft live (once).
    share_suggested_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class MissionVersion(SQLModel, table=True):
    __tablename__ = "mission_versions"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="mission_drafts.id", index=True)
    number: int
    role: str = Field(default="", max_length=100)
    stage: str = Field(default="interviewing", max_length=20)
    mission: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Objective(SQLModel, table=True):
    __tablename__ = "objectives"
    __table_args__ = (UniqueConstraint("version_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="mission_versions.id", index=True)
    position: int
    text: str = Field(max_length=300)


class KeyResult(SQLModel, table=True):
    __tablename__ = "key_results"
    __table_args__ = (UniqueConstraint("objective_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    objective_id: int = Field(foreign_key="objectives.id", index=True)
    position: int
    text: str = Field(max_length=300)


class ReactionFeedback(SQLModel, table=True):
    """A reaction is state, keyed by (version, member, emoji): retries cannot double it."""

    __tablename__ = "reaction_feedback"

    version_id: int = Field(foreign_key="mission_versions.id", primary_key=True)
    user_id: str = Field(max_length=32, primary_key=True)
    emoji: str = Field(max_length=64, primary_key=True)
    present: bool = Field(default=True)
    # Slack's event_ts of the last change applied, so an older event never undoes a newer one.
    event_ts: str = Field(default="0", max_length=32)


# `written_feedback.user_id` of anonymous feedback: its writer is only in `author_sealed`.
ANONYMOUS_AUTHOR = ""


class WrittenFeedback(SQLModel, table=True):
    """Feedback typed into the "Give feedback" modal; posted in the draft's thread.

    Who wrote anonymous feedback is stored only encrypted (`author_sealed`, a Fernet token;
    `user_id` holds ANONYMOUS_AUTHOR), so a leaked database or backup does not link the
    writer to it. Named feedback keeps its writer in `user_id` (the thread shows it anyway).
    Read the writer with `writer_of`, never for display.
    """

    __tablename__ = "written_feedback"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="mission_versions.id", index=True)
    user_id: str = Field(max_length=32)  # the writer; ANONYMOUS_AUTHOR when anonymous
    anonymous: bool = Field(default=False)
    # The writer of anonymous feedback, encrypted at rest (storage/crypto.py); None if named.
    author_sealed: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    strong: str = Field(default="", sa_column=Column(Text, nullable=False))
    unclear: str = Field(default="", sa_column=Column(Text, nullable=False))
    missing: str = Field(default="", sa_column=Column(Text, nullable=False))
    suggested_key_result: str = Field(default="", sa_column=Column(Text, nullable=False))
    message_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


# What a review request can be about (`feedback_requests.subject_kind`).
SUBJECT_DRAFT = "draft"
SUBJECT_NEGOTIATION_PLAN = "negotiation_plan"
SUBJECT_TWO_PAGER = "two_pager"
SUBJECT_CMF = "cmf"
SUBJECT_KINDS = (SUBJECT_DRAFT, SUBJECT_NEGOTIATION_PLAN, SUBJECT_TWO_PAGER, SUBJECT_CMF)


class FeedbackRequest(SQLModel, table=True):
    """The author asked the council to review something by a deadline: a job-mission
    draft (`draft_id` too, so the draft's deletion takes it), a negotiation plan's shared
    summary, a Two-Pager or a Candidate-Market Fit statement, posted at `channel_id` /
    `message_ts` (for a draft, the draft's own message is read instead: it can be posted
    again)."""

    __tablename__ = "feedback_requests"
    __table_args__ = (
        Index("ix_feedback_requests_subject", "team_id", "subject_kind", "subject_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    subject_kind: str = Field(default=SUBJECT_DRAFT, max_length=24)
    subject_id: int
    author_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    draft_id: int | None = Field(default=None, foreign_key="mission_drafts.id", index=True)
    deadline: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    thread_ts: str | None = Field(default=None, max_length=32)
    status: str = Field(default="open", max_length=20)  # open | closed | cancelled
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


@event.listens_for(FeedbackRequest, "before_insert")
def _subject_from_draft(_mapper: Any, connection: Any, target: FeedbackRequest) -> None:
    """A request naming only its draft is about that draft: its workspace (the draft's
    search's), author, channel and message are the draft's."""
    if target.draft_id is None or target.team_id:
        return
    row = connection.execute(
        select(
            Search.team_id, MissionDraft.author_id, MissionDraft.channel_id, MissionDraft.message_ts
        )
        .join(Search, col(Search.id) == MissionDraft.search_id)
        .where(MissionDraft.id == target.draft_id)
    ).first()
    if row is None:
        raise ValueError(f"draft {target.draft_id} is gone")
    target.team_id, target.author_id, target.channel_id, target.message_ts = row
    target.subject_kind, target.subject_id = SUBJECT_DRAFT, target.draft_id


class FeedbackAsk(SQLModel, table=True):
    """One council member named in a feedback request."""

    __tablename__ = "feedback_asks"

    request_id: int = Field(foreign_key="feedback_requests.id", primary_key=True)
    user_id: str = Field(max_length=32, primary_key=True)
    # The DM nudge sent to them, while it still shows its buttons (cleared once closed).
    nudge_channel: str | None = Field(default=None, max_length=32)
    nudge_ts: str | None = Field(default=None, max_length=32)
    # When they reacted on the message reviewed (subjects other than drafts: a draft's
    # answers are its reactions and written feedback, read from their own tables).
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


def add_version(
    session: Session,
    *,
    draft: MissionDraft,
    number: int,
    role: str,
    stage: str,
    mission: str,
    objectives: list[tuple[str, list[str]]],
) -> MissionVersion:
    """Store one version with its objectives and key results as structured rows."""
    version = MissionVersion(
        draft_id=require_id(draft), number=number, role=role, stage=stage, mission=mission
    )
    session.add(version)
    session.flush()
    version_id = require_id(version)
    for o_pos, (objective_text, key_results) in enumerate(objectives, start=1):
        objective = Objective(version_id=version_id, position=o_pos, text=objective_text)
        session.add(objective)
        session.flush()
        objective_id = require_id(objective)
        for k_pos, kr_text in enumerate(key_results, start=1):
            session.add(KeyResult(objective_id=objective_id, position=k_pos, text=kr_text))
    session.flush()
    return version


def load_objectives(session: Session, *, version_id: int) -> list[tuple[str, list[str]]]:
    objectives = session.exec(
        select(Objective)
        .where(Objective.version_id == version_id)
        .order_by(col(Objective.position))
    ).all()
    result: list[tuple[str, list[str]]] = []
    for objective in objectives:
        krs = session.exec(
            select(KeyResult)
            .where(KeyResult.objective_id == objective.id)
            .order_by(col(KeyResult.position))
        ).all()
        result.append((objective.text, [kr.text for kr in krs]))
    return result


def get_version(session: Session, *, draft_id: int, number: int) -> MissionVersion | None:
    return session.exec(
        select(MissionVersion).where(
            MissionVersion.draft_id == draft_id, MissionVersion.number == number
        )
    ).first()


def drafts_of(session: Session, *, team_id: str, user_id: str) -> list[tuple[MissionDraft, Search]]:
    rows = session.exec(
        select(MissionDraft, Search)
        .join(Search, col(Search.id) == MissionDraft.search_id)
        .where(Search.team_id == team_id, MissionDraft.author_id == user_id)
        .order_by(col(MissionDraft.id))
    ).all()
    return [(draft, search) for draft, search in rows]


def recent_live_drafts(
    session: Session, *, team_id: str, user_id: str, limit: int
) -> tuple[list[tuple[MissionDraft, Search, MissionVersion]], int]:
    """A member's drafts that are not withdrawn, most recently changed first, each with its
    search and its current version: the first `limit`, and how many there are in all.

    One query however many drafts there are: the total is a window count, taken before
    the limit cuts the rows (one row is read even for `limit` 0, to carry it).
    """
    total = func.count().over()
    rows = session.exec(
        select(MissionDraft, Search, MissionVersion, total)
        .join(Search, col(Search.id) == MissionDraft.search_id)
        .join(
            MissionVersion,
            and_(
                col(MissionVersion.draft_id) == MissionDraft.id,
                col(MissionVersion.number) == MissionDraft.current_version,
            ),
        )
        .where(
            Search.team_id == team_id,
            MissionDraft.author_id == user_id,
            MissionDraft.status != "withdrawn",
        )
        .order_by(col(MissionDraft.updated_at).desc(), col(MissionDraft.id).desc())
        .limit(max(limit, 1))
    ).all()
    return [(draft, search, version) for draft, search, version, _ in rows][:limit], (
        int(rows[0][3]) if rows else 0
    )


def carry_reactions(session: Session, *, from_version: int, to_version: int) -> None:
    """Copy one version's reaction state onto another (a new version of the same message)."""
    rows = session.exec(
        select(ReactionFeedback).where(ReactionFeedback.version_id == from_version)
    ).all()
    for row in rows:
        session.add(
            ReactionFeedback(
                version_id=to_version,
                user_id=row.user_id,
                emoji=row.emoji,
                present=row.present,
                event_ts=row.event_ts,
            )
        )
    session.flush()


def present_reactions(
    session: Session, *, version_ids: Collection[int]
) -> dict[int, list[tuple[str, str]]]:
    """The (user id, emoji) reactions currently on each of `version_ids`, in one query."""
    if not version_ids:
        return {}
    rows = session.exec(
        select(ReactionFeedback.version_id, ReactionFeedback.user_id, ReactionFeedback.emoji)
        .where(col(ReactionFeedback.version_id).in_(list(version_ids)))
        .where(col(ReactionFeedback.present))
        .order_by(col(ReactionFeedback.version_id), col(ReactionFeedback.user_id))
    ).all()
    found: dict[int, list[tuple[str, str]]] = {}
    for version_id, reactor, emoji in rows:
        found.setdefault(version_id, []).append((reactor, emoji))
    return found


# --- written feedback ("Give feedback" modal) ------------------------------------------------


def add_written_feedback(
    session: Session,
    *,
    version_id: int,
    user_id: str,
    anonymous: bool,
    strong: str,
    unclear: str,
    missing: str,
    suggested_key_result: str,
    created_at: datetime,
) -> WrittenFeedback:
    """Store one piece of written feedback on a version (not yet posted: no message_ts);
    the writer of anonymous feedback only encrypted."""
    if not user_id:
        raise ValueError("the writer's user id is required")
    row = WrittenFeedback(
        version_id=version_id,
        user_id=ANONYMOUS_AUTHOR if anonymous else user_id,
        author_sealed=user_id if anonymous else None,
        anonymous=anonymous,
        strong=strong,
        unclear=unclear,
        missing=missing,
        suggested_key_result=suggested_key_result,
        created_at=created_at,
    )
    session.add(row)
    session.flush()
    return row


def set_written_feedback_ts(session: Session, *, feedback_id: int, message_ts: str) -> bool:
    """Record where the feedback was posted; False when the row is gone."""
    row = session.get(WrittenFeedback, feedback_id)
    if row is None:
        return False
    row.message_ts = message_ts
    session.flush()
    return True


def written_feedback_of(
    session: Session, *, draft_id: int, version_number: int | None = None
) -> list[tuple[WrittenFeedback, MissionVersion]]:
    """A draft's written feedback (one version's, or every version's), oldest first."""
    query = (
        select(WrittenFeedback, MissionVersion)
        .join(MissionVersion, col(MissionVersion.id) == WrittenFeedback.version_id)
        .where(MissionVersion.draft_id == draft_id)
    )
    if version_number is not None:
        query = query.where(MissionVersion.number == version_number)
    rows = session.exec(
        query.order_by(col(WrittenFeedback.created_at), col(WrittenFeedback.id))
    ).all()
    return [(feedback, version) for feedback, version in rows]


def writer_of(row: WrittenFeedback) -> str:
    """Who wrote `row`, anonymous or not: for counting and for the writer's own export and
    erase, never to show anyone else."""
    if row.anonymous:
        return row.author_sealed or ""
    return row.user_id


def written_feedback_givers(
    session: Session, *, draft_id: int, since: datetime | None = None
) -> set[str]:
    """Who wrote feedback on any version of a draft (anonymous givers included).

    Anonymous writers are decrypted here, in Python: a draft has a handful of pieces."""
    query = (
        select(WrittenFeedback.user_id, WrittenFeedback.anonymous, WrittenFeedback.author_sealed)
        .join(MissionVersion, col(MissionVersion.id) == WrittenFeedback.version_id)
        .where(MissionVersion.draft_id == draft_id)
    )
    if since is not None:
        query = query.where(col(WrittenFeedback.created_at) >= since)
    return {
        (sealed or "") if anonymous else user_id
        for user_id, anonymous, sealed in session.exec(query).all()
    } - {""}


def written_by(session: Session, *, user_id: str, version_ids: Any) -> list[WrittenFeedback]:
    """The written feedback `user_id` wrote on the versions `version_ids` (a list, or a
    select of version ids), anonymous included, oldest first.

    Named rows are matched by `user_id` in SQL. An anonymous row holds its writer only
    encrypted, which SQL cannot compare: every anonymous row on those versions is read and
    its writer decrypted here, in Python. Callers narrow `version_ids` to one workspace's
    (or one draft's) versions; a council is a handful of people with a few drafts each, so
    that is a few dozen rows at most.
    """
    if not user_id:
        return []
    on_versions = col(WrittenFeedback.version_id).in_(version_ids)
    named = session.exec(
        select(WrittenFeedback).where(
            on_versions, WrittenFeedback.user_id == user_id, ~col(WrittenFeedback.anonymous)
        )
    ).all()
    anonymous = session.exec(
        select(WrittenFeedback).where(on_versions, col(WrittenFeedback.anonymous))
    ).all()
    mine = [*named, *(row for row in anonymous if row.author_sealed == user_id)]
    return sorted(mine, key=lambda row: (row.created_at, row.id or 0))
