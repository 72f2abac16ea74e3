"""Baseline word-frequency counters used by ``bench.py``.

Each baseline is what a user might write by hand instead of using
``wordfreq``.  ``bench.py`` runs every baseline in its own fresh interpreter::

    python benchmarks/approaches.py NAME INPUT OUTPUT [-j N] [--mode MODE] [--no-hmm]

so that interpreter start-up, ``import jieba`` and jieba's dictionary loading
are part of the measured time and memory, exactly as for ``wordfreq count``.

Every baseline writes the same TSV format as ``wordfreq count``: one
``token<TAB>count`` line per token, sorted by count descending, then by token
in code-point order.  Tokens are split on whitespace and the empty pieces
dropped (jieba emits ``"\\n"``, ``" "``, ..., and in ``all`` mode tokens such
as ``"abc\\n"``), as the naive program of the tests does, so all tables are
comparable with the naive loop's table.  The naive loop also takes jieba's
mode and HMM switch with wordfreq's flags (``--mode``, ``--no-hmm``).

Imports of jieba / rjieba / multiprocessing are done inside the functions on
purpose: a baseline pays only for what it uses.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice

BATCH_LINES = 1000
"""Lines per task for the ``pool-batch`` baseline."""


def write_table(counts: Mapping[str, int], out_path: str) -> None:
    """Write ``counts`` as a sorted TSV, each token split on whitespace, empty pieces dropped."""
    table: dict[str, int] = {}
    for token, c in counts.items():
        for piece in token.split():
            table[piece] = table.get(piece, 0) + c
    rows = sorted(table.items(), key=lambda tc: (-tc[1], tc[0]))
    with open(out_path, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(f"{t}\t{c}\n" for t, c in rows)


def naive(in_path: str, out_path: str, jobs: int, mode: str = "accurate", hmm: bool = True) -> None:
    """The reference: a plain dict-counting loop over ``jieba.cut`` per line (or the ``mode``'s cut)."""
    del jobs  # single process by definition
    import jieba

    if mode == "search":
        cut = functools.partial(jieba.cut_for_search, HMM=hmm)
    else:
        cut = functools.partial(jieba.cut, cut_all=mode == "all", HMM=hmm)
    d: dict[str, int] = {}
    with open(in_path, encoding="utf-8") as f:
        for line in f:
            for t in cut(line):
                d[t] = d.get(t, 0) + 1
    write_table(d, out_path)


def _count_batch(lines: list[str]) -> Counter[str]:
    """Pool worker: count one batch of lines (jieba loads lazily per worker)."""
    import jieba

    c: Counter[str] = Counter()
    for line in lines:
        c.update(jieba.cut(line))
    return c


def _batches(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    """Yield lists of up to ``size`` consecutive lines."""
    it = iter(lines)
    while batch := list(islice(it, size)):
        yield batch


def pool_batch(in_path: str, out_path: str, jobs: int) -> None:
    """``multiprocessing.Pool(jobs)`` over 1000-line batches, merged in the parent.

    The parent does not import jieba before forking, so each worker loads the
    dictionary itself on its first batch (what a typical script does).
    """
    import multiprocessing

    total: Counter[str] = Counter()
    with open(in_path, encoding="utf-8") as f, multiprocessing.Pool(jobs) as pool:
        for c in pool.imap_unordered(_count_batch, _batches(f, BATCH_LINES)):
            total.update(c)
    write_table(total, out_path)


def enable_parallel(in_path: str, out_path: str, jobs: int) -> None:
    """jieba's built-in ``enable_parallel(jobs)``: read all, cut, count."""
    import jieba

    jieba.enable_parallel(jobs)
    with open(in_path, encoding="utf-8") as f:
        text = f.read()
    counts = Counter(jieba.cut(text))
    write_table(counts, out_path)


def rjieba_counter(in_path: str, out_path: str, jobs: int) -> None:
    """``rjieba.cut(line, True)`` (Rust port of jieba) + Counter, one process."""
    del jobs
    import rjieba

    c: Counter[str] = Counter()
    with open(in_path, encoding="utf-8") as f:
        for line in f:
            c.update(rjieba.cut(line, True))
    write_table(c, out_path)


def naive_posseg(
    in_path: str, out_path: str, jobs: int, mode: str = "accurate", hmm: bool = True, package: str = "jieba"
) -> None:
    """The part-of-speech reference: ``jieba.posseg.cut`` per line, each pair counted as ``word/tag``
    (with ``package`` jieba_fast, its posseg: a peer)."""
    del jobs, mode  # single process; posseg has one mode
    import importlib

    posseg = importlib.import_module(f"{package}.posseg")
    d: dict[str, int] = {}
    with open(in_path, encoding="utf-8") as f:
        for line in f:
            for word, tag in posseg.cut(line, HMM=hmm):
                for piece in word.split():
                    key = f"{piece}/{tag}"
                    d[key] = d.get(key, 0) + 1
    write_table(d, out_path)


def jieba_fast_posseg(in_path: str, out_path: str, jobs: int) -> None:
    """The naive posseg loop with ``jieba_fast`` (jieba 0.39 with parts in C) instead of jieba."""
    naive_posseg(in_path, out_path, jobs, package="jieba_fast")


def _count_pairs(in_path: str, out_path: str, cut: Callable[[str], Iterable[Sequence[str]]]) -> None:
    """Count ``cut(line)``'s (word, tag) pairs of each line as ``word/tag`` (the word split on whitespace,
    empty pieces dropped, as the naive posseg loop does) and write the table."""
    d: dict[str, int] = {}
    with open(in_path, encoding="utf-8") as f:
        for line in f:
            for word, tag, *_ in cut(line):
                for piece in word.split():
                    key = f"{piece}/{tag}"
                    d[key] = d.get(key, 0) + 1
    write_table(d, out_path)


def thulac_pos(in_path: str, out_path: str, jobs: int) -> None:
    """A peer with its own segmentation and tags: THULAC (``pip install thulac``; its Python decoder,
    the only one its package ships: ``fast_cut`` needs a ``libthulac.so`` built from its C++ sources),
    ``cut`` per line."""
    del jobs
    import contextlib
    import io

    import thulac

    with contextlib.redirect_stdout(io.StringIO()):  # it prints "Model loaded succeed"
        lac = thulac.thulac()
    _count_pairs(in_path, out_path, lac.cut)


PKUSEG_MODELS = ("spacy_ontonotes", "postag")
"""The models ``spacy_pkuseg.pkuseg(postag=True)`` loads from ``$PKUSEG_HOME`` (``~/.pkuseg``), which it
downloads from GitHub releases when they are not there: neither the package nor PyPI holds them."""


def missing_pkuseg_models() -> list[str]:
    """The pkuseg models `pkuseg_pos` needs that are not in ``$PKUSEG_HOME``."""
    import os

    home = os.path.expanduser(os.environ.get("PKUSEG_HOME", "~/.pkuseg"))
    return [name for name in PKUSEG_MODELS if not os.path.isdir(os.path.join(home, name))]


def pkuseg_pos(in_path: str, out_path: str, jobs: int) -> None:
    """A peer with its own segmentation and tags: pkuseg (``pip install spacy-pkuseg``, whose wheels
    build on Python 3.11) with its tagger, ``cut`` per line."""
    del jobs
    missing = missing_pkuseg_models()
    if missing:
        sys.exit(f"pkuseg's models {', '.join(missing)} are not in $PKUSEG_HOME (it would download them)")
    import spacy_pkuseg

    _count_pairs(in_path, out_path, spacy_pkuseg.pkuseg(postag=True).cut)


APPROACHES: dict[str, Callable[[str, str, int], None]] = {
    "naive": naive,
    "pool-batch": pool_batch,
    "enable_parallel": enable_parallel,
    "rjieba": rjieba_counter,
}
"""Baseline name -> implementation.  ``bench.py`` uses these names as rows, in this order."""

OTHER_APPROACHES: dict[str, Callable[[str, str, int], None]] = {
    "naive-posseg": naive_posseg,
    "jieba-fast-posseg": jieba_fast_posseg,
    "thulac-pos": thulac_pos,
    "pkuseg-pos": pkuseg_pos,
}
"""Baselines of one scenario only (``pos``), not rows of the main table."""

NEEDS: dict[str, str] = {
    "rjieba": "rjieba",
    "jieba-fast-posseg": "jieba_fast",
    "thulac-pos": "thulac",
    "pkuseg-pos": "spacy_pkuseg",
}
"""Baseline -> module it needs; ``bench.py`` skips the row (with a note) without it."""


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: run one baseline."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("name", choices=sorted({*APPROACHES, *OTHER_APPROACHES}))
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("-j", "--jobs", type=int, default=1)
    p.add_argument("--mode", choices=("accurate", "search", "all"), default="accurate", help="naive only")
    p.add_argument("--no-hmm", dest="hmm", action="store_false", help="naive and naive-posseg only")
    a = p.parse_args(argv)
    if a.name == "naive":
        naive(a.input, a.output, a.jobs, a.mode, a.hmm)
    elif a.name == "naive-posseg":
        naive_posseg(a.input, a.output, a.jobs, a.mode, a.hmm)
    elif (a.mode, a.hmm) != ("accurate", True):
        p.error("--mode and --no-hmm are for the naive baseline only")
    else:
        {**APPROACHES, **OTHER_APPROACHES}[a.name](a.input, a.output, a.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
