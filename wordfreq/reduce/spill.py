"""Spilling: counts that outgrow the memory budget go to disk, and come back merged, exactly.

A run has a memory budget (``RunOptions.memory``), shared evenly by the
processes that hold counts: the parent and each worker.  A process whose
partial count would pass its share (`Spill.over`, an estimate from the
number of rows and the size of a sample of them) writes it as a *run* to
the run's temporary directory and starts again from nothing (`Spill.write`),
as SRILM's ``make-batch-counts`` and KenLM's ``lmplz`` do.  A run is packed
(`wordfreq.reduce.runs`): its rows, and with document counts the documents
they occur in, split into partitions by a hash of the row; once every task is
counted, and only if anything was spilled, the parent writes what it still
holds as a run too, and the runs are merged a partition at a time in compiled
code (`merged_runs`).

Where a run cannot be packed (a row UTF-8 cannot encode, a count by part)
it is text: ``row<TAB>count<TAB>documents`` per line (rows never hold a tab
or a line feed), and, for the documents cut into several tasks,
``row<TAB>document`` lines in runs of their own, since such a document is
counted once however many runs hold its rows.  `SpilledTable` merges text
runs with DuckDB, an embedded engine built for aggregating more than memory
holds (it spills to the same directory under the same budget): the sum of
each row's counts and documents, the rows below ``min_count`` left out, in
table order (count descending, then row in code-point order, which is
DuckDB's order of UTF-8 strings), cut to ``max_rows``.  Either way the rows
are read back in batches as they are written out, so the table is never
whole in memory.

`SpillDir` owns the temporary directory: made at the start of a run,
removed on success, on error and on interruption, and by the result that
still reads from it once it is closed.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sys
import tempfile
import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from wordfreq.errors import OptionError, OutputError
from wordfreq.reduce.runs import (
    PartitionedTable,
    compiled,
    disk_full,
    document_tables,
    is_packed_run,
    merge_packed_runs,
    packed_run_lines,
    write_packed_run,
)

if TYPE_CHECKING:
    from wordfreq.counting.tasks import PartialCount
    from wordfreq.reduce.packs import Pack

_ROW_OVERHEAD = 100  # bytes a Counter spends on a row besides its string: slot, hash table slack, count
_SAMPLE = 64
_FETCH_ROWS = 1 << 16
_COLUMNS = "{'token': 'VARCHAR', 'n': 'BIGINT', 'd': 'BIGINT'}"
_OPEN_COLUMNS = "{'token': 'VARCHAR', 'doc': 'VARCHAR'}"
MIN_SQL_MEMORY = 128 << 20  # below this, DuckDB's aggregates, windows and joins fail rather than spill
MISSING_DUCKDB = "merging spilled counts needs the duckdb package: pip install duckdb"


def physical_memory() -> int | None:
    """This machine's memory in bytes, where the platform says."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def estimate_bytes(like: Iterable[str], rows: int) -> int:
    """About how much memory ``rows`` rows take, their strings sized like the first few of ``like``."""
    if not rows:
        return 0
    sample = list(itertools.islice(like, _SAMPLE))
    per_row = _ROW_OVERHEAD + (sum(map(sys.getsizeof, sample)) // len(sample) if sample else 64)
    return rows * per_row


def counts_over_budget(counts: Mapping[str, int], docs: Mapping[str, int] | None, budget: int) -> bool:
    """Whether ``counts`` (and ``docs``) take more than ``budget`` bytes."""
    if len(counts) * _ROW_OVERHEAD <= budget:
        return False  # the usual case, decided without a sample
    return estimate_bytes(counts, len(counts) + len(docs or ())) > budget


class SpillDir:
    """The temporary directory of one run (see the module docstring)."""

    def __init__(self, parent: str | None):
        try:
            self.path = tempfile.mkdtemp(prefix="wordfreq-", dir=parent)
        except OSError as err:
            where = parent or tempfile.gettempdir()
            raise OptionError(
                "temp_dir", f"cannot make a temporary directory in {where}: {err.strerror}"
            ) from None
        self._removal = weakref.finalize(self, shutil.rmtree, self.path, True)

    def remove(self) -> None:
        self._removal()


@dataclass(frozen=True)
class Spill:
    """What a process needs to spill: its share of the budget, and where runs go."""

    budget: int  # bytes of counts one process may hold
    directory: str
    packed: bool = False  # rows (and document counts) go to packed runs (`wordfreq.reduce.runs`), not text
    sep: bytes = b""  # rows are keys, partitioned by their bytes before it (`runs.write_packed_run`)

    def over(self, part: PartialCount, extra: int = 0) -> bool:
        """Whether ``part`` (and ``extra`` bytes held beside it, e.g. its packed rows) take more than
        this process's share."""
        if (len(part.counts) * _ROW_OVERHEAD + extra <= self.budget) and not part.open_docs:
            return False  # the usual case, decided without a sample
        rows = len(part.counts) + len(part.docs) + sum(len(rows) for rows in part.open_docs.values())
        return estimate_bytes(part.counts or part.docs, rows) + extra > self.budget

    def write_rows(
        self, rows: Iterable[tuple[str, int]], docs: Mapping[str, int] | None, packs: Iterable[Pack] = ()
    ) -> str:
        """Write a run of ``rows`` (with their ``docs``, else 0) and of the rows of ``packs`` (sorted or
        not; formatted in C, `wordfreq.reduce.packs.run_lines`), and return its path; a row may come more
        than once (the merge sums them)."""
        from wordfreq.reduce.packs import run_lines

        fd, path = tempfile.mkstemp(prefix="run-", suffix=".tsv", dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as f:
                get = docs.get if docs else (lambda row, default: default)
                batches = iter(rows)
                while batch := list(itertools.islice(batches, _FETCH_ROWS)):
                    f.write("".join(f"{row}\t{n}\t{get(row, 0)}\n" for row, n in batch).encode())
                for packed in packs:
                    f.write(run_lines(packed))
        except OSError as err:
            raise self._full(err) from None
        return path

    def _write_packed(self, part: PartialCount) -> bool:
        """Write ``part`` as a packed run, its document counts labelled (`wordfreq.reduce.runs`), and
        empty it; False, and nothing written, when its document counts or its rows do not pack."""
        from wordfreq.reduce.packs import pack

        packs, labels = list(part.packs), [""] * len(part.packs)
        documents = document_tables(part)
        for label, table in documents:
            packed = pack(table)
            if packed is None:
                return False
            packs.append(packed)
            labels.append(label)
        rest = pack(part.counts) if part.counts else None
        if part.counts and rest is None:
            if documents:
                return False
            part.runs.append(self.write_rows(part.counts.items(), None))
        elif rest is not None:
            packs.append(rest)
            labels.append("")
        if packs:
            part.runs.append(write_packed_run(self.directory, packs, labels=labels, sep=self.sep))
        part.counts.clear()
        part.docs.clear()
        part.open_docs = {}
        part.packs = []
        return True

    def _full(self, err: OSError) -> OutputError:
        return disk_full(self.directory, err)

    def write(self, part: PartialCount) -> None:
        """Write ``part``'s (finished) rows, its packed ones as they are, as runs, and empty it; the runs'
        paths go to ``part.runs``.  The rows go to a packed run when ``packed`` (plain rows UTF-8 cannot
        encode, to a text run; with document counts, all of them when any does not pack)."""
        if self.packed and compiled() and self._write_packed(part):
            return
        part.runs.append(self.write_rows(part.counts.items(), part.docs, part.packs))
        try:
            if part.open_docs:
                fd, path = tempfile.mkstemp(prefix="open-", suffix=".tsv", dir=self.directory)
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                    for doc, rows in part.open_docs.items():
                        name = json.dumps(doc)  # one line, no tab
                        f.write("".join(f"{row}\t{name}\n" for row in rows))
                part.open_runs.append(path)
        except OSError as err:
            raise self._full(err) from None
        part.counts.clear()
        part.docs.clear()
        part.open_docs = {}
        part.packs = []


def merged_runs(
    directory: SpillDir,
    runs: list[str],
    open_runs: list[str],
    *,
    min_count: int,
    max_rows: int | None,
    memory: int,
    threads: int,
    sep: bytes = b"",
    docs: bool = False,
) -> SpilledTable | PartitionedTable:
    """The table of a run that spilled ``runs`` (and ``open_runs``), with document counts when ``docs``:
    merged from packed runs (`wordfreq.reduce.runs.PartitionedTable`) when all are packed, else by
    DuckDB (`SpilledTable`), the packed ones first written as text."""
    if runs and not open_runs and all(map(is_packed_run, runs)):
        return merge_packed_runs(
            directory, runs, min_count=min_count, max_rows=max_rows, memory=memory, sep=sep, docs=docs
        )
    text, opened = [], list(open_runs)
    for run in runs:
        if not is_packed_run(run):
            text.append(run)
            continue
        for is_open, path in _as_text_runs(directory.path, run):
            (opened if is_open else text).append(path)
    return SpilledTable(
        directory, text, opened, min_count=min_count, max_rows=max_rows, memory=memory, threads=threads
    )


def _as_text_runs(directory: str, run: str) -> list[tuple[bool, str]]:
    """A packed run as text runs: (whether it is an open run, its path) of each, its rows' and, when it
    holds documents cut into tasks, theirs."""
    files: dict[bool, tuple[str, Any]] = {}
    try:
        for is_open, lines in packed_run_lines(run):
            if is_open not in files:
                prefix = "open-" if is_open else "run-"
                fd, path = tempfile.mkstemp(prefix=prefix, suffix=".tsv", dir=directory)
                files[is_open] = (path, os.fdopen(fd, "wb"))
            files[is_open][1].write(lines)
    except OSError as err:
        raise disk_full(directory, err) from None
    finally:
        for _, f in files.values():
            f.close()
    os.remove(run)
    return [(is_open, path) for is_open, (path, _) in files.items()]


def in_sql(table: SpilledTable | PartitionedTable, memory: int) -> SpilledTable:
    """``table`` in DuckDB, for an analysis in SQL (`wordfreq.analyses.discovery`): itself, or a
    `PartitionedTable`'s rows as one text run (in its directory, which the result then owns)."""
    if isinstance(table, SpilledTable):
        return table
    run = Spill(memory, table.directory.path).write_rows(iter(table.rows()), None)  # type: ignore[arg-type]
    return SpilledTable(table.directory, [run], [], min_count=1, max_rows=None, memory=memory, threads=1)


class SpilledTable:
    """The merged table of a run that spilled (see the module docstring)."""

    def __init__(
        self,
        directory: SpillDir,
        runs: list[str],
        open_runs: list[str],
        *,
        min_count: int,
        max_rows: int | None,
        memory: int,
        threads: int,
    ):
        try:
            import duckdb
        except ImportError:
            raise OutputError(MISSING_DUCKDB) from None
        self.directory = directory
        self._db: Any = duckdb.connect()
        self._db.execute(f"SET memory_limit = '{max(memory, 1 << 24) >> 20}MB'")
        self._db.execute("SET temp_directory = ?", [os.path.join(directory.path, "duckdb")])
        self._db.execute(f"SET threads = {max(1, threads)}")
        self._db.execute("SET preserve_insertion_order = false")
        merged = f"SELECT token, SUM(n) AS n, SUM(d) AS d FROM {_scan(runs, _COLUMNS)} GROUP BY token"
        if open_runs:
            scan = _scan(open_runs, _OPEN_COLUMNS)
            opened = f"SELECT token, COUNT(DISTINCT doc) AS d FROM {scan} GROUP BY token"
            merged = (
                f"SELECT m.token, m.n, m.d + COALESCE(o.d, 0) AS d "
                f"FROM ({merged}) m LEFT JOIN ({opened}) o USING (token)"
            )
        query = f"SELECT token, n::BIGINT AS n, d::BIGINT AS d FROM ({merged}) WHERE n >= {int(min_count)}"
        if max_rows is not None:
            query += f" ORDER BY n DESC, token LIMIT {int(max_rows)}"
        from wordfreq.signals import signals_to

        try:
            with signals_to(self._db.interrupt):
                self._db.execute(f"CREATE TABLE merged AS {query}", runs + open_runs)
                types, tokens = self._db.execute(
                    "SELECT COUNT(*), COALESCE(SUM(n), 0) FROM merged"
                ).fetchone()
        except duckdb.Error as err:
            raise OutputError(f"{directory.path}: merging the spilled counts failed: {err}") from None
        self.types, self.tokens = int(types), int(tokens)

    @property
    def connection(self) -> Any:
        """The DuckDB connection that holds the table, ``merged(token, n, d)``, for analyses in SQL."""
        return self._db

    def rows(self, docs: bool) -> Iterator[tuple[Any, ...]]:
        """The rows in table order, in batches from disk: (row, count) or (row, count, documents)."""
        columns = "token, n, d" if docs else "token, n"
        cursor = self._db.execute(f"SELECT {columns} FROM merged ORDER BY n DESC, token")
        while batch := cursor.fetchmany(_FETCH_ROWS):
            yield from batch

    def close(self) -> None:
        self._db.close()
        self.directory.remove()


def table_on_disk(
    counts: Mapping[str, int], *, memory: int, temp_dir: str | None, threads: int
) -> SpilledTable:
    """``counts`` (that fit in memory) as a `SpilledTable`: one run, for an analysis that works in SQL
    on a table whether or not it outgrew memory (`wordfreq.analyses.discovery`)."""
    directory = SpillDir(temp_dir)
    try:
        run = Spill(memory, directory.path).write_rows(counts.items(), None)
        return SpilledTable(directory, [run], [], min_count=1, max_rows=None, memory=memory, threads=threads)
    except BaseException:
        directory.remove()
        raise


_H = TypeVar("_H", bound="HoldsSpilledTable")


class HoldsSpilledTable:
    """A result whose table may be on disk, in ``spilled``: `close` (or a ``with`` block) removes it."""

    spilled: SpilledTable | None

    def close(self) -> None:
        """Remove the spilled table's files, if any (its rows can no longer be read)."""
        if self.spilled is not None:
            self.spilled.close()

    def __enter__(self: _H) -> _H:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _scan(paths: list[str], columns: str) -> str:
    """DuckDB's reader of tab-separated runs (placeholders for their paths), taken literally."""
    placeholders = ", ".join("?" for _ in paths)
    return (
        f"read_csv([{placeholders}], delim = '\\t', header = false, quote = '', escape = '', "
        f"new_line = '\\n', auto_detect = false, columns = {columns})"
    )
