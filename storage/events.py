"""Events API deliveries already handled, so that Slack's retries change nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col

from storage.types import UTCDateTime, utcnow


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_events"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )


def claim_event(session: Session, *, event_id: str) -> bool:
    """Record an event id; False when it was recorded before (a retry or a duplicate).

    The primary key makes this atomic across processes: two deliveries of one event
    racing each other cannot both insert.
    """
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(event_id=event_id))
            session.flush()
    except IntegrityError:
        return False
    return True


def forget_events_before(session: Session, *, cutoff: datetime) -> int:
    """Prune old ids; Slack retries within minutes, so a few days is plenty."""
    result = session.exec(delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < cutoff))
    return int(result.rowcount or 0)


def release_claim(session: Session, *, event_id: str) -> None:
    """Forget one id, so the same delivery may be handled again (it was refused inline)."""
    session.exec(delete(ProcessedEvent).where(col(ProcessedEvent.event_id) == event_id))
