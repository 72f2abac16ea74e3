"""Counts per part and dispersion against the plain count of the same corpus, in one run.

    python benchmarks/parts.py --size-mb 100 -j 2          # a few hundred parts
    python benchmarks/parts.py --small-files 100000 -j 2   # many small files, peak memory
    python benchmarks/parts.py --text growing.txt -j 2     # any text cut into 336 parts (--parts N)

The corpus is the poems of the chinese-poetry npm tarball (全唐诗, 全宋诗, 全宋词,
元曲; downloaded once into ``--cache-dir``, see corpora.py), written as one text
file per JSON member of the tarball (each poem its title and its verses, a
line each), in name order, until ``--size-mb`` megabytes: a directory of a few
hundred files of a thousand poems each, whose vocabulary differs from file to
file (Tang and Song, shi, ci and qu, traditional and simplified characters).
``--small-files N`` cuts the same lines into N files instead (a few lines each).

Rows, run in turn in each of ``--repeat`` rounds (the median shown): the plain
count, ``--part-by file --dispersion`` and ``--part-by file --per-part`` (under
``--memory SIZE`` if given), each ``wordfreq count DIR -o OUT -q -j N``.  Prints wall time, its ratio to the
plain count, CPU time, the process tree's peak memory and the machine's other
load during the run, and the load average before the rows start.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from pathlib import Path

from common import note
from corpora import POETRY_MEMBERS, _json_members, poetry_tarball
from report import error_row, machine_line, md_table, mib, note_run
from rows import Row
from runner import RunResult, load_average, run_one
from scenarios import median_result


def parts_rows(jobs: int, memory: str | None) -> list[Row]:
    j = ("-j", str(jobs))
    budget = ("--memory", memory) if memory else ()
    tag = f"-memory-{memory}" if memory else ""
    return [
        Row(f"plain-j{jobs}", "wordfreq", j),
        Row(
            f"part-by-file-dispersion-j{jobs}{tag}",
            "wordfreq",
            ("--part-by", "file", "--dispersion", *budget, *j),
        ),
        Row(
            f"part-by-file-per-part-j{jobs}{tag}",
            "wordfreq",
            ("--part-by", "file", "--per-part", *budget, *j),
        ),
    ]


def poem_lines(records: object) -> list[str]:
    """A member's poems as lines: each title (a ci's tune) and its verses joined."""
    assert isinstance(records, list)
    lines = []
    for rec in records:
        title = rec.get("title") or rec.get("rhythmic") or ""
        body = "".join(rec.get("paragraphs") or ())
        lines += [s for s in (title, body) if s.strip()]
    return lines


def build_corpus(cache: Path, size_mb: float, small_files: int | None) -> Path:
    """The corpus directory (built once per size and layout, under ``cache``)."""
    label = f"poetry-{size_mb:g}mb" + (f"-{small_files}files" if small_files else "")
    root = cache / label
    done = root / ".complete"
    if done.exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    limit = int(size_mb * 1e6)
    written = 0
    members = []
    for records in _json_members(poetry_tarball(cache), POETRY_MEMBERS):
        text = "\n".join(poem_lines(records)) + "\n"
        members.append(text)
        written += len(text.encode())
        if written >= limit:
            break
    if small_files:
        lines = [line for text in members for line in text.splitlines()]
        per_file = max(1, len(lines) // small_files)
        batches = (lines[i : i + per_file] for i in range(0, len(lines), per_file))
        for i, batch in enumerate(itertools.islice(batches, small_files)):
            folder = root / f"{i // 1000:03d}"
            folder.mkdir(exist_ok=True)
            (folder / f"{i:06d}.txt").write_text("\n".join(batch) + "\n", encoding="utf-8")
    else:
        for i, text in enumerate(members):
            (root / f"{i:04d}.txt").write_text(text, encoding="utf-8")
    done.touch()
    return root


def build_from_text(cache: Path, text: Path, parts: int) -> Path:
    """``text`` cut into ``parts`` files of consecutive lines, of about equal size (built once per file
    and count, under ``cache``): any corpus as a directory of parts, e.g. the >= 100 MB 'growing'
    corpus of benchmarks/corpora.py."""
    import hashlib

    digest = hashlib.sha256(f"{text.resolve()}:{text.stat().st_size}".encode()).hexdigest()[:12]
    root = cache / f"text-{digest}-{parts}parts"
    if (root / ".complete").exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    share = text.stat().st_size / parts
    part, written, lines = 0, 0, []
    with text.open("rb") as f:
        for line in f:
            lines.append(line)
            written += len(line)
            if written >= share * (part + 1) and part < parts - 1:
                (root / f"{part:04d}.txt").write_bytes(b"".join(lines))
                part, lines = part + 1, []
    (root / f"{part:04d}.txt").write_bytes(b"".join(lines))
    (root / ".complete").touch()
    return root


def build_named(cache: Path, per_kind: int) -> Path:
    """The first ``per_kind`` members of each kind (全唐诗, 全宋诗, 全宋词, 元曲), each a file named as its
    member (``poet.tang.0.txt``): a corpus whose parts can be chosen by path (docs/parts.md)."""
    import json
    import tarfile

    root = cache / f"poetry-named-{per_kind}"
    if (root / ".complete").exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    taken: dict[str, int] = {}
    with tarfile.open(poetry_tarball(cache)) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            if not POETRY_MEMBERS.fullmatch(member.name):
                continue
            stem = member.name.rsplit("/", 1)[1].removesuffix(".json")
            kind = stem.rstrip("0123456789").rstrip(".")
            if taken.get(kind, 0) >= per_kind:
                continue
            taken[kind] = taken.get(kind, 0) + 1
            f = tar.extractfile(member)
            assert f is not None
            lines = poem_lines(json.loads(f.read().decode("utf-8")))
            (root / f"{stem}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / ".complete").touch()
    return root


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=float, default=100, help="megabytes of poems (default 100)")
    parser.add_argument("--small-files", type=int, metavar="N", help="cut the poems into N files instead")
    parser.add_argument("--text", type=Path, help="cut this text file into --parts files, not the poems")
    parser.add_argument("--parts", type=int, default=336, help="parts of --text (default 336, as the poems)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--memory", metavar="SIZE", help="the rows by part under this --memory budget")
    parser.add_argument("--cache-dir", type=Path, default=Path(__file__).resolve().parent / ".cache")
    parser.add_argument("--work-dir", type=Path, help="where outputs go (default: CACHE/parts-work)")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--sample-interval", type=float, default=0.05)
    parser.add_argument("--sampler-budget", type=float, default=0.1)
    parser.add_argument(
        "--named", type=int, metavar="K", help="only build K files of each kind, named by kind"
    )
    args = parser.parse_args()
    if args.named:
        print(build_named(args.cache_dir, args.named))
        return
    if args.text:
        corpus = build_from_text(args.cache_dir, args.text, args.parts)
    else:
        corpus = build_corpus(args.cache_dir, args.size_mb, args.small_files)
    files = [p for p in corpus.rglob("*.txt")]
    size = sum(p.stat().st_size for p in files)
    workdir = args.work_dir or args.cache_dir / "parts-work"
    workdir.mkdir(parents=True, exist_ok=True)
    load = load_average()
    rows = parts_rows(args.jobs, args.memory)
    runs: list[list[RunResult]] = [[] for _ in rows]
    for rep in range(args.repeat):
        for row, row_runs in zip(rows, runs):
            note(f"[{rep + 1}/{args.repeat}] {row.name} ...")
            res = run_one(row, corpus, workdir, args, tag=f"-{rep}")
            note_run(res)
            row_runs.append(res)
    results = [median_result(row_runs) for row_runs in runs]
    plain = results[0]
    header = ["command", "wall s", "t / plain", "CPU s", "peak MiB", "other load", "error"]
    table = []
    for res in results:
        if res.error:
            table.append(error_row(res.row.name, res.error, len(header)))
            continue
        ratio = f"{res.wall / plain.wall:.2f}×" if not plain.error else "–"
        cells = [res.row.name, f"{res.wall:.2f}", ratio, f"{res.cpu:.1f}", mib(res.peak_bytes)]
        table.append([*cells, f"{res.other_load:.2f}", ""])
    print(machine_line(args.jobs))
    what = f"{args.text.name} cut into parts" if args.text else "chinese-poetry 2.0.1 poems"
    print(f"input: {len(files)} files, {size / 1e6:.1f} MB of {what}; load before: {load}")
    print()
    print(md_table(header, table, right={1, 2, 3, 4, 5}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
