"""The Dask engine: the same count, and the same map (a concordance), run on a Dask cluster.

This module owns everything that touches Dask, and nothing else does: it
starts a quiet `LocalCluster` (or connects a `Client` to a running
scheduler), sends it the run's tasks in batches, reduces the partial counts
*on the cluster* (`run_tasks_on_dask`) or gives the answers of a map back
in task order (`map_tasks_on_dask`), and tears the client and the cluster
it started down on any failure (`_dask_client`, which both use).  Dask is
imported only when this engine runs.  The processes and signals involved
are `wordfreq.workers.pool`'s to handle: this module asks it to start, stop
and shield them.

What it reuses, so that a table is the same whatever the engine: the tasks of
`chunking.plan_tasks`, the batching of `concurrency.batches`, and
`counting.count_tasks` and `counting.finish` (so filters apply on the workers,
as in the local engine).  A `RangeTask` is a few numbers and each Dask worker
reads its byte range itself, so every file must be at the same path on every
worker (with a remote scheduler, relative paths are sent as absolute ones),
or be an object at a URL that every worker can open (`wordfreq.sources.remote`); a
`TextTask`, from standard input, a compressed file or another encoding,
carries its text.

How it runs:

* **Bounded.**  At most `IN_FLIGHT_PER_THREAD` unfinished tasks per worker
  thread exist at any time, so the tasks of a 100 GB stream are made as
  they are needed, never all at once.
* **Reduced on the cluster.**  As counting tasks finish they are combined
  like the digits of a binary counter: two results of the same level (the
  same number of batches) become one `merge_parts` task of the next level,
  so the merges form a balanced tree, run by the workers, and the client
  receives one table at the end.  Tasks never mutate their inputs (Dask may
  rerun a task whose result was lost), and they are all impure
  (``pure=False``), so two equal batches are counted twice.
* **Resilient.**  A worker that dies is Dask's to handle: it reruns the lost
  tasks elsewhere from their descriptions, so the table stays exact; only a
  task that kills workers again and again (`KilledWorker`) ends the run, as
  a one-line `WorkerError`.
* **In order, for a map.**  A map's batches are awaited in the order they
  were sent, the next one sent as the one at the head finishes, so its
  answers come back as `pool.map_tasks`'s do, with as many batches in
  flight as a count's.
* **Interruptible.**  On Ctrl-C, any error, or a map closed before its end
  (``kwic --max``) the client cancels the run's tasks on the cluster,
  closes itself, kills the local cluster's workers and closes it, and
  re-raises.  The local workers never see Ctrl-C
  themselves (`concurrency.start_children`), and one that arrives while the
  local cluster starts is raised once it has (`concurrency.HeldInterrupt`).
* **Quiet.**  No dashboard; Dask's log lines are kept to errors, and a
  worker does not log the errors of ours that the user sees anyway as one
  line (`dask_setup`).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import functools
import itertools
import logging
import os
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from wordfreq.chunks.planning import RangeTask, Task
from wordfreq.counting.options import CountOptions
from wordfreq.counting.tasks import PartialCount, count_tasks
from wordfreq.errors import WordfreqError, WorkerError
from wordfreq.reduce.partial import finish, merge_into, unpack_rows
from wordfreq.reduce.runs import PartitionedTable
from wordfreq.signals import HeldInterrupt, ignore_interrupts
from wordfreq.sources.remote import is_url
from wordfreq.workers.dask_reduce import PartitionedRun, RunFiles, partitions_for, remove_run_directory
from wordfreq.workers.pool import batches, kill_children, start_children

IN_FLIGHT_PER_THREAD = 4
TASKS_PER_BATCH = 4  # tasks of text in one Dask task: each batch costs the scheduler 1 + P tasks
BATCH_SHARE = 64  # under a budget, a batch holds at most budget / 64 bytes of text (its rows take more)
WORKER_BASE = 256 << 20  # a local worker's memory limit beyond the budget: Python, Dask, the dictionary
MISSING_EXTRA = "the dask engine needs the 'dask' extra: pip install '.[dask]'"
_CLOSE_SECONDS = 5
_CONNECT_SECONDS = 10
_SPAWN_SECONDS = 5
_START_SECONDS = 60

Progress = Callable[[int], None]
T = TypeVar("T")


def run_tasks_on_dask(
    tasks: Iterable[Task],
    count_options: CountOptions,
    *,
    scheduler: str | None,
    workers: int,
    batch_bytes: int,
    progress: Progress | None = None,
    memory: int | None = None,
    temp_dir: str | None = None,
    table: dict[str, Any] | None = None,
) -> tuple[PartialCount, PartitionedTable | None]:
    """Count every task of ``tasks`` on a Dask cluster: the merged count, and None; or, with ``table``
    (the keywords of `PartitionedRun.table`: a SpillDir, ``min_count``, ``max_rows``, ``memory``),
    what was read and the table, reduced by partition (`wordfreq.workers.dask_reduce`).

    Without ``scheduler``, on a new `LocalCluster` of ``workers`` one-thread
    processes, each with a memory limit of ``memory`` bytes for its results
    (and `WORKER_BASE` for itself; else Dask's share of this machine's) and
    its spilled results in ``temp_dir``, closed
    at the end; with one (``tcp://host:8786``), on that cluster, whose size
    then sets how many tasks are kept in flight, and whose workers' own
    limits and directories hold.
    """
    report = progress or (lambda _: None)
    with _dask_client(scheduler, workers, "no table was written", memory, temp_dir) as client:
        threads = sum(client.nthreads().values())
        limit = _in_flight(workers, threads)
        stream = batches(tasks, dask_batch_bytes(batch_bytes, memory))
        if table is None:
            run = _Run(client, count_options, limit, report, absolute_paths=scheduler is not None)
            return run.count(stream), None
        prepare = _batch_paths(scheduler)
        parts = partitions_for(threads, memory is not None)
        # Under a budget, rows in files on the workers' disks; a local cluster's share one disk.
        token = RunFiles(uuid.uuid4().hex, shared=scheduler is None) if memory is not None else None
        parted = PartitionedRun(client, count_options, limit, parts, report, token)
        try:
            read = parted.count(stream, prepare)
            return read, parted.table(**table)
        except BaseException:
            with contextlib.suppress(Exception):
                client.cancel(parted.futures())
            raise
        finally:
            if token is not None:  # what a released result did not remove, on every worker still there
                with contextlib.suppress(Exception):
                    client.run(remove_run_directory, token.name, on_error="ignore")


def map_tasks_on_dask(
    tasks: Iterable[Task],
    work: Callable[[Task], T],
    *,
    scheduler: str | None,
    workers: int,
    batch_bytes: int,
    progress: Progress | None = None,
) -> Iterator[T]:
    """``work(task)`` for every task of ``tasks``, computed on a Dask cluster, in task order: what
    `pool.map_tasks` gives, for a concordance's answers.

    The cluster is `run_tasks_on_dask`'s (a new local one of ``workers``
    processes, or the one at ``scheduler``), started when the first answer
    is asked for.  A Dask task answers a batch of `TASKS_PER_BATCH` tasks
    (`map_batch`), at most `IN_FLIGHT_PER_THREAD` batches per worker thread
    are in flight, and the one whose answers come next is awaited: as it
    finishes the next batch is sent, then its answers are given out, so
    memory is bounded however slow the caller.  ``work`` must pickle, and
    not depend on the path a task's file has on a worker (made absolute for
    a remote scheduler).  Closing the iterator early (``--max``), an error
    or Ctrl-C cancels the batches in flight, closes the client and stops a
    local cluster.
    """
    report = progress or (lambda _: None)
    prepare = _batch_paths(scheduler)
    with _dask_client(scheduler, workers, "the run was stopped") as client:
        limit = _in_flight(workers, sum(client.nthreads().values()))
        stream = batches(tasks, dask_batch_bytes(batch_bytes, None))
        in_flight: collections.deque[tuple[Any, int]] = collections.deque()  # futures, bytes, in task order

        def submit(batch: list[Task]) -> None:
            future = client.submit(map_batch, work, prepare(batch), pure=False)
            in_flight.append((future, sum(task.nbytes for task in batch)))

        try:
            for batch in itertools.islice(stream, limit):
                submit(batch)
            while in_flight:
                future, nbytes = in_flight[0]
                answers = future.result()  # raises the task's own exception (an InputError, say)
                in_flight.popleft()
                report(nbytes)
                batch = next(stream, None)
                if batch is not None:
                    submit(batch)
                yield from answers
        except BaseException:  # GeneratorExit too: the caller stopped reading
            with contextlib.suppress(Exception):
                client.cancel([future for future, _ in in_flight])
            raise


@contextlib.contextmanager
def _dask_client(
    scheduler: str | None, workers: int, outcome: str, memory: int | None = None, temp_dir: str | None = None
) -> Iterator[Any]:
    """A client of a new local cluster or of the one at ``scheduler`` (see `run_tasks_on_dask`), with
    Dask quiet; the cluster's failures become one-line `WorkerError`s that end with ``outcome``; the
    client closed, and the local cluster stopped, however the block ends."""
    try:
        import distributed
    except ImportError:
        raise WordfreqError(MISSING_EXTRA) from None
    with _quiet_dask():
        cluster = None
        spawned: set[Any] = set()
        client = None
        try:
            if scheduler is None:
                settings = dict(_LOCAL_CLUSTER)
                if memory is not None:
                    settings["memory_limit"] = memory + WORKER_BASE
                if temp_dir is not None:
                    settings["local_directory"] = temp_dir
                with HeldInterrupt() as held:  # a KeyboardInterrupt must not land inside Dask's start-up
                    cluster = distributed.LocalCluster(n_workers=0, **settings)
                    with held.ignored():
                        spawned = start_children(
                            functools.partial(cluster.scale, workers), workers, _SPAWN_SECONDS
                        )
                    client = distributed.Client(cluster)
                    _wait_for_workers(client, workers)
            else:
                client = _client_for_scheduler(distributed, scheduler)
            yield client
        except distributed.KilledWorker:
            raise WorkerError(
                f"a task killed dask workers again and again (out of memory?); {outcome}"
            ) from None
        except distributed.CancelledError as err:  # not ours: we cancel only on the way out
            reason = getattr(err, "reason", None) or "no reason given"
            if reason == "scheduler-connection-lost":
                raise WorkerError(f"lost the connection to the dask scheduler; {outcome}") from None
            raise WorkerError(f"the dask cluster cancelled a task ({reason}); {outcome}") from None
        finally:
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close(timeout=_CLOSE_SECONDS)
            if scheduler is None:
                _close_local_cluster(cluster, spawned)


def dask_batch_bytes(task_bytes: int, memory: int | None) -> int:
    """The text of one Dask task: `TASKS_PER_BATCH` tasks' worth, as the local engine's tasks are, but
    under a budget at most its `BATCH_SHARE` part (and at least one task).

    Each batch costs the scheduler a count, a task per partition and the merges of its parts, and each
    batch's rows are a run of their own, merged again later.  Under a budget a batch's rows take some 50
    times its text while they are counted: when the partitions' sums lived in Dask's memory, batches of
    4 MB at 256M pushed the workers into Dask's spilling and pausing, and a batch was budget / 256.  With
    the sums in files on the workers' disks, budget / 64 (4 MB at 256M) took 54 s of CPU on 113 MB of
    orders 1-3 against 58 s for budget / 256, each worker at 266 MiB against 146 MiB."""
    batch = task_bytes * TASKS_PER_BATCH
    return batch if memory is None else max(task_bytes, min(batch, memory // BATCH_SHARE))


_LOCAL_CLUSTER: dict[str, Any] = {
    "threads_per_worker": 1,
    "processes": True,
    "dashboard_address": None,  # no dashboard; its HTTP server (health checks) on any free port:
    "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"},
    "silence_logs": logging.ERROR,
    "preload": [__name__],  # runs dask_setup in each worker, restarted ones too
}


def _wait_for_workers(client: Any, n: int) -> None:
    try:
        client.wait_for_workers(n, timeout=_START_SECONDS)
    except (TimeoutError, asyncio.TimeoutError):  # the same class from Python 3.11 on
        raise WorkerError(f"the local dask cluster's workers did not start in {_START_SECONDS} s") from None


def _client_for_scheduler(distributed: Any, scheduler: str) -> Any:
    """A client of the cluster whose scheduler is at ``scheduler``."""
    try:
        return distributed.Client(scheduler, timeout=_CONNECT_SECONDS)
    except (OSError, ValueError) as err:  # unreachable (a timeout is an OSError) or a bad address
        raise WorkerError(f"cannot connect to the dask scheduler at {scheduler}: {err}") from None


def _close_local_cluster(cluster: Any, spawned: set[Any]) -> None:
    """Kill the worker processes of the local cluster, then close it.

    They hold nothing we still need (the table has arrived, or the run is
    being abandoned), and a graceful close takes a second or more, longer
    for a busy or half-started worker.  ``spawned`` are the processes it
    started with; Dask may have restarted some since.
    """
    restarted = {getattr(nanny, "pid", None) for nanny in list(getattr(cluster, "workers", {}).values())}
    kill_children(spawned, restarted)
    if cluster is not None:
        with contextlib.suppress(Exception):
            cluster.close(timeout=_CLOSE_SECONDS)


@contextlib.contextmanager
def _quiet_dask() -> Iterator[None]:
    """Keep Dask's log lines below ERROR, and its large-graph warning, off stderr.

    Also, for good (closing a client can log after it returns), the traceback
    of a cancelled coroutine that a client logs when it is closed while
    reconnecting to a lost scheduler: the run has already said so in one line.
    """
    client_logger = logging.getLogger("distributed.client")
    if not any(isinstance(f, _NoCancelledTracebacks) for f in client_logger.filters):
        client_logger.addFilter(_NoCancelledTracebacks())
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Sending large graph")
            yield
    finally:
        logger.setLevel(level)


class _NoCancelledTracebacks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


class _Run:
    """One run's futures: the counting tasks in flight and the merge tree."""

    def __init__(
        self, client: Any, count_options: CountOptions, limit: int, report: Progress, absolute_paths: bool
    ):
        from distributed import as_completed

        self.client = client
        self.count_options = count_options
        self.limit = limit
        self.report = report
        self.absolute_paths = absolute_paths
        self.finished = as_completed()  # every unfinished future, counts and merges
        self.nbytes: dict[Any, int] = {}  # a counting future's key -> its batch's bytes
        self.levels: dict[int, Any] = {}  # level -> a (maybe unfinished) merged future
        self.compiled_rows: list[Any] = []  # what to cancel on failure

    def count(self, stream: Iterator[list[Task]]) -> PartialCount:
        try:
            for batch in stream:
                while self.finished.count() >= self.limit:
                    self._take(next(self.finished))
                if self.absolute_paths:
                    batch = [_absolute(task) for task in batch]
                future = self.client.submit(count_batch, batch, self.count_options, pure=False)
                self.nbytes[future.key] = sum(task.nbytes for task in batch)
                self.finished.add(future)
            for future in self.finished:
                self._take(future)
            rest = [self.levels[level] for level in sorted(self.levels)]
            if not rest:
                return PartialCount()
            total = rest[0]
            for part in rest[1:]:
                total = self._merge(total, part)
            self.compiled_rows = [total]
            return total.result()  # type: ignore[no-any-return]
        except BaseException:
            self._cancel()
            raise

    def _take(self, future: Any) -> None:
        """A future finished: raise its error, or report its bytes and carry it up the tree."""
        if future.status != "finished":
            future.result()  # raises the task's own exception (an InputError, say)
        nbytes = self.nbytes.pop(future.key, None)
        if nbytes is None:
            return  # a merge; it is already in the tree
        self.report(nbytes)
        level = 0
        while level in self.levels:
            future = self._merge(self.levels.pop(level), future)
            level += 1
        self.levels[level] = future

    def _merge(self, a: Any, b: Any) -> Any:
        future = self.client.submit(merge_parts, a, b, pure=False, priority=1)
        self.finished.add(future)
        return future

    def _cancel(self) -> None:
        futures = [
            *self.finished.futures,
            *self.finished.queue.queue,
            *self.levels.values(),
            *self.compiled_rows,
        ]
        if futures:
            with contextlib.suppress(Exception):
                self.client.cancel(futures)


def _absolute_batch(batch: list[Task]) -> list[Task]:
    return [_absolute(task) for task in batch]


def _absolute(task: Task) -> Task:
    """``task`` with an absolute path, for workers whose current directory is not ours."""
    if isinstance(task, RangeTask) and not is_url(task.path) and not os.path.isabs(task.path):
        return dataclasses.replace(task, path=os.path.abspath(task.path))
    return task


# On the workers.


def dask_setup(worker: object) -> None:
    """Preload hook of the local cluster's workers, restarted ones included.

    Ctrl-C is the parent's to handle (see `concurrency.start_children`; a
    worker that Dask restarts later is started without that care).  An error
    of ours in a task (undecodable bytes, say) reaches the user as one line
    from the parent, so the worker does not log it as well.
    """
    ignore_interrupts()
    logging.getLogger("distributed.worker").addFilter(_QuietUserErrors())


class _QuietUserErrors(logging.Filter):
    """Drops a worker's "Compute Failed" record when the task raised a `WordfreqError`.

    The record's arguments are the key, the state, the task (as one or as
    function, args and kwargs, by Dask's version), the exception's text
    (``InputError('...')``) and the traceback's: whichever argument is the
    exception's text is looked for, not a position.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("Compute Failed") or not isinstance(record.args, tuple):
            return True
        ours = _names_of_subclasses(WordfreqError)
        return not any(isinstance(arg, str) and arg.split("(", 1)[0] in ours for arg in record.args)


def _names_of_subclasses(cls: type) -> set[str]:
    names = {cls.__name__}
    for sub in cls.__subclasses__():
        names |= _names_of_subclasses(sub)
    return names


def count_batch(batch: list[Task], count_options: CountOptions) -> PartialCount:
    """The finished count of a batch of tasks (filtered, as the local engine's workers do)."""
    return finish(count_tasks(batch, count_options), count_options)


def _in_flight(workers: int, threads: int) -> int:
    """How many batches a run keeps on the cluster at once: `IN_FLIGHT_PER_THREAD` per worker thread
    (``workers``, or the ``threads`` of a larger cluster)."""
    return IN_FLIGHT_PER_THREAD * max(workers, threads)


def _batch_paths(scheduler: str | None) -> Callable[[list[Task]], list[Task]]:
    """What a batch's paths become on the way to the cluster: absolute for a remote scheduler (its
    workers may run elsewhere), as they are for a local cluster."""
    return _absolute_batch if scheduler is not None else (lambda batch: batch)


def map_batch(work: Callable[[Task], T], batch: list[Task]) -> list[T]:
    """``work``'s answer for each task of a batch, in order (`map_tasks_on_dask`)."""
    return [work(task) for task in batch]


def merge_parts(a: PartialCount, b: PartialCount) -> PartialCount:
    """A new count, the sum of ``a`` and ``b`` (which are left as they are), its packed rows unpacked: a
    pack per batch, kept, would grow with the corpus, a `Counter` grows with its vocabulary."""
    big, small = (a, b) if len(a.counts) >= len(b.counts) else (b, a)
    total = dataclasses.replace(
        big,
        counts=Counter(big.counts),
        docs=Counter(big.docs),
        open_docs={path: set(rows) for path, rows in big.open_docs.items()},
        runs=list(big.runs),
        open_runs=list(big.open_runs),
        packs=list(big.packs),
    )
    merge_into(total, small)
    unpack_rows(total)
    return total
