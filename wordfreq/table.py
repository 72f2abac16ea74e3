"""Tables: how a frequency table is ordered, written and read.

A table is UTF-8 text, one ``token<TAB>count`` row per line, LF line ends, no
header, sorted by count descending and ties by token in code-point order, so
the same counts always give the same bytes.

`atomic_output` is the only way the package writes a file: it writes a
temporary file beside the target and renames it over the target only when
everything was written, so a failed or interrupted run never leaves a
partial table.
"""

from __future__ import annotations

import contextlib
import heapq
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import BinaryIO

from wordfreq.errors import InputError, OutputError

Row = tuple[str, int]
STDOUT = "-"
_WRITE_BATCH = 1 << 14  # rows encoded and written at a time


def _order(row: Row) -> tuple[int, str]:
    return -row[1], row[0]


def sorted_rows(counts: Mapping[str, int]) -> list[Row]:
    """All rows of ``counts`` in table order."""
    return sorted(counts.items(), key=_order)


def top_rows(rows: Iterable[Row], n: int) -> list[Row]:
    """The ``n`` first rows in table order, whatever order ``rows`` come in; memory O(n)."""
    return heapq.nsmallest(n, rows, key=_order)


def write_rows(rows: Iterable[Row], out: BinaryIO) -> None:
    """Write ``rows`` as TSV to the binary stream ``out``."""
    batch: list[str] = []
    for token, count in rows:
        batch.append(f"{token}\t{count}\n")
        if len(batch) >= _WRITE_BATCH:
            out.write("".join(batch).encode("utf-8"))
            batch.clear()
    if batch:
        out.write("".join(batch).encode("utf-8"))


def read_rows(stream: BinaryIO, name: str) -> Iterator[Row]:
    """The rows of a TSV table; raises `InputError` naming the line of a bad row."""
    for lineno, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise InputError(f"{name}: line {lineno}: not valid UTF-8") from None
        if not line:
            continue
        token, sep, count = line.rpartition("\t")
        if not sep or not token or not (count.isascii() and count.isdigit()):
            raise InputError(f"{name}: line {lineno}: expected 'token<TAB>count', got {line[:60]!r}")
        yield token, int(count)


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
