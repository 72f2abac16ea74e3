"""Collocates: o, R, f and N equal the naive program's for any chunking and engine; the measures are
the formulas'."""

from __future__ import annotations

import io
import json
import math
from decimal import Decimal, localcontext
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordfreq import CollocatesSpec, Nodes, OptionError, find_collocates
from wordfreq.analyses.collocates import log_likelihood, measure_columns, measures
from wordfreq.cli import cli

from conftest import PIECES, SAMPLE_CORPUS, cli_runner, text_file
from naive import NaivePos, naive_collocates, read_text


def found(paths: list[str], words: list[str], left: int, right: int, **options: object):
    spec = CollocatesSpec(Nodes(tuple(words)), left, right, min_count=1)
    return find_collocates(paths, spec, **options)


def check_against_naive(
    result, texts: list[str], words: list[str], left: int, right: int, **filters: object
) -> None:
    table, windows, cooccurring = naive_collocates(texts, words, left, right, **filters)
    assert result.tokens == sum(table.values())
    assert result.windows == windows
    assert result.frequencies == {word: table[word] for word in words}
    got = {(row.node, row.collocate): (row.o, row.f_collocate) for row in result.rows}
    want = {(node, c): (o, table[c]) for node, counts in cooccurring.items() for c, o in counts.items() if o}
    assert got == want


def sample_texts() -> list[str]:
    return [read_text(str(p)) for p in sorted(SAMPLE_CORPUS.rglob("*.txt"))]


@pytest.mark.parametrize(("workers", "chunk_size"), [(1, None), (2, 300), (2, 1)])
def test_sample_corpus_counts_are_the_naive_programs(workers: int, chunk_size: int | None) -> None:
    words = ["的", "青禾线", "市集", "，"]
    result = found([str(SAMPLE_CORPUS)], words, 3, 2, workers=workers, chunk_size=chunk_size)
    check_against_naive(result, sample_texts(), words, 3, 2)


def test_jieba_itself_gives_the_naive_counts() -> None:
    """--tokenizer jieba-py: the lines that may hold a node are segmented by jieba's own generator."""
    words = ["的", "中国", "。"]
    result = found([str(SAMPLE_CORPUS)], words, 2, 2, tokenizer="jieba-py", workers=2, chunk_size=300)
    check_against_naive(result, sample_texts(), words, 2, 2)


def test_filters_shape_the_windows() -> None:
    words = ["的", "the"]
    result = found(
        [str(SAMPLE_CORPUS)], words, 2, 2, workers=2, chunk_size=500, lowercase=True, no_punct=True
    )
    check_against_naive(result, sample_texts(), words, 2, 2, lowercase=True, no_punct=True)


def test_spilled_counts_give_the_same_collocates(tmp_path: Path) -> None:
    words = ["的", "市集"]
    result = found(
        [str(SAMPLE_CORPUS)], words, 4, 4, workers=2, chunk_size=400, memory=65536, temp_dir=str(tmp_path)
    )
    check_against_naive(result, sample_texts(), words, 4, 4)
    assert list(tmp_path.iterdir()) == []


def test_the_dask_engine_gives_the_same_collocates() -> None:
    pytest.importorskip("distributed")
    words = ["的", "市集"]
    result = found([str(SAMPLE_CORPUS)], words, 2, 3, engine="dask", workers=1, chunk_size=2000)
    check_against_naive(result, sample_texts(), words, 2, 3)


texts = st.lists(
    st.one_of(st.sampled_from([*PIECES, "\n", " ", "\r\n", "北京", "北京", "的"]), st.text(max_size=2)),
    max_size=50,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=texts,
    chunk_size=st.integers(1, 64),
    picks=st.lists(st.integers(0, 1000), min_size=1, max_size=3),
    left=st.integers(0, 4),
    right=st.integers(0, 4),
)
def test_any_text_window_and_chunking_gives_the_naive_counts(
    pieces: list[str], chunk_size: int, picks: list[int], left: int, right: int
) -> None:
    if left + right == 0:
        return
    text = "".join(pieces).replace("\0", "")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    table, _, _ = naive_collocates([text.removeprefix("\ufeff")], [], 0, 0)
    vocabulary = sorted(table) or ["北京"]
    words = list(dict.fromkeys(vocabulary[p % len(vocabulary)] for p in picks))
    with text_file(data) as path:
        result = found([path], words, left, right, workers=1, chunk_size=chunk_size)
    check_against_naive(result, [text.removeprefix("\ufeff")], words, left, right)
    stream = find_collocates(
        ["-"],
        CollocatesSpec(Nodes(tuple(words)), left, right, min_count=1),
        stdin=io.BytesIO(data),
        workers=1,
        chunk_size=chunk_size,
    )
    assert [(r.node, r.collocate, r.o) for r in stream.rows] == [
        (r.node, r.collocate, r.o) for r in result.rows
    ]


POS_CHOICES = [
    NaivePos(),
    NaivePos(include=("n*", "v")),
    NaivePos(exclude=("x",)),
    NaivePos(with_tags=False, exclude=("uj", "p")),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=texts,
    chunk_size=st.integers(1, 64),
    picks=st.lists(st.integers(0, 1000), min_size=1, max_size=3),
    left=st.integers(0, 3),
    right=st.integers(0, 3),
    pos=st.sampled_from(POS_CHOICES),
    lowercase=st.booleans(),
)
def test_parts_of_speech_windows_are_the_naive_possegs(
    pieces: list[str],
    chunk_size: int,
    picks: list[int],
    left: int,
    right: int,
    pos: NaivePos,
    lowercase: bool,
) -> None:
    """With --pos (tokens word/tag) and --pos-include/--pos-exclude, N, R, f and o are those of a naive
    program over jieba.posseg.cut: windows over the tokens of the kept tags."""
    if left + right == 0:
        return
    text = "".join(pieces).replace("\0", "").removeprefix("\ufeff")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    table, _, _ = naive_collocates([text], [], 0, 0, lowercase=lowercase, pos=pos)
    vocabulary = sorted(table) or ["北京/ns"]
    words = list(dict.fromkeys(vocabulary[p % len(vocabulary)] for p in picks))
    options = {"pos": pos.with_tags, "pos_include": pos.include or None, "pos_exclude": pos.exclude or None}
    with text_file(data) as path:
        result = found(
            [path], words, left, right, workers=1, chunk_size=chunk_size, lowercase=lowercase, **options
        )
    check_against_naive(result, [text], words, left, right, lowercase=lowercase, pos=pos)


def test_parts_of_speech_on_the_sample_corpus() -> None:
    words = ["的/uj", "市集/n", "，/x", "发展/vn"]
    for workers, chunk_size in [(1, None), (2, 300)]:
        result = found([str(SAMPLE_CORPUS)], words, 3, 2, workers=workers, chunk_size=chunk_size, pos=True)
        check_against_naive(result, sample_texts(), words, 3, 2, pos=NaivePos())
    result = found([str(SAMPLE_CORPUS)], ["的"], 2, 2, workers=2, chunk_size=500, pos_include="n*,uj")
    check_against_naive(result, sample_texts(), ["的"], 2, 2, pos=NaivePos(False, ("n*", "uj")))


def test_a_hand_worked_example(tmp_path: Path) -> None:
    # "a b a c" / "b a", node a, one token each side: line 1 has a at 0 and 2, windows 0-1 and 1-3,
    # so positions 1 (b) and 3 (c); line 2 has a at 1, window 0-1, so position 0 (b).  R = 3.
    corpus = tmp_path / "t.txt"
    corpus.write_text("a b a c\nb a\n", encoding="utf-8")
    result = find_collocates(
        [str(corpus)], CollocatesSpec(Nodes(("a",)), 1, 1, min_count=1), tokenizer="whitespace"
    )
    assert (result.tokens, result.windows, result.frequencies) == (6, {"a": 3}, {"a": 3})
    b, c = result.rows if result.rows[0].collocate == "b" else result.rows[::-1]
    assert (b.o, b.f_collocate, c.o, c.f_collocate) == (2, 2, 1, 1)
    assert b.e == 1.0 and b.mi == 1.0 and b.mi3 == 3.0
    assert b.t == pytest.approx(1 / math.sqrt(2), rel=1e-12)
    assert b.log_dice == pytest.approx(14 + math.log2(4 / 5), rel=1e-12)
    # 2x2: o=2, R-o=1, f-o=0, N-R-f+o=3; margins 3, 3 / 2, 4; E = 1, 2, 1, 2.
    assert b.ll == pytest.approx(2 * (2 * math.log(2) + math.log(1 / 2) + 3 * math.log(3 / 2)), rel=1e-12)
    assert c.e == 0.5 and c.mi == 1.0


def test_all_mode_windows_of_a_joined_ascii_node_are_counted_in_every_engine(tmp_path: Path) -> None:
    """jieba's all mode cuts 'xQQy' into QQ and xy (it joins the ASCII pieces around the word it
    skips): a line that holds no 'xy' still holds the node xy, so jieba itself (whose lines are searched
    for the nodes) counts its windows as the compiled tokenizer (which walks every line) does, and as a
    naive walk of jieba's tokens does: line 1 is QQ xy 和 (xy's window, one each side: QQ, 和), line 2
    is xy alone."""
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("Q 3\nQQ 4\n", encoding="utf-8")
    corpus = tmp_path / "t.txt"
    corpus.write_text("xQQy和\n没有\nxy\n", encoding="utf-8")
    spec = CollocatesSpec(Nodes(("xy",)), 1, 1, min_count=1)
    for tokenizer in ("jieba", "jieba-py"):
        result = find_collocates([str(corpus)], spec, tokenizer=tokenizer, mode="all", dict=str(dictionary))
        assert (result.tokens, result.windows, result.frequencies) == (6, {"xy": 2}, {"xy": 2}), tokenizer
        assert {row.collocate: row.o for row in result.rows} == {"QQ": 1, "和": 1}, tokenizer


def reference_g2(o11: int, o12: int, o21: int, o22: int) -> Decimal:
    """The textbook G², with 60 digits."""
    with localcontext() as ctx:
        ctx.prec = 60
        n = Decimal(o11 + o12 + o21 + o22)
        rows = (o11 + o12, o21 + o22)
        cols = (o11 + o21, o12 + o22)
        total = Decimal(0)
        for o, r, c in (
            (o11, rows[0], cols[0]),
            (o12, rows[0], cols[1]),
            (o21, rows[1], cols[0]),
            (o22, rows[1], cols[1]),
        ):
            if o:
                total += Decimal(o) * (Decimal(o) * n / (Decimal(r) * Decimal(c))).ln()
        return 2 * total


@settings(max_examples=300, deadline=None)
@given(
    o=st.integers(1, 10**6),
    r_extra=st.integers(0, 10**7),
    f_extra=st.integers(0, 10**7),
    f_node=st.integers(1, 10**7),
    n_extra=st.integers(0, 10**9),
)
def test_measures_are_the_formulas(o: int, r_extra: int, f_extra: int, f_node: int, n_extra: int) -> None:
    r, f = o + r_extra, o + f_extra
    n = r + f - o + n_extra + 1
    one = measures(o, r, f_node, f, n)
    columns = measure_columns(np.array([o]), r, f_node, np.array([f]), n)
    for name, value in one.items():  # the columns (all rows at once) are the row's own formulas
        assert columns[name][0] == pytest.approx(value, rel=1e-12, abs=1e-12)
    check_measures(one, o, r, f, f_node, n)
    check_measures({name: float(column[0]) for name, column in columns.items()}, o, r, f, f_node, n)


def check_measures(got: dict[str, float], o: int, r: int, f: int, f_node: int, n: int) -> None:
    e = Decimal(r) * Decimal(f) / Decimal(n)
    with localcontext() as ctx:
        ctx.prec = 60
        two = Decimal(2).ln()
        assert got["e"] == pytest.approx(float(e), rel=1e-12)
        assert got["mi"] == pytest.approx(float((Decimal(o) / e).ln() / two), rel=1e-9, abs=1e-12)
        assert got["mi3"] == pytest.approx(float((Decimal(o) ** 3 / e).ln() / two), rel=1e-9, abs=1e-12)
        assert got["t"] == pytest.approx(float((Decimal(o) - e) / Decimal(o).sqrt()), rel=1e-9, abs=1e-12)
        assert got["log_dice"] == pytest.approx(
            float(14 + (Decimal(2 * o) / (f_node + f)).ln() / two), rel=1e-9
        )
    want = reference_g2(o, r - o, f - o, n - r - f + o)
    assert got["ll"] == pytest.approx(float(want), rel=1e-6, abs=1e-9)


def test_log_likelihood_near_independence_keeps_its_digits() -> None:
    # o within a hair of e: the textbook sum cancels to noise, the term-by-term form does not.
    args = (1000, 10**6 - 1000, 10**6 - 1000, 10**9 - 2 * 10**6 + 1000 + 1)
    assert log_likelihood(*args) == pytest.approx(float(reference_g2(*args)), rel=1e-9)
    o11, o12, o21, o22 = args
    r, f, n = o11 + o12, o11 + o21, sum(args)
    column = measure_columns(np.array([o11]), r, 5, np.array([f]), n)["ll"]
    assert column[0] == pytest.approx(float(reference_g2(*args)), rel=1e-9)


def test_options_are_checked() -> None:
    with pytest.raises(OptionError):
        CollocatesSpec(Nodes(("的",)), 0, 0)
    with pytest.raises(OptionError):
        CollocatesSpec(Nodes(("的",), regex=True))
    with pytest.raises(OptionError):
        CollocatesSpec(Nodes(("的",)), sort="nope")


def test_cli_formats_several_nodes_and_a_nodes_file(tmp_path: Path) -> None:
    runner = cli_runner()
    result = runner.invoke(cli, ["collocates", "的", str(SAMPLE_CORPUS), "--window", "3", "-q"])
    header = result.stdout.splitlines()[0].split("\t")
    assert result.exit_code == 0 and header == [
        "collocate",
        "o",
        "e",
        "f_node",
        "f_collocate",
        "mi",
        "mi3",
        "t",
        "ll",
        "log_dice",
    ]
    scores = [float(line.split("\t")[-1]) for line in result.stdout.splitlines()[1:]]
    assert scores == sorted(scores, reverse=True) and all(
        int(line.split("\t")[1]) >= 3 for line in result.stdout.splitlines()[1:]
    )
    nodes = tmp_path / "nodes.txt"
    nodes.write_text("的\n市集\n", encoding="utf-8")
    result = runner.invoke(
        cli,
        [
            "collocates",
            "--nodes-from",
            str(nodes),
            str(SAMPLE_CORPUS),
            "--output-format",
            "jsonl",
            "--min-count",
            "1",
            "--sort",
            "o",
            "-q",
        ],
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {row["node"] for row in rows} == {"的", "市集"} and list(rows[0])[:2] == ["node", "collocate"]
    result = runner.invoke(
        cli, ["collocates", "-e", "的", str(SAMPLE_CORPUS), "--output-format", "csv", "--max-rows", "2", "-q"]
    )
    assert result.stdout.splitlines()[0].startswith("collocate,o,e") and len(result.stdout.splitlines()) == 3
    assert runner.invoke(cli, ["collocates", "的", str(SAMPLE_CORPUS), "--window", "0"]).exit_code == 2


tokens = st.lists(st.sampled_from(["a", "b", "c", "北京", "的", ""]), max_size=30)


@settings(max_examples=500, deadline=None)
@given(
    kept=tokens,
    words=st.lists(st.sampled_from(["a", "b", "北京", "x"]), unique=True),
    left=st.integers(0, 6),
    right=st.integers(0, 6),
)
def test_the_compiled_windows_are_pythons(kept: list[str], words: list[str], left: int, right: int) -> None:
    from collections import Counter

    from wordfreq.analyses import _windows
    from wordfreq.analyses.collocates import _add_windows_py

    nodes = {word: k for k, word in enumerate(words)}
    compiled = ([Counter() for _ in words], [0] * len(words))
    python = ([Counter() for _ in words], [0] * len(words))
    _windows.add_windows(kept, nodes, left, right, *compiled)
    _add_windows_py(kept, nodes, left, right, *python)
    assert compiled[1] == python[1]
    assert [+c for c in compiled[0]] == [+c for c in python[0]]


def test_the_compiled_windows_refuse_what_they_cannot_take() -> None:
    from wordfreq.analyses import _windows

    with pytest.raises(TypeError):
        _windows.add_windows(["a", 1], {"a": 0}, 1, 1, [{}], [0])
    with pytest.raises(ValueError):
        _windows.add_windows(["a"], {"a": 1}, 1, 1, [{}], [0])
    with pytest.raises(ValueError):
        _windows.add_windows(["a"], {"a": 0}, -1, 1, [{}], [0])
    with pytest.raises(TypeError):
        _windows.add_windows(["a"], {"a": 0}, 1, 1, [None], [0])


def columns_of(rows: dict[str, int]) -> tuple[bytes, bytes, bytes]:
    """A packed table's columns (`PackedTable.columns`) of ``rows``."""
    utf8 = [key.encode() for key in rows]
    offsets = np.cumsum([0, *map(len, utf8)], dtype=np.int64)
    return offsets.tobytes(), b"".join(utf8), np.array(list(rows.values()), dtype=np.int64).tobytes()


def test_the_windows_read_from_a_packed_table_are_its_rows() -> None:
    """`_windows.window_table`: N, f and R of each word, its collocates in code point order with o and f;
    a row with a space that is no window's, a node out of range, or a collocate not in the table, is
    refused."""
    from wordfreq.analyses import _windows

    rows = {"b": 4, "a": 3, "\uffff 1": 5, "\uffff 1 b": 2, "\uffff 1 a": 1, "\uffff 0 z": 1, "z": 1}
    n, f, r, blocks = _windows.window_table(*columns_of(rows), ["c", "a"])
    assert (n, f, r) == (8, [0, 3], [0, 5])
    assert [
        (names, np.frombuffer(o, np.int64).tolist(), np.frombuffer(fc, np.int64).tolist())
        for names, o, fc in blocks
    ] == [(["z"], [1], [1]), (["a", "b"], [1, 2], [3, 4])]
    for bad in ({"a b": 1}, {"\uffff 2 a": 1, "a": 1}, {"\uffff 0 q": 1}, {"\uffff x": 1}):
        with pytest.raises(ValueError):
            _windows.window_table(*columns_of(bad), ["c", "a"])


KEEPS = {
    "none": None,
    "lower": str.lower,
    "drop": lambda piece: None if piece in ("的", "b", "，") else piece,
    "lower and drop": lambda piece: None if piece.lower() in ("a", "的") else piece.lower(),
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(
        st.one_of(
            st.sampled_from([*PIECES, "\n", " ", "A", "a b", "北京", "的", "\ud800"]), st.text(max_size=3)
        ),
        max_size=40,
    ),
    words=st.lists(st.sampled_from(["a", "A", "北京", "的", "我们", "b", "\ud800"]), unique=True, max_size=4),
    left=st.integers(0, 4),
    right=st.integers(0, 4),
    keep=st.sampled_from(sorted(KEEPS)),
    take=st.booleans(),
)
def test_the_compiled_table_of_windows_is_pythons(
    pieces: list[str], words: list[str], left: int, right: int, keep: str, take: bool
) -> None:
    """The tokens and windows a compiled RowTable counts (`_jieba.c`, any text, lone surrogates too, by
    take() or add_to()) are those of the Python path: each line's kept pieces, walked by _add_windows_py."""
    from collections import Counter

    from wordfreq.analyses.collocates import WindowTable, _add_windows_py
    from wordfreq.reduce.packs import unpack
    from wordfreq.tokenizers import TokenizerSpec, build_tokenizer

    tokenizer = build_tokenizer(TokenizerSpec())
    function = KEEPS[keep]
    texts = ["".join(pieces), "".join(reversed(pieces))]
    table = tokenizer.window_table(function, words, left, right)  # type: ignore[attr-defined]
    for text in texts:
        tokenizer.count_rows(text, table)  # type: ignore[attr-defined]
    got: Counter[str] = Counter()
    try:
        if not take:
            raise UnicodeEncodeError("utf-8", "", 0, 1, "asked for add_to")
        for row, n in unpack(table.take()):
            got[row] += n
    except UnicodeEncodeError:
        table.add_to(got)
    expected: Counter[str] = Counter()
    windows = WindowTable(len(words))
    index = {word: k for k, word in enumerate(words)}
    for text in texts:
        for line in text.split("\n"):
            kept = [p for t in tokenizer.tokenize(line) for p in t.split()]
            if function is not None:
                kept = [k for k in map(function, kept) if k is not None]
            expected.update(kept)
            _add_windows_py(kept, index, left, right, windows.windows, windows.sizes)
    expected.update(windows.rows())
    assert got == expected
    assert len(table) == 0


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.text(st.sampled_from('ab的,"\t\r\n'), min_size=1, max_size=4),
            st.text(st.sampled_from('cd京,"\t'), min_size=1, max_size=4),
            st.integers(1, 10**12),
            st.floats(allow_nan=False),
        ),
        max_size=20,
    ),
    fmt=st.sampled_from(["tsv", "csv"]),
    with_node=st.booleans(),
)
def test_the_written_rows_are_the_csv_modules(
    rows: list[tuple[str, str, int, float]], fmt: str, with_node: bool
) -> None:
    """Rows are written by one f-string each where the csv module would not quote a cell: the same bytes
    as the csv module's, with every float as '.10g'."""
    import csv

    from wordfreq.analyses.collocates import COLUMNS, Collocate, write_collocates

    made = [
        Collocate(node, c, o, x, o + 1, o + 2, -x, x / 3, x * 7, x + 1, 1e-300 * x) for node, c, o, x in rows
    ]
    out = io.BytesIO()
    write_collocates(made, out, fmt, with_node)
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
    columns = COLUMNS if with_node else COLUMNS[1:]
    writer.writerow(columns)
    for row in made:
        writer.writerow(
            [f"{v:.10g}" if isinstance(v, float) else str(v) for v in (getattr(row, c) for c in columns)]
        )
    assert out.getvalue() == text.getvalue().encode()


@settings(max_examples=100, deadline=None)
@given(
    blocks=st.lists(
        st.tuples(
            st.text(st.sampled_from('ab的,"\t'), min_size=1, max_size=3),
            st.integers(1, 10**15),
            st.lists(
                st.tuples(
                    st.text(st.sampled_from('cd京,"\t\U0001f600'), min_size=1, max_size=4),
                    st.integers(1, 10**15),
                    st.integers(1, 10**15),
                    st.lists(st.floats(), min_size=6, max_size=6),
                ),
                max_size=8,
            ),
        ),
        max_size=4,
    ),
    fmt=st.sampled_from(["tsv", "csv"]),
    with_node=st.booleans(),
)
def test_the_rows_written_from_columns_are_the_rows_written_one_by_one(
    blocks: list[tuple[str, int, list[tuple[str, int, int, list[float]]]]], fmt: str, with_node: bool
) -> None:
    """TSV and CSV written from a result's columns in C (`CollocatesResult.write`) are the bytes of
    `write_collocates` of its rows: every float (inf and nan too) as '.10g', quoted cells the csv
    module's."""
    from wordfreq.analyses.collocates import CollocateBlock, CollocatesResult, write_collocates

    made = []
    for node, f_node, rows in blocks:
        floats = np.array([x for *_, x in rows], dtype=np.float64).reshape(len(rows), 6)
        columns = {
            "o": np.array([o for _, o, _, _ in rows], dtype=np.int64),
            "f_node": np.full(len(rows), f_node, dtype=np.int64),
            "f_collocate": np.array([f for _, _, f, _ in rows], dtype=np.int64),
        }
        columns.update(
            (name, floats[:, i]) for i, name in enumerate(("e", "mi", "mi3", "t", "ll", "log_dice"))
        )
        made.append(CollocateBlock(node, f_node, [c for c, *_ in rows], columns))
    result = CollocatesResult(made, 1, {}, {}, 1, 1, 0.0, 0, 0, 1)
    out, one_by_one = io.BytesIO(), io.BytesIO()
    result.write(out, fmt, with_node)
    write_collocates(result.rows, one_by_one, fmt, with_node)
    assert out.getvalue() == one_by_one.getvalue()
