"""Counting: how the tokens of tasks become a partial count.

A worker needs, besides its tasks, the run's `CountOptions`: the tokenizer
spec, the decoding, the record format (JSON Lines), the rows and the
filters.  `count_tasks` is the one loop that turns tasks into counts,
adding them to a `PartialCount` together with what was read to get them (the
bytes, the undecodable bytes, the bad records); the in-process path, the
pool's workers and the Dask tasks all call it.  What happens to a partial
count next (finished, packed, spilled, merged) is `wordfreq.reduce`'s.

N-grams without document counts, and single tokens where no filter is
active (`_plain_in_row_table`), are counted, where the tokenizer can, into
one table in compiled code that lives across a process's tasks
(`wordfreq.counting.rowspec.row_table`, ``compiled_rows``): a worker's 1 MB
task of People's Daily has some 84,000 distinct bigrams, and making each a
Python string and adding it to a `Counter`, task after task, took as long
as segmenting the text.  The table leaves C once, when the count is finished
(or spilled), as a pack (`wordfreq.reduce.packs`); the memory budget counts
it at its allocated size.  Rows by part are counted so too, one table per
part of a task, taken at once as a pack and keyed by the reduce.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from wordfreq.chunks.jsonl import record_texts
from wordfreq.chunks.parts import SEP
from wordfreq.chunks.planning import RangeTask, Task, lines_before, load_range
from wordfreq.counting.options import CountOptions
from wordfreq.counting.rowspec import count_lines, lines_of, row_table
from wordfreq.tokenizers import Tokenizer, add_counts, build_tokenizer

_SPACE = re.compile(r"\s")
Pack = tuple[bytes, bytes]  # rows packed (`wordfreq.reduce.packs`): length-prefixed UTF-8 rows, int64 counts


@dataclass
class PartialCount:
    """The count of one or more tasks, and what was read to get it.

    With document counts, ``docs`` holds for each row the number of whole
    documents it occurs in, ``open_docs`` the rows of each file that was cut
    into several tasks (by path; their sets are united across tasks and
    counted once, by `close_documents`, when every task is in), and
    ``documents`` the number of record or line documents read.  A finished
    count may hold its rows packed (`wordfreq.reduce.packs`) in ``packs`` instead
    of ``counts``, and a count in progress its n-grams in ``compiled_rows``, a table
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
    runs: list[str] = field(default_factory=list)  # spilled rows (`wordfreq.reduce.spill`)
    open_runs: list[str] = field(default_factory=list)  # spilled rows of documents cut into several tasks
    packs: list[Pack] = field(default_factory=list)  # more rows, packed (see `pack_rows`)
    keyed: list[tuple[str, dict[str, int] | Pack]] = field(
        default_factory=list
    )  # more rows: (suffix, rows) by part
    keyed_rows: int = 0  # how many keys ``keyed`` holds, for the memory check
    compiled_rows: Any = (
        None  # more rows, in a compiled table (`wordfreq.counting.rowspec.row_table`); never pickled
    )


def count_tasks(
    tasks: Iterable[Task],
    count_options: CountOptions,
    into: PartialCount | None = None,
    report: Callable[[int], None] | None = None,
    after_each: Callable[[PartialCount], None] | None = None,
) -> PartialCount:
    """Count the tokens of every task of ``tasks`` (into ``into`` when given); not finished.

    ``report`` is called with each task's bytes once it is counted, and
    ``after_each`` with the count so far (the worker's memory check:
    `wordfreq.reduce.partial.spill_when_due`).
    """
    tokenizer = tokenizer_for(count_options)
    result = into if into is not None else PartialCount()
    for task in tasks:
        result.finished = False
        parts: list[str] | None = [] if count_options.rows.part_by is not None else None
        texts = _texts_of(task, count_options, result, parts)
        if count_options.rows.plain and not _plain_in_row_table(tokenizer, count_options):
            _count_plain(tokenizer, "\n".join(texts), result)
        elif parts is not None:
            _count_parts(task, texts, parts, tokenizer, count_options, result)
        else:
            _count_rows(task, texts, tokenizer, count_options, result)
        result.nbytes += task.nbytes
        if report is not None:
            report(task.nbytes)
        if after_each is not None:
            after_each(result)
    return result


def _plain_in_row_table(tokenizer: Tokenizer, count_options: CountOptions) -> bool:
    """Whether the plain table is counted as the unigrams of a compiled row table (`_count_rows`) rather
    than by ``add_counts`` into a `Counter`: where the tokenizer has such a table, keeps no rows of its
    own there (collocates' windows) and no filter is active (a filter in the table is a Python call per
    token; on the `Counter` it runs once per distinct token, when the count is finished).

    The same rows either way (the whitespace rule is applied in C); the table makes no Python string
    per token, which on HMM-heavy text (many distinct tokens) took a third of a worker's CPU."""
    return (
        hasattr(tokenizer, "row_table")
        and not hasattr(tokenizer, "compiled_table")
        and not count_options.filters.active
    )


def _count_plain(tokenizer: Tokenizer, text: str, result: PartialCount) -> None:
    """Add the tokens of ``text`` to ``result``; a row maker that keeps some rows of its own in a
    compiled-rows table across tasks (``compiled_table``: the windows of
    `wordfreq.analyses.collocates`) adds those there."""
    make = getattr(tokenizer, "compiled_table", None)
    if make is None:
        add_counts(tokenizer, text, result.counts)
        return
    if result.compiled_rows is None:
        result.compiled_rows = make()
    tokenizer.add_counts_compiled(text, result.counts, result.compiled_rows)  # type: ignore[attr-defined]


def tokenizer_for(count_options: CountOptions) -> Tokenizer:
    """The tokenizer that counts ``count_options`` in this process, or the options' own
    (`CountOptions.row_maker`)."""
    own = count_options.row_maker()
    return own if own is not None else build_tokenizer(count_options.tokenizer)


def _count_rows(
    task: Task, texts: list[str], tokenizer: Tokenizer, count_options: CountOptions, result: PartialCount
) -> None:
    """Count the rows of a task's texts (records, or one text), for any table but the plain one."""
    unit = count_options.document_unit
    if not count_options.rows.doc_freq:
        if result.compiled_rows is None:
            result.compiled_rows = row_table(tokenizer, count_options.filters, count_options.rows.ngram)
        if result.compiled_rows is not None:
            tokenizer.count_rows("\n".join(texts), result.compiled_rows)  # type: ignore[attr-defined]
        else:
            count_lines(
                "\n".join(texts), tokenizer, count_options.filters, count_options.rows.ngram, result.counts
            )
        return
    if unit == "file":
        rows = _rows_of("\n".join(texts), tokenizer, count_options)
        result.counts.update(rows)
        if task.whole:
            result.docs.update(rows.keys())
        else:
            result.open_docs.setdefault(task.path, set()).update(rows)
        return
    documents = texts if unit == "record" else [line for text in texts for line in lines_of(text)]
    result.documents += len(documents)
    for document in documents:
        rows = _rows_of(document, tokenizer, count_options)
        result.counts.update(rows)
        result.docs.update(rows.keys())


def _count_parts(
    task: Task,
    texts: list[str],
    parts: list[str],
    tokenizer: Tokenizer,
    count_options: CountOptions,
    result: PartialCount,
) -> None:
    """Count the rows of a task's texts by part, as keys (`wordfreq.chunks.parts`): the texts of one part
    are counted together and finished, and kept apart with the suffix that makes their rows keys
    (``keyed``: the separator and the part's name), to be keyed, packed and summed in C by the reduce
    (`wordfreq.reduce.partial.take_compiled_rows`): adding them to the count's Counter, task after
    task, took as long as segmenting the text, and making each key a Python string a third of that."""
    part_by = count_options.rows.part_by
    by_part: dict[str, list[str]] = {}
    if part_by is not None and part_by.of_records:
        for part, text in zip(parts, texts):
            by_part.setdefault(part, []).append(text)
    else:
        assert task.part is not None, "a task of a count by file carries its part"
        by_part[task.part] = texts
    for part, group in by_part.items():
        suffix = SEP + part
        rows = _compiled_rows_of("\n".join(group), tokenizer, count_options)
        if rows is None:
            rows = _rows_of("\n".join(group), tokenizer, count_options)
        result.keyed.append((suffix, rows))
        result.keyed_rows += len(rows) if isinstance(rows, dict) else len(rows[1]) // 8


def _compiled_rows_of(
    text: str, tokenizer: Tokenizer, count_options: CountOptions
) -> Pack | dict[str, int] | None:
    """The finished rows of ``text`` counted in compiled code (`_rows_of`'s, without a Python object per
    row): a pack in no order (a row perhaps repeated), or a Counter where one cannot be made (a row
    UTF-8 cannot encode); None where the tokenizer has no compiled table."""
    table = row_table(tokenizer, count_options.filters, count_options.rows.ngram)
    if table is None:
        return None
    tokenizer.count_rows(text, table)  # type: ignore[attr-defined]
    try:
        return table.take()  # type: ignore[no-any-return]
    except UnicodeEncodeError:
        rows: Counter[str] = Counter()
        table.add_to(rows)
        return rows


def _rows_of(text: str, tokenizer: Tokenizer, count_options: CountOptions) -> Counter[str]:
    """The finished rows of ``text``: its n-grams, or its tokens with the whitespace rule and the filters."""
    if count_options.rows.ordered:
        return count_lines(text, tokenizer, count_options.filters, count_options.rows.ngram)
    counts: Counter[str] = Counter()
    add_counts(tokenizer, text, counts)
    return count_options.filters.apply(finish_counts(counts), tagged=count_options.tokenizer.pos)


def _texts_of(
    task: Task, count_options: CountOptions, result: PartialCount, parts: list[str] | None = None
) -> list[str]:
    """The text of ``task`` (or its records' texts), converted when asked (`wordfreq.chunks.conversion`);
    adds its bad bytes and bad records to ``result``, and when parts are records' (``--part-by
    field:PATH``), each text's part to ``parts``."""
    text, bad_bytes, line_number = load_task(task, count_options)
    result.bad_bytes += bad_bytes
    conversion = count_options.conversion
    if not count_options.records.active:
        return [conversion.apply(text)]
    part_by = count_options.rows.part_by
    part_field = part_by.field_path if part_by is not None else ()
    texts, bad_records = record_texts(text, count_options.records, task.path, line_number, parts, part_field)
    result.bad_records += bad_records
    return [conversion.apply(text) for text in texts] if conversion.active else texts


def load_task(task: Task, count_options: CountOptions) -> tuple[str, int, Callable[[int], int]]:
    """The text of ``task``, its undecodable bytes, and what gives the file's line number of the text's
    ``i``-th line (0 for the first; for messages: it may read the file up to the task)."""
    if isinstance(task, RangeTask):
        text, bad_bytes = load_range(
            task, count_options.decoding, count_options.cut_points(), count_options.storage
        )
        first_line = None
    else:
        text, bad_bytes, first_line = task.text, task.bad_bytes, task.first_line

    def line_number(i: int) -> int:
        if first_line is not None:
            return first_line + i
        assert isinstance(task, RangeTask)
        return lines_before(task, count_options.storage) + 1 + i

    return text, bad_bytes, line_number


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
