"""Tables: how a frequency table is ordered, written, read and merged.

A table is UTF-8 text, one ``token<TAB>count`` row per line, LF line ends, no
header, sorted by count descending and ties by token in code-point order, so
the same counts always give the same bytes.

The same rows can also be written (and read back) in two other formats,
named in `FORMATS`: ``csv`` (``token,count``, quoted as Python's `csv`
module quotes, LF line ends, no header) and ``jsonl`` (one
``{"token": ..., "count": ...}`` object per line, non-ASCII kept as it is).
A reader is told its format; it never guesses.

`atomic_output` is the only way the package writes a file: it writes a
temporary file beside the target and renames it over the target only when
everything was written, so a failed or interrupted run never leaves a
partial table.
"""

from __future__ import annotations

import contextlib
import csv
import heapq
import io
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from operator import itemgetter
from typing import BinaryIO

from wordfreq.errors import InputError, OutputError
from wordfreq.sources import STDIN, open_binary

Row = tuple[str, int]
STDOUT = "-"
FORMATS = ("tsv", "csv", "jsonl")
_WRITE_BATCH = 1 << 14  # rows encoded and written at a time


def _order(row: Row) -> tuple[int, str]:
    return -row[1], row[0]


def sorted_rows(counts: Mapping[str, int]) -> list[Row]:
    """All rows of ``counts`` in table order.

    Two stable sorts (by token, then by count, descending) instead of one with
    a tuple key, each keyed on one field (so comparisons are str to str, then
    int to int): several times faster on large tables.
    """
    rows = sorted(counts.items(), key=itemgetter(0))
    rows.sort(key=itemgetter(1), reverse=True)
    return rows


def top_rows(rows: Iterable[Row], n: int) -> list[Row]:
    """The ``n`` first rows in table order, whatever order ``rows`` come in; memory O(n)."""
    return heapq.nsmallest(n, rows, key=_order)


def merge_tables(tables: Iterable[Iterable[Row]]) -> Counter[str]:
    """The sum of the counts of ``tables``, token by token.

    Each table is any iterable of rows, sorted or not, and is consumed once, in
    turn, so memory grows with the union of the vocabularies only::

        merge_tables(read_table(path) for path in ["a.tsv", "b.tsv"])
    """
    total: Counter[str] = Counter()
    for rows in tables:
        for token, count in rows:
            total[token] += count
    return total


def _tsv_lines(rows: Iterable[Row]) -> Iterator[str]:
    for token, count in rows:
        yield f"{token}\t{count}\n"


def _jsonl_lines(rows: Iterable[Row]) -> Iterator[str]:
    # The bytes of json.dumps({"token": token, "count": count}, ensure_ascii=False), faster.
    quote = json.encoder.encode_basestring
    for token, count in rows:
        yield f'{{"token": {quote(token)}, "count": {int(count)}}}\n'


def _csv_lines(rows: Iterable[Row]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


_LINES: dict[str, Callable[[Iterable[Row]], Iterator[str]]] = {
    "tsv": _tsv_lines,
    "csv": _csv_lines,
    "jsonl": _jsonl_lines,
}


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown table format {fmt!r}; expected one of {', '.join(FORMATS)}")


def write_rows(rows: Iterable[Row], out: BinaryIO, fmt: str = "tsv") -> None:
    """Write ``rows`` to the binary stream ``out`` as ``fmt`` (one of `FORMATS`).

    Raises `OutputError` for a TSV row whose token contains a line break,
    which would not read back as one row.
    """
    _check_format(fmt)
    batch: list[str] = []

    def flush() -> None:
        text = "".join(batch)
        if fmt == "tsv" and text.count("\n") != len(batch):
            token = next(line for line in batch if line.count("\n") != 1).rpartition("\t")[0]
            raise OutputError(f"token {token!r} contains a line break: write CSV or JSONL, not TSV")
        out.write(text.encode("utf-8"))
        batch.clear()

    for line in _LINES[fmt](rows):
        batch.append(line)
        if len(batch) >= _WRITE_BATCH:
            flush()
    if batch:
        flush()


def read_rows(stream: BinaryIO, name: str, fmt: str = "tsv") -> Iterator[Row]:
    """The rows of a table in format ``fmt`` (one of `FORMATS`), lazily.

    Blank lines are skipped; a bad row raises `InputError` naming ``name`` and
    the line.
    """
    _check_format(fmt)
    if fmt == "csv":
        return _read_csv(stream, name)
    if fmt == "jsonl":
        return _read_jsonl(stream, name)
    return _read_tsv(stream, name)


def read_table(path: str | os.PathLike[str], fmt: str = "tsv") -> Iterator[Row]:
    """The rows of the table at ``path`` (``-``: standard input), lazily.

    The file is opened when the first row is asked for and closed after the
    last, so a generator of these tables keeps at most one file open.
    """
    _check_format(fmt)
    path = os.fspath(path)
    with open_binary(path) as stream:
        yield from read_rows(stream, "<stdin>" if path == STDIN else path, fmt)


def _is_count(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _read_tsv(stream: BinaryIO, name: str) -> Iterator[Row]:
    for lineno, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise InputError(f"{name}: line {lineno}: not valid UTF-8") from None
        if not line:
            continue
        token, sep, count = line.rpartition("\t")
        if not sep or not token or not _is_count(count):
            raise InputError(f"{name}: line {lineno}: expected 'token<TAB>count', got {line[:60]!r}")
        yield token, int(count)


def _read_jsonl(stream: BinaryIO, name: str) -> Iterator[Row]:
    for lineno, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise InputError(f"{name}: line {lineno}: not valid UTF-8") from None
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        token = obj.get("token") if isinstance(obj, dict) else None
        count = obj.get("count") if isinstance(obj, dict) else None
        if (
            not isinstance(token, str)
            or not token
            or type(count) is not int  # not a bool, not a float
            or count < 0
        ):
            raise InputError(
                f'{name}: line {lineno}: expected {{"token": ..., "count": ...}}, got {line[:60]!r}'
            )
        yield token, count


def _decoded_lines(stream: BinaryIO, name: str) -> Iterator[str]:
    for lineno, raw in enumerate(stream, 1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{name}: line {lineno}: not valid UTF-8") from None


def _read_csv(stream: BinaryIO, name: str) -> Iterator[Row]:
    reader = csv.reader(_decoded_lines(stream, name))
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise InputError(f"{name}: line {reader.line_num}: {err}") from None
        if not fields:
            continue
        if len(fields) != 2 or not fields[0] or not _is_count(fields[1]):
            got = ",".join(fields)[:60]
            raise InputError(f"{name}: line {reader.line_num}: expected 'token,count', got {got!r}")
        yield fields[0], int(fields[1])


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str] | None) -> Iterator[BinaryIO]:
    """A binary stream for the table: stdout for None or ``-``, else a file
    that appears at ``path`` only if the block completes."""
    if path is None or os.fspath(path) == STDOUT:
        try:
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise  # the reader left (`| head`): the CLI ends quietly
        except OSError as err:
            raise OutputError(f"<stdout>: cannot write: {err.strerror or err}") from None
        return
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    temp = os.path.join(directory, f".{os.path.basename(target)}.{os.getpid()}.tmp")
    try:
        # O_EXCL: never follow or clobber something already there; 0o666 & ~umask.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as err:
        raise OutputError(f"{target}: cannot write: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except OSError as err:
        _unlink_quietly(temp)
        raise OutputError(f"{target}: cannot write: {err.strerror or err}") from None
    except BaseException:
        _unlink_quietly(temp)
        raise


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
