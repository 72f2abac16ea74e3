"""What each corpus analysis is asked: its options model, checked once, and the choices it offers.

The concordance (`KwicSpec`), the collocates (`CollocatesSpec`), new-word
discovery (`DiscoverSpec`) and the report's lines in context (`ReportLines`)
each take one frozen options object, whose
``__post_init__`` checks every value; the words they look for are one
`Nodes`.  The sorts and formats each offers are defined here, once, for the
analysis that checks them and for the command line that lists them.

This module is light on purpose: the command line declares its options from
these classes when it starts, and must not pay for the analyses themselves
(numpy, the windows' C, the SQL of discovery), which `wordfreq` imports only
when one is used.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field

from wordfreq.counting.options import CountOptions
from wordfreq.errors import OptionError, require_choice, require_whole
from wordfreq.workers.run_options import RunOptions

WHITESPACE = re.compile(r"\s")  # what no token holds

KWIC_SORTS = ("source", "left", "right")
KWIC_FORMATS = ("tsv", "jsonl", "parquet", "text")
MEASURES = ("o", "e", "f_node", "f_collocate", "mi", "mi3", "t", "ll", "log_dice")  # a collocate's figures
COLLOCATE_SORTS = ("collocate", *MEASURES)
COLLOCATE_FORMATS = ("tsv", "csv", "jsonl", "parquet")
MAX_LENGTH = 12  # the longest candidate word discovery may be asked for (characters)
CANDIDATE_FORMATS = ("tsv", "csv", "jsonl", "parquet", "jieba")


@dataclass(frozen=True)
class Nodes:
    """The words looked for: tokens as the table shows them, or with ``regex`` patterns that must match
    a whole token (Python's `re`)."""

    words: tuple[str, ...] = ()
    regex: bool = False

    def __post_init__(self) -> None:
        words = tuple(dict.fromkeys(self.words))  # each once, in the order given
        object.__setattr__(self, "words", words)
        if not words:
            raise OptionError("words", "no word given")
        for word in words:
            if not isinstance(word, str) or not word:
                raise OptionError("words", "a word is a non-empty string")
            if self.regex:
                try:
                    re.compile(word)
                except re.error as err:
                    raise OptionError("words", f"{word!r} is not a regular expression: {err}") from None
            elif WHITESPACE.search(word):
                raise OptionError("words", f"{word!r} holds whitespace, which no token does")


@dataclass(frozen=True)
class KwicSpec:
    """What a concordance shows: ``nodes``; ``width`` characters each side; the order (``sort``); at most
    ``max_rows`` rows; or a sample of ``sample`` of them drawn with ``seed``."""

    nodes: Nodes
    width: int = 40
    sort: str = "source"
    max_rows: int | None = None
    sample: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        require_whole("width", self.width, 0, "the width of a context")
        require_choice("sort", self.sort, KWIC_SORTS, "sort")
        if self.max_rows is not None:
            require_whole("max_rows", self.max_rows, 0, "the maximum number of rows")
        if self.sample is not None:
            require_whole("sample", self.sample, 1, "the size of the sample")
        if not isinstance(self.seed, int):
            raise OptionError("seed", f"expected a whole number, not {self.seed!r}")


@dataclass(frozen=True)
class ReportLines:
    """The lines in context a report shows (``report --corpus``): the first ``lines`` rows, in corpus order,
    of each of its first ``words`` words (A's positive keywords; of one table, its most frequent rows), as
    the concordance of ``corpus`` gives them with ``width`` characters each side, read with the options
    that made the table (``count_options``, ``run_options``)."""

    corpus: tuple[str, ...]
    words: int = 10
    lines: int = 3
    width: int = 30
    count_options: CountOptions = field(default_factory=CountOptions)
    run_options: RunOptions = field(default_factory=RunOptions)

    def __post_init__(self) -> None:
        corpus = (self.corpus,) if isinstance(self.corpus, str) else tuple(self.corpus)
        object.__setattr__(self, "corpus", corpus)
        if not corpus:
            raise OptionError("corpus", "no corpus given: the lines come from the corpus the table counts")
        require_whole("words", self.words, 1, "the words given lines")
        require_whole("lines", self.lines, 1, "the lines of each word")
        require_whole("width", self.width, 0, "the width of a context")


@dataclass(frozen=True)
class CollocatesSpec:
    """Which collocates of which ``nodes``: ``left`` and ``right`` tokens each side; rows with ``o`` at
    least ``min_count`` and f(c) at least ``min_freq``, ordered by ``sort`` (descending; the collocate
    ascending), at most ``max_rows`` per node."""

    nodes: Nodes
    left: int = 5
    right: int = 5
    min_count: int = 3
    min_freq: int = 1
    sort: str = "log_dice"
    max_rows: int | None = None

    def __post_init__(self) -> None:
        if self.nodes.regex:
            raise OptionError("regex", "collocates are of words, not patterns")
        require_whole("left", self.left, 0, "the tokens left of the node")
        require_whole("right", self.right, 0, "the tokens right of the node")
        if self.left + self.right == 0:
            raise OptionError("window", "the window is empty: give --left or --right")
        require_whole("min_count", self.min_count, 1, "the minimum co-occurrence count")
        require_whole("min_freq", self.min_freq, 1, "the minimum frequency")
        require_choice("sort", self.sort, COLLOCATE_SORTS, "measure")
        if self.max_rows is not None:
            require_whole("max_rows", self.max_rows, 0, "the maximum number of rows")


@dataclass(frozen=True)
class DiscoverSpec:
    """The thresholds and the selection of a discovery (see the module docstring).

    ``min_count`` None means `auto_min_count` of the corpus; ``max_rows``
    None, every candidate; ``new_only``, only those the dictionary does not
    know; ``resegment``, check the candidates against the dictionary's
    segmentation of the corpus and jieba's HMM (`_resegmented`).
    """

    max_length: int = 6
    min_count: int | None = None
    min_pmi: float = 2.0
    pmi_step: float = 1.0
    min_entropy: float = 1.0
    resegment: bool = True
    new_only: bool = False
    max_rows: int | None = None

    def __post_init__(self) -> None:
        require_whole("max_length", self.max_length, 2, "the longest candidate (characters)")
        if self.max_length > MAX_LENGTH:
            raise OptionError("max_length", f"at most {MAX_LENGTH} characters, not {self.max_length}")
        if self.min_count is not None:
            require_whole("min_count", self.min_count, 1, "the minimum count")
        if self.max_rows is not None:
            require_whole("max_rows", self.max_rows, 0, "the maximum number of rows")
        for name in ("min_pmi", "pmi_step", "min_entropy"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise OptionError(name, f"expected a number, not {value!r}")
        if self.pmi_step < 0 or self.min_entropy < 0:
            name = "pmi_step" if self.pmi_step < 0 else "min_entropy"
            raise OptionError(name, f"must not be negative, not {getattr(self, name)}")

    def threshold(self, length: int) -> float:
        """The cohesion a candidate of ``length`` characters needs."""
        return self.min_pmi + self.pmi_step * (length - 2)


SPEC_FIELDS = frozenset(f.name for f in dataclasses.fields(DiscoverSpec))
