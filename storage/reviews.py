"""Written feedback on what a council reviews besides drafts: a negotiation plan's shared
summary, a posted Two-Pager or Candidate-Market Fit statement (a draft's has its own table,
`written_feedback`, with the mission's four prompts).

One row per note: the subject (kind and id, as `feedback_requests` names it), the subject's
author, the writer (or, for a note posted without a name, "" and the writer only encrypted
in `writer_sealed`, as `written_feedback` keeps anonymous writers), the text (encrypted), and
where the bot posted it in the subject's thread. `team_id` lets the workspace purge take it;
the writer's erase and the subject author's erase take it too (storage.purge.MEMBER_COLUMNS;
a sealed writer's notes through storage.member_data.erase_unlinked).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, delete
from sqlmodel import Field, Session, SQLModel, col, select

from storage.crypto import EncryptedText
from storage.types import UTCDateTime, utcnow

ANONYMOUS_WRITER = ""


class ReviewNote(SQLModel, table=True):
    __tablename__ = "review_notes"
    __table_args__ = (
        Index("ix_review_notes_subject", "team_id", "subject_kind", "subject_id"),
        Index("ix_review_notes_writer", "team_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    subject_kind: str = Field(max_length=24)
    subject_id: int
    author_id: str = Field(max_length=32)  # the subject's author
    user_id: str = Field(max_length=32)  # the writer; ANONYMOUS_WRITER when posted without a name
    anonymous: bool = Field(default=False)
    writer_sealed: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    text: str = Field(sa_column=Column(EncryptedText, nullable=False))
    channel_id: str = Field(max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)  # its post in the thread
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def writer(self) -> str:
        """Who wrote it, anonymous or not (never to be shown for an anonymous note)."""
        return (self.writer_sealed or "") if self.anonymous else self.user_id


def add_note(
    session: Session,
    *,
    team_id: str,
    subject_kind: str,
    subject_id: int,
    author_id: str,
    writer: str,
    anonymous: bool,
    text: str,
    channel_id: str,
    now: datetime,
) -> ReviewNote:
    row = ReviewNote(
        team_id=team_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        author_id=author_id,
        user_id=ANONYMOUS_WRITER if anonymous else writer,
        anonymous=anonymous,
        writer_sealed=writer if anonymous else None,
        text=text,
        channel_id=channel_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def notes_on(
    session: Session, *, team_id: str, subject_kind: str, subject_id: int, since: datetime
) -> list[ReviewNote]:
    """The notes on a subject written since `since` (a request's creation), oldest first."""
    return list(
        session.exec(
            select(ReviewNote)
            .where(
                ReviewNote.team_id == team_id,
                ReviewNote.subject_kind == subject_kind,
                ReviewNote.subject_id == subject_id,
                col(ReviewNote.created_at) >= since,
            )
            .order_by(col(ReviewNote.created_at), col(ReviewNote.id))
        ).all()
    )


def notes_written_by(session: Session, *, team_id: str, user_id: str) -> list[ReviewNote]:
    """Every note the member wrote, named or not (anonymous ones found by decrypting the
    sealed writer of the workspace's anonymous notes, in Python: SQL cannot compare it)."""
    named = session.exec(
        select(ReviewNote).where(ReviewNote.team_id == team_id, ReviewNote.user_id == user_id)
    ).all()
    anonymous = session.exec(
        select(ReviewNote).where(ReviewNote.team_id == team_id, col(ReviewNote.anonymous))
    ).all()
    return sorted(
        [*named, *(n for n in anonymous if n.writer_sealed == user_id)],
        key=lambda n: (n.created_at, n.id or 0),
    )


def notes_received(session: Session, *, team_id: str, user_id: str) -> list[ReviewNote]:
    return list(
        session.exec(
            select(ReviewNote)
            .where(ReviewNote.team_id == team_id, ReviewNote.author_id == user_id)
            .order_by(col(ReviewNote.created_at), col(ReviewNote.id))
        ).all()
    )


def delete_sealed_notes(session: Session, *, team_id: str, user_id: str) -> int:
    """The member's anonymous notes (no member column names them); how many."""
    ids = [n.id for n in notes_written_by(session, team_id=team_id, user_id=user_id) if n.anonymous]
    if not ids:
        return 0
    result = session.exec(delete(ReviewNote).where(col(ReviewNote.id).in_(ids)))
    return int(result.rowcount or 0)
