"""Use cases of privacy: purge a workspace, take a departed member off a council's requests,
apply the retention period. Plain values in and out; no Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from bot.features.feedback_requests.rules import nudge_key
from bot.features.privacy.rules import retention_cutoffs
from storage import purge
from storage.db import session_scope
from storage.feedback_requests import withdraw_open_asks
from storage.reminders import cancel_dedupe_keys


@dataclass(frozen=True, slots=True)
class Purged:
    """What a workspace purge deleted: rows per table (every covered table, 0 included)."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def purge_workspace(engine: Engine, *, team_id: str) -> Purged:
    """Delete everything held about the workspace, reminders included, in one transaction.

    Idempotent: Slack's retry of the event finds nothing left and deletes nothing. A
    reminder a worker claimed before the commit is not sent (the engine re-checks its
    claim right before each send).
    """
    with session_scope(engine) as session:
        return Purged(purge.purge_team(session, team_id=team_id))


@dataclass(frozen=True, slots=True)
class Departure:
    """A member left a council channel: the open requests they were taken off."""

    requests: list[int]
    nudges_cancelled: int


def member_left(engine: Engine, *, team_id: str, channel_id: str, user_id: str) -> Departure:
    """Take a member who left a council channel off its open feedback requests, and cancel
    their pending nudges about them. Their own drafts, feedback and plans stay.

    A channel that is no council (or a member on no request) changes nothing; a retried
    event finds nothing left to change.
    """
    with session_scope(engine) as session:
        requests = withdraw_open_asks(
            session, team_id=team_id, channel_id=channel_id, user_id=user_id
        )
        cancelled = cancel_dedupe_keys(
            session, keys=[nudge_key(request_id, user_id) for request_id in requests]
        )
        return Departure(requests=requests, nudges_cancelled=cancelled)


def apply_retention(engine: Engine, *, now: datetime, days: int) -> dict[str, int] | None:
    """Delete what outlived the retention period: rows per table that lost some, or None
    when another process is running it right now (PostgreSQL; it deletes the same)."""
    cutoffs = retention_cutoffs(now=now, days=days)
    with session_scope(engine) as session:
        if not purge.retention_lock(session):
            return None
        return purge.purge_expired(
            session, before=cutoffs.before, events_before=cutoffs.events_before
        )
