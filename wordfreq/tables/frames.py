"""DataFrames: results handed to pyarrow, polars and pandas as typed columns.

A result that has rows (`wordfreq.api.CountResult`, the keywords of
`wordfreq.analyses.keyness.compare`, `wordfreq.analyses.discovery.DiscoverResult`) gains
`to_arrow`, `to_polars` and `to_pandas` from `Frames`, by saying what its
columns are (`Frames.columns`).  Each method imports only its own library and,
when it is missing, raises `MissingLibrary` naming the extra that installs it.

`Columns` holds the columns as Arrow lays them out (a large-UTF-8 column as
int64 offsets and UTF-8 bytes, an int64 or float64 column as its values, a
boolean column as bits, an optional validity bitmap) in bytes objects, and
hands them over through the Arrow PyCapsule interface (``__arrow_c_array__``,
compiled in ``wordfreq.tables._arrow``): pyarrow and polars take the buffers as they
are, with no Python object per row and no copy.  A packed table (the usual
result of a count) gives its columns straight from C
(``PackedTable.columns``); rows held as Python objects are laid out once here.
pandas without pyarrow keeps text as Python strings, so `to_pandas` goes
through Arrow when pyarrow is installed, else builds the columns itself.
Where ``_arrow`` was not built (no C compiler), pyarrow takes the same
buffers through ``Array.from_buffers`` and polars gets Python values: the
same frames, polars' more slowly.
"""

from __future__ import annotations

import itertools
import math
import sys
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wordfreq.reduce.order import in_batches
from wordfreq.tables.formats import WRITE_BATCH

try:
    from wordfreq.tables import _arrow  # the Arrow PyCapsule export, compiled (_arrow.c)
except ImportError:  # pragma: no cover - built wherever the tests run
    _arrow = None  # type: ignore[assignment]

TEXT, INT, FLOAT, BOOL = "U", "l", "g", "b"  # the Arrow formats of the columns used here
_MEMORYVIEW = {INT: "q", FLOAT: "d"}  # how memoryview casts the numbers of a column
TABLE_NAMES = ("token", "count", "docs")


class MissingLibrary(ModuleNotFoundError):
    """A DataFrame library that a ``to_...`` method needs is not installed."""


def _require(module: str, extra: str, method: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError:
        raise MissingLibrary(
            f"{method}() needs {module.split('.')[0]}: pip install 'corpus-wordfreq[{extra}]'", name=module
        ) from None


@dataclass(frozen=True)
class Column:
    """One column: its name, Arrow format, null count and buffers (see the module docstring)."""

    name: str
    format: str
    nulls: int
    buffers: tuple[bytes | None, ...]

    def values(self, length: int) -> list[Any]:
        """The column as Python values (None for a null): for pandas without pyarrow."""
        valid = self.buffers[0]
        if self.format == TEXT:
            offsets = memoryview(self.buffers[1] or b"").cast("q")
            data = self.buffers[2] or b""
            values: list[Any] = [data[offsets[i] : offsets[i + 1]].decode() for i in range(length)]
        elif self.format == BOOL:
            bits = self.buffers[1] or b""
            values = [bool(bits[i >> 3] >> (i & 7) & 1) for i in range(length)]
        else:
            values = (
                memoryview(self.buffers[1] or b"")
                .cast(self.format.replace("l", "q").replace("g", "d"))
                .tolist()
            )
        if valid is not None:
            values = [v if valid[i >> 3] >> (i & 7) & 1 else None for i, v in enumerate(values)]
        return values


@dataclass(frozen=True)
class Columns:
    """Columns of ``length`` rows that pyarrow and polars take as they are (``__arrow_c_array__``)."""

    length: int
    columns: tuple[Column, ...]
    in_table_order: bool = True  # False: rows of a table in any order, which the frame sorts (`ordered`)

    def __arrow_c_array__(self, requested_schema: object = None) -> tuple[object, object]:
        if _arrow is None:  # pragma: no cover - built wherever the tests run
            raise NotImplementedError("wordfreq.tables._arrow was not built")
        spec = tuple((c.name, c.format, c.nulls, c.buffers) for c in self.columns)
        return _arrow.struct_array(spec, self.length)  # type: ignore[no-any-return]


def _bits(flags: Iterable[bool], length: int) -> bytes:
    """``flags`` as an Arrow bitmap (least significant bit first)."""
    value = 0
    for i, flag in enumerate(flags):
        if flag:
            value |= 1 << i
    return value.to_bytes((length + 7) // 8 or 1, "little")


def text_column(name: str, texts: Sequence[str]) -> Column:
    """``texts`` as a large-UTF-8 column (UnicodeEncodeError for a lone surrogate)."""
    encoded = [text.encode() for text in texts]
    offsets = array("q", itertools.accumulate(map(len, encoded), initial=0))
    return Column(name, TEXT, 0, (None, _native(offsets), b"".join(encoded)))


def int_column(name: str, numbers: Iterable[int]) -> Column:
    return Column(name, INT, 0, (None, _native(array("q", numbers))))


def float_column(name: str, numbers: Sequence[float]) -> Column:
    """``numbers`` as a float64 column, null where a number is not finite."""
    finite = [math.isfinite(x) for x in numbers]
    nulls = finite.count(False)
    valid = _bits(finite, len(numbers)) if nulls else None
    return Column(name, FLOAT, nulls, (valid, _native(array("d", numbers))))


def bool_column(name: str, flags: Sequence[bool]) -> Column:
    return Column(name, BOOL, 0, (None, _bits(flags, len(flags))))


def _native(values: array) -> bytes:
    """``values`` in little-endian, as Arrow wants them."""
    if sys.byteorder != "little":  # pragma: no cover - no big-endian machine runs the tests
        values.byteswap()
    return values.tobytes()


def table_columns(
    rows: Iterable[Sequence[Any]], names: Sequence[str] = ("token", "count", "docs")
) -> Columns:
    """The rows of a table (a token, then whole numbers) as `Columns` named ``names``."""
    tokens: list[str] = []
    numbers: list[array] = []
    for batch in in_batches(rows, WRITE_BATCH):
        if not numbers:
            numbers = [array("q") for _ in batch[0][1:]]
        tokens.extend(row[0] for row in batch)
        for i, column in enumerate(numbers, 1):
            column.extend(row[i] for row in batch)
    if not numbers:
        numbers = [array("q")]
    columns = [text_column(names[0], tokens)]
    columns += [Column(name, INT, 0, (None, _native(values))) for name, values in zip(names[1:], numbers)]
    return Columns(len(tokens), tuple(columns))


def counter_columns(counts: Mapping[str, int], docs: Mapping[str, int] | None = None) -> Columns:
    """The rows of ``counts`` (and ``docs``) as columns in the Counter's own order, for the frame to sort
    into table order (faster than sorting Python rows: polars and pyarrow sort in native code)."""
    tokens = list(counts)
    numbers = [int_column(TABLE_NAMES[1], counts.values())]
    if docs is not None:
        get = docs.get
        numbers.append(int_column(TABLE_NAMES[2], (get(token, 0) for token in tokens)))
    return Columns(len(tokens), (text_column(TABLE_NAMES[0], tokens), *numbers), in_table_order=False)


def packed_columns(offsets: bytes, utf8: bytes, counts: bytes) -> Columns:
    """A packed table's columns, from ``PackedTable.columns`` (native order: little-endian here)."""
    if sys.byteorder != "little":  # pragma: no cover
        raise NotImplementedError("Arrow buffers from a big-endian packed table")
    length = len(counts) // 8
    assert len(offsets) == 8 * (length + 1)
    return Columns(
        length, (Column("token", TEXT, 0, (None, offsets, utf8)), Column("count", INT, 0, (None, counts)))
    )


class Frames:
    """``to_arrow``, ``to_polars`` and ``to_pandas`` for a result that says what its `columns` are."""

    def columns(self) -> Columns:
        """The result's columns."""
        raise NotImplementedError

    def to_arrow(self) -> Any:
        """The result as a ``pyarrow.Table`` (needs the ``arrow`` extra); no copy of the columns."""
        pa = _require("pyarrow", "arrow", "to_arrow")
        columns = self.columns()
        if _arrow is None:  # not built: pyarrow takes the same buffers through its own API
            table = pa.table({c.name: _pyarrow_array(pa, c, columns.length) for c in columns.columns})
        else:
            table = pa.table(pa.record_batch(columns))
        if not columns.in_table_order:  # count descending, then token in code-point (UTF-8 byte) order
            table = table.sort_by([(TABLE_NAMES[1], "descending"), (TABLE_NAMES[0], "ascending")])
        return table

    def to_polars(self) -> Any:
        """The result as a ``polars.DataFrame`` (needs the ``polars`` extra); no copy of the columns
        (where ``wordfreq.tables._arrow`` was not built, through Python objects)."""
        pl = _require("polars", "polars", "to_polars")
        columns = self.columns()
        if _arrow is None:
            types = {TEXT: pl.String, INT: pl.Int64, FLOAT: pl.Float64, BOOL: pl.Boolean}
            frame = pl.DataFrame(
                {c.name: c.values(columns.length) for c in columns.columns},
                schema={c.name: types[c.format] for c in columns.columns},
            )
        else:
            frame = pl.DataFrame(columns)
        if not columns.in_table_order:  # count descending, then token in code-point (UTF-8 byte) order
            frame = frame.sort([TABLE_NAMES[1], TABLE_NAMES[0]], descending=[True, False])
        return frame

    def to_pandas(self) -> Any:
        """The result as a ``pandas.DataFrame`` (needs the ``pandas`` extra; through Arrow when pyarrow
        is installed too, faster)."""
        pd = _require("pandas", "pandas", "to_pandas")
        columns = self.columns()
        try:
            import pyarrow as pa
        except ModuleNotFoundError:
            values = {c.name: c.values(columns.length) for c in columns.columns}
            dtypes = {c.name: "int64" for c in columns.columns if c.format == INT}
            frame = pd.DataFrame(values).astype(dtypes) if columns.length else pd.DataFrame(values)
            if not columns.in_table_order:  # Python's str order is code-point order
                frame = frame.sort_values(
                    list(TABLE_NAMES[1::-1]), ascending=[False, True], ignore_index=True
                )
            return frame
        if _arrow is None or not columns.in_table_order:
            return self.to_arrow().to_pandas()
        return pa.table(pa.record_batch(columns)).to_pandas()


def _pyarrow_array(pa: Any, column: Column, length: int) -> Any:
    """``column`` as a pyarrow array over its own buffers (no copy)."""
    kind = {TEXT: pa.large_string(), INT: pa.int64(), FLOAT: pa.float64(), BOOL: pa.bool_()}[column.format]
    buffers = [None if b is None else pa.py_buffer(b) for b in column.buffers]
    return pa.Array.from_buffers(kind, length, buffers, null_count=column.nulls)
