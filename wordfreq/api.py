"""The Python API: count a corpus, read and select tables.

The CLI is a thin shell over these functions; a notebook can call them
directly::

    from wordfreq import count
    result = count(["corpus/"], workers=2)
    result.counts.most_common(10)

`count` wires the stages together: `sources.discover` finds the inputs,
`chunking.plan_tasks` cuts them into tasks, `concurrency.run_tasks` counts
them, `counting.finish_counts` applies the whitespace rule once.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from wordfreq.chunking import DEFAULT_CHUNK_SIZE, Decoding, Task, plan_tasks
from wordfreq.concurrency import default_workers, run_tasks
from wordfreq.counting import Job, finish_counts
from wordfreq.errors import InputError
from wordfreq.sources import Source, discover
from wordfreq.table import Row, sorted_rows
from wordfreq.tokenizers import TokenizerSpec, cut_points_for


@dataclass
class CountResult:
    """A finished count and what it took."""

    counts: Counter[str]
    files: int
    bytes: int
    seconds: float
    bad_bytes: int
    workers: int

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
    Raises `wordfreq.errors.WordfreqError` subclasses on bad input.
    """
    started = time.perf_counter()
    if chunk_size < 1:
        raise InputError("the chunk size must be at least 1 byte")
    job = Job(
        tokenizer=TokenizerSpec(
            tokenizer, mode, hmm, read_user_dict(user_dict) if user_dict is not None else None
        ),
        decoding=Decoding(encoding, errors),
    )
    sources = discover(paths, warn)
    if on_sources is not None:
        on_sources(sources)
    n_workers = workers if workers is not None else default_workers()
    if n_workers < 1:
        raise InputError("the number of workers must be at least 1")
    cut_points = cut_points_for(job.tokenizer)

    def tasks() -> Iterator[Task]:
        for source in sources:
            yield from plan_tasks(source, job.decoding, cut_points, chunk_size, stdin)

    total = run_tasks(
        tasks(),
        job,
        workers=n_workers,
        batch_bytes=chunk_size,
        start_method=start_method,
        progress=progress,
    )
    return CountResult(
        counts=finish_counts(total.counts),
        files=len(sources),
        bytes=total.nbytes,
        seconds=time.perf_counter() - started,
        bad_bytes=total.bad_bytes,
        workers=n_workers,
    )
