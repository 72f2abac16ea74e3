"""Running one row: the timed subprocess and everything measured around it.

Owns :func:`run_one` (a fresh subprocess per run, in its own session, killed
on timeout), its :class:`RunResult`, and the CPU accounting: the run's own CPU
time (``getrusage(RUSAGE_CHILDREN)``), the part of it that its first process
spent itself, without its workers (read from ``/proc/PID/stat`` once it has
exited and before it is reaped), and the CPU other processes used meanwhile
(``/proc/stat``).  Memory is sampled by :mod:`sampler`.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from common import REPO_ROOT, note
from rows import Row
from sampler import TreeSampler

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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
    parent_cpu: float = 0.0  # user+system CPU seconds of the run's first process alone (not its children)
    root_peak: int = 0  # the peak of the run's first process alone
    child_peak: int = 0  # the largest peak of any other process of its tree
    other_peaks: tuple[int, ...] = ()  # the peak of each other process of its tree, largest first


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    try:
        with open("/proc/stat", "rb") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def load_average() -> str:
    """The 1-minute load average, as text."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def own_cpu(pid: int) -> float:
    """User+system CPU seconds of ``pid`` itself, all its threads, none of its children (from
    /proc/PID/stat; exact once it has exited and until it is reaped)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return 0.0
    rest = data[data.rindex(b")") + 2 :].split()  # rest[11], rest[12]: utime, stime (fields 14, 15)
    return (int(rest[11]) + int(rest[12])) / CLOCK_TICKS


def _wait_unreaped(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait until ``proc`` exits (its session is killed at ``timeout``), leaving it to be reaped;
    whether it ran out of time."""
    expired = threading.Event()

    def kill() -> None:
        expired.set()
        os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    finally:
        timer.cancel()
    return expired.is_set()


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


def run_one(row: Row, inp: Path, workdir: Path, args: argparse.Namespace, tag: str = "") -> RunResult:
    """Run ``row`` on ``inp`` in a fresh subprocess and measure it.

    Uses ``args.jobs``, ``args.timeout``, ``args.sample_interval`` and
    ``args.sampler_budget``.  The output table and the captured stdout and
    stderr are ``workdir/<row name><tag>.{tsv,stdout,stderr}``.
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
        timed_out = _wait_unreaped(proc, timeout)
        wall = time.perf_counter() - t0
        parent_cpu = own_cpu(proc.pid)
        rc: int | None = proc.wait()
        if timed_out:
            rc, error = None, f"timeout after {timeout:g} s"
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
        row=row,
        wall=wall,
        cpu=cpu,
        peak_bytes=sampler.peak,
        mem_kind=kind,
        returncode=rc,
        error=error,
        out=out,
        samples=sampler.samples,
        max_procs=sampler.max_procs,
        sampler_cpu=sampler.busy,
        other_load=other,
        root_peak=sampler.peaks.get(proc.pid, 0),
        child_peak=max((v for pid, v in sampler.peaks.items() if pid != proc.pid), default=0),
        other_peaks=tuple(sorted((v for pid, v in sampler.peaks.items() if pid != proc.pid), reverse=True)),
        parent_cpu=parent_cpu,
    )
