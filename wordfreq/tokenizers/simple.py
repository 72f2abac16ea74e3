"""The whitespace and char tokenizers: for cased scripts and pre-segmented text.

* ``whitespace``: tokens are the runs of non-whitespace characters
  (`str.split`), for space-separated languages and for text that is already
  segmented.  A cut right after whitespace never changes them.
* ``char``: every non-whitespace character is a token.  Any place between two
  characters is a cut point.

Neither takes jieba's options (mode, HMM, user dictionary).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from wordfreq.charclasses import ESCAPED_BYTES, WHITESPACE


class WhitespaceTokenizer:
    """Split on Unicode whitespace."""

    cut_points = re.compile(WHITESPACE)

    def tokenize(self, text: str) -> Iterable[str]:
        return text.split()


class CharTokenizer:
    """Every character (whitespace is dropped when counting)."""

    cut_points = re.compile(f"[^{ESCAPED_BYTES}]")

    def tokenize(self, text: str) -> Iterable[str]:
        return text
