"""Filters: which tokens a table keeps, and in what form.

`Filters` holds the per-token rules of a run, applied to partial counts in
the workers (each rule maps or drops tokens one by one, so applying them to
partial counts and then merging equals merging and then applying them):

* ``lowercase``: fold tokens with `str.lower` (after segmentation, so jieba
  segments exactly as the naive program does);
* ``stopwords``: drop these tokens (compared after lowercasing), with the
  words of the named lists of ``stop_list`` (`wordfreq.counting.stoplists`);
* ``no_punct``: drop tokens made only of punctuation and symbols (Unicode
  categories P* and S*);
* ``no_numbers``: drop tokens made only of digits of any script (category
  Nd) and the separators in `NUMBER_SEPARATORS`, with at least one digit;
* ``min_length``: drop tokens shorter than this many characters.

With parts of speech (``--pos``), a token is ``word/tag``: the rules look
at the word and keep the tag (``tagged``).

``min_count`` and ``max_rows`` act on the merged table, at the reducer
(`wordfreq.api`), not here.
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections import Counter
from dataclasses import dataclass

from wordfreq.counting.stoplists import stop_list
from wordfreq.errors import OptionError, require_whole
from wordfreq.sources.inputs import read_option_file

NUMBER_SEPARATORS = frozenset(".,%‰．，％")


def is_punct(token: str) -> bool:
    """Made only of punctuation and symbols."""
    return bool(token) and all(unicodedata.category(c)[0] in "PS" for c in token)


def is_number(token: str) -> bool:
    """Made only of digits (any script) and number separators, with a digit."""
    digits = 0
    for c in token:
        if unicodedata.category(c) == "Nd":
            digits += 1
        elif c not in NUMBER_SEPARATORS:
            return False
    return digits > 0


def _read_stopwords(path: str | os.PathLike[str]) -> frozenset[str]:
    """One word a line, UTF-8 (a leading BOM is skipped); blank lines ignored."""
    text = read_option_file("stopwords", path, "a stopword list").decode("utf-8-sig")
    return frozenset(word for line in io.StringIO(text, newline=None) if (word := line.strip()))


@dataclass(frozen=True)
class Filters:
    """The per-token rules of a run (see the module docstring).

    ``stopwords`` may be given as the path of a stopword list (one word a
    line), read once, here, or as any iterable of words; the words of the
    lists named in ``stop_list`` are added to it.
    """

    lowercase: bool = False
    stopwords: frozenset[str] = frozenset()
    stop_list: tuple[str, ...] = ()
    no_punct: bool = False
    no_numbers: bool = False
    min_length: int = 0

    def __post_init__(self) -> None:
        words = self.stopwords
        if isinstance(words, (str, os.PathLike)):
            words = _read_stopwords(words)
        elif words is None:
            words = frozenset()
        words = frozenset(words)
        if not all(isinstance(word, str) for word in words):
            raise OptionError("stopwords", "stopwords must be strings")
        names = (self.stop_list,) if isinstance(self.stop_list, str) else tuple(self.stop_list or ())
        object.__setattr__(self, "stop_list", names)
        for name in names:
            words |= stop_list(name)
        if self.lowercase:
            words = frozenset(word.lower() for word in words)
        object.__setattr__(self, "stopwords", words)
        require_whole("min_length", self.min_length, 0, "the minimum length")

    @property
    def active(self) -> bool:
        return bool(
            self.lowercase or self.stopwords or self.no_punct or self.no_numbers or self.min_length > 1
        )

    def keeps(self, token: str) -> bool:
        """Whether ``token`` (already lowercased if asked) stays in the table."""
        return not (
            (self.min_length > 1 and len(token) < self.min_length)
            or token in self.stopwords
            or (self.no_punct and is_punct(token))
            or (self.no_numbers and is_number(token))
        )

    def piece(self, token: str, tagged: bool = False) -> str | None:
        """What the rules make of ``token`` (lowercased if asked), or None where they drop it; a
        ``tagged`` token (``word/tag``) is judged by its word and keeps its tag."""
        if tagged:
            word, slash, tag = token.rpartition("/")
            kept = self.piece(word)
            return None if kept is None else kept + slash + tag
        if self.lowercase:
            token = token.lower()
        return token if self.keeps(token) else None

    def apply(self, counts: Counter[str], tagged: bool = False) -> Counter[str]:
        """``counts`` with every rule applied (a new counter when anything changes); ``tagged`` as for
        `piece`."""
        if not self.active:
            return counts
        if tagged:
            result: Counter[str] = Counter()
            for token, n in counts.items():
                kept = self.piece(token, tagged)
                if kept is not None:
                    result[kept] += n
            return result
        if self.lowercase:
            folded: Counter[str] = Counter()
            for token, n in counts.items():
                folded[token.lower()] += n
            counts = folded
        keeps = self.keeps
        return Counter({token: n for token, n in counts.items() if keeps(token)})
