"""The ``pos`` scenario: parts of speech (``count --pos``) against the naive posseg loop and plain count.

For each corpus kind of ``--pos-kinds`` (default news and hmm-heavy) it
runs, one after the other, in fresh processes:

* the naive loop (``approaches.py naive-posseg``: ``jieba.posseg.cut`` line
  by line, each pair counted as ``word/tag``) on a *sample*, the first
  ``NAIVE_MB`` of the kind's corpus (whole lines): jieba.posseg handles some
  50,000 characters a second on news and a few KB a second on HMM-heavy
  text, so the whole input would take hours;
* the same loop with ``jieba_fast`` (a peer: jieba with parts in C), where
  it is importable (``pip install jieba-fast``), on the sample;
* peers with their own words and tags, where they are installed (else the
  row is skipped with a note): THULAC (``pip install thulac``) and pkuseg
  with its tagger (``pip install spacy-pkuseg``, whose models must be in
  ``$PKUSEG_HOME``), each ``cut`` per line, pairs counted as the naive loop
  counts them, on the first ``PEER_MB`` of the sample (they are slower
  still), start-up excluded as for wordfreq; their tables are not jieba's;
* ``wordfreq count --pos -j N`` on that sample, whose table is compared
  with the naive loop's byte for byte;
* ``wordfreq count --pos -j N`` and ``wordfreq count -j N`` (the plain
  count) on the *input*: the first ``INPUT_MB`` of the corpus (``--sample``
  overrides it).

Each wordfreq command also runs on a ~100-character line of the sample: its
wall and CPU time there are its start-up (interpreter, imports, dictionary
and model loading).  A command's rate is the bytes it counted over its wall
time, or its CPU time (all its processes), less its start-up (``net``), so
that start-up does not decide; ``× naive`` is a rate over the naive loop's
(whose start-up, a second or so, is left in), and ``× plain`` a command's
whole time on the input over the plain count's.  On a machine where other
processes keep the cores busy (``other load``), the wall rates of the
parallel rows say little: the CPU rates say what the work costs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from approaches import missing_pkuseg_models
from common import note
from corpora import KINDS, build_corpus, head_sample, oneline_input
from report import compare, error_row, machine_line, md_table
from rows import Row, available
from runner import RunResult, run_one
from scenarios import median_result, warm_up

POS_KINDS = ("news", "hmm-heavy")
"""The default ``--pos-kinds``."""

NAIVE_MB = {"news": 1.0, "hmm-heavy": 0.1}
"""The naive loop's sample of each kind, in MB (0.5 for the kinds not listed)."""

INPUT_MB = {"news": None, "hmm-heavy": 4.0}
"""wordfreq's input of each kind, in MB (None: the whole corpus; 4 for the kinds not listed)."""

PEER_MB = {"news": 0.25, "hmm-heavy": 0.05}
"""The sample of the peers with their own segmentation, in MB (0.1 for the kinds not listed)."""

PEERS = (
    ("jieba-fast-posseg", "jieba_fast posseg loop"),
    ("thulac-pos", "THULAC cut loop"),
    ("pkuseg-pos", "pkuseg cut loop (postag)"),
)
"""The peers' baselines (`approaches.py`) and their labels."""

OWN_SEGMENTATION = {"thulac-pos", "pkuseg-pos"}
"""Peers with their own words and tags (not jieba's): their own sample, their start-up excluded."""


def _run(row: Row, inp: Path, workdir: Path, args: argparse.Namespace, tag: str) -> RunResult:
    """``args.repeat`` runs of ``row`` on ``inp``: the median one."""
    return median_result([run_one(row, inp, workdir, args, tag=tag) for _ in range(args.repeat)])


def _head(kind: str, megabytes: float | None, args: argparse.Namespace) -> Path:
    src = build_corpus(args.cache_dir, kind)
    if megabytes is None:
        return src
    return head_sample(src, int(megabytes * 1e6), args.cache_dir, KINDS[kind].sha256)


def _times(ratio: float) -> str:
    """A ratio to the naive loop: whole above 10, two figures below (a slower peer's 0.052×)."""
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.2g}×"


def _rate(size: int, seconds: float) -> str:
    return f"{size / 1e6 / seconds:.3g}" if seconds > 0 else "–"


def scenario_pos(args: argparse.Namespace, workdir: Path) -> None:
    """Naive posseg loop, ``--pos`` and the plain count, per kind: one table."""
    jobs = args.jobs
    header = ["kind", "command", "on", "bytes", "wall s", "start-up s", "CPU s", "start-up CPU s"]
    header += ["MB/s (net wall)", "MB/s (net CPU)", "× naive (net wall)", "× naive (net CPU)"]
    header += ["× plain (wall)", "× plain (CPU)", "other load", "equal to naive"]
    table, inputs = [], []
    naive_row = Row("naive-posseg", "baseline")
    peer_rows, skipped = available([Row(name, "baseline") for name, _ in PEERS])
    missing = missing_pkuseg_models()
    if any(row.name == "pkuseg-pos" for row in peer_rows) and missing:
        skipped.append(f"pkuseg-pos skipped: its models {', '.join(missing)} are not in $PKUSEG_HOME")
        note(skipped[-1])
        peer_rows = [row for row in peer_rows if row.name != "pkuseg-pos"]
    labels = dict(PEERS)
    pos_row = Row(f"wordfreq-pos-j{jobs}", "wordfreq", ("--pos", "-j", str(jobs)))
    plain_row = Row(f"wordfreq-j{jobs}", "wordfreq", ("-j", str(jobs)))
    for kind in args.pos_kinds:
        sample = _head(kind, NAIVE_MB.get(kind, 0.5), args)
        inp = _head(kind, args.sample if args.sample else INPUT_MB.get(kind, 4.0), args)
        own = _head(kind, PEER_MB.get(kind, 0.1), args)
        peer_sample = any(row.name in OWN_SEGMENTATION for row in peer_rows)
        inputs.append(
            f"{kind}: naive on the first {sample.stat().st_size:,} bytes, "
            + (f"peers on the first {own.stat().st_size:,}, " if peer_sample else "")
            + f"wordfreq on {inp.stat().st_size:,} bytes of {KINDS[kind].label}"
        )
        warm_up(inp)
        line = oneline_input(sample, workdir, f"oneline-pos-{kind}.txt")
        runs: list[tuple[str, str, Path, RunResult, RunResult | None]] = []
        peers = [
            (labels[row.name], row, "peer sample" if row.name in OWN_SEGMENTATION else "sample")
            for row in peer_rows
        ]
        for label, row, on, path in [
            ("naive posseg loop", naive_row, "sample", sample),
            *[(label, row, on, own if on == "peer sample" else sample) for label, row, on in peers],
            (f"wordfreq --pos -j {jobs}", pos_row, "sample", sample),
            (f"wordfreq --pos -j {jobs}", pos_row, "input", inp),
            (f"wordfreq -j {jobs} (plain)", plain_row, "input", inp),
        ]:
            note(f"pos: {kind} {label} on the {on} ...")
            tag = f"-{kind}-{on}"
            result = _run(row, path, workdir, args, tag)
            timed_start = row.kind == "wordfreq" or row.name in OWN_SEGMENTATION
            start = _run(row, line, workdir, args, f"{tag}-1") if timed_start else None
            note(f"  {result.wall:.2f} s" + (f", start-up {start.wall:.2f} s" if start else ""))
            runs.append((label, on, path, result, start))
        naive, naive_size = runs[0][3], runs[0][2].stat().st_size
        ok = not naive.error and naive.wall > 0 and naive.cpu > 0
        naive_wall, naive_cpu = (naive_size / naive.wall, naive_size / naive.cpu) if ok else (0.0, 0.0)
        plain = runs[-1][3]
        for label, on, path, result, start in runs:
            error = result.error or (start.error if start else None)
            if error:
                table.append([kind, *error_row(label, error, len(header) - 1)])
                continue
            size = path.stat().st_size
            net = result.wall - (start.wall if start else 0.0)
            net_cpu = result.cpu - (start.cpu if start else 0.0)
            eq = "–"
            if on == "peer sample":
                eq = "n/a (its own words and tags)"
            elif on == "sample" and result is not naive:  # jieba_fast's too: is it jieba's?
                eq = compare(naive.out, result.out) if not naive.error else "n/a (naive failed)"
            input_row = on == "input" and not plain.error
            table.append(
                [
                    kind,
                    label,
                    on,
                    f"{size:,}",
                    f"{result.wall:.2f}",
                    f"{start.wall:.2f}" if start else "–",
                    f"{result.cpu:.2f}",
                    f"{start.cpu:.2f}" if start else "–",
                    _rate(size, net),
                    _rate(size, net_cpu),
                    _times(size / net / naive_wall) if naive_wall and net > 0 else "–",
                    _times(size / net_cpu / naive_cpu) if naive_cpu and net_cpu > 0 else "–",
                    f"{result.wall / plain.wall:.2f}×" if input_row else "–",
                    f"{result.cpu / plain.cpu:.2f}×" if input_row and plain.cpu > 0 else "–",
                    f"{result.other_load:.2f}",
                    eq,
                ]
            )
    print(f"\n### pos: parts of speech, naive jieba.posseg loop against wordfreq --pos, -j {jobs}\n")
    print(f"{machine_line(jobs)}  ")
    reps = f"; median of {args.repeat} runs" if args.repeat > 1 else ""
    print(f"Inputs: {'; '.join(inputs)}{reps}\n")
    print(md_table(header, table, right=set(range(3, 15))))
    for line in skipped:
        print(f"\n{line}")
