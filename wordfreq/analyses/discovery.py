"""New words (新词发现): the character strings of a corpus that behave like words, with exact statistics.

The method is Matrix67's, with 苏剑林's per-length cohesion thresholds and
a re-segmentation of the corpus by the dictionary, and every figure it
ranks by is computed exactly over the whole corpus:

* **Runs.**  A *run* is a maximal stretch of Han characters (`HAN`); a
  candidate is a substring of a run, of 2 to ``max_length`` characters, so
  it never spans punctuation, digits, Latin, whitespace or a line break,
  and nothing is deleted to glue neighbours together.  The workers of the
  count pipeline (`wordfreq.counting.tasks`, the pool or Dask, spilling past the
  memory budget) count each run together with the character before and
  after it (`bordered_runs`): whitespace, the start and the end of a line
  are one neighbour, `BOUNDARY`.  With the re-segmentation (the default),
  each run is also cut alone into the dictionary's words (jieba without
  its HMM, `segmented_runs`).  A run's substrings, their neighbours and
  its words follow from the run, so this table holds everything exactly,
  and it is small: a corpus repeats its runs.
* **Statistics**, in DuckDB over that table (`_STATS`), which aggregates out
  of core under the memory budget: the count ``c(w)`` of every substring of
  1 to ``max_length`` characters; the cohesion of each of 2 characters or
  more, ``min`` over its splits ``w = ab`` of the pointwise mutual
  information ``ln(N c(w) / (c(a) c(b)))``, N the number of Han characters;
  and for the cohesive ones, the entropy (natural log) of the characters
  seen left and right of their occurrences, a `BOUNDARY` included, and
  their *whole* count: the occurrences that start and end between two of
  the dictionary's words.  A candidate needs ``c(w) >= min_count``,
  cohesion ``>= min_pmi + pmi_step * (len(w) - 2)`` and both entropies
  ``>= min_entropy``.  Pruning by count happens after the counts are summed
  over the whole corpus, never before.
* **Re-segmentation** (`_resegmented`): a candidate must be
  kept whole by jieba's HMM, hold at most one dictionary word of two
  characters or more, be whole ``min_count`` times, and, where it joins
  such a word to something, be freer at its ends than at its junction
  (the entropy of the words around its parts over the whole corpus).
* **Score** ``whole(w) * min(left, right entropy) * (cohesion - its
  threshold + 1)``: frequent as a word, free at both ends, more cohesive
  than required.  Rank: score descending, then count descending, then the
  word.

`docs/discovery.md` has the measurements that chose the method, its
thresholds and its score.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from wordfreq import api
from wordfreq.analyses.specs import CANDIDATE_FORMATS, SPEC_FIELDS, DiscoverSpec
from wordfreq.charclasses import CJK_EXTENSION_G, HAN_FIRST, HAN_LAST, RJIEBA_HAN
from wordfreq.chunks.planning import LINE_FEED
from wordfreq.counting.options import CountOptions
from wordfreq.errors import OptionError, OutputError
from wordfreq.options import with_keywords
from wordfreq.reduce.spill import MIN_SQL_MEMORY, SpilledTable, in_sql, table_on_disk
from wordfreq.sources.inputs import Source
from wordfreq.tables.frames import Columns, Frames, bool_column, float_column, int_column, text_column
from wordfreq.tokenizers import Tokenizer, TokenizerSpec, build_tokenizer
from wordfreq.workers.run_options import RunOptions

# Han: the CJK Unified Ideographs (every extension) and the compatibility ideographs, and 〇.
HAN = RJIEBA_HAN + CJK_EXTENSION_G + "\u3007"
# The neighbour that whitespace, a line's start and its end all are: a noncharacter, never Han,
# never whitespace (so never split off a row), and valid UTF-8 in the runs spilled to disk.
BOUNDARY = "\uffff"
# Between the words of a segmented run (`segmented_runs`): a noncharacter too, never Han.
SEP = "\ufffe"
# A main dictionary that knows no Han word: jieba then cuts a string of Han characters by its HMM alone.
NO_WORDS = f"{BOUNDARY} 1\n".encode()
RUN_CACHE = 1 << 16  # segmented runs each counting process keeps (`HanRuns`)
BATCH = 1 << 16  # candidates re-segmented at a time (`_resegmented`)
COLUMNS = (
    "word",
    "count",
    "whole",
    "cohesion",
    "left_entropy",
    "right_entropy",
    "junction",
    "score",
    "known",
)
PARQUET_COLUMNS = tuple(
    (column, "VARCHAR" if column == "word" else "BOOLEAN" if column == "known" else
     "BIGINT" if column in ("count", "whole") else "DOUBLE")
    for column in COLUMNS
)  # fmt: skip
_HAN_RUN = re.compile(f"[{HAN}]+")
_SURROGATE_FIRST, _SURROGATE_LAST = "\ud800", "\udfff"


def _neighbour(char: str) -> str:
    if char.isspace() or _SURROGATE_FIRST <= char <= _SURROGATE_LAST:
        return BOUNDARY
    return char


def _runs(text: str) -> Iterator[tuple[str, str, str]]:
    """(the character before, the run, the character after) of each Han run of ``text``."""
    end_of_text = len(text)
    for match in _HAN_RUN.finditer(text):
        start, end = match.span()
        left = _neighbour(text[start - 1]) if start else BOUNDARY
        right = _neighbour(text[end]) if end < end_of_text else BOUNDARY
        yield left, match.group(), right


def bordered_runs(text: str) -> Iterator[str]:
    """Each Han run of ``text`` with the character before and after it (`BOUNDARY` for whitespace or
    the text's start or end): ``"，新世纪" + BOUNDARY`` for the run 新世纪."""
    for left, run, right in _runs(text):
        yield left + run + right


def segmented_runs(text: str, segment: Callable[[str], str]) -> Iterator[str]:
    """`bordered_runs` with each run as ``segment`` gives it: its words joined by `SEP`
    (``"，新" + SEP + "世纪" + BOUNDARY``, see `HanRuns`)."""
    for left, run, right in _runs(text):
        yield left + segment(run) + right


class HanRuns:
    """The rows of a discovery count: bordered runs (`bordered_runs`), counted like tokens, or, when a
    tokenizer of the dictionary's words is given, segmented runs (`segmented_runs`): each run cut
    alone into ``words``' words (a corpus repeats its runs: the last `RUN_CACHE` runs cut are kept).

    Texts are cut only after a line feed, where the neighbour is a
    `BOUNDARY` whichever side of the cut a run is seen from.
    """

    cut_points = LINE_FEED

    def __init__(self, words: Tokenizer | None = None):
        self._segment: Callable[[str], str] | None = None
        if words is not None:
            cut = words.tokenize
            self._segment = functools.lru_cache(maxsize=RUN_CACHE)(lambda run: SEP.join(cut(run)))

    def tokenize(self, text: str) -> Iterable[str]:
        return bordered_runs(text) if self._segment is None else segmented_runs(text, self._segment)

    def add_counts(self, text: str, counts: Counter[str]) -> None:
        counts.update(self.tokenize(text))


@functools.lru_cache(maxsize=2)
def _han_runs(words: TokenizerSpec | None) -> HanRuns:
    """The `HanRuns` of this process for ``words`` (its cache of cut runs lasts from batch to batch)."""
    return HanRuns(build_tokenizer(words) if words is not None else None)


@dataclass(frozen=True)
class HanRunCountOptions(CountOptions):
    """A count (`wordfreq.counting.tasks`) whose rows are the bordered Han runs of the text, cut into the
    words of ``tokenizer`` when ``segment``."""

    segment: bool = False

    def text_cut_points(self) -> Any:
        return LINE_FEED

    def row_maker(self) -> Tokenizer:
        return _han_runs(self.tokenizer if self.segment else None)


def auto_min_count(han_chars: int) -> int:
    """The default minimum count: one for every 5 million Han characters, and at least 3 (3 for up
    to about 45 MB of Chinese text, 6 at 100 MB, about 65 at 1 GB)."""
    return max(3, han_chars // 5_000_000)


@dataclass(frozen=True)
class Candidate:
    """One row of the result."""

    word: str
    count: int
    whole: int  # occurrences that cut no word of the dictionary's segmentation (the count, unresegmented)
    cohesion: float
    left_entropy: float
    right_entropy: float
    junction: float  # the entropy of its freest junction between dictionary words, where checked, else 0
    score: float
    known: bool


@dataclass
class DiscoverResult(Frames):
    """The candidates in rank order, and what it took to find them; `to_polars` (...) makes a DataFrame of
    the candidates, with `COLUMNS`."""

    candidates: list[Candidate]
    files: int
    bytes: int
    chars: int  # Han characters
    seconds: float
    bad_bytes: int
    bad_records: int
    workers: int
    min_count: int  # the one used (given, or `auto_min_count`)
    found: int  # candidates before ``new_only`` and ``max_rows``

    def columns(self) -> Columns:
        rows = self.candidates
        return Columns(
            len(rows),
            (
                text_column("word", [c.word for c in rows]),
                int_column("count", (c.count for c in rows)),
                int_column("whole", (c.whole for c in rows)),
                *(float_column(name, [getattr(c, name) for c in rows]) for name in COLUMNS[3:-1]),
                bool_column("known", [c.known for c in rows]),
            ),
        )

    def summary(self) -> dict[str, object]:
        """The figures of the summary line, for a program."""
        return {
            "files": self.files,
            "bytes": self.bytes,
            "han_chars": self.chars,
            "min_count": self.min_count,
            "candidates": self.found,
            "new": sum(not c.known for c in self.candidates),
            "rows": len(self.candidates),
            "seconds": round(self.seconds, 3),
            "bad_bytes": self.bad_bytes,
            "bad_records": self.bad_records,
            "workers": self.workers,
        }


def discover_words(
    paths: Sequence[str | os.PathLike[str]],
    count_options: CountOptions | None = None,
    run_options: RunOptions | None = None,
    spec: DiscoverSpec | None = None,
    *,
    stdin: BinaryIO | None = None,
    progress: Callable[[int], None] | None = None,
    warn: Callable[[str], None] = lambda _: None,
    on_sources: Callable[[list[Source]], None] | None = None,
    **options: Any,
) -> DiscoverResult:
    """The new-word candidates of every file under ``paths`` (``-`` is standard input), in rank order.

    ``count_options`` and ``run_options`` are `wordfreq.count`'s: the inputs (decoding, JSON
    Lines field, selection), the engine and its workers, the memory budget;
    of the tokenizer, only the dictionaries (``dict``, ``user_dict``) are
    used, to say which candidates are known.  ``spec`` holds the thresholds;
    any option of the three may also be a keyword (``min_count`` and
    ``max_rows`` are ``spec``'s here).
    """
    started = time.perf_counter()
    spec_keywords = {k: options.pop(k) for k in list(options) if k in SPEC_FIELDS}
    spec = dataclasses.replace(spec or DiscoverSpec(), **spec_keywords)
    count_options, run_options = with_keywords(
        count_options or CountOptions(), run_options or RunOptions(), options
    )
    count_options.tokenizer.refuse_tags("discover")
    words = _words_of(count_options.tokenizer) if spec.resegment else None
    han_run_options = HanRunCountOptions(
        decoding=count_options.decoding,
        records=count_options.records,
        selection=count_options.selection,
        storage=count_options.storage,
        conversion=count_options.conversion,
        tokenizer=words or TokenizerSpec(name="char"),
        segment=words is not None,
    )
    counted = api.count(
        paths, han_run_options, run_options, stdin=stdin, progress=progress, warn=warn, on_sources=on_sources
    )
    with counted:
        if counted.spilled is not None:
            table = in_sql(counted.spilled, run_options.memory_budget())
            counted.spilled = None  # closed below, by us
        else:
            assert counted.counts is not None
            counts, counted.counts = counted.counts, None
            table = table_on_disk(
                counts,
                memory=run_options.memory_budget(),
                temp_dir=run_options.temp_dir,
                threads=counted.workers,
            )
            del counts
    try:
        chars, min_count, rows = _statistics(table, spec, run_options.memory_budget(), words)
    finally:
        table.close()
    known = known_words(count_options.tokenizer, {row[0] for row in rows})
    found = [Candidate(*row, known=row[0] in known) for row in rows]  # type: ignore[misc]
    selected = [c for c in found if not c.known] if spec.new_only else found
    if spec.max_rows is not None:
        selected = selected[: spec.max_rows]
    return DiscoverResult(
        candidates=selected,
        files=counted.files,
        bytes=counted.bytes,
        chars=chars,
        seconds=time.perf_counter() - started,
        bad_bytes=counted.bad_bytes,
        bad_records=counted.bad_records,
        workers=counted.workers,
        min_count=min_count,
        found=len(found),
    )


# The statistics, over the bordered runs in ``merged(token, n, d)`` (`wordfreq.reduce.spill`), as ``runs``:
# the
# same, without their `SEP` when they are segmented, and ``cuts``.  A run of L Han characters is a token of
# L + 2 characters; its substring at 0-based offset i (into the run) of k characters is
# substr(token, i + 2, k), with neighbours at i + 1 and i + 2 + k.  A string counted M times or more has
# every pair of adjacent characters in it counted M times or more: so only the substrings whose pairs
# are all that frequent are made (``reach``: how far from i they go), and every count that passes M is
# still exact.
_RUNS = {
    False: "CREATE TEMP VIEW runs AS SELECT token, NULL AS cuts, n FROM merged",
    # ``cuts``: a 1 at each offset of the run (its end included) where one of its words starts or ends
    True: f"""CREATE TEMP TABLE runs AS
    WITH m AS (SELECT token, substr(token, 2, length(token) - 2) AS middle, n FROM merged)
    SELECT substr(token, 1, 1) || replace(middle, '{SEP}', '') || substr(token, length(token), 1) AS token,
        '1' || substr(replace(regexp_replace(middle, '[^{SEP}]', '0', 'g'), '{SEP}0', '1'), 2) || '1' AS cuts,
        n
    FROM m""",
}
_STATS = [
    """CREATE TEMP TABLE pairs AS SELECT substr(token, i + 2, 2) AS b
    FROM (SELECT token, n, unnest(range(length(token) - 3)) AS i FROM runs)
    GROUP BY b HAVING SUM(n) >= {M}""",
    """CREATE TEMP TABLE positions AS
    WITH p AS (SELECT token, cuts, n, unnest(range(length(token) - 2)) AS i FROM runs),
    rare AS (
        SELECT p.*, pairs.b IS NULL AS rare FROM p LEFT JOIN pairs ON pairs.b = substr(p.token, p.i + 2, 2))
    SELECT token, cuts, n, i, MIN(CASE WHEN rare THEN i END) OVER (
        PARTITION BY token ORDER BY i ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) - i + 1 AS reach
    FROM rare""",
    # every substring of 1..K characters counted at least M times
    """CREATE TEMP TABLE grams AS
    WITH lens AS (SELECT unnest(range(1, {K} + 1)) AS k)
    SELECT substr(token, i + 2, k) AS w, SUM(n)::BIGINT AS c
    FROM positions, lens WHERE k <= reach OR k = 1
    GROUP BY w HAVING SUM(n) >= {M}""",
    # cohesion of those of 2 characters or more: the smallest PMI over the splits; kept above threshold
    """CREATE TEMP TABLE cohesive AS
    WITH splits AS (SELECT w, c, unnest(range(1, length(w))) AS j FROM grams WHERE length(w) >= 2)
    SELECT s.w, s.c, MIN(ln({N}::DOUBLE * s.c / (a.c::DOUBLE * b.c))) AS pmi
    FROM splits s JOIN grams a ON a.w = substr(s.w, 1, s.j) JOIN grams b ON b.w = substr(s.w, s.j + 1)
    GROUP BY s.w, s.c
    HAVING MIN(ln({N}::DOUBLE * s.c / (a.c::DOUBLE * b.c))) >= {pmi} + {step} * (length(s.w) - 2)""",
    # the neighbours of every occurrence of a cohesive string, and how many of them are whole: cut no
    # word of a segmented run (every one of an unsegmented run is)
    """CREATE TEMP TABLE neighbours AS
    WITH lens AS (SELECT unnest(range(2, {K} + 1)) AS k),
    occurrences AS (
        SELECT substr(token, i + 2, k) AS w, substr(token, i + 1, 1) AS l,
            substr(token, i + 2 + k, 1) AS r, n,
            cuts IS NULL OR (substr(cuts, i + 1, 1) = '1' AND substr(cuts, i + k + 1, 1) = '1') AS whole
        FROM positions, lens WHERE k <= reach)
    SELECT w, l, r, SUM(n)::BIGINT AS c, SUM(CASE WHEN whole THEN n ELSE 0 END)::BIGINT AS whole
    FROM occurrences SEMI JOIN cohesive USING (w) GROUP BY w, l, r""",
]
# The entropy of the neighbours on one side (l or r) of each w of a table (w, l, r, c).
_ENTROPY = """SELECT w, GREATEST(0, ln(SUM(c)) - SUM(c * ln(c)) / SUM(c)) AS h
    FROM (SELECT w, {side}, SUM(c)::DOUBLE AS c FROM {table} GROUP BY w, {side}) GROUP BY w"""
# the candidates, numbered (in no particular order), with the columns of `_ROW`
_CANDIDATES = """CREATE TEMP TABLE candidates AS
    WITH le AS ({left}), re AS ({right}),
    whole AS (SELECT w, SUM(whole)::BIGINT AS whole FROM neighbours GROUP BY w)
    SELECT w, c, whole, pmi, le.h AS hl, re.h AS hr, (row_number() OVER () - 1)::BIGINT AS id
    FROM cohesive JOIN whole USING (w) JOIN le USING (w) JOIN re USING (w)
    WHERE LEAST(le.h, re.h) >= {H} AND whole >= {M}"""
_ROW = "w, c, whole, pmi, hl, hr"

# The junctions (`_resegmented`), over the segmented runs: each run as the list ``t`` of its words, with
# the characters around it; ``sides(w)`` holds the dictionary words whose neighbouring words are wanted.
_SEGMENTED = f"""CREATE TEMP TABLE segmented AS SELECT substr(token, 1, 1) AS l,
    string_split(substr(token, 2, length(token) - 2), '{SEP}') AS t, substr(token, length(token), 1) AS r, n
    FROM merged"""
# the words before and after each occurrence of a side (the run's neighbour at its ends)
_WORD_NEIGHBOURS = """CREATE TEMP TABLE word_neighbours AS
    WITH p AS (SELECT t, l, r, n, unnest(range(1, len(t) + 1)) AS i FROM segmented)
    SELECT t[i] AS w, CASE WHEN i > 1 THEN t[i - 1] ELSE l END AS l,
        CASE WHEN i < len(t) THEN t[i + 1] ELSE r END AS r, SUM(n)::BIGINT AS c
    FROM p WHERE t[i] IN (SELECT w FROM sides) GROUP BY ALL"""


def _statistics(
    table: SpilledTable, spec: DiscoverSpec, memory: int, words: TokenizerSpec | None
) -> tuple[int, int, list[tuple[Any, ...]]]:
    """(Han characters, the minimum count used, the candidates' rows in rank order) of a runs table:
    (word, count, whole, cohesion, left entropy, right entropy, junction, score).

    The runs are segmented into ``words``' words when it is given, and the candidates re-segmented
    (`_resegmented`).  DuckDB works in ``memory`` bytes (at least `MIN_SQL_MEMORY`), spilling to the
    run's directory.
    """
    import duckdb

    from wordfreq.signals import signals_to

    db = table.connection
    try:
        with signals_to(db.interrupt):
            db.execute(f"SET memory_limit = '{max(memory, MIN_SQL_MEMORY) >> 20}MB'")
            db.execute(_RUNS[words is not None])
            (chars,) = db.execute(
                "SELECT COALESCE(SUM((length(token) - 2) * n), 0)::BIGINT FROM runs"
            ).fetchone()
            min_count = spec.min_count if spec.min_count is not None else auto_min_count(chars)
            values = {
                "K": spec.max_length,
                "M": min_count,
                "N": max(int(chars), 1),
                "pmi": repr(float(spec.min_pmi)),
                "step": repr(float(spec.pmi_step)),
                "H": repr(float(spec.min_entropy)),
            }
            for statement in _STATS:
                db.execute(statement.format(**values))
            left, right = (_ENTROPY.format(side=side, table="neighbours") for side in "lr")
            db.execute(_CANDIDATES.format(left=left, right=right, **values))
            if words is None:
                rows = [(*row, 0.0) for row in db.execute(f"SELECT {_ROW} FROM candidates").fetchall()]
            else:
                rows = _resegmented(db, words)
    except duckdb.Error as err:
        raise OutputError(f"{table.directory.path}: computing the statistics failed: {err}") from None
    scored = [(*row, _score(spec, *row)) for row in rows]
    scored.sort(key=lambda row: (-row[-1], -row[1], row[0]))
    return int(chars), min_count, scored


def _score(
    spec: DiscoverSpec, w: str, c: int, whole: int, pmi: float, hl: float, hr: float, junction: float
) -> float:
    """The score of a candidate: its count as a whole word, times its smaller entropy, times its cohesion
    past the threshold (plus one)."""
    return whole * min(hl, hr) * (pmi - spec.threshold(len(w)) + 1)


def _resegmented(db: Any, words: TokenizerSpec) -> list[tuple[Any, ...]]:
    """The rows (word, count, whole, cohesion, left entropy, right entropy, junction) of the candidates
    that stand as words in the dictionary's segmentation (the whole count is in SQL already).

    A candidate stays when jieba's HMM keeps it whole (`hmm_keeps_whole`), when the dictionary cuts it
    into at most one word of two characters or more (two or more make a compound of known words), and,
    where it cuts it into such a word and more (孩子们, 该公司), when the freest of its *junctions*
    between dictionary words is less free than its own ends: a junction's freedom is the smaller of
    the entropy of the words after its left word and of the words before its right word, over the
    whole corpus.  A word's parts hold together; a phrase joins words that combine with anything.
    Other candidates have no junction to check (0).  The candidates go through Python `BATCH` at a
    time: memory holds the ones kept.
    """
    cut = build_tokenizer(words).tokenize
    kept = []
    junctions: dict[str, list[tuple[str, str]]] = {}
    (n,) = db.execute("SELECT COUNT(*) FROM candidates").fetchone()
    for first in range(0, n, BATCH):
        batch = db.execute(f"SELECT {_ROW} FROM candidates WHERE id >= ? AND id < ?", [first, first + BATCH])
        for row in batch.fetchall():
            pieces = list(cut(row[0]))
            long_pieces = sum(len(p) >= 2 for p in pieces)
            if long_pieces < 2 and hmm_keeps_whole(row[0]):
                kept.append(row)
                if long_pieces == 1 and len(pieces) >= 2:
                    junctions[row[0]] = list(zip(pieces, pieces[1:]))
    sides = sorted({side for pairs in junctions.values() for pair in pairs for side in pair})
    db.execute(_SEGMENTED)
    db.execute("CREATE TEMP TABLE sides AS SELECT unnest($1::VARCHAR[]) AS w", [sides])
    db.execute(_WORD_NEIGHBOURS)
    before = dict(db.execute(_ENTROPY.format(side="l", table="word_neighbours")).fetchall())
    after = dict(db.execute(_ENTROPY.format(side="r", table="word_neighbours")).fetchall())
    rows = []
    for w, c, whole, pmi, hl, hr in kept:
        pairs = junctions.get(w, [])
        junction = max((min(after.get(a, 0.0), before.get(b, 0.0)) for a, b in pairs), default=0.0)
        if not pairs or junction < min(hl, hr):
            rows.append((w, c, whole, pmi, hl, hr, junction))
    return rows


def hmm_keeps_whole(word: str) -> bool:
    """Whether jieba's HMM (``jieba.finalseg``), given ``word`` alone, keeps it as one word; true of a
    word with a character the HMM does not model (outside U+4E00..U+9FD5), on which it has no say."""
    if any(not HAN_FIRST <= ord(ch) <= HAN_LAST for ch in word):
        return True
    return list(_hmm().tokenize(word)) == [word]


@functools.lru_cache(maxsize=1)
def _hmm() -> Tokenizer:
    """jieba with a main dictionary that knows no Han word: it cuts Han characters by its HMM alone."""
    return build_tokenizer(TokenizerSpec(name="jieba", hmm=True, dictionary=NO_WORDS))


def _words_of(spec: TokenizerSpec) -> TokenizerSpec:
    """The tokenizer that cuts runs into the words of ``spec``'s dictionaries: jieba, without its HMM."""
    return TokenizerSpec(name="jieba", hmm=False, user_dict=spec.user_dict, dictionary=spec.dictionary)


def describe_dictionaries(spec: TokenizerSpec) -> str:
    """What says which candidates are known: a sentence."""
    main = "jieba's own main dictionary" if spec.dictionary is None else "the main dictionary given"
    main += f" ({_entries(_main_dictionary(spec))})"
    if spec.user_dict is not None:
        main += f" and the user dictionary ({_entries(spec.user_dict)})"
    return main


def _entries(contents: bytes) -> str:
    n = sum(1 for line in io.BytesIO(contents) if line.strip())
    return "1 word" if n == 1 else f"{n:,} words"


def _main_dictionary(spec: TokenizerSpec) -> bytes:
    """The contents of ``spec``'s main dictionary: the one given, else jieba's own."""
    if spec.dictionary is not None:
        return spec.dictionary
    from wordfreq.tokenizers.jieba_py import import_jieba

    jieba = import_jieba()
    with open(os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME), "rb") as f:
        return f.read()


def known_words(spec: TokenizerSpec, words: set[str]) -> set[str]:
    """Those of ``words`` that ``spec``'s dictionaries list: its main dictionary (jieba's own unless
    one is given) or its user dictionary."""
    from wordfreq.tokenizers.jieba_rs import parse_user_dict

    known = words & _listed(_main_dictionary(spec))
    if spec.user_dict is not None:
        known.update(word for word, _, _ in parse_user_dict(spec.user_dict) if word in words)
    return known


@functools.lru_cache(maxsize=2)
def _listed(contents: bytes) -> frozenset[str]:
    """The words a main dictionary lists: the first field of each line."""
    return frozenset(line.strip().split(" ", 1)[0] for line in contents.decode("utf-8").split("\n"))


def candidate_rows(candidates: Iterable[Candidate]) -> Iterator[tuple[object, ...]]:
    """The candidates as rows of `COLUMNS`."""
    for c in candidates:
        yield tuple(getattr(c, column) for column in COLUMNS)


def _cell(value: object) -> str:
    """A figure as tsv and csv show it: a float with 4 decimals, a flag as 1/0."""
    if isinstance(value, bool):
        return str(int(value))
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def write_candidates(candidates: Sequence[Candidate], out: BinaryIO, fmt: str = "tsv") -> None:
    """Write ``candidates`` as ``fmt``: tsv or csv (a header line naming `COLUMNS`, figures with 4
    decimals, known as 1/0), jsonl (one object per candidate, full precision), parquet (typed columns:
    `PARQUET_COLUMNS`), or jieba (a user
    dictionary, 'word whole' per line, that ``jieba.load_userdict`` and ``count --user-dict`` take)."""
    from wordfreq.tables.formats import write_rows

    if fmt == "jieba":
        write_rows(((c.word, c.whole) for c in candidates), out, "jieba")
        return
    if fmt == "parquet":
        from wordfreq.reduce.order import in_batches
        from wordfreq.tables.formats import WRITE_BATCH
        from wordfreq.tables.parquet import csv_lines, write_parquet

        lines = (
            csv_lines(batch).encode("utf-8") for batch in in_batches(candidate_rows(candidates), WRITE_BATCH)
        )
        write_parquet(PARQUET_COLUMNS, lines, out)
        return
    if fmt == "jsonl":
        import json

        for c in candidates:
            out.write((json.dumps(dataclasses.asdict(c), ensure_ascii=False) + "\n").encode("utf-8"))
        return
    if fmt not in ("tsv", "csv"):
        raise OptionError(
            "output_format", f"unknown format {fmt!r} (choose from {', '.join(CANDIDATE_FORMATS)})"
        )
    sep = "\t" if fmt == "tsv" else ","
    lines = [sep.join(COLUMNS)]
    for row in candidate_rows(candidates):
        lines.append(sep.join(_cell(x) for x in row))
    out.write(("\n".join(lines) + "\n").encode("utf-8"))


__all__ = [
    "Candidate",
    "DiscoverResult",
    "discover_words",
]
