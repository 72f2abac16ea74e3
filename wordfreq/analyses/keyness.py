"""Keyness: which tokens are relatively more frequent in one corpus (A) than in another (B).

This module owns the comparison of two frequency tables -- the statistics,
their order and filters, the significance thresholds, and how the rows of
``wordfreq compare`` are written.  For a token counted ``a`` times in A and
``b`` times in B, where the corpus sizes ``N_a`` and ``N_b`` are the tables'
total counts and ``N = N_a + N_b``:

* ``per_million_a``, ``per_million_b``: ``a / N_a * 10**6``, ``b / N_b * 10**6``;
* ``ll``: Dunning's log-likelihood G² as Rayson & Garside (2000) compute it
  for keywords, over the token's two cells only: expected values
  ``E_a = N_a (a + b) / N`` and ``E_b = N_b (a + b) / N``, and
  ``G² = 2 (a ln(a / E_a) + b ln(b / E_b))``, a zero count's term being 0.
  Always >= 0: it says how sure we can be that the difference is not chance
  (a significance statistic, chi-square with one degree of freedom), not how
  big the difference is;
* ``p``: the probability of a G² at least this large if A and B used the
  token equally, ``erfc(sqrt(G² / 2))`` (0.0 once it is below the smallest
  double, from G² of about 1,480 up);
* ``log_ratio``: Hardie's Log Ratio (2014), as CQPweb computes it,
  ``log2((a' / N_a) / (b' / N_b))`` with ``a' = a``, or 0.5 when ``a`` is 0,
  and ``b'`` alike: an effect size, +1 meaning twice as frequent in A, -1
  half as frequent.  (With a zero count, its sign can disagree with the
  frequencies: a token absent from a small A and once in a huge B gets a
  positive Log Ratio, yet is a negative keyword.)
* ``pct_diff``: Gabrielatos & Marchi's (2012) %DIFF,
  ``(nf_a - nf_b) / nf_b * 100`` with the frequencies per million: an effect
  size, +100 meaning twice as frequent in A, -100 absent from A.  When ``b``
  is 0, ``nf_b`` is taken as ``1e-18`` (per million), as Gabrielatos does, so
  %DIFF is finite but enormous (about ``nf_a * 1e20``; tokens only in A are
  ordered by their frequency in A) and JSON needs no Infinity.

A token is a *positive* keyword when it is relatively more frequent in A
(``a / N_a > b / N_b``, compared exactly, in integers), *negative* when less;
a token exactly as frequent in both is neither.  `compare` lists positive
keywords first, then negative ones, then those that are neither, each group
strongest first by the chosen statistic (G² descending; Log Ratio or %DIFF
descending for positive keywords, ascending for negative ones), ties by G²
descending, then by token in code-point order.

Significance: ``p`` keeps the tokens whose G² reaches the critical value of
chi-square with one degree of freedom at ``p`` (3.84 at 0.05, 6.63 at 0.01,
10.83 at 0.001, 15.14 at 0.0001); with ``bonferroni``, at ``p`` divided by
the number of tokens compared (those that pass ``min_count``).
`critical_value` computes these by inverting ``erfc`` by bisection.
``min_count`` keeps the tokens counted at least that many times in A and B
together (``a + b``), before anything is tested.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from wordfreq.errors import InputError, OptionError, OutputError
from wordfreq.reduce.order import Row, in_batches
from wordfreq.tables.formats import FORMATS, WRITE_BATCH, csv_field
from wordfreq.tables.frames import Columns, Frames, float_column, int_column, text_column
from wordfreq.tables.parquet import csv_lines, write_parquet

KEYNESS_SORTS = ("ll", "log-ratio", "pct-diff")  # what `compare` may sort by
ONLY = ("positive", "negative")  # the keywords `compare` may keep alone
STANDARD_P = (0.05, 0.01, 0.001, 0.0001)  # the cut-offs of `wordfreq compare --p`
PCT_DIFF_ZERO = 1e-18  # %DIFF: the normalised frequency used for a zero in B (Gabrielatos's)
PER = 1_000_000  # relative frequencies are per million tokens
COLUMNS = (
    "token",
    "count_a",
    "count_b",
    "per_million_a",
    "per_million_b",
    "ll",
    "p",
    "log_ratio",
    "pct_diff",
)
PARQUET_COLUMNS = tuple(
    (column, "VARCHAR" if column == "token" else "BIGINT" if column.startswith("count") else "DOUBLE")
    for column in COLUMNS
)


@dataclass(frozen=True)
class KeyRow:
    """One token compared: its counts in A and B and the statistics of the module docstring."""

    token: str
    count_a: int
    count_b: int
    per_million_a: float
    per_million_b: float
    ll: float
    log_ratio: float
    pct_diff: float
    sign: int  # +1: relatively more frequent in A; -1: in B; 0: equally frequent

    @property
    def positive(self) -> bool:
        """Whether the token is relatively more frequent in A than in B."""
        return self.sign > 0

    @property
    def p(self) -> float:
        """The p-value of ``ll``: chi-square with one degree of freedom."""
        return p_value(self.ll)


def p_value(g2: float) -> float:
    """The probability that chi-square with one degree of freedom is at least ``g2``."""
    return math.erfc(math.sqrt(max(g2, 0.0) / 2))


def critical_value(p: float, tests: int = 1) -> float:
    """The G² that a difference must reach to be significant at ``p`` (Bonferroni-corrected over ``tests``).

    The inverse of chi-square(1)'s survival function ``erfc(sqrt(x / 2))`` at
    ``p / tests``, by bisection to the last bit: 3.841... at 0.05.
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p < 1:
        raise OptionError("p", f"p must be a probability between 0 and 1 (exclusive), not {p!r}")
    if isinstance(tests, bool) or not isinstance(tests, int) or tests < 1:
        raise OptionError("bonferroni", f"the number of tests must be a whole number >= 1, not {tests!r}")
    q = p / tests
    low, high = 0.0, 1.0  # bounds of z = sqrt(x / 2), where erfc(z) = q
    while math.erfc(high) > q:
        low, high = high, high * 2
    while True:
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if math.erfc(middle) > q:
            low = middle
        else:
            high = middle
    return 2 * high * high


def log_likelihood(a: int, b: int, n_a: int, n_b: int) -> float:
    """G² of counts ``a`` in ``n_a`` tokens and ``b`` in ``n_b`` (Rayson & Garside's two-cell form)."""
    total, both = n_a + n_b, a + b
    return g2([(a, n_a * both, total), (b, n_b * both, total)])


def g2(cells: Iterable[tuple[int, int, int]]) -> float:
    """G² = 2 sum(O ln(O / E)) over ``cells``, each (O, m, n) with E = m / n, whose O and E have the same
    sum (0 ln 0 = 0): the one definition of keyness's two cells and of a collocate's 2x2 table.

    Summed as 2 sum(O ln(O/E) - (O - E)), whose terms are all >= 0 (no
    cancellation), each E ((1 + u) ln(1 + u) - u) with u = O/E - 1 from
    exact integers, by its series where u is small: the textbook sum loses
    digits where O is near E.
    """
    terms = []
    for o, m, n in cells:
        if m == 0:
            continue  # E = 0, and then O = 0
        e = m / n
        terms.append(e if o == 0 else e * _one_plus_u_log((o * n - m) / m))
    return 2 * math.fsum(terms)


def _one_plus_u_log(u: float) -> float:
    """(1 + u) ln(1 + u) - u, accurate near 0 (where it is u²/2 - u³/6 + u⁴/12 - ...)."""
    if abs(u) > SERIES_BELOW:
        return (1 + u) * math.log1p(u) - u
    return one_plus_u_log_series(u)


SERIES_BELOW = 1e-3  # where |u| is at most this, (1 + u) ln(1 + u) - u is summed by its series


def one_plus_u_log_series(u: Any) -> Any:
    """(1 + u) ln(1 + u) - u near 0 (a float, or a numpy array): the sum over k >= 2 of (-1)^k u^k /
    (k (k - 1)), to k = 8 (|u|^7 / 56 < 2e-23 of u^2 / 2 where |u| <= 1e-3)."""
    return u * u * (1 / 2 - u * (1 / 6 - u * (1 / 12 - u * (1 / 20 - u * (1 / 30 - u * (1 / 42 - u / 56))))))


def log_ratio(a: int, b: int, n_a: int, n_b: int) -> float:
    """Hardie's Log Ratio: log2 of the ratio of relative frequencies, a zero count taken as 0.5."""
    halves_a, halves_b = 2 * a or 1, 2 * b or 1  # twice the counts, 0 -> 0.5 * 2: exact integers
    return math.log2((halves_a * n_b) / (n_a * halves_b))


def pct_diff(a: int, b: int, n_a: int, n_b: int) -> float:
    """Gabrielatos & Marchi's %DIFF, per-million frequencies, ``nf_b`` 1e-18 when ``b`` is 0."""
    if b:
        return (a * n_b - b * n_a) * 100 / (b * n_a)  # exact integers, rounded once
    return (a * PER / n_a - PCT_DIFF_ZERO) / PCT_DIFF_ZERO * 100


def key_row(token: str, a: int, b: int, n_a: int, n_b: int) -> KeyRow:
    """The `KeyRow` of a token counted ``a`` times in A (``n_a`` tokens) and ``b`` in B (``n_b``)."""
    difference = a * n_b - b * n_a
    return KeyRow(
        token=token,
        count_a=a,
        count_b=b,
        per_million_a=a * PER / n_a,
        per_million_b=b * PER / n_b,
        ll=log_likelihood(a, b, n_a, n_b),
        log_ratio=log_ratio(a, b, n_a, n_b),
        pct_diff=pct_diff(a, b, n_a, n_b),
        sign=(difference > 0) - (difference < 0),
    )


def token_counts(rows: Iterable[Row]) -> Counter[str]:
    """Each token's count in a table's rows (two or three columns: docs are ignored; repeats summed)."""
    counts: Counter[str] = Counter()
    for row in rows:
        counts[row[0]] += row[1]
    return counts


def compare(
    a: Mapping[str, int],
    b: Mapping[str, int],
    *,
    sort: str = "ll",
    only: str | None = None,
    min_count: int = 1,
    p: float | None = None,
    bonferroni: bool = False,
    names: Sequence[str] = ("A", "B"),
) -> Keywords:
    """Compare the token counts ``a`` (corpus A) with ``b`` (corpus B), one `KeyRow` per token.

    Every token with ``a[t] + b[t] >= min_count`` (default 1: every token
    counted in either) is compared, A's and B's sizes being the sums of
    their counts; the rows come in the order of the module docstring, by
    ``sort`` (``"ll"``, ``"log-ratio"`` or ``"pct-diff"``).  ``only``
    (``"positive"`` or ``"negative"``) keeps those keywords alone; ``p``
    keeps the tokens whose G² reaches `critical_value` at ``p``, divided by
    the number of tokens compared with ``bonferroni``.  A bad option raises
    `OptionError`; a corpus whose counts sum to 0 raises `InputError`,
    naming it by ``names``; a negative count raises `ValueError`.
    """
    if sort not in KEYNESS_SORTS:
        raise OptionError("sort", f"unknown sort {sort!r} (choose from {', '.join(KEYNESS_SORTS)})")
    if only is not None and only not in ONLY:
        raise OptionError("only", f"unknown keywords {only!r} (choose from {', '.join(ONLY)}, or None)")
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise OptionError("min_count", f"min_count must be a whole number of at least 1, not {min_count!r}")
    if bonferroni and p is None:
        raise OptionError("bonferroni", "a Bonferroni correction needs a p cut-off to correct")
    if p is not None:
        critical_value(p)  # checks p
    n_a, n_b = _size(a, names[0]), _size(b, names[1])
    compared = [
        key_row(token, count, b.get(token, 0), n_a, n_b)
        for token, count in a.items()
        if count + b.get(token, 0) >= min_count
    ]
    compared += [
        key_row(token, 0, count, n_a, n_b)
        for token, count in b.items()
        if token not in a and count >= min_count
    ]
    rows = compared
    if p is not None:
        threshold = critical_value(p, len(compared) if bonferroni and compared else 1)
        rows = [row for row in rows if row.ll >= threshold]
    if only is not None:
        wanted = 1 if only == "positive" else -1
        rows = [row for row in rows if row.sign == wanted]
    rows.sort(key=lambda row: row.token)
    rows.sort(key=lambda row: row.ll, reverse=True)
    if sort != "ll":
        field = "log_ratio" if sort == "log-ratio" else "pct_diff"
        # Strongest first: descending for positive keywords, ascending for negative ones.
        rows.sort(key=lambda row: -getattr(row, field) if row.sign >= 0 else getattr(row, field))
    rows.sort(key=lambda row: (2, 0, 1)[row.sign])  # positive (+1) first, then negative (-1), then 0
    return Keywords(rows)


class Keywords(list[KeyRow], Frames):
    """The rows of `compare`, a list that also becomes a DataFrame of `COLUMNS` (`to_polars`...)."""

    def columns(self) -> Columns:
        figures = [float_column(name, [getattr(row, name) for row in self]) for name in COLUMNS[3:]]
        counts = [int_column(name, (getattr(row, name) for row in self)) for name in COLUMNS[1:3]]
        return Columns(len(self), (text_column("token", [row.token for row in self]), *counts, *figures))


def _size(counts: Mapping[str, int], name: str) -> int:
    if any(count < 0 for count in counts.values()):
        raise ValueError(f"{name}: counts must not be negative")
    size = sum(counts.values())
    if size == 0:
        raise InputError(f"{name} has no tokens (its counts sum to 0): there is nothing to compare with")
    return size


# --- writing ------------------------------------------------------------------


def _fields(row: KeyRow) -> tuple[str, ...]:
    """The columns of a row as TSV and CSV show them (JSON Lines keeps full precision)."""
    pct = f"{row.pct_diff:.2f}" if abs(row.pct_diff) < 1e9 else f"{row.pct_diff:.4e}"
    return (
        row.token,
        str(row.count_a),
        str(row.count_b),
        f"{row.per_million_a:.2f}",
        f"{row.per_million_b:.2f}",
        f"{row.ll:.2f}",
        f"{row.p:.3g}",
        f"{row.log_ratio:.3f}",
        pct,
    )


def _tsv_lines(rows: Sequence[KeyRow]) -> str:
    bad = next((row.token for row in rows if "\t" in row.token or "\n" in row.token), None)
    if bad is not None:
        raise OutputError(f"token {bad!r} contains a tab or a line break: write CSV or JSONL, not TSV")
    return "".join(["\t".join(_fields(row)) + "\n" for row in rows])


def _csv_lines(rows: Sequence[KeyRow]) -> str:
    return "".join([",".join(map(csv_field, _fields(row))) + "\n" for row in rows])


def _jsonl_lines(rows: Sequence[KeyRow]) -> str:
    return "".join([json.dumps(_record(row), ensure_ascii=False) + "\n" for row in rows])


def _parquet_lines(rows: Iterable[KeyRow]) -> Iterator[bytes]:
    for batch in in_batches(rows, WRITE_BATCH):
        yield csv_lines([[getattr(row, column) for column in COLUMNS] for row in batch]).encode("utf-8")


def _record(row: KeyRow) -> dict[str, object]:
    return {column: getattr(row, column) for column in COLUMNS}


_LINES = {"tsv": _tsv_lines, "csv": _csv_lines, "jsonl": _jsonl_lines}


def write_keyness(rows: Iterable[KeyRow], out: BinaryIO, fmt: str = "tsv") -> None:
    """Write ``rows`` to the binary stream ``out`` as ``fmt``: ``tsv``, ``csv`` or ``jsonl``.

    TSV and CSV start with a header line naming the `COLUMNS` (this is a
    report, not a frequency table: `read_table` does not read it), then one
    line per row: counts as integers, frequencies per million, G² and %DIFF
    with 2 decimals (%DIFF in scientific notation from 1e9 up), p with 3
    significant digits, Log Ratio with 3 decimals.  JSON Lines has one object
    per row with `COLUMNS` as keys, every number at full precision; Parquet,
    typed columns of the same names (`PARQUET_COLUMNS`), full precision.  A token
    with a tab or a line feed cannot be written as TSV: `OutputError`.
    """
    if fmt == "parquet":
        write_parquet(PARQUET_COLUMNS, _parquet_lines(rows), out)
        return
    if fmt not in _LINES:
        raise OptionError("output_format", f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    lines = _LINES[fmt]
    if fmt == "tsv":
        out.write(("\t".join(COLUMNS) + "\n").encode())
    elif fmt == "csv":
        out.write((",".join(COLUMNS) + "\n").encode())
    for batch in in_batches(rows, WRITE_BATCH):
        out.write(lines(batch).encode("utf-8"))
