"""The reminder engine: every timed message of every feature goes through it. No Slack here.

Reminders are rows (storage.reminders); the database decides who sends, APScheduler only
decides when to look: an interval job every few seconds, plus an immediate wake-up when a
reminder is scheduled to be due before the next look. One dispatch pass:

1. recover: pending reminders past their kind's grace window (the bot was down, or a
   worker died holding them) are marked expired, each one logged;
2. claim a batch of due reminders atomically with a lease (a reminder whose lease ran
   out, because its worker died between claim and send, is claimable again); one due
   more than `late_after` ago is flagged late;
3. check that each is still claimed under the batch's token (a reminder deleted
   meanwhile, because its workspace uninstalled the app, is not sent), hand it to the
   sender registered for its kind, and record the outcome with an
   update fenced on the claim token (a worker whose claim was taken over changes
   nothing):
   - Delivered -> sent;
   - RateLimited(retry_after) -> pending again at now + retry_after, attempts unchanged
     (and the claim's other reminders for that workspace wait as long, unsent);
   - Failed(error) (or an exception from the sender) -> attempts + 1 and pending again
     after an exponential backoff (30 s, 2 min, 8 min, 32 min), failed after
     `max_attempts`;
   - Undeliverable(reason) -> undeliverable, logged once, never retried.

An engine claims only the kinds registered with it. A reminder of a kind no sender is
registered for is left alone for `unknown_kind_grace` (a newer process in a rolling
deploy may know it), then marked failed and logged.

Periodic upkeep (`every`: the retention deletes) runs on the same scheduler, started and
stopped with the engine; such a job must be safe to run in several processes at once.

Delivery is at least once with a narrow window: a reminder is sent twice only when a
worker dies (or stalls past its lease, which is renewed while a batch is worked through)
after the Slack call and before the mark.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from bot.platform.logs import describe_exception
from storage import reminders as store
from storage.reminders import Reminder, ReminderStatus
from storage.types import require_id

log = logging.getLogger(__name__)
_T = TypeVar("_T")

__all__ = [
    "Delivered",
    "DispatchReport",
    "Failed",
    "Outcome",
    "RateLimited",
    "Reminder",
    "ReminderEngine",
    "ReminderStatus",
    "Sender",
    "Undeliverable",
    "cancel_subject",
    "reschedule_subject",
    "schedule",
]


# --- outcomes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivered:
    """The message reached Slack."""


@dataclass(frozen=True)
class RateLimited:
    """Slack said 429; try again after `retry_after` seconds (does not count as a failure)."""

    retry_after: float


@dataclass(frozen=True)
class Undeliverable:
    """It can never be delivered (user deactivated, bot removed from the channel, ...)."""

    reason: str


@dataclass(frozen=True)
class Failed:
    """A failure that may pass (server error, connection error, a bug): retried later."""

    error: str


Outcome: TypeAlias = Delivered | RateLimited | Undeliverable | Failed
Sender: TypeAlias = Callable[[Reminder], Outcome]

_OUTCOMES = (Delivered, RateLimited, Undeliverable, Failed)


@dataclass
class DispatchReport:
    """What one dispatch pass did.

    `sent` counts deliveries recorded (`late` is the part of them sent late), `failed`
    the reminders that ran out of attempts (or have an unknown kind), `retrying` the
    failures that will be tried again, `rate_limited` the reminders put back because of
    a 429, `fenced_out` outcomes not recorded because another worker had taken the claim
    over, `gone` claimed reminders deleted before their send (their workspace uninstalled
    the app, storage.purge) and so not sent.
    """

    sent: int = 0
    late: int = 0
    expired: int = 0
    failed: int = 0
    retrying: int = 0
    rate_limited: int = 0
    undeliverable: int = 0
    fenced_out: int = 0
    claimed: int = 0
    gone: int = 0

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


@dataclass(frozen=True)
class _Registration:
    sender: Sender
    grace: timedelta


# --- scheduling (features call these inside their own unit of work) ----------------------

# Engines started in this process, woken after a commit that schedules a reminder soon.
_RUNNING: weakref.WeakSet[ReminderEngine] = weakref.WeakSet()
_RUNNING_LOCK = threading.Lock()
# Called with the due time of what a commit scheduled, where no engine runs in this process
# (a work process, bot.platform.offload: the acking process's engine is woken instead).
_WAKE_OBSERVERS: list[Callable[[datetime], None]] = []


def observe_wakes(observer: Callable[[datetime], None]) -> None:
    """Also tell `observer` the due time of every reminder scheduled in this process."""
    _WAKE_OBSERVERS.append(observer)


_SESSION_KEY = "bot.reminders.earliest_due"


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
    """Schedule a reminder in the caller's transaction (see storage.reminders.schedule).

    `due_at` is an aware datetime (UTC); compute wall-clock intentions with
    bot.platform.timezones.to_utc. Once the transaction commits, an engine running in this
    process is woken if the reminder is due before its next regular look.
    """
    reminder = store.schedule(
        session,
        kind=kind,
        team_id=team_id,
        user_id=user_id,
        due_at=due_at,
        payload=payload,
        subject=subject,
        dedupe_key=dedupe_key,
    )
    if reminder.status == ReminderStatus.PENDING:
        _wake_after_commit(session, reminder.due_at)
    return reminder


def cancel_subject(session: Session, *, subject: str, kinds: list[str] | None = None) -> int:
    """Cancel the pending reminders about `subject` (e.g. "event:12"); how many."""
    return store.cancel_subject(session, subject=subject, kinds=kinds)


def reschedule_subject(session: Session, *, subject: str, kind: str, due_at: datetime) -> int:
    """Move the pending reminders of `kind` about `subject` to `due_at`; how many."""
    moved = store.reschedule_subject(session, subject=subject, kind=kind, due_at=due_at)
    if moved:
        _wake_after_commit(session, due_at)
    return moved


def _wake_after_commit(session: Session, due_at: datetime) -> None:
    earliest = session.info.get(_SESSION_KEY)
    session.info[_SESSION_KEY] = due_at if earliest is None else min(earliest, due_at)
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    due_at = session.info.pop(_SESSION_KEY, None)
    if due_at is None:
        return
    for observer in _WAKE_OBSERVERS:
        observer(due_at)
    with _RUNNING_LOCK:
        engines = list(_RUNNING)
    for engine in engines:
        try:
            engine.scheduled(due_at)
        except Exception:  # a wake-up is an optimisation; never fail the caller's commit
            log.warning("could not wake the reminder engine", exc_info=True)


def _after_rollback(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)


# --- the engine --------------------------------------------------------------------------


class ReminderEngine:
    """Claims due reminders and hands them to the sender registered for their kind.

    Several engines (threads or processes) may run against one database; each reminder
    is claimed by one of them at a time. `clock` is injectable (tests and the sandbox
    move it); it must return aware UTC datetimes.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        clock: Callable[[], datetime],
        worker_id: str,
        lease: timedelta = timedelta(seconds=60),
        batch: int = 100,
        late_after: timedelta = timedelta(minutes=1),
        max_attempts: int = 5,
        backoff: timedelta = timedelta(seconds=30),
        backoff_factor: float = 4.0,
        unknown_kind_grace: timedelta = timedelta(hours=1),
        max_batches_per_pass: int = 100,
    ) -> None:
        if batch < 1:
            raise ValueError("batch must be at least 1")
        if lease <= timedelta(0):
            raise ValueError("lease must be positive")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.engine = engine
        self.clock = clock
        self.worker_id = worker_id
        self.lease = lease
        self.batch = batch
        self.late_after = late_after
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.backoff_factor = backoff_factor
        self.unknown_kind_grace = unknown_kind_grace
        self.max_batches_per_pass = max_batches_per_pass
        self._registrations: dict[str, _Registration] = {}
        self._periodic: dict[str, tuple[timedelta, Callable[[], object]]] = {}
        self._scheduler: Any = None
        self._owns_scheduler = False
        self._interval = timedelta(seconds=5)
        self._stopping = threading.Event()
        self._woken = threading.Event()
        self._pass_lock = threading.Lock()

    # -- configuration

    def register(self, kind: str, sender: Sender, *, grace: timedelta) -> None:
        """Deliver reminders of `kind` with `sender`; past `grace` overdue they expire."""
        if grace < timedelta(0):
            raise ValueError("grace must not be negative")
        if kind in self._registrations:
            raise ValueError(f"a sender for {kind!r} is registered already")
        self._registrations[kind] = _Registration(sender, grace)

    def every(self, interval: timedelta, job: Callable[[], object], *, name: str) -> None:
        """Run `job` every `interval` (and once when the engine starts) on its scheduler.

        For upkeep that must keep happening while the bot runs (the retention deletes). Every
        bot process runs it: the job itself must be safe to run twice at once (a DELETE of
        what is past its time is). A failure is logged by error class and tried again at
        the next interval.
        """
        if interval <= timedelta(0):
            raise ValueError("interval must be positive")
        if name in self._periodic:
            raise ValueError(f"a periodic job {name!r} is registered already")
        self._periodic[name] = (interval, job)
        if self._scheduler is not None:
            self._add_periodic(self._scheduler, name)

    @property
    def periodic(self) -> frozenset[str]:
        """The names of the periodic jobs registered with `every`."""
        return frozenset(self._periodic)

    def _add_periodic(self, scheduler: Any, name: str) -> None:
        interval, job = self._periodic[name]

        def run() -> None:
            if self._stopping.is_set():
                return
            try:
                job()
            except Exception as exc:  # the next interval tries again
                log.error("periodic job %s failed: %s", name, type(exc).__name__)

        scheduler.add_job(
            run,
            "interval",
            seconds=interval.total_seconds(),
            id=f"{self._job_id}:{name}",
            name=name,
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            replace_existing=True,
        )

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._registrations)

    def backoff_for(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failure: 30 s, 2 min, 8 min, 32 min, ..."""
        return self.backoff * (self.backoff_factor ** max(attempts - 1, 0))

    # -- scheduling shortcuts (the same functions as the module's)

    def schedule(self, session: Session, **kwargs: Any) -> Reminder:
        return schedule(session, **kwargs)

    def cancel_subject(
        self, session: Session, *, subject: str, kinds: list[str] | None = None
    ) -> int:
        return cancel_subject(session, subject=subject, kinds=kinds)

    def reschedule_subject(
        self, session: Session, *, subject: str, kind: str, due_at: datetime
    ) -> int:
        return reschedule_subject(session, subject=subject, kind=kind, due_at=due_at)

    def next_due_at(self) -> datetime | None:
        """When the soonest pending reminder is due (the sandbox fast-forwards to it)."""
        return store.next_due_at(self.engine)

    # -- dispatching

    def recover(self, now: datetime | None = None) -> int:
        """Expire (and log) the reminders overdue past their kind's grace; how many.

        Reminders overdue *within* their grace stay pending: the next claim sends them,
        flagged late. Runs at the start of every dispatch pass, so also on start-up.
        """
        with self.engine.connect() as conn:
            return self._recover(conn, self._now() if now is None else now)[0]

    def _recover(self, conn: Connection, now: datetime) -> tuple[int, int]:
        cutoffs = {kind: now - reg.grace for kind, reg in self._registrations.items()}
        expired = self._db(lambda: store.expire_overdue(conn, cutoffs=cutoffs, now=now))
        for reminder in expired:
            log.warning(
                "reminder %s expired: %s for %s/%s was due %s, %s ago, past its %s grace window",
                reminder.id,
                reminder.kind,
                reminder.team_id,
                reminder.user_id,
                reminder.due_at.isoformat(),
                _human(now - reminder.due_at),
                _human(self._registrations[reminder.kind].grace),
            )
        # Kinds no sender is registered for: failed, once a newer process (a rolling
        # deploy) that might know them has had `unknown_kind_grace` to send them.
        unknown = self._db(
            lambda: store.fail_unknown_kinds(
                conn,
                known=self.kinds,
                before=now - self.unknown_kind_grace,
                now=now,
            )
        )
        for reminder in unknown:
            log.error(
                "reminder %s failed: no sender registered for kind %r (for %s/%s, due %s)",
                reminder.id,
                reminder.kind,
                reminder.team_id,
                reminder.user_id,
                reminder.due_at.isoformat(),
            )
        return len(expired), len(unknown)

    def dispatch_due(self) -> DispatchReport:
        """One pass: recover, then claim and deliver due reminders batch by batch."""
        with self.engine.connect() as conn:  # one connection for the pass, not one per mark
            return self._dispatch(conn)

    def _dispatch(self, conn: Connection) -> DispatchReport:
        report = DispatchReport()
        report.expired, report.failed = self._recover(conn, self._now())
        if not self._registrations:
            return report
        kinds = self.kinds
        for _ in range(self.max_batches_per_pass):
            if self._stopping.is_set():
                break
            now = self._now()
            claim = self._db(
                functools.partial(
                    store.claim_due,
                    conn,
                    now=now,
                    lease_until=now + self.lease,
                    limit=self.batch,
                    late_before=now - self.late_after,
                    worker_id=self.worker_id,
                    kinds=kinds,
                )
            )
            if not claim.reminders:
                break
            report.claimed += len(claim.reminders)
            self._deliver(conn, claim, report)
            if len(claim.reminders) < self.batch:
                break
        return report

    def _deliver(self, conn: Connection, claim: store.Claim, report: DispatchReport) -> None:
        token = claim.token
        lease_until = min((r.lease_until for r in claim.reminders if r.lease_until), default=None)
        ids = [require_id(r) for r in claim.reminders]
        held = set(ids)
        team_paused_until: dict[str, datetime] = {}
        for index, reminder in enumerate(claim.reminders):
            if self._stopping.is_set():
                unsent = [rid for rid in ids[index:] if rid in held]
                released = self._db(
                    functools.partial(store.release_claim, conn, token=token, ids=unsent)
                )
                log.info("shutting down: released %d claimed reminders", released)
                return
            now = self._now()
            if lease_until is not None and now >= lease_until - self.lease / 2:
                # Half the lease gone: renew it for the rest of the batch. Rows taken over
                # by another worker (only possible once the lease ran out) are skipped.
                lease_until = now + self.lease
                held = self._db(
                    functools.partial(store.renew_lease, conn, token=token, lease_until=lease_until)
                )
            if reminder.id not in held:
                log.warning("reminder %s: claim taken over by another worker, skipped", reminder.id)
                report.fenced_out += 1
                continue
            # Checked right before the send, not only at the claim: a workspace purged
            # mid-batch (the app uninstalled) deletes its claimed rows, and they must not go.
            check = self._db(
                functools.partial(
                    store.check_claim, conn, reminder_id=require_id(reminder), token=token
                )
            )
            if check is not store.ClaimCheck.HELD:
                held.discard(require_id(reminder))
                if check is store.ClaimCheck.GONE:
                    log.info("reminder %s was deleted before its send: not sent", reminder.id)
                    report.gone += 1
                else:
                    log.warning(
                        "reminder %s: claim taken over by another worker, skipped", reminder.id
                    )
                    report.fenced_out += 1
                continue
            paused = team_paused_until.get(reminder.team_id)
            if paused is not None:
                # Slack rate-limited this workspace a moment ago: do not hammer it.
                self._record(conn, reminder, token, RateLimited(0), report, retry_at=paused)
                continue
            outcome = self._send(reminder)
            retry_at = self._record(conn, reminder, token, outcome, report)
            if isinstance(outcome, RateLimited) and retry_at is not None:
                team_paused_until[reminder.team_id] = retry_at

    def _send(self, reminder: Reminder) -> Outcome:
        registration = self._registrations.get(reminder.kind)
        if registration is None:  # not claimed by this engine; defensive
            return _UnknownKind(f"no sender registered for kind {reminder.kind!r}")
        try:
            outcome = registration.sender(reminder)
        except Exception as exc:
            log.exception("reminder %s (%s): the sender raised", reminder.id, reminder.kind)
            return Failed(describe_exception(exc))  # never its message: member text
        if not isinstance(outcome, _OUTCOMES):
            return Failed(f"the sender returned {outcome!r}, not an Outcome")
        return outcome

    def _record(
        self,
        conn: Connection,
        reminder: Reminder,
        token: str,
        outcome: Outcome,
        report: DispatchReport,
        *,
        retry_at: datetime | None = None,
    ) -> datetime | None:
        """Store the outcome with a fenced update; the retry time for a rate limit."""
        rid = require_id(reminder)
        now = self._now()
        label = f"reminder {rid} ({reminder.kind} for {reminder.team_id}/{reminder.user_id})"
        recorded: bool
        if isinstance(outcome, Delivered):
            recorded = self._db(
                lambda: store.mark_sent(conn, reminder_id=rid, token=token, now=now)
            )
            if recorded:
                report.sent += 1
                if reminder.late:
                    report.late += 1
                    log.info("%s sent late, due %s", label, reminder.due_at.isoformat())
        elif isinstance(outcome, RateLimited):
            if retry_at is None:
                retry_at = now + timedelta(seconds=_clamp_retry_after(outcome.retry_after))
            at = retry_at
            recorded = self._db(
                lambda: store.mark_retry(
                    conn,
                    reminder_id=rid,
                    token=token,
                    due_at=at,
                    attempts=reminder.attempts,
                    error=f"rate limited until {at.isoformat()}",
                )
            )
            if recorded:
                report.rate_limited += 1
        elif isinstance(outcome, Undeliverable):
            recorded = self._db(
                lambda: store.mark_final(
                    conn,
                    reminder_id=rid,
                    token=token,
                    status=ReminderStatus.UNDELIVERABLE,
                    error=outcome.reason,
                )
            )
            if recorded:
                report.undeliverable += 1
                log.warning("%s undeliverable, not retried: %s", label, outcome.reason)
        else:  # Failed, the one kind of Outcome left
            attempts = reminder.attempts + 1
            final = isinstance(outcome, _UnknownKind) or attempts >= self.max_attempts
            if final:
                recorded = self._db(
                    lambda: store.mark_final(
                        conn,
                        reminder_id=rid,
                        token=token,
                        status=ReminderStatus.FAILED,
                        error=outcome.error,
                        attempts=attempts,
                    )
                )
                if recorded:
                    report.failed += 1
                    log.error(
                        "%s failed after %d attempt(s), giving up: %s",
                        label,
                        attempts,
                        outcome.error,
                    )
            else:
                at = now + self.backoff_for(attempts)
                recorded = self._db(
                    lambda: store.mark_retry(
                        conn,
                        reminder_id=rid,
                        token=token,
                        due_at=at,
                        attempts=attempts,
                        error=outcome.error,
                    )
                )
                if recorded:
                    report.retrying += 1
                    log.info(
                        "%s failed (attempt %d of %d), retrying at %s: %s",
                        label,
                        attempts,
                        self.max_attempts,
                        at.isoformat(),
                        outcome.error,
                    )
        if not recorded:
            report.fenced_out += 1
            log.warning(
                "%s: outcome %s not recorded, the claim was taken over by another worker",
                label,
                type(outcome).__name__,
            )
            return None
        return retry_at

    # -- running in the background

    def start(self, scheduler_interval_seconds: float = 5.0, *, scheduler: Any = None) -> None:
        """Look for due reminders every few seconds (and right now) on a background thread.

        With `scheduler` (an APScheduler 3 scheduler the app already runs) the job is
        added to it and its life cycle stays the caller's; otherwise the engine starts
        and later shuts down a BackgroundScheduler of its own.
        """
        if self._scheduler is not None:
            raise RuntimeError("the reminder engine is started already")
        from apscheduler.schedulers.background import BackgroundScheduler

        self._stopping.clear()
        self._interval = timedelta(seconds=scheduler_interval_seconds)
        self._owns_scheduler = scheduler is None
        self._scheduler = scheduler or BackgroundScheduler(timezone=UTC)
        self._scheduler.add_job(
            self._tick,
            "interval",
            seconds=scheduler_interval_seconds,
            id=self._job_id,
            name="reminders: dispatch due",
            next_run_time=datetime.now(UTC),  # recover and catch up on start-up
            max_instances=2,  # a wake-up during a pass is absorbed by the lock, not dropped
            coalesce=True,
            misfire_grace_time=None,
            replace_existing=True,
        )
        for name in self._periodic:
            self._add_periodic(self._scheduler, name)
        if self._owns_scheduler:
            self._scheduler.start()
        with _RUNNING_LOCK:
            _RUNNING.add(self)

    def shutdown(self, wait: bool = True) -> None:
        """Stop looking; a pass in progress hands its unsent claims back and ends."""
        with _RUNNING_LOCK:
            _RUNNING.discard(self)
        self._stopping.set()
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        if self._owns_scheduler:
            scheduler.shutdown(wait=wait)
        else:
            for job_id in [self._job_id, *(f"{self._job_id}:{name}" for name in self._periodic)]:
                with contextlib.suppress(Exception):  # the job was removed already
                    scheduler.remove_job(job_id)
            if wait:
                with self._pass_lock:
                    pass

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def wake(self) -> None:
        """Look now (a reminder was scheduled, or the clock was moved)."""
        self._woken.set()
        scheduler = self._scheduler
        if scheduler is None or self._pass_lock.locked():
            return  # not running, or the pass in progress will look once more
        try:
            scheduler.modify_job(self._job_id, next_run_time=datetime.now(UTC))
        except Exception:  # shutting down concurrently
            log.debug("wake-up ignored", exc_info=True)

    def scheduled(self, due_at: datetime) -> None:
        """A reminder due at `due_at` was scheduled: look now if it is due before the next
        look would come."""
        if self._scheduler is not None and due_at <= self._now() + self._interval:
            self.wake()

    @property
    def _job_id(self) -> str:
        return f"reminders:{self.worker_id}"

    def _tick(self) -> None:
        while not self._stopping.is_set():
            if not self._pass_lock.acquire(blocking=False):
                return  # another pass is running; it sees the wake-up flag
            try:
                self._woken.clear()
                report = self.dispatch_due()
                if report.claimed or report.expired:
                    log.info("reminder pass: %s", report)
            except Exception:
                log.exception("reminder pass failed; trying again at the next look")
            finally:
                self._pass_lock.release()
            if not self._woken.is_set():
                return

    # -- helpers

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the reminder clock must return aware UTC datetimes")
        return now.astimezone(UTC)

    def _db(self, operation: Callable[[], _T], attempts: int = 3) -> _T:
        """Run a short database operation, retrying a transient error (lock, dropped link).

        Retrying matters most for the mark after a send: a reminder left claimed would be
        sent again once its lease runs out.
        """
        for attempt in range(1, attempts + 1):
            try:
                return operation()
            except (OperationalError, DBAPIError) as exc:
                transient = isinstance(exc, OperationalError) or exc.connection_invalidated
                if not transient or attempt == attempts:
                    raise
                log.warning("reminders: database error (attempt %d), retrying: %s", attempt, exc)
                time.sleep(0.2 * attempt)
        raise AssertionError("unreachable")  # pragma: no cover


class _UnknownKind(Failed):
    """No sender registered: failed at once, never retried."""


def _clamp_retry_after(seconds: float) -> float:
    """At least a second (no busy loop on Retry-After: 0), at most an hour."""
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return 30.0
    if value != value:  # NaN
        return 30.0
    return min(max(value, 1.0), 3600.0)


def _human(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
