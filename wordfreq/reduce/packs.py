"""Packed tables: how a worker's finished count crosses to the parent, and how the parent sums them.

A worker's table of a million rows, pickled as a `Counter`, costs the
parent a Python object per row to unpickle (1.2 s for two workers on
HMM-heavy text) and to sum, serially, while the workers are done.  Packed,
a table is two bytes objects (``pack``), sorted by token, which each
worker does for its own table: its tokens' UTF-8, each after its length
(uint32), and its counts (int64), both in native byte order (a pack never
leaves the machine).  The parent sums the packs into a `PackedTable`
(``merge``): sorted runs merged (code-point order is UTF-8 byte order), then
ordered by count (a stable counting sort), cut to ``min_count`` and
``max_rows``; rows become Python objects only as they are read or written.

A worker's n-grams, held in C across its tasks (`wordfreq.counting.tasks`), come
out laid out as a pack but in no order, a row perhaps repeated;
``sort_pack`` makes a pack of them.

Compiled in ``wordfreq.reduce._tables``; where it is not built, the same in Python
(`PyPackedTable`).  Either side may refuse (a token UTF-8 cannot encode, a
count beyond 64 bits): the table then travels and is summed as a `Counter`,
as before.
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from wordfreq.counting.tasks import Pack
from wordfreq.reduce.order import Row, _tables, add_table, sorted_rows

_LENGTH = 4  # bytes of a token's length


class PackedTable(Protocol):
    """A summed table in table order (``_tables.PackedTable`` or `PyPackedTable`)."""

    @property
    def tokens(self) -> int: ...

    def __len__(self) -> int: ...

    def rows(self, start: int = ..., stop: int = ...) -> list[tuple[str, int]]: ...

    def tsv(self, start: int = ..., stop: int = ...) -> bytes | None: ...

    def to_dict(self) -> dict[str, int]: ...


def pack(counts: dict[str, int], suffix: str = "") -> Pack | None:
    """``counts`` packed (each token followed by ``suffix``: a count by part's keys), or None when it
    cannot be (a token with a lone surrogate, a count beyond int64)."""
    try:
        if _tables is not None:
            return _tables.pack_counts(counts, suffix.encode()) if suffix else _tables.pack_counts(counts)
        tail = suffix.encode()
        rows = sorted((token.encode() + tail, n) for token, n in counts.items())  # UTF-8 byte order
        keys = b"".join(len(utf8).to_bytes(_LENGTH, sys.byteorder) + utf8 for utf8, _ in rows)
        return keys, array("q", [count for _, count in rows]).tobytes()
    except (UnicodeEncodeError, OverflowError):
        return None


def sort_pack(raw: Pack, suffix: str = "") -> Pack | None:
    """``raw``, laid out as a pack but in no order and with a row perhaps repeated (as a worker's n-grams
    come out of C, `wordfreq.reduce.partial.take_compiled_rows`), each row followed by ``suffix``, as a
    pack; None when a sum goes beyond int64."""
    if _tables is not None:
        try:
            return _tables.sort_pack(raw, suffix.encode()) if suffix else _tables.sort_pack(raw)
        except OverflowError:
            return None
    total: Counter[str] = Counter()
    for row, count in unpack(raw):
        total[row] += count
    return pack(total, suffix)


def run_lines(packed: Pack) -> bytes:
    """The rows of ``packed``, in its order (sorted or not), as the lines of a spill run
    (`wordfreq.reduce.spill`): ``row<TAB>count<TAB>0``, UTF-8."""
    lines = _tables.run_lines(packed) if _tables is not None else None
    if lines is None:
        lines = "".join(f"{row}\t{count}\t0\n" for row, count in unpack(packed)).encode()
    return lines


def unpack(packed: Pack) -> Iterator[tuple[str, int]]:
    """The rows of a pack, in its order."""
    keys, counts = packed
    view = memoryview(keys)
    position = 0
    for count in array("q", counts):
        length = int.from_bytes(view[position : position + _LENGTH], sys.byteorder)
        position += _LENGTH
        yield str(view[position : position + length], "utf-8"), count
        position += length


def packed_bytes(packs: list[Pack]) -> int:
    """The memory ``packs`` take: their bytes (a row's UTF-8, its 4-byte length and its 8-byte count)."""
    return sum(len(keys) + len(counts) for keys, counts in packs)


def add_packs(total: Counter[str], packs: list[Pack]) -> None:
    """Add the rows of ``packs`` to ``total``."""
    for packed in packs:
        add_table(total, dict(unpack(packed)))


def merge_sorted(packs: list[Pack]) -> Pack | None:
    """The sum of ``packs`` (each sorted) as one sorted pack, merged without sorting again; None when a
    sum goes beyond int64."""
    if _tables is not None:
        try:
            return _tables.merge_packs(packs, _KEEP_ALL, None, True).pack()
        except OverflowError:
            return None
    total: Counter[str] = Counter()
    add_packs(total, packs)
    return pack(total)


_KEEP_ALL = -(1 << 63)  # a min_count that drops no row


def merge_packs(
    packs: list[Pack], min_count: int, max_rows: int | None, by_key: bool = False
) -> PackedTable | None:
    """The sum of ``packs`` in table order (with ``by_key``, in key order: a count by part's for its
    dispersion, `wordfreq.analyses.dispersion`), its rows below ``min_count`` dropped, cut to
    ``max_rows`` rows; None when a sum goes beyond 64 bits (the caller sums Counters instead)."""
    if _tables is not None:
        try:
            return _tables.merge_packs(packs, min_count, max_rows, by_key)
        except OverflowError:
            return None
    total: Counter[str] = Counter()
    add_packs(total, packs)
    return PyPackedTable(total, min_count, max_rows)


class PyPackedTable:
    """`PackedTable` in Python, where ``_tables`` is not built: a sorted list of rows."""

    def __init__(self, counts: Counter[str], min_count: int, max_rows: int | None):
        rows = sorted_rows(Counter({t: n for t, n in counts.items() if n >= min_count}))
        self._rows: list[tuple[str, int]] = rows[:max_rows] if max_rows is not None else rows  # type: ignore[assignment]
        self.tokens = sum(n for _, n in self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def rows(self, start: int = 0, stop: int | None = None) -> list[tuple[str, int]]:
        return self._rows[start:stop]

    def tsv(self, start: int = 0, stop: int | None = None) -> bytes | None:
        return None  # the Python writer writes these rows

    def to_dict(self) -> dict[str, int]:
        return dict(self._rows)


class PackedRows(Sequence[Row]):
    """The rows of a `PackedTable` in table order, made into Python objects a batch at a time; also
    written straight from it as TSV (a `wordfreq.tables.formats.SlicedRows`).  A read-only sequence,
    as the list of rows of a table held in a `Counter` is: indexed, sliced and reversed without making
    the other rows."""

    def __init__(self, table: PackedTable, batch: int = 1 << 14):
        self.table = table
        self.batch = batch

    def __len__(self) -> int:
        return len(self.table)

    def __iter__(self) -> Iterator[tuple[str, int]]:
        for start in range(0, len(self.table), self.batch):
            yield from self.table.rows(start, start + self.batch)

    def __reversed__(self) -> Iterator[tuple[str, int]]:
        for stop in range(len(self.table), 0, -self.batch):
            yield from reversed(list(self.table.rows(max(0, stop - self.batch), stop)))

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self.table))
            if step == 1:
                return self.slice(start, max(start, stop))
            return [self[i] for i in range(start, stop, step)]
        i = index + len(self.table) if index < 0 else index
        if not 0 <= i < len(self.table):
            raise IndexError("row index out of range")
        return next(iter(self.table.rows(i, i + 1)))

    def slice(self, start: int, stop: int) -> list[Row]:
        return list(self.table.rows(start, stop))

    def tsv(self, start: int, stop: int) -> bytes | None:
        return self.table.tsv(start, stop)
