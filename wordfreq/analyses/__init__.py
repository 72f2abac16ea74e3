"""Stage 9, analyses: what is built on tables and on the count.

Owns the statistics of one table (`stats`), keywords of two (`keyness`),
how evenly each row of a count by part is spread over its parts
(`dispersion`), the HTML report (`report`, drawn by `charts`, with
`parts_report` for the tables of parts and `report_lines` for its top
words in context), new-word discovery
(`discovery`, which runs a count of its own through `wordfreq.api`), and a
word in its company: the concordance (`kwic`, on the workers' pool) and
the collocates (`collocates`, a count of its own whose windows are walked
in `_windows.c`), both reading lines through `occurrences`.  What each is
asked (its options model, its sorts and formats) is `specs`, which imports
none of them: the command line reads it at start, and `wordfreq` imports an
analysis only when it is first used.

May import: `wordfreq.api`, `wordfreq.options`, `wordfreq.tables` and every stage below.
"""
