"""Stage 9, analyses: what is built on tables and on the count.

Owns the statistics of one table (`stats`), keywords of two (`keyness`),
the HTML report (`report`, drawn by `charts`) and new-word discovery
(`discovery`, which runs a count of its own through `wordfreq.api`).

May import: `wordfreq.api`, `wordfreq.options`, `wordfreq.tables` and every stage below.
"""
