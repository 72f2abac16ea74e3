"""The table's order and the sum of two tables: what every stage that holds rows agrees on.

A row is ``(token, count)`` or ``(token, count, docs)``; a table is sorted by
count descending, ties by token in code-point order (`sorted_rows`, compiled
in ``_tables.c`` where it was built), so the same counts always give the
same bytes.  `add_table` sums two tables key by key; `top_rows` takes the
first rows of any iterable in table order in O(n) memory.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter
from typing import TypeVar, Union

try:
    from wordfreq.reduce import _tables  # sorting and summing, compiled (_tables.c)
except ImportError:  # pragma: no cover - built wherever the tests run
    _tables = None  # type: ignore[assignment]


Row = Union[tuple[str, int], tuple[str, int, int]]  # (token, count) or (token, count, docs)


_T = TypeVar("_T")


def _order(row: Row) -> tuple[int, str]:
    return -row[1], row[0]


def sorted_rows(counts: Mapping[str, int], docs: Mapping[str, int] | None = None) -> list[Row]:
    """All rows of ``counts`` in table order; with ``docs``, three columns (0 for a token not in it).

    Sorted by compiled code where it was built (`_tables.sort_rows`, which
    compares code points directly); else by two stable sorts (by token, then
    by count, descending), each keyed on one field, several times faster than
    one sort with a tuple key.  The docs are looked up before sorting, in the
    order of ``counts``, which is likely ``docs``' own order too: about twice
    as fast as looking them up in table order.
    """
    if docs is not None:
        get = docs.get
        rows: list[Row] = [(token, count, get(token, 0)) for token, count in counts.items()]
    else:
        rows = list(counts.items())
    if _tables is not None:
        with contextlib.suppress(OverflowError):  # a count beyond 64 bits: Python sorts it
            _tables.sort_rows(rows)
            return rows
    rows.sort(key=itemgetter(0))
    rows.sort(key=itemgetter(1), reverse=True)
    return rows


def add_table(total: Counter[str], part: Mapping[str, int]) -> None:
    """``total.update(part)``: the sum of two tables, key by key (compiled where it was built; into an
    empty ``total``, dict's own copy, which is faster still)."""
    if total and _tables is not None and part is not total:
        _tables.add_counts(total, part)
    else:
        total.update(part)


def top_rows(rows: Iterable[Row], n: int) -> list[Row]:
    """The ``n`` first rows in table order, whatever order ``rows`` come in; memory O(n).

    Either shape; the order ignores the docs column.
    """
    return heapq.nsmallest(n, rows, key=_order)


def in_batches(rows: Iterable[_T], size: int) -> Iterator[list[_T]]:
    """``rows`` as lists of ``size`` (the last one shorter)."""
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


COLUMN_WORDS = {2: "two", 3: "three"}  # a row's length, in messages
