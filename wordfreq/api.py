"""The Python API: count a corpus, read and select tables.

The CLI is a thin shell over these functions; a notebook can call them
directly::

    from wordfreq import count
    result = count(["corpus/"], workers=2)
    result.counts.most_common(10)

`count` takes the options as two objects (`wordfreq.options`) or as
keywords, and wires the stages together: `sources.list_inputs` finds the inputs,
`chunking.plan_tasks` cuts them into tasks, `concurrency.run_tasks` (or
`dask_engine.run_tasks_on_dask`) counts them, applying the whitespace rule
and the filters to each partial count, and the reducer here applies
``min_count`` and ``max_rows`` to the merged table.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from wordfreq.chunks.parts import SEP, part_codes
from wordfreq.chunks.planning import CHUNK_SIZE, Task, plan_tasks
from wordfreq.counting.options import CountOptions
from wordfreq.counting.rowspec import RowSpec
from wordfreq.counting.tasks import PartialCount
from wordfreq.options import with_keywords
from wordfreq.reduce.keyed import spilled_long_table
from wordfreq.reduce.order import Row, sorted_rows, top_rows
from wordfreq.reduce.packs import PackedRows, PackedTable, merge_packs, pack
from wordfreq.reduce.partial import close_documents, finish, spill_finished, unpack_rows
from wordfreq.reduce.runs import PartitionedTable
from wordfreq.reduce.runs import compiled as runs_compiled
from wordfreq.reduce.spill import (
    HoldsSpilledTable,
    Spill,
    SpillDir,
    SpilledTable,
    estimate_bytes,
    merged_runs,
)
from wordfreq.sources.inputs import Source, list_inputs
from wordfreq.tables.frames import Columns, Frames, counter_columns, packed_columns, table_columns
from wordfreq.tables.long import (
    LongBatches,
    LongRow,
    compiled_long_table,
    long_rows,
    spilled_long_rows,
)
from wordfreq.tokenizers import engine_name
from wordfreq.workers.pool import default_workers, run_tasks
from wordfreq.workers.run_options import RunOptions


@dataclass
class CountResult(HoldsSpilledTable, Frames):
    """A finished count and what it took.

    ``counts`` is the table as a `Counter`, or None when it outgrew the
    memory budget and was spilled to disk: `rows` then streams it from
    there, and `close` (or leaving a ``with`` block) removes the files.
    When the workers' tables were summed packed (`wordfreq.reduce.packs`), the
    table is ``packed`` and the `Counter` is made only when ``counts`` is
    read: `rows`, `tokens` and `types` read the packed table.  A plain table
    reduced on Dask arrives on disk (``spilled``); when it fits the budget,
    reading ``counts`` makes the `Counter` of it (and removes the files).
    `to_arrow`, `to_polars` and `to_pandas` (`wordfreq.frames`) make a
    DataFrame of the rows: ``token``, ``count`` and, with document counts,
    ``docs``.
    """

    _counts: Counter[str] | None
    files: int
    bytes: int
    seconds: float
    bad_bytes: int
    workers: int
    bad_records: int = 0
    engine: str = ""  # what did the tokenizing (see tokenizers.engine_name)
    docs: Counter[str] | None = None  # with document counts: the documents each row occurs in
    documents: int | None = None  # with document counts: how many documents were counted
    ngram: tuple[int, int] = (1, 1)  # the orders counted; tokens and types are of rows then
    spilled: SpilledTable | PartitionedTable | None = None  # the table, when it is on disk
    packed: PackedTable | None = None  # the table, when it was summed packed
    fits_in_memory: bool = False  # whether ``counts`` may be made of ``spilled`` (a Dask table within budget)
    part_rows: RowSpec | None = None  # with parts: what the rows are; the table's rows are then keys
    part_names: dict[str, str] | None = None  # with parts of files: the name each code in the keys stands for
    min_count: int = 1  # with parts, applied per part (long table) or per row (dispersion)
    max_rows: int | None = None  # likewise

    @property
    def counts(self) -> Counter[str] | None:
        """The table as a `Counter` (None when it is on disk); made from the packed table, which it then
        replaces (so that a change to it shows in `rows`)."""
        if self._counts is None and self.packed is not None:
            self.counts = Counter(self.packed.to_dict())
        if self._counts is None and self.spilled is not None and self.fits_in_memory:
            table, self.spilled = self.spilled, None
            rows = list(table.rows(docs=self.documents is not None))
            self.counts = Counter({row[0]: row[1] for row in rows})
            if self.documents is not None:
                self.docs = Counter({row[0]: row[2] for row in rows})
            table.close()
        return self._counts

    @counts.setter
    def counts(self, counts: Counter[str] | None) -> None:
        self._counts = counts
        self.packed = None

    @property
    def tokens(self) -> int:
        """The sum of the counts (of the n-grams, when those were counted)."""
        if self.spilled is not None:
            return self.spilled.tokens
        if self.packed is not None:
            return self.packed.tokens
        assert self.counts is not None
        return sum(self.counts.values())

    @property
    def types(self) -> int:
        """The number of rows."""
        if self.spilled is not None:
            return self.spilled.types
        if self.packed is not None:
            return len(self.packed)
        assert self.counts is not None
        return len(self.counts)

    def summary(self) -> dict[str, object]:
        """The figures of the summary line, for a program (``wordfreq count --summary-json``)."""
        return {
            "files": self.files,
            "bytes": self.bytes,
            "tokens" if self.ngram == (1, 1) else "ngrams": self.tokens,
            "types": self.types,  # with part_by: distinct (part, row) pairs
            "part_by": None if self.part_rows is None else str(self.part_rows.part_by),
            "documents": self.documents,
            "ngram": list(self.ngram),
            "seconds": round(self.seconds, 3),
            "bad_bytes": self.bad_bytes,
            "bad_records": self.bad_records,
            "workers": self.workers,
            "engine": self.engine,
            "merged_on_disk": self.spilled is not None,
            "spilled_bytes": getattr(self.spilled, "spilled_bytes", None),
        }

    def columns(self) -> Columns:
        """The rows as columns, for `to_arrow`, `to_polars` and `to_pandas`: from C for a packed table,
        and for a `Counter` of two columns, packed first; a `Counter` with docs is left to the frame
        library to sort."""
        columns = getattr(self.packed, "columns", None)
        if columns is not None:
            return packed_columns(*columns())
        if self.spilled is None and self.packed is None:
            assert self.counts is not None
            if self.docs is None and (not self.counts or min(self.counts.values()) >= 1):
                packed = pack(self.counts)  # sorted in C, as the workers' tables are summed
                table = merge_packs([packed], 1, None) if packed is not None else None
                if table is not None and hasattr(table, "columns"):
                    return packed_columns(*table.columns())
            return counter_columns(self.counts, self.docs)  # for the frame library to sort
        return table_columns(self.rows())

    def rows(self) -> Iterable[Row]:
        """All rows in table order (count descending, then token); three columns with document counts."""
        if self.spilled is not None:
            return self.spilled.rows(docs=self.documents is not None)
        if self.packed is not None:
            return PackedRows(self.packed)
        assert self.counts is not None
        return sorted_rows(self.counts, self.docs)

    def long_rows(self) -> Iterator[LongRow]:
        """With ``per_part``: the long table (part, row, count), parts in code-point order, then table
        order, ``min_count`` and ``max_rows`` within each part (`wordfreq.tables.long`)."""
        if isinstance(self.spilled, PartitionedTable):
            return iter(self.long_table())
        connection = getattr(self.spilled, "connection", None)  # spilled to DuckDB where not built
        if connection is not None:
            return spilled_long_rows(connection, self.min_count, self.max_rows)
        compiled = compiled_long_table(self.packed, self.min_count, self.max_rows, self.part_names)
        if compiled is not None:
            return iter(compiled)
        return long_rows(self.rows(), self.min_count, self.max_rows)  # type: ignore[arg-type]

    def long_table(self) -> Iterable[LongRow]:
        """`long_rows`, as an object that `write_long_rows` may write as a whole (faster)."""
        if isinstance(self.spilled, PartitionedTable):  # from disk (`wordfreq.reduce.keyed`)
            spilled = spilled_long_table(
                self.spilled, SEP.encode(), self.min_count, self.max_rows, self.part_names
            )
            return LongBatches(spilled)
        compiled = (
            None
            if self.spilled
            else compiled_long_table(self.packed, self.min_count, self.max_rows, self.part_names)
        )
        return compiled if compiled is not None else self.long_rows()


def count(
    paths: Sequence[str | os.PathLike[str]],
    count_options: CountOptions | None = None,
    run_options: RunOptions | None = None,
    *,
    stdin: BinaryIO | None = None,
    progress: Callable[[int], None] | None = None,
    warn: Callable[[str], None] = lambda _: None,
    on_sources: Callable[[list[Source]], None] | None = None,
    **options: Any,
) -> CountResult:
    """Count the tokens of every file under ``paths`` (``-`` is standard input; URLs too).

    ``count_options`` says what is counted and ``run_options`` how the run goes (see
    `wordfreq.options`); any option may also be given as a keyword, by the
    name of the CLI's flag with underscores (``workers=2``, ``no_punct=True``,
    ``user_dict="dict.txt"``, ``stopwords=["的", "了"]``), which sets it on
    ``count_options`` or ``run_options``.  A bad value raises `OptionError`, which names it.

    The counts equal, for every worker count and chunk size, those of running
    the tokenizer over each file's whole text (see the README's definition).
    ``progress`` is called with a number of input bytes as they are counted;
    ``on_sources`` with the list of inputs once they are known.
    Raises `wordfreq.errors.WordfreqError` subclasses on bad input.
    """
    started = time.perf_counter()
    count_options, run_options = with_keywords(
        count_options or CountOptions(), run_options or RunOptions(), options
    )
    sources = corpus_sources(paths, count_options, warn, on_sources)
    n_workers = run_options.workers if run_options.workers is not None else default_workers()
    local = run_options.engine == "local"
    part_by = count_options.rows.part_by
    file_parts: list[str | None] = [None] * len(sources)
    part_names: dict[str, str] | None = None
    if part_by is not None and not part_by.of_records:
        file_parts = [part_by.part_of_file(source.path, source.relative or source.path) for source in sources]
        if runs_compiled():  # short codes in the keys, the names where the tables are written (in C)
            codes = part_codes(name for name in file_parts if name is not None)
            file_parts = [None if name is None else codes[name] for name in file_parts]
            part_names = {code: name for name, code in codes.items()}
    # Rows counted per part are cut to min_count and max_rows per part (or per row), not as keys.
    min_count, max_rows = (1, None) if part_by is not None else (run_options.min_count, run_options.max_rows)

    def tasks() -> Iterator[Task]:
        return corpus_tasks(sources, count_options, run_options, stdin, file_parts)

    partitioned = not local and runs_compiled()
    spill_dir = SpillDir(run_options.temp_dir) if local or partitioned else None
    spilled: SpilledTable | PartitionedTable | None = None
    fits = False
    try:
        if not local:
            from wordfreq.workers.dask_cluster import run_tasks_on_dask

            merged = dict(
                directory=spill_dir,
                min_count=min_count,
                max_rows=max_rows,
                memory=run_options.memory_budget(),
                docs=count_options.rows.doc_freq,
            )
            total, spilled = run_tasks_on_dask(
                tasks(),
                count_options,
                scheduler=run_options.scheduler,
                workers=n_workers,
                batch_bytes=run_options.chunk_size or CHUNK_SIZE,
                progress=progress,
                memory=run_options.memory,
                temp_dir=spill_dir.path if spill_dir is not None and run_options.temp_dir else None,
                table=merged if partitioned else None,
            )
            fits = isinstance(spilled, PartitionedTable) and _fits(spilled, run_options.memory_budget())
        else:
            assert spill_dir is not None
            spill = Spill(
                run_options.memory_budget() // (n_workers + 1),
                spill_dir.path,
                packed=True,
                sep=SEP.encode() if part_by is not None else b"",  # a row's keys in one partition
            )
            total = run_tasks(
                tasks(),
                count_options,
                workers=n_workers,
                batch_bytes=run_options.chunk_size or CHUNK_SIZE,
                start_method=run_options.start_method,
                progress=progress,
                spill=spill,
            )
            if total.runs or total.open_runs:
                spill_finished(total, count_options, spill)
                spilled = merged_runs(
                    spill_dir,
                    total.runs,
                    total.open_runs,
                    min_count=min_count,
                    max_rows=max_rows,
                    memory=run_options.memory_budget(),
                    threads=n_workers,
                    sep=spill.sep,
                    docs=count_options.rows.doc_freq,
                )
    finally:
        if spill_dir is not None and spilled is None:
            spill_dir.remove()
    counts: Counter[str] | None = None
    docs = None
    packed = None
    if spilled is None and total.packs and not count_options.rows.doc_freq:
        # A table by part is made from its keys in key order (a row's keys together for the dispersion;
        # one pass, in memory order, for the long table), not ordered by count first.
        by_key = part_by is not None
        packed = _merge_packed(finish(total, count_options), min_count, max_rows, by_key)
    if spilled is None and packed is None:
        unpack_rows(total)
        counts = finish(total, count_options).counts
        close_documents(total)
        if min_count > 1:
            counts = Counter({token: n for token, n in counts.items() if n >= min_count})
        if max_rows is not None and len(counts) > max_rows:
            counts = Counter(dict(top_rows(counts.items(), max_rows)))
        if count_options.rows.doc_freq:
            docs = Counter({token: total.docs[token] for token in counts})
    documents = None
    if count_options.rows.doc_freq:
        documents = len(sources) if count_options.document_unit == "file" else total.documents
    return CountResult(
        _counts=counts,
        files=len(sources),
        bytes=total.nbytes,
        seconds=time.perf_counter() - started,
        bad_bytes=total.bad_bytes,
        workers=n_workers,
        bad_records=total.bad_records,
        engine=engine_name(count_options.tokenizer),
        docs=docs,
        documents=documents,
        ngram=count_options.rows.ngram,
        spilled=spilled,
        packed=packed,
        fits_in_memory=fits,
        part_rows=count_options.rows if part_by is not None else None,
        part_names=part_names,
        min_count=run_options.min_count,
        max_rows=run_options.max_rows,
    )


def corpus_sources(
    paths: Sequence[str | os.PathLike[str]],
    count_options: CountOptions,
    warn: Callable[[str], None],
    on_sources: Callable[[list[Source]], None] | None,
) -> list[Source]:
    """The inputs under ``paths`` as ``count_options`` select them, told to ``on_sources`` if given: what
    a count, a concordance or anything else that reads the corpus reads."""
    sources = list_inputs(
        paths,
        warn,
        selection=count_options.selection,
        skip_binary=not count_options.decoding.is_wide,
        storage=count_options.storage,
    )
    if on_sources is not None:
        on_sources(sources)
    return sources


def corpus_tasks(
    sources: Sequence[Source],
    count_options: CountOptions,
    run_options: RunOptions,
    stdin: BinaryIO | None = None,
    parts: Sequence[str | None] | None = None,
) -> Iterator[Task]:
    """The tasks of every source, in corpus order, lazily (`chunks.planning.plan_tasks`, cut where
    ``count_options`` allows); with ``parts``, each source's tasks carry its part (a count by file)."""
    cut_points = count_options.cut_points()
    after = sum(source.size or 0 for source in sources)
    for source, part in zip(sources, parts or [None] * len(sources)):
        after -= source.size or 0
        planned = plan_tasks(
            source,
            count_options.decoding,
            cut_points,
            run_options.chunk_size,
            stdin,
            count_options.storage,
            direct=run_options.engine == "local",
            after=after,
        )
        yield from planned if part is None else (dataclasses.replace(task, part=part) for task in planned)


def _fits(table: PartitionedTable, memory: int) -> bool:
    """Whether ``table`` would fit in ``memory`` bytes as a `Counter` (as a table that never spilled)."""
    tokens = (row[0] for row in itertools.islice(iter(table.rows()), 64))
    return estimate_bytes(tokens, table.types) <= memory


def _merge_packed(
    total: PartialCount, min_count: int, max_rows: int | None, by_key: bool = False
) -> PackedTable | None:
    """The finished table of ``total``, whose rows are mostly packed, summed packed (see `packed.merge`;
    in key order with ``by_key``); None when it cannot be (``total`` is then as it was)."""
    packs = list(total.packs)
    if total.counts:
        rest = pack(total.counts)
        if rest is None:
            return None
        packs.append(rest)
    return merge_packs(packs, min_count, max_rows, by_key)
