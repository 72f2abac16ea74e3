"""The Python API: count a corpus, read and select tables.

The CLI is a thin shell over these functions; a notebook can call them
directly::

    from wordfreq import count
    result = count(["corpus/"], workers=2)
    result.counts.most_common(10)

`count` wires the stages together: `sources.discover` finds the inputs,
`chunking.plan_tasks` cuts them into tasks, `concurrency.run_tasks` (or
`dask_engine.run_tasks_on_dask`) counts them, applying the whitespace rule
and the filters to each partial count, and the reducer here applies
``min_count`` and ``max_rows`` to the merged table.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Union

from wordfreq.chunking import DEFAULT_CHUNK_SIZE, Decoding, Task, plan_tasks
from wordfreq.concurrency import default_workers, run_tasks
from wordfreq.counting import Job, finish
from wordfreq.errors import InputError
from wordfreq.filters import Filters, read_stopwords
from wordfreq.records import RecordFormat
from wordfreq.sources import Source, discover
from wordfreq.table import Row, sorted_rows, top_rows
from wordfreq.tokenizers import TokenizerSpec, describe_engine

StrPath = Union[str, "os.PathLike[str]"]

ENGINES = ("local", "dask")


@dataclass
class CountResult:
    """A finished count and what it took."""

    counts: Counter[str]
    files: int
    bytes: int
    seconds: float
    bad_bytes: int
    workers: int
    bad_records: int = 0
    engine: str = ""  # what did the tokenizing (see tokenizers.describe_engine)

    @property
    def tokens(self) -> int:
        return sum(self.counts.values())

    @property
    def types(self) -> int:
        return len(self.counts)

    def rows(self) -> list[Row]:
        """All rows in table order (count descending, then token)."""
        return sorted_rows(self.counts)


def read_user_dict(path: str | os.PathLike[str]) -> bytes:
    """The contents of a jieba user dictionary, checked to be UTF-8."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as err:
        raise InputError(f"{os.fspath(path)}: {err.strerror or err}") from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{os.fspath(path)}: byte {err.start}: a user dictionary must be UTF-8") from None
    return data


def count(
    paths: Sequence[str | os.PathLike[str]],
    *,
    tokenizer: str = "jieba",
    mode: str = "accurate",
    hmm: bool = True,
    user_dict: str | os.PathLike[str] | None = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    workers: int | None = None,
    start_method: str | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    field: str | None = None,
    skip_bad_records: bool = False,
    lowercase: bool = False,
    stopwords: StrPath | Iterable[str] | None = None,
    no_punct: bool = False,
    no_numbers: bool = False,
    min_length: int = 0,
    min_count: int = 1,
    max_rows: int | None = None,
    stdin: BinaryIO | None = None,
    progress: Callable[[int], None] | None = None,
    warn: Callable[[str], None] = lambda _: None,
    on_sources: Callable[[list[Source]], None] | None = None,
) -> CountResult:
    """Count the tokens of every file under ``paths`` (``-`` is standard input).

    The counts equal, for every worker count and chunk size, those of running
    the tokenizer over each file's whole text (see the README's definition).
    ``progress`` is called with a number of input bytes as they are counted;
    ``on_sources`` with the list of inputs once they are known.
    ``engine="dask"`` counts on a Dask cluster: a new local one of ``workers``
    processes, or the one whose scheduler is at ``scheduler``.
    ``field`` reads every input as JSON Lines and counts the text at that
    (dotted) field of each record.  ``stopwords`` is a file (one word a line)
    or an iterable of words.  The options mirror the CLI's (see the README).
    Raises `wordfreq.errors.WordfreqError` subclasses on bad input.
    """
    started = time.perf_counter()
    if chunk_size < 1:
        raise InputError("the chunk size must be at least 1 byte")
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if scheduler is not None and engine != "dask":
        raise InputError("a scheduler address needs the dask engine (--engine dask)")
    if isinstance(stopwords, (str, os.PathLike)):
        stopwords = read_stopwords(stopwords)
    job = Job(
        tokenizer=TokenizerSpec(
            tokenizer, mode, hmm, read_user_dict(user_dict) if user_dict is not None else None
        ),
        decoding=Decoding(encoding, errors),
        records=RecordFormat.parse(field, skip_bad_records) if field is not None else None,
        filters=Filters(lowercase, frozenset(stopwords or ()), no_punct, no_numbers, min_length),
    )
    sources = discover(paths, warn, include=include, exclude=exclude, skip_binary=not job.decoding.is_wide)
    if on_sources is not None:
        on_sources(sources)
    n_workers = workers if workers is not None else default_workers()
    if n_workers < 1:
        raise InputError("the number of workers must be at least 1")
    cut_points = job.cut_points()

    def tasks() -> Iterator[Task]:
        for source in sources:
            yield from plan_tasks(source, job.decoding, cut_points, chunk_size, stdin)

    if engine == "dask":
        from wordfreq.dask_engine import run_tasks_on_dask

        total = run_tasks_on_dask(
            tasks(), job, scheduler=scheduler, workers=n_workers, batch_bytes=chunk_size, progress=progress
        )
    else:
        total = run_tasks(
            tasks(),
            job,
            workers=n_workers,
            batch_bytes=chunk_size,
            start_method=start_method,
            progress=progress,
        )
    counts = finish(total, job).counts
    if min_count > 1:
        counts = Counter({token: n for token, n in counts.items() if n >= min_count})
    if max_rows is not None and len(counts) > max_rows:
        counts = Counter(dict(top_rows(counts.items(), max_rows)))
    return CountResult(
        counts=counts,
        files=len(sources),
        bytes=total.nbytes,
        seconds=time.perf_counter() - started,
        bad_bytes=total.bad_bytes,
        workers=n_workers,
        bad_records=total.bad_records,
        engine=describe_engine(job.tokenizer)[0],
    )
