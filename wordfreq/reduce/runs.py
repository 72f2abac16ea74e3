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

Tables with document counts, and rows UTF-8 cannot encode, still go through
text runs and DuckDB (`wordfreq.reduce.spill.SpilledTable`).
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wordfreq.counting.tasks import Pack
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


@dataclass(frozen=True)
class Segment:
    """One part of a packed run: the rows of one partition, a pack sorted by row."""

    path: str
    partition: int
    offset: int
    keys: int  # bytes of the pack's keys
    counts: int  # bytes of its counts

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
    sep: bytes = b"",
) -> str:
    """Write ``packs`` (rows in any order, a row perhaps repeated, when ``sort``; else sorted) as a packed
    run of ``parts`` partitions in ``directory``, and return its path.  With ``sep``, rows are keys split
    by the hash of their bytes before it (``_tables.partition_pack``): a count by part's keys of one row
    land in one partition."""
    try:
        fd, path = tempfile.mkstemp(prefix="run-", suffix=RUN_SUFFIX, dir=directory)
        with os.fdopen(fd, "wb") as f:
            _write_parts(f, packs, parts, seed, sort, sep)
    except OSError as err:
        raise disk_full(directory, err) from None
    return path


def _write_parts(f: Any, packs: list[Pack], parts: int, seed: int, sort: bool, sep: bytes) -> None:
    """The parts of ``packs``, one after another, then their index (partition, offset, sizes) and its
    size."""
    index: list[tuple[int, int, int, int]] = []
    offset = 0
    for packed in packs:
        for partition, part in enumerate(_tables.partition_pack(packed, parts, seed, sep)):
            keys, counts = _tables.sort_pack(part) if sort else part
            if not counts:
                continue
            f.write(keys)
            f.write(counts)
            index.append((partition, offset, len(keys), len(counts)))
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


def packed_run_lines(path: str) -> Iterator[bytes]:
    """The rows of a packed run as the lines of a text run (`wordfreq.reduce.spill`), a part at a time."""
    from wordfreq.reduce.packs import run_lines

    for segment in segments(path):
        yield run_lines(segment.read())


class PartitionedTable:
    """A table held on disk as table files, one a partition (or a piece of one), each in table order;
    its rows are read by merging them (see the module docstring).

    Offers what `wordfreq.reduce.spill.SpilledTable` does but the SQL: ``types``,
    ``tokens``, `rows`, `close` (`wordfreq.reduce.spill.in_sql` gives it to DuckDB).
    With ``max_rows``, each file holds the first ``max_rows`` rows of its
    partition at most; the table, the first ``max_rows`` of them all.
    """

    def __init__(
        self, directory: Any, files: list[tuple[str, int, int]], *, memory: int, max_rows: int | None
    ):
        self.directory = directory  # a SpillDir, removed by `close`
        self.memory = memory
        self.files = [path for path, _, _ in files]
        self.spilled_bytes = sum(map(os.path.getsize, self.files))  # and the runs merged into them
        types, tokens = sum(rows for _, rows, _ in files), sum(summed for _, _, summed in files)
        if max_rows is not None and types > max_rows:  # each partition was cut: now the whole
            types, tokens = max_rows, 0
            merge = self.merge()
            try:
                for start in range(0, max_rows, _BATCH):
                    tokens += merge.take(min(max_rows - start, _BATCH)).tokens
            finally:
                merge.close()
        self.types, self.tokens = types, tokens

    def merge(self) -> Any:
        """A ``_tables.TableMerge`` of the table files, each read through its share of half the budget."""
        buffer = min(max(self.memory // (2 * max(1, len(self.files))), READ_BUFFER[0]), READ_BUFFER[1])
        return _tables.TableMerge(list(self.files), buffer)

    def _batches(self) -> Iterator[Any]:
        """The rows in table order, as PackedTables of up to `_BATCH` rows."""
        merge = self.merge()
        try:
            while batch := merge.take(_BATCH):
                yield batch
        finally:
            merge.close()

    def rows(self, docs: bool = False) -> MergedRows:
        """The rows in table order, merged from disk as they are read (two columns: no docs here)."""
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

    def __iter__(self) -> Iterator[tuple[str, int]]:
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
        batch = self._merge.take(max(0, min(stop, self.table.types) - start))
        self._position = start + len(batch)
        self._last = (start, stop, batch)
        return batch

    def slice(self, start: int, stop: int) -> list[Row]:
        return self._slice(start, stop).rows()  # type: ignore[no-any-return]

    def tsv(self, start: int, stop: int) -> bytes | None:
        return self._slice(start, stop).tsv()  # type: ignore[no-any-return]


def merge_packed_runs(
    directory: Any, runs: list[str], *, min_count: int, max_rows: int | None, memory: int, sep: bytes = b""
) -> PartitionedTable:
    """The table of packed ``runs`` in ``directory`` (a SpillDir), merged a partition at a time within
    ``memory`` bytes (see the module docstring); the runs are removed."""
    by_partition: dict[int, list[Segment]] = {}
    for run in runs:
        for segment in segments(run):
            by_partition.setdefault(segment.partition, []).append(segment)
    files: list[tuple[str, int, int]] = []
    runs_bytes = sum(map(os.path.getsize, runs))
    for partition in sorted(by_partition):
        files += _reduce(directory.path, by_partition.pop(partition), 1, memory, min_count, max_rows, sep)
    for run in runs:
        os.remove(run)
    table = PartitionedTable(directory, files, memory=memory, max_rows=max_rows)
    table.spilled_bytes += runs_bytes
    return table


def _reduce(
    directory: str,
    parts: list[Segment],
    depth: int,
    memory: int,
    min_count: int,
    max_rows: int | None,
    sep: bytes,
) -> Iterator[tuple[str, int, int]]:
    """Merge ``parts`` (of one partition) into table files: (path, rows, tokens) of each."""
    # A part alone is merged as it is: it was written by one process within its share.
    if sum(part.merge_bytes for part in parts) <= memory or depth > _MAX_DEPTH or len(parts) == 1:
        table = _tables.merge_packs([part.read() for part in parts], min_count, max_rows)
        yield write_table_file(directory, table), len(table), table.tokens
        return
    # Too large to merge at once: split each part by another hash, and merge the pieces one by one.
    split = [
        write_packed_run(directory, [part.read()], parts=FAN_OUT, seed=depth, sort=False, sep=sep)
        for part in parts
    ]
    pieces: dict[int, list[Segment]] = {}
    for run in split:
        for segment in segments(run):
            pieces.setdefault(segment.partition, []).append(segment)
    for piece in sorted(pieces):
        yield from _reduce(directory, pieces.pop(piece), depth + 1, memory, min_count, max_rows, sep)
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
