"""The Dask engine's partitioned reduce: a plain table that no process holds whole.

Each batch of tasks is counted on a worker (`count_partitions`), finished as
the local engine finishes a count, and its rows split by a hash of the row
(``_tables.partition_pack``, the hash of `wordfreq.reduce.runs`) into
subpartitions, each a pack sorted by row; partition *p* is the subpartitions
whose number is *p* modulo the partitions (`partitions_for`).  With document
counts, each subpartition also holds the labelled packs of the documents its
rows occur in, as a packed run does (`wordfreq.reduce.runs.document_counts`).
Partition *p* of every batch is summed on the cluster, in a base-8 counter of
merges of its own (`sum_packs`, a subpartition at a time), so the merges
spread over the workers, each holding some partitions' sums.

Without a budget the results are packs in the workers' memory, one
subpartition a partition.  Under a budget (a run ``token``) each result is a
small handle to a file in the worker's own directory (`DiskPart`: the local
engine's packed format, ``--temp-dir`` for a local cluster's workers), so
Dask neither holds nor spills the rows, and a partition has many
subpartitions, so a merge holds one subpartition's rows.  A file lives as
long as the result that holds it: released, it is removed; a worker lost
takes both, and Dask recomputes the result (and so the file) from the
batches' descriptions; a result another worker needs travels as its packs.
The client removes each worker's run directory at the end
(`remove_run_directory`), on failure too.

Each partition's sum is then put in table order on its worker
(`table_records`: ``_tables.merge_packs``, cut to ``min_count`` and
``max_rows``; under a budget `wordfreq.reduce.runs.reduce_segments`, which
splits a subpartition too large for the budget as the local engine does) as
table files, and the client fetches them one slice of `FETCH_BYTES` at a time,
each read by the worker that holds it, into table files in its own temporary
directory.  The rows reach the output by the streaming k-way merge of those
files (`wordfreq.reduce.runs.PartitionedTable`), so the client holds one
slice, and a worker one subpartition, never the whole table.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wordfreq.chunks.parts import SEP
from wordfreq.chunks.planning import Task
from wordfreq.counting.options import CountOptions
from wordfreq.counting.tasks import Pack, PartialCount, count_tasks
from wordfreq.errors import OutputError
from wordfreq.reduce.order import _tables
from wordfreq.reduce.packs import pack
from wordfreq.reduce.partial import finish, take_compiled_rows
from wordfreq.reduce.runs import (
    COUNTS,
    PARTITIONS,
    PartitionedTable,
    Segment,
    disk_full,
    document_tables,
    joined,
    merge_labelled,
    reduce_segments,
    write_table_file,
)

FETCH_BYTES = 8 << 20  # bytes of a table file the client fetches at a time
PARTS_PER_THREAD = 2  # partitions per worker thread of the cluster
SUBPARTS_PER_PART = 4  # under a budget, at least this many subpartitions a partition (and `PARTITIONS`)
FAN_IN = 8  # parts of a partition summed by one task: each row is merged log8(batches) times, not log2
Entry = tuple[int, str, Pack]  # a subpartition's pack of one label, sorted by row
Labelled = list[Entry]  # one partition's packs, in memory
Counted = tuple[PartialCount, list[Any]]  # a batch's count: what was read, each partition's rows
Records = list[tuple[int, int, Any]]  # a partition's table files: rows, tokens, the bytes or a TableFile


def partitions_for(threads: int, budget: bool) -> tuple[int, int]:
    """How a cluster of ``threads`` worker threads splits the rows: (partitions, subpartitions).

    Partitions are what Dask sees, a task each per batch: enough that each thread merges a few.  A
    partition is the subpartitions of its number modulo the partitions: without a budget one; under a
    budget as many as a spilled run has (`wordfreq.reduce.runs.PARTITIONS`, at least four a
    partition), merged one at a time on disk (`DiskPart`), so a merge holds a subpartition's rows."""
    parts = max(4, PARTS_PER_THREAD * threads)
    return parts, max(PARTITIONS, SUBPARTS_PER_PART * parts) if budget else parts


# On the workers.  Under a budget (``token`` given) a partition's rows are kept in files in the worker's
# own directory (`run_directory`), each file removed when Dask releases the result that holds it.


class WorkerFile:
    """A file on a worker, removed when the last result that holds it is released (or by
    `remove_run_directory` at the end of the run)."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path

    def __del__(self) -> None:
        with contextlib.suppress(OSError):
            os.remove(self.path)


@dataclass(frozen=True)
class RunFiles:
    """A budgeted run's files on the workers: its directory's name, and whether every worker sees
    every other's files (a local cluster: the workers' directories are on one disk)."""

    name: str
    shared: bool = False


class DiskPart:
    """A partition's packs in a file on the worker that made them: their `Segment` each (its
    subpartition in ``partition``).

    Dask holds this small object in memory, so it never spills the rows.  A worker that needs it
    elsewhere gets a file of its own (`__reduce__`): a new hard link to the same one where the disk is
    shared, else the packs, written to its disk as they arrive; so a copy (or Dask's spilled copy)
    stands alone.  A worker lost takes its files and its results together, and Dask recomputes the results
    (and so the files) from the batches."""

    __slots__ = ("file", "segments", "run")

    def __init__(self, file: WorkerFile, segments: list[Segment], run: RunFiles):
        self.file = file
        self.segments = segments
        self.run = run

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled to travel, or by Dask's own spilling: either way the copy must stand alone once this
        # result (and its file) is released, so on a shared disk it gets a new link to the file now.
        if self.run.shared:
            linked = os.path.join(os.path.dirname(self.file.path), f"link-{uuid.uuid4().hex}.pack")
            with contextlib.suppress(OSError):  # links refused: the packs travel instead
                os.link(self.file.path, linked)
                return _adopted, (self.run, linked, self.segments)
        return _written, (self.run, [(s.partition, s.label, s.read()) for s in self.segments])


def _adopted(run: RunFiles, path: str, segments: list[Segment]) -> DiskPart:
    """A `DiskPart` received from a worker on the same disk, as a link of its own to the file: moved
    into this worker's directory (the sender's may go with it)."""
    directory = _here(run)
    if directory is not None:
        moved = os.path.join(directory, os.path.basename(path))
        os.replace(path, moved)
        path = moved
    return DiskPart(WorkerFile(path), [dataclasses.replace(s, path=path) for s in segments], run)


def _written(run: RunFiles, entries: Labelled) -> Any:
    """A `DiskPart` received as its packs: written to a file in this worker's directory."""
    directory = _here(run)
    if directory is None:
        return entries
    writer = _PartWriter(directory, run)
    for subpart, label, packed in entries:
        writer.add(0, subpart, label, packed)
    return writer.close(1)[0]


def _here(run: RunFiles) -> str | None:
    """The run's directory on the worker of this process, when a result arrives (no task runs then,
    so Dask's ``get_worker`` does not know it): None if there is not exactly one worker."""
    from distributed.worker import Worker

    workers = list(Worker._instances)
    return run_directory(run, workers[0]) if len(workers) == 1 else None


class TableFile:
    """A partition's table file on the worker that wrote it; sent elsewhere as its bytes."""

    __slots__ = ("file", "size")

    def __init__(self, path: str):
        self.file = WorkerFile(path)
        self.size = os.path.getsize(path)

    def read(self, start: int, stop: int) -> bytes:
        with open(self.file.path, "rb") as f:
            f.seek(start)
            return f.read(max(0, min(stop, self.size) - start))

    def __reduce__(self) -> tuple[Any, ...]:
        return bytes, (self.read(0, self.size),)


def run_directory(run: RunFiles, worker: Any = None) -> str:
    """The directory of ``run`` on ``worker`` (by default the one running this task): in its own local
    directory (``--temp-dir`` for a local cluster's), made if need be."""
    if worker is None:
        from distributed import get_worker  # where this worker keeps files

        worker = get_worker()
    path = os.path.join(worker.local_directory, f"wordfreq-{run.name}")
    os.makedirs(path, exist_ok=True)
    return path


def remove_run_directory(token: str, dask_worker: Any = None) -> None:
    """Remove the run ``token``'s files on this worker (``client.run`` passes ``dask_worker``)."""
    if dask_worker is not None:
        shutil.rmtree(os.path.join(dask_worker.local_directory, f"wordfreq-{token}"), ignore_errors=True)


class _PartWriter:
    """Packs written one after another to a new file in ``directory``, a `Segment` each."""

    def __init__(self, directory: str, run: RunFiles):
        self.directory = directory
        self.run = run
        try:
            fd, path = tempfile.mkstemp(prefix="part-", suffix=".pack", dir=directory)
        except OSError as err:
            raise disk_full(directory, err) from None
        self.file = WorkerFile(path)
        self.out = os.fdopen(fd, "wb")
        self.offset = 0
        self.segments: list[list[Segment]] = []

    def add(self, group: int, subpart: int, label: str, packed: Pack) -> None:
        keys, counts = packed
        try:
            self.out.write(keys)
            self.out.write(counts)
        except OSError as err:
            raise disk_full(self.directory, err) from None
        while len(self.segments) <= group:
            self.segments.append([])
        segment = Segment(self.file.path, subpart, self.offset, len(keys), len(counts), label)
        self.segments[group].append(segment)
        self.offset += len(keys) + len(counts)

    def close(self, groups: int) -> list[DiskPart]:
        """The file's parts, one per group (empty ones too)."""
        try:
            self.out.close()
        except OSError as err:
            raise disk_full(self.directory, err) from None
        self.segments += [[] for _ in range(groups - len(self.segments))]
        return [DiskPart(self.file, segments, self.run) for segments in self.segments]


def _sources(parts: tuple[Any, ...]) -> dict[int, list[tuple[str, Any]]]:
    """The packs (or the `Segment` of each) of ``parts`` by subpartition, with their labels."""
    by_subpart: dict[int, list[tuple[str, Any]]] = {}
    for part in parts:
        if isinstance(part, DiskPart):
            for segment in part.segments:
                by_subpart.setdefault(segment.partition, []).append((segment.label, segment))
        else:
            for subpart, label, packed in part:
                by_subpart.setdefault(subpart, []).append((label, packed))
    return by_subpart


def _load(source: Any) -> Pack:
    return source.read() if isinstance(source, Segment) else source  # type: ignore[no-any-return]


def count_partitions(
    batch: list[Task], count_options: CountOptions, parts: int, subparts: int, token: RunFiles | None = None
) -> Counted:
    """The count of a batch: what was read (a `PartialCount` without rows), and its finished rows (and
    their documents) split into ``parts`` partitions by the hash of the row (as ``subparts``
    subpartitions): `Labelled` lists, or with ``token`` `DiskPart` of one file in `run_directory`."""
    part = count_tasks(batch, count_options)
    take_compiled_rows(part, sort=False)
    part = finish(part, count_options)
    packs = list(part.packs)
    labelled: dict[str, list[Pack]] = {COUNTS: packs}
    for label, table in [(COUNTS, part.counts), *document_tables(part)]:
        if table:
            packed = pack(table)
            if packed is None:
                raise OutputError("a row UTF-8 cannot encode (a lone surrogate) cannot be counted on dask")
            labelled.setdefault(label, []).append(packed)
    read = PartialCount(
        nbytes=part.nbytes, bad_bytes=part.bad_bytes, bad_records=part.bad_records, documents=part.documents
    )
    sep = SEP.encode() if count_options.rows.part_by is not None else b""  # a row's keys in one partition
    writer = _PartWriter(run_directory(token), token) if token is not None else None
    partitions: list[Labelled] = [[] for _ in range(parts)]
    for label, label_packs in labelled.items():
        if not label_packs:
            continue
        for subpart, piece in enumerate(_tables.partition_pack(joined(label_packs), subparts, 0, sep)):
            if piece[1]:
                if writer is None:
                    partitions[subpart % parts].append((subpart, label, _tables.sort_pack(piece)))
                else:
                    writer.add(subpart % parts, subpart, label, _tables.sort_pack(piece))
    return read, partitions if writer is None else writer.close(parts)


def part_of(counted: Counted, partition: int) -> Any:
    return counted[1][partition]


def read_of(counted: Counted) -> PartialCount:
    return counted[0]


def sum_packs(*parts: Any, token: RunFiles | None = None) -> Any:
    """The sum of a partition's parts: for each subpartition and label, its sorted packs summed into
    one; with ``token``, written a subpartition at a time to a `DiskPart`."""
    by_subpart = _sources(parts)
    writer = _PartWriter(run_directory(token), token) if token is not None else None
    summed: Labelled = []
    for subpart in sorted(by_subpart):
        by_label: dict[str, list[Pack]] = {}
        for label, source in by_subpart.pop(subpart):
            by_label.setdefault(label, []).append(_load(source))
        for label in sorted(by_label):
            total = _tables.sum_packs(by_label.pop(label))
            if writer is None:
                summed.append((subpart, label, total))
            else:
                writer.add(0, subpart, label, total)
    return summed if writer is None else writer.close(1)[0]


def table_records(
    part: Any,
    min_count: int,
    max_rows: int | None,
    docs: bool,
    token: RunFiles | None = None,
    memory: int = 0,
    sep: bytes = b"",
) -> Records:
    """A partition's sum in table order, a subpartition at a time, cut (with document counts when
    ``docs``): (rows, tokens, the bytes) of each table file; with ``token``, each a `TableFile` in
    `run_directory`, a subpartition too large for ``memory`` split again as the local engine does
    (`wordfreq.reduce.runs.reduce_segments`)."""
    directory = run_directory(token) if token is not None else None
    records: Records = []
    for _, sources in sorted(_sources((part,)).items()):
        if directory is not None and all(isinstance(source, Segment) for _, source in sources):
            segments = [source for _, source in sources]
            files = reduce_segments(directory, segments, memory, min_count, max_rows, sep, docs)
            records += [(rows, tokens, TableFile(path)) for path, rows, tokens in files]
            continue
        labelled = [(label, _load(source)) for label, source in sources]
        table = merge_labelled(labelled, min_count, max_rows, docs)
        if directory is None:
            records.append((len(table), table.tokens, table.records()))
        else:
            records.append((len(table), table.tokens, TableFile(write_table_file(directory, table))))
    return records


def records_size(records: Records) -> list[tuple[int, int, int]]:
    return [
        (rows, tokens, len(data) if isinstance(data, bytes) else data.size) for rows, tokens, data in records
    ]


def records_slice(records: Records, index: int, start: int, stop: int) -> bytes:
    data = records[index][2]
    return data[start:stop] if isinstance(data, bytes) else data.read(start, stop)  # type: ignore[no-any-return]


# On the client.


class PartitionedRun:
    """One run's futures: the counting tasks in flight, a base-8 counter of merges per partition.

    With ``token`` (under a budget) the workers keep the partitions' rows in files of the run
    ``token`` (`DiskPart`); the caller removes them with `remove_run_directory` at the end."""

    def __init__(
        self,
        client: Any,
        count_options: CountOptions,
        limit: int,
        parts: tuple[int, int],
        report: Any,
        token: RunFiles | None = None,
    ):
        from distributed import as_completed

        self.client = client
        self.count_options = count_options
        self.limit = limit
        self.parts, self.subparts = parts
        self.report = report
        self.token = token
        self.finished = as_completed()
        self.pending: dict[Any, tuple[int, list[Any]]] = {}  # a count's key -> its bytes, its parts
        self.levels: list[dict[int, list[Any]]] = [{} for _ in range(self.parts)]
        self.reads: list[Any] = []
        self.held: list[Any] = []  # what to cancel on failure

    def count(self, stream: Iterator[list[Task]], prepare: Any) -> PartialCount:
        """Count every batch of ``stream`` (each made ready by ``prepare``); what was read."""
        submit = self.client.submit
        for batch in stream:
            while self.finished.count() >= self.limit:
                self._take(next(self.finished))
            batch = prepare(batch)
            counted = submit(
                count_partitions, batch, self.count_options, self.parts, self.subparts, self.token, pure=False
            )
            parts = [submit(part_of, counted, p, pure=False) for p in range(self.parts)]
            self.reads.append(submit(read_of, counted, pure=False))
            self.pending[counted.key] = (sum(task.nbytes for task in batch), parts)
            self.finished.add(counted)
        for future in self.finished:
            self._take(future)
        total = PartialCount()
        for read in self.client.gather(self.reads):
            total.nbytes += read.nbytes
            total.bad_bytes += read.bad_bytes
            total.bad_records += read.bad_records
            total.documents += read.documents
        self.reads = []
        return total

    def _take(self, future: Any) -> None:
        if future.status != "finished":
            future.result()  # raises the task's own exception
        nbytes, parts = self.pending.pop(future.key, (None, []))
        if nbytes is None:
            return
        self.report(nbytes)
        for partition, part in enumerate(parts):
            levels, level = self.levels[partition], 0
            while len(waiting := levels.setdefault(level, [])) == FAN_IN - 1:
                part = self._merge(*levels.pop(level), part)
                level += 1
            waiting.append(part)

    def _merge(self, *parts: Any) -> Any:
        future = self.client.submit(sum_packs, *parts, token=self.token, pure=False, priority=1)
        self.finished.add(future)
        return future

    def table(
        self, directory: Any, *, min_count: int, max_rows: int | None, memory: int, docs: bool = False
    ) -> PartitionedTable:
        """The partitions' sums, each put in table order on the cluster (with document counts when
        ``docs``) and fetched a slice at a time into table files in ``directory`` (a SpillDir), as one
        table."""
        sep = SEP.encode() if self.count_options.rows.part_by is not None else b""
        ordered = []
        for levels in self.levels:
            sums = [part for level in sorted(levels) for part in levels[level]]
            if sums:
                total = sums[0] if len(sums) == 1 else self._merge(*sums)
                ordered.append(
                    self.client.submit(
                        table_records, total, min_count, max_rows, docs, self.token, memory, sep, pure=False
                    )
                )
        self.held = ordered
        self.levels = []
        sizes = self.client.gather([self.client.submit(records_size, t, pure=False) for t in ordered])
        files = []
        for records, tables in zip(ordered, sizes):
            for index, (rows, tokens, size) in enumerate(tables):
                files.append((self._fetch(directory.path, records, index, size), rows, tokens))
            records.release()
        return PartitionedTable(directory, files, memory=memory, max_rows=max_rows, docs=docs)

    def _fetch(self, directory: str, records: Any, index: int, size: int) -> str:
        """Table file ``index`` of ``records`` in a file of ``directory``, a slice at a time, each read
        where the file is (elsewhere only if that worker is gone: Dask then makes it again)."""
        where = list(self.client.who_has([records]).get(records.key, ()))
        try:
            fd, path = tempfile.mkstemp(prefix="table-", suffix=".rows", dir=directory)
            with os.fdopen(fd, "wb") as f:
                for start in range(0, size, FETCH_BYTES):
                    piece = self.client.submit(
                        records_slice,
                        records,
                        index,
                        start,
                        start + FETCH_BYTES,
                        workers=where or None,
                        allow_other_workers=True,
                        pure=False,
                    )
                    f.write(piece.result())
                    piece.release()
        except OSError as err:
            raise disk_full(directory, err) from None
        return path

    def futures(self) -> list[Any]:
        """Every future of the run still held, to cancel."""
        held = [*self.finished.futures, *self.finished.queue.queue, *self.reads, *self.held]
        for levels in self.levels:
            held += [part for waiting in levels.values() for part in waiting]
        for _, parts in self.pending.values():
            held += parts
        return held
