"""Statistics of a frequency table: size, hapax legomena, coverage, Zipf fit, documents.

`table_stats` reads the rows once, in any order, and keeps only the table's
*frequency spectrum* -- how many rows have each count -- so its memory grows
with the number of distinct counts (at most about ``sqrt(2 * tokens)``), not
with the vocabulary.  Everything below is computed from that spectrum:

* ``tokens``: the sum of the counts; ``types``: the number of rows (a token
  listed twice in an unmerged table is two rows, as in ``wordfreq top``);
* ``hapax``: rows with count 1, and their share of the rows;
* ``coverage[k]``: the share of all tokens in the ``k`` most frequent rows
  (1.0 when the table has no more than ``k`` rows);
* ``zipf_exponent``: ``s`` in ``count ~ C / rank**s``, the negated slope of an
  ordinary least-squares fit of ``log(count)`` on ``log(rank)`` over **the
  rows with count >= 2** (ranks 1, 2, ... in table order).  The hapax rows are
  left out because they are a plateau, not a power law: often half of all
  rows or more, tied at count 1 with arbitrary ranks, and -- the ranks
  being dense at the end in log scale -- they would dominate an unweighted
  fit and flatten it (the sample corpus: 0.58 with them, 0.68 without).
  Rows with count 0 have no logarithm and are left out too.
  ``zipf_rows`` says how many rows were fitted; with fewer than two the
  exponent is ``None``.

A three-column table (with document frequencies) adds one figure, from its
docs column, in one integer of memory:

* ``one_doc``: rows that occur in exactly one document, and their share of
  the rows -- words of one text (names, typos, a topic's terms), which a
  vocabulary may want to leave out even when their count is high.

It is ``None`` for a two-column table, whose JSON then has no ``one_doc``
keys, as before.  Shares of an empty table are ``None`` (JSON ``null``), not 0.

With ``pos`` (a table of ``count --pos``, tokens ``word/tag``), the same pass
also sums the tokens and rows of each tag (``tags``, in memory that grows
with the number of tags): the share of the corpus each part of speech has.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any

from wordfreq.reduce.order import Row

COVERAGE_RANKS = (10, 100, 1_000, 10_000)
ZIPF_MIN_COUNT = 2


@dataclass(frozen=True)
class TableStats:
    """The statistics of one table (see the module docstring for definitions)."""

    tokens: int
    types: int
    hapax: int
    coverage: dict[int, float | None] = field(default_factory=dict)
    zipf_exponent: float | None = None
    zipf_rows: int = 0
    one_doc: int | None = None  # rows in exactly one document; None without a docs column
    tags: dict[str, tuple[int, int]] | None = None  # tag -> (tokens, rows); None unless asked

    def tag_rows(self) -> list[tuple[str, int, float | None, int]]:
        """(tag, tokens, share of all tokens, rows) of each tag, most tokens first."""
        tags = sorted((self.tags or {}).items(), key=lambda item: (-item[1][0], item[0]))
        return [(tag, n, n / self.tokens if self.tokens else None, rows) for tag, (n, rows) in tags]

    @property
    def hapax_share(self) -> float | None:
        """Hapax legomena as a share of the rows (types)."""
        return self.hapax / self.types if self.types else None

    @property
    def one_doc_share(self) -> float | None:
        """Rows in exactly one document as a share of the rows (types)."""
        return self.one_doc / self.types if self.one_doc is not None and self.types else None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; coverage keys are strings ("10", ...); ``one_doc`` keys only with docs."""
        figures = {
            "tokens": self.tokens,
            "types": self.types,
            "hapax": self.hapax,
            "hapax_share": self.hapax_share,
            "coverage": {str(k): v for k, v in self.coverage.items()},
            "zipf_exponent": self.zipf_exponent,
            "zipf_rows": self.zipf_rows,
            "zipf_min_count": ZIPF_MIN_COUNT,
        }
        if self.one_doc is not None:
            figures.update(one_doc=self.one_doc, one_doc_share=self.one_doc_share)
        if self.tags is not None:
            keys = ("tag", "tokens", "share", "rows")
            figures["tags"] = [dict(zip(keys, row)) for row in self.tag_rows()]
        return figures


def frequency_spectrum(rows: Iterable[Row]) -> Counter[int]:
    """How many rows have each count: ``{count: rows}``."""
    return Counter(map(itemgetter(1), rows))


def table_stats(
    rows: Iterable[Row], coverage_ranks: Iterable[int] = COVERAGE_RANKS, pos: bool = False
) -> TableStats:
    """The statistics of the table ``rows`` (any order, either shape), in one streaming pass; with
    ``pos``, the tokens and rows of each tag of its ``word/tag`` tokens too."""
    if pos:
        tags: dict[str, list[int]] = {}

        def tally(rows: Iterable[Row]) -> Iterator[Row]:
            for row in rows:
                entry = tags.setdefault(row[0].rpartition("/")[2], [0, 0])
                entry[0] += row[1]
                entry[1] += 1
                yield row

        found = table_stats(tally(rows), coverage_ranks)
        return replace(found, tags={tag: (n, k) for tag, (n, k) in tags.items()})
    rows = iter(rows)
    first = next(rows, None)
    if first is None or len(first) == 2:
        every = itertools.chain((first,) if first else (), rows)
        return stats_from_spectrum(frequency_spectrum(every), coverage_ranks)
    spectrum: Counter[int] = Counter()
    one_doc = 0
    for row in itertools.chain((first,), rows):
        spectrum[row[1]] += 1
        if row[2] == 1:
            one_doc += 1
    return replace(stats_from_spectrum(spectrum, coverage_ranks), one_doc=one_doc)


def stats_from_spectrum(
    spectrum: Mapping[int, int], coverage_ranks: Iterable[int] = COVERAGE_RANKS
) -> TableStats:
    """The statistics of a table given its frequency spectrum ``{count: rows}``."""
    tokens = sum(count * rows for count, rows in spectrum.items())
    types = sum(spectrum.values())
    levels = sorted(spectrum.items(), reverse=True)  # (count, rows), most frequent first
    exponent, fitted = _zipf_fit(levels)
    return TableStats(
        tokens=tokens,
        types=types,
        hapax=spectrum.get(1, 0),
        coverage={k: _coverage(levels, k, tokens) for k in coverage_ranks},
        zipf_exponent=exponent,
        zipf_rows=fitted,
    )


def _coverage(levels: list[tuple[int, int]], k: int, tokens: int) -> float | None:
    if not tokens:
        return None
    covered, left = 0, k
    for count, rows in levels:
        if left <= 0:
            break
        taken = min(rows, left)
        covered += count * taken
        left -= taken
    return covered / tokens


def _zipf_fit(levels: list[tuple[int, int]]) -> tuple[float | None, int]:
    """Least squares of log(count) on log(rank) over rows with count >= 2."""
    n = 0
    sum_x = sum_y = sum_xx = sum_xy = 0.0
    rank = 0
    for count, rows in levels:
        if count < ZIPF_MIN_COUNT:
            break  # levels are in descending order of count
        y = math.log(count)
        level_x = 0.0
        for r in range(rank + 1, rank + rows + 1):
            x = math.log(r)
            level_x += x
            sum_xx += x * x
        rank += rows
        n += rows
        sum_x += level_x
        sum_y += y * rows
        sum_xy += y * level_x
    denominator = n * sum_xx - sum_x * sum_x
    if n < 2 or denominator <= 0:
        return None, n
    slope = (n * sum_xy - sum_x * sum_y) / denominator
    return -slope + 0.0, n  # + 0.0: no "-0.0" for a flat table


def format_stats(stats: TableStats) -> str:
    """The statistics as aligned, human-readable lines (ending with a newline)."""

    def share(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    lines = [
        ("tokens", f"{stats.tokens:,}"),
        ("types", f"{stats.types:,}"),
        ("hapax legomena", f"{stats.hapax:,} ({share(stats.hapax_share)} of types)"),
    ]
    if stats.one_doc is not None:
        lines.append(("in one document", f"{stats.one_doc:,} ({share(stats.one_doc_share)} of types)"))
    for k, value in stats.coverage.items():
        lines.append((f"top {k:,} coverage", f"{share(value)} of tokens"))
    if stats.zipf_exponent is None:
        zipf = f"n/a (needs 2 rows with count >= {ZIPF_MIN_COUNT})"
    else:
        fitted = f"{stats.zipf_rows:,} rows with count >= {ZIPF_MIN_COUNT}"
        zipf = f"{stats.zipf_exponent:.3f} (least squares over {fitted})"
    lines.append(("zipf exponent", zipf))
    width = max(len(label) for label, _ in lines)
    text = "".join(f"{label:<{width}}  {value}\n" for label, value in lines)
    if stats.tags is None:
        return text
    cells = [("tag", "tokens", "share", "rows")]
    cells += [(tag, f"{n:,}", share(part), f"{k:,}") for tag, n, part, k in stats.tag_rows()]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    aligned = [
        f"{row[0]:<{widths[0]}}  " + "  ".join(f"{c:>{w}}" for c, w in zip(row[1:], widths[1:]))
        for row in cells
    ]
    return text + "\n" + "".join(line + "\n" for line in aligned)
