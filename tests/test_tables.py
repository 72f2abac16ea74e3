"""Tables beyond counting: merging, statistics, the CSV and JSONL formats, two or three columns.

The functions of `wordfreq.tables.formats` and `wordfreq.analyses.stats` directly, then the
`merge`, `stats` and `--output-format` / `--input-format` CLI behaviours
through click's CliRunner.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import wordfreq
from wordfreq.analyses.stats import table_stats
from wordfreq.cli import cli
from wordfreq.errors import InputError, OutputError
from wordfreq.reduce.merge import merge_tables
from wordfreq.reduce.order import Row
from wordfreq.tables.formats import read_rows, read_table, write_rows
from wordfreq.tables.output import atomic_output

from conftest import cli_runner

# Tokens that the CSV and JSON writers have to quote or escape; then with a docs column.
TRICKY_ROWS: list[Row] = [("我们", 3), ("a,b", 2), ('"', 2), ('say "hi"', 1), ("\\", 1), ("😀", 1)]
TRICKY_ROWS3: list[Row] = [
    ("我们", 3, 2),
    ("a,b", 2, 1),
    ('"', 2, 2),
    ('say "hi"', 1, 1),
    ("\\", 1, 0),
    ("😀", 1, 1),
]


@pytest.fixture
def runner() -> CliRunner:
    return cli_runner()


def written(rows: list[Row], fmt: str) -> bytes:
    out = io.BytesIO()
    write_rows(rows, out, fmt)
    return out.getvalue()


def halves(corpus: Path) -> tuple[list[Path], list[Path]]:
    files = sorted(corpus.rglob("*.txt"))
    return files[::2], files[1::2]


def power_law(n: int, s: float) -> list[tuple[str, int]]:
    """``n`` rows whose counts follow count = 1e9 / rank**s (to rounding)."""
    return [(f"w{r}", round(1e9 / r**s)) for r in range(1, n + 1)]


# --- merging ---------------------------------------------------------------


def test_merge_tables_sums_counts_of_unsorted_tables() -> None:
    merged = merge_tables([[("b", 1), ("a", 2)], iter([("c", 5), ("a", 3), ("b", 1)])])
    assert merged.rows() == [("a", 5), ("c", 5), ("b", 2)] and merged.docs is None


def test_merging_the_counts_of_two_halves_equals_counting_the_whole(sample_corpus: Path) -> None:
    first, second = halves(sample_corpus)
    parts = [wordfreq.count(half, workers=1).rows() for half in (first, second)]
    assert merge_tables(parts).counts == wordfreq.count([sample_corpus], workers=1).counts


def test_read_table_opens_its_file_only_when_read(tmp_path: Path) -> None:
    rows = read_table(tmp_path / "missing.tsv")  # no error yet: nothing opened
    with pytest.raises(InputError, match="missing.tsv: no such file"):
        next(rows)


# --- formats ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "fmt", "expected"),
    [
        (TRICKY_ROWS, "tsv", '我们\t3\na,b\t2\n"\t2\nsay "hi"\t1\n\\\t1\n😀\t1\n'),
        (TRICKY_ROWS, "csv", '我们,3\n"a,b",2\n"""",2\n"say ""hi""",1\n\\,1\n😀,1\n'),
        (
            TRICKY_ROWS,
            "jsonl",
            '{"token": "我们", "count": 3}\n{"token": "a,b", "count": 2}\n{"token": "\\"", "count": 2}\n'
            '{"token": "say \\"hi\\"", "count": 1}\n{"token": "\\\\", "count": 1}\n'
            '{"token": "😀", "count": 1}\n',
        ),
        (TRICKY_ROWS3, "tsv", '我们\t3\t2\na,b\t2\t1\n"\t2\t2\nsay "hi"\t1\t1\n\\\t1\t0\n😀\t1\t1\n'),
        (TRICKY_ROWS3, "csv", '我们,3,2\n"a,b",2,1\n"""",2,2\n"say ""hi""",1,1\n\\,1,0\n😀,1,1\n'),
        (
            TRICKY_ROWS3,
            "jsonl",
            '{"token": "我们", "count": 3, "docs": 2}\n{"token": "a,b", "count": 2, "docs": 1}\n'
            '{"token": "\\"", "count": 2, "docs": 2}\n{"token": "say \\"hi\\"", "count": 1, "docs": 1}\n'
            '{"token": "\\\\", "count": 1, "docs": 0}\n{"token": "😀", "count": 1, "docs": 1}\n',
        ),
    ],
)
def test_each_format_writes_its_documented_bytes(rows: list[Row], fmt: str, expected: str) -> None:
    assert written(rows, fmt) == expected.encode("utf-8")


@pytest.mark.parametrize("rows", [TRICKY_ROWS, TRICKY_ROWS3])
@pytest.mark.parametrize("fmt", wordfreq.FORMATS)
def test_each_format_reads_back_what_it_wrote(fmt: str, rows: list[Row]) -> None:
    assert list(read_rows(io.BytesIO(written(rows, fmt)), "t", fmt)) == rows


def test_rows_with_line_breaks_round_trip_through_csv_and_jsonl_only() -> None:
    rows = [("two\nlines", 1)]
    for fmt in ("csv", "jsonl"):
        assert list(read_rows(io.BytesIO(written(rows, fmt)), "t", fmt)) == rows
    with pytest.raises(OutputError, match="contains a line break"):
        written(rows, "tsv")


def test_unknown_format_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown table format 'xml'"):
        written(TRICKY_ROWS, "xml")


@pytest.mark.parametrize(
    ("fmt", "data", "message"),
    [
        ("csv", b"a,1\nb;2\n", "t: line 2: expected 'token,count'"),
        ("csv", b"a,1\nb,2,x\n", "t: line 2: expected 'token,count'"),
        ("csv", b'a,1\n"b\nc",x\n', "t: line 3: expected 'token,count'"),
        ("csv", b"a,1\n\xff,2\n", "t: line 2: not valid UTF-8"),
        ("jsonl", b'{"token": "a", "count": 1}\n{"token": "b"}\n', "t: line 2: expected {"),
        ("jsonl", b'{"token": "a", "count": true}\n', "t: line 1: expected {"),
        ("jsonl", b'{"token": "a", "count": -1}\n', "t: line 1: expected {"),
        ("jsonl", b"[1, 2]\n", "t: line 1: expected {"),
        ("jsonl", b"not json\n", "t: line 1: expected {"),
        # three columns (a docs column): never mixed with two, never more docs than count
        ("tsv", b"a\t2\t1\nb\t1\n", "t: line 2: a two-column row in a three-column table (line 1)"),
        ("tsv", b"\na\t2\nb\t1\t1\n", "t: line 3: a three-column row in a two-column table (line 2)"),
        ("csv", b"a,1\nb,2,1\n", "t: line 2: a three-column row in a two-column table (line 1)"),
        (
            "jsonl",
            b'{"token": "a", "count": 1, "docs": 1}\n{"token": "b", "count": 1}\n',
            "t: line 2: a two-",
        ),
        ("tsv", b"a\t2\t3\n", "t: line 1: more documents than occurrences (3 > 2)"),
        ("csv", b"a,2,1\nb,1,x\n", "t: line 2: expected 'token,count,docs'"),
        ("jsonl", b'{"token": "a", "count": 1, "docs": true}\n', "t: line 1: expected {"),
    ],
)
def test_a_bad_row_names_its_line(fmt: str, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        list(read_rows(io.BytesIO(data), "t", fmt))


# --- statistics -------------------------------------------------------------


def test_stats_count_tokens_types_and_hapax_of_an_unsorted_table() -> None:
    stats = table_stats([("c", 1), ("a", 5), ("d", 1), ("b", 2), ("a", 1)])
    assert (stats.tokens, stats.types, stats.hapax) == (10, 5, 3)
    assert stats.hapax_share == pytest.approx(0.6)


def test_coverage_is_the_token_share_of_the_top_rows() -> None:
    rows = [(f"w{i}", 1) for i in range(20)] + [("top", 80)]
    stats = table_stats(rows, coverage_ranks=(1, 10, 100))
    assert stats.coverage == {1: pytest.approx(0.8), 10: pytest.approx(0.89), 100: 1.0}


@pytest.mark.parametrize("s", [0.8, 1.0, 1.5])
def test_zipf_exponent_of_an_exact_power_law(s: float) -> None:
    assert table_stats(power_law(1000, s)).zipf_exponent == pytest.approx(s, abs=1e-4)


def test_zipf_fit_leaves_the_hapax_rows_out() -> None:
    base = power_law(1000, 1.0)
    stats = table_stats(base + [(f"h{i}", 1) for i in range(5000)])
    assert stats.zipf_rows == 1000
    assert stats.zipf_exponent == pytest.approx(table_stats(base).zipf_exponent, rel=1e-12)


def test_stats_do_not_depend_on_row_order(sample_corpus: Path) -> None:
    rows = wordfreq.count([sample_corpus], workers=1).rows()
    assert table_stats(rows) == table_stats(reversed(rows))


def test_stats_of_tiny_tables_say_what_is_undefined() -> None:
    empty = table_stats([])
    assert (empty.tokens, empty.types, empty.hapax_share, empty.zipf_exponent) == (0, 0, None, None)
    assert set(empty.coverage.values()) == {None}
    assert table_stats([("a", 3), ("b", 1)]).zipf_exponent is None  # one row with count >= 2


# --- the CLI ----------------------------------------------------------------


@pytest.mark.parametrize("doc_freq", [[], ["--doc-freq"]])
def test_cli_merge_of_two_half_counts_is_byte_for_byte_the_whole_count(
    runner: CliRunner, sample_corpus: Path, tmp_path: Path, doc_freq: list[str]
) -> None:
    """With --doc-freq too: the halves are disjoint sets of documents (files), so docs add up."""
    tables = []
    for i, half in enumerate(halves(sample_corpus)):
        tables.append(str(tmp_path / f"half{i}.tsv"))
        result = runner.invoke(cli, ["count", *map(str, half), *doc_freq, "-q", "-o", tables[-1]])
        assert result.exit_code == 0, result.output
    whole = runner.invoke(cli, ["count", str(sample_corpus), *doc_freq, "-q"]).stdout
    merged = runner.invoke(cli, ["merge", *tables])
    assert merged.exit_code == 0 and merged.stdout == whole
    assert whole.partition("\n")[0].count("\t") == 1 + len(doc_freq)


def test_cli_merge_reads_stdin_for_dash(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text("x\t2\ny\t1\n", encoding="utf-8")
    result = runner.invoke(cli, ["merge", str(tmp_path / "a.tsv"), "-"], input=b"y\t4\n")
    assert result.stdout == "y\t5\nx\t2\n"


def test_cli_merge_takes_dash_only_once(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["merge", "-", "-"], input=b"a\t1\n")
    assert result.exit_code == 2 and "only once" in result.stderr


def test_cli_merge_may_write_over_one_of_its_inputs(runner: CliRunner, tmp_path: Path) -> None:
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    a.write_text("x\t1\n", encoding="utf-8")
    b.write_text("x\t2\nz\t1\n", encoding="utf-8")
    assert runner.invoke(cli, ["merge", str(a), str(b), "-o", str(a)]).exit_code == 0
    assert a.read_text(encoding="utf-8") == "x\t3\nz\t1\n"
    assert sorted(os.listdir(tmp_path)) == ["a.tsv", "b.tsv"]


def test_cli_merge_of_a_malformed_table_fails_naming_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "bad.tsv").write_text("x\t1\nno count here\n", encoding="utf-8")
    out = tmp_path / "out.tsv"
    result = runner.invoke(cli, ["merge", "-", str(tmp_path / "bad.tsv"), "-o", str(out)], input=b"")
    assert result.exit_code == 1
    assert "bad.tsv: line 2: expected 'token<TAB>count'" in result.stderr and result.stderr.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_cli_count_writes_the_same_rows_in_other_formats(
    runner: CliRunner, sample_corpus: Path, fmt: str
) -> None:
    tsv = runner.invoke(cli, ["count", str(sample_corpus), "-q"]).stdout_bytes
    other = runner.invoke(cli, ["count", str(sample_corpus), "-q", "--output-format", fmt])
    assert other.exit_code == 0
    assert list(read_rows(io.BytesIO(other.stdout_bytes), "out", fmt)) == list(
        read_rows(io.BytesIO(tsv), "t")
    )


def test_cli_top_and_merge_convert_between_formats(runner: CliRunner) -> None:
    csv_table = b'"a,b",2\nc,5\n'
    top = runner.invoke(
        cli, ["top", "-", "-n", "1", "--input-format", "csv", "--output-format", "jsonl"], input=csv_table
    )
    assert top.stdout == '{"token": "c", "count": 5}\n'
    merged = runner.invoke(cli, ["merge", "-", "--input-format", "csv"], input=csv_table)
    assert merged.stdout == "c\t5\na,b\t2\n"


def test_cli_rejects_an_unknown_format(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["top", "-", "--output-format", "xml"], input=b"").exit_code == 2


def test_cli_stats_prints_aligned_lines(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["stats", "-"], input=b"a\t6\nb\t3\nc\t1\n")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "tokens               10",
        "types                3",
        "hapax legomena       1 (33.3% of types)",
    ]
    assert "top 10 coverage      100.0% of tokens" in lines
    assert lines[-1].startswith("zipf exponent        1.000 (least squares over 2 rows with count >= 2)")
    assert all(line[19:21] == "  " and line[21] != " " for line in lines)  # one column of values


def test_cli_stats_json_is_one_object(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["stats", "-", "--json"], input=b"b\t1\na\t4\n")
    assert result.exit_code == 0 and result.stdout.count("\n") == 1
    stats = json.loads(result.stdout)
    assert stats["tokens"] == 5 and stats["types"] == 2 and stats["hapax"] == 1
    assert stats["hapax_share"] == 0.5 and stats["coverage"]["10"] == 1.0
    assert stats["zipf_exponent"] is None and stats["zipf_rows"] == 1


def test_cli_stats_of_a_malformed_table_fails_with_status_1(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["stats", "-"], input=b"a\t1\nb\n")
    assert result.exit_code == 1 and "<stdin>: line 2" in result.stderr and "Traceback" not in result.stderr


def test_output_to_a_fifo_writes_through_it_and_leaves_it_a_fifo(tmp_path: Path) -> None:
    """``-o /dev/null`` or a named pipe is written to as it is: renaming a file over
    it (as a regular file's output is made atomic) would replace the device."""
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    with atomic_output(str(fifo)) as out:
        out.write(b"a\t1\n")
    reader.join(timeout=10)
    assert received == [b"a\t1\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and os.listdir(tmp_path) == ["pipe"]


# -- the compiled table operations and their Python twins ----------------------------

tokens = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=6)


@settings(max_examples=300, deadline=None)
@given(counts=st.dictionaries(tokens, st.integers(1, 2**63 - 1), max_size=60), with_docs=st.booleans())
def test_sorted_rows_compiled_and_in_python_agree(counts: dict[str, int], with_docs: bool) -> None:
    """Count descending, then token in code-point order, whichever sorts: every plane, NUL, surrogates."""
    from wordfreq.reduce import order as table

    docs = {token: n // 2 for token, n in counts.items()} if with_docs else None
    compiled = table.sorted_rows(counts, docs)
    saved, table._tables = table._tables, None
    try:
        in_python = table.sorted_rows(counts, docs)
    finally:
        table._tables = saved
    assert table._tables is not None and compiled == in_python
    assert compiled == sorted(compiled, key=lambda row: (-row[1], row[0]))


def test_sorted_rows_take_counts_beyond_64_bits() -> None:
    from wordfreq.reduce.order import sorted_rows

    assert sorted_rows({"a": 2**70, "b": 1, "c": 2**70}) == [("a", 2**70), ("c", 2**70), ("b", 1)]


@settings(max_examples=200, deadline=None)
@given(
    total=st.dictionaries(tokens, st.integers(0, 2**70), max_size=30),
    part=st.dictionaries(tokens, st.integers(0, 2**70), max_size=30),
)
def test_add_table_is_counter_update(total: dict[str, int], part: dict[str, int]) -> None:
    from wordfreq.reduce.order import add_table

    expected = Counter(total)
    expected.update(part)
    got = Counter(total)
    add_table(got, part)
    assert got == expected and list(got) == list(expected)


def test_a_token_utf8_cannot_encode_is_one_line_not_a_traceback() -> None:
    """A Python string may hold a lone surrogate; written, it is an `OutputError` naming the token."""
    with pytest.raises(OutputError, match=r"token 'a\\ud800' holds a lone surrogate"):
        write_rows([("b", 2), ("a\ud800", 1)], io.BytesIO())
