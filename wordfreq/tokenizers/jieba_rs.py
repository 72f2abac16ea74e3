"""The jieba-rs tokenizer (rjieba): the fastest, and not exact.

rjieba binds jieba-rs, a Rust port of jieba.  It is about ten times faster
than jieba in one process, and its tokens differ from jieba's at the edges
(measured figures in the README): it keeps runs of letters and digits
joined by ``-`` or ``.`` whole (``1-30``, ``www.example.com``) where jieba's
HMM splits them; it treats CJK characters outside U+4E00..U+9FD5 (Extension
A and B, compatibility ideographs) as Han and joins them to their
neighbours; in ``all`` mode it keeps runs of letters and digits around a
line feed together (``abc\\n123``, which counting splits on the
whitespace); and HMM ties on rare characters break differently.

Where it may be cut: jieba-rs segments each maximal run of its block
characters (`BLOCK_CHARS`: the CJK blocks it knows, ASCII letters and digits
and ``+#&._%-``) on its own.  Outside those runs every character is a token
of its own, or, in ``all`` mode, a separator or part of a run of
``[a-zA-Z0-9+#\\n]`` that counting splits at the line feed anyway.  So a cut
right after any non-block character is safe in every mode;
`tests/test_tokenizers.py` checks it against uncut rjieba output.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterable

from wordfreq.charclasses import ASCII_BLOCK, CJK_EXTENSION_G, ESCAPED_BYTES, RJIEBA_HAN
from wordfreq.errors import WordfreqError
from wordfreq.tokenizers.places import Place, checked_places, ordered_places, tokenize_places

BLOCK_CHARS = RJIEBA_HAN + CJK_EXTENSION_G + ASCII_BLOCK
CUT_POINTS = re.compile(f"[^{BLOCK_CHARS}{ESCAPED_BYTES}]")
_HAN = re.compile(f"[{RJIEBA_HAN}{CJK_EXTENSION_G}]")
# jieba's user-dictionary line: word, then an optional frequency and tag.
_USER_DICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")
INSTALL_HINT = "the jieba-rs tokenizer needs rjieba: pip install '.[jieba-rs]'"


def load_rjieba():  # type: ignore[no-untyped-def]
    """The rjieba module, or a one-line error saying how to install it."""
    try:
        import rjieba
    except ImportError:
        raise WordfreqError(INSTALL_HINT) from None
    return rjieba


class JiebaRsTokenizer:
    """rjieba's segmentation, in one of jieba's three modes."""

    cut_points = CUT_POINTS

    def __init__(self, mode: str = "accurate", hmm: bool = True, user_dict: bytes | None = None):
        rjieba = load_rjieba()
        if user_dict is None:
            # rjieba builds a default instance when imported; building another costs as much.
            self._jieba = rjieba._DEFAULT_JIEBA
        else:
            self._jieba = rjieba.Jieba()
            for word, freq, tag in parse_user_dict(user_dict):
                self._jieba.add_word(word, freq, tag)
        self.mode = mode
        self.hmm = hmm

    @functools.lru_cache(maxsize=1 << 14)  # noqa: B019 - one tokenizer per spec and process, for its life
    def _dropped(self, char: str) -> bool:
        """Whether all mode may leave ``char`` out: a Han character that is no word of the dictionary
        (where no word covers it, jieba-rs's ``cut_all`` makes no token of it)."""
        return _HAN.match(char) is not None and not self._jieba.has_word(char)

    def tokenize(self, text: str) -> Iterable[str]:
        if self.mode == "accurate":
            return self._jieba.cut(text, self.hmm)
        if self.mode == "search":
            return self._jieba.cut_for_search(text, self.hmm)
        return self._jieba.cut_all(text)

    def places(self, text: str) -> list[Place]:
        """Where each token of ``text`` is (`wordfreq.tokenizers.places`): rjieba's ``tokenize`` (in code
        points), checked against the tokens; in all mode, which it lacks, `ordered_places`."""
        tokens = list(self.tokenize(text))
        if self.mode == "all":
            return ordered_places(text, tokens, self._dropped)
        return checked_places(text, tokens, tokenize_places(self._jieba, text, self.mode, self.hmm))


def parse_user_dict(content: bytes) -> list[tuple[str, int | None, str | None]]:
    """The entries of a jieba user dictionary, in order, as jieba's load_userdict reads them."""
    entries = []
    for raw in io.BytesIO(content):
        line = raw.strip().decode("utf-8").lstrip("\ufeff")
        if not line:
            continue
        match = _USER_DICT_LINE.match(line)
        assert match is not None  # the pattern matches any non-empty line
        word, freq, tag = match.groups()
        entries.append((word, int(freq) if freq else None, tag.strip() if tag else None))
    return entries
