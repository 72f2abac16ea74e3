"""Words in context: the concordance and the collocates against the plain count, and NLTK, in one run.

    pip install '.[bench]'   # NLTK
    python benchmarks/context.py --corpus path/to/raw.txt --replicate 18 --repeat 3 -j 2

On the corpus (People's Daily, January 1998, is what the issue names)
replicated to about 100 MB, each row is one ``wordfreq`` command in a
subprocess, timed from start to exit, its output written to a file:

* ``count``: the plain table (the baseline of every ratio);
* ``kwic rare``: the concordance of a word found in under 1% of the lines;
* ``kwic frequent``: of 的 (in about two lines of three);
* ``kwic 100``: of the 100 words of ``collocates 100`` below, at once
  (``--nodes-from``);
* ``count, all mode`` and ``kwic frequent, all mode``: jieba's all mode
  (overlapping tokens, each placed: `wordfreq.tokenizers.places`), the
  concordance against the count of the same mode;
* ``collocates 1``: the collocates of one frequent content word, window 5;
* ``collocates 100``: of 100 words at once, window 5: the most frequent
  words of two characters or more of the corpus' table (three lines in four
  hold one), and the 1,001st to 1,100th of them.

Then NLTK: ``BigramCollocationFinder.from_words(tokens, window_size=6)``
(the node and 5 tokens after it: NLTK's window counts the node) over jieba's
tokens of one copy of the corpus (the wordfreq table's tokens, computed
before the clock starts, as the issue asks), and scoring the node's pairs
by its likelihood ratio, against ``wordfreq collocates`` of the same word on
the same copy, from its start to its exit (segmentation included).

The rows run in ``--repeat`` interleaved rounds (NLTK and the one-copy run
in each round too); each shows its median wall time and the median CPU
time (user + system) of its processes, which a shared machine's other load
moves less.  `uptime`'s load is printed with the table.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ALL_MODE = ", all mode"
ALL_MODE_COUNT = "count" + ALL_MODE
BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(REPO_ROOT))


def note(message: str) -> None:
    print(f"[context] {message}", file=sys.stderr, flush=True)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(command: list[str]) -> tuple[float, float]:
    """The wall time of ``command`` and the CPU time (user + system) of its process tree."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def wordfreq(*args: str) -> list[str]:
    return [sys.executable, "-m", "wordfreq", *args, "-q"]


def replicate(corpus: Path, times: int, workdir: Path) -> Path:
    target = workdir / f"replicated-{times}.txt"
    data = corpus.read_bytes()
    if not data.endswith(b"\n"):
        data += b"\n"
    with target.open("wb") as out:
        for _ in range(times):
            out.write(data)
    return target


def pick_words(corpus: Path) -> tuple[str, str, list[str], list[str]]:
    """A rare word (the most frequent one in under 1% of the lines), one frequent content word, the 100
    most frequent words of two characters or more, and the 1,001st to 1,100th of them."""
    from wordfreq import count

    table = count([str(corpus)], workers=1).counts
    assert table is not None
    lines = corpus.read_text(encoding="utf-8").split("\n")
    words = [w for w, _ in table.most_common() if len(w) >= 2 and w.isalpha()]
    sample = lines[:: max(1, len(lines) // 4000)]
    rare = next(w for w in words[200:] if sum(w in line for line in sample) < 0.01 * len(sample))
    return rare, words[0], words[:100], words[1000:1100]


def corpus_tokens(corpus: Path) -> list[str]:
    """The table's tokens of ``corpus``, in order (what NLTK is given; made before any clock starts)."""
    from wordfreq.tokenizers import TokenizerSpec, build_tokenizer

    tokenize = build_tokenizer(TokenizerSpec()).tokenize
    lines = corpus.read_text(encoding="utf-8").split("\n")
    return [p for line in lines for t in tokenize(line) for p in t.split()]


def nltk_seconds(tokens: list[str], word: str, window: int) -> tuple[float, float]:
    """NLTK's collocations of ``word`` in ``tokens``: wall and CPU seconds."""
    from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

    started, cpu = time.perf_counter(), time.process_time()
    finder = BigramCollocationFinder.from_words(tokens, window_size=window + 1)
    finder.apply_ngram_filter(lambda w1, w2: word not in (w1, w2))
    finder.apply_freq_filter(3)
    finder.score_ngrams(BigramAssocMeasures.likelihood_ratio)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a UTF-8 text file (People's Daily)")
    parser.add_argument("--replicate", type=int, default=18, help="copies of it in the input (18: 100 MB)")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--window", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        rare, content, top100, next100 = pick_words(args.corpus)
        nodes = workdir / "nodes.txt"
        nodes.write_text("\n".join(top100) + "\n", encoding="utf-8")
        mid_nodes = workdir / "mid-nodes.txt"
        mid_nodes.write_text("\n".join(next100) + "\n", encoding="utf-8")
        big = replicate(args.corpus, args.replicate, workdir)
        size = big.stat().st_size
        out = str(workdir / "out")
        j = ("-j", str(args.jobs))
        w = ("--window", str(args.window))
        rows = {
            "count": wordfreq("count", str(big), *j, "-o", out),
            f"kwic rare ({rare})": wordfreq("kwic", rare, str(big), *j, "-o", out),
            "kwic frequent (的)": wordfreq("kwic", "的", str(big), *j, "-o", out),
            "kwic 100 (the most frequent)": wordfreq(
                "kwic", "--nodes-from", str(nodes), str(big), *j, "-o", out
            ),
            ALL_MODE_COUNT: wordfreq("count", str(big), "--mode", "all", *j, "-o", out),
            "kwic frequent (的)" + ALL_MODE: wordfreq("kwic", "的", str(big), "--mode", "all", *j, "-o", out),
            f"collocates 1 ({content})": wordfreq("collocates", content, str(big), *j, *w, "-o", out),
            "collocates 100 (the most frequent)": wordfreq(
                "collocates", "--nodes-from", str(nodes), str(big), *j, *w, "-o", out
            ),
            "collocates 100 (ranks 1001-1100)": wordfreq(
                "collocates", "--nodes-from", str(mid_nodes), str(big), *j, *w, "-o", out
            ),
        }
        one_copy = wordfreq("collocates", content, str(args.corpus), *j, *w, "-o", out)
        tokens = corpus_tokens(args.corpus)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in [*rows, "one", "nltk"]}
        loads = [load()]
        for round_ in range(args.repeat):
            for name, command in rows.items():
                note(f"[{round_ + 1}/{args.repeat}] {name} ...")
                times[name].append(timed(command))
            note(f"[{round_ + 1}/{args.repeat}] collocates of {content} on one copy, and NLTK ...")
            times["one"].append(timed(one_copy))
            times["nltk"].append(nltk_seconds(tokens, content, args.window))
            loads.append(load())

    def median(name: str, k: int) -> float:
        return statistics.median(run[k] for run in times[name])

    print(f"input: {args.corpus.name} x {args.replicate} ({size / 1e6:.0f} MB), -j {args.jobs}, ", end="")
    print(f"window {args.window}, {args.repeat} round(s), medians; load (1, 5, 15 min): {' | '.join(loads)}")
    print()
    print("| row | wall s | / count | CPU s | / count |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in rows:
        wall, cpu = median(name, 0), median(name, 1)
        base = ALL_MODE_COUNT if name.endswith(ALL_MODE) else "count"  # a mode's rows against its count
        ratio, cpu_ratio = wall / median(base, 0), cpu / median(base, 1)
        print(f"| {name} | {wall:.2f} | {ratio:.2f}x | {cpu:.2f} | {cpu_ratio:.2f}x |")
    print()
    copy = args.corpus.stat().st_size / 1e6
    print(f"one copy ({copy:.1f} MB), collocates of {content}, window {args.window}:")
    print()
    print("| row | wall s | / wordfreq | CPU s | / wordfreq |")
    print("| --- | ---: | ---: | ---: | ---: |")
    one, one_cpu = median("one", 0), median("one", 1)
    print(f"| wordfreq collocates, end to end (segmenting too) | {one:.2f} | 1.00x | {one_cpu:.2f} | 1.00x |")
    nltk, nltk_cpu = median("nltk", 0), median("nltk", 1)
    print(
        f"| NLTK from_words + likelihood_ratio (tokens given) | {nltk:.2f} | {nltk / one:.1f}x "
        f"| {nltk_cpu:.2f} | {nltk_cpu / one_cpu:.1f}x |"
    )


if __name__ == "__main__":
    main()
