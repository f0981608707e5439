"""Post-ack work in worker processes, so the process that acks never shares its GIL with it.

Measured (benchmarks/acks.py): a burst of `/mission` behind a slow Slack, with the modal
opened by threads of the acking process, had ack p99 ~3x a bare Bolt app's. The ack
itself takes under 2 ms; the rest was waiting for the interpreter lock held by the
threads doing the post-ack work (Slack client calls, the replay claim, Block Kit). Threads
waiting on Slack are cheap; their Python is not. A worker process runs that Python on its
own lock, and the operating system shares the CPUs between the two processes fairly.

How it fits the work pools (bot.platform.work): the acking process keeps its bounded
`after_ack` pool, so admission, "busy" answers, per-workspace shares, queue metrics and a
graceful stop behave as before. The job a pool thread runs becomes "hand the request to a
worker and wait for it to finish": a blocked thread costs no interpreter time. The worker
dispatches the same request through its own Bolt app (built by the same code, signature
already checked by the acking process), whose listeners do the work inline.

A worker that dies fails the jobs it held (`WorkerLost`: the kit tells a command's or a
click's member, as for any failed job, and runs an event again itself) and is replaced.
Slack API call counts made in a worker are sent to the acking process, whose `/metrics`
shows them; reminders a worker schedules wake the acking process's reminder engine.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from bot.platform.metrics import FORWARDED_COUNTERS, count_forwarded, counter_totals

log = logging.getLogger("council_bot.offload")

# How long the acking process waits for a new worker to be ready before it serves anyway
# (requests sent meanwhile wait in the pipe).
READY_WAIT = 60.0
# How often a worker sends its Slack API call counts to the acking process.
METRICS_EVERY = 1.0


class WorkerLost(RuntimeError):
    """The worker process running a job ended before the job did."""


class NoWorkerReady(WorkerLost):
    """No work process is ready (all starting, or replacing one that died): nothing was
    handed over, so the caller runs the job itself rather than let it wait for a start
    that can take longer than a trigger id lives."""


@dataclass(frozen=True, slots=True)
class Handoff:
    """One request as Bolt received it: enough for a worker's Bolt to dispatch it again."""

    mode: str  # "http" or "socket_mode"
    body: str | dict[str, Any]  # the raw body (HTTP) or the envelope's payload
    headers: dict[str, list[str]]


@dataclass
class _Pending:
    done: threading.Event
    wake: datetime | None = None
    lost: bool = False


class _Worker:
    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.send_lock = threading.Lock()
        self.pending: dict[int, _Pending] = {}
        self.ready = threading.Event()


class Offload:
    """Worker processes that run handed-off requests (the acking process's side).

    `target(conn, *args)` is the worker's entry (module-level, so a spawned process can
    import it); it calls `worker_loop`. `on_wake(due_at)`: a reminder due at `due_at` was
    scheduled by a job.
    """

    def __init__(
        self,
        *,
        processes: int,
        target: Callable[..., None],
        args: Sequence[Any] = (),
        on_wake: Callable[[datetime], None] | None = None,
    ) -> None:
        if processes < 1:
            raise ValueError("an offload needs at least one worker process")
        self.processes = processes
        self._target = target
        self._args = tuple(args)
        self._on_wake = on_wake
        self._context = multiprocessing.get_context("spawn")  # never fork a threaded process
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._ids = itertools.count(1)
        self._closing = False

    def start(self, *, wait: float = READY_WAIT) -> None:
        workers = [self._spawn() for _ in range(self.processes)]
        for worker in workers:
            if not worker.ready.wait(wait):
                log.warning("a work process was not ready after %.0f s; serving anyway", wait)

    def _spawn(self) -> _Worker:
        ours, theirs = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=self._target, args=(theirs, *self._args), name="council-work", daemon=True
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        with self._lock:
            self._workers.append(worker)
        threading.Thread(
            target=self._read, args=(worker,), name="offload-reader", daemon=True
        ).start()
        log.info("work process %s started", process.pid)
        return worker

    def run(self, handoff: Handoff) -> None:
        """Hand `handoff` to the least busy worker and wait until it has run it.

        Raises WorkerLost if that worker ended first, NoWorkerReady (before sending
        anything) if none is ready.
        """
        with self._lock:
            ready = [w for w in self._workers if w.ready.is_set()]
            if self._closing or not ready:
                raise NoWorkerReady("no work process is ready")
            worker = min(ready, key=lambda w: len(w.pending))
            job_id = next(self._ids)
            pending = _Pending(done=threading.Event())
            worker.pending[job_id] = pending
        try:
            with worker.send_lock:
                worker.conn.send(("job", job_id, handoff.mode, handoff.body, handoff.headers))
        except (OSError, ValueError) as exc:  # its pipe is closed: the worker is gone
            with self._lock:
                worker.pending.pop(job_id, None)
            raise WorkerLost("the work process could not be reached") from exc
        pending.done.wait()
        if pending.lost:
            raise WorkerLost("the work process ended before finishing the request")
        if pending.wake is not None and self._on_wake is not None:
            try:
                self._on_wake(pending.wake)
            except Exception:  # a wake-up is an optimisation: the engine looks every few s
                log.warning("could not wake the reminder engine", exc_info=True)

    def _read(self, worker: _Worker) -> None:
        """The acking process's reader of one worker's messages, until its pipe closes."""
        while True:
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                break
            match message:
                case ("ready",):
                    worker.ready.set()
                case ("done", int(job_id), wake):
                    with self._lock:
                        pending = worker.pending.pop(job_id, None)
                    if pending is not None:
                        pending.wake = wake
                        pending.done.set()
                case ("counts", dict(deltas)):
                    count_forwarded(deltas)
        self._lost(worker)

    def _lost(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
            pending, worker.pending = worker.pending, {}
            closing = self._closing
        worker.ready.set()  # `start` waits on it: a worker that died starting is done
        worker.process.join(timeout=5)
        for job in pending.values():
            job.lost = True
            job.done.set()
        if not closing:
            log.error(
                "work process %s ended (exit code %s) with %d requests; starting another",
                worker.process.pid,
                worker.process.exitcode,
                len(pending),
            )
            self._spawn()

    def close(self, *, timeout: float = 60.0) -> None:
        """Let the workers finish what they hold, then stop them (after the pool's close:
        nothing new is handed off by then)."""
        with self._lock:
            self._closing = True
            workers = list(self._workers)
        for worker in workers:
            try:
                with worker.send_lock:
                    worker.conn.send(("stop",))
            except (OSError, ValueError):
                pass
        for worker in workers:
            worker.process.join(timeout)
            if worker.process.is_alive():
                log.warning("work process %s did not stop; terminating it", worker.process.pid)
                worker.process.terminate()
                worker.process.join(5)
            worker.conn.close()


# --- the worker's side --------------------------------------------------------------------


def worker_loop(
    conn: Connection,
    *,
    dispatch: Callable[[Handoff], None],
    threads: int,
    woken: Callable[[], datetime | None],
) -> None:
    """Run handed-off requests on `threads` threads until told to stop (or the acking
    process is gone); then finish the ones taken.

    `dispatch` runs one request to its end; `woken()` pops the earliest due time of the
    reminders the calling thread's job scheduled.
    """
    # Ctrl+C reaches the whole process group: the acking process decides when this stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    send_lock = threading.Lock()
    stopped = threading.Event()

    def send(message: tuple[Any, ...]) -> None:
        try:
            with send_lock:
                conn.send(message)
        except (OSError, ValueError):
            pass  # the acking process is gone; nobody waits for the answer

    def one(job_id: int, handoff: Handoff) -> None:
        try:
            dispatch(handoff)
        except Exception:  # the kit reports listeners' failures; this is Bolt's own
            log.exception("a handed-off request could not be dispatched")
        finally:
            send(("done", job_id, woken()))

    def forward_counts() -> None:
        sent: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        while True:
            last = stopped.wait(METRICS_EVERY)
            totals = counter_totals(FORWARDED_COUNTERS)
            deltas = {key: value - sent.get(key, 0.0) for key, value in totals.items()}
            deltas = {key: value for key, value in deltas.items() if value > 0}
            if deltas:
                send(("counts", deltas))
                sent = totals
            if last:
                return

    forwarder = threading.Thread(target=forward_counts, name="offload-counts", daemon=True)
    forwarder.start()
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="offloaded-")
    send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break
        if message[0] == "stop":
            break
        _, job_id, mode, body, headers = message
        pool.submit(one, job_id, Handoff(mode=mode, body=body, headers=headers))
    pool.shutdown(wait=True)
    stopped.set()
    forwarder.join(timeout=5)


def handoff_of(mode: str, raw_body: str, body: Mapping[str, Any], headers: Any) -> Handoff:
    """What a worker needs of the request Bolt is dispatching."""
    copied = {str(k): [str(v) for v in values] for k, values in dict(headers or {}).items()}
    if mode == "socket_mode":
        return Handoff(mode=mode, body=dict(body), headers=copied)
    return Handoff(mode="http", body=raw_body, headers=copied)
