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

N-grams without document counts are counted, where the tokenizer can, into
one table in compiled code that lives across a process's tasks
(`wordfreq.rows.row_table`, ``held``): a worker's 1 MB task of People's
Daily has some 84,000 distinct bigrams, and making each a Python string and
adding it to a `Counter`, task after task, took as long as segmenting the
text.  The table leaves C once, when the count is finished (or spilled), as
a pack (`wordfreq.packed`); the memory budget counts it at its allocated
size.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from wordfreq.chunking import RangeTask, Task, lines_before, load_range
from wordfreq.options import CountOptions
from wordfreq.packed import Pack, add_packs, pack, packed_bytes, sort_pack, unpack
from wordfreq.records import record_texts
from wordfreq.rows import count_lines, lines_of, row_table
from wordfreq.spill import Spill
from wordfreq.table import add_table
from wordfreq.tokenizers import Tokenizer, add_counts, build_tokenizer

_SPACE = re.compile(r"\s")


@dataclass
class PartialCount:
    """The count of one or more tasks, and what was read to get it.

    With document counts, ``docs`` holds for each row the number of whole
    documents it occurs in, ``open_docs`` the rows of each file that was cut
    into several tasks (by path; their sets are united across tasks and
    counted once, by `close_documents`, when every task is in), and
    ``documents`` the number of record or line documents read.  A finished
    count may hold its rows packed (`wordfreq.packed`) in ``packs`` instead
    of ``counts``, and a count in progress its n-grams in ``held``, a table
    in compiled code (see the module docstring; `finish` takes them out, so
    a finished count never holds one); the rows are the sum of all three.
    """

    counts: Counter[str] = field(default_factory=Counter)
    nbytes: int = 0
    bad_bytes: int = 0
    bad_records: int = 0
    finished: bool = False
    docs: Counter[str] = field(default_factory=Counter)
    open_docs: dict[str, set[str]] = field(default_factory=dict)
    documents: int = 0
    runs: list[str] = field(default_factory=list)  # spilled rows (`wordfreq.spill`)
    open_runs: list[str] = field(default_factory=list)  # spilled rows of documents cut into several tasks
    packs: list[Pack] = field(default_factory=list)  # more rows, packed (see `pack_rows`)
    held: Any = None  # more rows, in a compiled table (`wordfreq.rows.row_table`); never pickled


def count_tasks(
    tasks: Iterable[Task],
    job: CountOptions,
    into: PartialCount | None = None,
    report: Callable[[int], None] | None = None,
    spill: Spill | None = None,
) -> PartialCount:
    """Count the tokens of every task of ``tasks`` (into ``into`` when given); not finished.

    ``report`` is called with each task's bytes once it is counted.  With
    ``spill``, the count is finished and written to disk whenever it holds
    more than the process's share of the memory budget (`over_budget`).
    """
    tokenizer = tokenizer_for(job)
    result = into if into is not None else PartialCount()
    for task in tasks:
        result.finished = False
        texts = _texts_of(task, job, result)
        if job.rows.plain:
            add_counts(tokenizer, "\n".join(texts), result.counts)
        else:
            _count_rows(task, texts, tokenizer, job, result)
        result.nbytes += task.nbytes
        if report is not None:
            report(task.nbytes)
        if spill is not None and over_budget(result, spill):
            spill_finished(result, job, spill)
    return result


def spill_finished(part: PartialCount, job: CountOptions, spill: Spill) -> None:
    """Finish ``part`` and write its rows (packed ones as they are; its compiled table's unsorted, since
    a run need not be) to disk, leaving it empty (and finished)."""
    take_held(part, sort=False)
    spill.write(finish(part, job))


def pack_rows(part: PartialCount) -> PartialCount:
    """Move the rows of ``part`` into ``packs`` when it is a finished plain table (no document counts,
    nothing on disk) and they pack; the cheap way to send it to another process."""
    plain = not (part.docs or part.open_docs or part.documents or part.runs or part.open_runs)
    if part.finished and plain and part.counts:
        packed = pack(part.counts)
        if packed is not None:
            part.packs.append(packed)
            part.counts = Counter()
    return part


def over_budget(part: PartialCount, spill: Spill) -> bool:
    """Whether ``part`` holds more than this process's share: its Counter as `Spill.over` estimates
    it, plus its packed rows and its compiled table at their own, compact sizes."""
    held = part.held.nbytes if part.held is not None else 0
    return spill.over(part, packed_bytes(part.packs) + held)


def unpack_rows(part: PartialCount) -> None:
    """Move the rows of ``part.packs`` back into ``part.counts``."""
    add_packs(part.counts, part.packs)
    part.packs = []


def tokenizer_for(job: CountOptions) -> Tokenizer:
    """The tokenizer that counts ``job`` in this process, or the job's own (`CountOptions.own_rows`)."""
    own = job.own_rows()
    return own if own is not None else build_tokenizer(job.tokenizer)


def _count_rows(
    task: Task, texts: list[str], tokenizer: Tokenizer, job: CountOptions, result: PartialCount
) -> None:
    """Count the rows of a task's texts (records, or one text), for any table but the plain one."""
    unit = job.document_unit
    if not job.rows.doc_freq:
        if result.held is None:
            result.held = row_table(tokenizer, job.filters, job.rows.ngram)
        if result.held is not None:
            tokenizer.count_rows("\n".join(texts), result.held)  # type: ignore[attr-defined]
        else:
            count_lines("\n".join(texts), tokenizer, job.filters, job.rows.ngram, result.counts)
        return
    if unit == "file":
        rows = _rows_of("\n".join(texts), tokenizer, job)
        result.counts.update(rows)
        if task.whole:
            result.docs.update(rows.keys())
        else:
            result.open_docs.setdefault(task.path, set()).update(rows)
        return
    documents = texts if unit == "record" else [line for text in texts for line in lines_of(text)]
    result.documents += len(documents)
    for document in documents:
        rows = _rows_of(document, tokenizer, job)
        result.counts.update(rows)
        result.docs.update(rows.keys())


def _rows_of(text: str, tokenizer: Tokenizer, job: CountOptions) -> Counter[str]:
    """The finished rows of ``text``: its n-grams, or its tokens with the whitespace rule and the filters."""
    if job.rows.ordered:
        return count_lines(text, tokenizer, job.filters, job.rows.ngram)
    counts: Counter[str] = Counter()
    add_counts(tokenizer, text, counts)
    return job.filters.apply(finish_counts(counts))


def _texts_of(task: Task, job: CountOptions, result: PartialCount) -> list[str]:
    """The text of ``task`` (or its records' texts); adds its bad bytes and bad records to ``result``."""
    if isinstance(task, RangeTask):
        text, bad_bytes = load_range(task, job.decoding, job.cut_points(), job.storage)
        first_line = None
    else:
        text, bad_bytes, first_line = task.text, task.bad_bytes, task.first_line
    result.bad_bytes += bad_bytes
    if not job.records.active:
        return [text]

    def line_number(i: int) -> int:
        if first_line is not None:
            return first_line + i
        assert isinstance(task, RangeTask)
        return lines_before(task, job.storage) + 1 + i

    texts, bad_records = record_texts(text, job.records, task.path, line_number)
    result.bad_records += bad_records
    return texts


def finish(part: PartialCount, job: CountOptions) -> PartialCount:
    """Apply the whitespace rule and the filters to ``part``, once (rows other than plain tokens are
    counted finished), and take its compiled table's rows out (`take_held`)."""
    take_held(part)
    if not part.finished:
        if job.rows.plain:
            part.counts = job.filters.apply(finish_counts(part.counts))
        part.finished = True
    return part


def take_held(part: PartialCount, sort: bool = True) -> None:
    """Move the rows of ``part``'s compiled table, if any, into its packs (into its counts where they do
    not pack: a row UTF-8 cannot encode, a sum beyond int64), and drop the table.  With ``sort`` false
    the pack is left in no order and may repeat a row: only for a spill run, written at once."""
    held, part.held = part.held, None
    if held is None:
        return
    try:
        raw = held.take()
    except UnicodeEncodeError:
        held.add_to(part.counts)
        return
    packed = sort_pack(raw) if sort else raw
    if packed is None:
        for row, n in unpack(raw):
            part.counts[row] += n
    elif packed[1]:
        part.packs.append(packed)


def close_documents(total: PartialCount) -> None:
    """Count the documents of ``total`` that were cut into several tasks (once every task is in)."""
    for rows in total.open_docs.values():
        total.docs.update(rows)
    total.open_docs = {}


def merge_into(total: PartialCount, part: PartialCount) -> None:
    """Add ``part`` to ``total``; the sum is finished only if both were."""
    take_held(part)
    was_empty = not total.counts and not total.nbytes
    add_table(total.counts, part.counts)
    total.packs.extend(part.packs)
    add_table(total.docs, part.docs)
    for path, rows in part.open_docs.items():
        total.open_docs.setdefault(path, set()).update(rows)
    total.documents += part.documents
    total.runs.extend(part.runs)
    total.open_runs.extend(part.open_runs)
    total.nbytes += part.nbytes
    total.bad_bytes += part.bad_bytes
    total.bad_records += part.bad_records
    total.finished = part.finished and (total.finished or was_empty)


def finish_counts(counts: Counter[str]) -> Counter[str]:
    """Drop empty and whitespace tokens, split tokens that contain whitespace.

    Most tables have no such token (the compiled tokenizer never makes
    one): one search of all the tokens joined by a character that is not
    whitespace says so in 3 ms, where a search per token took 25 ms for a
    table of 70,000 rows.
    """
    if "" not in counts and not _SPACE.search("\0".join(counts)):
        return counts
    for token in [t for t in counts if not t or _SPACE.search(t)]:
        n = counts.pop(token)
        for part in token.split():
            counts[part] += n
    return counts
