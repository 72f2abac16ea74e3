"""Where the time of a second worker goes: ``-j 2`` against ``-j 1``, taken apart.

    python benchmarks/scaling.py --replicate 20 --repeat 3

On People's Daily ×K (``--replicate``, default 20: 110 MB of news; or
``--corpus FILE``), it runs, in fresh processes:

1. **The ratio.**  ``wordfreq count -j 1`` and ``-j 2``, alternately,
   ``--repeat`` times each (medians shown), and checks the two tables are the
   same bytes.
2. **The timeline of ``-j 2``.**  A thread reads ``/proc/PID/stat`` of the
   run's process tree every ``--tick`` seconds: the parent's CPU time, each
   worker's CPU time, when each worker started and when it last used CPU.
   From it: the workers' start (from launch until both are running), the
   parent's CPU while the workers count (reading, planning and sending
   ranges), the tail (from the first worker's last CPU to the second's) and
   the end (from the last worker's last CPU to the exit: the merge and the
   write).
3. **The memory system.**  The corpus is cut in two halves at a line feed;
   ``wordfreq count -j 1`` of each half runs alone, then both at once, as two
   independent processes.  If the two cores were fully independent, each
   process would take the same CPU time at once as alone.  The growth of its
   CPU time is what sharing the machine (caches, memory bandwidth, the
   hypervisor) costs a tokenizer, which no code of ours can remove.  A
   control does the same with a loop that touches no memory
   (``sum(range(N))``).

Hardware counters (``perf stat -e cache-misses``) would say *why* a
co-running tokenizer slows down; on a virtual machine that does not expose
them (``perf stat`` prints ``<not supported>``) the CPU-time growth of part 3
is the measurement, and this script says so.

Output: Markdown tables on stdout, notes on stderr.  Every figure is also
given as CPU seconds, which other load on a shared machine disturbs less than
wall time; the load average is printed before each part.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import REPO_ROOT, note
from corpora import build_corpus, replicate, sha256_file
from report import machine_line, md_table
from runner import load_average, own_cpu
from sampler import _children

SPIN_LOOP = "import sys; sum(range(int(sys.argv[1])))"
"""The control: CPU-bound Python that keeps to a few cache lines."""


@dataclass
class Track:
    """What the sampler saw of one process: first sight, last CPU growth, CPU seconds."""

    first: float
    last_busy: float
    cpu: float = 0.0


@dataclass
class Timeline:
    """CPU use of a process tree over time, sampled from /proc."""

    root: int
    tick: float
    t0: float = field(default_factory=time.perf_counter)
    tracks: dict[int, Track] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            now = time.perf_counter() - self.t0
            pids = [self.root]
            i = 0
            while i < len(pids):
                pids.extend(_children(pids[i]))
                i += 1
            for pid in pids:
                cpu = own_cpu(pid)
                if cpu <= 0.0:  # gone, or not yet on a CPU
                    continue
                track = self.tracks.setdefault(pid, Track(now, now, cpu))
                if cpu > track.cpu:
                    track.cpu, track.last_busy = cpu, now
            self.stop.wait(self.tick)


def timed(cmd: list[str], tick: float | None = None) -> tuple[float, float, Timeline | None]:
    """Run ``cmd``; its wall seconds, the CPU seconds of it and its children, and its timeline."""
    before = os.times()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    timeline = None
    if tick:
        timeline = Timeline(proc.pid, tick, t0)
        thread = threading.Thread(target=timeline.run, daemon=True)
        thread.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    if timeline:
        timeline.stop.set()
        thread.join()
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {err.decode(errors='replace').strip()[-300:]}")
    after = os.times()
    return (
        wall,
        after.children_user + after.children_system - before.children_user - before.children_system,
        timeline,
    )


def count_cmd(inp: Path, out: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "wordfreq", "count", "-q", "-j", str(jobs), str(inp), "-o", str(out)]


def ratio_part(inp: Path, work: Path, repeat: int) -> list[list[str]]:
    """Part 1: -j 1 and -j 2, alternately."""
    walls: dict[int, list[float]] = {1: [], 2: []}
    cpus: dict[int, list[float]] = {1: [], 2: []}
    for rep in range(repeat):
        for jobs in (1, 2):
            note(f"[{rep + 1}/{repeat}] -j {jobs} ...")
            wall, cpu, _ = timed(count_cmd(inp, work / f"j{jobs}.tsv", jobs))
            walls[jobs].append(wall)
            cpus[jobs].append(cpu)
    if (work / "j1.tsv").read_bytes() != (work / "j2.tsv").read_bytes():
        sys.exit("the -j 1 and -j 2 tables differ")
    w1, w2 = statistics.median(walls[1]), statistics.median(walls[2])
    return [
        [
            "-j 1",
            f"{w1:.2f}",
            f"{statistics.median(cpus[1]):.2f}",
            "1.00×",
            ", ".join(f"{w:.2f}" for w in walls[1]),
        ],
        [
            "-j 2",
            f"{w2:.2f}",
            f"{statistics.median(cpus[2]):.2f}",
            f"{w1 / w2:.2f}×",
            ", ".join(f"{w:.2f}" for w in walls[2]),
        ],
    ]


def timeline_part(inp: Path, work: Path, tick: float) -> list[list[str]]:
    """Part 2: the -j 2 run taken apart."""
    wall, _, timeline = timed(count_cmd(inp, work / "timeline.tsv", 2), tick)
    assert timeline is not None
    parent = timeline.tracks[timeline.root]
    workers = sorted(
        (t for pid, t in timeline.tracks.items() if pid != timeline.root and t.cpu > 0.05),
        key=lambda t: t.last_busy,
    )
    rows = [["whole run", f"{wall:.2f}", f"{parent.cpu + sum(t.cpu for t in workers):.2f}"]]
    rows.append(["parent, whole run", "", f"{parent.cpu:.2f}"])
    for i, t in enumerate(workers, 1):
        rows.append(
            [f"worker {i}: first seen → last CPU", f"{t.first:.2f} → {t.last_busy:.2f}", f"{t.cpu:.2f}"]
        )
    if len(workers) >= 2:
        rows.append(["start (launch → last worker seen)", f"{max(t.first for t in workers):.2f}", ""])
        rows.append(
            [
                "tail (first worker done → last done)",
                f"{workers[-1].last_busy - workers[0].last_busy:.2f}",
                "",
            ]
        )
    if workers:
        rows.append(["end (last worker done → exit)", f"{wall - workers[-1].last_busy:.2f}", ""])
    return rows


def halves(inp: Path, work: Path) -> tuple[Path, Path]:
    """The corpus cut in two at the line feed nearest its middle."""
    data = inp.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    a, b = work / "half-a.txt", work / "half-b.txt"
    a.write_bytes(data[:cut])
    b.write_bytes(data[cut:])
    return a, b


def alone_and_together(make: list[list[str]]) -> tuple[list[float], list[float], list[float], list[float]]:
    """Each command alone, then all at once: (walls alone, CPUs alone, walls together, CPUs together)."""
    walls, cpus = [], []
    for cmd in make:
        wall, cpu, _ = timed(cmd)
        walls.append(wall)
        cpus.append(cpu)
    t0 = time.perf_counter()
    procs = [subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.DEVNULL) for cmd in make]
    together_walls, together_cpus = [], []
    for proc in procs:
        _, status, usage = os.wait4(proc.pid, 0)
        together_walls.append(time.perf_counter() - t0)
        together_cpus.append(usage.ru_utime + usage.ru_stime)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return walls, cpus, together_walls, together_cpus


def memory_part(inp: Path, work: Path, spin: int) -> list[list[str]]:
    """Part 3: two independent processes, alone and at once; a tokenizer and the control."""
    a, b = halves(inp, work)
    rows = []
    for label, cmds in (
        (
            "wordfreq count -j 1 of each half",
            [count_cmd(a, work / "a.tsv", 1), count_cmd(b, work / "b.tsv", 1)],
        ),
        (f"control: sum(range({spin:,}))", [[sys.executable, "-c", SPIN_LOOP, str(spin)]] * 2),
    ):
        note(f"{label}: alone, then together ...")
        walls, cpus, twalls, tcpus = alone_and_together(cmds)
        growth = sum(tcpus) / sum(cpus)
        rows.append(
            [
                label,
                " + ".join(f"{c:.2f}" for c in cpus),
                " + ".join(f"{c:.2f}" for c in tcpus),
                f"{growth:.3f}×",
                f"{sum(walls):.2f}",
                f"{max(twalls):.2f}",
                f"{sum(walls) / max(twalls):.2f}×",
            ]
        )
    return rows


def hardware_counters() -> str:
    """Whether ``perf stat`` can count cache misses here, in one line."""
    try:
        out = subprocess.run(
            ["perf", "stat", "-x,", "-e", "cache-misses", "true"], capture_output=True, text=True, timeout=30
        ).stderr
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"perf stat unavailable ({e})"
    if "not supported" in out or "not counted" in out:
        return "perf stat: cache-misses <not supported> on this machine (no hardware counters in the VM)"
    return f"perf stat: cache-misses counted ({out.strip().splitlines()[-1]})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, help="a UTF-8 text file (default: People's Daily ×K)")
    parser.add_argument("--replicate", type=int, default=20, metavar="K")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tick", type=float, default=0.02, help="timeline sampling period (s)")
    parser.add_argument("--spin", type=int, default=150_000_000, help="the control loop's length")
    parser.add_argument("--cache-dir", type=Path, default=Path(__file__).resolve().parent / ".cache")
    args = parser.parse_args()
    if args.corpus:
        inp = args.corpus.resolve()
    else:
        src = build_corpus(args.cache_dir, "news")
        inp = replicate(src, args.replicate, args.cache_dir, sha256_file(src))
    work = args.cache_dir / "scaling-work"
    work.mkdir(parents=True, exist_ok=True)
    print(machine_line(2))
    print(f"input: {inp.name}, {inp.stat().st_size / 1e6:.1f} MB; {hardware_counters()}")
    print()
    print(f"**1. The ratio** (load before: {load_average()})")
    print()
    header = ["run", "wall s (median)", "CPU s", "-j 1 ÷ this", "each run"]
    print(md_table(header, ratio_part(inp, work, args.repeat), right={1, 2, 3}))
    print()
    print(f"**2. The -j 2 run, taken apart** (load before: {load_average()})")
    print()
    print(
        md_table(["phase", "seconds from launch", "CPU s"], timeline_part(inp, work, args.tick), right={1, 2})
    )
    print()
    print(f"**3. Two independent processes, alone and at once** (load before: {load_average()})")
    print()
    header = [
        "work",
        "CPU s alone",
        "CPU s at once",
        "CPU growth",
        "wall alone (sum)",
        "wall at once",
        "speed-up",
    ]
    print(md_table(header, memory_part(inp, work, args.spin), right={1, 2, 3, 4, 5, 6}))
    for p in work.glob("half-*.txt"):
        p.unlink()


if __name__ == "__main__":
    main()
