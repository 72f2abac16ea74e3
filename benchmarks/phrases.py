"""The ``phrases`` scenario: n-grams and the memory budget, against the unigram count of the same input.

On the (replicated) corpus, with ``-j N``: the unigram table (the default
command), the n-gram table (``--phrases-ngram``, default 2), and the same
under ``--memory`` (``--phrases-memory``, default 256M), which must give the
same bytes as without a budget.  Whether the budgeted run spilled is read
off its summary line.  A replicated corpus has the vocabulary of one copy:
to make a budget bite, count more orders (``--phrases-ngram 1-3``).  Prints
time, its ratio to the unigram count, CPU, the process tree's peak memory
and the equality check; with ``--repeat R``, the rows run in R interleaved
rounds and each shows its median run (peak: the max over runs), so that a
burst of other load on a shared machine moves one round, not one row.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from common import note
from report import compare, error_row, input_line, machine_line, md_table, mib, note_run
from rows import Row
from runner import RunResult, run_one
from scenarios import median_result


def phrase_rows(jobs: int, ngram: str, memory: str, summary: Path) -> list[Row]:
    j = ["-j", str(jobs)]
    budget = ("--memory", memory, "--summary-json", str(summary))
    return [
        Row(f"unigrams-j{jobs}", "wordfreq", tuple(j)),
        Row(f"ngram-{ngram}-j{jobs}", "wordfreq", ("--ngram", ngram, *j)),
        Row(f"ngram-{ngram}-j{jobs}-memory-{memory}", "wordfreq", ("--ngram", ngram, *budget, *j)),
    ]


def _merged_on_disk(summary: Path) -> str:
    """Whether the budgeted run spilled, from its --summary-json."""
    try:
        return "yes" if json.loads(summary.read_text(encoding="utf-8"))["merged_on_disk"] else "no"
    except (OSError, ValueError, KeyError):
        return "?"


def scenario_phrases(args: argparse.Namespace, inp: Path, src_digest: str, workdir: Path) -> None:
    """Unigrams, bigrams, bigrams under a memory budget: one table."""
    summary = workdir / "phrases-summary.json"
    rows = phrase_rows(args.jobs, args.phrases_ngram, args.phrases_memory, summary)
    runs: list[list[RunResult]] = [[] for _ in rows]
    for rep in range(args.repeat):
        for row, row_runs in zip(rows, runs):
            note(f"[{rep + 1}/{args.repeat}] phrases: {row.name} ...")
            res = run_one(row, inp, workdir, args, tag=f"-{rep}")
            note_run(res)
            row_runs.append(res)
    results = [median_result(row_runs) for row_runs in runs]
    unigrams, plain, budgeted = results
    header = ["command", "wall s", "t / unigrams", "CPU s", "peak MiB", "procs", "other load", "spilled"]
    header += ["same table"]
    header += ["error"]
    table = []
    for res in results:
        if res.error:
            table.append(error_row(res.row.name, res.error, len(header)))
            continue
        same = spilled = "–"
        if res is budgeted:
            spilled = _merged_on_disk(summary)
            if not plain.error:
                same = f"{compare(plain.out, res.out)} (vs no budget)"
        ratio = f"{res.wall / unigrams.wall:.2f}×" if not unigrams.error else "–"
        table.append(
            [
                res.row.name,
                f"{res.wall:.2f}",
                ratio,
                f"{res.cpu:.1f}",
                mib(res.peak_bytes),
                str(res.max_procs),
                f"{res.other_load:.2f}",
                spilled,
                same,
                "",
            ]
        )
    print(f"\n### phrases: --ngram {args.phrases_ngram}, and --memory {args.phrases_memory}\n")
    print(f"{machine_line(args.jobs)}  ")
    reps = f"  \nmedian of {args.repeat} interleaved runs, peak = max over runs" if args.repeat > 1 else ""
    print(f"{input_line(inp, args.replicate, src_digest, args.corpus_label)}{reps}\n")
    print(md_table(header, table, right={1, 2, 3, 4, 5, 6}))
