"""Faults and bad input: each case runs the real command in a subprocess.

Cases marked ``slow`` run with ``python -m pytest -m slow`` (see the README);
every numbered item of the guarantees has at least one case in the default run.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_shell import processes_in_session

from conftest import ROOT, run_wordfreq

ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def start(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "wordfreq", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        start_new_session=True,
        **kwargs,  # type: ignore[call-overload]
    )


def wait_for_workers(proc: subprocess.Popen[bytes], n: int = 2) -> list[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        others = [pid for pid in processes_in_session(proc.pid) if pid != proc.pid]
        if len(others) >= n:
            return others
        if proc.poll() is not None:
            raise AssertionError(f"the command ended (exit {proc.returncode}) before its workers were seen")
        time.sleep(0.05)
    raise AssertionError("the workers never started")


def peak_rss_mib(*args: str) -> tuple[int, float, subprocess.CompletedProcess[bytes]]:
    """Run wordfreq in a fresh wrapper; the largest resident size of any of its processes."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "sys.stdout.buffer.write(b'%d %f\\n' % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
        " time.perf_counter() - t))\n"
        "sys.stderr.buffer.write(r.stderr)\n"
        "sys.exit(r.returncode)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, "-m", "wordfreq", *args],
        capture_output=True,
        env=ENV,
        timeout=600,
    )
    kib, seconds = result.stdout.split()
    return int(kib) // 1024, float(seconds), result


# 1. A worker killed mid-run -------------------------------------------------------------


def test_a_killed_worker_ends_the_run_cleanly(big_text: Path, tmp_path: Path) -> None:
    out = tmp_path / "freq.tsv"
    # Pure-Python jieba: slow enough that the run is still going when the fault comes.
    proc = start(
        "count", str(big_text), "--tokenizer", "jieba-py", "-j", "2", "--chunk-size", "64K", "-o", str(out)
    )
    workers = wait_for_workers(proc)
    time.sleep(0.5)
    killed = time.monotonic()
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=20)
    assert time.monotonic() - killed < 10
    assert proc.returncode == 1
    lines = stderr.decode().splitlines()
    assert len(lines) == 1 and "worker process was killed by signal 9" in lines[0], lines
    time.sleep(0.2)
    assert processes_in_session(proc.pid) == []
    assert os.listdir(tmp_path) == []


# 2. SIGINT and SIGTERM: see also tests/test_shell.py -----------------------------------


def _send_an_error_and_exit(conn) -> None:  # type: ignore[no-untyped-def]
    from wordfreq.errors import InputError

    conn.send(("error", InputError("bad.txt: byte 7: not valid utf-8")))
    conn.close()


def test_a_worker_that_reported_an_error_and_exited_is_reported_by_its_error() -> None:
    """A worker that meets bad input sends its error and exits; if the parent
    notices the exit first (sending it the next batch fails), the user must
    still see the error, not "a worker exited" (seen on Python 3.13, about
    one run in twenty of test_invalid_utf8_in_a_large_file_names_the_byte)."""
    from wordfreq.errors import InputError
    from wordfreq.options import CountOptions
    from wordfreq.workers.pool import _Pool

    pool = _Pool(CountOptions(), 1, "fork", None)
    parent_end, child_end = pool.context.Pipe(duplex=True)
    process = pool.context.Process(target=_send_an_error_and_exit, args=(child_end,))
    process.start()
    child_end.close()
    process.join(timeout=10)
    pool.processes.append(process)
    pool.conns.append(parent_end)
    pool.in_flight.append(0)
    assert process.exitcode == 0
    with pytest.raises(InputError, match="byte 7"):
        pool._raise_for_dead_worker()  # what run() calls when a send to the worker fails
    pool._kill()


def test_sigint_to_the_main_process_alone_also_stops_the_workers(big_text: Path, tmp_path: Path) -> None:
    proc = start(
        "count", str(big_text), "--tokenizer", "jieba-py", "-j", "2", "-o", str(tmp_path / "freq.tsv")
    )
    wait_for_workers(proc)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=10)
    assert time.monotonic() - sent < 2 and proc.returncode == 130
    assert stderr == b"wordfreq: interrupted\n"
    time.sleep(0.2)
    assert processes_in_session(proc.pid) == [] and os.listdir(tmp_path) == []


# 3. Output failures ---------------------------------------------------------------------


def test_output_into_a_missing_directory(tmp_path: Path) -> None:
    result = run_wordfreq("count", "-", "-o", str(tmp_path / "no" / "t.tsv"), input="我们".encode())
    assert result.returncode == 1
    assert (
        result.stderr.decode()
        == f"wordfreq: error: {tmp_path / 'no' / 't.tsv'}: cannot write: No such file or directory\n"
    )


def test_a_full_disk_while_writing_leaves_nothing(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text(" ".join(f"w{i}" for i in range(50_000)), encoding="utf-8")
    out = tmp_path / "out" / "freq.tsv"
    out.parent.mkdir()
    script = f"ulimit -f 16; exec {sys.executable} -m wordfreq count {words} --tokenizer whitespace -o {out}"
    result = subprocess.run(["bash", "-c", script], capture_output=True, env=ENV, timeout=60)
    assert result.returncode == 1
    assert result.stderr.decode() == f"wordfreq: error: {out}: cannot write: File too large\n"
    assert os.listdir(out.parent) == []


# 4. Bad input ---------------------------------------------------------------------------


def test_an_empty_file_and_a_whitespace_file_give_an_empty_table(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(" \r\n\t\u3000\r\r\n".encode())
    result = run_wordfreq("count", str(tmp_path))
    assert result.returncode == 0 and result.stdout == b""
    assert result.stderr.decode().startswith("wordfreq: 2 files, 10 B, 0 tokens, 0 distinct")


def test_crlf_and_lone_cr_line_ends(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("我们\r\n北京\r天安门\r\n\r".encode())
    result = run_wordfreq("count", str(tmp_path / "a.txt"), "-q")
    assert result.stdout.decode() == "北京\t1\n天安门\t1\n我们\t1\n"


def test_one_long_line_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "one-line.txt"
    piece = ("词" * 7 + " ") * 4096  # 90 KB without a line feed
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(100 * 1024 * 1024 // len(piece.encode())):
            f.write(piece)
    assert path.stat().st_size > 99_000_000
    peak, seconds, result = peak_rss_mib("count", str(path), "--tokenizer", "whitespace", "-j", "2", "-q")
    assert result.returncode == 0
    print(f"100 MB single line: {seconds:.1f} s, largest process {peak} MiB")
    assert peak < 120  # the file is 100 MB; its text in memory would be more


def test_invalid_utf8_in_a_large_file_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    good = "我们在北京。\n".encode() * 200_000
    path.write_bytes(good + b"\xc3\x28" + good)
    result = run_wordfreq("count", str(path), "-j", "2", "--chunk-size", "256K")
    assert result.returncode == 1
    assert result.stderr.decode() == (
        f"wordfreq: error: {path}: byte {len(good)}: not valid utf-8 (invalid continuation byte); "
        "name the file's encoding, or have undecodable bytes replaced (see --encoding, --errors)\n"
    )
    replaced = run_wordfreq("count", str(path), "-j", "2", "--errors", "replace")
    assert replaced.returncode == 0
    assert ", 1 undecodable bytes replaced or dropped" in replaced.stderr.decode()


def test_a_truncated_gzip_file(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt.gz"
    data = gzip.compress("我们在北京。".encode() * 10_000)
    path.write_bytes(data[:-20])
    result = run_wordfreq("count", str(path))
    assert result.returncode == 1
    assert result.stderr.decode().startswith(f"wordfreq: error: {path}: cannot read: Compressed file ended")


def test_a_json_lines_line_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"t": "我们"}) + "\n{oops\n", encoding="utf-8")
    result = run_wordfreq("count", str(path), "--field", "t")
    assert result.returncode == 1
    assert result.stderr.decode().startswith(f"wordfreq: error: {path}: line 2: not valid JSON")


def test_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("word", encoding="utf-8")
    (tmp_path / "a" / "up").symlink_to(tmp_path)
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a")
    result = run_wordfreq("count", str(tmp_path), "--tokenizer", "whitespace", timeout=30)
    assert result.returncode == 0 and result.stdout == b"word\t1\n"


def test_a_fifo_as_input(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "wb") as f:
            f.write("我们在北京。".encode() * 1000)

    writer = threading.Thread(target=feed)
    writer.start()
    result = run_wordfreq("count", str(fifo), "-q", "-j", "2", "--chunk-size", "4K", timeout=60)
    writer.join()
    assert result.returncode == 0
    assert result.stdout.decode().splitlines()[:2] == ["。\t1000", "北京\t1000"]


def test_a_path_with_spaces_and_non_ascii(tmp_path: Path) -> None:
    folder = tmp_path / "语料 库 (2025)"
    folder.mkdir()
    (folder / "新闻 一.txt").write_text("我们在北京", encoding="utf-8")
    result = run_wordfreq("count", str(folder / "新闻 一.txt"), "-q")
    assert result.returncode == 0 and "北京\t1" in result.stdout.decode()
    missing = run_wordfreq("count", str(folder / "缺失 文件.txt"))
    assert missing.returncode == 1 and "缺失 文件.txt: no such file" in missing.stderr.decode()


def make_tiny_files(root: Path, n: int) -> None:
    for i in range(n):
        folder = root / f"{i // 1000:03d}"
        if i % 1000 == 0:
            folder.mkdir(parents=True)
        (folder / f"{i:06d}.txt").write_text(f"第{i % 97}号 文件 内容", encoding="utf-8")


@pytest.mark.parametrize("n", [10_000, pytest.param(100_000, marks=pytest.mark.slow)])
def test_a_directory_of_many_tiny_files(tmp_path: Path, n: int) -> None:
    make_tiny_files(tmp_path, n)
    started = time.monotonic()
    result = run_wordfreq("count", str(tmp_path), "-j", "2", timeout=1800)
    print(f"{n:,} tiny files: {time.monotonic() - started:.1f} s")
    assert result.returncode == 0
    assert f"文件\t{n}" in result.stdout.decode()
    assert result.stderr.decode().startswith(f"wordfreq: {n:,} files,")


def test_a_file_that_shrinks_while_it_is_read(big_text: Path, tmp_path: Path) -> None:
    path = tmp_path / "shrinking.txt"
    path.write_bytes(big_text.read_bytes())
    proc = start(
        "count",
        str(path),
        "--tokenizer",
        "jieba-py",
        "-j",
        "2",
        "--chunk-size",
        "64K",
        "-o",
        str(tmp_path / "freq.tsv"),
    )
    wait_for_workers(proc)
    time.sleep(0.3)
    os.truncate(path, path.stat().st_size // 2)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "shrinking.txt: file changed size while being read" in stderr.decode()
    assert sorted(os.listdir(tmp_path)) == ["shrinking.txt"]


# 5. Determinism -------------------------------------------------------------------------


def test_tables_are_identical_across_workers_chunk_sizes_and_start_methods(
    big_text: Path, tmp_path: Path
) -> None:
    sample = tmp_path / "sample.txt"
    sample.write_bytes(big_text.read_bytes()[:400_000].decode("utf-8", "ignore").encode())
    user_dict = str(ROOT / "data" / "userdict.txt")
    runs = [
        ["-j", "1"],
        ["-j", "2", "--chunk-size", "4K"],
        ["-j", "3", "--chunk-size", "64K"],
        ["-j", "2", "--chunk-size", "16K", "--start-method", "spawn"],
        ["-j", "2", "--chunk-size", "16K", "--start-method", "forkserver"],
        ["-j", "2", "--chunk-size", "16K", "--start-method", "fork"],
    ]
    tables = set()
    for options in runs:
        result = run_wordfreq("count", str(sample), "--user-dict", user_dict, "-q", *options)
        assert result.returncode == 0, (options, result.stderr)
        tables.add(result.stdout)
    assert len(tables) == 1


# 6. A huge vocabulary -------------------------------------------------------------------


def write_distinct_tokens(path: Path, n: int) -> None:
    order = list(range(n))
    random.Random(5).shuffle(order)
    with open(path, "w", encoding="utf-8") as f:
        for start in range(0, n, 100_000):
            f.write(" ".join(f"t{i:x}" for i in order[start : start + 100_000]) + "\n")


@pytest.mark.parametrize("n", [1_000_000, pytest.param(5_000_000, marks=pytest.mark.slow)])
def test_a_huge_vocabulary(tmp_path: Path, n: int) -> None:
    path = tmp_path / "vocab.txt"
    write_distinct_tokens(path, n)
    peak, seconds, result = peak_rss_mib(
        "count", str(path), "--tokenizer", "whitespace", "-j", "2", "-o", str(tmp_path / "t.tsv")
    )
    print(f"{n:,} distinct tokens: {seconds:.1f} s, largest process {peak} MiB")
    assert result.returncode == 0
    assert f"{n:,} distinct" in result.stderr.decode()
