"""Parquet writers side by side: wordfreq's (DuckDB, through CSV) and pyarrow's ParquetWriter.

    python benchmarks/parquet_writers.py --rows 2000000

Writes the same synthetic table (``--rows`` rows of CJK tokens, in table
order) with each writer, then reads each file back as wordfreq's readers do
(rows as Python tuples, in batches), and prints one Markdown table of times,
sizes and ratios to wordfreq's writer.  Also each library's import time in a
fresh interpreter.  A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time

from common import REPO_ROOT, note

sys.path.insert(0, str(REPO_ROOT))

from wordfreq.tables.formats import read_table, write_rows  # noqa: E402


def import_seconds(module: str) -> float:
    """The median of 3 cold imports of ``module`` (``python -X importtime``'s cumulative figure)."""
    times = []
    for _ in range(3):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True
        ).stderr
        times.append(int(err.strip().splitlines()[-1].split("|")[1]) / 1e6)
    return sorted(times)[1]


def synthetic_rows(n: int) -> list[tuple[str, int]]:
    rng = random.Random(1)
    han = [chr(c) for c in range(0x4E00, 0x9FA5)]
    rows = {"".join(rng.choices(han, k=rng.choice((1, 2, 2, 2, 3, 4)))) + str(i % 7): 0 for i in range(n)}
    return [(token, n - i) for i, token in enumerate(rows)]


def write_pyarrow(rows: list[tuple[str, int]], path: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("token", pa.string()), ("count", pa.int64())])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, len(rows), 1 << 17):
            tokens, counts = zip(*rows[start : start + (1 << 17)])
            writer.write_batch(
                pa.record_batch([pa.array(tokens, pa.string()), pa.array(counts, pa.int64())], schema=schema)
            )


def read_pyarrow(path: str) -> int:
    import pyarrow.parquet as pq

    n = 0
    for batch in pq.ParquetFile(path).iter_batches(1 << 16):
        columns = batch.to_pydict()
        n += sum(1 for _ in zip(columns["token"], columns["count"]))
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    note(f"{os.getloadavg()[0]:.2f} load; making {args.rows:,} rows")
    rows = synthetic_rows(args.rows)
    with tempfile.TemporaryDirectory() as directory:
        ours, theirs = os.path.join(directory, "duckdb.parquet"), os.path.join(directory, "pyarrow.parquet")
        results = {}
        started = time.perf_counter()
        with open(ours, "wb") as out:
            write_rows(rows, out, "parquet")
        write_ours = time.perf_counter() - started
        started = time.perf_counter()
        write_pyarrow(rows, theirs)
        write_theirs = time.perf_counter() - started
        started = time.perf_counter()
        n = sum(1 for _ in read_table(ours))
        read_ours = time.perf_counter() - started
        started = time.perf_counter()
        assert read_pyarrow(theirs) == n == len(rows)
        read_theirs = time.perf_counter() - started
        started = time.perf_counter()
        with open(os.path.join(directory, "t.tsv"), "wb") as out:
            write_rows(rows, out, "tsv")
        write_tsv = time.perf_counter() - started
        results["wordfreq (DuckDB)"] = (
            write_ours,
            read_ours,
            os.path.getsize(ours),
            import_seconds("duckdb"),
        )
        results["pyarrow"] = (
            write_theirs,
            read_theirs,
            os.path.getsize(theirs),
            import_seconds("pyarrow.parquet"),
        )
    print(f"{args.rows:,} rows; load {os.getloadavg()[0]:.2f}; TSV written in {write_tsv:.2f} s\n")
    print("| writer | write s | x ours | read s | x ours | file MB | import s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, (write, read, size, imported) in results.items():
        print(
            f"| {name} | {write:.2f} | {write / write_ours:.2f} | {read:.2f} | {read / read_ours:.2f} "
            f"| {size / 1e6:.1f} | {imported:.3f} |"
        )


if __name__ == "__main__":
    main()
