"""The ``pos`` scenario: parts of speech (``count --pos``) against the naive posseg loop and plain count.

For each corpus kind of ``--pos-kinds`` (default news and hmm-heavy) it
runs, one after the other, in fresh processes:

* the naive loop (``approaches.py naive-posseg``: ``jieba.posseg.cut`` line
  by line, each pair counted as ``word/tag``) on a *sample*, the first
  ``NAIVE_MB`` of the kind's corpus (whole lines): jieba.posseg handles some
  50,000 characters a second on news and a few KB a second on HMM-heavy
  text, so the whole input would take hours;
* ``wordfreq count --pos -j N`` on that sample, whose table is compared
  with the naive loop's byte for byte;
* ``wordfreq count --pos -j N`` and ``wordfreq count -j N`` (the plain
  count) on the *input*: the first ``INPUT_MB`` of the corpus (``--sample``
  overrides it).

Each wordfreq command also runs on a ~100-character line of the sample: its
wall time there is its start-up (interpreter, imports, dictionary and
model loading).  A command's rate is the bytes it counted over its wall time
less its start-up (``net``), so that start-up does not decide, and also over
its whole wall time; ``× naive`` is a rate over the naive loop's, and
``× plain`` a command's whole wall time on the input over the plain count's.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import note
from corpora import KINDS, build_corpus, head_sample, oneline_input
from report import compare, error_row, machine_line, md_table
from rows import Row
from runner import RunResult, run_one
from scenarios import median_result, warm_up

POS_KINDS = ("news", "hmm-heavy")
"""The default ``--pos-kinds``."""

NAIVE_MB = {"news": 1.0, "hmm-heavy": 0.1}
"""The naive loop's sample of each kind, in MB (0.5 for the kinds not listed)."""

INPUT_MB = {"news": None, "hmm-heavy": 4.0}
"""wordfreq's input of each kind, in MB (None: the whole corpus; 4 for the kinds not listed)."""


def _run(row: Row, inp: Path, workdir: Path, args: argparse.Namespace, tag: str) -> RunResult:
    """``args.repeat`` runs of ``row`` on ``inp``: the median one."""
    return median_result([run_one(row, inp, workdir, args, tag=tag) for _ in range(args.repeat)])


def _head(kind: str, megabytes: float | None, args: argparse.Namespace) -> Path:
    src = build_corpus(args.cache_dir, kind)
    if megabytes is None:
        return src
    return head_sample(src, int(megabytes * 1e6), args.cache_dir, KINDS[kind].sha256)


def _rate(size: int, seconds: float) -> str:
    return f"{size / 1e6 / seconds:.3f}" if seconds > 0 else "–"


def scenario_pos(args: argparse.Namespace, workdir: Path) -> None:
    """Naive posseg loop, ``--pos`` and the plain count, per kind: one table."""
    jobs = args.jobs
    header = ["kind", "command", "on", "bytes", "wall s", "start-up s", "MB/s (net)", "MB/s (wall)"]
    header += ["× naive (net)", "× naive (wall)", "× plain (wall)", "other load", "equal to naive"]
    table, inputs = [], []
    naive_row = Row("naive-posseg", "baseline")
    pos_row = Row(f"wordfreq-pos-j{jobs}", "wordfreq", ("--pos", "-j", str(jobs)))
    plain_row = Row(f"wordfreq-j{jobs}", "wordfreq", ("-j", str(jobs)))
    for kind in args.pos_kinds:
        sample = _head(kind, NAIVE_MB.get(kind, 0.5), args)
        inp = _head(kind, args.sample if args.sample else INPUT_MB.get(kind, 4.0), args)
        inputs.append(
            f"{kind}: naive on the first {sample.stat().st_size:,} bytes, wordfreq on "
            f"{inp.stat().st_size:,} bytes of {KINDS[kind].label}"
        )
        warm_up(inp)
        line = oneline_input(sample, workdir, f"oneline-pos-{kind}.txt")
        runs: list[tuple[str, str, Path, RunResult, RunResult | None]] = []
        for label, row, on, path in [
            ("naive posseg loop", naive_row, "sample", sample),
            (f"wordfreq --pos -j {jobs}", pos_row, "sample", sample),
            (f"wordfreq --pos -j {jobs}", pos_row, "input", inp),
            (f"wordfreq -j {jobs} (plain)", plain_row, "input", inp),
        ]:
            note(f"pos: {kind} {label} on the {on} ...")
            tag = f"-{kind}-{on}"
            result = _run(row, path, workdir, args, tag)
            start = _run(row, line, workdir, args, f"{tag}-1") if row is not naive_row else None
            note(f"  {result.wall:.2f} s" + (f", start-up {start.wall:.2f} s" if start else ""))
            runs.append((label, on, path, result, start))
        naive = runs[0][3]
        naive_size = runs[0][2].stat().st_size
        naive_rate = naive_size / naive.wall if not naive.error and naive.wall > 0 else 0.0
        plain = runs[3][3]
        for label, on, path, result, start in runs:
            error = result.error or (start.error if start else None)
            if error:
                table.append([kind, *error_row(label, error, len(header) - 1)])
                continue
            size = path.stat().st_size
            up = start.wall if start else 0.0
            net = result.wall - up
            eq = "–"
            if on == "sample" and result is not naive:
                eq = compare(naive.out, result.out) if not naive.error else "n/a (naive failed)"
            table.append(
                [
                    kind,
                    label,
                    on,
                    f"{size:,}",
                    f"{result.wall:.2f}",
                    f"{up:.2f}" if start else "–",
                    _rate(size, net),
                    _rate(size, result.wall),
                    f"{size / net / naive_rate:.0f}×" if naive_rate and net > 0 else "–",
                    f"{size / result.wall / naive_rate:.0f}×" if naive_rate else "–",
                    f"{result.wall / plain.wall:.2f}×" if on == "input" and not plain.error else "–",
                    f"{result.other_load:.2f}",
                    eq,
                ]
            )
    print(f"\n### pos: parts of speech, naive jieba.posseg loop against wordfreq --pos, -j {jobs}\n")
    print(f"{machine_line(jobs)}  ")
    reps = f"; median of {args.repeat} runs" if args.repeat > 1 else ""
    print(f"Inputs: {'; '.join(inputs)}{reps}\n")
    print(md_table(header, table, right={3, 4, 5, 6, 7, 8, 9, 10, 11}))
