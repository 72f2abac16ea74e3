"""Options: the one model of what a run counts and how it goes.

Two immutable objects carry every option of a count, from the command line
(or a notebook) down to the workers:

* `CountOptions` -- *what* is counted.  Its parts are the stages' own
  values: `TokenizerSpec` (tokenizer, mode, HMM, user dictionary),
  `Decoding` (encoding, error mode), `RecordFormat` (JSON Lines field),
  `Filters` (lowercasing, stopwords, punctuation, numbers, length),
  `Selection` (include/exclude globs), `RowSpec` (n-grams, document
  counts) and `Storage` (how URLs are opened).  It is what every worker
  receives.
* `RunOptions` -- *how* the run goes: engine, workers, chunk size, start
  method, scheduler, and the reducer's ``min_count`` and ``max_rows``.

Each option is one field of one of these classes: its default is written
there, once, and its value is checked there, once, when the object is built
(a bad value raises `OptionError` naming the option).  An option's name is
its field's name, unless the field's metadata gives another (``tokenizer``
for `TokenizerSpec.name`); names are unique across all the parts, so
`with_keywords` can take any option as a plain keyword (the notebook form
of `wordfreq.count`) and the CLI can take any option as a flag of the same
name.  Adding an option is adding a field here (or in a part) and a click
option in `wordfreq.cli`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wordfreq.chunking import Decoding
from wordfreq.errors import OptionError, require_choice, require_whole
from wordfreq.filters import Filters
from wordfreq.records import NEWLINE, RecordFormat
from wordfreq.remote import Storage
from wordfreq.rows import RowSpec
from wordfreq.sources import Selection
from wordfreq.spill import physical_memory
from wordfreq.tokenizers import Tokenizer, TokenizerSpec, cut_points_for

ENGINES = ("local", "dask")
START_METHODS = ("fork", "spawn", "forkserver")


@dataclass(frozen=True)
class CountOptions:
    """What is counted: the options every worker needs besides its task."""

    tokenizer: TokenizerSpec = field(default_factory=TokenizerSpec)
    decoding: Decoding = field(default_factory=Decoding)
    records: RecordFormat = field(default_factory=RecordFormat)
    filters: Filters = field(default_factory=Filters)
    selection: Selection = field(default_factory=Selection)
    rows: RowSpec = field(default_factory=RowSpec)
    storage: Storage = field(default_factory=Storage)

    def __post_init__(self) -> None:
        if self.rows.doc_unit == "record" and not self.records.active:
            raise OptionError("doc_unit", "a record is a document only in JSON Lines (with a field)")

    @property
    def document_unit(self) -> str:
        """What a document is: the unit asked for, else a record in JSON Lines, else a file."""
        return self.rows.doc_unit or ("record" if self.records.active else "file")

    def cut_points(self) -> re.Pattern[str]:
        """Where the inputs may be cut into chunks: after a line feed for JSON Lines, n-grams and line
        documents, else where the tokenizer allows."""
        if self.records.active or self.rows.by_line:
            return NEWLINE
        return cut_points_for(self.tokenizer)

    def own_rows(self) -> Tokenizer | None:
        """What turns text into rows when it is not the tokenizer of ``tokenizer``: None here; a kind of
        count whose rows are not tokens (`wordfreq.discovery.RunsJob`) gives its own."""
        return None


@dataclass(frozen=True)
class RunOptions:
    """How a run goes: where and how fast the counting happens, and how much of the table is kept.

    ``workers`` None means the CPUs this process may use; ``chunk_size``
    None, `chunking.CHUNK_SIZE` bytes per task (`chunking.NETWORK_CHUNK_SIZE`
    for an object read by ranges over a network); ``start_method``
    None, the platform's; ``scheduler`` None, a new local Dask cluster;
    ``max_rows`` None, every row; ``memory`` (bytes the counts may hold
    before they are spilled to disk, `wordfreq.spill`) None, half of this
    machine's memory; ``temp_dir`` None, the platform's temporary directory.
    """

    engine: str = "local"
    workers: int | None = None
    chunk_size: int | None = None
    start_method: str | None = None
    scheduler: str | None = None
    min_count: int = 1
    max_rows: int | None = None
    memory: int | None = None
    temp_dir: str | None = None

    def __post_init__(self) -> None:
        require_choice("engine", self.engine, ENGINES, "engine")
        if self.workers is not None:
            require_whole("workers", self.workers, 1, "the number of workers")
        if self.chunk_size is not None:
            require_whole("chunk_size", self.chunk_size, 1, "the chunk size (bytes)")
        if self.start_method is not None:
            require_choice("start_method", self.start_method, START_METHODS, "start method")
        if self.scheduler is not None and self.engine != "dask":
            raise OptionError("scheduler", "a scheduler address is for the dask engine only")
        require_whole("min_count", self.min_count, 1, "the minimum count")
        if self.max_rows is not None:
            require_whole("max_rows", self.max_rows, 0, "the maximum number of rows")
        if self.memory is not None:
            require_whole("memory", self.memory, 1, "the memory budget (bytes)")
        if (self.memory is not None or self.temp_dir is not None) and self.engine != "local":
            option = "memory" if self.memory is not None else "temp_dir"
            raise OptionError(option, "spilling counts to disk is for the local engine only")
        if self.temp_dir is not None and not os.path.isdir(self.temp_dir):
            raise OptionError("temp_dir", f"{self.temp_dir}: not a directory")

    def memory_budget(self) -> int:
        """The memory budget in bytes: ``memory``, else half of this machine's memory (else 4 GiB)."""
        if self.memory is not None:
            return self.memory
        return (physical_memory() or 8 << 30) // 2


def _option_name(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("option", f.name))


def _parts() -> dict[str, tuple[str | None, type, str]]:
    """Every option: its name -> (the `CountOptions` part or None for `RunOptions`, its class, its field)."""
    found: dict[str, tuple[str | None, type, str]] = {}
    for part in dataclasses.fields(CountOptions):
        cls = part.default_factory
        assert isinstance(cls, type)
        for f in dataclasses.fields(cls):
            found[_option_name(f)] = (part.name, cls, f.name)
    for f in dataclasses.fields(RunOptions):
        found[_option_name(f)] = (None, RunOptions, f.name)
    return found


OPTIONS = _parts()


def option_default(option: str) -> Any:
    """The default value of ``option``, read off its field."""
    _, cls, name = OPTIONS[option]
    f = next(f for f in dataclasses.fields(cls) if f.name == name)
    return f.default_factory() if f.default is dataclasses.MISSING else f.default  # type: ignore[misc]


def with_keywords(
    what: CountOptions, how: RunOptions, keywords: Mapping[str, Any]
) -> tuple[CountOptions, RunOptions]:
    """``what`` and ``how`` with the options named in ``keywords`` set (each part checked again once).

    Raises TypeError for a keyword that names no option.
    """
    unknown = sorted(set(keywords) - set(OPTIONS))
    if unknown:
        raise TypeError(f"unknown option {unknown[0]!r} (the options are: {', '.join(sorted(OPTIONS))})")
    changes: dict[str | None, dict[str, Any]] = {}
    for option, value in keywords.items():
        part, _, name = OPTIONS[option]
        changes.setdefault(part, {})[name] = value
    run_changes = changes.pop(None, None)
    if run_changes:
        how = dataclasses.replace(how, **run_changes)
    if changes:
        parts = {part: dataclasses.replace(getattr(what, part), **values) for part, values in changes.items()}
        what = dataclasses.replace(what, **parts)  # type: ignore[arg-type]
    return what, how
