"""Spilling: a table larger than the memory budget is merged on disk, to the same bytes, leaving nothing."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from test_faults import start, wait_for_workers
from test_shell import processes_in_session

from wordfreq import OptionError, OutputError, count
from wordfreq.cli import cli
from wordfreq.reduce.runs import PartitionedTable
from wordfreq.signals import Terminated, handle_sigterm, signals_to

from conftest import SAMPLE_CORPUS, cli_runner

TINY = "64K"  # the least budget (runs.MIN_MEMORY): a share of 21K, a spill after nearly every task


def table(*args: str) -> bytes:
    result = cli_runner().invoke(cli, ["count", str(SAMPLE_CORPUS), "-q", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


@pytest.mark.parametrize(
    "args",
    [
        ["-j", "1"],
        ["-j", "2", "--chunk-size", "500"],
        ["--ngram", "1-3", "-j", "2", "--chunk-size", "700"],
        ["--ngram", "2", "--doc-freq", "-j", "2", "--chunk-size", "300"],
        ["--doc-freq", "--doc-unit", "line", "-j", "1", "--chunk-size", "1K"],
        ["--ngram", "2", "--min-count", "2", "--max-rows", "50", "--no-punct", "-j", "2"],
        ["--lowercase", "--min-length", "2", "--output-format", "jsonl", "--chunk-size", "100"],
    ],
)
def test_a_spilled_table_is_the_same_bytes(args: list[str], tmp_path: Path) -> None:
    assert table(*args, "--memory", TINY, "--temp-dir", str(tmp_path)) == table(*args)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "rows",
    [
        ["--ngram", "1"],
        ["--ngram", "2"],
        ["--ngram", "1-3"],
        ["--ngram", "1-3", "--doc-freq"],  # files cut into tasks: documents counted once across runs
        ["--doc-freq", "--doc-unit", "line"],
    ],
)
def test_every_budget_down_to_the_least_gives_the_same_bytes(rows: list[str], tmp_path: Path) -> None:
    args = [*rows, "-j", "2", "--chunk-size", "2K"]
    whole = table(*args)
    for budget in ["64K", "200K", "1M", "32M"]:
        assert table(*args, "--memory", budget, "--temp-dir", str(tmp_path)) == whole, budget
        assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("budget", ["63K", "1K", "1"])
def test_a_budget_below_the_least_is_a_usage_error_that_states_it(budget: str) -> None:
    result = cli_runner().invoke(cli, ["count", str(SAMPLE_CORPUS), "--ngram", "1-3", "--memory", budget])
    assert result.exit_code == 2 and "Invalid value for '--memory'" in result.stderr
    assert "64K" in result.stderr and "Out of Memory" not in result.stderr
    with pytest.raises(OptionError, match="64K") as raised:
        count([str(SAMPLE_CORPUS)], memory=65535)
    assert raised.value.option == "memory"


def test_document_counts_below_the_least_budget_are_a_usage_error_that_states_it() -> None:
    """Document counts ride on the same merge of packed runs: the same least budget, refused alike."""
    result = cli_runner().invoke(cli, ["count", str(SAMPLE_CORPUS), "--doc-freq", "--memory", "63K"])
    assert result.exit_code == 2 and "Invalid value for '--memory'" in result.stderr
    assert "64K" in result.stderr and result.stdout == ""


def test_a_partition_over_the_budget_is_split_until_it_fits(tmp_path: Path) -> None:
    """The merge of packed runs holds one partition at a time; one that would pass the budget is split
    again by another hash (here, with a budget of one byte, as deep as it goes), to the same rows."""
    from collections import Counter

    from wordfreq.reduce.packs import pack
    from wordfreq.reduce.runs import merge_packed_runs, write_packed_run
    from wordfreq.reduce.spill import SpillDir

    texts = [path.read_text(encoding="utf-8") for path in sorted(SAMPLE_CORPUS.rglob("*.txt"))]
    parts = [Counter(text[i : i + 2] for i in range(len(text) - 1)) for text in texts]
    expected = sorted((Counter() + sum(parts, Counter())).items(), key=lambda row: (-row[1], row[0]))
    for memory in (1, 1 << 12, 1 << 30):
        directory = SpillDir(str(tmp_path))
        runs = [write_packed_run(directory.path, [pack(part)]) for part in parts]  # type: ignore[list-item]
        merged = merge_packed_runs(directory, runs, min_count=1, max_rows=None, memory=memory)
        assert (merged.types, merged.tokens) == (len(expected), sum(n for _, n in expected))
        assert list(merged.rows()) == expected
        merged.close()
        assert os.listdir(tmp_path) == []


def test_document_counts_of_packed_runs_are_split_alike_and_count_a_cut_document_once(tmp_path: Path) -> None:
    """Labelled packs of a run: a row's counts, the whole documents it occurs in (`DOCS`) and the rows
    of each document cut into tasks (`OPEN` and its name), split by the same hashes as the counts, to
    the documents a naive program counts; with budgets down to one byte."""
    from collections import Counter

    from wordfreq.reduce.packs import pack
    from wordfreq.reduce.runs import DOCS, OPEN, merge_packed_runs, write_packed_run
    from wordfreq.reduce.spill import SpillDir

    texts = [path.read_text(encoding="utf-8") for path in sorted(SAMPLE_CORPUS.rglob("*.txt"))]
    tasks = [
        (i, text[start : start + 300]) for i, text in enumerate(texts) for start in range(0, len(text), 300)
    ]
    counts = [Counter(text[j : j + 2] for j in range(len(text) - 1)) for _, text in tasks]
    total = sum(counts, Counter())
    docs = Counter(
        row
        for i, _ in enumerate(texts)
        for row in {r for (d, _), c in zip(tasks, counts) if d == i for r in c}
    )
    expected = sorted(((row, n, docs[row]) for row, n in total.items()), key=lambda row: (-row[1], row[0]))
    for memory in (1, 1 << 12, 1 << 30):
        directory = SpillDir(str(tmp_path))
        runs = []
        for (doc, _), part in zip(tasks, counts):
            whole = len(texts[doc]) <= 300  # a document one task read whole counts in DOCS
            label = DOCS if whole else f"{OPEN}{doc}"
            packs = [pack(part), pack(dict.fromkeys(part, 1))]
            runs.append(write_packed_run(directory.path, packs, labels=["", label]))  # type: ignore[arg-type]
        merged = merge_packed_runs(directory, runs, min_count=1, max_rows=None, memory=memory, docs=True)
        assert (merged.types, merged.tokens) == (len(expected), sum(n for _, n, _ in expected))
        assert list(merged.rows()) == expected
        merged.close()
        assert os.listdir(tmp_path) == []


def test_a_spilled_result_streams_its_rows_and_removes_its_files(tmp_path: Path) -> None:
    whole = count([str(SAMPLE_CORPUS)], ngram=2, doc_freq=True, chunk_size=400)
    with count(
        [str(SAMPLE_CORPUS)], ngram=2, doc_freq=True, chunk_size=400, memory=65536, temp_dir=str(tmp_path)
    ) as got:
        assert got.counts is None and isinstance(got.spilled, PartitionedTable)  # no DuckDB
        assert (got.tokens, got.types, got.documents) == (whole.tokens, whole.types, whole.documents)
        assert list(got.rows()) == list(whole.rows())
        assert os.listdir(tmp_path) != []
    assert os.listdir(tmp_path) == []


def test_nothing_spills_within_the_budget(tmp_path: Path) -> None:
    got = count([str(SAMPLE_CORPUS)], ngram=2, memory=64 << 20, temp_dir=str(tmp_path))
    assert got.spilled is None and got.counts is not None
    assert os.listdir(tmp_path) == []


def test_ngrams_held_in_compiled_code_count_against_the_budget(tmp_path: Path) -> None:
    """A worker's n-grams live in a compiled table across tasks; the budget counts its allocated bytes,
    and past the share its rows are spilled (packed, never a Counter) and the table is emptied."""
    from collections import Counter

    from wordfreq.chunks.planning import TextTask
    from wordfreq.counting.rowspec import RowSpec, count_lines
    from wordfreq.counting.tasks import count_tasks, tokenizer_for
    from wordfreq.options import CountOptions
    from wordfreq.reduce.partial import due_to_spill, spill_when_due
    from wordfreq.reduce.spill import Spill

    pytest.importorskip("wordfreq.tokenizers._jieba", reason="the compiled tokenizer holds the n-grams")
    count_options = CountOptions(rows=RowSpec(ngram=(1, 2)))
    texts = ["我们在北京。\n他来到了网易杭研大厦", "北京欢迎你，我们在北京"]
    tasks = [TextTask("t", text, len(text.encode())) for text in texts]
    whole = count_tasks(tasks, count_options)
    assert whole.compiled_rows is not None and not whole.counts and not whole.packs
    size = whole.compiled_rows.nbytes
    assert size > 0 and not due_to_spill(whole, Spill(size, str(tmp_path)))
    assert due_to_spill(whole, Spill(size - 1, str(tmp_path)))

    spilled = count_tasks(
        tasks, count_options, after_each=spill_when_due(count_options, Spill(size - 1, str(tmp_path)))
    )
    assert (
        spilled.compiled_rows is None and not spilled.counts and not spilled.packs and len(spilled.runs) == 2
    )
    rows: Counter[str] = Counter()
    for run in spilled.runs:
        for line in Path(run).read_text(encoding="utf-8").splitlines():
            row, n, docs = line.split("\t")
            rows[row] += int(n)
    expected: Counter[str] = Counter()
    for text in texts:
        count_lines(text, tokenizer_for(count_options), count_options.filters, (1, 2), expected)
    assert rows == expected


def test_an_input_error_after_a_spill_leaves_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("北京欢迎你。" * 200, encoding="utf-8")
    (corpus / "b.txt").write_bytes("我们".encode() * 100 + b"\xff")
    spill = tmp_path / "spill"
    spill.mkdir()
    result = cli_runner().invoke(
        cli, ["count", str(corpus), "--ngram", "2", "--memory", TINY, "--temp-dir", str(spill), "-o", "-"]
    )
    assert result.exit_code == 1 and "b.txt: byte 600" in result.stderr
    assert os.listdir(spill) == []


def test_a_full_temporary_disk_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def full(fd: int, *args: object, **kwargs: object) -> object:
        os.close(fd)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("wordfreq.reduce.spill.os.fdopen", full)
    with pytest.raises(OutputError, match="cannot write counts to the temporary directory: No space left"):
        count([str(SAMPLE_CORPUS)], workers=1, memory=65536, temp_dir=str(tmp_path))
    assert os.listdir(tmp_path) == []
    result = cli_runner().invoke(cli, ["count", str(SAMPLE_CORPUS), "-j", "1", "--memory", TINY])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.rstrip().endswith("(see --temp-dir, --memory)")


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--memory", "0"], "--memory"),
        (["--temp-dir", "no/such/dir"], "--temp-dir"),
    ],
)
def test_bad_spill_options_are_usage_errors(args: list[str], flag: str) -> None:
    result = cli_runner().invoke(cli, ["count", "-", *args], input=b"x")
    assert result.exit_code == 2 and f"Invalid value for '{flag}'" in result.stderr


def _spilling_run(big_text: Path, spill: Path, out: Path):  # type: ignore[no-untyped-def]
    """A run of the real command that spills all along; returns once it has written a run.

    It reads its input from a pipe this test holds open (the first 1 MB of
    ``big_text`` written, to a line end), so it cannot finish before the test
    has acted: the whole file takes it 0.3 s, less than the test may need to
    see its workers and a spilled run.
    """
    proc = start(
        "count", "-", "--ngram", "2", "-j", "2", "--chunk-size", "64K",
        "--memory", "64K", "--temp-dir", str(spill), "-o", str(out), stdin=subprocess.PIPE,
    )  # fmt: skip
    data = big_text.read_bytes()
    assert proc.stdin is not None
    proc.stdin.write(data[: data.index(b"\n", 1_000_000) + 1])
    proc.stdin.flush()
    workers = wait_for_workers(proc)
    deadline = time.monotonic() + 60
    while not any(os.scandir(spill)) or not any(os.listdir(d.path) for d in os.scandir(spill)):
        assert time.monotonic() < deadline and proc.poll() is None, "nothing was spilled"
        time.sleep(0.02)
    return proc, workers


def test_a_worker_killed_while_spilling_leaves_nothing(big_text: Path, tmp_path: Path) -> None:
    spill, out = tmp_path / "spill", tmp_path / "freq.tsv"
    spill.mkdir()
    proc, workers = _spilling_run(big_text, spill, out)
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=30)  # the end of the input: the parent meets the dead worker
    assert proc.returncode == 1 and "killed by signal 9" in stderr.decode()
    time.sleep(0.2)
    assert processes_in_session(proc.pid) == []
    assert os.listdir(spill) == [] and not out.exists()


def test_sigterm_while_spilling_leaves_nothing(big_text: Path, tmp_path: Path) -> None:
    spill, out = tmp_path / "spill", tmp_path / "freq.tsv"
    spill.mkdir()
    proc, _ = _spilling_run(big_text, spill, out)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert proc.returncode == 143
    time.sleep(0.2)
    assert processes_in_session(proc.pid) == []
    assert os.listdir(spill) == [] and not out.exists()


@pytest.mark.parametrize("doc_freq", [False, True])
def test_merge_spills_past_its_budget_to_the_same_bytes(doc_freq: bool, tmp_path: Path) -> None:
    flags = ["--doc-freq"] if doc_freq else []
    halves = []
    for i, files in enumerate([["autumn_market.txt", "english.txt", "news"], ["rainy_season_travel.txt"]]):
        half = tmp_path / f"half{i}.tsv"
        args = ["count", *(str(SAMPLE_CORPUS / f) for f in files), "--ngram", "1-2", "-q", "-o", str(half)]
        assert cli_runner().invoke(cli, [*args, *flags]).exit_code == 0
        halves.append(str(half))
    spill = tmp_path / "spill"
    spill.mkdir()
    merged = cli_runner().invoke(cli, ["merge", *halves])
    spilled = cli_runner().invoke(cli, ["merge", *halves, "--memory", TINY, "--temp-dir", str(spill)])
    assert merged.exit_code == spilled.exit_code == 0
    assert spilled.stdout_bytes == merged.stdout_bytes and merged.stdout.count("\t") > 100
    assert os.listdir(spill) == []


def test_merge_tables_streams_a_spilled_sum(tmp_path: Path) -> None:
    from wordfreq import merge_tables

    tables = [[("a", 3), ("b", 1)], [("b", 5), ("c", 2)], [("a", 1)] * 3]
    whole = merge_tables(tables)
    with merge_tables(tables, memory=1, temp_dir=str(tmp_path)) as spilled:
        assert spilled.counts is None and spilled.spilled is not None
        assert list(spilled.rows()) == whole.rows() == [("a", 6), ("b", 6), ("c", 2)]
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("signum", "raised"), [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)]
)
def test_a_signal_during_a_duckdb_query_is_raised_as_itself(signum: int, raised: type[BaseException]) -> None:
    """DuckDB swallows what a signal handler raises ('Query interrupted'); `signals_to` gives it back."""
    duckdb = pytest.importorskip("duckdb")
    previous = signal.getsignal(signal.SIGTERM)
    handle_sigterm()
    db = duckdb.connect()
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signum))
    try:
        timer.start()
        with pytest.raises(raised), signals_to(db.interrupt):
            db.execute("SELECT COUNT(*) FROM range(1000000000000) t(i) WHERE i % 7 = 3").fetchall()
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, previous)
        db.close()
