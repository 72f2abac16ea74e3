"""A partial count's way to the table: finished, packed, spilled and merged.

`finish` applies, once per partial count and before it leaves the process
that counted it, the rules that shape a table: the whitespace rule and the
filters (each maps or drops tokens one at a time, so finishing partial
counts and then merging them equals merging and then finishing), and takes
the rows held in compiled code out as a pack (`take_compiled_rows`).
`merge_into` adds one partial count to another; `pack_rows` and
`unpack_rows` move rows between a Counter and packs; `spill_when_due` is
what a process under a memory budget does after each task.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from wordfreq.counting.options import CountOptions
from wordfreq.counting.tasks import PartialCount, finish_counts
from wordfreq.reduce.order import add_table
from wordfreq.reduce.packs import add_packs, merge_sorted, pack, packed_bytes, sort_pack, unpack
from wordfreq.reduce.spill import Spill

KEYED_ROW_BYTES = 160  # what a key by part takes in its task's dict: the slot, the string, the count


def spill_finished(part: PartialCount, count_options: CountOptions, spill: Spill) -> None:
    """Finish ``part`` and write its rows (packed ones as they are; its compiled table's unsorted, since
    a run need not be) to disk, leaving it empty (and finished)."""
    take_compiled_rows(part, sort=False)
    spill.write(finish(part, count_options))


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


def due_to_spill(part: PartialCount, spill: Spill) -> bool:
    """Whether ``part`` holds more than this process's share: its Counter as `Spill.over` estimates
    it, plus its packed rows and its compiled table at their own, compact sizes."""
    compiled_rows = part.compiled_rows.nbytes if part.compiled_rows is not None else 0
    keyed = part.keyed_rows * KEYED_ROW_BYTES
    return spill.over(part, packed_bytes(part.packs) + compiled_rows + keyed)


def unpack_rows(part: PartialCount) -> None:
    """Move the rows of ``part.packs`` back into ``part.counts``."""
    add_packs(part.counts, part.packs)
    part.packs = []


def finish(part: PartialCount, count_options: CountOptions) -> PartialCount:
    """Apply the whitespace rule and the filters to ``part``, once (rows other than plain tokens are
    counted finished), and take its compiled table's rows out (`take_compiled_rows`)."""
    take_compiled_rows(part)
    if not part.finished:
        if count_options.rows.plain:
            part.counts = count_options.filters.apply(
                finish_counts(part.counts), tagged=count_options.tokenizer.pos
            )
        part.finished = True
    return part


def take_compiled_rows(part: PartialCount, sort: bool = True) -> None:
    """Move the rows of ``part``'s compiled table, if any, and its keys by part into its packs (into its
    counts where they do not pack: a row UTF-8 cannot encode, a sum beyond int64), and drop the table.
    With ``sort`` false the pack is left in no order and may repeat a row: only for a spill run, written
    at once."""
    _take_keyed(part, sort)
    compiled_rows, part.compiled_rows = part.compiled_rows, None
    if compiled_rows is None:
        return
    try:
        raw = compiled_rows.take()
    except UnicodeEncodeError:
        compiled_rows.add_to(part.counts)
        return
    packed = sort_pack(raw) if sort else raw
    if packed is None:
        for row, n in unpack(raw):
            part.counts[row] += n
    elif packed[1]:
        part.packs.append(packed)


def _take_keyed(part: PartialCount, sort: bool) -> None:
    """Move a count by part's rows (each task's, with the suffix that makes them keys, `counting.tasks`)
    into one pack: each task's keyed and packed, sorted, in C (`packs.pack`), then merged in C
    (`packs.merge_sorted`), or, unsorted, laid end to end for a spill run; into the counts where they
    do not pack."""
    keyed, part.keyed, part.keyed_rows = part.keyed, [], 0
    if not keyed:
        return
    packed = [
        pack(rows, suffix) if isinstance(rows, dict) else sort_pack(rows, suffix) for suffix, rows in keyed
    ]
    whole = None
    if all(p is not None for p in packed):
        if sort:
            whole = merge_sorted(packed)  # type: ignore[arg-type]
        else:
            whole = (b"".join(p[0] for p in packed), b"".join(p[1] for p in packed))  # type: ignore[index]
    if whole is None:
        for suffix, rows in keyed:
            pairs = rows.items() if isinstance(rows, dict) else unpack(rows)
            add_table(part.counts, _summed((row + suffix, n) for row, n in pairs))
    elif whole[1]:
        part.packs.append(whole)


def _summed(pairs: Iterable[tuple[str, int]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for row, n in pairs:
        total[row] += n
    return total


def close_documents(total: PartialCount) -> None:
    """Count the documents of ``total`` that were cut into several tasks (once every task is in)."""
    for rows in total.open_docs.values():
        total.docs.update(rows)
    total.open_docs = {}


def merge_into(total: PartialCount, part: PartialCount) -> None:
    """Add ``part`` to ``total``; the sum is finished only if both were."""
    take_compiled_rows(part)
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


def spill_when_due(count_options: CountOptions, spill: Spill | None) -> Callable[[PartialCount], None] | None:
    """What a counting process does after each task under a memory budget: finish its count and write
    it to disk whenever it holds more than the process's share (`due_to_spill`); None without one."""
    if spill is None:
        return None

    def check(part: PartialCount) -> None:
        if due_to_spill(part, spill):
            spill_finished(part, count_options, spill)

    return check
