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
