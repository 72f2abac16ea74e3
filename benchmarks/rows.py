"""The rows of the tables: which commands are benchmarked, and how they are chosen.

A row is either a baseline (a function of ``approaches.py``, run as
``python benchmarks/approaches.py NAME ...``) or a ``python -m wordfreq count``
command line from :data:`WORDFREQ_ROWS`.  ``--only`` and ``--growth-rows``
select rows by name or glob; rows whose module is missing are skipped.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from approaches import APPROACHES, NEEDS
from common import BENCH_DIR, note

APPROACHES_PY = BENCH_DIR / "approaches.py"

BASELINES = list(APPROACHES)
"""Baseline rows (implemented in approaches.py), in table order."""

WORDFREQ_ROWS: list[tuple[str, list[str]]] = [
    ("wordfreq-jieba-py-j1", ["--tokenizer", "jieba-py", "-j", "1"]),
    ("wordfreq-jieba-py-j{N}", ["--tokenizer", "jieba-py", "-j", "{N}"]),
    ("wordfreq-jieba-j1", ["--tokenizer", "jieba", "-j", "1"]),
    ("wordfreq-jieba-j{N}", ["--tokenizer", "jieba", "-j", "{N}"]),
    ("wordfreq-jieba-rs-j1", ["--tokenizer", "jieba-rs", "-j", "1"]),
    ("wordfreq-jieba-rs-j{N}", ["--tokenizer", "jieba-rs", "-j", "{N}"]),
]
"""wordfreq rows of the main table: (name, extra arguments).

Each runs ``python -m wordfreq count INPUT -o OUT -q <extra arguments>`` with
the repository root as working directory.  ``{N}`` is replaced by ``-j``.
Edit this list when the CLI's options change; rows whose name repeats after
substitution (``-j 1``) are run once.
"""

ONELINE_EXTRA_ROWS: list[tuple[str, list[str]]] = [
    ("wordfreq-default", []),
]
"""Extra wordfreq rows for ``--scenario oneline`` (the CLI's defaults)."""


@dataclass(frozen=True)
class Row:
    """One approach: a name and how to build its command line."""

    name: str
    kind: str  # "baseline" or "wordfreq"
    extra: tuple[str, ...] = ()  # arguments after the command (a baseline's: --mode, --no-hmm)
    source: str | None = None  # what a wordfreq row counts instead of the scenario's input (a URL)

    def command(self, inp: Path, out: Path, jobs: int) -> list[str]:
        """The argv that counts ``inp`` (or the row's ``source``) into ``out``."""
        if self.kind == "baseline":
            cmd = [sys.executable, str(APPROACHES_PY), self.name, str(inp), str(out), "-j", str(jobs)]
            return [*cmd, *self.extra]
        source = self.source or str(inp)
        return [sys.executable, "-m", "wordfreq", "count", source, "-o", str(out), "-q", *self.extra]


def make_rows(jobs: int, wordfreq_rows: Sequence[tuple[str, list[str]]]) -> list[Row]:
    """Baseline rows followed by the wordfreq rows with ``{N}`` substituted."""
    rows = [Row(b, "baseline") for b in BASELINES]
    seen = set(BASELINES)
    for name, extra in wordfreq_rows:
        n = name.replace("{N}", str(jobs))
        if n not in seen:
            seen.add(n)
            rows.append(Row(n, "wordfreq", tuple(a.replace("{N}", str(jobs)) for a in extra)))
    return rows


def available(rows: list[Row]) -> tuple[list[Row], list[str]]:
    """Rows whose required module is importable, and notes on the others."""
    keep, skipped = [], []
    for r in rows:
        mod = NEEDS.get(r.name) if r.kind == "baseline" else None
        if mod and importlib.util.find_spec(mod) is None:
            skipped.append(f"{r.name} skipped: {mod} is not importable")
            note(skipped[-1])
        else:
            keep.append(r)
    return keep, skipped


def select(rows: list[Row], only: str | None) -> list[Row]:
    """Rows whose name matches one of the comma-separated names/globs in ``only``."""
    if not only:
        return rows
    pats = [p.strip() for p in only.split(",") if p.strip()]
    chosen = [r for r in rows if any(fnmatch.fnmatchcase(r.name, p) for p in pats)]
    unknown = [p for p in pats if not any(fnmatch.fnmatchcase(r.name, p) for r in rows)]
    if unknown:
        note(f"--only: no row matches {', '.join(unknown)}; rows are: " + ", ".join(r.name for r in rows))
    return chosen
