"""Stage 4, counting: how the tokens of tasks become a partial count.

Owns what a row is (tokens, n-grams, documents: `rowspec`), which tokens a
table keeps (`filters`, with the named stopword lists of `stoplists`), what
is counted (`options.CountOptions`, the part of the options model every
worker receives), and the loop that counts tasks into a `PartialCount`
(`tasks`).  It decides nothing about memory or
processes: a caller that must look at the count between tasks passes a
function (``after_each``).

May import: `wordfreq.tokenizers`, `wordfreq.chunks`, `wordfreq.sources` and below.
"""
