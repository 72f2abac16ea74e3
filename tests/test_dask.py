"""The Dask engine gives the local engine's table, byte for byte (and so the naive program's), and its
concordance, row for row.

One `LocalCluster` of two worker processes serves the module; each count
connects to it with ``scheduler=``.  A few tests start clusters of their
own: a real ``dask scheduler`` with two ``dask worker`` processes, and counts
without ``scheduler`` (a local cluster per run, as the CLI makes by default).
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from wordfreq import KwicResult, KwicRow, KwicSpec, Nodes, concordance, count, sorted_rows
from wordfreq.api import CountResult
from wordfreq.errors import InputError, OptionError, WordfreqError
from wordfreq.workers.dask_cluster import MISSING_EXTRA

from conftest import ROOT, SAMPLE_CORPUS, run_wordfreq
from naive import naive_pos_counts, naive_table, read_text


def table(result: CountResult) -> str:
    return "".join(f"{t}\t{n}\n" for t, n in sorted_rows(result.counts))


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def on_dask(scheduler: str, paths: list[Path], **options: object) -> str:
    """The dask engine's table, after checking that it equals the local engine's."""
    stdin = options.pop("stdin", None)
    data = stdin.getvalue() if isinstance(stdin, io.BytesIO) else None
    names = [str(p) for p in paths]

    def run(**engine: object) -> CountResult:
        return count(names, stdin=io.BytesIO(data) if data is not None else None, **engine, **options)  # type: ignore[arg-type]

    reported: list[int] = []
    local = run(workers=1)
    remote = run(engine="dask", scheduler=scheduler, progress=reported.append)
    assert table(remote) == table(local)
    assert (remote.bytes, remote.bad_bytes, remote.bad_records) == (
        local.bytes,
        local.bad_bytes,
        local.bad_records,
    )
    assert sum(reported) == remote.bytes
    return table(remote)


@pytest.mark.parametrize("chunk_size", [200, 1 << 20])
def test_sample_corpus_equals_naive(scheduler: str, chunk_size: int) -> None:
    expected = naive_table(read_text(str(p)) for p in files_under(SAMPLE_CORPUS))
    assert on_dask(scheduler, [SAMPLE_CORPUS], chunk_size=chunk_size) == expected


@pytest.mark.parametrize(("mode", "hmm"), [("accurate", True), ("all", True), ("search", False)])
def test_every_mode_equals_naive(scheduler: str, generated_corpus: Path, mode: str, hmm: bool) -> None:
    expected = naive_table((read_text(str(p)) for p in files_under(generated_corpus)), mode=mode, hmm=hmm)
    assert on_dask(scheduler, [generated_corpus], chunk_size=500, mode=mode, hmm=hmm) == expected


def test_stdin_equals_naive(scheduler: str, generated_corpus: Path) -> None:
    path = generated_corpus / "part4.txt"
    expected = naive_table([read_text(str(path))])
    assert on_dask(scheduler, [Path("-")], stdin=io.BytesIO(path.read_bytes()), chunk_size=211) == expected


def test_user_dict_equals_naive(scheduler: str) -> None:
    user_dict = SAMPLE_CORPUS.parent / "userdict.txt"
    texts = [read_text(str(p)) for p in files_under(SAMPLE_CORPUS)]
    expected = naive_table(texts, user_dict=user_dict.read_bytes())
    assert expected != naive_table(texts)
    assert on_dask(scheduler, [SAMPLE_CORPUS], chunk_size=300, user_dict=str(user_dict)) == expected


def test_other_encodings_and_bad_bytes_equal_local(scheduler: str, tmp_path: Path) -> None:
    (tmp_path / "gb.txt").write_bytes("我们在北京，天安门。\n".encode("gb18030") * 50)
    assert on_dask(scheduler, [tmp_path / "gb.txt"], encoding="gb18030", chunk_size=100)
    (tmp_path / "bad.txt").write_bytes("我们在北京\xff，天安门。\n".encode("utf-8", "surrogateescape") * 50)
    assert on_dask(scheduler, [tmp_path / "bad.txt"], errors="replace", chunk_size=100)


def test_json_lines_and_filters_equal_local(scheduler: str, tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": text}, ensure_ascii=False)
        for text in ["我们在北京，天安门。", "Wi-Fi App 2025"] * 40
    ]
    (tmp_path / "records.jsonl").write_text("\n".join([*lines, "not json", *lines]) + "\n", encoding="utf-8")
    options = {"field": "text", "skip_bad_records": True, "lowercase": True, "no_punct": True}
    assert on_dask(scheduler, [tmp_path / "records.jsonl"], chunk_size=200, stopwords=["在"], **options)


def test_conversion_and_stop_lists_equal_local(scheduler: str, tmp_path: Path) -> None:
    path = tmp_path / "tw.txt"
    path.write_text(("後來他們在臺灣用軟體。\n頭髮乾燥 ⿰\n車\n" * 30), encoding="utf-8")
    assert on_dask(scheduler, [path], chunk_size=100, convert="t2s", stop_list=("hit",))


def test_a_task_error_is_the_local_engines_error(scheduler: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes("我们在北京，".encode() * 100 + b"\xff")
    with pytest.raises(InputError) as local:
        count([str(path)], workers=1, chunk_size=64)
    with pytest.raises(InputError) as remote:
        count([str(path)], engine="dask", scheduler=scheduler, chunk_size=64)
    assert str(remote.value) == str(local.value)


def test_the_cli_reports_a_task_error_in_one_line(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    path = tmp_path / "bad.txt"
    path.write_bytes("我们在北京，".encode() * 100 + b"\xff")
    done = run_wordfreq("count", str(path), "--engine", "dask", "-j", "1", "-o", str(tmp_path / "out.tsv"))
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == [
        f"wordfreq: error: {path}: byte 1800: not valid utf-8 (invalid start byte); "
        "name the file's encoding, or have undecodable bytes replaced (see --encoding, --errors)"
    ]
    assert not (tmp_path / "out.tsv").exists()


def test_a_killed_worker_changes_nothing(scheduler: str, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    path = tmp_path / "big.txt"
    path.write_text("".join(read_text(str(p)) for p in files_under(SAMPLE_CORPUS)) * 6, encoding="utf-8")
    expected = table(count([str(path)], workers=1))
    with distributed.Client(scheduler) as client:
        pids = list(client.run(os.getpid).values())
    killed: list[int] = []

    def kill_one_worker(nbytes: int) -> None:
        if not killed:  # with tasks in flight, and finished results held on that worker
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    result = count([str(path)], engine="dask", scheduler=scheduler, chunk_size=2000, progress=kill_one_worker)
    assert killed and table(result) == expected
    with distributed.Client(scheduler) as client:
        client.wait_for_workers(2, timeout=60)  # restarted, for the tests that follow
        assert killed[0] not in client.run(os.getpid).values()


def test_a_worker_killed_once_counting_is_done_changes_nothing(scheduler: str, tmp_path: Path) -> None:
    """Killed as the last batch is reported, a worker takes partition sums with it; Dask recounts what
    they came from, and the partitioned reduce still gives the exact table."""
    distributed = pytest.importorskip("distributed")
    path = tmp_path / "big.txt"
    path.write_text("".join(read_text(str(p)) for p in files_under(SAMPLE_CORPUS)) * 6, encoding="utf-8")
    expected = list(count([str(path)], ngram=(1, 2), workers=1).rows())
    with distributed.Client(scheduler) as client:
        pids = list(client.run(os.getpid).values())
    seen: list[int] = []

    def kill_after_the_last(nbytes: int) -> None:
        seen.append(nbytes)
        if sum(seen) == path.stat().st_size:
            os.kill(pids[0], signal.SIGKILL)

    options = {"ngram": (1, 2), "chunk_size": 2000, "memory": 1 << 20}
    with count(
        [str(path)], engine="dask", scheduler=scheduler, progress=kill_after_the_last, **options
    ) as got:  # type: ignore[arg-type]
        assert list(got.rows()) == expected
    with distributed.Client(scheduler) as client:
        client.wait_for_workers(2, timeout=60)
        assert pids[0] not in client.run(os.getpid).values()
        assert not any(client.run(run_directories).values())  # each worker's rows on disk, removed


def run_directories(dask_worker: object) -> list[str]:
    """The directories a budgeted run keeps its rows in, on a worker (``client.run``)."""
    return [name for name in os.listdir(dask_worker.local_directory) if name.startswith("wordfreq-")]  # type: ignore[attr-defined]


def test_a_local_cluster_of_its_own_and_ctrl_c(sample_corpus: Path) -> None:
    pytest.importorskip("distributed")
    expected = naive_table(read_text(str(p)) for p in files_under(sample_corpus))
    assert table(count([str(sample_corpus)], engine="dask", workers=2, chunk_size=2000)) == expected

    def interrupt(nbytes: int) -> None:
        raise KeyboardInterrupt

    before = set(multiprocessing.active_children())  # the module's cluster, maybe
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        count([str(sample_corpus)], engine="dask", workers=1, chunk_size=500, progress=interrupt)
    assert set(multiprocessing.active_children()) <= before  # its workers are gone
    assert time.perf_counter() - started < 30


def test_ctrl_c_under_a_budget_leaves_no_files(sample_corpus: Path, tmp_path: Path) -> None:
    """Interrupted once the workers hold rows in files of their own, the run leaves none behind."""
    pytest.importorskip("distributed")
    seen: list[int] = []

    def interrupt(nbytes: int) -> None:
        seen.append(nbytes)
        if len(seen) == 3:
            raise KeyboardInterrupt

    options = {"ngram": (1, 3), "chunk_size": 2000, "memory": 65536, "temp_dir": str(tmp_path)}
    with pytest.raises(KeyboardInterrupt):
        count([str(sample_corpus)], engine="dask", workers=2, progress=interrupt, **options)  # type: ignore[arg-type]
    assert len(seen) == 3 and files_under(tmp_path) == []


@pytest.mark.parametrize("docs", [{}, {"doc_freq": True}, {"doc_freq": True, "doc_unit": "line"}])
def test_orders_1_to_3_under_a_budget_on_a_local_cluster(
    sample_corpus: Path, tmp_path: Path, docs: dict[str, object]
) -> None:
    """The reduce is partitioned: the table, many times a budget of 64K, comes back on disk (the client
    fetched each partition's rows in table order into files of its own) and is the local engine's; with
    document counts too (files cut into batches count once)."""
    pytest.importorskip("distributed")
    local = count([str(sample_corpus)], ngram=(1, 3), workers=1, **docs)  # type: ignore[arg-type]
    options = {"ngram": (1, 3), "chunk_size": 2000, "memory": 65536, "temp_dir": str(tmp_path), **docs}
    with count([str(sample_corpus)], engine="dask", workers=2, **options) as remote:  # type: ignore[arg-type]
        assert remote.counts is None and remote.spilled is not None
        assert (remote.tokens, remote.types) == (local.tokens, local.types) and local.types * 100 > 65536 * 4
        assert remote.documents == local.documents
        assert list(remote.rows()) == list(local.rows())
    assert os.listdir(tmp_path) == []


def test_a_real_scheduler_and_two_workers(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    address_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    common = {"env": env, "cwd": tmp_path, "start_new_session": True}
    processes = [
        subprocess.Popen(
            [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
            + ["--scheduler-file", str(address_file)],
            stderr=subprocess.DEVNULL,
            **common,  # type: ignore[arg-type]
        )
    ]
    try:
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [*dask, "worker", "--scheduler-file", str(address_file), "--nthreads", "1"]
                    + ["--host", "127.0.0.1", "--no-dashboard", "--memory-limit", "400MB"],
                    stderr=subprocess.DEVNULL,
                    **common,  # type: ignore[arg-type]
                )
            )
        deadline = time.monotonic() + 60
        while not address_file.exists() or not address_file.read_text().strip():
            assert time.monotonic() < deadline and processes[0].poll() is None, "no scheduler"
            time.sleep(0.1)
        address = json.loads(address_file.read_text())["address"]
        import distributed

        with distributed.Client(address) as client:
            client.wait_for_workers(2, timeout=60)
        # From the root of the clone, with a relative path the workers (elsewhere) must resolve.
        done = run_wordfreq(
            "count", "data/corpus", "--engine", "dask", "--scheduler", address, "--chunk-size", "3K", cwd=ROOT
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.decode() == naive_table(read_text(str(p)) for p in files_under(SAMPLE_CORPUS))
        assert done.stderr.decode().count("\n") == 1  # the summary line alone: no logs from dask
        kwic = ["kwic", "-e", "的", "-e", "青禾线", "data/corpus", "--chunk-size", "3K", "-q"]
        done = run_wordfreq(*kwic, "--engine", "dask", "--scheduler", address, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        assert done.stdout == run_wordfreq(*kwic, "-j", "1", cwd=ROOT).stdout  # the sources named as given
        spill = tmp_path / "spill"
        spill.mkdir()
        ngrams = ["data/corpus", "--ngram", "1-3", "--chunk-size", "3K", "--memory", "64K"]
        done = run_wordfreq(
            "count", *ngrams, "--engine", "dask", "--scheduler", address, "--temp-dir", str(spill), cwd=ROOT
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == run_wordfreq("count", *ngrams, "-j", "1", cwd=ROOT).stdout
        assert os.listdir(spill) == []
        docs = [*ngrams, "--doc-freq", "--temp-dir", str(spill)]
        done = run_wordfreq("count", *docs, "--engine", "dask", "--scheduler", address, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        assert done.stdout == run_wordfreq("count", *docs, "-j", "1", cwd=ROOT).stdout
        assert os.listdir(spill) == []
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_a_missing_extra_is_one_line(monkeypatch: pytest.MonkeyPatch, sample_corpus: Path) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(WordfreqError) as error:
        count([str(sample_corpus)], engine="dask")
    assert str(error.value) == MISSING_EXTRA
    assert "\n" not in MISSING_EXTRA and "pip install '.[dask]'" in MISSING_EXTRA


def test_an_unknown_engine_is_refused(sample_corpus: Path) -> None:
    with pytest.raises(OptionError, match="unknown engine") as error:
        count([str(sample_corpus)], engine="spark")
    assert error.value.option == "engine"


def test_parts_of_speech_equal_the_naive_loop(scheduler: str) -> None:
    expected = naive_pos_counts(read_text(str(p)) for p in files_under(SAMPLE_CORPUS))
    table_text = "".join(f"{t}\t{n}\n" for t, n in sorted_rows(expected))
    assert on_dask(scheduler, [SAMPLE_CORPUS], chunk_size=300, pos=True, pos_exclude="x") != table_text
    assert on_dask(scheduler, [SAMPLE_CORPUS], chunk_size=300, pos=True) == table_text


@pytest.mark.parametrize("shared", [True, False])
def test_a_pickled_part_stands_alone(tmp_path: Path, shared: bool) -> None:
    """A partition's file pickled (to travel, or by Dask's spilling) and its original released: the
    copy still has the rows (a link of its own on a shared disk, else the rows themselves)."""
    pytest.importorskip("distributed")
    import gc
    import pickle

    from wordfreq.reduce.packs import pack
    from wordfreq.workers import dask_reduce

    packed = pack({"中文": 2, "文字": 1})
    assert packed is not None
    run = dask_reduce.RunFiles("test", shared=shared)
    writer = dask_reduce._PartWriter(str(tmp_path), run)
    writer.add(0, 3, "", packed)
    part = writer.close(1)[0]
    data = pickle.dumps(part)
    del part, writer
    gc.collect()
    copy = pickle.loads(data)
    if shared:
        assert [(s.partition, s.label, s.read()) for s in copy.segments] == [(3, "", packed)]
        del copy
        gc.collect()
    else:
        assert copy == [(3, "", packed)]
    assert files_under(tmp_path) == []


def kwic_on_dask(scheduler: str, paths: list[str], words: list[str], **options: Any) -> list[KwicRow]:
    """The dask engine's concordance, after checking that its rows, and its TSV made in the workers, are
    the local engine's."""
    stdin = options.pop("stdin", None)
    data = stdin.getvalue() if isinstance(stdin, io.BytesIO) else None
    spec_keys = {"width", "sort", "max_rows", "sample", "seed"}
    spec = KwicSpec(Nodes(words), **{k: v for k, v in options.items() if k in spec_keys})
    run = {k: v for k, v in options.items() if k not in spec_keys}

    def made(tsv: bool, **engine: Any) -> KwicResult:
        stream = io.BytesIO(data) if data is not None else None
        return concordance(paths, spec, stdin=stream, tsv=tsv, **engine, **run)

    reported: list[int] = []
    local = made(False, workers=1)
    remote = made(False, engine="dask", scheduler=scheduler, progress=reported.append)
    rows = list(remote.rows())
    assert rows == list(local.rows())
    assert (remote.bytes, remote.bad_bytes, remote.bad_records) == (
        local.bytes,
        local.bad_bytes,
        local.bad_records,
    )
    if spec.sort == "source" and spec.max_rows is None and spec.sample is None:
        assert sum(reported) == remote.bytes
        tsv = b"".join(made(True, engine="dask", scheduler=scheduler).tsv_blocks())
        assert tsv == b"".join(made(True, workers=1).tsv_blocks())
    return rows


@pytest.mark.parametrize(
    "options",
    [
        {"chunk_size": 300},
        {"chunk_size": 200, "mode": "search", "sort": "left", "max_rows": 9},
        {"chunk_size": 500, "mode": "all", "sample": 7, "seed": 3},
        {"chunk_size": 100, "tokenizer": "jieba-py", "sort": "right"},
    ],
    ids=["accurate", "search-left-max", "all-sample", "jieba-py-right"],
)
def test_kwic_equals_local(
    scheduler: str, monkeypatch: pytest.MonkeyPatch, options: dict[str, object]
) -> None:
    """Several words, relative paths (which a remote scheduler's workers read made absolute; the rows
    still name them as given), each mode, sort, --max and --sample."""
    monkeypatch.chdir(ROOT)
    rows = kwic_on_dask(scheduler, [os.path.relpath(SAMPLE_CORPUS)], ["的", "青禾线", "市集"], **options)
    assert rows and all(row.source.startswith("data/corpus/") for row in rows)


def test_kwic_of_stdin_and_json_lines_equals_local(scheduler: str, tmp_path: Path) -> None:
    text = "".join(read_text(str(p)) for p in files_under(SAMPLE_CORPUS))
    assert kwic_on_dask(scheduler, ["-"], ["的"], stdin=io.BytesIO(text.encode()), chunk_size=211)
    lines = [json.dumps({"text": line}, ensure_ascii=False) for line in text.splitlines()]
    (tmp_path / "records.jsonl").write_text("\n".join([*lines, "not json", *lines]) + "\n", encoding="utf-8")
    options = {"field": "text", "skip_bad_records": True, "chunk_size": 300}
    assert kwic_on_dask(scheduler, [str(tmp_path / "records.jsonl")], ["的", "青禾线"], **options)


def test_kwic_max_stops_early_and_leaves_nothing_running(tmp_path: Path) -> None:
    """--max on a local cluster of its own: the rows are the local engine's first, most of the corpus is
    never read, and once the rows are read the cluster's workers are gone."""
    pytest.importorskip("distributed")
    path = tmp_path / "big.txt"
    path.write_text("".join(read_text(str(p)) for p in files_under(SAMPLE_CORPUS)) * 20, encoding="utf-8")
    spec = KwicSpec(Nodes(["的"]), max_rows=3)
    expected = list(concordance([str(path)], spec, workers=1).rows())
    before = set(multiprocessing.active_children())  # the module's cluster, maybe
    reported: list[int] = []
    result = concordance(
        [str(path)], spec, engine="dask", workers=1, chunk_size=300, progress=reported.append
    )
    assert list(result.rows()) == expected
    assert 0 < sum(reported) < path.stat().st_size
    assert set(multiprocessing.active_children()) <= before


def test_kwic_cli_on_dask_exits_as_count(scheduler: str, tmp_path: Path) -> None:
    """kwic takes --engine dask: the local engine's rows (exit 0), and a task's error as its one line
    (exit 1, no output file)."""
    args = ["kwic", "-e", "青禾线", str(SAMPLE_CORPUS), "--chunk-size", "300", "-q"]
    done = run_wordfreq(*args, "--engine", "dask", "--scheduler", scheduler)
    assert done.returncode == 0, done.stderr
    assert done.stdout == run_wordfreq(*args, "-j", "1").stdout and done.stdout.count(b"\n") == 5
    path = tmp_path / "bad.txt"
    path.write_bytes("我们在北京，".encode() * 100 + b"\xff")
    bad = ["kwic", "-e", "北京", str(path), "--chunk-size", "64", "-o", str(tmp_path / "out.tsv")]
    local = run_wordfreq(*bad, "-j", "1")
    done = run_wordfreq(*bad, "--engine", "dask", "--scheduler", scheduler)
    assert (done.returncode, local.returncode) == (1, 1)
    assert done.stderr == local.stderr and len(done.stderr.decode().splitlines()) == 1
    assert not (tmp_path / "out.tsv").exists()


def test_a_reports_lines_on_dask_equal_local(scheduler: str, tmp_path: Path) -> None:
    """report --corpus with --engine dask: the page's lines in context are the local engine's (the
    concordance stops on the cluster once every word has its lines)."""
    from wordfreq import ReportLines, report_html
    from wordfreq.options import RunOptions

    table = tmp_path / "freq.tsv"
    count_result = count([str(SAMPLE_CORPUS)], workers=1)
    table.write_text("".join(f"{w}\t{c}\n" for w, c in count_result.counts.most_common(40)), encoding="utf-8")
    local = ReportLines((str(SAMPLE_CORPUS),), words=5, lines=2)
    remote = ReportLines(
        (str(SAMPLE_CORPUS),), words=5, lines=2, run_options=RunOptions(engine="dask", scheduler=scheduler)
    )
    assert report_html([str(table)], lines=remote) == report_html([str(table)], lines=local)
