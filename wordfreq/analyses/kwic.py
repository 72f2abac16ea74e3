"""The concordance (Key Word In Context): every occurrence of some words, in its line.

`concordance` reads a corpus as `wordfreq.count` does (the same sources,
decodings, JSON Lines, tokenizer and filters) and gives one `KwicRow` per
occurrence of a node: a kept token of the table equal to one of the words
(`wordfreq.analyses.occurrences`), so that without ``max_rows`` or ``sample`` a
word has exactly as many rows as its count in the table.

The workers (`workers.engines.map_run`: the local pool's, or a Dask
cluster's) find the occurrences of each task, whose lines are whole
(`occurrences.LineCountOptions`); their answers come back in task order,
where the parent names each answer's source (from its own task: a remote
cluster's workers read a relative path made absolute) and numbers the
lines (a task's first line is the sum of the line feeds of the tasks of
its file before it, so no worker counts a file's lines from its start).
The rows are in corpus order (source, line, column, then length where
tokens overlap) for any number of workers, chunk size or engine, and
stream:

* ``max_rows`` stops the run once it has that many (in corpus order), or
  keeps the first that many by the sort, in a heap;
* ``sample`` keeps the occurrences with the ``sample`` smallest keys, a
  keyed hash (BLAKE2b) of the seed and the occurrence's source, line,
  column and length (overlapping tokens may start at one column): a
  uniform sample without replacement, the same for any number of workers
  or chunk size, that a seed reproduces;
* ``sort`` left or right orders by the kept tokens before the node, nearest
  first (AntConc's L1, L2, ...) or after it (R1, R2, ...), ties in corpus
  order; a sort holds rows up to the memory budget, then writes them sorted
  to a run on disk, and the runs are merged as the rows are read.

Made with ``tsv`` (what ``kwic`` asks when it writes every row as TSV in
corpus order), the workers answer with the rows themselves: each row's
cells after its source and line, made in C by the compiled tokenizer
(`occurrences.LineReader.kwic_rows`), and the parent puts the source and
the line numbers in front (`KwicResult.tsv_blocks`): no Python object per
row on either side.
"""

from __future__ import annotations

import collections
import hashlib
import heapq
import itertools
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, NamedTuple

from wordfreq.analyses.occurrences import (
    LineCountOptions,
    LineReader,
    TaskText,
    line_reader,
    task_text,
)
from wordfreq.analyses.specs import KwicSpec, Nodes
from wordfreq.api import corpus_sources, corpus_tasks
from wordfreq.chunks.planning import Task, TextTask
from wordfreq.counting.options import CountOptions
from wordfreq.errors import OptionError, OutputError
from wordfreq.options import with_keywords
from wordfreq.reduce.order import in_batches
from wordfreq.sources.inputs import STDIN, Source, display_name
from wordfreq.tables.parquet import csv_lines, write_parquet
from wordfreq.workers.engines import map_run
from wordfreq.workers.run_options import RunOptions

SORT_TOKENS = 8  # the tokens each side a sort compares (L1..L8, R1..R8)
ROW_OVERHEAD = 400  # bytes a row compiled for a sort takes besides its text (objects, the list)
COLUMNS = ("source", "line", "left", "node", "right")
TSV_HEADER = ("\t".join(COLUMNS) + "\n").encode()


class KwicRow(NamedTuple):
    """One occurrence: its ``source`` (``-`` for standard input), its 1-based ``line`` (a record's line
    with JSON Lines), the ``width`` characters of the line ``left`` of the node, the ``node`` as the
    text has it, those ``right`` of it; ``column`` is where the node starts in the line (0-based),
    ``key`` the kept tokens the sort compares, and ``controls`` whether the line holds control
    characters (a tab...), which a TSV or text row shows as spaces; ``word`` is the word of the nodes the
    row is of (as the table has it: lowercased, ``word/tag``...; with ``regex``, the first pattern that
    matches it)."""

    source: str
    line: int
    left: str
    node: str
    right: str
    column: int = 0
    key: tuple[str, ...] = ()
    controls: bool = False
    word: str = ""

    def cells(self) -> tuple[str, int, str, str, str]:
        return (self.source, self.line, self.left, self.node, self.right)


# One occurrence as a worker finds it: the index of its line in the task, then KwicRow's fields from left.
_Hit = tuple[int, str, str, str, int, tuple[str, ...], bool, str]


@dataclass
class _Answer:
    """What a worker found in one task (its source is the parent's to name: `_source_of`)."""

    first_line: int | None  # the line number of the task's first line, when it is known there
    nbytes: int
    line_feeds: int
    bad_bytes: int
    bad_records: int
    hits: list[_Hit]
    # TSV rows (`KwicWork.tsv`): each row's cells after its source and line, and its line in the task
    cells: bytes = b""
    lines: bytes = b""  # int64, native order


@dataclass(frozen=True)
class KwicWork:
    """The work of one task (run in the workers): its lines that may hold a node are segmented, and each
    node becomes a hit with its context."""

    count_options: CountOptions
    nodes: Nodes
    width: int
    sort: str
    tsv: bool = False  # the answers hold TSV cells (in corpus order), not hits

    def __call__(self, task: Task) -> _Answer:
        text = task_text(task, self.count_options)
        reader = line_reader(self.count_options, self.nodes)
        first_line = task.first_line if isinstance(task, TextTask) else (1 if task.start == 0 else None)
        answer = _Answer(first_line, task.nbytes, text.line_feeds, text.bad_bytes, text.bad_records, [])
        if self.tsv:
            answer.cells, answer.lines = self._tsv(reader, text)
        else:
            answer.hits = self._hits(reader, text)
        return answer

    def _tsv(self, reader: LineReader, text: TaskText) -> tuple[bytes, bytes]:
        """The TSV cells of the task's rows and their lines: segmented, found and written in C where the
        tokenizer can (`LineReader.kwic_rows`), else from the hits."""
        import numpy as np

        if text.text is not None:
            found = reader.kwic_rows_in(text.text, self.width)
            if found is not None:
                return found
        candidates = reader.candidates(text.lines)
        found = reader.kwic_rows([text.lines[i] for i in candidates], self.width) if candidates else None
        if found is None:
            hits = self._hits(reader, text, candidates)
            cells = "".join(
                f"\t{_clean(left)}\t{_clean(node)}\t{_clean(right)}\n" for _, left, node, right, *_ in hits
            )
            lines = np.array([hit[0] for hit in hits], dtype=np.int64)
            return cells.encode("utf-8", "surrogateescape"), lines.tobytes()
        cells, at = found
        lines = np.asarray(candidates, dtype=np.int64)[np.frombuffer(at, dtype=np.int64)]
        if text.numbers is not None:
            lines = np.asarray(text.numbers, dtype=np.int64)[lines]
        return cells, lines.tobytes()

    def _hits(self, reader: LineReader, text: TaskText, candidates: list[int] | None = None) -> list[_Hit]:
        width = self.width
        hits: list[_Hit] = []
        for i in reader.candidates(text.lines) if candidates is None else candidates:
            line = text.lines[i]
            spans = reader.node_spans(line) if self.sort == "source" else None
            if spans is not None:
                if spans:
                    number = text.numbers[i] if text.numbers is not None else i
                    controls = _CONTROL.search(line) is not None
                    for start, end in spans:
                        left, right = line[max(0, start - width) : start], line[end : end + width]
                        node = line[start:end]
                        word = node.lower() if reader.lower else node  # the token: no tags nor patterns here
                        hits.append((number, left, node, right, start, (), controls, word))
                continue
            kept, starts, ends = reader.spans(line)
            found = reader.positions(kept)
            if not found:
                continue
            # Each node's position and word, in order of position (a position is one token: one word).
            at = sorted((p, word) for word, places in found.items() for p in places)
            if reader.overlapping:  # in order of place, not of the tokenizer's order
                at.sort(key=lambda hit: (starts[hit[0]], ends[hit[0]]))
            number = text.numbers[i] if text.numbers is not None else i
            controls = _CONTROL.search(line) is not None
            for p, word in at:
                start, end = starts[p], ends[p]
                key: tuple[str, ...] = ()
                if self.sort != "source":
                    step = -1 if self.sort == "left" else 1
                    key = (
                        reader.placed_neighbours(kept, starts, ends, p, step, SORT_TOKENS)
                        if reader.overlapping
                        else reader.neighbours(kept, p, step, SORT_TOKENS)
                    )
                left, right = line[max(0, start - width) : start], line[end : end + width]
                hits.append((number, left, line[start:end], right, start, key, controls, word))
        return hits


@dataclass
class KwicResult:
    """A concordance under way: `rows` streams it; the figures grow as it is read."""

    spec: KwicSpec
    _answers: Iterator[_Answer]
    _sources: collections.deque[str]  # the source of each task handed to the workers and not yet answered
    memory: int
    temp_dir: str | None = None
    runs: int = 0  # the sorted runs a sort wrote to disk
    files: int = 0
    bytes: int = 0
    bad_bytes: int = 0
    bad_records: int = 0
    rows_out: int = 0
    seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter)

    def rows(self) -> Iterator[KwicRow]:
        """The rows, in the order and number the spec asks."""
        try:
            for row in self._chosen():
                self.rows_out += 1
                yield row
        finally:
            self.close()
        self.seconds = time.perf_counter() - self.started

    def _chosen(self) -> Iterator[KwicRow]:
        spec = self.spec
        rows = self._in_corpus_order()
        if spec.sample is not None:
            chosen = heapq.nsmallest(
                spec.sample, ((_sample_key(spec.seed, row), i, row) for i, row in enumerate(rows))
            )
            picked = [row for _, _, row in sorted(chosen, key=lambda c: c[1])]
            rows = iter(picked)
        if spec.sort != "source":
            if spec.max_rows is not None:
                best = heapq.nsmallest(spec.max_rows, ((row.key, i, row) for i, row in enumerate(rows)))
                rows = (row for _, _, row in best)
            else:
                rows = self._sorted(rows)
        elif spec.max_rows is not None:
            rows = itertools.islice(rows, spec.max_rows)
        return rows

    def tsv_blocks(self) -> Iterator[bytes]:
        """The rows as TSV lines (no header), a block of bytes per task, from a concordance made with
        ``tsv`` (`concordance`): in corpus order, all of them (the spec's sort, ``max_rows`` and
        ``sample`` are `rows`')."""
        from wordfreq.analyses._windows import tsv_rows

        try:
            for answer, source, first in self._numbered():
                if not answer.lines:
                    continue
                self.rows_out += len(answer.lines) // 8
                prefix = (_clean(source) + "\t").encode("utf-8", "surrogateescape")
                yield tsv_rows(prefix, first, answer.lines, answer.cells)
        finally:
            self.close()
        self.seconds = time.perf_counter() - self.started

    def close(self) -> None:
        """Stop the run before its end (``--max``, a report's lines): the workers stop (a Dask cluster's
        too), and the rows not yet read are never made; `rows` and `tsv_blocks` do so as they end or are
        closed."""
        close = getattr(self._answers, "close", None)
        if close is not None:
            close()

    def _numbered(self) -> Iterator[tuple[_Answer, str, int]]:
        """Each answer with its source and the line number of its task's first line (the parent names
        and numbers: see the module docstring), its figures added to the result's."""
        source: str | None = None
        base = 0
        for answer in self._answers:
            named = self._sources.popleft()
            if answer.first_line is not None:
                base = answer.first_line - 1
            elif named != source:
                base = 0
            source = named
            self.bytes += answer.nbytes
            self.bad_bytes += answer.bad_bytes
            self.bad_records += answer.bad_records
            yield answer, source, base + 1
            base += answer.line_feeds

    def _in_corpus_order(self) -> Iterator[KwicRow]:
        for answer, source, first in self._numbered():
            for number, left, node, right, column, key, controls, word in answer.hits:
                yield KwicRow(source, first + number, left, node, right, column, key, controls, word)

    def _sorted(self, rows: Iterable[KwicRow]) -> Iterator[KwicRow]:
        """``rows`` sorted by their keys, ties in corpus order, within the memory budget: rows are held
        until they take the budget, then sorted and written to a run on disk (an anonymous temporary
        file, gone when closed however the run ends); the runs are merged as they are read back, a
        batch of each at a time (`heapq.merge` keeps ties in run order, which is corpus order)."""
        held: list[KwicRow] = []
        size = 0
        runs: list[BinaryIO] = []
        try:
            for row in rows:
                held.append(row)
                size += (
                    ROW_OVERHEAD
                    + 2 * (len(row.left) + len(row.right) + len(row.source))
                    + sum(map(len, row.key))
                )
                if size > self.memory:
                    runs.append(_write_run(sorted(held, key=_row_key), self.temp_dir))
                    held, size = [], 0
            held.sort(key=_row_key)
            if not runs:
                yield from held
                return
            runs.append(_write_run(held, self.temp_dir))
            held = []
            self.runs = len(runs)
            yield from heapq.merge(*map(_read_run, runs), key=_row_key)
        finally:
            for run in runs:
                run.close()

    def summary(self) -> dict[str, object]:
        return {
            "files": self.files,
            "bytes": self.bytes,
            "rows": self.rows_out,
            "seconds": round(self.seconds, 3),
            "bad_bytes": self.bad_bytes,
            "bad_records": self.bad_records,
        }


def _row_key(row: KwicRow) -> tuple[str, ...]:
    return row.key


RUN_BATCH = 4096  # rows pickled together in a sort's run
WRITE_BATCH = 1024  # rows written together


def _write_run(rows: list[KwicRow], temp_dir: str | None) -> BinaryIO:
    """``rows`` (sorted) in a new anonymous temporary file in ``temp_dir``, in pickled batches."""
    import pickle
    import tempfile

    run = tempfile.TemporaryFile(dir=temp_dir, prefix="wordfreq-kwic-")  # noqa: SIM115 - the caller closes it
    try:
        for batch in in_batches(rows, RUN_BATCH):
            pickle.dump([tuple(row) for row in batch], run, protocol=pickle.HIGHEST_PROTOCOL)
        run.seek(0)
    except OSError as err:
        run.close()
        raise OutputError(
            f"cannot write a sorted run to {temp_dir or 'the temporary directory'}: {err}"
        ) from None
    return run  # type: ignore[return-value]


def _read_run(run: BinaryIO) -> Iterator[KwicRow]:
    """The rows of a run of `_write_run`, a batch at a time."""
    import pickle

    while True:
        try:
            batch = pickle.load(run)
        except EOFError:
            return
        yield from map(KwicRow._make, batch)


def _sample_key(seed: int, row: KwicRow) -> bytes:
    """The occurrence's place in a sample: a keyed hash of where it is, the same for any chunking."""
    where = f"{row.source}\0{row.line}\0{row.column}\0{len(row.node)}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(where, digest_size=8, key=str(seed).encode()).digest()


def concordance(
    paths: Sequence[str],
    spec: KwicSpec,
    count_options: CountOptions | None = None,
    run_options: RunOptions | None = None,
    *,
    stdin: BinaryIO | None = None,
    progress: Callable[[int], None] | None = None,
    warn: Callable[[str], None] = lambda _: None,
    on_sources: Callable[[list[Source]], None] | None = None,
    tsv: bool = False,
    **options: Any,
) -> KwicResult:
    """The concordance of ``spec.nodes`` in the corpus under ``paths`` (the options as for
    `wordfreq.count`); read its rows with `KwicResult.rows`, or, made with ``tsv``, every row in corpus
    order as TSV lines with `KwicResult.tsv_blocks` (made in the workers, in C where it can)."""
    count_options, run_options = with_keywords(
        count_options or CountOptions(), run_options or RunOptions(), options
    )
    if not count_options.rows.plain:
        raise OptionError("ngram", "a concordance is of tokens: no n-grams or document counts")
    line_options = LineCountOptions(
        **{name: getattr(count_options, name) for name in count_options.__dataclass_fields__}
    )
    sources = corpus_sources(paths, count_options, warn, on_sources)
    work = KwicWork(line_options, spec.nodes, spec.width, spec.sort, tsv)
    named: collections.deque[str] = collections.deque()
    tasks = _noting_sources(corpus_tasks(sources, line_options, run_options, stdin), named)
    answers = map_run(tasks, work, line_options, run_options, progress)
    result = KwicResult(spec, answers, named, run_options.memory_budget(), run_options.temp_dir)
    result.files = len(sources)
    return result


def _noting_sources(tasks: Iterable[Task], named: collections.deque[str]) -> Iterator[Task]:
    """``tasks``, the source of each added to ``named`` as it is handed out: the answers come back one
    per task, in task order."""
    for task in tasks:
        named.append(_source_of(task))
        yield task


def _source_of(task: Task) -> str:
    """The source a task's rows name: ``-`` for standard input, else its path as the user gave it."""
    return STDIN if task.path == display_name(STDIN) and isinstance(task, TextTask) else task.path


def _clean(text: str) -> str:
    """A cell of a TSV or text row: control characters (tabs, CR...) become spaces."""
    return _CONTROL.sub(" ", text) if _CONTROL.search(text) else text


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise OutputError(
            "a line holds undecodable bytes, which Parquet's text cannot: write tsv or jsonl"
        ) from None


def write_kwic(rows: Iterable[KwicRow], out: BinaryIO, fmt: str, width: int, highlight: bool = False) -> None:
    """Write ``rows`` as ``fmt``: tsv (a header line), jsonl, parquet (typed columns: ``line`` int64, the
    rest text), or text (aligned for a terminal)."""
    import json

    if fmt == "parquet":
        types = [(column, "BIGINT" if column == "line" else "VARCHAR") for column in COLUMNS]
        write_parquet(
            types,
            (_utf8(csv_lines([row.cells() for row in batch])) for batch in in_batches(rows, WRITE_BATCH)),
            out,
        )
        return

    if fmt == "tsv":
        out.write(TSV_HEADER)
        for batch in in_batches(rows, WRITE_BATCH):
            lines = [
                f"{_clean(row.source)}\t{row.line}\t{_clean(row.left)}\t{_clean(row.node)}\t{_clean(row.right)}\n"
                if row.controls or _CONTROL.search(row.source)
                else f"{row.source}\t{row.line}\t{row.left}\t{row.node}\t{row.right}\n"
                for row in batch
            ]
            out.write("".join(lines).encode("utf-8", "surrogateescape"))
        return
    if fmt == "jsonl":
        for row in rows:
            out.write(
                (json.dumps(dict(zip(COLUMNS, row.cells())), ensure_ascii=False) + "\n").encode(
                    "utf-8", "surrogateescape"
                )
            )
        return
    for row in rows:
        left = _fit_left(_clean(row.left), width)
        right = _fit_right(_clean(row.right), width)
        node = _clean(row.node)
        if highlight:
            node = f"\x1b[1;31m{node}\x1b[0m"
        line = f"{left} {node} {right}{' ' * (width - columns(right))}  {row.source}:{row.line}\n"
        out.write(line.encode("utf-8", "surrogateescape"))


def write_kwic_tsv(blocks: Iterable[bytes], out: BinaryIO) -> None:
    """Write the header, then ``blocks`` of TSV rows (`KwicResult.tsv_blocks`): what `write_kwic` writes
    as tsv."""
    out.write(TSV_HEADER)
    for block in blocks:
        out.write(block)


def char_columns(char: str) -> int:
    """The columns a terminal gives ``char``: 2 for East Asian wide and full-width, 0 for a combining
    mark, else 1."""
    import unicodedata

    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def columns(text: str) -> int:
    """The columns ``text`` takes on a terminal."""
    return sum(map(char_columns, text))


def _fit_left(text: str, width: int) -> str:
    """The end of ``text`` that fits in ``width`` columns, padded on the left to them."""
    used = 0
    start = len(text)
    while start > 0 and used + char_columns(text[start - 1]) <= width:
        start -= 1
        used += char_columns(text[start])
    return " " * (width - used) + text[start:]


def _fit_right(text: str, width: int) -> str:
    """The start of ``text`` that fits in ``width`` columns."""
    used = 0
    end = 0
    while end < len(text) and used + char_columns(text[end]) <= width:
        used += char_columns(text[end])
        end += 1
    return text[:end]


def is_terminal(out: BinaryIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False
