"""Counting: how the tokens of one task become a partial count.

A `Job` is everything a worker needs besides the task itself (the tokenizer
spec and the decoding); `count_task` turns one task into a `PartialCount`.
`finish_counts` applies, once, at the reducer, the rule that makes a table
one row per line: whitespace-only and empty tokens are dropped, and a token
that contains whitespace is split on it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from wordfreq.chunking import Decoding, RangeTask, Task, load_range
from wordfreq.tokenizers import TokenizerSpec, build_tokenizer

_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Job:
    """The options shared by every task of a run."""

    tokenizer: TokenizerSpec = field(default_factory=TokenizerSpec)
    decoding: Decoding = field(default_factory=Decoding)


@dataclass
class PartialCount:
    """The count of one or more tasks, and what was read to get it."""

    counts: Counter[str] = field(default_factory=Counter)
    nbytes: int = 0
    bad_bytes: int = 0


def count_task(task: Task, job: Job, into: PartialCount | None = None) -> PartialCount:
    """Count ``task``'s tokens (adding them to ``into`` when given)."""
    tokenizer = build_tokenizer(job.tokenizer)
    if isinstance(task, RangeTask):
        text, bad_bytes = load_range(task, job.decoding, tokenizer.cut_points)
    else:
        text, bad_bytes = task.text, task.bad_bytes
    result = into if into is not None else PartialCount()
    result.counts.update(tokenizer.tokenize(text))
    result.nbytes += task.nbytes
    result.bad_bytes += bad_bytes
    return result


def merge_into(total: PartialCount, part: PartialCount) -> None:
    """Add ``part`` to ``total``."""
    total.counts.update(part.counts)
    total.nbytes += part.nbytes
    total.bad_bytes += part.bad_bytes


def finish_counts(counts: Counter[str]) -> Counter[str]:
    """Drop empty and whitespace tokens, split tokens that contain whitespace."""
    for token in [t for t in counts if not t or _SPACE.search(t)]:
        n = counts.pop(token)
        for part in token.split():
            counts[part] += n
    return counts
