"""Stage 7, tables: how a finished table is written and read.

Owns the formats (TSV, CSV, JSON Lines and the write-only vocabularies of
other tools, `formats`; Parquet through DuckDB, `parquet`), the long table
of a count by part (`long`: its reading, writing and merging), the results
as DataFrames (`frames`, through ``_arrow.c``) and `output.atomic_output`,
the only way the package writes a file: never a partial file, never a
leftover temporary.

May import: `wordfreq.workers` and below (in practice `wordfreq.reduce` for the table's order).
"""
