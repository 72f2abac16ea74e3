"""The jieba tokenizer (the reference: its output defines the exact table).

Where jieba may be cut.  ``jieba.cut`` (0.42.1) splits a text with
``re_han_default`` into *blocks*, maximal runs of its block characters
(`charclasses.BLOCK`), and segments each block on its own; everything
between blocks is split on whitespace (``re_skip_default``), and in accurate
and search modes each remaining character becomes a token, while in ``all``
mode each run of such characters between whitespace is one token.  Hence:

* accurate and search modes: a cut right after any character that is not a
  block character never changes a token;
* all mode: a cut is safe right after whitespace, or between a block
  character and a non-block, non-whitespace character (either way round).

`tests/test_tokenizers.py` pins jieba's regular expressions to these, so an
upgrade of jieba that changed them would fail loudly rather than silently
produce a different table.
"""

from __future__ import annotations

import io
import logging
import re
import sys
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from wordfreq.charclasses import BLOCK, ESCAPED_BYTES, WHITESPACE
from wordfreq.tokenizers.places import Place, checked_places, tokenize_places

_BLOCK = f"[{BLOCK}]"
_OTHER = f"[^{BLOCK}{ESCAPED_BYTES}{WHITESPACE}]"

ACCURATE_CUT_POINTS = re.compile(f"[^{BLOCK}{ESCAPED_BYTES}]")
ALL_CUT_POINTS = re.compile(f"{WHITESPACE}|{_BLOCK}(?={_OTHER})|{_OTHER}(?={_BLOCK})")


def cut_points_for_mode(mode: str) -> re.Pattern[str]:
    """The cut points of jieba in ``mode``."""
    return ALL_CUT_POINTS if mode == "all" else ACCURATE_CUT_POINTS


def import_jieba() -> ModuleType:
    """Import jieba without letting it import ``pkg_resources``.

    jieba 0.42.1 imports ``pkg_resources`` (0.2 s, and deprecated) only to
    open its own data files, and opens them by path where setuptools is
    absent; hiding ``pkg_resources`` for the length of the import takes that
    path and cuts jieba's import from 0.25 s to 0.05 s.  Nothing else changes.
    """
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    hide = "pkg_resources" not in sys.modules
    if hide:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes the import fail
    try:
        import jieba
    finally:
        if hide:
            del sys.modules["pkg_resources"]
    return jieba


def quiet_jieba_logger() -> None:
    """Keep jieba's "Building prefix dict..." lines away from the user."""
    import_jieba().setLogLevel(logging.WARNING)


def load_jieba(dictionary: bytes | None = None, user_dict: bytes | None = None) -> Any:
    """A new ``jieba.Tokenizer`` with ``dictionary`` as its main dictionary (jieba's own when None, as
    ``set_dictionary`` would, without jieba's cache file in /tmp) and ``user_dict`` loaded by
    ``load_userdict``."""
    jieba = import_jieba()
    quiet_jieba_logger()
    tok = jieba.Tokenizer()
    if dictionary is None:
        tok.initialize()
    else:  # what initialize() does with set_dictionary's file
        tok.FREQ, tok.total = tok.gen_pfdict(io.BytesIO(dictionary))
        tok.initialized = True
    if user_dict is not None:
        tok.load_userdict(io.BytesIO(user_dict))
    return tok


class JiebaTokenizer:
    """jieba's own segmentation, in one of its three modes."""

    def __init__(
        self,
        mode: str = "accurate",
        hmm: bool = True,
        user_dict: bytes | None = None,
        dictionary: bytes | None = None,
    ):
        self._jieba = load_jieba(dictionary, user_dict)
        self.mode = mode
        self.hmm = hmm
        self.cut_points = cut_points_for_mode(mode)

    def tokenize(self, text: str) -> Iterable[str]:
        if self.mode == "accurate":
            return self._jieba.cut(text, HMM=self.hmm)
        if self.mode == "search":
            return self._jieba.cut_for_search(text, HMM=self.hmm)
        return self._jieba.cut(text, cut_all=True, HMM=self.hmm)

    def places(self, text: str) -> list[Place]:
        """Where each token of ``text`` is (`wordfreq.tokenizers.places`): jieba's own ``tokenize``, or,
        in all mode, `all_mode_places`, checked against ``cut``'s tokens."""
        if self.mode != "all":
            return tokenize_places(self._jieba, text, self.mode, self.hmm)
        return checked_places(text, list(self.tokenize(text)), all_mode_places(self._jieba, text))


_ENG = re.compile("[a-zA-Z0-9]")  # jieba's re_eng: where all mode starts or goes on with its eng_buf


def all_mode_places(tk: Any, text: str) -> list[Place]:
    """The `solid` tokens of ``tk.cut(text, cut_all=True)`` (jieba 0.42.1's ``cut`` and ``__cut_all``,
    over ``tk``'s DAG), each with its place; the eng_buf's from its first character to its last."""
    jieba = import_jieba()
    placed: list[Place] = []
    at = 0
    for block in jieba.re_han_default.split(text):
        if jieba.re_han_default.match(block):
            placed.extend(_cut_all_places(tk, block, at))
        else:
            start = at
            for piece in jieba.re_skip_default.split(block):
                if piece and not jieba.re_skip_default.match(piece):
                    placed.append((piece, start, start + len(piece)))
                start += len(piece)
        at += len(block)
    return placed


def _cut_all_places(tk: Any, block: str, at: int) -> list[Place]:
    """``__cut_all``'s tokens of ``block`` (which starts at ``at``), placed."""
    placed: list[Place] = []
    last = -1  # __cut_all's old_j: the end (inclusive) of the last word
    buf: list[Any] | None = None  # the eng_buf: its text, first character and end
    for k, ends in tk.get_DAG(block).items():
        if buf is not None and not _ENG.match(block[k]):
            placed.append((buf[0], at + buf[1], at + buf[2]))
            buf = None
        if len(ends) == 1 and k > last:
            end = ends[0] + 1
            word = block[k:end]
            if _ENG.match(word):
                if buf is None:
                    buf = [word, k, end]
                else:
                    buf[0] += word
                    buf[2] = end
            if buf is None:
                placed.append((word, at + k, at + end))
            last = ends[0]
        else:
            for j in ends:
                if j > k:
                    placed.append((block[k : j + 1], at + k, at + j + 1))
                    last = j
    if buf is not None:
        placed.append((buf[0], at + buf[1], at + buf[2]))
    return placed
