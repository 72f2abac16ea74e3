"""Counts per part (--part-by, --per-part) and dispersion (--dispersion): exact against a naive program
that counts each part whole, for any chunk size, worker count and memory budget, and against the
worked examples of the papers that define the measures."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from naive_parts import dispersion_table as naive_dispersion
from naive_parts import long_table

from wordfreq import count, dispersion_table, write_dispersion, write_long_rows
from wordfreq.api import CountResult
from wordfreq.errors import InputError, OptionError
from wordfreq.reduce.order import _tables
from wordfreq.reduce.runs import PartitionedTable

from conftest import PIECES, random_text, run_wordfreq
from naive import naive_counts

texts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
_settings = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def long_text(result: CountResult) -> str:
    out = io.BytesIO()
    write_long_rows(result.long_rows(), out)
    return out.getvalue().decode()


def dispersion_text(result: CountResult) -> str:
    out = io.BytesIO()
    write_dispersion(dispersion_table(result), out)
    return out.getvalue().decode()


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# --- exact against the naive program -------------------------------------------------------------


@_settings
@given(
    files=st.lists(texts, min_size=1, max_size=4),
    chunk_size=st.integers(1, 200),
    min_count=st.integers(1, 3),
    max_rows=st.one_of(st.none(), st.integers(0, 5)),
)
def test_parts_by_file_are_the_naive_parts(
    tmp_path_factory: pytest.TempPathFactory,
    files: list[str],
    chunk_size: int,
    min_count: int,
    max_rows: int | None,
) -> None:
    root = tmp_path_factory.mktemp("parts")
    names = {f"f{i}.txt": text for i, text in enumerate(files)}
    write_files(root, names)
    parts = {str(root / name): [text] for name, text in names.items()}
    options = dict(part_by="file", workers=1, chunk_size=chunk_size, min_count=min_count, max_rows=max_rows)
    assert long_text(count([str(root)], per_part=True, **options)) == long_table(parts, min_count, max_rows)
    assert dispersion_text(count([str(root)], dispersion=True, **options)) == naive_dispersion(
        parts, min_count, max_rows
    )


@_settings
@given(
    records=st.lists(st.tuples(st.sampled_from(["1998", "1999", "甲", 7]), texts), min_size=1, max_size=12),
    chunk_size=st.integers(1, 300),
)
def test_parts_by_field_are_the_naive_parts(
    tmp_path_factory: pytest.TempPathFactory, records: list[tuple[object, str]], chunk_size: int
) -> None:
    path = tmp_path_factory.mktemp("records") / "records.jsonl"
    path.write_text(
        "".join(json.dumps({"meta": {"year": y}, "text": t}) + "\n" for y, t in records), encoding="utf-8"
    )
    parts: dict[str, list[str]] = {}
    for year, text in records:
        parts.setdefault(str(year), []).append(text)
    options = dict(part_by="field:meta.year", field="text", workers=1, chunk_size=chunk_size)
    assert long_text(count([str(path)], per_part=True, **options)) == long_table(parts)
    assert dispersion_text(count([str(path)], dispersion=True, **options)) == naive_dispersion(parts)


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, dict[str, list[str]]]:
    """Files in two directories (years), parts by the directory."""
    rng = random.Random(24)
    files = {
        f"{year}/{i}.txt": random_text(rng, rng.randrange(0, 400)) for year in (1998, 1999) for i in range(4)
    }
    write_files(tmp_path / "corpus", files)
    parts: dict[str, list[str]] = {}
    for name, text in files.items():
        parts.setdefault(name.split("/")[0], []).append(text)
    return tmp_path / "corpus", parts


@pytest.mark.parametrize(
    "options", [dict(workers=2, chunk_size=300), dict(workers=2, chunk_size=500, memory=64 << 10)]
)
def test_parts_by_path_through_workers_and_spilling(
    corpus: tuple[Path, dict[str, list[str]]], options: dict
) -> None:
    root, parts = corpus
    run = dict(part_by=r"path:^(\d+)/", **options)
    assert long_text(count([str(root)], per_part=True, max_rows=7, **run)) == long_table(parts, max_rows=7)
    with count([str(root)], dispersion=True, min_count=2, **run) as result:
        if "memory" in options:
            assert result.spilled is not None
            if _tables is not None:  # merged from packed runs, not by DuckDB
                assert isinstance(result.spilled, PartitionedTable)
        assert dispersion_text(result) == naive_dispersion(parts, min_count=2)


def test_parts_on_dask(corpus: tuple[Path, dict[str, list[str]]]) -> None:
    pytest.importorskip("distributed")
    root, parts = corpus
    run = dict(part_by=r"path:^(\d+)/", engine="dask", workers=1, chunk_size=400)
    result = count([str(root)], dispersion=True, **run)
    if _tables is not None:  # reduced by partition on the cluster, as any row
        assert isinstance(result.spilled, PartitionedTable)
    assert dispersion_text(result) == naive_dispersion(parts)
    assert long_text(count([str(root)], per_part=True, max_rows=3, **run)) == long_table(parts, max_rows=3)


def test_stdin_is_the_part_dash() -> None:
    result = count(["-"], stdin=io.BytesIO("经济发展".encode()), part_by="file", per_part=True)
    assert long_text(result) == "part\ttoken\tcount\n-\t发展\t1\n-\t经济\t1\n"


# --- worked examples -----------------------------------------------------------------------------

# Gries (2008, p. 406 ff.): a corpus of five parts of 9, 10, 10, 10 and 11 words; "a" occurs 1, 2,
# 3, 4, 5 times, "b" twice in each part, "i", "q" and "x" once, in the first, second and fifth part.
GRIES_2008 = [
    "b a m n i b e u p",
    "b a s a t b e w q n",
    "b c a g a b e s t a",
    "b a g h a b e a a t",
    "b a h a a b e a x a t",
]


@pytest.fixture
def gries_rows(tmp_path: Path) -> dict[str, dict[str, object]]:
    write_files(tmp_path, {f"part{i + 1}.txt": text for i, text in enumerate(GRIES_2008)})
    result = count([str(tmp_path)], part_by="path:part(\\d)", dispersion=True, tokenizer="whitespace")
    return {row.token: row.__dict__ for row in dispersion_table(result)}


def test_gries_2008_dp_of_a(gries_rows: dict[str, dict[str, object]]) -> None:
    # DP = 0.18 (Gries 2008); DPnorm = 0.18 / (1 - 0.18) = 0.2195 (Lijffijt & Gries 2012).
    a = gries_rows["a"]
    assert (a["count"], a["parts"], str(a["dp"]), str(a["dp_norm"])) == (15, 5, "0.180000", "0.219512")
    assert str(a["per_million"]) == "300000.000000"


@pytest.mark.parametrize(
    ("token", "dp", "dp_norm", "juilland_d"),
    [  # scattertext's test of the same corpus (after Gries 2020): DP, DP norm and D to 3 decimals
        ("b", "0.020", "0.024", "0.968"),
        ("i", "0.820", "1.000", "0.000"),
        ("q", "0.800", "0.976", "0.000"),
        ("x", "0.780", "0.951", "0.000"),
    ],
)
def test_gries_example_rows(
    gries_rows: dict[str, dict[str, object]], token: str, dp: str, dp_norm: str, juilland_d: str
) -> None:
    row = gries_rows[token]
    assert [f"{float(str(row[k])):.3f}" for k in ("dp", "dp_norm", "juilland_d")] == [dp, dp_norm, juilland_d]


def test_carroll_1970_juilland_d(tmp_path: Path) -> None:
    # Carroll (1970, p. 14): counts 0, 4, 3, 2, 1 in five equal parts give D = 0.6464.
    counts = [0, 4, 3, 2, 1]
    write_files(tmp_path, {f"p{i}.txt": " ".join(["w"] * n + ["z"] * (10 - n)) for i, n in enumerate(counts)})
    result = count([str(tmp_path)], part_by="file", dispersion=True, tokenizer="whitespace")
    row = next(row for row in dispersion_table(result) if row.token == "w")
    assert (row.parts, str(row.juilland_d)) == (4, "0.646447")


def test_one_part_has_no_dp_norm_or_d(tmp_path: Path) -> None:
    write_files(tmp_path, {"only.txt": "a a b"})
    result = count([str(tmp_path)], part_by="file", dispersion=True, tokenizer="whitespace")
    out = io.BytesIO()
    write_dispersion(dispersion_table(result), out, "jsonl")
    first = json.loads(out.getvalue().decode().splitlines()[0])
    assert first == {
        "token": "a",
        "count": 2,
        "per_million": 666666.666667,
        "parts": 1,
        "dp": 0.0,
        "dp_norm": None,
        "juilland_d": None,
    }


# --- options and errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "option"),
    [
        (dict(per_part=True), "per_part"),
        (dict(dispersion=True), "dispersion"),
        (dict(part_by="file"), "part_by"),
        (dict(part_by="file", per_part=True, dispersion=True), "part_by"),
        (dict(part_by="year"), "part_by"),
        (dict(part_by="path:("), "part_by"),
        (dict(part_by="field:year", per_part=True), "part_by"),
        (dict(part_by="file", per_part=True, doc_freq=True), "doc_freq"),
    ],
)
def test_bad_part_options(sample_corpus: Path, options: dict, option: str) -> None:
    with pytest.raises(OptionError) as err:
        count([str(sample_corpus)], **options)
    assert err.value.option == option


def test_a_path_the_regex_misses_is_named(tmp_path: Path) -> None:
    write_files(tmp_path, {"1998/a.txt": "一", "misc/b.txt": "二"})
    with pytest.raises(InputError, match=r"misc/b\.txt.*does not match"):
        count([str(tmp_path)], part_by=r"path:^(\d+)/", per_part=True)


def test_a_record_without_its_part_is_named_or_skipped(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"t": "一", "y": 1}\n{"t": "二"}\n{"t": "三", "y": true}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: no part at field 'y'"):
        count([str(path)], field="t", part_by="field:y", per_part=True)
    result = count([str(path)], field="t", part_by="field:y", per_part=True, skip_bad_records=True)
    assert (long_text(result), result.bad_records) == ("part\ttoken\tcount\n1\t一\t1\n", 2)


def test_cli_writes_the_long_table_and_refuses_other_formats(sample_corpus: Path) -> None:
    done = run_wordfreq(
        "count", str(sample_corpus), "--part-by", "path:^([^/]+)", "--per-part", "--max-rows", "1", "-q"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines[0] == "part\ttoken\tcount"
    assert [line.split("\t")[0] for line in lines[1:]] == sorted(line.split("\t")[0] for line in lines[1:])
    refused = run_wordfreq(
        "count", str(sample_corpus), "--part-by", "file", "--dispersion", "--output-format", "jieba"
    )
    assert refused.returncode == 2 and b"--output-format" in refused.stderr


# --- long tables: merge, --part ------------------------------------------------------------------


@pytest.fixture
def long_tsv(corpus: tuple[Path, dict[str, list[str]]], tmp_path: Path) -> Path:
    root, _ = corpus
    out = tmp_path / "long.tsv"
    done = run_wordfreq("count", str(root), "--part-by", r"path:^(\d+)/", "--per-part", "-q", "-o", str(out))
    assert done.returncode == 0, done.stderr
    return out


def test_merge_sums_long_tables_part_by_part(
    corpus: tuple[Path, dict[str, list[str]]], long_tsv: Path
) -> None:
    _, parts = corpus
    doubled = {part: texts * 2 for part, texts in parts.items()}
    for extra in ([], ["--memory", "64K"]):
        done = run_wordfreq("merge", str(long_tsv), str(long_tsv), *extra)
        assert done.stdout.decode() == long_table(doubled), done.stderr


def test_merge_of_long_tables_spilled_is_the_sum(tmp_path: Path) -> None:
    """Long tables too large for the budget: merged on disk (packed runs) to the same sum."""
    rng = random.Random(7)
    tables = []
    for t in range(2):
        rows = {
            (f"p{rng.randrange(30)}", f"w{rng.randrange(3000)}"): rng.randrange(1, 9) for _ in range(6000)
        }
        path = tmp_path / f"long{t}.tsv"
        lines = [f"{part}\t{token}\t{n}\n" for (part, token), n in rows.items()]
        path.write_text("part\ttoken\tcount\n" + "".join(lines), encoding="utf-8")
        tables.append(path)
    in_memory = run_wordfreq("merge", *map(str, tables))
    spilled = run_wordfreq("merge", *map(str, tables), "--memory", "64K")
    assert spilled.returncode == 0, spilled.stderr
    assert spilled.stdout == in_memory.stdout
    sums: dict[tuple[str, str], int] = {}
    for path in tables:
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            part, token, n = line.split("\t")
            sums[part, token] = sums.get((part, token), 0) + int(n)
    rows = sorted(sums.items(), key=lambda row: (row[0][0], -row[1], row[0][1]))
    assert in_memory.stdout.decode().splitlines()[1:] == [f"{p}\t{t}\t{n}" for (p, t), n in rows]


def test_merge_refuses_a_long_table_with_another_kind(long_tsv: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.tsv"
    plain.write_text("的\t3\n", encoding="utf-8")
    for tables in ([long_tsv, plain], [plain, long_tsv]):
        done = run_wordfreq("merge", *map(str, tables))
        assert done.returncode == 1
        assert f"{long_tsv} is a long table (count --per-part) and {plain} is not".encode() in done.stderr


def test_long_table_reads_back_in_every_format(
    corpus: tuple[Path, dict[str, list[str]]], tmp_path: Path
) -> None:
    root, parts = corpus
    for fmt in ("csv", "jsonl"):
        out = tmp_path / f"long.{fmt}"
        run_wordfreq(
            "count",
            str(root),
            "--part-by",
            r"path:^(\d+)/",
            "--per-part",
            "-q",
            "--output-format",
            fmt,
            "-o",
            str(out),
        )
        done = run_wordfreq("merge", str(out), "--input-format", fmt)
        assert done.stdout.decode() == long_table(parts), done.stderr


def test_top_and_stats_of_one_part(corpus: tuple[Path, dict[str, list[str]]], long_tsv: Path) -> None:
    _, parts = corpus
    expected = long_table({"1998": parts["1998"]}, max_rows=3).split("\n", 1)[1].replace("1998\t", "")
    assert run_wordfreq("top", str(long_tsv), "--part", "1998", "-n", "3").stdout.decode() == expected
    stats = run_wordfreq("stats", str(long_tsv), "--part", "1999", "--json")
    assert json.loads(stats.stdout)["tokens"] == sum(naive_counts(parts["1999"]).values())
    refused = run_wordfreq("stats", str(long_tsv))
    assert refused.returncode == 1 and b"name one of its parts with --part" in refused.stderr
    missing = run_wordfreq("top", str(long_tsv), "--part", "2000")
    assert missing.returncode == 1 and b"no part '2000'" in missing.stderr


def test_compare_one_part_against_another_or_the_rest(long_tsv: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    a.write_bytes(run_wordfreq("top", str(long_tsv), "--part", "1998", "-n", "100000").stdout)
    b.write_bytes(run_wordfreq("top", str(long_tsv), "--part", "1999", "-n", "100000").stdout)
    expected = run_wordfreq("compare", str(a), str(b)).stdout
    assert run_wordfreq("compare", str(long_tsv), "--part", "1998", "--against", "1999").stdout == expected
    assert run_wordfreq("compare", str(long_tsv), "--part", "1998", "--against", "rest").stdout == expected
    refused = run_wordfreq("compare", str(long_tsv), "--part", "1998")
    assert refused.returncode == 2


def test_many_small_files_spill_and_stay_exact(tmp_path: Path) -> None:
    # The suite's small stand-in for 100,000 files (measured by hand: docs/performance.md): every
    # file a part, the keys past a 64 KB budget on disk, both tables still the naive ones.
    rng = random.Random(100_000)
    files = {f"{i // 100:02d}/{i:04d}.txt": random_text(rng, rng.randrange(1, 12)) for i in range(600)}
    write_files(tmp_path, files)
    parts = {str(tmp_path / name): [text] for name, text in files.items()}
    run = dict(part_by="file", workers=2, memory=64 << 10)
    with count([str(tmp_path)], dispersion=True, **run) as result:
        assert result.spilled is not None
        assert dispersion_text(result) == naive_dispersion(parts)
    with count([str(tmp_path)], per_part=True, max_rows=3, **run) as result:
        assert long_text(result) == long_table(parts, max_rows=3)
