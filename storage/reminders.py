"""Reminders: every timed message the bot sends is a row here (the source of truth).

The scheduler only decides *when to look*; these queries decide *who sends*. A due row is
claimed atomically with a lease (a fresh `claim_token` and `lease_until`) before it is
sent, and every later state change is fenced on that token, so two bot processes on one
database never both act on the same claim, and a claim abandoned by a dead process is
claimable again once its lease runs out.

Claiming:
- PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED LIMIT n`, then one UPDATE of those ids,
  in one transaction; concurrent workers skip each other's rows instead of waiting.
- SQLite: one conditional `UPDATE ... WHERE id IN (SELECT ... LIMIT n) AND (pending or
  lease expired) RETURNING`. A write statement takes SQLite's write lock before it reads,
  so the select and the update see the same snapshot and writers simply queue.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    func,
    literal,
    or_,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from storage.types import UTCDateTime, utcnow


class ReminderStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    EXPIRED = "expired"
    FAILED = "failed"
    UNDELIVERABLE = "undeliverable"
    CANCELLED = "cancelled"


# States a reminder never leaves.
TERMINAL = frozenset(
    {
        ReminderStatus.SENT,
        ReminderStatus.EXPIRED,
        ReminderStatus.FAILED,
        ReminderStatus.UNDELIVERABLE,
        ReminderStatus.CANCELLED,
    }
)


class Reminder(SQLModel, table=True):
    """One timed message to one user. `payload` is JSON text the kind's sender reads."""

    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_status_due_at", "status", "due_at"),
        UniqueConstraint("dedupe_key", name="uq_reminders_dedupe_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32, index=True)  # the recipient
    # What the reminder is about (e.g. "event:12"), to cancel or move all of them at once.
    subject: str | None = Field(default=None, max_length=128, index=True)
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    status: str = Field(default=ReminderStatus.PENDING.value, max_length=16)
    # Scheduling the same logical reminder twice (same key) leaves one row.
    dedupe_key: str | None = Field(default=None, max_length=200)
    claim_token: str | None = Field(default=None, max_length=36)
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    attempts: int = Field(default=0)  # failed sends so far (rate limits do not count)
    late: bool = Field(default=False)  # sent after its due time, on recovery
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, default=utcnow)
    )

    @property
    def data(self) -> dict[str, Any]:
        """The payload, decoded."""
        value = json.loads(self.payload or "{}")
        return value if isinstance(value, dict) else {"value": value}


_T = Reminder.__table__  # type: ignore[attr-defined]
_COLUMNS = [c.name for c in _T.columns]

_ERROR_LIMIT = 2000  # characters of last_error kept


def encode_payload(payload: dict[str, Any] | str | None) -> str:
    if payload is None:
        return "{}"
    if isinstance(payload, str):
        json.loads(payload)  # must already be JSON
        return payload
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str)


def _row_to_reminder(row: Any) -> Reminder:
    return Reminder(**{name: row._mapping[name] for name in _COLUMNS})


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware (UTC) datetime")


# --- scheduling (inside the caller's unit of work) ---------------------------------------


def schedule(
    session: Session,
    *,
    kind: str,
    team_id: str,
    user_id: str,
    due_at: datetime,
    payload: dict[str, Any] | str | None,
    subject: str | None = None,
    dedupe_key: str | None = None,
) -> Reminder:
    """Add a pending reminder; with a dedupe_key, an existing one with that key is kept.

    The existing row is returned unchanged (use `reschedule_subject` to move reminders),
    except a *cancelled* one, which is revived with the new time and payload: scheduling
    again after cancelling means the reminder is wanted after all.
    """
    _require_aware(due_at, "due_at")
    body = encode_payload(payload)
    if dedupe_key is None:
        reminder = Reminder(
            kind=kind,
            team_id=team_id,
            user_id=user_id,
            due_at=due_at,
            payload=body,
            subject=subject,
        )
        session.add(reminder)
        session.flush()
        return reminder

    existing = get_by_dedupe_key(session, dedupe_key)
    if existing is None:
        reminder = Reminder(
            kind=kind,
            team_id=team_id,
            user_id=user_id,
            due_at=due_at,
            payload=body,
            subject=subject,
            dedupe_key=dedupe_key,
        )
        try:
            # A savepoint, so losing a race with another process leaves the caller's
            # transaction usable.
            with session.begin_nested():
                session.add(reminder)
                session.flush()
            return reminder
        except IntegrityError:
            existing = get_by_dedupe_key(session, dedupe_key)
            if existing is None:  # pragma: no cover - the winner rolled back meanwhile
                raise
    if existing.status == ReminderStatus.CANCELLED:
        revived = session.exec(
            update(Reminder)
            .where(
                col(Reminder.id) == existing.id, col(Reminder.status) == ReminderStatus.CANCELLED
            )
            .values(
                status=ReminderStatus.PENDING.value,
                kind=kind,
                team_id=team_id,
                user_id=user_id,
                due_at=due_at,
                payload=body,
                subject=subject,
                attempts=0,
                late=False,
                claim_token=None,
                lease_until=None,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
        if revived.rowcount:
            session.refresh(existing)
    return existing


def get_by_dedupe_key(session: Session, dedupe_key: str) -> Reminder | None:
    return session.exec(select(Reminder).where(col(Reminder.dedupe_key) == dedupe_key)).first()


def get_reminder(session: Session, reminder_id: int) -> Reminder | None:
    return session.get(Reminder, reminder_id)


def cancel_subject(session: Session, *, subject: str, kinds: Iterable[str] | None = None) -> int:
    """Cancel the pending reminders of a subject (optionally only some kinds); the count.

    A reminder already claimed by a worker is being sent right now and is left alone.
    """
    query = update(Reminder).where(
        col(Reminder.subject) == subject, col(Reminder.status) == ReminderStatus.PENDING
    )
    if kinds is not None:
        query = query.where(col(Reminder.kind).in_(list(kinds)))
    result = session.exec(
        query.values(status=ReminderStatus.CANCELLED.value).execution_options(
            synchronize_session=False
        )
    )
    session.expire_all()
    return int(result.rowcount or 0)


def cancel_dedupe_keys(session: Session, *, keys: Collection[str]) -> int:
    """Cancel the pending reminders with these dedupe keys (one member's of a subject); the
    count. A reminder already claimed is being sent and is left alone."""
    if not keys:
        return 0
    result = session.exec(
        update(Reminder)
        .where(
            col(Reminder.dedupe_key).in_(sorted(keys)),
            col(Reminder.status) == ReminderStatus.PENDING,
        )
        .values(status=ReminderStatus.CANCELLED.value)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return int(result.rowcount or 0)


def reschedule_subject(session: Session, *, subject: str, kind: str, due_at: datetime) -> int:
    """Move the pending reminders of one kind for a subject to `due_at`; the count moved."""
    _require_aware(due_at, "due_at")
    result = session.exec(
        update(Reminder)
        .where(
            col(Reminder.subject) == subject,
            col(Reminder.kind) == kind,
            col(Reminder.status) == ReminderStatus.PENDING,
        )
        .values(due_at=due_at, late=False)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return int(result.rowcount or 0)


def has_pending(session: Session, *, subject: str, kinds: Collection[str]) -> bool:
    """Whether a reminder of these kinds about `subject` is still to be sent."""
    return (
        session.exec(
            select(Reminder.id)
            .where(
                col(Reminder.subject) == subject,
                col(Reminder.kind).in_(list(kinds)),
                col(Reminder.status) == ReminderStatus.PENDING,
            )
            .limit(1)
        ).first()
        is not None
    )


def pending_for_user(
    session: Session, *, team_id: str, user_id: str, limit: int = 20
) -> Sequence[Reminder]:
    """A member's upcoming reminders, soonest first (for the App Home)."""
    return session.exec(
        select(Reminder)
        .where(
            col(Reminder.team_id) == team_id,
            col(Reminder.user_id) == user_id,
            col(Reminder.status).in_([ReminderStatus.PENDING, ReminderStatus.CLAIMED]),
        )
        .order_by(col(Reminder.due_at), col(Reminder.id))
        .limit(limit)
    ).all()


# --- the dispatch side (short transactions of their own, on the engine) ------------------


@dataclass(frozen=True)
class Claim:
    token: str
    reminders: list[Reminder]


@contextmanager
def _transaction(bind: Engine | Connection) -> Iterator[Connection]:
    """A short transaction on an engine, or on a connection the caller keeps open.

    The engine passes one connection for a whole dispatch pass: checking a connection
    out of the pool for every mark costs about a third of the time of a send.
    """
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            yield conn
    else:
        with bind.begin():
            yield bind


def _claimable(now: datetime, kinds: Collection[str] | None = None) -> Any:
    condition = or_(
        and_(_T.c.status == ReminderStatus.PENDING.value, _T.c.due_at <= now),
        and_(_T.c.status == ReminderStatus.CLAIMED.value, _T.c.lease_until < now),
    )
    if kinds is not None:
        condition = and_(condition, _T.c.kind.in_(sorted(kinds)))
    return condition


def _abandoned(now: datetime) -> Any:
    """Pending, or claimed by a worker whose lease ran out: nobody is sending it."""
    return or_(
        _T.c.status == ReminderStatus.PENDING.value,
        and_(_T.c.status == ReminderStatus.CLAIMED.value, _T.c.lease_until < now),
    )


def claim_due(
    bind: Engine | Connection,
    *,
    now: datetime,
    lease_until: datetime,
    limit: int,
    late_before: datetime,
    worker_id: str = "",
    kinds: Collection[str] | None = None,
) -> Claim:
    """Atomically claim up to `limit` due reminders (or ones whose lease ran out).

    Only reminders of `kinds` when given (the kinds the worker can send). Rows due
    before `late_before` are flagged late. All rows of one claim share one token, so the
    claim can be renewed or released in one statement.
    """
    token = f"{uuid.uuid4().hex[:24]}{worker_id[:12]}"
    values = {
        "status": ReminderStatus.CLAIMED.value,
        "claim_token": token,
        "lease_until": lease_until,
        "late": case((_T.c.due_at < late_before, True), else_=_T.c.late),
    }
    with _transaction(bind) as conn:
        if conn.dialect.name == "postgresql":
            ids = (
                conn.execute(
                    sa_select(_T.c.id)
                    .where(_claimable(now, kinds))
                    .order_by(_T.c.due_at, _T.c.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
                .scalars()
                .all()
            )
            if not ids:
                return Claim(token, [])
            rows = conn.execute(
                update(_T).where(_T.c.id.in_(ids)).values(**values).returning(*_T.c)
            ).all()
        else:
            candidates = (
                sa_select(_T.c.id)
                .where(_claimable(now, kinds))
                .order_by(_T.c.due_at, _T.c.id)
                .limit(limit)
                .scalar_subquery()
            )
            rows = conn.execute(
                update(_T)
                .where(_T.c.id.in_(candidates), _claimable(now, kinds))
                .values(**values)
                .returning(*_T.c)
            ).all()
    reminders = sorted((_row_to_reminder(r) for r in rows), key=lambda r: (r.due_at, r.id))
    return Claim(token, reminders)


def _fenced(conn: Connection, reminder_id: int, token: str, **values: Any) -> bool:
    result = conn.execute(
        update(_T)
        .where(
            _T.c.id == reminder_id,
            _T.c.claim_token == token,
            _T.c.status == ReminderStatus.CLAIMED.value,
        )
        .values(**values)
    )
    return result.rowcount == 1


class ClaimCheck(StrEnum):
    """Where a claimed reminder stands, checked right before it is sent."""

    HELD = "held"  # still claimed under the worker's token: send it
    TAKEN = "taken"  # another worker took it over (the lease ran out), or it moved on
    GONE = "gone"  # deleted: its workspace uninstalled the app (storage.purge)


def check_claim(bind: Engine | Connection, *, reminder_id: int, token: str) -> ClaimCheck:
    """Whether the worker holding `token` may still send the reminder (one key lookup)."""
    with _transaction(bind) as conn:
        row = conn.execute(
            sa_select(_T.c.status, _T.c.claim_token).where(_T.c.id == reminder_id)
        ).first()
    if row is None:
        return ClaimCheck.GONE
    if row.status == ReminderStatus.CLAIMED.value and row.claim_token == token:
        return ClaimCheck.HELD
    return ClaimCheck.TAKEN


def mark_sent(bind: Engine | Connection, *, reminder_id: int, token: str, now: datetime) -> bool:
    """Record a delivery; False (nothing changed) when this claim was taken over."""
    with _transaction(bind) as conn:
        return _fenced(
            conn,
            reminder_id,
            token,
            status=ReminderStatus.SENT.value,
            sent_at=now,
            lease_until=None,
            last_error=None,
        )


def mark_retry(
    bind: Engine | Connection,
    *,
    reminder_id: int,
    token: str,
    due_at: datetime,
    attempts: int,
    error: str | None,
) -> bool:
    """Back to pending at `due_at` (a rate limit or a failure with attempts left)."""
    with _transaction(bind) as conn:
        return _fenced(
            conn,
            reminder_id,
            token,
            status=ReminderStatus.PENDING.value,
            due_at=due_at,
            attempts=attempts,
            claim_token=None,
            lease_until=None,
            last_error=error[:_ERROR_LIMIT] if error else None,
        )


def mark_final(
    bind: Engine | Connection,
    *,
    reminder_id: int,
    token: str,
    status: ReminderStatus,
    error: str,
    attempts: int | None = None,
) -> bool:
    """Failed or undeliverable: a state the reminder never leaves."""
    values: dict[str, Any] = {
        "status": status.value,
        "lease_until": None,
        "last_error": error[:_ERROR_LIMIT],
    }
    if attempts is not None:
        values["attempts"] = attempts
    with _transaction(bind) as conn:
        return _fenced(conn, reminder_id, token, **values)


def renew_lease(bind: Engine | Connection, *, token: str, lease_until: datetime) -> set[int]:
    """Extend every still-claimed row of a claim; the ids still held under the token."""
    with _transaction(bind) as conn:
        rows = conn.execute(
            update(_T)
            .where(_T.c.claim_token == token, _T.c.status == ReminderStatus.CLAIMED.value)
            .values(lease_until=lease_until)
            .returning(_T.c.id)
        ).all()
    return {row[0] for row in rows}


def release_claim(bind: Engine | Connection, *, token: str, ids: Sequence[int]) -> int:
    """Hand unsent rows of a claim back (on shutdown), so nobody waits for the lease."""
    if not ids:
        return 0
    with _transaction(bind) as conn:
        result = conn.execute(
            update(_T)
            .where(
                _T.c.id.in_(list(ids)),
                _T.c.claim_token == token,
                _T.c.status == ReminderStatus.CLAIMED.value,
            )
            .values(status=ReminderStatus.PENDING.value, claim_token=None, lease_until=None)
        )
        return int(result.rowcount or 0)


def expire_overdue(
    bind: Engine | Connection, *, cutoffs: dict[str, datetime], now: datetime
) -> list[Reminder]:
    """Mark expired the reminders due before their kind's cutoff and not being sent.

    `cutoffs` maps a kind to "now minus its grace window". Pending rows qualify, and
    claimed rows whose lease ran out (their worker died). The expired rows are returned
    so that each one can be logged: nothing is dropped silently.
    """
    if not cutoffs:
        return []
    past_grace = or_(
        *(and_(_T.c.kind == kind, _T.c.due_at < cutoff) for kind, cutoff in cutoffs.items())
    )
    with _transaction(bind) as conn:
        rows = conn.execute(
            update(_T)
            .where(past_grace, _abandoned(now))
            .values(
                status=ReminderStatus.EXPIRED.value,
                claim_token=None,
                lease_until=None,
                last_error="past its grace window",
            )
            .returning(*_T.c)
        ).all()
    return sorted((_row_to_reminder(r) for r in rows), key=lambda r: (r.due_at, r.id))


def fail_unknown_kinds(
    bind: Engine | Connection, *, known: Collection[str], before: datetime, now: datetime
) -> list[Reminder]:
    """Mark failed the reminders of kinds nobody registered, due before `before`.

    Waiting a while first lets a newer bot process (a rolling deploy) that knows the
    kind send it. The failed rows are returned so that each one can be logged.
    """
    with _transaction(bind) as conn:
        rows = conn.execute(
            update(_T)
            .where(_T.c.kind.not_in(sorted(known)), _T.c.due_at < before, _abandoned(now))
            .values(
                status=ReminderStatus.FAILED.value,
                claim_token=None,
                lease_until=None,
                last_error=literal("no sender registered for kind ", String) + _T.c.kind,
            )
            .returning(*_T.c)
        ).all()
    return sorted((_row_to_reminder(r) for r in rows), key=lambda r: (r.due_at, r.id))


def next_due_at(bind: Engine | Connection) -> datetime | None:
    """When the soonest pending reminder is due (None when there is none)."""
    with _transaction(bind) as conn:
        value = conn.execute(
            sa_select(_T.c.due_at)
            .where(_T.c.status == ReminderStatus.PENDING.value)
            .order_by(_T.c.due_at)
            .limit(1)
        ).scalar()
    return value


def count_by_status(bind: Engine | Connection, *, kind: str | None = None) -> dict[str, int]:
    """How many reminders are in each status (of one kind, when given)."""
    query = sa_select(_T.c.status, func.count()).group_by(_T.c.status)
    if kind is not None:
        query = query.where(_T.c.kind == kind)
    with _transaction(bind) as conn:
        rows = conn.execute(query).all()
    return {status: int(n) for status, n in rows}


@dataclass(frozen=True)
class Backlog:
    """How far behind the reminders are, at one moment (what `GET /metrics` exports).

    - `due`: a worker would claim them now: pending and due, or claimed by a worker whose
      lease ran out (it died);
    - `claimed`: being sent right now, under a live lease;
    - `late`: the part of `due` that fell due before `late_before` (the engine flags
      those late when it sends them, or expires them past their kind's grace);
    - `failed`: gave up on (out of attempts, or a kind no sender knows), within the
      retention period (storage.purge deletes older finished reminders);
    - `oldest_due_at`: when the longest-waiting `due` one fell due (None: nothing due).

    Counts only: no kinds, teams or users.
    """

    due: int
    claimed: int
    late: int
    failed: int
    oldest_due_at: datetime | None


def backlog(bind: Engine | Connection, *, now: datetime, late_before: datetime) -> Backlog:
    """The reminder backlog, read-only, in one query (over the status/due_at index)."""
    _require_aware(now, "now")
    _require_aware(late_before, "late_before")
    claimable = _claimable(now)
    live_claim = and_(_T.c.status == ReminderStatus.CLAIMED.value, _T.c.lease_until >= now)

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = sa_select(
        count(claimable),
        count(live_claim),
        count(and_(claimable, _T.c.due_at < late_before)),
        count(_T.c.status == ReminderStatus.FAILED.value),
        func.min(case((claimable, _T.c.due_at), else_=None)),
    ).where(
        _T.c.status.in_(
            [
                ReminderStatus.PENDING.value,
                ReminderStatus.CLAIMED.value,
                ReminderStatus.FAILED.value,
            ]
        )
    )
    with _transaction(bind) as conn:
        due, claimed, late, failed, oldest = conn.execute(query).one()
    return Backlog(
        due=int(due),
        claimed=int(claimed),
        late=int(late),
        failed=int(failed),
        oldest_due_at=oldest,
    )
