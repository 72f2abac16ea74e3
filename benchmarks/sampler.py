"""Process-tree memory sampling from /proc (stdlib only, no psutil).

Owns the /proc readers (a process's parent and start time, its children, its
PSS or RSS) and :class:`TreeSampler`, the thread that sums the memory of a
run's whole process tree while it runs.  See "How memory is measured" in
benchmarks/README.md.
"""

from __future__ import annotations

import os
import threading
import time

SAMPLE_INTERVAL = 0.05
"""Default seconds between samples (``--sample-interval``)."""

HAVE_CHILDREN_FILES = os.path.exists(f"/proc/self/task/{os.getpid()}/children")
"""Linux exposes per-thread child lists (CONFIG_PROC_CHILDREN)."""


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
        self.peaks: dict[int, int] = {}  # pid -> its own peak
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
                self.peaks[pid] = max(self.peaks.get(pid, 0), m[0])
                total += m[0]
                n += 1
                self.kinds.add(m[1])
        self.samples += 1
        self.max_procs = max(self.max_procs, n)
        self.peak = max(self.peak, total)
