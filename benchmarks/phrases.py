"""The ``phrases`` scenario: n-grams and the memory budget, against the unigram count of the same input.

On the (replicated) corpus, with ``-j N``: the unigram table (the default
command), the bigram table, and the bigram table under ``--memory``
(``--phrases-memory``, default 256M), which must spill and give the same
bytes as the bigram table without a budget.  Prints time, its ratio to the
unigram count, CPU, the process tree's peak memory and the equality check.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import note
from report import compare, error_row, input_line, machine_line, md_table, mib
from rows import Row
from runner import run_one


def phrase_rows(jobs: int, memory: str) -> list[Row]:
    j = ["-j", str(jobs)]
    return [
        Row(f"unigrams-j{jobs}", "wordfreq", tuple(j)),
        Row(f"bigrams-j{jobs}", "wordfreq", ("--ngram", "2", *j)),
        Row(f"bigrams-j{jobs}-memory-{memory}", "wordfreq", ("--ngram", "2", "--memory", memory, *j)),
    ]


def scenario_phrases(args: argparse.Namespace, inp: Path, src_digest: str, workdir: Path) -> None:
    """Unigrams, bigrams, bigrams under a memory budget: one table."""
    rows = phrase_rows(args.jobs, args.phrases_memory)
    results = []
    for row in rows:
        note(f"phrases: {row.name} ...")
        res = run_one(row, inp, workdir, args)
        note(
            f"  {res.wall:.2f} s, peak {mib(res.peak_bytes)} MiB"
            + (f", FAILED ({res.error})" if res.error else "")
        )
        results.append(res)
    unigrams, bigrams, budgeted = results
    header = ["command", "wall s", "t / unigrams", "CPU s", "peak MiB", "procs", "other load", "same table"]
    header += ["error"]
    table = []
    for res in results:
        if res.error:
            table.append(error_row(res.row.name, res.error, len(header)))
            continue
        same = "–"
        if res is budgeted and not bigrams.error:
            same = f"{compare(bigrams.out, res.out)} (vs bigrams)"
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
                same,
                "",
            ]
        )
    print(f"\n### phrases: n-grams and --memory {args.phrases_memory}\n")
    print(f"{machine_line(args.jobs)}  ")
    print(f"{input_line(inp, args.replicate, src_digest)}\n")
    print(md_table(header, table, right={1, 2, 3, 4, 5, 6}))
