"""Concurrency: the one module that owns child processes and signals.

`run_tasks` takes the lazy stream of tasks of a run and returns their merged
count.  It decides whether a pool is worth starting (not for one worker, nor
for an input no bigger than one batch), starts it, keeps a bounded number of
batches in flight, and tears everything down on any failure.

No other module touches a process or a signal handler.  What others need of
them is here: `handle_sigterm` (the CLI turns SIGTERM into `Terminated`, which
unwinds like Ctrl-C), `HeldInterrupt` and `start_children` (the Dask engine
starts its local cluster's workers with Ctrl-C held back and ignored),
`kill_children` (and stops them), and `ignore_interrupts` (what every worker
process does first, ours and Dask's).

The pool is a small one of our own, because the shape of the work asks for
two things the standard pools don't give together:

* **The parent stays idle.**  Each worker keeps one running `Counter` for all
  the batches it is given and answers each batch with a few bytes (how much
  it read); its counter crosses the process boundary once, at the end.  With
  a fast tokenizer, pickling and merging a counter per batch in the parent
  (what `multiprocessing.Pool.map` or `ProcessPoolExecutor` designs do) costs
  as much as a worker's tokenizing, and two workers end up slower than one.
* **It cannot hang.**  Each worker has its own pipe, and the parent waits on
  the pipes *and* the process sentinels together
  (`multiprocessing.connection.wait`), so a worker killed by SIGKILL or the
  OOM killer is noticed at once and ends the run with one `WorkerError`
  (`multiprocessing.Pool` would wait forever for its lost task).  There is
  no shared queue whose lock a dying process could take with it.

At most `BATCHES_IN_FLIGHT_PER_WORKER` batches are sent to a worker ahead of
its answers, so memory follows the vocabulary, not the corpus.  Messages
from workers are small except the final counter, which is only requested
once nothing is being sent, so the two directions of a pipe cannot block
each other.

Workers ignore SIGINT (Ctrl-C reaches the whole process group; the parent
alone decides) and take SIGTERM's default action; the parent kills them on
any exception, interrupt included, before it propagates.  Under ``fork`` the
tokenizer, and so jieba's dictionary, is built in the parent before the
workers are forked and shared with them; under ``spawn`` and ``forkserver``
each worker builds it once, at start.
"""

from __future__ import annotations

import collections
import contextlib
import io
import itertools
import multiprocessing
import os
import pickle
import signal
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

from wordfreq.chunks.planning import Task, TextTask, reading_ahead
from wordfreq.counting.options import CountOptions
from wordfreq.counting.tasks import PartialCount, count_tasks, tokenizer_for
from wordfreq.errors import WordfreqError, WorkerError
from wordfreq.reduce.partial import (
    due_to_spill,
    finish,
    merge_into,
    pack_rows,
    spill_finished,
    spill_when_due,
)
from wordfreq.reduce.spill import Spill
from wordfreq.signals import ignore_interrupts

# One batch being counted, the next one (whose first range a worker asks for ahead, `reading_ahead`)
# and one waiting in the pipe, so that the next one is there when its turn comes.
BATCHES_IN_FLIGHT_PER_WORKER = 3
_JOIN_SECONDS = 1.0

Progress = Callable[[int], None]
Batch = list[Task]
T = TypeVar("T")


def default_workers() -> int:
    """The number of CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def batches(tasks: Iterable[Task], batch_bytes: int) -> Iterator[Batch]:
    """Group consecutive tasks (small files, mostly) into batches of about ``batch_bytes``."""
    batch: Batch = []
    size = 0
    for task in tasks:
        batch.append(task)
        size += task.nbytes
        if size >= batch_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def run_tasks(
    tasks: Iterable[Task],
    count_options: CountOptions,
    *,
    workers: int,
    batch_bytes: int,
    start_method: str | None = None,
    progress: Progress | None = None,
    spill: Spill | None = None,
) -> PartialCount:
    """Count every task of ``tasks`` with ``workers`` processes.

    With ``spill``, every process (this one and each worker) writes its rows
    to disk whenever they pass its share of the memory budget; the result
    then names the runs written (`wordfreq.reduce.spill`).
    """
    report = progress or (lambda _: None)
    stream = batches(tasks, batch_bytes)
    first = next(stream, None)
    if first is None:
        return PartialCount()
    second = next(stream, None)
    if workers <= 1 or second is None:
        return _run_here(_chain(first, second, stream), count_options, report, spill)
    return _Pool(count_options, workers, start_method, spill).run(_chain(first, second, stream), report)


def _chain(first: Batch, second: Batch | None, rest: Iterator[Batch]) -> Iterator[Batch]:
    yield first
    if second is not None:
        yield second
        yield from rest


def _run_here(
    stream: Iterator[Batch], count_options: CountOptions, report: Progress, spill: Spill | None
) -> PartialCount:
    tasks = reading_ahead(itertools.chain.from_iterable(stream))
    return finish(
        count_tasks(tasks, count_options, report=report, after_each=spill_when_due(count_options, spill)),
        count_options,
    )


def map_tasks(
    tasks: Iterable[Task],
    work: Callable[[Task], T],
    count_options: CountOptions,
    *,
    workers: int,
    batch_bytes: int,
    start_method: str | None = None,
    progress: Progress | None = None,
) -> Iterator[T]:
    """``work(task)`` for every task of ``tasks``, computed by ``workers`` processes, in task order.

    For work whose answers must come back one per task and in order (a
    concordance), where `run_tasks` sums counts.  ``work`` must pickle (a
    module's function or a dataclass of one); it reads ``count_options``
    and builds what it needs once per process (a concordance of a rare word
    may never need the tokenizer).  At most `BATCHES_IN_FLIGHT_PER_WORKER`
    batches per worker are sent ahead of the answer the caller waits for,
    so memory is bounded however slow the caller; closing the iterator
    early (``--max``) stops the workers.
    """
    report = progress or (lambda _: None)
    stream = batches(tasks, batch_bytes)
    first = next(stream, None)
    if first is None:
        return
    second = next(stream, None)
    if workers <= 1 or second is None:
        for task in reading_ahead(itertools.chain.from_iterable(_chain(first, second, stream))):
            answer = work(task)
            report(task.nbytes)
            yield answer
        return
    pool = _MapPool(count_options, workers, start_method, None, work)
    yield from pool.answers(_chain(first, second, stream), report)


# Messages.  Parent -> worker: a batch (list), _FLUSH, or None (stop).
# Worker -> parent: ("done", nbytes), ("counts", PartialCount), ("error", exc), ("crash", text).
_FLUSH = "flush"


def _worker_main(conn: Connection, count_options: CountOptions, spill: Spill | None) -> None:
    """A worker's life: count the batches it is sent into one counter, send it when asked.

    A worker that spilled writes the rest of its rows to disk too, and sends
    only the names of its runs.
    """
    ignore_interrupts()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    total = PartialCount()
    waiting: list[Any] = []  # the message after the one at hand, taken early to read its range ahead
    try:
        tokenizer_for(count_options)
        while True:
            message = waiting.pop() if waiting else conn.recv()
            if isinstance(message, list) and conn.poll():
                waiting.append(conn.recv())
            if message is None:
                return
            if message == _FLUSH:
                if spill is not None and (total.runs or total.open_runs):
                    spill_finished(total, count_options, spill)
                _send_counts(conn, finish(total, count_options))
                total = PartialCount()
                continue
            before = total.nbytes
            after = waiting[0] if waiting and isinstance(waiting[0], list) else []
            count_tasks(
                reading_ahead(message, after),
                count_options,
                into=total,
                after_each=spill_when_due(count_options, spill),
            )
            conn.send(("done", total.nbytes - before))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return  # the parent is gone or stopping us
    except WordfreqError as err:
        conn.send(("error", err))
    except BaseException:
        conn.send(("crash", traceback.format_exc()))


def _map_worker_main(conn: Connection, count_options: CountOptions, work: Callable[[Task], Any]) -> None:
    """A worker of `map_tasks`: answer each batch with ``work``'s answer for each of its tasks."""
    ignore_interrupts()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        while True:
            message = conn.recv()
            if message is None:
                return
            _send_unmemoized(conn, ("answers", [work(task) for task in reading_ahead(message)]))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return
    except WordfreqError as err:
        conn.send(("error", err))
    except BaseException:
        conn.send(("crash", traceback.format_exc()))


def _send_counts(conn: Connection, part: PartialCount) -> None:
    """Send a worker's count, its rows packed where they can be (`reduce.partial.pack_rows`)."""
    _send_unmemoized(conn, ("counts", pack_rows(part)))


def _send_unmemoized(conn: Connection, message: Any) -> None:
    """Send ``message`` pickled without the pickler's memo.

    A counter of a million tokens then pickles in 0.16 s instead of 1 s (the
    memo records every string), and a concordance's 50,000 rows in 0.03 s
    instead of 0.45 s; the parent's ``recv`` reads it as any other message.
    A count or a list of rows holds no cycles, which is all the memo-less
    pickler needs.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(message)
    conn.send_bytes(buffer.getbuffer())


def _raise_if_failure(kind: str, value: Any) -> None:
    """Raise what a worker reported, if it reported a failure."""
    if kind == "error":
        raise value
    if kind == "crash":
        raise WorkerError(f"a worker failed: {value.strip().splitlines()[-1]}")


class _Pool:
    """Worker processes with a pipe each; see the module docstring."""

    def __init__(
        self,
        count_options: CountOptions,
        workers: int,
        start_method: str | None,
        spill: Spill | None,
        work: Callable[[Task], Any] | None = None,
    ):
        self.context = multiprocessing.get_context(start_method)
        self.count_options = count_options
        self.spill = spill
        self.work = work
        self.size = workers
        self.processes: list[Any] = []
        self.conns: list[Connection] = []
        self.in_flight: list[int] = []

    def run(self, stream: Iterator[Batch], report: Progress) -> PartialCount:
        try:
            self._start()
            for batch in stream:
                worker = self._idle_worker(report)
                self.conns[worker].send(batch)
                self.in_flight[worker] += 1
            total = self._collect(report)
            self._stop()
            return total
        except (BrokenPipeError, ConnectionResetError):
            self._raise_for_dead_worker()
            raise
        finally:
            self._kill()

    def _start(self) -> None:
        if self.context.get_start_method() == "fork" and self.work is None:
            tokenizer_for(self.count_options)  # loaded once, shared with the forked workers
        for _ in range(self.size):
            parent_end, child_end = self.context.Pipe(duplex=True)
            if self.work is None:
                target, args = _worker_main, (child_end, self.count_options, self.spill)
            else:
                target, args = _map_worker_main, (child_end, self.count_options, self.work)
            process = self.context.Process(target=target, args=args, daemon=True)
            process.start()
            child_end.close()
            self.processes.append(process)
            self.conns.append(parent_end)
            self.in_flight.append(0)

    def _send(self, worker: int, batch: Batch) -> None:
        """Send ``batch`` to ``worker``."""
        self.conns[worker].send(batch)
        self.in_flight[worker] += 1

    def _idle_worker(self, report: Progress) -> int:
        """A worker that can take one more batch, waiting for answers if none can."""
        while True:
            worker = min(range(self.size), key=self.in_flight.__getitem__)
            if self.in_flight[worker] < BATCHES_IN_FLIGHT_PER_WORKER:
                return worker
            for worker_, kind, value in self._messages():
                self._on_done(worker_, kind, value, report)

    def _collect(self, report: Progress) -> PartialCount:
        """Once every batch is sent: ask each worker for its counter as soon as it is idle, and merge.

        A worker that finishes early is asked at once, so its counter crosses
        and is merged while the others still work.
        """
        total = PartialCount()
        asked = [False] * self.size
        received = 0
        while received < self.size:
            for worker in range(self.size):
                if not asked[worker] and self.in_flight[worker] == 0:
                    self.conns[worker].send(_FLUSH)
                    asked[worker] = True
            for worker, kind, value in self._messages():
                if kind == "counts":
                    merge_into(total, value)
                    received += 1
                    if self.spill is not None and due_to_spill(total, self.spill):
                        spill_finished(total, self.count_options, self.spill)
                else:
                    self._on_done(worker, kind, value, report)
        return total

    def _on_done(self, worker: int, kind: str, value: Any, report: Progress) -> None:
        if kind != "done":
            raise WorkerError(f"unexpected message {kind!r} from worker {worker}")
        self.in_flight[worker] -= 1
        report(value)

    def _messages(self) -> list[tuple[int, str, Any]]:
        """Wait for answers (at least one) and return them; a dead worker raises `WorkerError`."""
        ready = wait(self.conns + [p.sentinel for p in self.processes])
        messages = [(worker, *self._recv(worker)) for worker, conn in enumerate(self.conns) if conn in ready]
        if not messages:
            self._raise_for_dead_worker()
        return messages

    def _recv(self, worker: int) -> tuple[str, Any]:
        try:
            kind, value = self.conns[worker].recv()
        except (EOFError, ConnectionResetError):
            self._raise_for_dead_worker()
            raise
        _raise_if_failure(kind, value)
        return kind, value

    def _raise_for_dead_worker(self) -> None:
        # A worker that met bad input sends its error, then exits: when the
        # parent notices the exit first (a batch sent to it fails, or its
        # sentinel is ready), the error is still in the pipe, and it is what
        # the user must see.
        for conn in self.conns:
            with contextlib.suppress(EOFError, OSError):
                while conn.poll():
                    _raise_if_failure(*conn.recv())
        # A dead worker's pipe may report EOF a moment before its exit status can be read.
        deadline = time.monotonic() + _JOIN_SECONDS
        while True:
            for process in self.processes:
                process.join(timeout=0)
                code = process.exitcode
                if code is not None:
                    how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
                    raise WorkerError(
                        f"a worker process {how} (out of memory, or killed?); no table was written"
                    )
            if time.monotonic() > deadline:
                raise WorkerError("lost the connection to a worker process")
            time.sleep(0.01)

    def _stop(self) -> None:
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send(None)
        for process in self.processes:
            process.join(timeout=_JOIN_SECONDS)

    def _kill(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.kill()
        for process in self.processes:
            process.join(timeout=_JOIN_SECONDS)
        for conn in self.conns:
            conn.close()


class _MapPool(_Pool):
    """The pool of `map_tasks`: each batch goes to the least busy worker, answers come back in batch
    order (each worker answers its own batches in the order it got them).

    A batch that carries text (`TextTask`, from standard input) goes only to
    an idle worker: one busy sending a large answer would not be reading,
    and the parent would block sending to it while it blocks sending to the
    parent.  A batch of byte ranges is a few hundred bytes, which the pipe's
    buffer always takes.
    """

    def answers(self, stream: Iterator[Batch], report: Progress) -> Iterator[Any]:
        try:
            self._start()
            sizes: list[int] = []  # the bytes of each batch sent, by index
            queues: list[collections.deque[int]] = [collections.deque() for _ in range(self.size)]
            done: dict[int, list[Any]] = {}  # answers in, by batch index, not yet given out
            given = 0  # the index of the next batch whose answers are given out
            limit = self.size * BATCHES_IN_FLIGHT_PER_WORKER
            pending: Batch | None = None
            exhausted = False
            while True:
                while not exhausted and len(sizes) - given < limit:
                    if pending is None:
                        pending = next(stream, None)
                        if pending is None:
                            exhausted = True
                            break
                    worker = min(range(self.size), key=self.in_flight.__getitem__)
                    if self.in_flight[worker] and any(isinstance(task, TextTask) for task in pending):
                        break
                    self._send(worker, pending)
                    queues[worker].append(len(sizes))
                    sizes.append(sum(task.nbytes for task in pending))
                    pending = None
                if given == len(sizes) and exhausted:
                    break
                for worker, _, value in self._messages():
                    index = queues[worker].popleft()
                    self.in_flight[worker] -= 1
                    report(sizes[index])
                    done[index] = value
                while given in done:
                    yield from done.pop(given)
                    given += 1
            self._stop()
        except (BrokenPipeError, ConnectionResetError):
            self._raise_for_dead_worker()
            raise
        finally:
            self._kill()


# Signals and processes for the rest of the package.


def start_children(start: Callable[[], object], n: int, timeout: float) -> set[Any]:
    """Call ``start``, which starts ``n`` child processes; return them once they exist (or at ``timeout``).

    Run it inside `HeldInterrupt.ignored`: a Python started so keeps SIGINT
    ignored, so the children never see the Ctrl-C that the terminal sends to
    the whole process group (they would print tracebacks of their own, even
    from their imports); this process alone handles it, and stops them.
    """
    before = set(multiprocessing.active_children())
    start()
    deadline = time.monotonic() + timeout
    while len(set(multiprocessing.active_children()) - before) < n and time.monotonic() < deadline:
        time.sleep(0.005)
    return set(multiprocessing.active_children()) - before


def kill_children(processes: set[Any], pids: set[int | None]) -> None:
    """Kill this process's children that are in ``processes`` or have a pid in ``pids``."""
    for process in multiprocessing.active_children():
        if process in processes or process.pid in pids:
            with contextlib.suppress(OSError, ValueError):
                process.kill()
