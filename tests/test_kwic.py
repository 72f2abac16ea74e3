"""The concordance: one row per token of the table, in corpus order, with its line and context."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordfreq import KwicRow, KwicSpec, Nodes, concordance, count
from wordfreq.analyses.kwic import columns
from wordfreq.cli import cli

from conftest import PIECES, SAMPLE_CORPUS, cli_runner, text_file
from naive import NaivePos, naive_pairs, naive_pos_counts, read_text


def rows_of(paths: list[str], *words: str, regex: bool = False, **options: object) -> list[KwicRow]:
    spec_keys = {"width", "sort", "max_rows", "sample", "seed"}
    spec = KwicSpec(Nodes(words, regex), **{k: v for k, v in options.items() if k in spec_keys})  # type: ignore[arg-type]
    run = {k: v for k, v in options.items() if k not in spec_keys}
    return list(concordance(paths, spec, **run).rows())


def naive_concordance(
    files: list[Path], words: set[str], width: int = 40, lowercase: bool = False, pos: NaivePos | None = None
) -> list[tuple[str, int, str, str, str]]:
    """Each file, line by line through jieba.cut (or jieba.posseg.cut, with ``pos``: the pieces of a
    kept tag, ``piece/tag`` or the piece); each token's pieces found in the line in turn."""
    rows = []
    for path in files:
        text = read_text(str(path))
        for number, line in enumerate(text.split("\n"), 1):
            at = 0
            for token, tag in naive_pairs(line, pos):
                start = line.index(token, at)
                at = start + len(token)
                if tag is not None and not pos.keeps(tag):  # type: ignore[union-attr]
                    continue
                for piece in re.finditer(r"\S+", token):
                    s, e = start + piece.start(), start + piece.end()
                    kept = piece.group().lower() if lowercase else piece.group()
                    if tag is not None and pos.with_tags:  # type: ignore[union-attr]
                        kept = f"{kept}/{tag}"
                    if kept in words:
                        rows.append(
                            (str(path), number, line[max(0, s - width) : s], line[s:e], line[e : e + width])
                        )
    return rows


def sample_files() -> list[Path]:
    return sorted(SAMPLE_CORPUS.rglob("*.txt"))


@pytest.mark.parametrize(
    ("workers", "chunk_size", "sort"), [(1, None, "source"), (2, 300, "left"), (2, 1, "source")]
)
def test_every_word_of_the_sample_corpus_has_as_many_rows_as_its_count(
    workers: int, chunk_size: int | None, sort: str
) -> None:
    table = count([str(SAMPLE_CORPUS)]).counts
    rows = rows_of([str(SAMPLE_CORPUS)], *table, workers=workers, chunk_size=chunk_size, sort=sort)
    assert Counter(row.node for row in rows) == table


def test_with_filters_the_rows_are_the_filtered_table() -> None:
    options = {"lowercase": True, "no_punct": True, "stopwords": ["的"]}
    table = count([str(SAMPLE_CORPUS)], **options).counts
    rows = rows_of([str(SAMPLE_CORPUS)], *table, "的", workers=2, chunk_size=500, **options)
    assert Counter(row.node.lower() for row in rows) == table


def test_rows_lines_and_contexts_are_the_naive_programs() -> None:
    words = {"的", "青禾线", "市集", "the"}
    expected = naive_concordance(sample_files(), words, width=12)
    for workers, chunk_size in [(1, None), (2, 200)]:
        rows = rows_of([str(SAMPLE_CORPUS)], *words, width=12, workers=workers, chunk_size=chunk_size)
        assert [row.cells() for row in rows] == expected


texts = st.lists(
    st.one_of(
        st.sampled_from([*PIECES, "\n", " ", "\r\n", "北京", "京", "İ", "ΑΣ", "Ab"]), st.text(max_size=2)
    ),
    max_size=40,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=texts, chunk_size=st.integers(1, 64), pick=st.integers(0, 1000), lowercase=st.booleans())
def test_any_text_and_chunking_gives_the_tables_count(
    pieces: list[str], chunk_size: int, pick: int, lowercase: bool
) -> None:
    text = "".join(pieces).replace("\0", "")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    with text_file(data) as path:
        table = count([path], workers=1, lowercase=lowercase).counts
        if not table:
            return
        words = sorted(table)
        word = words[pick % len(words)]
        rows = rows_of([path], word, workers=1, chunk_size=chunk_size, lowercase=lowercase)
        expected = naive_concordance([Path(path)], {word}, lowercase=lowercase)
    assert len(rows) == table[word]
    assert [row.cells() for row in rows] == expected
    stream = concordance(
        ["-"],
        KwicSpec(Nodes((word,))),
        stdin=io.BytesIO(data),
        workers=1,
        chunk_size=chunk_size,
        lowercase=lowercase,
    )
    assert [row.cells()[1:] for row in stream.rows()] == [row[1:] for row in expected]


POS_CHOICES = [
    NaivePos(),
    NaivePos(include=("n*",)),
    NaivePos(exclude=("x", "uj")),
    NaivePos(with_tags=False, include=("v*", "n", "eng", "m")),
]


def pos_options(pos: NaivePos) -> dict[str, object]:
    return {"pos": pos.with_tags, "pos_include": pos.include or None, "pos_exclude": pos.exclude or None}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=texts,
    chunk_size=st.integers(1, 64),
    picks=st.lists(st.integers(0, 1000), min_size=1, max_size=3),
    lowercase=st.booleans(),
    pos=st.sampled_from(POS_CHOICES),
    sort=st.sampled_from(["source", "left"]),
)
def test_parts_of_speech_rows_are_the_naive_possegs(
    pieces: list[str], chunk_size: int, picks: list[int], lowercase: bool, pos: NaivePos, sort: str
) -> None:
    """With --pos (tokens word/tag) and --pos-include/--pos-exclude, the rows are those of a naive
    program over jieba.posseg.cut, and a word has as many as its count in the table."""
    text = "".join(pieces).replace("\0", "")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    options = {**pos_options(pos), "lowercase": lowercase}
    with text_file(data) as path:
        table = count([path], workers=1, **options).counts  # type: ignore[arg-type]
        vocabulary = sorted(table) or ["北京/ns"]
        words = {vocabulary[p % len(vocabulary)] for p in picks}
        rows = rows_of([path], *sorted(words), workers=1, chunk_size=chunk_size, sort=sort, **options)
        expected = naive_concordance([Path(path)], words, lowercase=lowercase, pos=pos)
    assert Counter(row.node.lower() if lowercase else row.node for row in rows) == Counter(
        e[3].lower() if lowercase else e[3] for e in expected
    )
    if sort == "source":
        assert [row.cells() for row in rows] == expected
    assert len(rows) == sum(table[w] for w in words)
    if not lowercase and pos.with_tags and not pos.include and not pos.exclude:
        assert table == naive_pos_counts([text.removeprefix("\ufeff")])


def test_parts_of_speech_on_the_sample_corpus() -> None:
    """Every word/tag of the sample corpus has as many rows as its count, for -j 1 and 2."""
    table = count([str(SAMPLE_CORPUS)], pos=True).counts
    for workers, chunk_size in [(1, None), (2, 300)]:
        rows = rows_of([str(SAMPLE_CORPUS)], *table, workers=workers, chunk_size=chunk_size, pos=True)
        assert len(rows) == table.total()
    words = {"的/uj", "青禾线/n", "发展/vn", "市集/n"} & set(table)
    expected = naive_concordance(sample_files(), words, width=12, pos=NaivePos())
    rows = rows_of([str(SAMPLE_CORPUS)], *sorted(words), width=12, workers=2, chunk_size=200, pos=True)
    assert [row.cells() for row in rows] == expected and expected


def test_json_lines_rows_are_numbered_by_the_records_line(tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    records.write_text('{"t": "北京欢迎你"}\n\n{"t": "我在北京\\n北京很大"}\n', encoding="utf-8")
    rows = rows_of([str(records)], "北京", field="t", width=2)
    assert [(row.line, row.left, row.right) for row in rows] == [
        (1, "", "欢迎"),
        (3, "我在", ""),
        (3, "", "很大"),
    ]


def test_left_and_right_sorts_compare_the_nearest_tokens_first(tmp_path: Path) -> None:
    corpus = tmp_path / "a.txt"
    corpus.write_text("b a X c\nc b X a\na X b\nb X\n", encoding="utf-8")
    left = rows_of([str(corpus)], "X", tokenizer="whitespace", sort="left")
    assert [row.line for row in left] == [3, 1, 4, 2]  # (a), (a, b), (b), (b, c)
    right = rows_of([str(corpus)], "X", tokenizer="whitespace", sort="right")
    assert [row.line for row in right] == [4, 2, 3, 1]  # none, then a, b, c
    assert [
        row.line for row in rows_of([str(corpus)], "X", tokenizer="whitespace", sort="left", max_rows=2)
    ] == [3, 1]


def test_a_sample_is_the_same_for_any_workers_and_chunks_and_changes_with_the_seed() -> None:
    samples = [
        [
            row.cells()
            for row in rows_of([str(SAMPLE_CORPUS)], "的", sample=7, seed=3, workers=w, chunk_size=c)
        ]
        for w, c in [(1, None), (2, 100), (2, 1)]
    ]
    assert samples[0] == samples[1] == samples[2] and len(samples[0]) == 7
    assert samples[0] == sorted(samples[0], key=lambda r: (str(sample_files().index(Path(r[0]))), r[1]))
    other = [row.cells() for row in rows_of([str(SAMPLE_CORPUS)], "的", sample=7, seed=4)]
    assert other != samples[0]


def test_max_stops_in_corpus_order() -> None:
    rows = rows_of([str(SAMPLE_CORPUS)], "的", max_rows=3, workers=2, chunk_size=100)
    assert [row.cells() for row in rows] == naive_concordance(sample_files(), {"的"})[:3]


# A dictionary under which jieba's all mode joins ASCII pieces around a word it skips: 'abcd' is bc, then ad.
JOINING_DICTIONARY = "a 5\nb 5\nbc 5\nd 5\nQ 3\nQQ 4\n中华 5\n中华人民 5\n人民 5\n人民共和国 4\n"


@pytest.mark.parametrize(
    ("tokenizer", "workers"), [("jieba", 1), ("jieba", 2), ("jieba-py", 2), ("jieba-rs", 1), ("jieba-rs", 2)]
)
def test_all_mode_gives_every_word_its_count_in_order_of_place(tokenizer: str, workers: int) -> None:
    """All mode's tokens overlap (every dictionary word at each place): every word of the table has as
    many rows as its count, each row's node is its token in the line, and a line's rows are in order of
    place."""
    options = {"mode": "all", "tokenizer": tokenizer}
    table = count([str(SAMPLE_CORPUS)], workers=1, **options).counts
    rows = rows_of([str(SAMPLE_CORPUS)], *sorted(table), workers=workers, chunk_size=500, **options)
    assert Counter(row.node for row in rows) == table
    for row, after in zip(rows, rows[1:]):
        if (row.source, row.line) == (after.source, after.line):
            assert (row.column, len(row.node)) < (after.column, len(after.node))
    lines = {
        (str(p), n): line for p in sample_files() for n, line in enumerate(read_text(str(p)).split("\n"), 1)
    }
    assert all(lines[row.source, row.line][row.column :].startswith(row.node) for row in rows)


@pytest.mark.parametrize("tokenizer", ["jieba", "jieba-py"])
def test_all_mode_shows_a_joined_ascii_token_from_its_first_character_to_its_last(
    tmp_path: Path, tokenizer: str
) -> None:
    """jieba's all mode cuts 'abcd' into bc and ad (it joins the single ASCII pieces around the word it
    skips): ad's row shows abcd, and a line that holds no 'ad' at all is still searched."""
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text(JOINING_DICTIONARY, encoding="utf-8")
    corpus = text_file_at(tmp_path, "他说abcd很好，xQQy和中华人民\nabcdQQ ab\nAbcd\n")
    options = {"mode": "all", "tokenizer": tokenizer, "dict": str(dictionary)}
    table = count([corpus], **options).counts
    assert table["ad"] == 2 and table["xy"] == 1 and table["bc"] == 3
    rows = rows_of([corpus], "ad", "xy", "bc", "中华", "中华人民", "人民", width=3, **options)
    assert [row.cells() for row in rows] == [
        (corpus, 1, "他说", "abcd", "很好，"),
        (corpus, 1, "他说a", "bc", "d很好"),
        (corpus, 1, "很好，", "xQQy", "和中华"),
        (corpus, 1, "Qy和", "中华", "人民"),
        (corpus, 1, "Qy和", "中华人民", ""),
        (corpus, 1, "和中华", "人民", ""),
        (corpus, 2, "", "abcd", "QQ "),
        (corpus, 2, "a", "bc", "dQQ"),
        (corpus, 3, "A", "bc", "d"),
    ]
    assert [row.word for row in rows] == ["ad", "bc", "xy", "中华", "中华人民", "人民", "ad", "bc", "bc"]
    tsv = concordance(
        [corpus],
        KwicSpec(Nodes(("ad", "xy", "bc", "中华", "中华人民", "人民")), width=3),
        tsv=True,
        **options,
    )
    assert b"".join(tsv.tsv_blocks()).decode() == "".join(
        "\t".join(map(str, row.cells())) + "\n" for row in rows
    )
    # sorted by the tokens before the node, by place: ad's L1 is 说 (not bc, inside it) on line 1
    left = rows_of([corpus], "ad", sort="left", **options)
    assert [(row.line, row.key) for row in left] == [(2, ()), (1, ("说", "他"))]


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"lowercase": True, "workers": 2, "chunk_size": 300},
        {"mode": "search"},
        {"mode": "all", "tokenizer": "jieba-py"},
        {"pos": True},
        {"pos_include": "n*,v"},
    ],
)
def test_each_row_names_its_word(options: dict[str, object]) -> None:
    """A row's ``word`` is the word of the nodes it is of: the rows of many words, shared out by it, are
    each word's own rows."""
    table = count([str(SAMPLE_CORPUS)], **{"workers": 1, **options}).counts  # type: ignore[arg-type]
    words = [word for word, _ in table.most_common(12)]
    rows = rows_of([str(SAMPLE_CORPUS)], *words, **options)
    for word in words:
        assert [row for row in rows if row.word == word] == rows_of([str(SAMPLE_CORPUS)], word, **options)
    patterns = rows_of([str(SAMPLE_CORPUS)], "的", ".*[a-z].*", regex=True, lowercase=True)
    assert {row.word for row in patterns} == {"的", ".*[a-z].*"}
    assert all(row.word == "的" for row in patterns if row.node == "的")


def a_word_of_its_table(path: str, pick: int, options: dict[str, object]) -> tuple[Counter[str], str]:
    """The table of ``path`` with ``options``, and its word number ``pick`` (modulo its size; "" when it is
    empty)."""
    table = count([path], workers=1, **options).counts  # type: ignore[arg-type]
    return table, sorted(table)[pick % len(table)] if table else ""


def text_file_at(folder: Path, text: str) -> str:
    path = folder / "corpus.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.sampled_from([*PIECES, "\n", " ", "ab", "bcd", "QQx", "Q", "x"]), max_size=40),
    chunk_size=st.integers(1, 64),
    pick=st.integers(0, 1000),
    lowercase=st.booleans(),
    tokenizer=st.sampled_from(["jieba", "jieba-py", "jieba-rs"]),
)
def test_all_mode_on_any_text_and_chunking(
    pieces: list[str], chunk_size: int, pick: int, lowercase: bool, tokenizer: str
) -> None:
    """A word of the table has as many rows as its count, with jieba's joined ASCII tokens too."""
    data = "".join(pieces).encode("utf-8")
    options: dict[str, object] = {"mode": "all", "lowercase": lowercase, "tokenizer": tokenizer}
    if tokenizer != "jieba-rs":  # rjieba takes no main dictionary
        options["dict"] = JOINING_DICTIONARY.encode()
    with text_file(data) as path:
        table, word = a_word_of_its_table(path, pick, options)
        if not table:
            return
        rows = rows_of([path], word, workers=1, chunk_size=chunk_size, **options)
        tsv = concordance([path], KwicSpec(Nodes((word,))), workers=1, tsv=True, **options)  # type: ignore[arg-type]
        blocks = b"".join(tsv.tsv_blocks())
    assert len(rows) == table[word]
    assert blocks.decode().count("\n") == table[word]


def naive_search_concordance(
    files: list[Path], words: set[str], width: int = 40, lowercase: bool = False, hmm: bool = True
) -> list[tuple[str, int, str, str, str]]:
    """Each file, line by line through ``jieba.tokenize(mode="search")``, which gives each token's own
    place; each token's pieces (the whitespace rule), lowercased if asked; a line's rows in order of
    place (where they start, then end)."""
    import jieba

    rows = []
    for path in files:
        text = read_text(str(path))
        for number, line in enumerate(text.split("\n"), 1):
            found = []
            for token, start, _ in jieba.tokenize(line, mode="search", HMM=hmm):
                for piece in re.finditer(r"\S+", token):
                    s, e = start + piece.start(), start + piece.end()
                    kept = piece.group().lower() if lowercase else piece.group()
                    if kept in words:
                        found.append((s, e))
            for s, e in sorted(found):
                rows.append((str(path), number, line[max(0, s - width) : s], line[s:e], line[e : e + width]))
    return rows


@pytest.mark.parametrize(
    ("tokenizer", "workers"), [("jieba", 1), ("jieba", 2), ("jieba-py", 2), ("jieba-rs", 1), ("jieba-rs", 2)]
)
def test_search_mode_gives_every_word_its_count_and_place(tokenizer: str, workers: int) -> None:
    """Search mode's tokens overlap (a word's 2- and 3-grams, then the word): every word of the table has
    as many rows as its count, at the places jieba's own ``tokenize(mode="search")`` gives."""
    options = {"mode": "search", "tokenizer": tokenizer}
    table = count([str(SAMPLE_CORPUS)], workers=1, **options).counts
    words = set(table)
    rows = rows_of([str(SAMPLE_CORPUS)], *sorted(words), workers=workers, chunk_size=500, **options)
    assert Counter(row.node for row in rows) == table
    if tokenizer != "jieba-rs":  # jieba-rs's own places are rjieba.tokenize's: checked in the line as read
        assert [row.cells() for row in rows] == naive_search_concordance(sample_files(), words)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.sampled_from(PIECES), max_size=40),
    chunk_size=st.integers(1, 64),
    pick=st.integers(0, 1000),
    lowercase=st.booleans(),
    hmm=st.booleans(),
    tokenizer=st.sampled_from(["jieba", "jieba-rs"]),
)
def test_search_mode_on_any_text_and_chunking(
    pieces: list[str], chunk_size: int, pick: int, lowercase: bool, hmm: bool, tokenizer: str
) -> None:
    data = "".join(pieces).encode("utf-8")  # PIECES hold no NUL and no lone surrogate
    options = {"mode": "search", "hmm": hmm, "lowercase": lowercase, "tokenizer": tokenizer}
    with text_file(data) as path:
        table, word = a_word_of_its_table(path, pick, options)
        if not table:
            return
        rows = rows_of([path], word, workers=1, chunk_size=chunk_size, **options)
        expected = naive_search_concordance([Path(path)], {word}, lowercase=lowercase, hmm=hmm)
    assert len(rows) == table[word]
    if tokenizer == "jieba":
        assert [row.cells() for row in rows] == expected


def test_wide_characters_take_two_columns() -> None:
    assert columns("青禾a") == 5


def test_cli_tsv_jsonl_and_text(tmp_path: Path) -> None:
    runner = cli_runner()
    result = runner.invoke(cli, ["kwic", "-e", "青禾线", str(SAMPLE_CORPUS), "--max", "2", "-q"])
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and lines[0] == "source\tline\tleft\tnode\tright" and len(lines) == 3
    result = runner.invoke(cli, ["kwic", "青禾线", str(SAMPLE_CORPUS), "--output-format", "jsonl", "-q"])
    row = json.loads(result.stdout.splitlines()[0])
    assert list(row) == ["source", "line", "left", "node", "right"] and row["node"] == "青禾线"
    result = runner.invoke(
        cli, ["kwic", "青禾线", str(SAMPLE_CORPUS), "--output-format", "text", "--width", "6", "-q"]
    )
    starts = {columns(line.split("青禾线")[0]) for line in result.stdout.splitlines()}
    assert starts == {7}


def test_cli_takes_words_from_a_file(tmp_path: Path) -> None:
    """--nodes-from FILE adds its words (one a line) to those of -e, as collocates does."""
    words = tmp_path / "words.txt"
    words.write_text("\ufeff青禾线\n\n市集\n", encoding="utf-8")
    runner = cli_runner()
    args = [
        "kwic",
        "-e",
        "的",
        "--nodes-from",
        str(words),
        str(SAMPLE_CORPUS),
        "--output-format",
        "jsonl",
        "-q",
    ]
    result = runner.invoke(cli, args)
    nodes = Counter(json.loads(line)["node"] for line in result.stdout.splitlines())
    table = count([str(SAMPLE_CORPUS)]).counts
    assert result.exit_code == 0 and nodes == {w: table[w] for w in ("的", "青禾线", "市集")}


def test_cli_takes_parts_of_speech() -> None:
    """kwic and collocates take --pos, --pos-include and --pos-exclude as count does."""
    runner = cli_runner()
    result = runner.invoke(cli, ["kwic", "-e", "的/uj", str(SAMPLE_CORPUS), "--pos", "--max", "2", "-q"])
    assert result.exit_code == 0 and [line.split("\t")[3] for line in result.stdout.splitlines()] == [
        "node",
        "的",
        "的",
    ]
    result = runner.invoke(
        cli, ["collocates", "-e", "的/uj", str(SAMPLE_CORPUS), "--pos", "--pos-exclude", "x", "-q"]
    )
    collocates = [line.split("\t")[0] for line in result.stdout.splitlines()[1:]]
    assert result.exit_code == 0 and collocates and all("/" in c and not c.endswith("/x") for c in collocates)
    result = runner.invoke(cli, ["kwic", "-e", "的", str(SAMPLE_CORPUS), "--pos-include", "n,", "-q"])
    assert result.exit_code == 2


def test_cli_errors(tmp_path: Path) -> None:
    runner = cli_runner()
    assert runner.invoke(cli, ["kwic", "--regex", "(", str(SAMPLE_CORPUS)]).exit_code == 2
    assert runner.invoke(cli, ["kwic", "的"]).exit_code == 2
    result = runner.invoke(cli, ["kwic", "的", str(tmp_path / "missing")])
    assert result.exit_code == 1


@pytest.mark.parametrize(("sort", "workers"), [("left", 1), ("right", 2)])
def test_a_sort_past_the_memory_budget_spills_to_the_same_rows(
    tmp_path: Path, sort: str, workers: int
) -> None:
    """A sort that holds more than --memory writes sorted runs to disk and merges them: the same rows in
    the same order (ties in corpus order), and no file left in the temporary directory."""
    words = ("的", "市集", "，")
    spec = KwicSpec(Nodes(words), sort=sort)
    held = list(concordance([str(SAMPLE_CORPUS)], spec, workers=workers).rows())
    spilled = concordance([str(SAMPLE_CORPUS)], spec, workers=workers, memory=65536, temp_dir=str(tmp_path))
    assert list(spilled.rows()) == held and spilled.runs > 1
    assert list(tmp_path.iterdir()) == []
    runner = cli_runner()
    result = runner.invoke(
        cli,
        [
            "kwic",
            "的",
            str(SAMPLE_CORPUS),
            "--sort",
            sort,
            "--memory",
            "64K",
            "--temp-dir",
            str(tmp_path),
            "-q",
        ],
    )
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 1 + sum(
        row.node == "的" for row in held
    )


def test_the_lines_searched_are_those_that_can_hold_a_word() -> None:
    from wordfreq import Filters
    from wordfreq.analyses.occurrences import LineReader

    lines = ["xx", "ab", "zc c", "", "AB", "c", "ΑΣ"]
    assert LineReader(lambda: None, Filters(), Nodes(("ab", "c"))).candidates(lines) == [1, 2, 5]
    lowered = LineReader(lambda: None, Filters(lowercase=True), Nodes(("ab", "c")))
    assert lowered.candidates(lines) == [1, 2, 4, 5]
    sigma = LineReader(lambda: None, Filters(lowercase=True), Nodes(("ας",)))  # final sigma: every line
    assert sigma.candidates(lines) == list(range(len(lines)))


def test_only_two_characters_change_kind_or_length_when_lowercased() -> None:
    from wordfreq.analyses.occurrences import _BLOCK_RUN, _RESHAPED_BY_LOWER

    for code in range(0x110000):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        lower = char.lower()
        reshaped = len(lower) != 1 or bool(_BLOCK_RUN.fullmatch(char)) != bool(_BLOCK_RUN.fullmatch(lower))
        assert reshaped == bool(_RESHAPED_BY_LOWER.match(char)), hex(code)


line_pieces = st.lists(
    st.sampled_from(["北京", "大学", "生", "，", "a", "B", "K", " ", "İ", "的", "x+y", "。"]), max_size=12
)


@settings(max_examples=300, deadline=None)
@given(
    pieces=line_pieces, picks=st.lists(st.integers(0, 100), min_size=1, max_size=3), lowercase=st.booleans()
)
def test_nodes_found_block_by_block_are_those_of_the_whole_line(
    pieces: list[str], picks: list[int], lowercase: bool
) -> None:
    from wordfreq import Filters
    from wordfreq.analyses.occurrences import line_reader
    from wordfreq.options import CountOptions

    line = "".join(pieces)
    options = CountOptions(filters=Filters(lowercase=lowercase))
    probe = line_reader(options, Nodes(("的",)))
    vocabulary = sorted({t for t in probe.kept(line)}) or ["的"]
    reader = line_reader(options, Nodes(tuple(dict.fromkeys(vocabulary[p % len(vocabulary)] for p in picks))))
    kept, starts, ends = reader.spans(line)
    whole = sorted((starts[i], ends[i]) for at in reader.positions(kept).values() for i in at)
    by_block = reader.node_spans(line)
    assert by_block is None or by_block == whole


def tsv_of(
    paths: list[str], words: list[str], fast: bool, stdin: bytes | None = None, **options: object
) -> bytes:
    """The TSV of a concordance: made in the workers (``fast``, `KwicResult.tsv_blocks`) or row by row."""
    from wordfreq import write_kwic, write_kwic_tsv

    width = options.pop("width", 40)
    spec = KwicSpec(Nodes(tuple(words)), width=width)  # type: ignore[arg-type]
    result = concordance(
        paths, spec, stdin=io.BytesIO(stdin) if stdin is not None else None, tsv=fast, **options
    )
    out = io.BytesIO()
    if fast:
        write_kwic_tsv(result.tsv_blocks(), out)
    else:
        write_kwic(result.rows(), out, "tsv", width)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.mark.parametrize("mode", ["accurate", "all"])
@pytest.mark.parametrize("few", [False, True], ids=["every-word", "few-words"])
def test_the_tsv_of_many_or_few_words_is_the_rows(mode: str, few: bool) -> None:
    """Made in C, the TSV of the sample corpus's words, every one of them (the lines found by one
    regular expression) or a few (each looked for in C), is the rows'."""
    table = count([str(SAMPLE_CORPUS)], workers=1, mode=mode).counts
    words = sorted(table)[::97] if few else sorted(table)
    options = {"workers": 2, "chunk_size": 700, "mode": mode, "width": 7}
    fast = tsv_of([str(SAMPLE_CORPUS)], words, True, **options)
    assert fast == tsv_of([str(SAMPLE_CORPUS)], words, False, **options)
    assert fast.count(b"\n") == 1 + sum(table[word] for word in words)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(
        st.one_of(
            st.sampled_from([*PIECES, "\n", "\t", " ", "\r\n", "北京", "的", "Ab"]), st.text(max_size=2)
        ),
        max_size=40,
    ),
    chunk_size=st.integers(1, 64),
    picks=st.lists(st.integers(0, 1000), min_size=1, max_size=3),
    lowercase=st.booleans(),
    no_punct=st.booleans(),
    width=st.integers(0, 6),
    tokenizer=st.sampled_from(["jieba", "jieba", "jieba-py"]),
)
def test_the_tsv_made_in_the_workers_is_the_rows(
    pieces: list[str],
    chunk_size: int,
    picks: list[int],
    lowercase: bool,
    no_punct: bool,
    width: int,
    tokenizer: str,
) -> None:
    """The rows written in the workers (in C for the compiled tokenizer, from the hits for another) are
    the bytes `write_kwic` writes from `rows`, for any text, chunking, words, filters and width, file or
    stdin."""
    text = "".join(pieces).replace("\0", "")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    with text_file(data) as path:
        table = count([path], workers=1, lowercase=lowercase).counts
        vocabulary = sorted(table) or ["北京"]
        words = sorted({vocabulary[p % len(vocabulary)] for p in picks})
        options = {"workers": 1, "chunk_size": chunk_size, "lowercase": lowercase, "width": width}
        options["no_punct"] = no_punct
        options["tokenizer"] = tokenizer
        fast = tsv_of([path], words, True, **options)
        assert fast == tsv_of([path], words, False, **options)
        assert tsv_of(["-"], words, True, stdin=data, **options) == tsv_of(
            ["-"], words, False, stdin=data, **options
        )
    if not no_punct:
        assert fast.count(b"\n") - 1 == sum(table[w] for w in words)


def test_the_tsv_made_in_the_workers_numbers_records_and_files(tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    records.write_text('{"t": "北京欢迎你"}\n\n{"t": "我在北京\\n北京\\t很大"}\n', encoding="utf-8")
    fast = tsv_of([str(records)], ["北京"], True, field="t", width=2)
    assert fast == tsv_of([str(records)], ["北京"], False, field="t", width=2)
    assert fast.decode().splitlines()[1:] == [
        f"{records}\t1\t\t北京\t欢迎",
        f"{records}\t3\t我在\t北京\t",
        f"{records}\t3\t\t北京\t 很",
    ]
    for workers, chunk_size in [(1, None), (2, 300)]:
        options = {"workers": workers, "chunk_size": chunk_size}
        words = ["的", "青禾线", "市集"]
        assert tsv_of([str(SAMPLE_CORPUS)], words, True, **options) == tsv_of(
            [str(SAMPLE_CORPUS)], words, False, **options
        )
