"""--convert t2s on classical poetry in traditional characters: the count with and without conversion,
side by side, and the OpenCC bindings compared.

    python benchmarks/convert.py --sample 8 -j 2 --repeat 3

The corpus is 全唐诗 and 全宋诗 of the chinese-poetry npm package (traditional
characters; `corpora.poetry_tarball`), each poem as its title and its verses
joined, one a line, the first ``--sample`` MB.  ``wordfreq count`` runs with
and without ``--convert t2s``, round-robin, ``--repeat`` times; the medians
and their ratio are printed.  Then each OpenCC binding given with
``--binding NAME=SITE`` (a directory on ``sys.path`` that holds its
``opencc`` module; the installed one is ``opencc``) converts the corpus in
one process: its import time, its speed, and whether its output is the
installed opencc's.  Last, what the conversion changes in the table: the
words of two characters or more that the converted count finds most often
and the unconverted one lacks.  A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import BENCH_DIR, REPO_ROOT, note
from corpora import _json_members, poetry_tarball

TRADITIONAL_MEMBERS = re.compile(r"package/dist/quantangshi/poet\.(tang|song)\.\d+\.json")


def traditional_poetry(cache: Path, megabytes: float) -> Path:
    """The first ``megabytes`` MB of 全唐诗 and 全宋诗, one poem a line, cached."""
    path = cache / f"poetry-traditional-{megabytes:g}MB.txt"
    if path.exists():
        return path
    limit, size, lines = int(megabytes * 1e6), 0, []
    for records in _json_members(poetry_tarball(cache), TRADITIONAL_MEMBERS):
        for rec in records:  # type: ignore[attr-defined]
            line = (rec.get("title") or "") + "".join(rec.get("paragraphs") or ()) + "\n"
            size += len(line.encode())
            if size > limit:
                path.write_text("".join(lines), encoding="utf-8")
                return path
            lines.append(line)
    path.write_text("".join(lines), encoding="utf-8")
    return path


def timed_count(corpus: Path, workers: int, out: str, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "wordfreq", "count", str(corpus), "-j", str(workers), "-q", "-o", out, *extra],
        check=True,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    return time.perf_counter() - started


BINDING_RUN = """
import sys, time
sys.path.insert(0, {site!r})
started = time.perf_counter()
import opencc
imported = time.perf_counter() - started
text = open({corpus!r}, encoding="utf-8").read()
converter = opencc.OpenCC("t2s")
started = time.perf_counter()
out = converter.convert(text)
seconds = time.perf_counter() - started
open({out!r}, "w", encoding="utf-8").write(out)
print(imported, seconds, getattr(opencc, "__version__", "?"))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=float, default=8.0, help="MB of poetry")
    parser.add_argument("-j", "--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=BENCH_DIR / ".cache")
    parser.add_argument("--binding", action="append", default=[], metavar="NAME=SITE")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    corpus = traditional_poetry(args.cache, args.sample)
    megabytes = corpus.stat().st_size / 1e6
    with tempfile.TemporaryDirectory() as directory:
        plain, converted = os.path.join(directory, "plain.tsv"), os.path.join(directory, "t2s.tsv")
        times: dict[str, list[float]] = {"count": [], "count --convert t2s": []}
        load = os.getloadavg()[0]
        for i in range(args.repeat):
            note(f"round {i + 1} of {args.repeat}")
            times["count"].append(timed_count(corpus, args.workers, plain))
            times["count --convert t2s"].append(
                timed_count(corpus, args.workers, converted, "--convert", "t2s")
            )
        base = statistics.median(times["count"])
        loads = f"load {load:.2f} to {os.getloadavg()[0]:.2f}"
        print(f"{corpus.name}: {megabytes:.1f} MB, -j {args.workers}; {loads}\n")
        print("| run | median s | MB/s | × count |")
        print("| --- | --- | --- | --- |")
        for name, runs in times.items():
            median = statistics.median(runs)
            print(f"| {name} | {median:.2f} | {megabytes / median:.2f} | {median / base:.2f} |")
        bindings = [("opencc", "")] + [tuple(b.split("=", 1)) for b in args.binding]
        reference = None
        print("\n| binding | version | import s | t2s MB/s | output = opencc's |")
        print("| --- | --- | --- | --- | --- |")
        for name, site in bindings:
            out = os.path.join(directory, f"{name}.txt")
            script = BINDING_RUN.format(site=site, corpus=str(corpus), out=out)
            imported, seconds, version = subprocess.run(
                [sys.executable, "-c", script], capture_output=True, text=True, check=True
            ).stdout.split()
            text = Path(out).read_text(encoding="utf-8")
            reference = text if reference is None else reference
            differing = sum(a != b for a, b in zip(text, reference)) + abs(len(text) - len(reference))
            same = "yes" if text == reference else f"no: {differing:,} characters differ"
            print(
                f"| {name} | {version} | {float(imported):.3f} | {megabytes / float(seconds):.1f} | {same} |"
            )
        changes(plain, converted)


def changes(plain: str, converted: str, shown: int = 12) -> None:
    """The words found whole after conversion: each converted row of two characters or more, with the
    count of its traditional forms as whole tokens in the unconverted table (converted to compare)."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    before: dict[str, int] = {}
    with open(plain, encoding="utf-8") as rows:
        for line in rows:
            token, n = line.rstrip("\n").split("\t")
            before[t2s.convert(token)] = before.get(t2s.convert(token), 0) + int(n)
    with open(converted, encoding="utf-8") as rows:
        after = [(t, int(n)) for t, n in (line.rstrip("\n").split("\t") for line in rows) if len(t) >= 2]
    gained = sorted(after, key=lambda row: before.get(row[0], 0) - row[1])[:shown]
    print("\n| word (t2s) | count, converted | count of its traditional form, unconverted |")
    print("| --- | --- | --- |")
    for token, n in gained:
        print(f"| {token} | {n:,} | {before.get(token, 0):,} |")


if __name__ == "__main__":
    main()
