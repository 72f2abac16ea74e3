"""The character classes the tokenizers cut text by, each said once.

This module owns them: jieba's block characters (jieba 0.42.1's
``re_han_default``: its Han range and ASCII letters, digits and ``+#&._%-``),
its Han (``finalseg.re_han``), its ASCII letters and digits (``re_eng``),
whitespace as jieba and Python see it, the undecodable bytes no cut may
touch, and what rjieba takes for Han.  Each is a regular expression class
body, to be written between ``[`` and ``]`` alone or joined with others;
the few compiled patterns that more than one tokenizer uses are here too.
Nothing here tokenizes.

The compiled tokenizer (``_jieba.c``, beside this module) spells the same
classes in C: ``tests/test_jieba_compiled.py`` checks over every code point that
the two agree, and ``tests/test_tokenizers.py`` that these are jieba's own.
"""

from __future__ import annotations

import re

# jieba's Han, U+4E00..U+9FD5: the Han of re_han_default and finalseg.re_han.
HAN_FIRST, HAN_LAST = 0x4E00, 0x9FD5
HAN = f"{chr(HAN_FIRST)}-{chr(HAN_LAST)}"
# ASCII letters and digits: jieba's re_eng (all mode's eng_buf); rjieba keeps
# a run of them as one token.
ASCII_ALNUM = "a-zA-Z0-9"
# The other ASCII characters of jieba's blocks.
ASCII_PUNCT = "+#&._%\\-"
ASCII_BLOCK = ASCII_ALNUM + ASCII_PUNCT
# jieba's block characters: the class of re_han_default.
BLOCK = HAN + ASCII_BLOCK
# Whitespace: str.isspace(), which is re's \s (jieba's re_skip_default) and
# C's Py_UNICODE_ISSPACE.
WHITESPACE = "\\s"
# Undecodable bytes, as surrogateescape shows them: never part of a cut.
ESCAPED_BYTES = "\\udc80-\\udcff"
# Lone surrogates, which rjieba cannot take and UTF-8 cannot encode.
SURROGATES = "\\ud800-\\udfff"
# What rjieba (0.2.2, jieba-rs 0.11.0) takes for Han and jieba does not,
# measured over every code point: CJK Extension A, U+9FD6..U+9FFF, the
# compatibility ideographs, Extensions B to F and the compatibility supplement.
RJIEBA_ONLY_HAN = (
    "\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0002a6df\U0002a700-\U0002ebef\U0002f800-\U0002fa1f"
)
RJIEBA_HAN = HAN + RJIEBA_ONLY_HAN
# CJK Extension G, which rjieba 0.2.2 does not take for Han; the jieba-rs
# tokenizer's cut points count it among rjieba's block characters all the
# same (a cut point fewer, never a wrong one).
CJK_EXTENSION_G = "\U00030000-\U0003134f"

# One ASCII block character: where a text has none, neither does any block.
ASCII_BLOCK_CHAR = re.compile(f"[{ASCII_BLOCK}]")
# One surrogate: a str holding one has no UTF-8 form (JSON's \\ud800 escapes make one).
SURROGATE = re.compile(f"[{SURROGATES}]")
