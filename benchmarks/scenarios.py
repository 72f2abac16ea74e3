"""The scenarios (``--scenario``): which rows run on which input, and their tables.

* ``main``: every selected row on the (replicated) corpus, one table, each
  output compared with the naive loop's (cached per input and jieba version);
* ``oneline``: start-up cost, the wordfreq rows against a plain jieba script
  on a ~100-character input;
* ``growth``: time and peak memory at ``--replicate K`` and K × factor.

Each prints its Markdown table to stdout; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from common import note
from corpora import oneline_input, replicate, sha256_file
from report import compare, error_row, input_line, machine_line, md_table, mib, note_run, version
from rows import ONELINE_EXTRA_ROWS, WORDFREQ_ROWS, Row, available, make_rows, select
from runner import RunResult, run_one

SCENARIOS = ("main", "oneline", "growth", "phrases", "reduce", "per-core", "remote", "pos")


def warm_up(inp: Path) -> None:
    """Put jieba and wordfreq in the state a user's second run finds, and the input in the page cache.

    jieba: its dictionary cache (in the temporary directory).  wordfreq:
    its compiled dictionary's image (`wordfreq.tokenizers.dictionary_cache`)
    and its bytecode, which ``pip install`` compiles but a run from a
    checkout under PYTHONDONTWRITEBYTECODE would compile on every start
    (45 ms).
    """
    note("warm-up: jieba's dictionary cache, wordfreq's bytecode and dictionary image, input in page cache")
    subprocess.run(
        [sys.executable, "-c", "import jieba; jieba.initialize()"],
        stderr=subprocess.DEVNULL,
        check=False,
    )
    spec = importlib.util.find_spec("wordfreq")
    for folder in (spec and spec.submodule_search_locations) or []:
        compileall.compile_dir(folder, quiet=1)
    subprocess.run(
        [sys.executable, "-m", "wordfreq", "count", "-", "-q"],
        input="预热".encode(),
        stdout=subprocess.DEVNULL,
        check=False,
    )
    with open(inp, "rb") as f:
        while f.read(1 << 22):
            pass


def reference_cache(cache: Path, digest: str) -> Path:
    """Where the naive table for an input with this sha256 is cached."""
    return cache / f"naive-{digest[:16]}-jieba{version('jieba')}.tsv"


def median_result(runs: list[RunResult]) -> RunResult:
    """The run with median wall time; its peak replaced by the max peak.

    If any run failed, the first failed run is returned instead.
    """
    failed = [r for r in runs if r.error]
    if failed:
        return failed[0]
    ordered = sorted(runs, key=lambda r: r.wall)
    mid = ordered[(len(ordered) - 1) // 2]
    mid.peak_bytes = max(r.peak_bytes for r in runs)
    return mid


def scenario_main(args: argparse.Namespace, inp: Path, src_digest: str, workdir: Path) -> None:
    """All selected approaches on the same input, one table.

    ``inp`` is the (replicated) input, ``src_digest`` the sha256 of the corpus.
    """
    digest = src_digest if args.replicate == 1 else sha256_file(inp)
    rows, skipped = available(select(make_rows(args.jobs, WORDFREQ_ROWS), args.only))
    size = inp.stat().st_size
    ref_cache = reference_cache(args.cache_dir, digest)
    runs: dict[str, list[RunResult]] = {r.name: [] for r in rows}
    for rep in range(args.repeat):
        for row in rows:
            note(f"[{rep + 1}/{args.repeat}] {row.name} ...")
            res = run_one(row, inp, workdir, args)
            runs[row.name].append(res)
            if row.name == "naive" and not res.error:
                args.cache_dir.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(res.out, ref_cache)
            if not res.error:
                res.equal = compare(ref_cache, res.out) if ref_cache.exists() else "n/a (no naive table)"
            status = f"FAILED ({res.error})" if res.error else f"equal: {res.equal}"
            note(
                f"  {res.wall:.2f} s, peak {mib(res.peak_bytes)} MiB "
                f"{res.mem_kind} ({res.max_procs} procs), {status}"
            )
    results = [median_result(runs[r.name]) for r in rows]
    naive = next((r for r in results if r.row.name == "naive" and not r.error), None)
    ref_note = "" if naive or not ref_cache.exists() else " (vs cached naive table)"
    header = ["approach", "wall s", "MB/s", "t / naive", "CPU s", "peak MiB", "procs", "other load"]
    header += ["equal to naive", "error"]
    table = []
    for r in results:
        if r.error:
            table.append(error_row(r.row.name, r.error, len(header)))
            continue
        eq = r.equal + ("" if r.equal.startswith("n/a") else ref_note)
        ratio = f"{r.wall / naive.wall:.2f}×" if naive else "–"
        table.append(
            [
                r.row.name,
                f"{r.wall:.2f}",
                f"{size / 1e6 / r.wall:.2f}",
                ratio,
                f"{r.cpu:.1f}",
                mib(r.peak_bytes),
                str(r.max_procs),
                f"{r.other_load:.2f}",
                eq,
                "",
            ]
        )
    print(f"\n{machine_line(args.jobs)}  ")
    print(f"{input_line(inp, args.replicate, src_digest, args.corpus_label)}  ")
    reps = f"median of {args.repeat} runs, peak = max over runs; " if args.repeat > 1 else ""
    mem_kinds = "+".join(sorted({r.mem_kind for r in results if not r.error})) or "PSS"
    print(
        f"{reps}memory = {mem_kinds} summed over the process tree, sampled every "
        f"{args.sample_interval * 1000:.0f} ms or less often to keep the sampler under "
        f"{args.sampler_budget:.0%} of a core (sampler CPU "
        f"{sum(r.sampler_cpu for rs in runs.values() for r in rs):.1f} s in all)\n"
    )
    print(md_table(header, table, right={1, 2, 3, 4, 5, 6, 7}))
    for s in skipped:
        print(f"\n{s}.")


def scenario_oneline(args: argparse.Namespace, src: Path, workdir: Path) -> None:
    """Start-up cost: wordfreq on a ~100-character input vs a plain jieba script."""
    inp = oneline_input(src, workdir)
    plain = Row("naive", "baseline")
    wf_rows = [r for r in make_rows(args.jobs, [*ONELINE_EXTRA_ROWS, *WORDFREQ_ROWS]) if r.kind == "wordfreq"]
    rows = [plain, *select(wf_rows, args.only)]
    runs: dict[str, list[RunResult]] = {r.name: [] for r in rows}
    for rep in range(args.oneline_repeat):
        for row in rows:
            res = run_one(row, inp, workdir, args, tag="-oneline")
            runs[row.name].append(res)
        note(f"oneline: round {rep + 1}/{args.oneline_repeat} done")
    base = statistics.median(r.wall for r in runs["naive"])
    plain_out = runs["naive"][-1].out
    header = ["command", "median s", "min s", "max s", "÷ plain", "peak MiB", "equal to plain", "error"]
    table = []
    for row in rows:
        rs = runs[row.name]
        failed = [r for r in rs if r.error]
        label = "plain jieba script (naive)" if row is plain else row.name
        if failed:
            table.append(error_row(label, failed[0].error or "", len(header)))
            continue
        walls = [r.wall for r in rs]
        med = statistics.median(walls)
        table.append(
            [
                label,
                f"{med:.3f}",
                f"{min(walls):.3f}",
                f"{max(walls):.3f}",
                f"{med / base:.2f}×",
                mib(max(r.peak_bytes for r in rs)),
                compare(plain_out, rs[-1].out),
                "",
            ]
        )
    n = len(inp.read_text(encoding="utf-8").rstrip("\n"))
    print(f"\n### oneline: {n}-character input, {args.oneline_repeat} runs each\n")
    print(f"{machine_line(args.jobs)}\n")
    print(md_table(header, table, right={1, 2, 3, 4, 5}))


def scenario_growth(args: argparse.Namespace, src: Path, digest: str, workdir: Path) -> None:
    """Time and peak memory at replicate K vs K × growth-factor."""
    k1, k2 = args.replicate, args.replicate * args.growth_factor
    f1 = replicate(src, k1, args.cache_dir, digest)
    f2 = replicate(src, k2, args.cache_dir, digest)
    all_rows = make_rows(args.jobs, WORDFREQ_ROWS)
    rows, _ = available(select(all_rows, args.growth_rows.replace("{N}", str(args.jobs))))
    header = ["approach", f"×{k1} s", f"×{k2} s", "time ratio", f"×{k1} MiB", f"×{k2} MiB"]
    header += ["memory ratio", "error"]
    table = []
    for row in rows:
        res = []
        for k, f in ((k1, f1), (k2, f2)):
            note(f"growth: {row.name} on ×{k} ({f.stat().st_size / 1e6:.0f} MB) ...")
            r = run_one(row, f, workdir, args, tag=f"-x{k}")
            note_run(r)
            res.append(r)
        a, b = res
        err = a.error or b.error
        if err:
            table.append(error_row(row.name, err, len(header), mark=""))
            continue
        table.append(
            [
                row.name,
                f"{a.wall:.2f}",
                f"{b.wall:.2f}",
                f"{b.wall / a.wall:.2f}×",
                mib(a.peak_bytes),
                mib(b.peak_bytes),
                f"{b.peak_bytes / a.peak_bytes:.2f}×",
                "",
            ]
        )
    print(
        f"\n### growth: ×{k1} ({f1.stat().st_size / 1e6:.0f} MB) vs ×{k2} "
        f"({f2.stat().st_size / 1e6:.0f} MB), ideal time ratio "
        f"{args.growth_factor}×\n"
    )
    print(f"{machine_line(args.jobs)}\n")
    print(md_table(header, table, right={1, 2, 3, 4, 5, 6}))
