"""The ``reduce`` scenario: the local engine and Dask, with and without a memory budget, side by side.

On the corpus (``--corpus-kind growing``: a vocabulary that grows with the
input), with ``-j N``: for each order of ``--reduce-ngrams`` (default ``1`` and
``1-3``), the local engine and ``--engine dask`` (a local cluster of N
workers), each without a budget and under ``--memory`` (``--phrases-memory``,
default 256M).  Prints time and its ratio to the local engine's run with the
same budget, CPU time (all processes) and its ratio likewise, the client's own
CPU time (the first process: with Dask, the client and the scheduler), the
peak memory (PSS) of the whole process tree, of the client alone and of each
other process of 32 MiB or more (the workers), the bytes the reduce wrote to
disk (``spilled_bytes`` of ``--summary-json``), and whether the table equals
the local engine's without a budget.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from common import note
from report import compare, error_row, input_line, machine_line, md_table, mib, note_run
from rows import Row, select
from runner import RunResult, run_one


def reduce_rows(jobs: int, ngram: str, memory: str, workdir: Path) -> list[tuple[Row, Path]]:
    rows = []
    for engine in ("local", "dask"):
        for budget in ((), ("--memory", memory)):
            name = f"{engine}-ngram-{ngram}" + (f"-memory-{memory}" if budget else "")
            summary = workdir / f"{name}.json"
            extra = ("--ngram", ngram, "--engine", engine, "-j", str(jobs), *budget)
            extra += ("--summary-json", str(summary))
            rows.append((Row(name, "wordfreq", extra), summary))
    return rows


def _spilled(summary: Path) -> str:
    try:
        spilled = json.loads(summary.read_text(encoding="utf-8")).get("spilled_bytes")
    except (OSError, ValueError):
        return "?"
    return "–" if spilled is None else mib(spilled)


def scenario_reduce(args: argparse.Namespace, inp: Path, src_digest: str, workdir: Path) -> None:
    """Local and Dask, unbudgeted and budgeted, for each order: one table."""
    header = ["command", "wall s", "t / local", "CPU s", "CPU / local", "client CPU s", "peak MiB"]
    header += ["client MiB", "workers MiB", "procs", "other load", "spilled MiB", "same table", "error"]
    table = []
    for ngram in args.reduce_ngrams.split(","):
        every = reduce_rows(args.jobs, ngram, args.phrases_memory, workdir)
        chosen = {row.name for row in select([row for row, _ in every], args.only)}  # others: None
        results: list[RunResult | None] = []
        for row, _ in every:
            if row.name in chosen:
                note(f"reduce: {row.name} ...")
                res = run_one(row, inp, workdir, args)
                note_run(res)
            else:
                res = None
            results.append(res)
        local, local_budget = results[0], results[1]
        for (row, summary), res in zip(every, results):
            if res is None:
                continue
            if res.error:
                table.append(error_row(row.name, res.error, len(header)))
                continue
            baseline = local_budget if "--memory" in row.extra else local
            usable = baseline is not None and not baseline.error
            ratio = f"{res.wall / baseline.wall:.2f}×" if usable else "–"  # type: ignore[union-attr]
            cpu_ratio = f"{res.cpu / baseline.cpu:.2f}×" if usable and baseline.cpu else "–"  # type: ignore[union-attr]
            # Without the unbudgeted local row (--only), a row is compared with the budgeted one.
            reference = local if local is not None and not local.error else local_budget
            same = compare(reference.out, res.out) if reference is not None and res is not reference else "–"
            workers = ", ".join(mib(peak) for peak in res.other_peaks if peak >= 32 << 20) or "–"
            table.append(
                [
                    row.name,
                    f"{res.wall:.2f}",
                    ratio,
                    f"{res.cpu:.1f}",
                    cpu_ratio,
                    f"{res.parent_cpu:.1f}",
                    mib(res.peak_bytes),
                    mib(res.root_peak),
                    workers,
                    str(res.max_procs),
                    f"{res.other_load:.2f}",
                    _spilled(summary),
                    same,
                    "",
                ]
            )
    print(f"\n### reduce: local and dask, --memory {args.phrases_memory} or none\n")
    print(f"{machine_line(args.jobs)}  ")
    print(f"{input_line(inp, args.replicate, src_digest, args.corpus_label)}\n")
    print(md_table(header, table, right={1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}))
