"""The tables of a spilled count by part, made from its table on disk within its budget.

A count by part whose keys spilled (`wordfreq.reduce.spill`) is merged like
any table into a `wordfreq.reduce.runs.PartitionedTable`, its keys split by
a hash of the row alone (``sep``, `wordfreq.chunks.parts.SEP`), so that the
keys of one row lie in one partition's table file.  Each table file, read
whole (it was merged within the budget), becomes a file of the wanted table,
in C (``_tables``):

* the long table: each file's keys ordered by part, then table order
  (``long_table``), each part cut to ``max_rows``; the files are then merged
  grouped by part (``TableMerge`` with ``sep``: the part's bytes, then table
  order), each part cut to ``max_rows`` again, across files;
* the dispersion table: the parts' tokens first summed over every file
  (``part_totals``), then each file's rows with their figures
  (``dispersion``, the totals given; its unsure Juilland's D resolved by
  ``resolve``), cut to ``max_rows``, written with the figures as five words a
  row; the files are then merged in table order (``TableMerge`` with
  ``words``), cut to ``max_rows``.

The merged rows come a batch at a time, as ``LongTable`` or
``DispersionTable`` objects, which write their TSV in C: no Python object
per key, and the table is never whole in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from wordfreq.reduce.order import _tables
from wordfreq.reduce.runs import READ_BUFFER, PartitionedTable, write_table_file

_BATCH = 1 << 16
_ALL = 1 << 62  # take every row of a table file
_WORDS = 5  # a dispersion record's figures


def _read(path: str) -> Any:
    """A table file's rows, whole, as a PackedTable."""
    merge = _tables.TableMerge([path], READ_BUFFER[1])
    try:
        return merge.take(_ALL)
    finally:
        merge.close()


class KeyedOnDisk:
    """One table of a spilled count by part, as table files merged on reading (see the module)."""

    def __init__(self, source: PartitionedTable, files: list[str], make: Callable[[Any], Any], **merge: Any):
        self.source = source  # its directory holds the files, removed with it
        self.files = files
        self.make = make  # a merged batch (and its words) -> the C table of those rows
        self.merge = merge

    def batches(self) -> Iterator[Any]:
        """The table's rows in order, a batch at a time, as ``_tables.LongTable`` or ``DispersionTable``."""
        buffer = min(max(self.source.memory // (2 * max(1, len(self.files))), READ_BUFFER[0]), READ_BUFFER[1])
        max_rows = self.merge.get("max_rows")
        merge = _tables.TableMerge(
            list(self.files), buffer, self.merge.get("words", 0), self.merge.get("sep", b""), max_rows
        )
        left = _ALL if max_rows is None or self.merge.get("sep") else max_rows
        try:
            while left > 0 and (batch := merge.take(min(_BATCH, left))):
                rows = batch[0] if isinstance(batch, tuple) else batch
                if not len(rows):
                    return
                left -= len(rows)
                yield self.make(batch)
        finally:
            merge.close()


def spilled_long_table(
    source: PartitionedTable,
    sep: bytes,
    min_count: int,
    max_rows: int | None,
    names: dict[str, str] | None = None,
) -> KeyedOnDisk:
    """The long table of a spilled count by part (see the module), each part that is a code in ``names``
    shown by its name (codes sort as their names: the files are merged by code)."""
    directory = source.directory.path
    files = [
        write_table_file(directory, _tables.long_table(_read(p), sep, min_count, max_rows))
        for p in source.files
    ]
    return KeyedOnDisk(
        source,
        files,
        lambda batch: _tables.long_table(batch, sep, 1, None, names),
        sep=sep,
        max_rows=max_rows,
    )


def spilled_dispersion(
    source: PartitionedTable,
    sep: bytes,
    min_count: int,
    max_rows: int | None,
    resolve: Callable[[Any], None],
) -> KeyedOnDisk:
    """The dispersion table of a spilled count by part (see the module); ``resolve`` sets each
    ``DispersionTable``'s unsure Juilland's D.  OverflowError where a sum leaves 64 bits."""
    totals: dict[str, int] = {}
    for path in source.files:
        for part, tokens in _tables.part_totals(_read(path), sep).items():
            totals[part] = totals.get(part, 0) + tokens
    directory = source.directory.path
    files = []
    for path in source.files:
        table = _tables.dispersion(_read(path), sep, min_count, max_rows, totals)
        resolve(table)
        files.append(write_table_file(directory, table))
    parts = len(totals)
    return KeyedOnDisk(
        source,
        files,
        lambda batch: _tables.dispersion_records(batch[0], batch[1], parts),
        words=_WORDS,
        max_rows=max_rows,
    )
