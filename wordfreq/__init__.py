"""wordfreq: word-frequency tables of large text corpora, Chinese first.

The package is laid out the way the data flows:

* `wordfreq.sources`     -- where the bytes come from (files, directories, stdin);
* `wordfreq.chunking`    -- how bytes become text chunks that are safe to cut;
* `wordfreq.tokenizers`  -- how a chunk becomes tokens (one small interface);
* `wordfreq.filters`     -- which tokens a table keeps; `wordfreq.records`: JSON Lines;
* `wordfreq.options`     -- the one options model: what is counted, how a run goes;
* `wordfreq.counting`    -- how tokens become a partial count;
* `wordfreq.concurrency` -- how partial counts are scheduled and merged (the pool),
                            and every child process and signal handler;
* `wordfreq.dask_engine` -- the same count on a Dask cluster;
* `wordfreq.table`       -- how a table is ordered, read, written (atomically) and merged;
* `wordfreq.stats`       -- what a table says: tokens, types, hapax, coverage, Zipf;
* `wordfreq.keyness`     -- keywords: two tables compared (G², Log Ratio, %DIFF);
* `wordfreq.discovery`   -- new words: Han strings ranked by count, cohesion and boundary entropy;
* `wordfreq.api`         -- the functions below, which wire the stages together;
* `wordfreq.cli`         -- the click commands, a thin shell over the API.
"""

from wordfreq.api import CountResult, count
from wordfreq.chunking import Decoding
from wordfreq.discovery import Candidate, DiscoverResult, DiscoverSpec, discover_words
from wordfreq.errors import InputError, OptionError, OutputError, WordfreqError, WorkerError
from wordfreq.filters import Filters
from wordfreq.keyness import KeyRow, compare, critical_value
from wordfreq.options import CountOptions, RunOptions
from wordfreq.records import RecordFormat
from wordfreq.rows import RowSpec
from wordfreq.sources import Selection
from wordfreq.stats import TableStats, table_stats
from wordfreq.table import FORMATS, merge_tables, read_rows, read_table, sorted_rows, top_rows, write_rows
from wordfreq.tokenizers import TokenizerSpec

__all__ = [
    "Candidate",
    "DiscoverResult",
    "DiscoverSpec",
    "CountOptions",
    "CountResult",
    "Decoding",
    "FORMATS",
    "Filters",
    "InputError",
    "KeyRow",
    "OptionError",
    "OutputError",
    "RecordFormat",
    "RowSpec",
    "RunOptions",
    "Selection",
    "TokenizerSpec",
    "TableStats",
    "WordfreqError",
    "WorkerError",
    "compare",
    "count",
    "critical_value",
    "discover_words",
    "merge_tables",
    "read_rows",
    "read_table",
    "sorted_rows",
    "table_stats",
    "top_rows",
    "write_rows",
]
