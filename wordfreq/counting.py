"""Counting: how the tokens of one task become a partial count.

A worker needs, besides its tasks, the run's `CountOptions` (called ``job``
here): the tokenizer spec, the decoding, the record format (JSON Lines) and
the filters.  `count_tasks` is the one loop that turns tasks into counts,
adding them to a `PartialCount` together with what was read to get them (the
bytes, the undecodable bytes, the bad records); the in-process path, the
pool's workers and the Dask tasks all call it.  `finish` applies, once per
partial count and before it leaves the process that counted it, the rules
that shape a table:

* the whitespace rule, which makes a table one row per line: empty and
  whitespace-only tokens are dropped, and a token that contains whitespace
  is split on it (``str.split``);
* the `Filters` of the run (lowercasing, stopwords, punctuation...).

Every rule maps or drops tokens one at a time, so finishing partial counts
and then merging them equals merging and then finishing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from wordfreq.chunking import RangeTask, Task, lines_before, load_range
from wordfreq.options import CountOptions
from wordfreq.records import record_texts
from wordfreq.tokenizers import add_counts, build_tokenizer

_SPACE = re.compile(r"\s")


@dataclass
class PartialCount:
    """The count of one or more tasks, and what was read to get it."""

    counts: Counter[str] = field(default_factory=Counter)
    nbytes: int = 0
    bad_bytes: int = 0
    bad_records: int = 0
    finished: bool = False


def count_tasks(
    tasks: Iterable[Task],
    job: CountOptions,
    into: PartialCount | None = None,
    report: Callable[[int], None] | None = None,
) -> PartialCount:
    """Count the tokens of every task of ``tasks`` (into ``into`` when given); not finished.

    ``report`` is called with each task's bytes once it is counted.
    """
    tokenizer = build_tokenizer(job.tokenizer)
    result = into if into is not None else PartialCount()
    result.finished = False
    for task in tasks:
        text = _text_of(task, job, result)
        add_counts(tokenizer, text, result.counts)
        result.nbytes += task.nbytes
        if report is not None:
            report(task.nbytes)
    return result


def _text_of(task: Task, job: CountOptions, result: PartialCount) -> str:
    """The text to tokenize of ``task``; adds its undecodable bytes and bad records to ``result``."""
    if isinstance(task, RangeTask):
        text, bad_bytes = load_range(task, job.decoding, job.cut_points())
        first_line = None
    else:
        text, bad_bytes, first_line = task.text, task.bad_bytes, task.first_line
    result.bad_bytes += bad_bytes
    if not job.records.active:
        return text

    def line_number(i: int) -> int:
        if first_line is not None:
            return first_line + i
        assert isinstance(task, RangeTask)
        return lines_before(task) + 1 + i

    text, bad_records = record_texts(text, job.records, task.path, line_number)
    result.bad_records += bad_records
    return text


def finish(part: PartialCount, job: CountOptions) -> PartialCount:
    """Apply the whitespace rule and the filters to ``part`` (once)."""
    if not part.finished:
        part.counts = job.filters.apply(finish_counts(part.counts))
        part.finished = True
    return part


def merge_into(total: PartialCount, part: PartialCount) -> None:
    """Add ``part`` to ``total``; the sum is finished only if both were."""
    was_empty = not total.counts and not total.nbytes
    total.counts.update(part.counts)
    total.nbytes += part.nbytes
    total.bad_bytes += part.bad_bytes
    total.bad_records += part.bad_records
    total.finished = part.finished and (total.finished or was_empty)


def finish_counts(counts: Counter[str]) -> Counter[str]:
    """Drop empty and whitespace tokens, split tokens that contain whitespace."""
    for token in [t for t in counts if not t or _SPACE.search(t)]:
        n = counts.pop(token)
        for part in token.split():
            counts[part] += n
    return counts
