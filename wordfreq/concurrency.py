"""Concurrency: the one module that owns worker processes.

`run_tasks` takes the lazy stream of tasks of a run and returns their merged
count.  It decides whether a pool is worth starting (not for one worker, nor
for an input no bigger than one batch), starts it, keeps a bounded number of
batches in flight (so memory follows the vocabulary, not the corpus), merges
partial counts as they arrive, and tears everything down on any failure:

* a worker that dies (SIGKILL, the OOM killer) breaks the pool;
  `concurrent.futures.ProcessPoolExecutor` reports that as
  `BrokenProcessPool` (where `multiprocessing.Pool` would wait forever), and
  it becomes a one-line `WorkerError`;
* an error raised by a task (undecodable bytes, say), an interrupt or any
  other exception in the parent kills the remaining workers at once before
  it propagates, so no process outlives the run.

Workers ignore SIGINT (Ctrl-C reaches the whole process group; the parent
alone decides what happens) and take SIGTERM's default action.  Under the
``fork`` start method the tokenizer, and so jieba's dictionary, is built in
the parent before the workers are forked and shared with them; under
``spawn`` and ``forkserver`` each worker builds it once, at start.  No other
module touches a process or a pool.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from wordfreq.chunking import Task
from wordfreq.counting import Job, PartialCount, count_task, merge_into
from wordfreq.errors import WorkerError
from wordfreq.tokenizers import build_tokenizer

START_METHODS = ("fork", "spawn", "forkserver")
BATCHES_IN_FLIGHT_PER_WORKER = 2

Progress = Callable[[int], None]


def default_workers() -> int:
    """The number of CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def run_tasks(
    tasks: Iterable[Task],
    job: Job,
    *,
    workers: int,
    batch_bytes: int,
    start_method: str | None = None,
    progress: Progress | None = None,
) -> PartialCount:
    """Count every task of ``tasks`` with ``workers`` processes."""
    report = progress or (lambda _: None)
    batches = _batches(iter(tasks), batch_bytes)
    first = next(batches, None)
    if first is None:
        return PartialCount()
    second = next(batches, None)
    if workers <= 1 or second is None:
        return _run_here(_chain(first, second, batches), job, report)
    return _run_in_pool(_chain(first, second, batches), job, workers, start_method, report)


def _chain(first: list[Task], second: list[Task] | None, rest: Iterator[list[Task]]) -> Iterator[list[Task]]:
    yield first
    if second is not None:
        yield second
        yield from rest


def _batches(tasks: Iterator[Task], batch_bytes: int) -> Iterator[list[Task]]:
    """Group consecutive tasks (small files, mostly) into batches of about ``batch_bytes``."""
    batch: list[Task] = []
    size = 0
    for task in tasks:
        batch.append(task)
        size += task.nbytes
        if size >= batch_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _count_batch(batch: list[Task], job: Job) -> PartialCount:
    result = PartialCount()
    for task in batch:
        count_task(task, job, into=result)
    return result


def _run_here(batches: Iterator[list[Task]], job: Job, report: Progress) -> PartialCount:
    total = PartialCount()
    for batch in batches:
        for task in batch:
            count_task(task, job, into=total)
            report(task.nbytes)
    return total


# In a worker: the job of the run, set once by the initializer.
_worker_job: Job | None = None


def _init_worker(job: Job) -> None:
    global _worker_job
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _worker_job = job
    build_tokenizer(job.tokenizer)


def _count_batch_in_worker(batch: list[Task]) -> PartialCount:
    assert _worker_job is not None
    return _count_batch(batch, _worker_job)


def _run_in_pool(
    batches: Iterator[list[Task]], job: Job, workers: int, start_method: str | None, report: Progress
) -> PartialCount:
    context = multiprocessing.get_context(start_method)
    if context.get_start_method() == "fork":
        build_tokenizer(job.tokenizer)  # loaded once, shared with the forked workers
    executor = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(job,)
    )
    total = PartialCount()
    in_flight: set[Future[PartialCount]] = set()

    def collect(return_when: str) -> None:
        nonlocal in_flight
        done, in_flight = wait(in_flight, return_when=return_when)
        for future in done:
            part = future.result()
            merge_into(total, part)
            report(part.nbytes)

    try:
        for batch in batches:
            while len(in_flight) >= workers * BATCHES_IN_FLIGHT_PER_WORKER:
                collect(FIRST_COMPLETED)
            in_flight.add(executor.submit(_count_batch_in_worker, batch))
        while in_flight:
            collect(FIRST_COMPLETED)
    except BrokenProcessPool:
        _kill_workers(executor)
        raise WorkerError(
            "a worker process died unexpectedly (killed by a signal, or out of memory?)"
        ) from None
    except BaseException:
        _kill_workers(executor)
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    return total


def _kill_workers(executor: ProcessPoolExecutor) -> None:
    """Kill the executor's worker processes now (no public API before Python 3.14)."""
    kill = getattr(executor, "kill_workers", None)
    if kill is not None:
        kill()
        return
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, ValueError):
            process.kill()
