"""Options: the one model of what a run counts and how it goes.

Two immutable objects carry every option of a count, from the command line
(or a notebook) down to the workers:

* `CountOptions` (`wordfreq.counting.options`) -- *what* is counted.  Its parts are the stages' own
  values: `TokenizerSpec` (tokenizer, mode, HMM, user dictionary),
  `Decoding` (encoding, error mode), `RecordFormat` (JSON Lines field),
  `Filters` (lowercasing, stopwords, punctuation, numbers, length),
  `Selection` (include/exclude globs), `RowSpec` (n-grams, document
  counts), `Storage` (how URLs are opened) and `Conversion` (OpenCC).  It is what every worker
  receives.
* `RunOptions` (`wordfreq.workers.run_options`) -- *how* the run goes: engine, workers, chunk size, start
  method, scheduler, and the reducer's ``min_count`` and ``max_rows``.

Each option is one field of one of these classes: its default is written
there, once, and its value is checked there, once, when the object is built
(a bad value raises `OptionError` naming the option).  An option's name is
its field's name, unless the field's metadata gives another (``tokenizer``
for `TokenizerSpec.name`); names are unique across all the parts, so
`with_keywords` can take any option as a plain keyword (the notebook form
of `wordfreq.count`) and the CLI can take any option as a flag of the same
name.  Adding an option is adding a field to a part (or to `RunOptions`) and
a click option in `wordfreq.cli`.

Each class lives in the lowest stage that reads it, so that a worker
imports nothing above itself; this module gathers them, with the choices
their fields accept (`TOKENIZERS`, `ENGINES`...), as the model the command
line and a notebook see.
"""

from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Mapping
from typing import Any

from wordfreq.chunks.conversion import CONFIGS, Conversion
from wordfreq.chunks.jsonl import RecordFormat
from wordfreq.chunks.planning import CHUNK_SIZE, ERROR_MODES, NETWORK_CHUNK_SIZE, Decoding
from wordfreq.counting.filters import Filters
from wordfreq.counting.options import CountOptions
from wordfreq.counting.rowspec import DOC_UNITS, RowSpec
from wordfreq.counting.stoplists import STOP_LISTS
from wordfreq.errors import InputError, OptionError, OutputError
from wordfreq.sources.inputs import Selection
from wordfreq.tables.formats import read_table, write_rows
from wordfreq.tables.parquet import is_parquet
from wordfreq.tokenizers import MODES, TOKENIZERS, TokenizerSpec
from wordfreq.workers.run_options import ENGINES, START_METHODS, RunOptions

STOP_LIST_NAMES = tuple(STOP_LISTS)  # the names --stop-list takes

__all__ = [
    "CHUNK_SIZE",
    "CONFIGS",
    "DOC_UNITS",
    "ENGINES",
    "ERROR_MODES",
    "MODES",
    "NETWORK_CHUNK_SIZE",
    "OPTIONS",
    "START_METHODS",
    "STOP_LIST_NAMES",
    "TOKENIZERS",
    "Conversion",
    "CountOptions",
    "Decoding",
    "Filters",
    "RecordFormat",
    "RowSpec",
    "RunOptions",
    "Selection",
    "TokenizerSpec",
    "option_default",
    "with_keywords",
]


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


def parquet_vocabulary(path: str | os.PathLike[str]) -> bytes | None:
    """The Parquet table at ``path`` (its ``token`` and ``count`` columns) as a jieba user dictionary,
    'token count' per line; None when ``path`` is not a local Parquet file.  A row jieba cannot
    take (a token with whitespace) is an `OptionError` of ``user_dict``."""
    try:
        with open(path, "rb") as f:
            if not is_parquet(f.read(5)):
                return None
    except OSError:
        return None  # TokenizerSpec says what is wrong with it
    out = io.BytesIO()
    try:
        write_rows(read_table(path, "parquet"), out, "jieba")
    except (InputError, OutputError) as err:
        raise OptionError("user_dict", f"{os.fspath(path)}: {err}") from None
    return out.getvalue()


def with_keywords(
    count_options: CountOptions, run_options: RunOptions, keywords: Mapping[str, Any]
) -> tuple[CountOptions, RunOptions]:
    """``count_options`` and ``run_options`` with the options named in ``keywords`` set (each part
    checked again once).

    A ``user_dict`` that names a Parquet table is read as a vocabulary (`parquet_vocabulary`).
    Raises TypeError for a keyword that names no option.
    """
    unknown = sorted(set(keywords) - set(OPTIONS))
    if unknown:
        raise TypeError(f"unknown option {unknown[0]!r} (the options are: {', '.join(sorted(OPTIONS))})")
    changes: dict[str | None, dict[str, Any]] = {}
    for option, value in keywords.items():
        if option == "user_dict" and isinstance(value, (str, os.PathLike)):
            value = parquet_vocabulary(value) or value
        part, _, name = OPTIONS[option]
        changes.setdefault(part, {})[name] = value
    run_changes = changes.pop(None, None)
    if run_changes:
        run_options = dataclasses.replace(run_options, **run_changes)
    if changes:
        parts = {
            part: dataclasses.replace(getattr(count_options, part), **values)
            for part, values in changes.items()
        }
        count_options = dataclasses.replace(count_options, **parts)  # type: ignore[arg-type]
    return count_options, run_options
