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
