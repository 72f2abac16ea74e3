"""Packed runs and the partitioned merge: a spilled plain table back in table order, within its budget.

A process over its share of the budget (`wordfreq.reduce.spill`) writes its
rows as a *packed run* (`write_packed_run`): split by a hash of the row into
`PARTITIONS` partitions (``_tables.partition_pack``), each part a pack sorted
by row (`wordfreq.reduce.packs`), written one after another, with an index of
the parts at the end of the file.  A row is in the same partition in every run
of every process, so each partition is a table of its own.

Once every task is counted, `merge_packed_runs` merges one partition at a
time: the parts of that partition in every run are read and summed packed
(``_tables.merge_packs``: sorted runs merged, then ordered by count), cut to
``min_count`` and ``max_rows``, and written as a *table file* in table order
(``PackedTable.write``).  A partition whose parts would take more than the
budget to merge is first split again, by a hash with another seed, into
`FAN_OUT` smaller ones, as often as needed.  The rows are then read by one
streaming k-way merge of the table files in table order (``_tables.TableMerge``,
a heap of one row per file, each read through a small buffer): the table is
never whole in memory, and the writer gets it a batch at a time, as TSV made in
compiled code.

A run's packs are *labelled*, so that one run holds several tables of rows
with a key and a value, partitioned alike and merged each on its own: a plain
table has only its counts (`COUNTS`); a table with document counts also the
documents each row occurs in (`DOCS`), and, for each document cut into several
tasks, its rows, each with a 1 (`OPEN` and the document's name): a row counts
such a document once however many tasks saw it (`document_counts`).  A
partition's document counts are given to its merged counts in C
(``PackedTable.attach_docs``), and its table file then holds both.

Rows UTF-8 cannot encode still go through text runs and DuckDB
(`wordfreq.reduce.spill.SpilledTable`).
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wordfreq.counting.tasks import Pack, PartialCount
from wordfreq.errors import OutputError
from wordfreq.reduce.order import Row, _tables

PARTITIONS = 64  # partitions of every packed run
FAN_OUT = 16  # partitions a partition too large to merge is split into
RUN_SUFFIX = ".pack"
READ_BUFFER = (1 << 10, 1 << 20)  # the smallest and largest read buffer of a table file in the final merge
MIN_MEMORY = PARTITIONS * READ_BUFFER[0]  # the least budget: the final merge's read buffers, one a partition
_ENTRY_BYTES = 64  # what merging a row costs besides its pack: two arrays of 32-byte entries
_FOOTER = struct.Struct("<Q")
_MAX_DEPTH = 8
_BATCH = 1 << 16
COUNTS = ""  # the label of a table's counts
DOCS = "docs"  # the label of the documents (each read whole by one task) a row occurs in
OPEN = "open:"  # the label of a document cut into several tasks, before its name: its rows, each with a 1


@dataclass(frozen=True)
class Segment:
    """One part of a packed run: the rows of one partition, a pack sorted by row."""

    path: str
    partition: int
    offset: int
    keys: int  # bytes of the pack's keys
    counts: int  # bytes of its counts
    label: str = COUNTS  # what its values are (see the module docstring)

    @property
    def merge_bytes(self) -> int:
        """The memory merging it takes: its bytes, and the entries of its rows."""
        return self.keys + self.counts + self.counts // 8 * _ENTRY_BYTES

    def read(self) -> Pack:
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            keys = f.read(self.keys)
            counts = f.read(self.counts)
        return keys, counts


def is_packed_run(path: str) -> bool:
    """Whether the run at ``path`` is a packed one (else a text run, `wordfreq.reduce.spill`)."""
    return path.endswith(RUN_SUFFIX)


def compiled() -> bool:
    """Whether packed runs can be written here (the compiled ``_tables`` is built)."""
    return _tables is not None


def write_packed_run(
    directory: str,
    packs: list[Pack],
    *,
    parts: int = PARTITIONS,
    seed: int = 0,
    sort: bool = True,
    labels: list[str] | None = None,
    sep: bytes = b"",
) -> str:
    """Write ``packs`` (rows in any order, a row perhaps repeated, when ``sort``; else sorted), each
    with its label (`COUNTS` without ``labels``), as a packed run of ``parts`` partitions in
    ``directory``, and return its path.  With ``sep``, rows are keys split by the hash of their bytes
    before it (``_tables.partition_pack``): a count by part's keys of one row land in one partition."""
    try:
        fd, path = tempfile.mkstemp(prefix="run-", suffix=RUN_SUFFIX, dir=directory)
        with os.fdopen(fd, "wb") as f:
            _write_parts(f, packs, labels or [COUNTS] * len(packs), parts, seed, sort, sep)
    except OSError as err:
        raise disk_full(directory, err) from None
    return path


def _write_parts(
    f: Any, packs: list[Pack], labels: list[str], parts: int, seed: int, sort: bool, sep: bytes
) -> None:
    """The parts of ``packs``, one after another, then their index (partition, offset, sizes[, label])
    and its size."""
    index: list[tuple[Any, ...]] = []
    offset = 0
    for packed, label in zip(packs, labels):
        for partition, part in enumerate(_tables.partition_pack(packed, parts, seed, sep)):
            keys, counts = _tables.sort_pack(part) if sort else part
            if not counts:
                continue
            f.write(keys)
            f.write(counts)
            entry = (partition, offset, len(keys), len(counts))
            index.append(entry + (label,) if label != COUNTS else entry)
            offset += len(keys) + len(counts)
    footer = json.dumps(index, separators=(",", ":")).encode()
    f.write(footer)
    f.write(_FOOTER.pack(len(footer)))


def segments(path: str) -> list[Segment]:
    """The parts of the packed run at ``path``."""
    with open(path, "rb") as f:
        f.seek(-_FOOTER.size, os.SEEK_END)
        (size,) = _FOOTER.unpack(f.read(_FOOTER.size))
        f.seek(-_FOOTER.size - size, os.SEEK_END)
        index = json.loads(f.read(size))
    return [Segment(path, *entry) for entry in index]


def packed_run_lines(path: str) -> Iterator[tuple[bool, bytes]]:
    """The rows of a packed run as the lines of text runs (`wordfreq.reduce.spill`), a part at a time:
    (whether they are the lines of an open run, the lines)."""
    from wordfreq.reduce.packs import run_lines, unpack

    for segment in segments(path):
        if segment.label == COUNTS:
            yield False, run_lines(segment.read())
        elif segment.label == DOCS:
            yield False, "".join(f"{row}\t0\t{n}\n" for row, n in unpack(segment.read())).encode()
        else:
            name = json.dumps(segment.label[len(OPEN) :])
            yield True, "".join(f"{row}\t{name}\n" for row, _ in unpack(segment.read())).encode()


def joined(packs: list[Pack]) -> Pack:
    """Packs laid end to end: one pack in no order, a row perhaps repeated (``sort_pack`` sums it)."""
    if len(packs) == 1:
        return packs[0]
    return b"".join(keys for keys, _ in packs), b"".join(counts for _, counts in packs)


def document_tables(part: PartialCount) -> list[tuple[str, dict[str, int]]]:
    """The document counts of ``part`` as labelled tables: the documents it read whole that each row
    occurs in (`DOCS`), and the rows of each document cut into tasks, each with a 1 (`OPEN`)."""
    tables: list[tuple[str, dict[str, int]]] = [(DOCS, part.docs)] if part.docs else []
    return tables + [(OPEN + doc, dict.fromkeys(rows, 1)) for doc, rows in part.open_docs.items()]


def document_counts(labelled: list[tuple[str, Pack]]) -> Pack:
    """The documents each row occurs in, a pack sorted by row, from the `DOCS` and `OPEN` packs of
    ``labelled`` (one partition's): the sum of its documents read whole, and 1 for each document cut
    into tasks that it occurs in."""
    by_label: dict[str, list[Pack]] = {}
    for label, packed in labelled:
        by_label.setdefault(label, []).append(packed)
    summed = by_label.pop(DOCS, [])
    for label, packs in by_label.items():
        if label.startswith(OPEN):
            keys, counts = _tables.sum_packs(packs)
            summed.append((keys, (array("q", [1]) * (len(counts) // 8)).tobytes()))
    return _tables.sum_packs(summed)  # type: ignore[no-any-return]


def merge_labelled(labelled: list[tuple[str, Pack]], min_count: int, max_rows: int | None, docs: bool) -> Any:
    """One partition's table: the sum of its `COUNTS` packs in table order, cut, and, with ``docs``,
    each row's document count (`document_counts`); a ``_tables.PackedTable``."""
    counts = [packed for label, packed in labelled if label == COUNTS]
    table = _tables.merge_packs(counts, min_count, max_rows)
    if docs:
        table.attach_docs(document_counts(labelled))
    return table


class PartitionedTable:
    """A table held on disk as table files, one a partition (or a piece of one), each in table order;
    its rows are read by merging them (see the module docstring).

    Offers what `wordfreq.reduce.spill.SpilledTable` does but the SQL: ``types``,
    ``tokens``, `rows`, `close` (`wordfreq.reduce.spill.in_sql` gives it to DuckDB).
    With ``max_rows``, each file holds the first ``max_rows`` rows of its
    partition at most; the table, the first ``max_rows`` of them all.
    """

    def __init__(
        self,
        directory: Any,
        files: list[tuple[str, int, int]],
        *,
        memory: int,
        max_rows: int | None,
        docs: bool = False,
    ):
        self.directory = directory  # a SpillDir, removed by `close`
        self.memory = memory
        self.docs = docs  # whether its rows have document counts
        self.files = [path for path, _, _ in files]
        self.spilled_bytes = sum(map(os.path.getsize, self.files))  # and the runs merged into them
        types, tokens = sum(rows for _, rows, _ in files), sum(summed for _, _, summed in files)
        if max_rows is not None and types > max_rows:  # each partition was cut: now the whole
            types, tokens = max_rows, 0
            merge = self.merge()
            try:
                for start in range(0, max_rows, _BATCH):
                    tokens += self.take(merge, min(max_rows - start, _BATCH)).tokens
            finally:
                merge.close()
        self.types, self.tokens = types, tokens

    def merge(self) -> Any:
        """A ``_tables.TableMerge`` of the table files, each read through its share of half the budget."""
        buffer = min(max(self.memory // (2 * max(1, len(self.files))), READ_BUFFER[0]), READ_BUFFER[1])
        return _tables.TableMerge(list(self.files), buffer, 1 if self.docs else 0)

    def take(self, merge: Any, n: int) -> Any:
        """The next ``n`` rows of ``merge`` (`merge`) as a PackedTable, with their document counts."""
        if not self.docs:
            return merge.take(n)
        table, docs = merge.take(n)  # the records' one word after the count
        table.set_docs(docs)
        return table

    def _batches(self) -> Iterator[Any]:
        """The rows in table order, as PackedTables of up to `_BATCH` rows."""
        merge = self.merge()
        try:
            while batch := self.take(merge, _BATCH):
                yield batch
        finally:
            merge.close()

    def rows(self, docs: bool = False) -> MergedRows:
        """The rows in table order, merged from disk as they are read (three columns when the table has
        document counts)."""
        return MergedRows(self)

    def close(self) -> None:
        self.directory.remove()


class MergedRows:
    """The rows of a `PartitionedTable` in table order: iterated, or read by consecutive slices as TSV
    made in compiled code (a `wordfreq.tables.formats.SlicedRows`)."""

    def __init__(self, table: PartitionedTable):
        self.table = table
        self._merge: Any = None
        self._position = 0
        self._last: tuple[int, int, Any] | None = None

    def __len__(self) -> int:
        return self.table.types

    def __iter__(self) -> Iterator[Row]:
        left = self.table.types
        for batch in self.table._batches():
            rows = batch.rows(0, left)
            yield from rows
            left -= len(rows)
            if left <= 0:
                return

    def _slice(self, start: int, stop: int) -> Any:
        """The rows ``start:stop`` as a PackedTable, read on from the last slice (the same one again is
        kept: the writer asks for a slice's rows when its TSV was refused)."""
        if self._last is not None and self._last[:2] == (start, stop):
            return self._last[2]
        if self._merge is None:
            self._merge = self.table.merge()
        if start != self._position:
            raise ValueError("a merged table is read in consecutive slices")
        batch = self.table.take(self._merge, max(0, min(stop, self.table.types) - start))
        self._position = start + len(batch)
        self._last = (start, stop, batch)
        return batch

    def slice(self, start: int, stop: int) -> list[Row]:
        return self._slice(start, stop).rows()  # type: ignore[no-any-return]

    def tsv(self, start: int, stop: int) -> bytes | None:
        return self._slice(start, stop).tsv()  # type: ignore[no-any-return]


def merge_packed_runs(
    directory: Any,
    runs: list[str],
    *,
    min_count: int,
    max_rows: int | None,
    memory: int,
    sep: bytes = b"",
    docs: bool = False,
) -> PartitionedTable:
    """The table of packed ``runs`` in ``directory`` (a SpillDir), merged a partition at a time within
    ``memory`` bytes (see the module docstring), with document counts when ``docs``; the runs are
    removed."""
    by_partition: dict[int, list[Segment]] = {}
    for run in runs:
        for segment in segments(run):
            by_partition.setdefault(segment.partition, []).append(segment)
    files: list[tuple[str, int, int]] = []
    runs_bytes = sum(map(os.path.getsize, runs))
    for partition in sorted(by_partition):
        files += _reduce(
            directory.path, by_partition.pop(partition), 1, memory, min_count, max_rows, sep, docs
        )
    for run in runs:
        os.remove(run)
    table = PartitionedTable(directory, files, memory=memory, max_rows=max_rows, docs=docs)
    table.spilled_bytes += runs_bytes
    return table


def reduce_segments(
    directory: str,
    parts: list[Segment],
    memory: int,
    min_count: int,
    max_rows: int | None,
    sep: bytes = b"",
    docs: bool = False,
) -> list[tuple[str, int, int]]:
    """The table files, in ``directory``, of ``parts`` (the packs of one partition), merged within
    ``memory`` bytes as `merge_packed_runs` merges a partition: (path, rows, tokens) of each."""
    return list(_reduce(directory, parts, 1, memory, min_count, max_rows, sep, docs))


def _reduce(
    directory: str,
    parts: list[Segment],
    depth: int,
    memory: int,
    min_count: int,
    max_rows: int | None,
    sep: bytes,
    docs: bool,
) -> Iterator[tuple[str, int, int]]:
    """Merge ``parts`` (of one partition) into table files: (path, rows, tokens) of each."""
    # A part alone is merged as it is: it was written by one process within its share.
    if sum(part.merge_bytes for part in parts) <= memory or depth > _MAX_DEPTH or len(parts) == 1:
        table = merge_labelled([(part.label, part.read()) for part in parts], min_count, max_rows, docs)
        yield write_table_file(directory, table), len(table), table.tokens
        return
    # Too large to merge at once: split each part by another hash, and merge the pieces one by one.
    split = [
        write_packed_run(
            directory, [part.read()], parts=FAN_OUT, seed=depth, sort=False, sep=sep, labels=[part.label]
        )
        for part in parts
    ]
    pieces: dict[int, list[Segment]] = {}
    for run in split:
        for segment in segments(run):
            pieces.setdefault(segment.partition, []).append(segment)
    for piece in sorted(pieces):
        yield from _reduce(directory, pieces.pop(piece), depth + 1, memory, min_count, max_rows, sep, docs)
    for run in split:
        os.remove(run)


def write_table_file(directory: str, table: Any) -> str:
    """Write ``table`` (a ``_tables.PackedTable``) in ``directory`` as a table file, a slice at a time;
    its path."""
    try:
        fd, path = tempfile.mkstemp(prefix="table-", suffix=".rows", dir=directory)
        with os.fdopen(fd, "wb") as f:
            for start in range(0, len(table), _BATCH):
                f.write(table.records(start, start + _BATCH))
    except OSError as err:
        raise disk_full(directory, err) from None
    return path


def disk_full(directory: str, err: OSError) -> OutputError:
    return OutputError(
        f"{directory}: cannot write counts to the temporary directory: {err.strerror or err}",
        options=("temp_dir", "memory"),
    )
