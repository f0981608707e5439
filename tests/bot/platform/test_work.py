"""The bounded post-ack pools: admission, the busy answer's signal, failures, draining."""

from __future__ import annotations

import threading

import pytest

from bot.platform.metrics import REGISTRY
from bot.platform.work import WorkPool, WorkPools


def _sample(name: str, **labels: str) -> float:
    value = REGISTRY.get_sample_value(name, labels)
    return 0.0 if value is None else value


@pytest.fixture
def pool() -> WorkPool:
    return WorkPool(name="test_pool", workers=2, queue_limit=1)


def test_a_pool_admits_workers_plus_queue_then_refuses_at_once(pool: WorkPool) -> None:
    release = threading.Event()
    started = threading.Semaphore(0)

    def hold() -> None:
        started.release()
        release.wait(5)

    errors: list[BaseException] = []
    rejected_before = _sample("council_work_rejected_total", pool="test_pool", kind="cmd")
    assert all(pool.submit(hold, kind="cmd", on_error=errors.append) for _ in range(3))
    assert started.acquire(timeout=5) and started.acquire(timeout=5)
    assert pool.running() == 2 and pool.depth() == 1
    assert not pool.submit(hold, kind="cmd", on_error=errors.append)  # full: no waiting
    assert _sample("council_work_rejected_total", pool="test_pool", kind="cmd") == (
        rejected_before + 1
    )
    assert _sample("council_work_queue_depth", pool="test_pool") == 1
    release.set()
    assert pool.wait_idle(5)
    assert pool.depth() == 0 and pool.running() == 0 and errors == []
    assert pool.submit(lambda: None, kind="cmd", on_error=errors.append)  # room again
    pool.close()


def test_one_workspace_holds_at_most_its_share_and_the_others_keep_their_room() -> None:
    shared = WorkPool(name="test_shared", workers=2, queue_limit=2, owner_limit=2)
    release = threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        release.wait(5)

    assert shared.submit(hold, kind="cmd", on_error=errors.append, owner="T0BUSY")
    assert shared.submit(hold, kind="cmd", on_error=errors.append, owner="T0BUSY")
    # The noisy workspace is answered busy; a quiet one still gets in, twice.
    assert not shared.submit(hold, kind="cmd", on_error=errors.append, owner="T0BUSY")
    assert shared.submit(hold, kind="cmd", on_error=errors.append, owner="T0QUIET")
    assert shared.submit(hold, kind="cmd", on_error=errors.append, owner="T0QUIET")
    release.set()
    assert shared.wait_idle(5) and errors == []
    # Its jobs done, the busy workspace has its share back.
    assert shared.submit(lambda: None, kind="cmd", on_error=errors.append, owner="T0BUSY")
    shared.close()


def test_a_single_workspace_may_fill_the_whole_pool() -> None:
    pools = WorkPools(workers=2, queue_limit=1, form_workers=1)
    release = threading.Event()
    taken = [
        pools.after_ack.submit(lambda: release.wait(5), kind="c", on_error=print, owner="T0")
        for _ in range(3)
    ]
    assert taken == [True, True, True]
    release.set()
    assert pools.wait_idle(5)
    pools.close()
    halves = WorkPools(workers=4, queue_limit=4, form_workers=4, owner_share=0.5)
    assert halves.after_ack.owner_limit == 4 and halves.forms.owner_limit == 2
    halves.close()


def test_a_pool_without_a_queue_admits_only_when_a_worker_is_free() -> None:
    forms = WorkPool(name="test_forms", workers=1, queue_limit=0)
    release = threading.Event()
    assert forms.admit(kind="view")
    forms.start(lambda: release.wait(5), kind="view", on_error=lambda _e: None)
    assert not forms.admit(kind="view")
    release.set()
    assert forms.wait_idle(5)
    assert forms.admit(kind="view")
    forms.start(lambda: None, kind="view", on_error=lambda _e: None)
    forms.close()


def test_a_failing_job_goes_to_its_reporter_and_frees_its_room(pool: WorkPool) -> None:
    reported: list[BaseException] = []
    failed_before = _sample("council_work_failed_total", pool="test_pool")

    def boom() -> None:
        raise ValueError("listener bug")

    assert pool.submit(boom, kind="cmd", on_error=reported.append)
    assert pool.wait_idle(5)
    assert [str(e) for e in reported] == ["listener bug"]
    assert _sample("council_work_failed_total", pool="test_pool") == failed_before + 1
    assert pool.depth() == 0
    pool.close()


def test_closing_finishes_admitted_work_and_refuses_new(pool: WorkPool) -> None:
    done: list[int] = []
    gate = threading.Event()
    for i in range(3):
        pool.submit(lambda i=i: (gate.wait(5), done.append(i)), kind="cmd", on_error=print)
    gate.set()
    pool.close(wait=True)
    assert sorted(done) == [0, 1, 2]
    assert not pool.submit(lambda: None, kind="cmd", on_error=print)


def test_pools_need_a_worker_and_a_non_negative_queue() -> None:
    with pytest.raises(ValueError):
        WorkPool(name="bad", workers=0, queue_limit=1)
    with pytest.raises(ValueError):
        WorkPool(name="bad", workers=1, queue_limit=-1)
    pools = WorkPools(workers=1, queue_limit=0, form_workers=1)
    assert pools.after_ack.capacity == 1 and pools.forms.capacity == 1
    assert pools.wait_idle(1)
    pools.close()


def test_prestart_starts_every_worker_so_a_burst_starts_no_thread() -> None:
    pool = WorkPool(name="prestarted", workers=3, queue_limit=5)

    def workers() -> int:
        return sum(1 for t in threading.enumerate() if t.name.startswith("prestarted-"))

    try:
        assert workers() == 0  # the executor starts threads as jobs come
        pool.prestart()
        assert workers() == 3
        started = threading.Barrier(4, timeout=5)
        for _ in range(3):
            assert pool.submit(started.wait, kind="test", on_error=pytest.fail)
        started.wait()  # all three ran at once, on the threads already there
        assert workers() == 3
    finally:
        pool.close()


def test_an_inline_pool_has_no_threads_to_prestart() -> None:
    pool = WorkPool(name="inline_prestart", workers=2, queue_limit=0, inline=True)
    pool.prestart()
    assert not any(t.name.startswith("inline_prestart-") for t in threading.enumerate())
    pool.close()
