"""What the benchmark prints, and the comparison of the output tables.

Owns the Markdown rendering (:func:`md_table`, :func:`error_row`, :func:`mib`),
the lines that describe the machine and the input above each table, and the
``equal to naive`` column: :func:`compare` of two ``token<TAB>count`` tables.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from common import MIB, REPO_ROOT, note
from runner import RunResult, load_average

# ---------------------------------------------------------------------------
# Machine and input
# ---------------------------------------------------------------------------


def version(dist: str) -> str:
    """Installed version of distribution ``dist``, or ``not installed``."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def wordfreq_version() -> str:
    """The installed version (distribution corpus-wordfreq), else the in-tree package's ``__version__``."""
    v = version("corpus-wordfreq")
    if v != "not installed":
        return v
    r = subprocess.run(
        [sys.executable, "-c", "import wordfreq; print(getattr(wordfreq, '__version__', '?'))"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if r.returncode == 0:
        return f"{r.stdout.strip()} (source tree, not installed)"
    return "not importable"


def machine_line(jobs: int) -> str:
    """One line describing the machine and the software versions."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"Machine: {cpu}, os.cpu_count()={os.cpu_count()}, "
        f"sched_getaffinity={len(os.sched_getaffinity(0))}, -j {jobs}; "
        f"{platform.python_implementation()} {platform.python_version()}; "
        f"jieba {version('jieba')}, rjieba {version('rjieba')}, "
        f"wordfreq {wordfreq_version()}; load average now {load_average()}"
    )


def input_line(path: Path, k: int, digest: str, label: str) -> str:
    """One line describing the input file: ``k`` copies of the corpus ``label`` with this sha256."""
    size = path.stat().st_size
    return f"Input: {label} (sha256 {digest[:12]}…) × {k} = {size:,} bytes ({size / 1e6:.1f} MB), {path}"


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """Render a Markdown table; columns in ``right`` are right-aligned."""

    def cell(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    align = ["---:" if i in right else ":---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def error_row(label: str, error: str, width: int, mark: str = "FAILED") -> list[str]:
    """A table row of ``width`` cells for a failed run: label, mark, blanks, error last."""
    return [label, mark, *[""] * (width - 3), error]


def mib(n: int) -> str:
    """Bytes as MiB with no decimals."""
    return f"{n / MIB:,.0f}"


def note_run(res: RunResult) -> None:
    """The progress line of a finished run: its time and peak memory, or its failure."""
    failed = f", FAILED ({res.error})" if res.error else ""
    note(f"  {res.wall:.2f} s, peak {mib(res.peak_bytes)} MiB{failed}")


# ---------------------------------------------------------------------------
# Comparing tables
# ---------------------------------------------------------------------------


def read_table(path: Path) -> dict[str, int]:
    """Parse a ``token<TAB>count`` TSV into a dict."""
    d: dict[str, int] = {}
    with open(path, encoding="utf-8", newline="\n") as f:
        for line in f:
            tok, _, cnt = line.rstrip("\n").rpartition("\t")
            d[tok] = d.get(tok, 0) + int(cnt)
    return d


def files_equal(a: Path, b: Path, chunk: int = 1 << 20) -> bool:
    """Byte-for-byte comparison."""
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(chunk), fb.read(chunk)
            if x != y:
                return False
            if not x:
                return True


def compare(ref: Path, out: Path) -> str:
    """``yes`` if byte-identical, else ``no (...)`` with count differences."""
    if files_equal(ref, out):
        return "yes"
    try:
        a, b = read_table(ref), read_table(out)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        return f"no (unparseable: {type(e).__name__})"
    keys = a.keys() | b.keys()
    diff = [abs(a.get(k, 0) - b.get(k, 0)) for k in keys]
    ntok = sum(1 for x in diff if x)
    if not ntok:
        return "no (same counts, different bytes/order)"
    return f"no ({ntok:,} tokens differ, L1 {sum(diff):,})"
