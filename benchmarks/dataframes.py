"""DataFrames of a count: ``to_polars()``, ``to_arrow()``, ``to_pandas()`` against building the frame from
``result.rows()``, side by side on the same result.

    python benchmarks/dataframes.py --rows 2000000

The result is a count's usual one, a packed table (`wordfreq.reduce.packs`), of
``--rows`` synthetic rows of CJK tokens; ``--held`` makes it a `Counter`
instead (what a count with document frequencies holds).  Each way runs
``--repeat`` times, round-robin; the median is printed with its ratio to the
way it replaces.  A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable

from common import REPO_ROOT, note

sys.path.insert(0, str(REPO_ROOT))

from wordfreq.api import CountResult  # noqa: E402
from wordfreq.reduce.packs import merge_packs, pack  # noqa: E402


def synthetic_counts(n: int) -> Counter[str]:
    rng = random.Random(1)
    han = [chr(c) for c in range(0x4E00, 0x9FA5)]
    counts: Counter[str] = Counter()
    while len(counts) < n:
        counts["".join(rng.choices(han, k=rng.choice((1, 2, 2, 2, 3, 4))))] = int(rng.paretovariate(1.1))
    return counts


def result_of(counts: Counter[str], held: bool) -> CountResult:
    packed = None if held else merge_packs([pack(counts)], 1, None)  # type: ignore[list-item]
    return CountResult(counts if held else None, 1, 0, 0.0, 0, 1, packed=packed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--held", action="store_true", help="a Counter, not a packed table")
    args = parser.parse_args()
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    note(f"making {args.rows:,} rows")
    result = result_of(synthetic_counts(args.rows), args.held)
    ways: dict[str, Callable[[], object]] = {
        "pl.DataFrame(result.rows())": lambda: pl.DataFrame(
            list(result.rows()), schema=["token", "count"], orient="row"
        ),
        "to_polars()": result.to_polars,
        "pa.table from result.rows()": lambda: pa.table(
            dict(zip(["token", "count"], map(list, zip(*result.rows()))))
        ),
        "to_arrow()": result.to_arrow,
        "pd.DataFrame(result.rows())": lambda: pd.DataFrame(list(result.rows()), columns=["token", "count"]),
        "to_pandas()": result.to_pandas,
    }
    replaces = {"to_polars()": "pl.DataFrame(result.rows())", "to_arrow()": "pa.table from result.rows()",
                "to_pandas()": "pd.DataFrame(result.rows())"}  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in ways}
    load = os.getloadavg()[0]
    for _ in range(args.repeat):
        for name, way in ways.items():
            started = time.perf_counter()
            frame = way()
            times[name].append(time.perf_counter() - started)
            del frame
    kind = "a Counter" if args.held else "packed"
    print(f"{args.rows:,} rows, {kind}; load {load:.2f} to {os.getloadavg()[0]:.2f}\n")
    print("| way | median s | × the way it replaces |")
    print("| --- | --- | --- |")
    for name, runs in times.items():
        median = statistics.median(runs)
        ratio = ""
        if name in replaces:
            ratio = f"{statistics.median(times[replaces[name]]) / median:.1f}× faster"
        print(f"| {name} | {median:.3f} | {ratio} |")


if __name__ == "__main__":
    main()
