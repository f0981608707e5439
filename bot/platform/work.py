"""Bounded pools for the work listeners do after the ack, so acks never wait on it.

Bolt runs every listener in one executor and waits for `ack()` while the listener's thread
is busy; a burst behind a slow Slack fills that executor and later requests miss Slack's
3-second limit. The handler kit acks on Bolt's thread and hands the rest to a `WorkPool`
(DESIGN.md, "Serving"). A pool admits at most `workers + queue_limit` jobs: when it is full
the caller answers "busy" at once instead of letting work (threads, memory) pile up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from bot.platform.metrics import WORK_FAILED, WORK_QUEUE_DEPTH, WORK_REJECTED, WORK_RUNNING
from bot.platform.offload import Offload

log = logging.getLogger("council_bot.work")

# How long a modal submission's request waits for its listener's ack (Slack allows 3 s).
FORM_ACK_WAIT = 2.5

# Called with the exception of a job that raised; the pool logs it either way.
OnError = Callable[[BaseException], None]


class WorkPool:
    """Threads for post-ack work, with a bounded number of jobs waiting for one.

    `queue_limit=0` admits a job only when a worker is free, so the job starts at once: for
    work that must answer within Slack's limit itself (modal submissions ack from inside).
    `inline` runs each job in the thread that starts it: in a work process
    (bot.platform.offload), whose own threads run one handed-off request each.
    """

    def __init__(
        self,
        *,
        name: str,
        workers: int,
        queue_limit: int,
        owner_limit: int | None = None,
        inline: bool = False,
    ) -> None:
        if workers < 1 or queue_limit < 0 or (owner_limit is not None and owner_limit < 1):
            raise ValueError("a pool needs at least one worker and a non-negative queue")
        self.name = name
        self.workers = workers
        self.queue_limit = queue_limit
        # Jobs one owner (a workspace) may hold at once: in a deployment serving many
        # workspaces, one whose Slack calls are slow or rate-limited is answered busy
        # before it fills the pool, and the others' work keeps its room.
        self.owner_limit = owner_limit
        self.inline = inline
        self._by_owner: dict[str, int] = {}
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"{name}-")
        self._lock = threading.Lock()
        self._admitted = 0  # running + waiting
        self._running = 0
        self._closed = False
        self._idle = threading.Condition(self._lock)
        WORK_QUEUE_DEPTH.labels(pool=name).set(0)
        WORK_RUNNING.labels(pool=name).set(0)

    @property
    def capacity(self) -> int:
        return self.workers + self.queue_limit

    def depth(self) -> int:
        """Jobs admitted and not yet started."""
        with self._lock:
            return self._admitted - self._running

    def running(self) -> int:
        with self._lock:
            return self._running

    def admit(self, *, kind: str, owner: str | None = None) -> bool:
        """Reserve room for one job; False, at once, when the pool is full (or `owner`
        already holds its share of it).

        `kind` names the request kind for the log line and the rejection counter: a command
        name, an action id, an event type, never member data. An admitted caller must
        `start` its job with the same `owner` (the room stays taken until the job has run).
        """
        with self._lock:
            full = self._closed or self._admitted >= self.capacity
            if not full and owner is not None and self.owner_limit is not None:
                full = self._by_owner.get(owner, 0) >= self.owner_limit
            if not full:
                self._admitted += 1
                if owner is not None:
                    self._by_owner[owner] = self._by_owner.get(owner, 0) + 1
                self._publish()
        if full:
            WORK_REJECTED.labels(pool=self.name, kind=kind).inc()
            log.warning(
                "work pool %s is full (%d workers, %d waiting): %s answered busy",
                self.name,
                self.workers,
                self.queue_limit,
                kind,
            )
        return not full

    def start(
        self,
        job: Callable[[], None],
        *,
        kind: str,
        on_error: OnError,
        owner: str | None = None,
    ) -> None:
        """Run an admitted job on a worker; its exception goes to `on_error`."""
        if self.inline:
            self._run(job, kind, on_error, owner)
            return
        try:
            self._executor.submit(self._run, job, kind, on_error, owner)
        except RuntimeError as exc:  # closed between admit and start (shutting down)
            self._release(owner)
            on_error(exc)

    def submit(
        self,
        job: Callable[[], None],
        *,
        kind: str,
        on_error: OnError,
        owner: str | None = None,
    ) -> bool:
        """`admit` and `start` in one: False when the pool is full."""
        if not self.admit(kind=kind, owner=owner):
            return False
        self.start(job, kind=kind, on_error=on_error, owner=owner)
        return True

    def prestart(self, *, timeout: float = 10.0) -> None:
        """Start every worker thread now. The executor starts threads as jobs come, and a
        start (a few ms on a busy machine) in a burst's ack path holds that request and
        every one behind it; a server starts them before it takes requests."""
        if self.inline:
            return
        gate = threading.Barrier(self.workers + 1, timeout=timeout)
        for _ in range(self.workers):  # each holds a thread until all of them are running
            self._executor.submit(gate.wait)
        gate.wait()

    def _run(
        self, job: Callable[[], None], kind: str, on_error: OnError, owner: str | None
    ) -> None:
        with self._lock:
            self._running += 1
            self._publish()
        try:
            job()
        except BaseException as exc:  # a job's failure must reach a person, not vanish
            WORK_FAILED.labels(pool=self.name).inc()
            try:
                on_error(exc)
            except Exception:
                log.exception("reporting the failure of %s in %s failed", kind, self.name)
        finally:
            with self._lock:
                self._running -= 1
            self._release(owner)

    def _release(self, owner: str | None) -> None:
        with self._lock:
            self._admitted -= 1
            if owner is not None:
                left = self._by_owner.get(owner, 0) - 1
                if left > 0:
                    self._by_owner[owner] = left
                else:
                    self._by_owner.pop(owner, None)
            self._publish()
            if self._admitted == 0:
                self._idle.notify_all()

    def _publish(self) -> None:
        WORK_QUEUE_DEPTH.labels(pool=self.name).set(self._admitted - self._running)
        WORK_RUNNING.labels(pool=self.name).set(self._running)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no job is running or waiting (tests, benchmarks, shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._admitted == 0, timeout=timeout)

    def close(self, *, wait: bool = True) -> None:
        """Refuse new jobs; with `wait`, finish the admitted ones first (graceful stop)."""
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=wait)


class WorkPools:
    """The two pools a bot runs: `after_ack` for commands, clicks and events (acked first,
    queued), and `forms` for modal submissions (validated and acked by the job itself, so
    admitted only when a worker is free to start at once).

    With `offload` (work processes), an `after_ack` job hands its request to a worker
    process and waits for it there. `inline`: this is a work process; a job runs in the
    thread that dispatched its request (the acking process bounds how many there are).
    """

    def __init__(
        self,
        *,
        workers: int = 32,
        queue_limit: int = 200,
        form_workers: int = 16,
        owner_share: float = 1.0,
        inline: bool = False,
        form_ack_wait: float = FORM_ACK_WAIT,
    ) -> None:
        """`owner_share`: the part of each pool one workspace may hold at once (1.0 for a
        single workspace; less when one deployment serves many). `form_ack_wait`: how long
        a modal submission waits for its listener's ack before it is told it is slow."""
        if not 0 < owner_share <= 1:
            raise ValueError("owner_share is a fraction of the pool, above 0 and at most 1")

        def share(capacity: int) -> int | None:
            return None if owner_share >= 1 else max(1, int(capacity * owner_share))

        self.form_ack_wait = form_ack_wait
        # Set by `serve` and `socket` when they start work processes (bot.cli).
        self.offload: Offload | None = None
        self.after_ack = WorkPool(
            name="after_ack",
            workers=workers,
            queue_limit=queue_limit,
            owner_limit=share(workers + queue_limit),
            inline=inline,
        )
        self.forms = WorkPool(
            name="forms", workers=form_workers, queue_limit=0, owner_limit=share(form_workers)
        )
        # "I'm busy" notes for clicks refused by a full pool (they need a Slack call).
        self.notices = WorkPool(name="notices", workers=2, queue_limit=100)

    def _all(self) -> tuple[WorkPool, ...]:
        return (self.forms, self.after_ack, self.notices)

    def wait_idle(self, timeout: float | None = None) -> bool:
        return all(pool.wait_idle(timeout) for pool in self._all())

    def prestart(self) -> None:
        """Start the pools' threads before serving (see WorkPool.prestart)."""
        for pool in self._all():
            pool.prestart()

    def close(self, *, wait: bool = True) -> None:
        for pool in self._all():
            pool.close(wait=wait)
        if self.offload is not None:  # its jobs were waited for above
            self.offload.close()
