"""The real command in a subprocess: pipes, exit codes, signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_wordfreq


def processes_in_session(sid: int) -> list[int]:
    """PIDs of live (non-zombie) processes whose session id is ``sid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(entry))
    return found


@pytest.fixture(scope="module")
def wide_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 distinct tokens: a table bigger than a pipe's buffer."""
    path = tmp_path_factory.mktemp("wide") / "wide.txt"
    path.write_text(" ".join(f"w{i}" for i in range(20_000)), encoding="utf-8")
    return path


def test_python_dash_m_and_stdin_pipe(sample_corpus: Path) -> None:
    path = sample_corpus / "remote_work.txt"
    from_path = run_wordfreq("count", str(path), "-q")
    from_pipe = run_wordfreq("count", "-", "-q", input=path.read_bytes())
    assert from_path.returncode == from_pipe.returncode == 0
    assert from_pipe.stdout == from_path.stdout and from_path.stdout


def test_jieba_never_talks_on_stderr(sample_corpus: Path) -> None:
    result = run_wordfreq("count", str(sample_corpus), "-j", "2")
    assert result.returncode == 0
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wordfreq: 7 files")


def test_count_pipes_into_top(sample_corpus: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    py = sys.executable
    script = f"cat {sample_corpus}/*.txt | {py} -m wordfreq count - -q | {py} -m wordfreq top - -n 3"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script], capture_output=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    files = sorted(str(p) for p in sample_corpus.glob("*.txt"))
    expected = run_wordfreq("count", *files, "-q").stdout.splitlines(keepends=True)[:3]
    assert result.stdout == b"".join(expected)


@pytest.mark.parametrize("command", ["count", "top"])
def test_quiet_when_the_reader_goes_away(command: str, wide_corpus: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    source = wide_corpus
    if command == "top":
        source = tmp_path / "wide.tsv"
        source.write_bytes(run_wordfreq("count", str(wide_corpus), "-q").stdout)
    option = "-n 20000" if command == "top" else "-q"
    script = f"{sys.executable} -m wordfreq {command} {source} {option} | head -1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script], capture_output=True, env=env, timeout=60
    )
    assert result.returncode == 0
    assert result.stderr == b""
    assert len(result.stdout.splitlines()) == 1


def test_stdout_full_is_a_clear_error() -> None:
    with open("/dev/full", "wb") as full:
        result = run_wordfreq(
            "count", "-", "-q", input="我们在北京".encode(), stdout=full, stderr=subprocess.PIPE
        )
    assert result.returncode == 1
    assert (
        result.stderr.decode().strip() == "wordfreq: error: <stdout>: cannot write: No space left on device"
    )


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_everything_quickly_and_cleanly(
    big_text: Path, tmp_path: Path, sig: signal.Signals, status: int
) -> None:
    out = tmp_path / "freq.tsv"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wordfreq",
            "count",
            str(big_text),
            "--tokenizer",
            "jieba-py",
            "-j",
            "2",
            "-o",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while len(processes_in_session(proc.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)  # until both workers run
    assert len(processes_in_session(proc.pid)) >= 3, "the pool never started"
    time.sleep(0.3)
    sent = time.monotonic()
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # Ctrl-C in a terminal reaches the whole process group
    else:
        proc.send_signal(sig)  # `kill PID` reaches the main process only
    _, stderr = proc.communicate(timeout=10)
    assert time.monotonic() - sent < 2.0
    assert proc.returncode == status
    assert b"Traceback" not in stderr and len(stderr.splitlines()) == 1
    time.sleep(0.2)
    assert processes_in_session(proc.pid) == []
    assert os.listdir(tmp_path) == []
