"""The naive program that defines the correct table (see the README).

For each file: read the whole file as text (UTF-8, a leading BOM skipped),
run jieba over it with the given options, drop empty and whitespace tokens,
split any token that contains whitespace, count, and sort by count
descending, then token.  Uses jieba's module-level functions, not wordfreq.
"""

from __future__ import annotations

import functools
import io
import logging
import unicodedata
from collections import Counter
from collections.abc import Iterable

import jieba

jieba.setLogLevel(logging.WARNING)


@functools.lru_cache(maxsize=4)
def _jieba(user_dict: bytes | None) -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    if user_dict is not None:
        tokenizer.load_userdict(io.BytesIO(user_dict))
    return tokenizer


def naive_counts(
    texts: Iterable[str],
    mode: str = "accurate",
    hmm: bool = True,
    user_dict: bytes | None = None,
) -> Counter[str]:
    tokenizer = _jieba(user_dict)
    counts: Counter[str] = Counter()
    for text in texts:
        if mode == "accurate":
            tokens = tokenizer.cut(text, HMM=hmm)
        elif mode == "search":
            tokens = tokenizer.cut_for_search(text, HMM=hmm)
        else:
            tokens = tokenizer.cut(text, cut_all=True, HMM=hmm)
        for token in tokens:
            counts.update(token.split())
    return counts


def naive_table(texts: Iterable[str], **options: object) -> str:
    counts = naive_counts(texts, **options)  # type: ignore[arg-type]
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return "".join(f"{token}\t{n}\n" for token, n in rows)


def read_text(path: str, encoding: str = "utf-8-sig", errors: str = "strict") -> str:
    with open(path, encoding=encoding, errors=errors, newline="") as f:
        return f.read()


def _naive_tokens(line: str, mode: str, hmm: bool, user_dict: bytes | None) -> list[str]:
    tokenizer = _jieba(user_dict)
    if mode == "accurate":
        return list(tokenizer.cut(line, HMM=hmm))
    if mode == "search":
        return list(tokenizer.cut_for_search(line, HMM=hmm))
    return list(tokenizer.cut(line, cut_all=True, HMM=hmm))


def naive_kept(piece: str, stopwords: frozenset[str] = frozenset(), no_punct: bool = False) -> bool:
    """The filters the n-gram tests use, written out plainly: stopwords and punctuation."""
    if piece in stopwords:
        return False
    return not (no_punct and all(unicodedata.category(c)[0] in "PS" for c in piece))


def naive_rows(
    text: str,
    orders: tuple[int, int] = (1, 1),
    mode: str = "accurate",
    hmm: bool = True,
    user_dict: bytes | None = None,
    stopwords: frozenset[str] = frozenset(),
    no_punct: bool = False,
) -> Counter[str]:
    """The n-gram rows of one text: each line through jieba, pieces split on whitespace,
    dropped pieces breaking the sequence, consecutive pieces joined by a space."""
    counts: Counter[str] = Counter()
    for line in text.split("\n"):
        pieces = [p for t in _naive_tokens(line, mode, hmm, user_dict) for p in t.split()]
        runs: list[list[str]] = [[]]
        for piece in pieces:
            if naive_kept(piece, stopwords, no_punct):
                runs[-1].append(piece)
            else:
                runs.append([])
        for run in runs:
            for n in range(orders[0], orders[1] + 1):
                for i in range(len(run) - n + 1):
                    counts[" ".join(run[i : i + n])] += 1
    return counts


def naive_doc_freq(documents: Iterable[str], **options: object) -> tuple[Counter[str], Counter[str]]:
    """The rows of every document, and in how many documents each occurs."""
    counts: Counter[str] = Counter()
    docs: Counter[str] = Counter()
    for document in documents:
        rows = naive_rows(document, **options)  # type: ignore[arg-type]
        counts.update(rows)
        docs.update(rows.keys())
    return counts, docs
