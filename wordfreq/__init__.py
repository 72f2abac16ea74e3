"""wordfreq: word-frequency tables of large text corpora, Chinese first.

This module is the public API: what a notebook calls, and all that the
command line (`wordfreq.cli`) uses besides the options model
(`wordfreq.options`) and the errors (`wordfreq.errors`)::

    from wordfreq import count
    result = count(["corpus/"], workers=2)
    result.rows()[:10]

The package is laid out the way the data flows, one package a stage, and
each imports only from those below it (docs/how-it-works.md draws it):

* `wordfreq.sources`    -- where the bytes come from: files, stdin, URLs;
* `wordfreq.chunks`     -- how bytes become tasks that are safe to cut, and JSON Lines records;
* `wordfreq.tokenizers` -- how text becomes tokens (one small interface);
* `wordfreq.counting`   -- how the tokens of tasks become a partial count: rows, filters;
* `wordfreq.reduce`     -- how partial counts are summed: the table's order, packs, spilling, merging;
* `wordfreq.workers`    -- how the work runs: the local pool, a Dask cluster;
* `wordfreq.tables`     -- how a table is written and read, atomically; Parquet; results as DataFrames;
* `wordfreq.options`    -- the one options model (`CountOptions`, `RunOptions`);
* `wordfreq.api`        -- `count`, which wires the stages together;
* `wordfreq.analyses`   -- what is built on tables and on the count: stats, keyness, dispersion, the report,
                           new words, the concordance (KWIC) and the collocates;
* `wordfreq.cli`        -- the click commands, a thin shell over this module.

`wordfreq.errors` and `wordfreq.signals` are below every stage.
"""

import importlib
from typing import Any

from wordfreq.analyses.keyness import (
    KEYNESS_SORTS,
    STANDARD_P,
    KeyRow,
    Keywords,
    compare,
    critical_value,
    token_counts,
    write_keyness,
)
from wordfreq.analyses.specs import (
    CANDIDATE_FORMATS,
    COLLOCATE_FORMATS,
    COLLOCATE_SORTS,
    KWIC_FORMATS,
    KWIC_SORTS,
    SPEC_FIELDS,
    CollocatesSpec,
    DiscoverSpec,
    KwicSpec,
    Nodes,
    ReportLines,
)
from wordfreq.analyses.stats import TableStats, format_stats, table_stats
from wordfreq.api import CountResult, count
from wordfreq.counting.options import CountOptions
from wordfreq.counting.stoplists import stop_lists
from wordfreq.errors import InputError, OptionError, OutputError, WordfreqError, WorkerError
from wordfreq.options import Decoding, Filters, RecordFormat, RowSpec, Selection, TokenizerSpec
from wordfreq.reduce.merge import merge_tables
from wordfreq.reduce.order import sorted_rows, top_rows
from wordfreq.signals import Terminated, handle_sigterm
from wordfreq.sources.inputs import STDIN, Source, display_name, open_binary
from wordfreq.tables.formats import FORMATS, WRITE_FORMATS, read_rows, read_table, write_rows
from wordfreq.tables.frames import MissingLibrary
from wordfreq.tables.long import (
    REST,
    key_rows,
    merged_long_rows,
    part_against,
    read_any_table,
    read_table_of_kind,
    table_rows,
    write_long_rows,
)
from wordfreq.tables.output import atomic_output
from wordfreq.tokenizers import describe_engine
from wordfreq.workers.run_options import RunOptions

# The analyses a count never uses are imported on their first use (PEP 562's module ``__getattr__``),
# so that `wordfreq count` starts without them: the concordance, the collocates (numpy), discovery
# (its SQL), dispersion and the report.  Their options models (`wordfreq.analyses.specs`) are light and
# imported above: the command line declares its options from them.
_ON_FIRST_USE = {
    "wordfreq.analyses.collocates": ("Collocate", "CollocatesResult", "find_collocates", "write_collocates"),
    "wordfreq.analyses.discovery": (
        "Candidate",
        "DiscoverResult",
        "describe_dictionaries",
        "discover_words",
        "write_candidates",
    ),
    "wordfreq.analyses.dispersion": ("DispersionRow", "dispersion_table", "write_dispersion"),
    "wordfreq.analyses.kwic": ("KwicResult", "KwicRow", "concordance", "write_kwic", "write_kwic_tsv"),
    "wordfreq.analyses.occurrences": ("words_from_file",),
    "wordfreq.analyses.report": ("report_html",),
}
_MODULE_OF = {name: module for module, names in _ON_FIRST_USE.items() for name in names}


def __getattr__(name: str) -> Any:
    """A name of an analysis imported on first use (then kept, as if imported at the top)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'wordfreq' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULE_OF})


__all__ = [
    "CANDIDATE_FORMATS",
    "COLLOCATE_FORMATS",
    "COLLOCATE_SORTS",
    "KWIC_FORMATS",
    "KWIC_SORTS",
    "Collocate",
    "CollocatesResult",
    "CollocatesSpec",
    "KwicResult",
    "KwicRow",
    "KwicSpec",
    "Nodes",
    "ReportLines",
    "concordance",
    "find_collocates",
    "words_from_file",
    "write_collocates",
    "write_kwic",
    "write_kwic_tsv",
    "FORMATS",
    "KEYNESS_SORTS",
    "SPEC_FIELDS",
    "STANDARD_P",
    "STDIN",
    "WRITE_FORMATS",
    "Candidate",
    "Decoding",
    "Filters",
    "RecordFormat",
    "RowSpec",
    "Selection",
    "TokenizerSpec",
    "CountOptions",
    "CountResult",
    "DiscoverResult",
    "DiscoverSpec",
    "DispersionRow",
    "REST",
    "InputError",
    "KeyRow",
    "Keywords",
    "MissingLibrary",
    "OptionError",
    "OutputError",
    "RunOptions",
    "Source",
    "TableStats",
    "Terminated",
    "WordfreqError",
    "WorkerError",
    "atomic_output",
    "compare",
    "count",
    "critical_value",
    "describe_dictionaries",
    "describe_engine",
    "discover_words",
    "dispersion_table",
    "key_rows",
    "merged_long_rows",
    "part_against",
    "read_any_table",
    "read_table_of_kind",
    "table_rows",
    "write_dispersion",
    "write_long_rows",
    "display_name",
    "format_stats",
    "handle_sigterm",
    "merge_tables",
    "open_binary",
    "read_rows",
    "read_table",
    "report_html",
    "sorted_rows",
    "stop_lists",
    "table_stats",
    "token_counts",
    "top_rows",
    "write_candidates",
    "write_keyness",
    "write_rows",
]
