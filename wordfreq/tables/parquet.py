"""Parquet: tables and report tables written and read as Parquet, through DuckDB.

DuckDB is already what merges spilled counts (`wordfreq.reduce.spill`), so Parquet
costs the base install nothing: no pyarrow (a 55 MB wheel) is needed to
write or read it.  docs/dataframes.md has the measurements behind the choice.

Writing streams: the rows are written, batch by batch, as CSV to a file in
a temporary directory, and DuckDB copies that file into Parquet in the same
directory (in bounded memory: one thread reads and writes row group by row
group, spilling to that directory past `MEMORY_LIMIT`); the Parquet bytes are then
copied into the output stream, which `wordfreq.tables.output.atomic_output` renames
into place only when everything was written.  The temporary directory is
removed whatever happens.  Columns are typed: text as ``VARCHAR`` (Parquet
``BYTE_ARRAY``/``STRING``), counts as ``BIGINT`` (``INT64``), figures as
``DOUBLE``, flags as ``BOOLEAN``; a figure that is not a finite number is
null.  Row groups hold `ROW_GROUP_ROWS` rows, compressed with Snappy, which
every Parquet reader reads.

Reading: a table is Parquet when its first bytes are `MAGIC` followed by the
start of a page header (`is_parquet`); its columns must be ``token``
(text) and ``count`` (whole numbers), with ``docs`` optional, and each row is
checked as the text formats check theirs.  DuckDB reads a file by its path;
standard input, a compressed file or a URL is first copied to a temporary
file (Parquet's index is at its end, so it cannot be read as a stream).
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO

from wordfreq.errors import InputError, OutputError

MAGIC = b"PAR1"
# The byte after MAGIC in every Parquet file: the first field of the first page header (Thrift compact:
# field 1, an i32).  A text table that happens to start with "PAR1" has a tab or a character there.
_PAGE_HEADER = b"\x15"
ROW_GROUP_ROWS = 122_880  # DuckDB's own default: about 1-4 MB of a frequency table, uncompressed
MEMORY_LIMIT = "512MB"  # what DuckDB may hold while it copies; it spills past it
READ_BATCH = 1 << 16  # rows fetched from DuckDB at a time
Column = tuple[str, str]  # a column's name and DuckDB type
TABLE_COLUMNS: dict[int, tuple[Column, ...]] = {
    2: (("token", "VARCHAR"), ("count", "BIGINT")),
    3: (("token", "VARCHAR"), ("count", "BIGINT"), ("docs", "BIGINT")),
}
_INTEGER_TYPES = ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT")


def is_parquet(head: bytes) -> bool:
    """Whether a file whose first bytes are ``head`` (5 or more of them) is Parquet."""
    return head[:5] == MAGIC + _PAGE_HEADER


def _quoted(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _connect(directory: str):  # type: ignore[no-untyped-def]
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = {_quoted(directory)}")
    con.execute("SET preserve_insertion_order = true")
    return con


def csv_value(value: object) -> str:
    """``value`` as one field of the CSV that `write_parquet` reads: null for None and non-finite floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return str(value)


def csv_lines(rows: Iterable[Sequence[object]]) -> str:
    """``rows`` as the CSV lines `write_parquet` reads (any mix of text, numbers, flags and None)."""
    return "".join([",".join(map(csv_value, row)) + "\n" for row in rows])


def write_parquet(columns: Sequence[Column], lines: Iterable[bytes], out: BinaryIO) -> None:
    """Write the rows of ``lines`` (UTF-8 CSV chunks, no header: a string quoted when it holds a comma,
    a quote or a line break, a null as an empty field) to ``out`` as Parquet with ``columns``."""
    with tempfile.TemporaryDirectory(prefix="wordfreq-parquet-") as directory:
        text = os.path.join(directory, "rows.csv")
        table = os.path.join(directory, "rows.parquet")
        with open(text, "wb") as spool:
            for chunk in lines:
                spool.write(chunk)
        types = ", ".join(f"{_quoted(name)}: {_quoted(kind)}" for name, kind in columns)
        con = _connect(directory)
        con.execute("SET threads = 1")  # one ordered stream: memory flat whatever the table's size
        try:
            con.execute(
                f"COPY (SELECT * FROM read_csv({_quoted(text)}, header = false, delim = ',', quote = '\"', "
                f"escape = '\"', new_line = '\\n', auto_detect = false, columns = {{{types}}})) "
                f"TO {_quoted(table)} (FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
            )
        except Exception as err:  # duckdb.Error, and its IO errors
            raise OutputError(f"cannot write Parquet: {_first_line(err)}") from None
        finally:
            con.close()
        os.unlink(text)
        with open(table, "rb") as written:
            shutil.copyfileobj(written, out, 1 << 20)


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


@contextlib.contextmanager
def _local_copy(stream: BinaryIO) -> Iterator[str]:
    """A path to the bytes of ``stream``: its own file when it is an uncompressed local file read from
    its start, else a temporary copy (removed afterwards)."""
    raw = getattr(stream, "raw", None)
    name = getattr(raw, "name", None)
    if isinstance(raw, io.FileIO) and isinstance(name, str) and os.path.isfile(name) and stream.tell() == 0:
        yield name
        return
    with tempfile.TemporaryDirectory(prefix="wordfreq-parquet-") as directory:
        path = os.path.join(directory, "table.parquet")
        with open(path, "wb") as copy:
            shutil.copyfileobj(stream, copy, 1 << 20)
        yield path


def read_parquet(stream: BinaryIO, name: str) -> Iterator[tuple]:
    """The rows of the Parquet table in ``stream``, lazily: ``(token, count)`` or ``(token, count, docs)``.

    Raises `InputError` naming ``name`` (and the row, counted from 1) for a file DuckDB cannot read, a
    column missing or of the wrong type, or a bad row: an empty or null token, a null or negative
    count, more documents than occurrences.
    """
    with _local_copy(stream) as path, tempfile.TemporaryDirectory(prefix="wordfreq-parquet-") as directory:
        con = _connect(directory)
        try:
            yield from _rows(con, path, name)
        finally:
            con.close()


def _rows(con, path: str, name: str) -> Iterator[tuple]:  # type: ignore[no-untyped-def]
    import duckdb

    source = f"read_parquet({_quoted(path)})"
    try:
        types = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    except duckdb.Error as err:
        raise InputError(f"{name}: not a Parquet table DuckDB can read: {_first_line(err)}") from None
    wanted = ["token", "count"] + (["docs"] if "docs" in types else [])
    for column in wanted:
        kind = types.get(column)
        ok = kind == "VARCHAR" if column == "token" else kind in _INTEGER_TYPES
        if not ok:
            found = f"is {kind}" if kind else "is missing"
            raise InputError(
                f"{name}: column {column!r} {found}; a Parquet table has 'token' (text), 'count' "
                f"and optionally 'docs' (whole numbers), got columns {', '.join(types) or 'none'}"
            )
    try:
        cursor = con.execute(f"SELECT {', '.join(_quoted_name(c) for c in wanted)} FROM {source}")
        number = 0
        while batch := cursor.fetchmany(READ_BATCH):
            for row in batch:
                number += 1
                problem = _problem(row)
                if problem:
                    raise InputError(f"{name}: row {number}: {problem}, got {row!r}"[:200])
                yield row
    except duckdb.Error as err:
        raise InputError(f"{name}: {_first_line(err)}") from None


def _quoted_name(column: str) -> str:
    return '"' + column + '"'


def _problem(row: tuple) -> str | None:
    token, count = row[0], row[1]
    if not token:
        return "an empty or null token"
    if count is None or count < 0:
        return "a null or negative count"
    if len(row) == 3 and (row[2] is None or row[2] < 0 or row[2] > count):
        return "a null or negative docs, or more documents than occurrences"
    return None
