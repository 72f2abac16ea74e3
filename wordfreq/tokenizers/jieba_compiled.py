"""jieba's exact tokens, computed by compiled code: the default tokenizer.

``_jieba.c`` (beside this module, built by ``pip install`` where a C compiler
is found) computes jieba 0.42.1's whole algorithm -- the prefix dictionary,
the blocks, the DAG and the most probable route, the HMM of
``jieba.finalseg`` for the buffers, all and search modes -- with the same
floating point operations in the same order and the same choices on ties,
so its tokens are jieba's by construction, not by correction.  It makes a
Python string per *distinct* token, not per token: that is where its speed
comes from.  Where it was not built, `available` says why and the default
tokenizer is jieba itself.

What it is given, so that it segments with exactly jieba's state:

* the dictionary: jieba's own dictionary file (or the main dictionary
  given instead, ``--dict``) read with ``gen_pfdict``'s rules (in C: 0.12 s
  instead of jieba's 0.6 s start-up, and a few milliseconds once its image
  is in the cache, `dictionary_cache`; a file it cannot read that way is
  handed to jieba), or, with a user dictionary, the ``FREQ`` and ``total``
  of a ``jieba.Tokenizer`` that loaded it with ``load_userdict`` (jieba's
  parsing, suggested frequencies and errors);
* ``finalseg``'s model (emission, start and transition probabilities) and
  its live, process-wide ``Force_Split_Words``.

`CompiledJiebaTokenizer` answers the tokenizer interface: ``tokenize`` is
exactly ``list(jieba.cut(...))`` (or ``cut_for_search``), ``add_counts``
counts the tokens that are not whitespace, and ``add_rows`` counts word
n-grams line by line (`wordfreq.counting.rowspec`); ``count_rows`` counts them into a
table of ``row_table`` that stays in C across texts, as a worker's count
does, until it is taken as a pack (`wordfreq.counting.tasks`).  ``tests/test_jieba_compiled.py``
proves each against jieba on random and real text.
"""

from __future__ import annotations

import functools
from array import array
from collections import Counter
from collections.abc import Callable
from typing import Any

from wordfreq.charclasses import HAN_FIRST, HAN_LAST
from wordfreq.tokenizers.dictionary_cache import cached_dictionary
from wordfreq.tokenizers.jieba_py import cut_points_for_mode, import_jieba, load_jieba

TESTED_JIEBA = "0.42.1"
MIN_FLOAT = -3.14e100  # jieba.finalseg's probability of what its tables lack

try:
    from wordfreq.tokenizers import _jieba
except ImportError:  # pragma: no cover - built wherever the tests run
    _jieba = None  # type: ignore[assignment]


def available() -> str | None:
    """None when the compiled tokenizer can be used, else the reason it cannot."""
    if _jieba is None:
        return "the compiled tokenizer was not built (no C compiler at install time)"
    version = import_jieba().__version__
    if version != TESTED_JIEBA:
        return f"jieba {version} is installed; the compiled tokenizer computes jieba {TESTED_JIEBA}'s tokens"
    return None


@functools.lru_cache(maxsize=1)
def _model() -> tuple[bytes, tuple[float, ...], tuple[float, ...]]:
    """``jieba.finalseg``'s model as `_jieba.Segmenter` takes it: the emission
    probabilities (B, M, E, S) of U+4E00..U+9FD5 as packed doubles, the start
    probabilities (B, M, E, S), and the eight transitions its PrevStatus
    allows (E>B, S>B, M>M, B>M, S>S, E>S, B>E, M>E)."""
    from jieba import finalseg

    emit, start, trans = finalseg.emit_P, finalseg.start_P, finalseg.trans_P
    chars = [chr(code) for code in range(HAN_FIRST, HAN_LAST + 1)]
    by_code = [MIN_FLOAT] * (4 * len(chars))  # code point by code point, the four states of each
    for k, state in enumerate("BMES"):
        get = emit[state].get
        by_code[k::4] = [get(c, MIN_FLOAT) for c in chars]
    packed = array("d", by_code)
    into = [("E", "B"), ("S", "B"), ("M", "M"), ("B", "M"), ("S", "S"), ("E", "S"), ("B", "E"), ("M", "E")]
    return (
        packed.tobytes(),
        tuple(start[state] for state in "BMES"),
        tuple(trans[a].get(b, MIN_FLOAT) for a, b in into),
    )


_DICTIONARIES: dict[tuple[bytes | None, bytes | None], Any] = {}
_USER_TAGS: dict[tuple[bytes | None, bytes | None], dict[str, str]] = {}


def dictionary_for(user_dict: bytes | None, dictionary: bytes | None = None) -> Any:
    """The compiled dictionary jieba uses with main dictionary ``dictionary`` (jieba's own when None)
    and ``user_dict`` loaded, once per process."""
    key = (user_dict, dictionary)
    found = _DICTIONARIES.get(key)
    if found is None:
        found = _DICTIONARIES[key] = _build_dictionary(user_dict, dictionary)
    return found


def _build_dictionary(user_dict: bytes | None, dictionary: bytes | None) -> Any:
    if user_dict is None:
        data = dictionary
        if data is None:
            with import_jieba().Tokenizer().get_dict_file() as f:
                data = f.read()
        try:
            return cached_dictionary(data, _jieba.dictionary_from_file, _jieba.dictionary_from_image)
        except ValueError:  # a line gen_pfdict may read otherwise: jieba reads it
            pass
    tok = load_jieba(dictionary, user_dict)
    _USER_TAGS[(user_dict, dictionary)] = dict(tok.user_word_tag_tab)
    return _jieba.dictionary_from_freq(tok.FREQ, tok.total)


def user_tags_for(user_dict: bytes | None, dictionary: bytes | None = None) -> dict[str, str]:
    """The tags ``user_dict``'s lines give their words, as jieba's ``load_userdict`` parsed them for the
    dictionary of `dictionary_for` (kept when it was built: loading jieba again would cost a second)."""
    if user_dict is None:
        return {}
    dictionary_for(user_dict, dictionary)
    return _USER_TAGS[(user_dict, dictionary)]


class CompiledRows:
    """The n-gram methods of a tokenizer whose ``_segmenter`` is a `_jieba.Segmenter`."""

    _segmenter: Any

    def add_rows(
        self,
        text: str,
        orders: tuple[int, int],
        keep: Callable[[str], str | None] | None,
        counts: Counter[str],
    ) -> None:
        """Add the n-grams of ``orders`` of ``text``, line by line, to ``counts``.

        ``keep`` is None or the filters as one function: the piece to count
        (lowercased, say) or None for a dropped piece, which no n-gram spans.
        """
        self._segmenter.add_rows(text, orders[0], orders[1], keep, counts)

    def row_table(self, orders: tuple[int, int], keep: Callable[[str], str | None] | None) -> Any:
        """An empty `_jieba.RowTable`: the n-grams of ``orders`` of many texts (``keep`` as for
        `add_rows`), held in C until taken."""
        return _jieba.RowTable(orders[0], orders[1], keep)

    def count_rows(self, text: str, table: Any) -> None:
        """Add the n-grams of ``text``, line by line, to ``table`` (made by `row_table`)."""
        self._segmenter.count_rows(text, table)

    def window_table(
        self, keep: Callable[[str], str | None] | None, nodes: list[str], left: int, right: int
    ) -> Any:
        """An empty `_jieba.RowTable` of the tokens ``keep`` keeps (as for `add_rows`) and the windows of
        ``nodes`` (node k is ``nodes[k]``), ``left`` and ``right`` tokens each side, counted by
        `count_rows` (rows as `wordfreq.analyses.collocates.WindowTable`'s)."""
        return _jieba.RowTable(1, 1, keep, nodes=nodes, left=left, right=right)


class CompiledJiebaTokenizer(CompiledRows):
    """jieba's tokens in one mode, with or without the HMM and a user dictionary, computed in C."""

    def __init__(
        self,
        mode: str = "accurate",
        hmm: bool = True,
        user_dict: bytes | None = None,
        dictionary: bytes | None = None,
    ):
        from jieba import finalseg

        emit, start, trans = _model()
        self._segmenter = _jieba.Segmenter(
            dictionary_for(user_dict, dictionary), emit, start, trans, finalseg.Force_Split_Words, mode, hmm
        )
        self.cut_points = cut_points_for_mode(mode)
        self.tokenize: Callable[[str], list[str]] = self._segmenter.tokenize
        self.add_counts: Callable[[str, Counter[str]], None] = self._segmenter.add_counts
        if mode == "accurate":
            self.kwic_rows: Callable[..., tuple[bytes, bytes]] = self._segmenter.kwic_rows
