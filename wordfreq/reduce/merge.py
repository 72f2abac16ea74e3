"""Merging whole tables (``wordfreq merge``): the sum of tables read from files, within a memory budget.

Tables of two columns, or all of three (documents); past the budget the sum
is written to runs and merged on disk as a count's are (`wordfreq.reduce.runs`),
to the same rows.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wordfreq.counting.tasks import PartialCount
from wordfreq.errors import InputError
from wordfreq.reduce.order import COLUMN_WORDS, Row, in_batches, sorted_rows
from wordfreq.reduce.runs import PartitionedTable
from wordfreq.reduce.spill import (
    HoldsSpilledTable,
    Spill,
    SpillDir,
    SpilledTable,
    counts_over_budget,
    merged_runs,
)

_MERGE_BATCH = 1 << 16  # rows summed between two looks at the memory budget


@dataclass
class MergedTable(HoldsSpilledTable):
    """The sum of several tables: ``counts``, and ``docs`` when they have three columns (else None).

    When the sum outgrew its memory budget, ``counts`` and ``docs`` are None
    and ``spilled`` holds it on disk: `rows` streams it from there, and
    `close` (or leaving a ``with`` block) removes the files.
    """

    counts: Counter[str] | None
    docs: Counter[str] | None = None
    spilled: SpilledTable | PartitionedTable | None = None
    columns: int = 2

    def rows(self) -> Iterable[Row]:
        """All rows in table order, three columns when the tables had them."""
        if self.spilled is not None:
            return self.spilled.rows(docs=self.columns == 3)
        assert self.counts is not None
        return sorted_rows(self.counts, self.docs)


def _spill(spill: Spill, counts: Counter[str], docs: Counter[str] | None, runs: list[str]) -> None:
    """Write ``counts`` (and ``docs``) as a run, as a count's are, and empty them."""
    part = PartialCount(counts=counts, docs=docs if docs is not None else Counter(), finished=True)
    spill.write(part)
    runs.extend(part.runs)
    counts.clear()
    if docs is not None:
        docs.clear()


def merge_tables(
    tables: Iterable[Iterable[Row]],
    names: Sequence[str] = (),
    *,
    memory: int | None = None,
    temp_dir: str | None = None,
) -> MergedTable:
    """The sum of ``tables``, token by token: counts, and docs of three-column tables.

    Each table is any iterable of rows, sorted or not, and is consumed once, in
    turn, so memory grows with the union of the vocabularies only::

        merge_tables(read_table(path) for path in ["a.tsv", "b.tsv"]).rows()

    With ``memory`` (bytes), the sum is written to runs in a temporary
    directory (in ``temp_dir``) whenever it holds more, and merged there at
    the end (`wordfreq.reduce.spill`), to the same rows.

    Summed docs are the documents of the whole when the tables count disjoint
    sets of documents (the halves of a corpus).  Tables of both shapes raise
    `InputError`, naming them by ``names`` (default: ``table 1``, ...); an
    empty table has either shape.
    """
    counts: Counter[str] = Counter()
    docs: Counter[str] | None = None
    first: tuple[int, str] | None = None  # the columns and name of the first table with a row
    spill: Spill | None = None
    spill_dir: SpillDir | None = None
    runs: list[str] = []
    try:
        for index, table in enumerate(tables):
            rows = iter(table)
            head = next(rows, None)
            if head is None:
                continue
            name = names[index] if index < len(names) else f"table {index + 1}"
            if first is None:
                first = len(head), name
            elif len(head) != first[0]:
                raise InputError(
                    f"{name} has {COLUMN_WORDS[len(head)]} columns and {first[1]} {COLUMN_WORDS[first[0]]}: "
                    "merge tables counted alike, all with document frequencies or none"
                )
            if len(head) == 3 and docs is None:
                docs = Counter()
            for batch in in_batches(itertools.chain((head,), rows), _MERGE_BATCH):
                if docs is None:
                    for token, count in batch:
                        counts[token] += count
                else:
                    for token, count, n in batch:
                        counts[token] += count
                        docs[token] += n
                if memory is None or not counts_over_budget(counts, docs, memory):
                    continue
                if spill is None:
                    spill_dir = SpillDir(temp_dir)
                    spill = Spill(memory, spill_dir.path, packed=True)
                _spill(spill, counts, docs, runs)
        if not runs:
            return MergedTable(counts, docs, columns=first[0] if first else 2)
        assert spill is not None and spill_dir is not None and memory is not None and first is not None
        _spill(spill, counts, docs, runs)
        spilled = merged_runs(
            spill_dir, runs, [], min_count=1, max_rows=None, memory=memory, threads=1, docs=first[0] == 3
        )
        spill_dir = None  # the table owns it now
        return MergedTable(None, None, spilled, columns=first[0] if first else 2)
    finally:
        if spill_dir is not None:
            spill_dir.remove()
