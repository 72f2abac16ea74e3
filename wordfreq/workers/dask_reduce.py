"""The Dask engine's partitioned reduce: a plain table that no process holds whole.

Each batch of tasks is counted on a worker (`count_partitions`), finished as
the local engine finishes a count, and its rows split by a hash of the row
into ``parts`` partitions, each a pack sorted by row
(``_tables.partition_pack``, the hash of `wordfreq.reduce.runs`); with
document counts, each partition also holds the labelled packs of the documents
its rows occur in, as a packed run does (`wordfreq.reduce.runs.document_counts`).  Partition
*p* of every batch is summed on the cluster, in a base-8 counter of merges of
its own (`sum_packs`), so the merges of the partitions spread over the
workers, each holding one partition's sum.  Dask keeps these results in
worker memory and, past a worker's memory limit, spills them to its local
directory (``--memory`` and ``--temp-dir`` set them for the local cluster's
workers); a worker lost is Dask's to handle, which reruns what it held from
the batches' descriptions.

Each partition's sum is then put in table order on its worker
(`table_records`: ``_tables.merge_packs``, cut to ``min_count`` and
``max_rows``) as the bytes of a table file, and the client fetches them one
slice of `FETCH_BYTES` at a time into table files in its own temporary
directory.  The rows reach the output by the streaming k-way merge of those
files (`wordfreq.reduce.runs.PartitionedTable`), so the client holds one
slice, and a worker one partition, never the whole table.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
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
    disk_full,
    document_tables,
    joined,
    merge_labelled,
)

FETCH_BYTES = 8 << 20  # bytes of a table file the client fetches at a time
PARTS_PER_THREAD = 2  # partitions per worker thread of the cluster
FAN_IN = 8  # parts of a partition summed by one task: each row is merged log8(batches) times, not log2
Labelled = list[tuple[str, Pack]]  # one partition's packs, each sorted by row, with their labels
Counted = tuple[PartialCount, list[Labelled]]  # a batch's count: what was read, each partition's rows


def partitions_for(threads: int, budget: bool) -> int:
    """How many partitions a cluster of ``threads`` worker threads splits the rows into: enough that
    each thread merges a few, so a partition's sum is a small share of the table; under a memory
    budget, as many as a spilled run has (`wordfreq.reduce.runs.PARTITIONS`) and four times as many a
    thread, so that a worker's merge of one fits in less."""
    if budget:
        return max(PARTITIONS, 4 * PARTS_PER_THREAD * threads)
    return max(4, PARTS_PER_THREAD * threads)


# On the workers.


def count_partitions(batch: list[Task], count_options: CountOptions, parts: int) -> Counted:
    """The count of a batch: what was read (a `PartialCount` without rows), and its finished rows (and
    their documents) split into ``parts`` partitions by the hash of the row."""
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
    partitions: list[Labelled] = [[] for _ in range(parts)]
    for label, label_packs in labelled.items():
        if not label_packs:
            continue
        for partition, piece in enumerate(_tables.partition_pack(joined(label_packs), parts, 0, sep)):
            if piece[1]:
                partitions[partition].append((label, _tables.sort_pack(piece)))
    return read, partitions


def part_of(counted: Counted, partition: int) -> Labelled:
    return counted[1][partition]


def read_of(counted: Counted) -> PartialCount:
    return counted[0]


def sum_packs(*parts: Labelled) -> Labelled:
    """The sum of a partition's parts: for each label, its sorted packs summed into one."""
    by_label: dict[str, list[Pack]] = {}
    for part in parts:
        for label, packed in part:
            by_label.setdefault(label, []).append(packed)
    return [(label, _tables.sum_packs(packs)) for label, packs in sorted(by_label.items())]


def table_records(part: Labelled, min_count: int, max_rows: int | None, docs: bool) -> tuple[int, int, bytes]:
    """A partition's sum in table order, cut (with document counts when ``docs``): (rows, tokens, the
    bytes of its table file)."""
    table = merge_labelled(part, min_count, max_rows, docs)
    return len(table), table.tokens, table.records()


def records_size(records: tuple[int, int, bytes]) -> tuple[int, int, int]:
    return records[0], records[1], len(records[2])


def records_slice(records: tuple[int, int, bytes], start: int, stop: int) -> bytes:
    return records[2][start:stop]


# On the client.


class PartitionedRun:
    """One run's futures: the counting tasks in flight, a base-8 counter of merges per partition."""

    def __init__(self, client: Any, count_options: CountOptions, limit: int, parts: int, report: Any):
        from distributed import as_completed

        self.client = client
        self.count_options = count_options
        self.limit = limit
        self.parts = parts
        self.report = report
        self.finished = as_completed()
        self.pending: dict[Any, tuple[int, list[Any]]] = {}  # a count's key -> its bytes, its parts
        self.levels: list[dict[int, list[Any]]] = [{} for _ in range(parts)]
        self.reads: list[Any] = []
        self.held: list[Any] = []  # what to cancel on failure

    def count(self, stream: Iterator[list[Task]], prepare: Any) -> PartialCount:
        """Count every batch of ``stream`` (each made ready by ``prepare``); what was read."""
        submit = self.client.submit
        for batch in stream:
            while self.finished.count() >= self.limit:
                self._take(next(self.finished))
            batch = prepare(batch)
            counted = submit(count_partitions, batch, self.count_options, self.parts, pure=False)
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
        future = self.client.submit(sum_packs, *parts, pure=False, priority=1)
        self.finished.add(future)
        return future

    def table(
        self, directory: Any, *, min_count: int, max_rows: int | None, memory: int, docs: bool = False
    ) -> PartitionedTable:
        """The partitions' sums, each put in table order on the cluster (with document counts when
        ``docs``) and fetched a slice at a time into a table file in ``directory`` (a SpillDir), as one
        table."""
        ordered = []
        for levels in self.levels:
            sums = [part for level in sorted(levels) for part in levels[level]]
            if sums:
                total = sums[0] if len(sums) == 1 else self._merge(*sums)
                ordered.append(
                    self.client.submit(table_records, total, min_count, max_rows, docs, pure=False)
                )
        self.held = ordered
        self.levels = []
        sizes = self.client.gather([self.client.submit(records_size, t, pure=False) for t in ordered])
        files = []
        for records, (rows, tokens, size) in zip(ordered, sizes):
            files.append((self._fetch(directory.path, records, size), rows, tokens))
            records.release()
        return PartitionedTable(directory, files, memory=memory, max_rows=max_rows, docs=docs)

    def _fetch(self, directory: str, records: Any, size: int) -> str:
        try:
            fd, path = tempfile.mkstemp(prefix="table-", suffix=".rows", dir=directory)
            with os.fdopen(fd, "wb") as f:
                for start in range(0, size, FETCH_BYTES):
                    piece = self.client.submit(records_slice, records, start, start + FETCH_BYTES, pure=False)
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
