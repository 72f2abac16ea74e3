"""Parquet out and in: typed columns that pyarrow, polars and DuckDB read as the TSV of the same table,
row groups, the magic bytes that make every table reader read it untold, and atomic writes."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import wordfreq.analyses.keyness
import wordfreq.tables.parquet
from wordfreq.cli import cli
from wordfreq.errors import InputError, OutputError
from wordfreq.tables.formats import read_rows, read_table, write_rows
from wordfreq.tables.output import atomic_output

from conftest import ROOT, cli_runner

ROWS = [("的", 5, 3), ('say "hi", all', 2, 1), ("北京\n", 2, 2), ("C++", 1, 1)]


@pytest.fixture
def runner() -> CliRunner:
    return cli_runner()


def parquet_bytes(rows: list, fmt: str = "parquet") -> bytes:
    out = io.BytesIO()
    write_rows(rows, out, fmt)
    return out.getvalue()


def tsv_rows(path: Path) -> list[tuple]:
    return list(read_table(path, "tsv"))


@pytest.fixture
def tables(runner: CliRunner, sample_corpus: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The sample corpus counted with document frequencies, as TSV and as Parquet."""
    tsv, parquet = tmp_path / "t.tsv", tmp_path / "t.parquet"
    for path, fmt in ((tsv, "tsv"), (parquet, "parquet")):
        result = runner.invoke(
            cli,
            ["count", str(sample_corpus), "-j1", "-q", "--doc-freq", "-o", str(path), "--output-format", fmt],
        )
        assert result.exit_code == 0, result.output
    return tsv, parquet


def test_pyarrow_polars_and_duckdb_read_the_rows_and_types_of_the_tsv(tables: tuple[Path, Path]) -> None:
    tsv, parquet = tables
    expected = tsv_rows(tsv)
    assert len(expected) > 100
    table = pq.read_table(parquet)
    assert table.schema.field("token").type in (pa.string(), pa.large_string())
    assert table.schema.field("count").type == pa.int64() and table.schema.field("docs").type == pa.int64()
    assert list(zip(*(table.column(c).to_pylist() for c in ("token", "count", "docs")))) == expected
    frame = pl.read_parquet(parquet)
    assert frame.schema == pl.Schema({"token": pl.String, "count": pl.Int64, "docs": pl.Int64})
    assert frame.rows() == expected
    con = duckdb.connect()
    types = [row[:2] for row in con.execute(f"DESCRIBE SELECT * FROM '{parquet}'").fetchall()]
    assert types == [("token", "VARCHAR"), ("count", "BIGINT"), ("docs", "BIGINT")]
    assert con.execute(f"SELECT * FROM '{parquet}'").fetchall() == expected


def test_a_table_is_written_in_row_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wordfreq.tables.parquet, "ROW_GROUP_ROWS", 2048)
    rows = [(f"w{i}", 20_000 - i) for i in range(20_000)]
    meta = pq.ParquetFile(io.BytesIO(parquet_bytes(rows))).metadata
    assert meta.num_rows == 20_000 and meta.num_row_groups >= 5


def test_every_table_command_reads_parquet_untold_as_it_reads_the_tsv(
    runner: CliRunner, tables: tuple[Path, Path]
) -> None:
    tsv, parquet = tables
    for args in (["top", "-n", "7"], ["stats", "--json"], ["merge"], ["report"]):
        from_tsv = runner.invoke(cli, [*args, str(tsv)])
        from_parquet = runner.invoke(cli, [*args, str(parquet)])
        told = runner.invoke(cli, [*args, "--input-format", "parquet", str(parquet)])
        assert from_tsv.exit_code == from_parquet.exit_code == told.exit_code == 0, from_parquet.output
        assert from_parquet.stdout == from_tsv.stdout.replace(tsv.name, parquet.name) == told.stdout
    compared = [runner.invoke(cli, ["compare", str(a), str(b)]) for a, b in ((tsv, tsv), (parquet, tsv))]
    assert compared[0].stdout == compared[1].stdout


def test_parquet_is_read_from_standard_input_and_from_a_compressed_file(tables: tuple[Path, Path]) -> None:
    tsv, parquet = tables
    assert list(read_rows(io.BytesIO(parquet.read_bytes()), "-")) == tsv_rows(tsv)
    assert list(read_rows(io.BufferedReader(io.BytesIO(parquet.read_bytes())), "-")) == tsv_rows(tsv)  # type: ignore[arg-type]
    import gzip

    gz = parquet.with_suffix(".parquet.gz")
    gz.write_bytes(gzip.compress(parquet.read_bytes()))
    assert list(read_table(gz)) == tsv_rows(tsv)


def test_tables_that_polars_and_pyarrow_wrote_are_read_too(runner: CliRunner, tmp_path: Path) -> None:
    by_polars, by_pyarrow = tmp_path / "pl.parquet", tmp_path / "pa.parquet"
    pl.DataFrame(
        {"token": ["b", "a"], "count": [1, 3]}, schema={"token": pl.String, "count": pl.Int32}
    ).write_parquet(by_polars)
    pq.write_table(
        pa.table({"n": [9], "token": pa.array(["x"], pa.large_string()), "count": [2]}), by_pyarrow
    )
    assert runner.invoke(cli, ["top", str(by_polars)]).stdout == "a\t3\nb\t1\n"
    assert runner.invoke(cli, ["merge", str(by_polars), str(by_pyarrow)]).stdout == "a\t3\nx\t2\nb\t1\n"


def test_a_tsv_whose_first_token_is_par1_is_still_tsv() -> None:
    assert list(read_rows(io.BytesIO(b"PAR1\t3\nx\t1\n"), "t")) == [("PAR1", 3), ("x", 1)]


def test_rows_round_trip_through_parquet_with_quotes_and_line_breaks() -> None:
    assert list(read_rows(io.BytesIO(parquet_bytes(ROWS)), "t")) == ROWS
    assert list(read_rows(io.BytesIO(parquet_bytes([])), "t")) == []


def test_a_file_that_is_not_a_parquet_table_is_one_line_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="t.tsv: not a Parquet table"):
        list(read_rows(io.BytesIO(b"a\t1\n"), "t.tsv", "parquet"))
    other = tmp_path / "other.parquet"
    duckdb.connect().execute(f"COPY (SELECT 'a' AS word, 1 AS n) TO '{other}' (FORMAT parquet)")
    with pytest.raises(InputError, match="column 'token' is missing"):
        list(read_table(other))
    bad = tmp_path / "bad.parquet"
    duckdb.connect().execute(f"COPY (SELECT 'a' AS token, 1 AS count, 2 AS docs) TO '{bad}' (FORMAT parquet)")
    with pytest.raises(InputError, match="row 1: .*more documents than occurrences"):
        list(read_table(bad))


def test_compare_and_discover_write_typed_columns_with_nulls_where_undefined(
    runner: CliRunner, tables: tuple[Path, Path], sample_corpus: Path, tmp_path: Path
) -> None:
    tsv, parquet = tables
    keys = tmp_path / "k.parquet"
    assert (
        runner.invoke(
            cli, ["compare", str(parquet), str(tsv), "--output-format", "parquet", "-o", str(keys)]
        ).exit_code
        == 0
    )
    schema = pq.read_schema(keys)
    assert schema.field("token").type == pa.string() and schema.field("count_a").type == pa.int64()
    assert all(
        schema.field(c).type == pa.float64() for c in ("per_million_a", "ll", "p", "log_ratio", "pct_diff")
    )
    found = tmp_path / "d.parquet"
    args = ["discover", str(sample_corpus), "-q", "-j1", "--min-count", "2", "--output-format", "parquet"]
    assert runner.invoke(cli, [*args, "-o", str(found)]).exit_code == 0
    assert pq.read_schema(found).field("known").type == pa.bool_()
    out = io.BytesIO()
    keyness = wordfreq.analyses.keyness
    row = keyness.KeyRow("x", 1, 0, 1.0, 0.0, float("nan"), float("inf"), 1.0, 0)
    keyness.write_keyness([row], out, "parquet")
    assert pq.read_table(io.BytesIO(out.getvalue())).column("ll").to_pylist() == [None]


def test_a_failed_parquet_write_leaves_no_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setenv("TMPDIR", str(spool))
    monkeypatch.setattr("tempfile.tempdir", None)

    def rows():
        yield ("a", 2)
        raise RuntimeError("stopped")

    target = tmp_path / "out" / "t.parquet"
    target.parent.mkdir()
    with pytest.raises(RuntimeError), atomic_output(target) as out:
        write_rows(rows(), out, "parquet")
    assert os.listdir(target.parent) == [] and os.listdir(spool) == []
    with pytest.raises(OutputError, match="lone surrogate"), atomic_output(target) as out:
        write_rows([("\ud800", 1)], out, "parquet")
    assert os.listdir(target.parent) == [] and os.listdir(spool) == []


def test_parquet_goes_to_a_pipe_but_not_to_a_terminal(sample_corpus: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "wordfreq",
        "count",
        str(sample_corpus),
        "-j1",
        "-q",
        "--output-format",
        "parquet",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    piped = subprocess.run(command, capture_output=True, env=env, timeout=120)
    assert piped.returncode == 0 and piped.stdout.startswith(b"PAR1")
    leader, follower = pty.openpty()
    try:
        refused = subprocess.run(command, stdout=follower, stderr=subprocess.PIPE, env=env, timeout=120)
    finally:
        os.close(follower)
        os.close(leader)
    assert refused.returncode == 2 and b"not a terminal" in refused.stderr


def test_a_parquet_vocabulary_is_a_user_dictionary(
    runner: CliRunner, sample_corpus: Path, tmp_path: Path
) -> None:
    text_dict, table = tmp_path / "words.txt", tmp_path / "words.parquet"
    text_dict.write_text("云栖茶舍 50\n青禾线 40\n", encoding="utf-8")
    with atomic_output(table) as out:
        write_rows([("云栖茶舍", 50, 1), ("青禾线", 40, 1)], out, "parquet")
    told = runner.invoke(cli, ["count", str(sample_corpus), "-j1", "-q", "--user-dict", str(text_dict)])
    untold = runner.invoke(cli, ["count", str(sample_corpus), "-j1", "-q", "--user-dict", str(table)])
    assert told.exit_code == untold.exit_code == 0 and untold.stdout == told.stdout
    assert "云栖茶舍\t" in untold.stdout
    bad = tmp_path / "bad.parquet"
    with atomic_output(bad) as out:
        write_rows([("two words", 3)], out, "parquet")
    refused = runner.invoke(cli, ["count", str(sample_corpus), "-j1", "-q", "--user-dict", str(bad)])
    assert refused.exit_code == 2 and "whitespace" in refused.stderr


def test_kwic_and_collocates_write_typed_columns_with_the_rows_of_their_jsonl(
    runner: CliRunner, sample_corpus: Path, tmp_path: Path
) -> None:
    import json

    for command, extra in (("kwic", []), ("collocates", ["--min-count", "1"])):
        table = tmp_path / f"{command}.parquet"
        args = [command, "茶", str(sample_corpus), "-j1", "-q", *extra]
        assert runner.invoke(cli, [*args, "--output-format", "parquet", "-o", str(table)]).exit_code == 0
        lines = runner.invoke(cli, [*args, "--output-format", "jsonl"]).stdout.splitlines()
        expected = [json.loads(line) for line in lines]
        frame = pl.read_parquet(table)
        assert len(expected) > 1 and frame.to_dicts() == expected
        assert all(
            frame.schema[name]
            == (pl.String if isinstance(value, str) else pl.Int64 if isinstance(value, int) else pl.Float64)
            for name, value in expected[0].items()
        )
