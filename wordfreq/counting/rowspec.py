"""Rows: what a table counts -- tokens or n-grams -- and in how many documents.

`RowSpec` is the ``rows`` part of `wordfreq.CountOptions`:

* ``ngram`` -- the orders counted, ``(1, 1)`` for single tokens; ``2`` or
  ``"1-3"`` are accepted.  A row of order N is N consecutive tokens joined by
  one space (U+0020; tokens never hold whitespace, so this is unambiguous).
  The tokens are exactly those the unigram table counts, in order: each
  token split on whitespace, then the filters.  An n-gram never crosses a
  line feed, the end of a document or of a JSON Lines record, nor a token
  that a filter dropped; other whitespace does not break it.
* ``doc_freq`` -- also count, for each row, the documents it occurs in (the
  table's third column).  ``doc_unit`` says what a document is: a ``file``
  (the default), a ``record`` (the default with a JSON Lines field) or a
  ``line`` (one with a character other than whitespace).
* ``part_by`` -- count each row per part of the corpus (`wordfreq.parts`),
  for the long table (``per_part``: one row per part and row) or the
  table of dispersion (``dispersion``: how evenly each row is spread over
  the parts); one of the two is asked for with it.

The plain table (single tokens, no document counts) is counted by the
tokenizers' fast ``add_counts``, or by the compiled tokenizer's `row_table`
when no filter is active (`wordfreq.counting.tasks`); `count_lines` here counts the rows of one
document (or of a piece of one) for everything else, and `row_table` makes
the compiled tokenizer's table that counts the n-grams of many texts
without document counts, held in C across a worker's tasks.  With n-grams
every text is tokenized one line at a time: a line feed is a cut point of
every tokenizer (`tests/test_inputs.py`), so the tokens are the same as the
whole text's, and the line is what an n-gram may not cross.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from wordfreq.chunks.parts import PartBy
from wordfreq.counting.filters import Filters
from wordfreq.errors import OptionError, require_choice
from wordfreq.tokenizers import Tokenizer

DOC_UNITS = ("file", "record", "line")
_NGRAM = re.compile(r"\s*([0-9]+)\s*(?:-\s*([0-9]+)\s*)?")
MAX_ORDER = 16  # far above any use, low enough to refuse a typo like 1-1000000


@dataclass(frozen=True)
class RowSpec:
    """What a row is (a token or an n-gram) and whether documents are counted; see the module docstring."""

    ngram: tuple[int, int] = (1, 1)
    doc_freq: bool = False
    doc_unit: str | None = None
    part_by: PartBy | None = None
    per_part: bool = False
    dispersion: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "ngram", _parse_orders(self.ngram))
        if self.part_by is not None:
            object.__setattr__(self, "part_by", PartBy.parse(self.part_by))
            if self.per_part == self.dispersion:
                raise OptionError("part_by", "ask for one table of the parts: --per-part or --dispersion")
            if self.doc_freq:
                raise OptionError("doc_freq", "document counts are not counted per part")
        else:
            for option in ("per_part", "dispersion"):
                if getattr(self, option):
                    raise OptionError(
                        option, "counting per part needs --part-by (file, field:PATH or path:REGEX)"
                    )
        if self.doc_unit is not None:
            require_choice("doc_unit", self.doc_unit, DOC_UNITS, "document unit")
            if not self.doc_freq:
                raise OptionError("doc_unit", "a document unit is for counting documents (doc_freq) only")

    @property
    def plain(self) -> bool:
        """Single tokens, no document counts, no parts: the tokenizers' fast counting path."""
        return self.ngram == (1, 1) and not self.doc_freq and self.part_by is None

    @property
    def ordered(self) -> bool:
        """Whether the tokens are needed in order (n-grams), not only counted."""
        return self.ngram[1] > 1

    @property
    def by_line(self) -> bool:
        """Whether inputs are cut only after a line feed (no n-gram or line document spans a cut)."""
        return self.ordered or self.doc_unit == "line"


def _parse_orders(value: object) -> tuple[int, int]:
    """``2`` -> (2, 2); ``"1-3"`` -> (1, 3); ``(1, 3)`` stays; anything else raises `OptionError`."""
    orders: tuple[int, int] | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        orders = (value, value)
    elif isinstance(value, str):
        match = _NGRAM.fullmatch(value)
        if match:
            low = int(match.group(1))
            orders = (low, int(match.group(2) or low))
    elif isinstance(value, tuple) and len(value) == 2 and all(type(n) is int for n in value):
        orders = (value[0], value[1])
    if orders is None or not 1 <= orders[0] <= orders[1] <= MAX_ORDER:
        raise OptionError(
            "ngram", f"expected an order N or a range N-M with 1 <= N <= M <= {MAX_ORDER}, not {value!r}"
        )
    return orders


def kept_runs(pieces: Iterable[str], filters: Filters) -> Iterator[list[str]]:
    """The runs of consecutive pieces the filters keep (lowercased if asked); a dropped piece ends a run."""
    keep = piece_filter(filters)
    if keep is None:
        run = list(pieces)
        if run:
            yield run
        return
    run = []
    for piece in pieces:
        kept = keep(piece)
        if kept is not None:
            run.append(kept)
        elif run:
            yield run
            run = []
    if run:
        yield run


def add_grams(run: list[str], orders: tuple[int, int], counts: Counter[str]) -> None:
    """Add the n-grams of every order in ``orders`` of one gap-free run of tokens to ``counts``."""
    low, high = orders
    for n in range(low, min(high, len(run)) + 1):
        if n == 1:
            counts.update(run)
        else:
            counts.update(map(" ".join, zip(*(run[k:] for k in range(n)))))


def count_lines(
    text: str,
    tokenizer: Tokenizer,
    filters: Filters,
    orders: tuple[int, int],
    counts: Counter[str] | None = None,
) -> Counter[str]:
    """Add the rows of ``text``, its n-grams of ``orders`` line by line, to ``counts`` (a new one if None).

    A tokenizer with ``add_rows`` (the compiled one) counts them itself,
    asking the filters once per distinct token.  Otherwise the pieces of a
    line are its tokens split on whitespace: joining the tokens with a space
    and splitting the result on whitespace gives them in one pass of
    compiled code.
    """
    counts = Counter() if counts is None else counts
    add_rows = getattr(tokenizer, "add_rows", None)
    if add_rows is not None:
        add_rows(text, orders, piece_filter(filters, tagged_tokens(tokenizer)), counts)
        return counts
    for line in text.split("\n"):
        pieces = " ".join(tokenizer.tokenize(line)).split()
        if not filters.active:
            if pieces:
                add_grams(pieces, orders, counts)
            continue
        for run in kept_runs(pieces, filters):
            add_grams(run, orders, counts)
    return counts


def row_table(tokenizer: Tokenizer, filters: Filters, orders: tuple[int, int]) -> Any | None:
    """An empty table that counts the n-grams of ``orders`` of many texts in compiled code and holds them
    there (``tokenizer.count_rows(text, table)``; ``table.take()``), where ``tokenizer`` has one (the
    compiled jieba); else None.  The same rows as `count_lines`, without a Python object per row."""
    make = getattr(tokenizer, "row_table", None)
    return None if make is None else make(orders, piece_filter(filters, tagged_tokens(tokenizer)))


def piece_filter(filters: Filters, tagged: bool = False) -> Callable[[str], str | None] | None:
    """The filters as one function of a piece: what to count in its place (lowercased if asked), or None
    to drop it; None when no filter is active.  `kept_runs`, one piece at a time.  ``tagged``: pieces
    are ``word/tag`` (`Filters.piece`)."""
    if not filters.active:
        return None
    return functools.partial(filters.piece, tagged=tagged)


def tagged_tokens(tokenizer: Tokenizer) -> bool:
    """Whether ``tokenizer``'s tokens are ``word/tag`` (parts of speech)."""
    return bool(getattr(tokenizer, "with_tags", False))


def lines_of(text: str) -> list[str]:
    """The line documents of ``text``: its lines with a character other than whitespace."""
    return [line for line in text.split("\n") if line and not line.isspace()]
