"""Collocates: the words that keep a node company, scored by association measures, exactly.

**What is counted** (the surface co-occurrence of Evert 2008, "Corpora
and collocations").  The tokens are the table's: each line's kept tokens
(`wordfreq.analyses.occurrences`), in order; a window never crosses a line feed, a
record or a file.  Each occurrence of a node has a window of ``left``
tokens before it and ``right`` after it; the windows of nearby occurrences
overlap, and each token position in their union counts once, the node's
own positions never.  For each node: R, the number of positions in its
windows; o(c), how many of them hold the collocate c; f(c) and f(node),
the table's counts; N, the table's tokens.

**One pass.**  The count and the windows are counted together, by the
workers of `wordfreq.count` (the pool or Dask, spilling past the memory
budget): a `WindowCountOptions` makes each worker count the table's tokens as
`count` does and hold its windows' counts beside them (a `WindowTable`),
which leave the worker as rows under keys no token has (``MARK``, then
spaces, which no token holds), so partial counts merge exactly as a
table's do.  With the compiled tokenizer the table's tokens and the
windows are counted together in C, in a `_jieba.RowTable` made with the
nodes (`CompiledRows.window_table`): each line's kept pieces (a dropped
piece or tag skipped, not a break) are counted and their windows walked at
its line feed, pairs held as (node, token id), with no Python object per
token or pair; its rows come out under the same keys.  With another
tokenizer, a line is segmented on its own only when it may hold a node
(`occurrences.LineReader.candidates`), the other lines are counted by the
tokenizer's fast path, and the windows of a line are walked by
`_windows.add_windows` (`_add_windows_py` where it was not built).

**Measures**, with e = R * f(c) / N, the count expected if c were spread
evenly: ``mi`` = log2(o / e); ``mi3`` = log2(o^3 / e); ``t`` = (o - e) /
sqrt(o); ``log_dice`` = 14 + log2(2o / (f(node) + f(c))) (Rychlý 2008);
``ll`` = G² of the 2x2 table o, R - o, f(c) - o, N - R - f(c) + o (expected
values from its margins, 0 ln 0 = 0), by keyness's one definition of G²
(`keyness.g2`), which keeps its digits where o is near e.
`docs/collocates.md` has the definitions and their sources.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import itertools
import json
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, NamedTuple

from wordfreq.analyses.keyness import SERIES_BELOW, g2, one_plus_u_log_series
from wordfreq.analyses.occurrences import LineCountOptions, reader_of
from wordfreq.analyses.specs import MEASURES, CollocatesSpec, Nodes
from wordfreq.api import count
from wordfreq.chunks.planning import LINE_FEED
from wordfreq.counting.options import CountOptions
from wordfreq.counting.rowspec import piece_filter
from wordfreq.errors import OptionError
from wordfreq.options import with_keywords
from wordfreq.reduce.order import in_batches
from wordfreq.reduce.packs import Pack, pack
from wordfreq.sources.inputs import Source
from wordfreq.tables.formats import WRITE_BATCH
from wordfreq.tables.parquet import csv_lines, write_parquet
from wordfreq.tokenizers import Tokenizer, add_counts, build_tokenizer
from wordfreq.workers.run_options import RunOptions

# Starts the key of each row that is a window's, not a token's: R ("\uffff 3") and o ("\uffff 3 word")
# of the node of index 3.  Its spaces make it no token: a table's token never holds whitespace.
MARK = "\uffff"
COLUMNS = ("node", "collocate", *MEASURES)
_COLUMN_TYPES = {
    "node": "VARCHAR",
    "collocate": "VARCHAR",
    "o": "BIGINT",
    "f_node": "BIGINT",
    "f_collocate": "BIGINT",
}


def _r_key(node: int) -> str:
    return f"{MARK} {node}"


def _o_key(node: int, collocate: str) -> str:
    return f"{MARK} {node} {collocate}"


class WindowCounter:
    """The rows of a `WindowCountOptions` count: the table's tokens, counted as `count` counts them (the
    whitespace rule and the filters applied when the count is finished), and each node's R and o(c) in
    a `WindowTable` (see the module docstring)."""

    cut_points = LINE_FEED

    def __init__(self, count_options: WindowCountOptions):
        assert count_options.nodes is not None
        self.base = build_tokenizer(count_options.tokenizer)
        self.reader = reader_of(
            count_options.tokenizer, count_options.filters, count_options.nodes, lambda: self.base
        )
        self.index = {word: i for i, word in enumerate(count_options.nodes.words)}
        self.left = count_options.left
        self.right = count_options.right

    def tokenize(self, text: str) -> Iterable[str]:  # pragma: no cover - the interface; counts are added
        counts: Counter[str] = Counter()
        self.add_counts(text, counts)
        return counts.elements()

    def add_counts(self, text: str, counts: Counter[str]) -> None:
        compiled = self.compiled_table()
        self.add_counts_compiled(text, counts, compiled)
        compiled.add_to(counts)

    def compiled_table(self) -> WindowTable | Any:
        """An empty table of windows, which a worker keeps across its tasks
        (`counting.tasks.PartialCount.compiled_rows`): with the compiled tokenizer, a `_jieba.RowTable`
        that counts the table's tokens and the windows together in C, with no Python object per token
        or pair (`CompiledRows.window_table`); else a `WindowTable`."""
        make = getattr(self.base, "window_table", None)
        if make is not None:
            keep = piece_filter(self.reader.filters, self.reader.tags.with_tags)
            return make(keep, list(self.index), self.left, self.right)
        return WindowTable(len(self.index))

    def add_counts_compiled(self, text: str, counts: Counter[str], compiled: WindowTable | Any) -> None:
        """Add the tokens of ``text`` to ``counts`` (unfinished, as the tokenizer's ``add_counts`` adds
        them), its windows to ``compiled``; or, to a compiled table, both (its tokens finished)."""
        if not isinstance(compiled, WindowTable):
            self.base.count_rows(text, compiled)  # type: ignore[attr-defined]
            return
        lines = text.split("\n")
        candidates = self.reader.candidates(lines)
        if len(candidates) < len(lines):
            add_counts(self.base, _other_lines(text, lines, candidates), counts)
        pieces_of, keep, index, left, right = (
            self.reader.pieces,
            self.reader.keep,
            self.index,
            self.left,
            self.right,
        )
        windows, sizes = compiled.windows, compiled.sizes
        for i in candidates:
            pieces = pieces_of(lines[i])
            counts.update(pieces)
            kept = pieces if keep is None else list(filter(None, map(keep, pieces)))
            add_windows(kept, index, left, right, windows, sizes)


def _other_lines(text: str, lines: list[str], chosen: list[int]) -> str:
    """The lines of ``text`` (split into ``lines``) but those of ``chosen`` (ascending), as one text:
    the stretches between them sliced out whole."""
    if not chosen:
        return text
    starts = [start + i for i, start in enumerate(itertools.accumulate(map(len, lines), initial=0))]
    stretches = []
    at = 0
    for i in chosen:
        stretches.append(text[at : starts[i]])
        at = starts[i + 1]
    stretches.append(text[at:])
    return "".join(stretches)


def _add_windows_py(
    kept: list[str],
    nodes: dict[str, int],
    left: int,
    right: int,
    windows: list[Counter[str]],
    sizes: list[int],
) -> None:
    """For every node of ``kept``: add the tokens of the union of its windows (each position once, the
    node's own never) to ``windows[node]``, their number to ``sizes[node]`` (`_windows.add_windows`,
    in Python)."""
    at: dict[int, list[int]] = {}
    for i, token in enumerate(kept):
        k = nodes.get(token)
        if k is not None:
            at.setdefault(k, []).append(i)
    end = len(kept)
    for k, positions in at.items():
        spans: list[list[int]] = []
        for p in positions:
            a, b = max(0, p - left), min(end, p + right + 1)
            if spans and a <= spans[-1][1]:
                spans[-1][1] = b
            else:
                spans.append([a, b])
        into = windows[k]
        for a, b in spans:
            into.update(kept[a:b])
        into[kept[positions[0]]] -= len(positions)  # every position of the node is in its own window
        sizes[k] += sum(b - a for a, b in spans) - len(positions)


try:
    from wordfreq.analyses._windows import add_windows, collocate_rows, window_table
except ImportError:  # pragma: no cover - built wherever the tests run
    add_windows = _add_windows_py
    collocate_rows = window_table = None


class WindowTable:
    """The windows of a worker's tasks, by node: R (``sizes``) and o (``windows``), held until the count
    is finished, then taken as rows under their keys (the ``compiled_rows`` protocol of
    `counting.tasks.PartialCount`): a key per collocate made once per worker, not once per task."""

    def __init__(self, nodes: int) -> None:
        self.windows: list[Counter[str]] = [Counter() for _ in range(nodes)]
        self.sizes: list[int] = [0] * nodes

    @property
    def nbytes(self) -> int:
        """About the memory it holds (a `Counter` entry is some 100 bytes, with its string)."""
        return 120 * sum(map(len, self.windows)) + 200 * len(self.sizes)

    def rows(self) -> dict[str, int]:
        rows = {_r_key(n): size for n, size in enumerate(self.sizes) if size}
        for n, cooccurring in enumerate(self.windows):
            prefix = _o_key(n, "")
            rows.update((prefix + collocate, o) for collocate, o in cooccurring.items() if o)
        return rows

    def add_to(self, counts: Counter[str]) -> None:
        counts.update(self.rows())

    def take(self) -> Pack:
        """The rows as a pack (`wordfreq.packed`); UnicodeEncodeError where they cannot be packed."""
        packed = pack(self.rows())
        if packed is None:
            raise UnicodeEncodeError("utf-8", "", 0, 1, "a collocate UTF-8 cannot hold")
        return packed


@dataclass(frozen=True)
class WindowCountOptions(LineCountOptions):
    """A count whose rows are the table's tokens and the windows of ``nodes`` (see `WindowCounter`)."""

    nodes: Nodes | None = None
    left: int = 5
    right: int = 5

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.nodes is None:
            raise OptionError("words", "no word given")

    def row_maker(self) -> Tokenizer:
        return _window_counter(self)


@functools.lru_cache(maxsize=2)
def _window_counter(count_options: WindowCountOptions) -> WindowCounter:
    """The `WindowCounter` of this process for ``count_options``, made once."""
    return WindowCounter(count_options)


class Collocate(NamedTuple):
    """One row: a collocate of a node, its counts and measures."""

    node: str
    collocate: str
    o: int
    e: float
    f_node: int
    f_collocate: int
    mi: float
    mi3: float
    t: float
    ll: float
    log_dice: float


class CollocateBlock(NamedTuple):
    """The rows of one node, as columns: its ``collocates`` in the rows' order and each of `MEASURES` as a
    numpy array in that order (``f_node`` an int)."""

    node: str
    f_node: int
    collocates: list[str]
    columns: dict[str, Any]

    def rows(self) -> list[Collocate]:
        values = [self.columns[name].tolist() for name in MEASURES if name != "f_node"]
        o, e, *rest = values
        return list(
            map(
                Collocate._make,
                zip(
                    itertools.repeat(self.node),
                    self.collocates,
                    o,
                    e,
                    itertools.repeat(self.f_node),
                    *rest,
                ),
            )
        )


@dataclass
class CollocatesResult:
    """The collocates of every node, in the order asked, and what it took: the rows held as a block of
    columns per node (`blocks`), made `Collocate` rows only when `rows` is read."""

    blocks: list[CollocateBlock]
    tokens: int  # N
    windows: dict[str, int]  # R of each node
    frequencies: dict[str, int]  # f of each node
    files: int
    bytes: int
    seconds: float
    bad_bytes: int
    bad_records: int
    workers: int

    @functools.cached_property
    def rows(self) -> list[Collocate]:
        """Every row, node by node."""
        return [row for block in self.blocks for row in block.rows()]

    @property
    def row_count(self) -> int:
        return sum(len(block.collocates) for block in self.blocks)

    def write(self, out: BinaryIO, fmt: str, with_node: bool) -> None:
        """`write_collocates` of the rows, TSV and CSV written from the blocks' columns in C, a node at a
        time (`_windows.collocate_rows`: the same bytes), where it was built."""
        if fmt not in ("tsv", "csv") or collocate_rows is None:
            write_collocates(self.rows, out, fmt, with_node)
            return
        import numpy as np

        delimiter = "\t" if fmt == "tsv" else ","
        write_collocates([], out, fmt, with_node)  # the header
        for block in self.blocks:
            made = None
            if not (with_node and _QUOTED.search(block.node)):
                prefix = f"{block.node}{delimiter}".encode() if with_node else b""
                made = collocate_rows(
                    prefix,
                    block.collocates,
                    delimiter,
                    block.f_node,
                    *(np.ascontiguousarray(block.columns[name], dtype=kind) for name, kind in _C_COLUMNS),
                )
            if made is None:  # a cell the csv module quotes
                write_collocates(block.rows(), out, fmt, with_node, header=False)
            else:
                out.write(made)

    def summary(self) -> dict[str, object]:
        return {
            "files": self.files,
            "bytes": self.bytes,
            "tokens": self.tokens,
            "nodes": {node: {"f": self.frequencies[node], "R": self.windows[node]} for node in self.windows},
            "rows": self.row_count,
            "seconds": round(self.seconds, 3),
            "bad_bytes": self.bad_bytes,
            "bad_records": self.bad_records,
            "workers": self.workers,
        }


def measures(o: int, r: int, f_node: int, f_coll: int, n: int) -> dict[str, float]:
    """e, mi, mi3, t, ll and log_dice of a collocate seen ``o`` times in ``r`` window positions, ``f_coll``
    times in ``n`` tokens, beside a node seen ``f_node`` times (see the module docstring)."""
    return dict(zip(("e", "mi", "mi3", "t", "ll", "log_dice"), _measures(o, r, f_node, f_coll, n)))


def _measures(
    o: int, r: int, f_node: int, f_coll: int, n: int
) -> tuple[float, float, float, float, float, float]:
    e = r * f_coll / n
    return (
        e,
        math.log2(o * n / (r * f_coll)),
        math.log2(o**3 * n / (r * f_coll)),
        (o - e) / math.sqrt(o),
        log_likelihood(o, r - o, f_coll - o, n - r - f_coll + o),
        14 + math.log2(2 * o / (f_node + f_coll)),
    )


def log_likelihood(o11: int, o12: int, o21: int, o22: int) -> float:
    """G² of the 2x2 table of counts ``o11 o12 / o21 o22``, expected values from its margins
    (`keyness.g2`)."""
    n = o11 + o12 + o21 + o22
    r1, r2, c1, c2 = o11 + o12, o21 + o22, o11 + o21, o12 + o22
    return g2([(o11, r1 * c1, n), (o12, r1 * c2, n), (o21, r2 * c1, n), (o22, r2 * c2, n)])


def find_collocates(
    paths: Sequence[str],
    spec: CollocatesSpec,
    count_options: CountOptions | None = None,
    run_options: RunOptions | None = None,
    *,
    stdin: BinaryIO | None = None,
    progress: Callable[[int], None] | None = None,
    warn: Callable[[str], None] = lambda _: None,
    on_sources: Callable[[list[Source]], None] | None = None,
    **options: Any,
) -> CollocatesResult:
    """The collocates of ``spec.nodes`` in the corpus under ``paths`` (options as for `wordfreq.count`)."""
    started = time.perf_counter()
    count_options, run_options = with_keywords(
        count_options or CountOptions(), run_options or RunOptions(), options
    )
    if not count_options.rows.plain:
        raise OptionError("ngram", "collocates are of tokens: no n-grams or document counts")
    if run_options.min_count != 1 or run_options.max_rows is not None:
        run_options = dataclasses.replace(run_options, min_count=1, max_rows=None)
    parts = {name: getattr(count_options, name) for name in CountOptions.__dataclass_fields__}
    window_options = WindowCountOptions(**parts, nodes=spec.nodes, left=spec.left, right=spec.right)
    words = list(spec.nodes.words)
    with count(
        paths, window_options, run_options, stdin=stdin, progress=progress, warn=warn, on_sources=on_sources
    ) as counted:
        n, f, r, cooccurring = _windows_of(counted, words)
    blocks = [
        _block_of(spec, node, f[k], r[k], *cooccurring[k], n) for k, node in enumerate(spec.nodes.words)
    ]
    return CollocatesResult(
        blocks=[block for block in blocks if block.collocates],
        tokens=n,
        windows=dict(zip(words, r)),
        frequencies=dict(zip(words, f)),
        files=counted.files,
        bytes=counted.bytes,
        seconds=time.perf_counter() - started,
        bad_bytes=counted.bad_bytes,
        bad_records=counted.bad_records,
        workers=counted.workers,
    )


# A node's collocates: their names, o and f (numpy int64 arrays), and whether the names are in order.
_Cooccurring = tuple[list[str], Any, Any, bool]


def _windows_of(counted: Any, words: list[str]) -> tuple[int, list[int], list[int], list[_Cooccurring]]:
    """N, and each node's f, R and collocates, from the rows of a `WindowCountOptions`'s count: read from
    its packed table in C (`_windows.window_table`: no Python object per row but the collocates'
    names), else row by row (`_decode`)."""
    import numpy as np

    columns = getattr(counted.packed, "columns", None)
    if columns is not None and window_table is not None:
        n, f, r, blocks = window_table(*columns(), words)
        as_int64 = functools.partial(np.frombuffer, dtype=np.int64)
        return n, f, r, [(names, as_int64(o), as_int64(fc), True) for names, o, fc in blocks]
    table, sizes, cooccurring = _decode(counted.rows())
    found = []
    for k in range(len(words)):
        pairs = cooccurring.get(k, {})
        names = list(pairs)
        o = np.fromiter(pairs.values(), dtype=np.int64, count=len(names))
        fc = np.fromiter(map(table.__getitem__, names), dtype=np.int64, count=len(names))
        found.append((names, o, fc, False))
    n = sum(table.values())
    return n, [table.get(w, 0) for w in words], [sizes.get(k, 0) for k in range(len(words))], found


def _decode(
    rows: Iterable[tuple[Any, ...]],
) -> tuple[dict[str, int], dict[int, int], dict[int, dict[str, int]]]:
    """The table, each node's R and each node's o(c), from the rows of a `WindowCountOptions`'s count."""
    table: dict[str, int] = {}
    r: dict[int, int] = {}
    o: dict[int, dict[str, int]] = {}
    for row in rows:
        key, n = row[0], row[1]
        if " " not in key:
            table[key] = n
            continue
        _, index, *collocate = key.split(" ", 2)
        if collocate:
            o.setdefault(int(index), {})[collocate[0]] = n
        else:
            r[int(index)] = n
    return table, r, o


def _block_of(
    spec: CollocatesSpec,
    node: str,
    f_node: int,
    r: int,
    names: list[str],
    o: Any,
    f_coll: Any,
    in_order: bool,
    n: int,
) -> CollocateBlock:
    """The rows of one node, from its collocates' ``names`` (``in_order``: in code point order), ``o``
    and ``f_coll``: kept by ``min_count`` and ``min_freq``, sorted, at most ``max_rows``, as columns;
    the measures of all its collocates at once (`measure_columns`)."""
    import numpy as np

    chosen = np.flatnonzero((o >= spec.min_count) & (f_coll >= spec.min_freq))
    if len(chosen) == 0:
        return CollocateBlock(node, f_node, [], {})
    if len(chosen) < len(names):
        names = [names[i] for i in chosen.tolist()]
        o, f_coll = o[chosen], f_coll[chosen]
    if in_order:
        order = np.arange(len(names), dtype=np.intp)
    else:
        order = np.array(sorted(range(len(names)), key=names.__getitem__), dtype=np.intp)
    columns = {"o": o, "f_node": np.full(len(names), f_node), "f_collocate": f_coll}
    columns.update(measure_columns(o, r, f_node, f_coll, n))
    if spec.sort != "collocate":
        order = order[np.argsort(-columns[spec.sort][order], kind="stable")]  # ties stay by collocate
    if spec.max_rows is not None:
        order = order[: spec.max_rows]
    picked = [names[i] for i in order.tolist()]
    return CollocateBlock(node, f_node, picked, {name: columns[name][order] for name in MEASURES})


def measure_columns(o: Any, r: int, f_node: int, f_coll: Any, n: int) -> dict[str, Any]:
    """`measures` of many collocates of one node at once (``o`` and ``f_coll`` numpy int64 arrays): the
    same formulas in float64 arrays, which agree with `measures` to a few units in the last place
    (tests/test_collocates.py: 1e-12 relative), where integer products pass 2**53 from their rounding
    (`measures` divides exact integers)."""
    import numpy as np

    o_f, f_f = o.astype(np.float64), f_coll.astype(np.float64)
    rf = r * f_f
    e = rf / n
    mi = np.log2(o_f * n / rf)
    mi3 = np.log2(o_f**3 * n / rf)
    t = (o_f - e) / np.sqrt(o_f)
    log_dice = 14 + np.log2(2 * o_f / (f_node + f_f))
    # G² of o11 o12 / o21 o22 (`log_likelihood`): its four cells' terms E ((1 + u) ln(1 + u) - u)
    o11, o12, o21, o22 = o_f, r - o_f, f_f - o_f, n - r - f_f + o_f
    r1, r2, c1, c2 = float(r), float(n - r), f_f, n - f_f
    ll = np.zeros(len(o_f))
    for cell, row, column in ((o11, r1, c1), (o12, r1, c2), (o21, r2, c1), (o22, r2, c2)):
        m = row * column
        expected = np.divide(m, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = (cell * n - m) / m
            term = expected * _one_plus_u_log_array(u)
        ll += np.where(m == 0, 0.0, np.where(cell == 0, expected, term))
    return {"e": e, "mi": mi, "mi3": mi3, "t": t, "ll": 2 * ll, "log_dice": log_dice}


def _one_plus_u_log_array(u: Any) -> Any:
    """`keyness._one_plus_u_log` of an array: (1 + u) ln(1 + u) - u, by its series where |u| is small."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        direct = (1 + u) * np.log1p(u) - u
    return np.where(np.abs(u) > SERIES_BELOW, direct, one_plus_u_log_series(u))


def write_collocates(
    rows: Iterable[Collocate], out: BinaryIO, fmt: str, with_node: bool, header: bool = True
) -> None:
    """Write ``rows`` as ``fmt``: tsv or csv (a header line, unless not ``header``), jsonl, or parquet
    (typed columns: counts int64, measures float64, null where not finite); the node column
    ``with_node``."""
    columns = COLUMNS if with_node else COLUMNS[1:]
    if fmt == "parquet":
        types = [(column, _COLUMN_TYPES.get(column, "DOUBLE")) for column in columns]
        batches = in_batches(([getattr(row, column) for column in columns] for row in rows), WRITE_BATCH)
        write_parquet(types, (csv_lines(batch).encode("utf-8") for batch in batches), out)
        return
    if fmt == "jsonl":
        for row in rows:
            record = {column: getattr(row, column) for column in columns}
            out.write((json.dumps(record, ensure_ascii=False) + "\n").encode())
        return
    delimiter = "\t" if fmt == "tsv" else ","
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\n")
    if header:
        writer.writerow(columns)
        out.write(text.getvalue().encode())
    for batch in in_batches(rows, WRITE_BATCH):
        lines = []
        for row in batch:
            if _QUOTED.search(row.collocate) or (with_node and _QUOTED.search(row.node)):
                text.seek(0)
                text.truncate()
                writer.writerow([_cell(getattr(row, column)) for column in columns])
                lines.append(text.getvalue())
                continue
            d = delimiter
            lines.append(
                (f"{row.node}{d}" if with_node else "")
                + f"{row.collocate}{d}{row.o}{d}{row.e:.10g}{d}{row.f_node}{d}{row.f_collocate}{d}"
                f"{row.mi:.10g}{d}{row.mi3:.10g}{d}{row.t:.10g}{d}{row.ll:.10g}{d}{row.log_dice:.10g}\n"
            )
        out.write("".join(lines).encode())


# The columns `_windows.collocate_rows` takes, in its order (f_node is one int).
_C_COLUMNS = (
    ("o", "int64"),
    ("f_collocate", "int64"),
    *((name, "float64") for name in ("e", "mi", "mi3", "t", "ll", "log_dice")),
)
# A text cell the csv module quotes (in TSV or CSV): one with a delimiter, a quote or a line break.  Other
# rows are written by one f-string each, as the csv module would write them (`_cell` for each value).
_QUOTED = re.compile('[\t,"\r\n]')


def _cell(value: object) -> str:
    return f"{value:.10g}" if isinstance(value, float) else str(value)
