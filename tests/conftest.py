"""Shared fixtures: the sample corpus, generated corpora, and a runner."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SAMPLE_CORPUS = DATA / "corpus"

# The compiled dictionaries' cache (wordfreq.tokenizers.dictionary_cache) of
# this test run only, never the user's; the commands the tests start inherit it.
_CACHE = tempfile.TemporaryDirectory(prefix="wordfreq-test-cache-")
os.environ["WORDFREQ_CACHE_DIR"] = _CACHE.name

# Pieces that make texts jieba has to work on: dictionary words, names it
# must guess with the HMM, Latin and digits joined by jieba's block
# punctuation, ASCII and CJK punctuation, every kind of line end and space.
PIECES = [
    "我们",
    "在",
    "北京",
    "天安门",
    "中华人民共和国",
    "成立",
    "了",
    "经济",
    "发展",
    "的",
    "研究生命起源",
    "结婚的和尚未结婚的",
    "他来到了网易杭研大厦",
    "小明硕士毕业于中国科学院",
    "青禾线",
    "云栖茶舍",
    "梧桐坊",
    "喝",
    "茶",
    "下午",
    "abc",
    "Wi-Fi",
    "App",
    "www.example.com",
    "3.5%",
    "1-30",
    "C++",
    "C#",
    "a&b",
    "x_y",
    "2025",
    "年",
    "3",
    "月",
    ".",
    "-",
    "%",
    "+",
    "#",
    "_",
    "&",
    "，",
    "。",
    "、",
    "“",
    "”",
    "：",
    "？",
    "！",
    "（",
    "）",
    "《",
    "》",
    "…",
    ",",
    "!",
    "?",
    "(",
    ")",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\u3000",
    "\xa0",
    "\u2028",
    "\u200b",
    "ｶﾀｶﾅ",
    "ひらがな",
    "한국어",
    "Ωμέγα",
    "Привет",
    "😀",
    "é",
    "㐀",
    "鿖",
    "𠀀",
]


def random_text(rng: random.Random, pieces: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(pieces))


@pytest.fixture(scope="session")
def big_text(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 3 MB of Chinese text (the sample corpus repeated): seconds of work for pure jieba."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLE_CORPUS.rglob("*.txt")))
    path = tmp_path_factory.mktemp("big") / "big.txt"
    path.write_text(text * (3_000_000 // len(text.encode())), encoding="utf-8")
    return path


@pytest.fixture
def sample_corpus() -> Path:
    return SAMPLE_CORPUS


@pytest.fixture
def generated_corpus(tmp_path: Path) -> Path:
    """A directory of generated files of various sizes, one of them empty."""
    rng = random.Random(1998)
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    for i, n in enumerate([0, 1, 40, 900, 5000]):
        folder = root / "sub" if i % 2 else root
        (folder / f"part{i}.txt").write_bytes(random_text(rng, n).encode("utf-8"))
    return root


def run_wordfreq(
    *args: str, input: bytes | None = None, cwd: Path | None = None, timeout: float = 120, **kwargs: object
) -> subprocess.CompletedProcess[bytes]:
    """Run the real command in a subprocess (as `python -m wordfreq`)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if "stdout" not in kwargs:
        kwargs["capture_output"] = True
    return subprocess.run(
        [sys.executable, "-m", "wordfreq", *args],
        input=input,
        cwd=cwd,
        timeout=timeout,
        env=env,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.fixture(autouse=True, scope="module")
def _restore_jiebas_force_split_words() -> Iterator[None]:
    """jieba keeps one process-wide set of words its HMM must split (a user
    dictionary's words of frequency 0 go there, for good, as in jieba).  A
    test module that loads such a dictionary must not change what the
    modules after it count, so the set is put back after each module."""
    from wordfreq.tokenizers.jieba_py import import_jieba

    import_jieba()
    from jieba import finalseg

    before = set(finalseg.Force_Split_Words)
    yield
    finalseg.Force_Split_Words.clear()
    finalseg.Force_Split_Words.update(before)


@contextlib.contextmanager
def dask_cluster() -> Iterator[str]:
    """A quiet local Dask cluster of two one-thread worker processes; yields its scheduler's address."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a `dask_cluster`, one per test module that asks."""
    with dask_cluster() as address:
        yield address


@contextlib.contextmanager
def text_file(data: bytes) -> Iterator[str]:
    """A temporary file holding ``data`` (its path), removed afterwards: for hypothesis tests, which
    cannot take pytest's per-test tmp_path."""
    fd, path = tempfile.mkstemp(suffix=".txt")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        yield path
    finally:
        os.unlink(path)


def cli_runner() -> CliRunner:
    """click's test runner with stdout and stderr apart, on click 8.1 (which
    mixes them unless told not to) as on 8.2+ (which has no such option)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()
