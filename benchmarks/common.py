"""What every benchmark module shares: where things are, and progress notes.

Progress notes go to stderr so that stdout holds only the Markdown tables.
"""

from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
"""``benchmarks/``: the approaches script and the default cache live here."""

REPO_ROOT = BENCH_DIR.parent
"""Working directory of every timed run."""

MIB = 1024 * 1024


def note(msg: str) -> None:
    """Print a progress note to stderr."""
    print(f"[bench] {msg}", file=sys.stderr, flush=True)
