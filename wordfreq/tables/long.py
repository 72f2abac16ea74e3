"""The long table: one row per part and row (``count --part-by ... --per-part``).

``part<TAB>token<TAB>count``: parts in code-point order, then, within a
part, the usual table order (count descending, then token);
``min_count`` and ``max_rows`` apply within each part.  In TSV and CSV the
table starts with the header line ``part<TAB>token<TAB>count`` (CSV:
``part,token,count``), which is how a long table is told from a
``--doc-freq`` table, which also has three columns: the header's third field
is not a count, so it can never be a row of a ``--doc-freq`` table
(`is_long_header`).  In JSON Lines each line is an object with the keys
``part``, ``token`` and ``count``.

The rows come from a count's keys (`wordfreq.chunks.parts`): packed, they
are ordered by part, cut and written in C (``_tables.long_table``,
`compiled_long_table`); merged on disk, likewise a partition at a time and
merged grouped by part (`wordfreq.reduce.keyed`), so the table is never
whole in memory.  Where C is not built, they are grouped by part in Python
(`long_rows`), or split, filtered and ordered by DuckDB when they spilled
(`spilled_long_rows`).
"""

from __future__ import annotations

import csv
import itertools
import json
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, BinaryIO

from wordfreq.chunks.parts import SEP, key, split_key
from wordfreq.errors import InputError
from wordfreq.reduce.keyed import KeyedOnDisk, spilled_long_table
from wordfreq.reduce.merge import MergedTable
from wordfreq.reduce.order import Row, _tables, in_batches
from wordfreq.reduce.runs import PartitionedTable
from wordfreq.sources.inputs import display_name, open_binary
from wordfreq.tables.formats import FORMATS, _is_count, _is_whole, _sniffed, csv_field, read_rows

LONG_COLUMNS = ("part", "token", "count")
LONG_FORMATS = ("tsv", "csv", "jsonl")
LongRow = tuple[str, str, int]
_BATCH = 1 << 14


def _order(row: tuple[str, int]) -> tuple[int, str]:
    return -row[1], row[0]


def long_rows(
    keys: Iterable[tuple[str, int]], min_count: int = 1, max_rows: int | None = None
) -> Iterator[LongRow]:
    """The long table of a count's ``keys`` (key, count) in any order, in long-table order."""
    by_part: dict[str, list[tuple[str, int]]] = {}
    for text, n in keys:
        if n >= min_count:
            row, part = split_key(text)
            group = by_part.get(part)
            if group is None:
                by_part[part] = [(row, n)]
            else:
                group.append((row, n))
    for part in sorted(by_part):
        group = by_part.pop(part)
        group.sort(key=_order)  # keys come in count order mostly: a near-linear sort
        if max_rows is not None:
            del group[max_rows:]
        for row, n in group:
            yield part, row, n


def spilled_long_rows(connection: Any, min_count: int = 1, max_rows: int | None = None) -> Iterator[LongRow]:
    """The long table of a spilled count's keys (DuckDB's table ``merged(token, n, d)``), from disk."""
    at = f"strpos(token, chr({ord(SEP)}))"
    split = (
        f"SELECT substr(token, {at} + 1) AS part, substr(token, 1, {at} - 1) AS row, n "
        f"FROM merged WHERE n >= {int(min_count)}"
    )
    if max_rows is not None:
        split = (
            f"SELECT part, row, n FROM (SELECT *, row_number() OVER (PARTITION BY part ORDER BY n DESC, row) "
            f"AS rank FROM ({split})) WHERE rank <= {int(max_rows)}"
        )
    cursor = connection.execute(f"SELECT part, row, n FROM ({split}) ORDER BY part, n DESC, row")
    while batch := cursor.fetchmany(_BATCH):
        for part, row, n in batch:
            yield part, row, int(n)


def write_long_rows(rows: Iterable[LongRow], out: BinaryIO, fmt: str = "tsv") -> None:
    """Write the long table ``rows`` to ``out`` as ``fmt`` (`LONG_FORMATS`), with its header line in TSV
    and CSV."""
    if fmt not in LONG_FORMATS:
        raise ValueError(f"a long table is written as {', '.join(LONG_FORMATS)}, not {fmt!r}")
    if fmt == "tsv":
        out.write(("\t".join(LONG_COLUMNS) + "\n").encode())
        if write_tsv_batches(rows, out):
            return
        tsv = getattr(rows, "tsv", None)  # a table of columns formats itself, a batch at a time
        if tsv is not None:
            write_formatted(tsv, len(rows), out)  # type: ignore[arg-type]
            return
        for batch in in_batches(rows, _BATCH):
            out.write("".join([f"{part}\t{row}\t{n}\n" for part, row, n in batch]).encode())
    elif fmt == "csv":
        out.write((",".join(LONG_COLUMNS) + "\n").encode())
        for batch in in_batches(rows, _BATCH):
            lines = [f"{csv_field(part)},{csv_field(row)},{n}\n" for part, row, n in batch]
            out.write("".join(lines).encode())
    else:
        for batch in in_batches(rows, _BATCH):
            lines = [
                json.dumps({"part": part, "token": row, "count": n}, ensure_ascii=False) + "\n"
                for part, row, n in batch
            ]
            out.write("".join(lines).encode())


_AHEAD = 3  # batches formatted ahead of the one written


def write_formatted(tsv: Callable[[int, int], bytes | str], n: int, out: BinaryIO) -> None:
    """Write the lines that ``tsv(start, stop)`` makes of rows 0 to ``n``, a batch at a time, in order:
    two threads format the next batches (``_tables.LongTable.tsv`` lets go of the GIL) while this one
    writes, with at most `_AHEAD` batches held.  The long table of a big vocabulary is hundreds of
    megabytes, formatted and written after the count, while the workers' cores are idle."""
    step = _BATCH << 2
    with ThreadPoolExecutor(2) as pool:
        ahead: deque[Future[bytes | str]] = deque()
        for start in range(0, n, step):
            ahead.append(pool.submit(tsv, start, start + step))
            if len(ahead) > _AHEAD:
                lines = ahead.popleft().result()
                out.write(lines if isinstance(lines, bytes) else lines.encode())
        while ahead:
            lines = ahead.popleft().result()
            out.write(lines if isinstance(lines, bytes) else lines.encode())


def write_tsv_batches(rows: object, out: BinaryIO) -> bool:
    """Write a table that makes its TSV a batch at a time (``tsv_batches``: one merged from disk), and
    say whether it did."""
    batches = getattr(rows, "tsv_batches", None)
    if batches is None:
        return False
    for lines in batches():
        out.write(lines if isinstance(lines, bytes) else lines.encode())
    return True


def is_long_header(line: str) -> bool:
    """Whether ``line`` (its line end stripped) is the header line of a long table in TSV or CSV."""
    return line in ("\t".join(LONG_COLUMNS), ",".join(LONG_COLUMNS))


def read_any_table(path: str | os.PathLike[str], fmt: str | None = None) -> tuple[bool, Iterator[Any]]:
    """Whether the table at ``path`` (``-``: standard input) is a long table, and its rows, lazily: long
    rows (part, token, count), or the rows of `wordfreq.table.read_rows`.  Told by its first line alone
    (`is_long_header`; in JSON Lines, a ``part`` key), which is then read again as the table's."""
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"unknown table format {fmt!r}; expected one of {', '.join(FORMATS)}")
    rows = _rows_of_any_kind(os.fspath(path), fmt)
    return bool(next(rows)), rows


def read_table_of_kind(path: str | os.PathLike[str], fmt: str | None, long: bool, like: str) -> Iterator[Any]:
    """The rows of the table at ``path``, opened when the first is asked for, which must be a long table
    if ``long`` and must not be one otherwise, as the table named ``like`` is (or is not)."""
    is_long, rows = read_any_table(path, fmt)
    if is_long != long:
        name = display_name(os.fspath(path))
        which = (name, like) if is_long else (like, name)
        raise InputError(
            f"{which[0]} is a long table (count --per-part) and {which[1]} is not: merge tables of one kind"
        )
    yield from rows


def first_line(stream: Iterable[bytes]) -> tuple[list[bytes], Iterator[bytes], str]:
    """A table's first line that is not blank, to tell its kind: the lines read (blank ones, then it),
    the lines after them, and its text (stripped)."""
    lines = iter(stream)
    head: list[bytes] = []
    for raw in lines:
        head.append(raw)
        if raw.strip():
            break
    return head, lines, head[-1].decode("utf-8", "replace").strip() if head else ""


def sniffed(stream: BinaryIO, fmt: str | None) -> tuple[BinaryIO, str]:
    """``stream`` and ``fmt``; for None, the format its first bytes say (Parquet, else TSV), as
    `wordfreq.tables.formats.read_rows` tells it."""
    return (stream, fmt) if fmt is not None else _sniffed(stream)


def _rows_of_any_kind(path: str, fmt: str | None) -> Iterator[Any]:
    """First whether the table is long, then its rows (a Parquet table is never long)."""
    name = display_name(path)
    with open_binary(path) as stream:
        stream, fmt = sniffed(stream, fmt)
        if fmt == "parquet":
            yield False
            yield from read_rows(stream, name, fmt)
            return
        head, lines, text = first_line(stream)
        if fmt == "jsonl":
            try:
                obj = json.loads(text)
            except ValueError:
                obj = None
            long = isinstance(obj, dict) and "part" in obj
        else:
            long = is_long_header(text)
        yield long
        if not long:
            yield from read_rows(itertools.chain(head, lines), name, fmt)  # type: ignore[arg-type]
        elif fmt == "jsonl":
            yield from _long_rows(itertools.chain(head, lines), name, fmt, 1)
        else:  # the header line is not a row
            yield from _long_rows(lines, name, fmt, len(head) + 1)


def long_rows_of_lines(lines: Iterable[bytes], name: str, fmt: str) -> Iterator[LongRow]:
    """The rows of a long table's lines: TSV or CSV after its header line, or JSON Lines."""
    return _long_rows(lines, name, fmt, 2 if fmt != "jsonl" else 1)


def _long_rows(lines: Iterable[bytes], name: str, fmt: str, lineno: int) -> Iterator[LongRow]:
    """The rows of a long table's lines (its header line left out) from line number ``lineno``."""
    if fmt == "csv":
        decoded = (raw.decode("utf-8", "surrogateescape") for raw in lines)
        records: Iterable[Any] = csv.reader(decoded)
    else:
        records = lines
    for number, record in enumerate(records, lineno):
        row = _parse_long(record, fmt)
        if row is None:
            if record in (b"\n", b"\r\n", b"", []):
                continue
            shown = record if isinstance(record, list) else record.decode("utf-8", "replace").rstrip("\r\n")
            raise InputError(
                f"{name}: line {number}: expected a row of a long table, got {str(shown)[:60]!r}"
            )
        yield row


def _parse_long(record: Any, fmt: str) -> LongRow | None:
    if fmt == "csv":
        fields = record
    else:
        try:
            text = record.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if fmt == "jsonl":
            try:
                obj = json.loads(text)
            except ValueError:
                return None
            if not isinstance(obj, dict):
                return None
            part, token, count = obj.get("part"), obj.get("token"), obj.get("count")
            ok = isinstance(part, str) and isinstance(token, str) and token and _is_whole(count)
            return (part, token, count) if ok else None  # type: ignore[return-value]
        fields = text.rstrip("\r\n").split("\t")
    if len(fields) != 3 or not fields[1] or not _is_count(fields[2]):
        return None
    return fields[0], fields[1], int(fields[2])


def key_rows(rows: Iterable[LongRow]) -> Iterator[Row]:
    """The long table's rows as a count's keys (`wordfreq.parts`): two-column rows that any table's
    merge sums, parts kept apart."""
    for part, token, n in rows:
        yield key(token, part), n


def table_rows(path: str, fmt: str | None = None, part: str | None = None) -> Iterator[Row]:
    """The rows of the table at ``path``, or of its part ``part`` when it is a long table (which then
    must be named); `InputError` otherwise."""
    name = display_name(path)
    long, rows = read_any_table(path, fmt)
    if long and part is None:
        raise InputError(f"{name} is a long table (count --per-part): name one of its parts with --part")
    if not long and part is not None:
        raise InputError(f"{name}: --part is for a long table (count --per-part), and this is not one")
    return one_part(rows, part, name) if long else rows  # type: ignore[arg-type]


def one_part(rows: Iterable[LongRow], part: str | None, name: str) -> Iterator[Row]:
    """The rows (token, count) of part ``part`` of the long table ``rows`` (read from ``name``);
    `InputError` when it has none."""
    found = False
    for row_part, row, n in rows:
        if row_part == part:
            found = True
            yield row, n
    if not found:
        raise InputError(f"{name}: no part {part!r} in this long table")


REST = "rest"


def part_against(path: str, fmt: str | None, part: str, against: str) -> tuple[Counter[str], Counter[str]]:
    """The counts of part ``part`` of the long table at ``path`` and those of part ``against`` (or of
    every other part together, for `REST`), in one reading."""
    name = display_name(path)
    long, rows = read_any_table(path, fmt)
    if not long:
        raise InputError(f"{name}: --part and --against are for a long table (count --per-part)")
    a: Counter[str] = Counter()
    b: Counter[str] = Counter()
    seen = set()
    for row_part, row, n in rows:
        seen.add(row_part)
        if row_part == part:
            a[row] += n
        elif against == REST or row_part == against:
            b[row] += n
    for wanted in (part, against):
        if wanted not in seen and not (wanted == against == REST):
            raise InputError(f"{name}: no part {wanted!r} in this long table")
    return a, b


def merged_long_rows(merged: MergedTable) -> Iterator[LongRow]:
    """The long table of the sum of long tables, merged as keys (`key_rows`)."""
    if isinstance(merged.spilled, PartitionedTable):
        return iter(LongBatches(spilled_long_table(merged.spilled, SEP.encode(), 1, None)))
    if merged.spilled is not None:
        return spilled_long_rows(merged.spilled.connection)
    assert merged.counts is not None
    return long_rows(merged.counts.items())


# --- the long table made in C, where the count is packed (``_tables.long_table``) -------------------


def compiled_long_table(
    packed: Any, min_count: int, max_rows: int | None, names: dict[str, str] | None = None
) -> CompiledLong | None:
    """The long table of a packed count's keys, ordered, cut and written in C (``_tables.long_table``),
    each part that is a code in ``names`` shown by its name (`wordfreq.chunks.parts.part_codes`); None
    where C is not built."""
    if _tables is None or not isinstance(packed, _tables.PackedTable):
        return None
    return CompiledLong(_tables.long_table(packed, SEP.encode(), min_count, max_rows, names))


class CompiledLong:
    """A ``_tables.LongTable``: iterates as (part, row, count) rows, a batch at a time, and writes its
    TSV lines in C."""

    def __init__(self, table: Any):
        self.table = table

    def __len__(self) -> int:
        return len(self.table)

    def __iter__(self) -> Iterator[LongRow]:
        for start in range(0, len(self.table), _BATCH):
            yield from self.table.rows(start, start + _BATCH)

    def tsv(self, start: int, stop: int) -> bytes | str:
        lines = self.table.tsv(start, stop)
        if lines is None:  # a row with a tab or a line break: never a token, but written as Python does
            rows = self.table.rows(start, stop)
            return "".join(f"{part}\t{row}\t{n}\n" for part, row, n in rows)
        return lines  # type: ignore[no-any-return]


class LongBatches:
    """The long table of a spilled count by part, merged from disk as it is read
    (`wordfreq.reduce.keyed`): iterates as (part, row, count) rows, and writes its TSV a batch at a time
    in C."""

    def __init__(self, table: KeyedOnDisk):
        self.table = table

    def __iter__(self) -> Iterator[LongRow]:
        for batch in self.table.batches():
            yield from CompiledLong(batch)

    def tsv_batches(self) -> Iterator[bytes | str]:
        for batch in self.table.batches():
            yield CompiledLong(batch).tsv(0, len(batch))
