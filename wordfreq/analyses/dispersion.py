"""Dispersion: how evenly each row is spread over the parts of a corpus (``count --dispersion``).

With n parts that hold at least one token, part i's share of all tokens
s_i = t_i / T, and a row's count f_i in part i of its total F:

* ``per_million`` = F / T x 10^6; ``parts`` = the number of parts with f_i > 0;
* ``dp`` = 1/2 sum_i |f_i/F - s_i| (Gries 2008, "Dispersions and adjusted
  frequencies in corpora", IJCL 13(4));
* ``dp_norm`` = dp / (1 - min_i s_i) (Lijffijt & Gries 2012, "Correction to
  Stefan Th. Gries' 'Dispersions and adjusted frequencies in corpora'",
  IJCL 17(1)); None (empty, null) when n = 1, where it is 0/0;
* ``juilland_d`` = 1 - (sigma/mu) / sqrt(n - 1) over the relative frequencies
  r_i = f_i / t_i of all n parts (sigma the population standard deviation,
  mu the mean); None when n = 1.

Every figure is printed with `DIGITS` decimals, rounded half to even from
its exact value, so any correct program prints the same digits.  ``dp``,
``dp_norm`` and ``per_million`` are ratios of integers (2FT dp =
sum_i |f_i T - t_i F|, the parts without the row adding F (T - their
tokens)) and are rounded in integers.  D = 1 - sqrt(X) with X rational; it
is computed in floating point with a bound on the error, and, when the
bound's interval holds a rounding boundary (an evenly spread row over a few
parts), again exactly, in fractions and integer square roots.

The keys of one row's parts (`wordfreq.chunks.parts`) lie together in a
count's table in key order.  Where the count is packed (the compiled
``_tables``), the table is made in C in one pass over them
(``_tables.dispersion``, `compiled_dispersion`), and from a table merged on
disk within the budget likewise, a partition at a time
(`wordfreq.reduce.keyed`); Juilland's D is then computed in floating point
with the bound of `juilland_d`, and exactly here (`exact_juilland`) where
that bound leaves it unsure.  Where C is not built, the keys are grouped in
a dict in memory (`dispersion_rows`), or read in key order from DuckDB when
they spilled (`spilled_dispersion_rows`).  The table (one row per row, the
usual table order, ``min_count`` and ``max_rows`` on the total F) holds one
entry per row, as any table does.
"""

from __future__ import annotations

import heapq
import itertools
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any, BinaryIO

from wordfreq.api import CountResult
from wordfreq.chunks.parts import SEP, split_key
from wordfreq.reduce.keyed import KeyedOnDisk, spilled_dispersion
from wordfreq.reduce.order import _tables, in_batches
from wordfreq.reduce.runs import PartitionedTable
from wordfreq.reduce.spill import in_sql
from wordfreq.tables.formats import csv_field
from wordfreq.tables.long import write_tsv_batches

DIGITS = 6
DISPERSION_COLUMNS = ("token", "count", "per_million", "parts", "dp", "dp_norm", "juilland_d")
DISPERSION_FORMATS = ("tsv", "csv", "jsonl")
_SCALE = 10**DIGITS
_QUANTUM = Decimal(1).scaleb(-DIGITS)
_BATCH = 1 << 14


@dataclass(frozen=True)
class DispersionRow:
    """One row of the dispersion table; the figures exact to `DIGITS` decimals (see the module)."""

    token: str
    count: int
    per_million: Decimal
    parts: int
    dp: Decimal
    dp_norm: Decimal | None
    juilland_d: Decimal | None


@dataclass(frozen=True)
class PartSizes:
    """The tokens of each part that holds any (by name), their sum and the smallest (summed once: a
    row's measures read them, and a corpus may have 100,000 parts)."""

    tokens: dict[str, int]
    total: int = field(init=False)
    smallest: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", sum(self.tokens.values()))
        object.__setattr__(self, "smallest", min(self.tokens.values(), default=0))

    def __len__(self) -> int:
        return len(self.tokens)


def rounded(num: int, den: int) -> Decimal:
    """num / den (both >= 0, den > 0) to `DIGITS` decimals, half to even."""
    q, r = divmod(num * _SCALE, den)
    if 2 * r > den or (2 * r == den and q % 2):
        q += 1
    return Decimal(q).scaleb(-DIGITS)


def measures(token: str, freqs: Sequence[tuple[int, int]], sizes: PartSizes) -> DispersionRow:
    """The row of ``token``, whose counts are ``freqs``: (f_i, t_i) for each part that holds it."""
    total, n = sizes.total, len(sizes)
    f = sum(fi for fi, _ in freqs)
    present = sum(ti for _, ti in freqs)
    num = sum(abs(fi * total - ti * f) for fi, ti in freqs) + f * (total - present)
    dp = rounded(num, 2 * f * total)
    rest = total - sizes.smallest
    dp_norm = rounded(num, 2 * f * rest) if rest else None
    return DispersionRow(token, f, rounded(f * 10**6, total), len(freqs), dp, dp_norm, juilland_d(freqs, n))


def juilland_d(freqs: Sequence[tuple[int, int]], n: int) -> Decimal | None:
    """Juilland's D over n parts, of which ``freqs`` ((f_i, t_i)) hold the row; None when n = 1.

    D = 1 - sqrt(X), X = (n sum r_i^2 / (sum r_i)^2 - 1) / (n - 1).  In
    floating point (fsum, correctly rounded sums of correctly rounded terms)
    the relative error of n sum r^2 / (sum r)^2 = 1 + (n - 1) X is a few
    units in the last place, so X is within 1e-12 (1/(n-1) + X) of its value
    (a margin 10^4 times wider); when both ends of D's interval round alike,
    so does D.
    """
    if n == 1:
        return None
    r = [fi / ti for fi, ti in freqs]
    s1 = math.fsum(r)
    x = (n * math.fsum([v * v for v in r]) / (s1 * s1) - 1) / (n - 1)
    margin = 1e-12 * (1 / (n - 1) + abs(x))
    low = max(0.0, 1 - math.sqrt(x + margin) - 1e-15)
    high = min(1.0, 1 - math.sqrt(max(0.0, x - margin)) + 1e-15)
    a = Decimal(low).quantize(_QUANTUM, ROUND_HALF_EVEN)
    b = Decimal(high).quantize(_QUANTUM, ROUND_HALF_EVEN)
    if a == b:
        return b
    return exact_juilland(freqs, n)


def exact_juilland(freqs: Sequence[tuple[int, int]], n: int) -> Decimal:
    """Juilland's D, exactly: X as a fraction a/b; y = 10^DIGITS sqrt(X) rounded half to even in
    integers (y^2 = 10^(2 DIGITS) a / b), and D = (10^DIGITS - y) / 10^DIGITS."""
    s1 = sum((Fraction(fi, ti) for fi, ti in freqs), Fraction(0))
    s2 = sum((Fraction(fi * fi, ti * ti) for fi, ti in freqs), Fraction(0))
    x = (n * s2 / (s1 * s1) - 1) / (n - 1)
    a, b = x.numerator * _SCALE * _SCALE, x.denominator
    k = math.isqrt(a // b)
    twice = 4 * a - (2 * k + 1) ** 2 * b  # sign of y - (k + 1/2)
    if twice > 0 or (twice == 0 and k % 2):
        k += 1
    return Decimal(_SCALE - k).scaleb(-DIGITS)


def dispersion_table(result: CountResult) -> Iterable[DispersionRow]:
    """The dispersion table of a count by part (``dispersion``): each row's count, per-million frequency
    and dispersion over the parts, in table order, the count's ``min_count`` and ``max_rows`` applied to
    the rows' counts; computed in C where the count is packed or merged on disk (`compiled_dispersion`,
    `wordfreq.reduce.keyed`), else row by row in Python.  `write_dispersion` writes it."""
    compiled = compiled_dispersion(result.packed, result.min_count, result.max_rows)
    if compiled is not None:
        return compiled
    if isinstance(result.spilled, PartitionedTable):
        try:
            on_disk = spilled_dispersion(
                result.spilled, SEP.encode(), result.min_count, result.max_rows, resolve
            )
            return DispersionBatches(on_disk)
        except OverflowError:
            result.spilled = in_sql(result.spilled, result.spilled.memory)  # the sums in SQL, then
    connection = getattr(result.spilled, "connection", None)  # spilled to DuckDB where C is not built
    if connection is not None:
        return spilled_dispersion_rows(connection, result.min_count, result.max_rows)
    return dispersion_rows(result.rows(), result.min_count, result.max_rows)  # type: ignore[arg-type]


def dispersion_rows(
    keys: Iterable[tuple[str, int]], min_count: int = 1, max_rows: int | None = None
) -> list[DispersionRow]:
    """The dispersion table of a count's ``keys`` (key, count), in any order, held in memory."""
    by_row: dict[str, list[Any]] = {}
    tokens: dict[str, int] = {}
    for text, n in keys:
        row, part = split_key(text)
        tokens[part] = tokens.get(part, 0) + n
        entry = by_row.get(row)
        if entry is None:
            by_row[row] = [n, part, n]
        else:
            entry[0] += n
            entry.append(part)
            entry.append(n)
    return _table(((row, entry) for row, entry in by_row.items()), PartSizes(tokens), min_count, max_rows)


def spilled_dispersion_rows(
    connection: Any, min_count: int = 1, max_rows: int | None = None
) -> list[DispersionRow]:
    """The dispersion table of a spilled count's keys (DuckDB's table ``merged(token, n, d)``): the
    keys read in key order, where a row's keys come together."""
    part = f"substr(token, strpos(token, chr({ord(SEP)})) + 1)"
    totals = connection.execute(f"SELECT {part}, SUM(n) FROM merged GROUP BY 1").fetchall()
    sizes = PartSizes({name: int(n) for name, n in totals})
    cursor = connection.execute("SELECT token, n FROM merged ORDER BY token")

    def groups() -> Iterator[tuple[str, list[Any]]]:
        current: str | None = None
        entry: list[Any] = [0]
        while batch := cursor.fetchmany(_BATCH):
            for text, n in batch:
                row, name = split_key(text)
                if row != current:
                    if current is not None:
                        yield current, entry
                    current, entry = row, [0]
                entry[0] += int(n)
                entry.append(name)
                entry.append(int(n))
        if current is not None:
            yield current, entry

    return _table(groups(), sizes, min_count, max_rows)


def _table(
    groups: Iterable[tuple[str, list[Any]]], sizes: PartSizes, min_count: int, max_rows: int | None
) -> list[DispersionRow]:
    """The rows of ``groups`` ((row, [F, part, f, part, f...])) with F >= ``min_count``, the ``max_rows``
    first in table order, with their measures."""
    kept: Iterable[tuple[str, list[Any]]] = (group for group in groups if group[1][0] >= min_count)
    if max_rows is not None:
        kept = heapq.nsmallest(max_rows, kept, key=lambda group: (-group[1][0], group[0]))
    tokens = sizes.tokens
    rows = [
        measures(row, [(entry[i + 1], tokens[entry[i]]) for i in range(1, len(entry), 2)], sizes)
        for row, entry in kept
    ]
    rows.sort(key=lambda row: (-row.count, row.token))
    return rows


def _fields(row: DispersionRow) -> tuple[str, ...]:
    """The columns of a row as text: an empty field for None."""
    return (
        row.token,
        str(row.count),
        str(row.per_million),
        str(row.parts),
        str(row.dp),
        "" if row.dp_norm is None else str(row.dp_norm),
        "" if row.juilland_d is None else str(row.juilland_d),
    )


def _json_line(row: DispersionRow) -> str:
    """A row as a JSON object, its figures as JSON numbers with their printed digits (null for None)."""
    token, *figures = _fields(row)
    values = [json.dumps(token, ensure_ascii=False), *(figure or "null" for figure in figures)]
    return "{" + ", ".join(f'"{key}": {value}' for key, value in zip(DISPERSION_COLUMNS, values)) + "}\n"


def write_dispersion(rows: Iterable[DispersionRow], out: BinaryIO, fmt: str = "tsv") -> None:
    """Write the dispersion table ``rows`` to ``out`` as ``fmt`` (`DISPERSION_FORMATS`): TSV and CSV with
    a header line naming the `DISPERSION_COLUMNS`, JSON Lines with them as keys (null for None)."""
    if fmt not in DISPERSION_FORMATS:
        raise ValueError(f"a dispersion table is written as {', '.join(DISPERSION_FORMATS)}, not {fmt!r}")
    if fmt in ("tsv", "csv"):
        sep = "\t" if fmt == "tsv" else ","
        quote = (lambda text: text) if fmt == "tsv" else csv_field
        out.write((sep.join(DISPERSION_COLUMNS) + "\n").encode())
        if fmt == "tsv" and write_tsv_batches(rows, out):
            return
        tsv = getattr(rows, "tsv", None)  # a table of columns formats itself, a batch at a time
        if fmt == "tsv" and tsv is not None:
            for start in range(0, len(rows), _BATCH << 2):  # type: ignore[arg-type]
                lines = tsv(start, start + (_BATCH << 2))
                out.write(lines if isinstance(lines, bytes) else lines.encode())
            return
        for batch in in_batches(rows, _BATCH):
            out.write("".join([sep.join(map(quote, _fields(row))) + "\n" for row in batch]).encode())
        return
    for batch in in_batches(rows, _BATCH):
        out.write("".join(map(_json_line, batch)).encode())


# --- the table made in C, where the count is packed (``_tables.dispersion``) -------------------------


def compiled_dispersion(packed: Any, min_count: int, max_rows: int | None) -> CompiledDispersion | None:
    """The dispersion table of a packed count's keys, made in C (``_tables.dispersion``: one pass over
    each row's keys in key order, every figure rounded exactly in integers, Juilland's D in floating
    point with the bound of `juilland_of_sums`, and exactly here where that leaves it unsure); None
    where C cannot (not built, a sum beyond 64 bits): then the columns or the rows in Python."""
    if _tables is None or not isinstance(packed, _tables.PackedTable):
        return None
    try:
        table = _tables.dispersion(packed, SEP.encode(), min_count, max_rows)
    except OverflowError:
        return None
    resolve(table)
    return CompiledDispersion(table)


def resolve(table: Any) -> None:
    """Set each unsure Juilland's D of a ``_tables.DispersionTable``, computed exactly."""
    for i in table.unsure():
        table.set_juilland(i, int(exact_juilland(table.freqs(i), table.parts).scaleb(DIGITS)))


class DispersionBatches:
    """The dispersion table of a spilled count by part, merged from disk as it is read
    (`wordfreq.reduce.keyed`): iterates as `DispersionRow` values, and writes its TSV a batch at a time
    in C."""

    def __init__(self, table: KeyedOnDisk):
        self.table = table

    def __iter__(self) -> Iterator[DispersionRow]:
        for batch in self.table.batches():
            yield from CompiledDispersion(batch)

    def tsv_batches(self) -> Iterator[bytes | str]:
        for batch in self.table.batches():
            yield CompiledDispersion(batch).tsv(0, len(batch))


class CompiledDispersion:
    """A ``_tables.DispersionTable`` as the dispersion table: iterates as `DispersionRow` values, a batch
    at a time, and writes its TSV lines in C."""

    def __init__(self, table: Any):
        self.table = table

    def __len__(self) -> int:
        return len(self.table)

    def __iter__(self) -> Iterator[DispersionRow]:
        def fixed(q: int | None) -> Decimal | None:
            return None if q is None else Decimal(q).scaleb(-DIGITS)

        for start in range(0, len(self.table), _BATCH):
            for token, f, pm, parts, dp, dp_norm, d in self.table.rows(start, start + _BATCH):
                yield DispersionRow(token, f, fixed(pm), parts, fixed(dp), fixed(dp_norm), fixed(d))  # type: ignore[arg-type]

    def tsv(self, start: int, stop: int) -> bytes | str:
        lines = self.table.tsv(start, stop)
        if lines is None:  # a row with a tab or a line break: never a token, but said as Python says it
            return "".join("\t".join(_fields(row)) + "\n" for row in itertools.islice(self, start, stop))
        return lines  # type: ignore[no-any-return]
