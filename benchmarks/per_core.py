"""The ``per-core`` scenario: one worker on each kind of text, each jieba setting, against raw jieba-rs.

For each corpus kind of ``--per-core-kinds`` (default news, reviews, poetry)
it takes a sample: the first ``--sample`` MB (default 4), in whole lines, of
the kind's corpus (the reviews and poetry are shuffled when built, so this is
a sample of all of them; for news it is the first days of January).  On that
sample, for each jieba setting of ``--per-core-settings``, it runs in fresh
processes, one after the other:

* the naive loop (``approaches.py naive`` with the setting's flags);
* ``wordfreq count -j 1``: the default exact tokenizer, one worker;
* ``wordfreq count --tokenizer jieba-rs -j 1``: raw jieba-rs, one worker.

Each command also runs on a ~100-character line of the same sample; the CPU
time it takes there is its start-up (interpreter, imports, dictionary
loading), and ``net CPU s`` is the CPU time on the sample minus it: the cost
of counting the sample, which other load on a shared machine disturbs less
than wall time.  ``MB/s`` is the sample's size over the net CPU time;
``× jieba-rs`` is a command's speed over raw jieba-rs's on the same sample and
setting (above 1: faster than raw jieba-rs), from the net CPU time and from
the whole wall time.  ``equal to naive`` compares each table byte for byte
with the naive loop's.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from common import note
from corpora import KINDS, build_corpus, head_sample, oneline_input
from report import compare, error_row, machine_line, md_table
from rows import Row
from runner import RunResult, run_one
from scenarios import median_result, warm_up

PER_CORE_SAMPLE_MB = 4.0
"""The default ``--sample`` of this scenario, in MB."""

SETTINGS: dict[str, tuple[str, ...]] = {
    "accurate": (),
    "accurate-nohmm": ("--no-hmm",),
    "search": ("--mode", "search"),
    "all": ("--mode", "all"),
}
"""jieba setting -> its flags, the same for the naive loop and ``wordfreq count``."""

COMMANDS: tuple[tuple[str, Row], ...] = (
    ("naive loop", Row("naive", "baseline")),
    ("wordfreq -j 1", Row("wordfreq-j1", "wordfreq", ("-j", "1"))),
    ("jieba-rs -j 1", Row("wordfreq-jieba-rs-j1", "wordfreq", ("--tokenizer", "jieba-rs", "-j", "1"))),
)
"""The commands of each setting: label, row (the setting's flags are appended); jieba-rs last."""


@dataclass
class _Timed:
    """One command on one sample and setting: the run on the sample and the run on one line."""

    label: str
    sample: RunResult
    oneline: RunResult

    @property
    def error(self) -> str | None:
        return self.sample.error or self.oneline.error

    @property
    def net(self) -> float:
        """CPU seconds of counting the sample: on the sample less on one line."""
        return self.sample.cpu - self.oneline.cpu


def _sample(kind: str, args: argparse.Namespace) -> Path:
    """The first ``--sample`` MB of the kind's corpus (built and verified if need be)."""
    size = int((args.sample or PER_CORE_SAMPLE_MB) * 1e6)
    return head_sample(build_corpus(args.cache_dir, kind), size, args.cache_dir, KINDS[kind].sha256)


def _run(row: Row, inp: Path, workdir: Path, args: argparse.Namespace, tag: str) -> RunResult:
    """``args.repeat`` runs of ``row`` on ``inp``: the median one."""
    return median_result([run_one(row, inp, workdir, args, tag=tag) for _ in range(args.repeat)])


def _ratio(base: float, t: float) -> str:
    return f"{base / t:.2f}×" if t > 0 and base > 0 else "–"


def scenario_per_core(args: argparse.Namespace, workdir: Path) -> None:
    """Naive loop, wordfreq and raw jieba-rs, one worker, per kind and setting: one table."""
    header = ["kind", "setting", "command", "wall s", "CPU s", "start-up CPU s", "net CPU s", "MB/s"]
    header += ["× jieba-rs (net CPU)", "× jieba-rs (wall)", "other load", "equal to naive", "error"]
    table, inputs = [], []
    for kind in args.per_core_kinds:
        sample = _sample(kind, args)
        size = sample.stat().st_size
        inputs.append(f"{kind}: the first {size:,} bytes of {KINDS[kind].label}")
        warm_up(sample)
        line = oneline_input(sample, workdir, f"oneline-{kind}.txt")
        for setting in args.per_core_settings:
            flags = SETTINGS[setting]
            timed = []
            for label, row in COMMANDS:
                row = Row(row.name, row.kind, (*row.extra, *flags))
                note(f"per-core: {kind} {setting} {label} ...")
                tag = f"-{kind}-{setting}"
                t = _Timed(
                    label, _run(row, sample, workdir, args, tag), _run(row, line, workdir, args, f"{tag}-1")
                )
                failed = f", FAILED ({t.error})" if t.error else ""
                cpu = f"CPU {t.sample.cpu:.2f} s, start-up CPU {t.oneline.cpu:.2f} s"
                note(f"  {t.sample.wall:.2f} s, {cpu}{failed}")
                timed.append(t)
            naive, raw = timed[0], timed[-1]
            for t in timed:
                if t.error:
                    table.append([kind, setting, *error_row(t.label, t.error, len(header) - 2)])
                    continue
                eq = compare(naive.sample.out, t.sample.out) if not naive.error else "n/a (naive failed)"
                ok = not raw.error
                table.append(
                    [
                        kind,
                        setting,
                        t.label,
                        f"{t.sample.wall:.2f}",
                        f"{t.sample.cpu:.2f}",
                        f"{t.oneline.cpu:.2f}",
                        f"{t.net:.2f}",
                        f"{size / 1e6 / t.net:.2f}" if t.net > 0 else "–",
                        _ratio(raw.net, t.net) if ok else "–",
                        _ratio(raw.sample.wall, t.sample.wall) if ok else "–",
                        f"{t.sample.other_load:.2f}",
                        "–" if t is naive else eq,
                        "",
                    ]
                )
    print(f"\n### per-core: one worker, {', '.join(args.per_core_settings)}\n")
    print(f"{machine_line(1)}  ")
    reps = f"; median of {args.repeat} runs" if args.repeat > 1 else ""
    print(f"Inputs: {'; '.join(inputs)}{reps}\n")
    print(md_table(header, table, right={3, 4, 5, 6, 7, 8, 9, 10}))
