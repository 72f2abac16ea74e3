"""wordfreq: word-frequency tables of large text corpora, Chinese first.

The package is laid out the way the data flows:

* `wordfreq.sources`     -- where the bytes come from (files, directories, stdin);
* `wordfreq.chunking`    -- how bytes become text chunks that are safe to cut;
* `wordfreq.tokenizers`  -- how a chunk becomes tokens (one small interface);
* `wordfreq.counting`    -- how tokens become a partial count;
* `wordfreq.concurrency` -- how partial counts are scheduled and merged (the pool);
* `wordfreq.table`       -- how a table is ordered, read, written (atomically) and merged;
* `wordfreq.stats`       -- what a table says: tokens, types, hapax, coverage, Zipf;
* `wordfreq.api`         -- the functions below, which wire the stages together;
* `wordfreq.cli`         -- the click commands, a thin shell over the API.
"""

from wordfreq.api import CountResult, count
from wordfreq.errors import InputError, OutputError, WordfreqError, WorkerError
from wordfreq.stats import TableStats, table_stats
from wordfreq.table import FORMATS, merge_tables, read_rows, read_table, sorted_rows, top_rows, write_rows

__all__ = [
    "CountResult",
    "FORMATS",
    "InputError",
    "OutputError",
    "TableStats",
    "WordfreqError",
    "WorkerError",
    "count",
    "merge_tables",
    "read_rows",
    "read_table",
    "sorted_rows",
    "table_stats",
    "top_rows",
    "write_rows",
]
