"""Three-column tables (with document frequencies) and the write-only vocabulary formats.

Each behaviour once: the third column through every reader, writer and
command, tables of both shapes refused, merged docs, and the exact bytes of
the sentencepiece, jieba and gensim formats, with what each refuses.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import jieba
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_tables import written

import wordfreq
from wordfreq.analyses.stats import table_stats
from wordfreq.cli import cli
from wordfreq.errors import InputError, OutputError
from wordfreq.reduce.merge import merge_tables
from wordfreq.reduce.order import Row, sorted_rows, top_rows
from wordfreq.tables.formats import FORMATS, WRITE_FORMATS, read_rows

from conftest import cli_runner

VOCAB: list[Row] = [("的", 5, 3), ("北京", 2, 2), ("C++", 1, 1)]


@pytest.fixture
def runner() -> CliRunner:
    return cli_runner()


def read_back(data: bytes, fmt: str) -> list[Row]:
    return list(read_rows(io.BytesIO(data), "t", fmt))


# --- three columns ------------------------------------------------------------


def test_sorted_rows_with_docs_adds_the_third_column() -> None:
    assert sorted_rows({"a": 1, "b": 2, "c": 2}, {"a": 1, "c": 2}) == [("b", 2, 0), ("c", 2, 2), ("a", 1, 1)]


tokens = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8)
three_column_rows = st.lists(
    st.tuples(tokens, st.integers(0, 10**12)).flatmap(
        lambda pair: st.tuples(st.just(pair[0]), st.just(pair[1]), st.integers(0, pair[1]))
    ),
    max_size=20,
)


@settings(max_examples=300, deadline=None)
@given(rows=three_column_rows, fmt=st.sampled_from(FORMATS))
def test_writing_then_reading_a_three_column_table_is_the_identity(rows: list[Row], fmt: str) -> None:
    if fmt == "tsv":
        rows = [row for row in rows if "\n" not in row[0]]  # TSV refuses line breaks
    assert read_back(written(rows, fmt), fmt) == rows


def test_two_column_tsv_refuses_a_token_that_would_read_back_as_three_columns() -> None:
    assert read_back(written([("a\tb", 1)], "tsv"), "tsv") == [("a\tb", 1)]  # a tab alone is fine
    with pytest.raises(OutputError, match="ends in a tab and digits"):
        written([("a\t5", 1)], "tsv")


def test_merge_tables_sums_docs_and_refuses_tables_of_both_shapes() -> None:
    merged = merge_tables([[("a", 3, 2), ("b", 1, 1)], [], [("b", 4, 2)]])
    assert merged.rows() == [("b", 5, 3), ("a", 3, 2)]
    with pytest.raises(
        InputError, match="^b.tsv has two columns and a.tsv three: merge tables counted alike"
    ):
        merge_tables([[("a", 3, 2)], [("a", 1)]], names=["a.tsv", "b.tsv"])


def test_top_rows_orders_three_columns_by_count_and_token_only() -> None:
    assert top_rows([("b", 2, 1), ("a", 2, 2), ("c", 3, 1)], 2) == [("c", 3, 1), ("a", 2, 2)]


def test_stats_of_three_columns_add_the_rows_in_one_document() -> None:
    stats = table_stats([("a", 5, 1), ("b", 2, 2), ("c", 1, 1), ("d", 1, 1)])
    assert (stats.tokens, stats.types, stats.hapax, stats.one_doc) == (9, 4, 2, 3)
    assert stats.as_dict()["one_doc_share"] == 0.75
    assert "one_doc" not in table_stats([("a", 5)]).as_dict()  # two columns: the keys of before


def test_cli_merge_of_tables_of_both_shapes_fails_in_one_line(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "two.tsv").write_text("x\t2\n", encoding="utf-8")
    result = runner.invoke(cli, ["merge", "-", str(tmp_path / "two.tsv")], input=b"x\t2\t1\n")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "two.tsv has two columns and <stdin> three" in result.stderr


def test_cli_top_and_stats_read_three_columns(runner: CliRunner) -> None:
    table = b"b\t2\t2\na\t2\t1\nc\t9\t1\n"
    top = runner.invoke(cli, ["top", "-", "-n", "2", "--output-format", "csv"], input=table)
    assert top.exit_code == 0 and top.stdout == "c,9,1\na,2,1\n"
    stats = runner.invoke(cli, ["stats", "-"], input=table)
    assert "in one document      2 (66.7% of types)\n" in stats.stdout
    assert json.loads(runner.invoke(cli, ["stats", "-", "--json"], input=table).stdout)["one_doc"] == 2


# --- vocabulary formats ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "rows", "expected"),
    [
        ("sentencepiece", VOCAB, "的\t5\n北京\t2\nC++\t1\n"),  # the docs column dropped
        ("jieba", VOCAB, "的 5\n北京 2\nC++ 1\n"),
        ("jieba", [(row[0], row[1]) for row in VOCAB], "的 5\n北京 2\nC++ 1\n"),
        ("gensim", VOCAB, "4\n0\t的\t3\n1\t北京\t2\n2\tC++\t1\n"),
    ],
)
def test_each_vocabulary_format_writes_its_documented_bytes(fmt: str, rows: list[Row], expected: str) -> None:
    out = io.BytesIO()
    wordfreq.write_rows(rows, out, fmt, documents=4)
    assert out.getvalue() == expected.encode("utf-8")


@pytest.mark.parametrize(
    ("fmt", "rows", "documents", "message"),
    [
        ("gensim", [("a", 2)], 4, "needs each token's document frequency"),
        ("gensim", [("a", 2, 1)], None, "starts with the number of documents"),
        ("gensim", [("a", 2, 5)], 4, "occurs in 5 documents, more than the 4 counted"),
        ("gensim", [("a\tb", 2, 1)], 4, "contains a tab or a line break"),
        ("sentencepiece", [("a", 1), ("a\tb", 2)], None, "contains a tab or a line break"),
        ("sentencepiece", [("a", 0)], None, "needs counts >= 1"),
        ("jieba", [("a", 2), ("北京 大学", 1)], None, "'北京 大学' cannot be a jieba user dictionary entry"),
    ],
)
def test_rows_a_vocabulary_format_cannot_hold_are_refused(
    fmt: str, rows: list[Row], documents: int | None, message: str
) -> None:
    with pytest.raises(OutputError, match=message):
        wordfreq.write_rows(rows, io.BytesIO(), fmt, documents=documents)


def test_cli_gensim_needs_documents_and_doc_freq(runner: CliRunner) -> None:
    gensim = ["top", "-", "--output-format", "gensim"]
    no_documents = runner.invoke(cli, gensim, input=b"a\t2\t1\n")
    assert no_documents.exit_code == 1 and "(see --documents)" in no_documents.stderr
    no_docs = runner.invoke(cli, [*gensim, "--documents", "3"], input=b"a\t2\n")
    assert no_docs.exit_code == 1 and "(see --doc-freq)" in no_docs.stderr
    assert runner.invoke(cli, [*gensim, "--documents", "3"], input=b"a\t2\t1\n").stdout == "3\n0\ta\t1\n"


def test_vocabulary_formats_are_write_only(runner: CliRunner) -> None:
    assert set(WRITE_FORMATS) - set(FORMATS) == {"sentencepiece", "jieba", "gensim"}
    with pytest.raises(ValueError, match="'jieba' is a write-only format"):
        read_back(b"a 1\n", "jieba")
    assert runner.invoke(cli, ["stats", "-", "--input-format", "jieba"], input=b"a 1\n").exit_code == 2


def test_jieba_loads_the_jieba_format_with_the_counts_as_frequencies() -> None:
    rows = [("云栖茶舍", 7), ("梧桐坊", 3), ("Wi-Fi", 2)]
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(io.BytesIO(written(rows, "jieba")))
    assert [(token, tokenizer.FREQ[token]) for token, _ in rows] == rows
    assert "云栖茶舍" in tokenizer.lcut("我们在云栖茶舍喝茶")
