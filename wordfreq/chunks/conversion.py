"""Conversion: traditional and simplified Chinese (OpenCC), applied to each text before it is cut into tokens.

``--convert CONFIG`` names an OpenCC configuration (`CONFIGS`: ``t2s``,
``s2t``, ``tw2s``, ``hk2s``, ``t2tw``...).  The workers convert the text of
each task (each record's text, in JSON Lines) with the ``opencc`` package
(the ``convert`` extra) and count the converted text, so the table equals the
naive loop's that converts each whole file with OpenCC and then cuts it.

That needs each chunk to convert as it would inside the whole file.  OpenCC
converts by longest match: from the start of the text, the longest
dictionary key that begins here is replaced by its value (else one character,
or one whole Ideographic Description Sequence of up to 64 code points
starting with an operator U+2FF0-U+2FFF, is kept), and the scan goes on
after it.  A cut at a place that no step of that scan crosses changes
nothing: the scan of the left part takes the same steps, and the scan of the
right part starts where the whole scan was anyway.  `safe_cut_points` keeps
only such places among the tokenizer's own cut points: after a whitespace
character (no key of any OpenCC dictionary holds whitespace, so no match
crosses it) with no IDS operator among the 64 characters before it (so no
description sequence crosses it).  The character before the cut is kept
as it is, so a cut point of the tokenizer's stays one in the converted text
(every tokenizer here may cut after whitespace).  docs/conversion.md has the
check against the dictionaries and what it costs: a text without whitespace
is one task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from wordfreq.errors import WordfreqError, require_choice

# OpenCC's configurations (the .json files the opencc package ships), without ".json".
CONFIGS = (
    "s2t", "t2s", "s2tw", "tw2s", "s2hk", "hk2s", "s2twp", "tw2sp",
    "t2tw", "hk2t", "t2hk", "tw2t", "t2jp", "jp2t",
)  # fmt: skip
IDS_OPERATORS = "\u2ff0-\u2fff\u31ef"  # Ideographic Description Characters (U+31EF since Unicode 15.1)
IDS_LENGTH = 64  # the most code points OpenCC takes as one description sequence


def safe_cut_points(cut_points: re.Pattern[str]) -> re.Pattern[str]:
    """The cut points of ``cut_points`` that no conversion crosses (see the module docstring): after
    whitespace, with no IDS operator among the `IDS_LENGTH` characters before the cut.

    Each look behind is of fixed width, one for each distance; `wordfreq.chunks.planning.find_cut` shows them
    the text before the offset it searches from (`wordfreq.chunks.planning.CONTEXT_BYTES`).
    """
    near = "".join(f"(?<![{IDS_OPERATORS}][\\s\\S]{{{k}}})" for k in range(IDS_LENGTH))
    return re.compile(f"(?:{cut_points.pattern})(?<=\\s){near}", cut_points.flags)


@lru_cache(maxsize=4)
def converter(config: str) -> Any:
    """The OpenCC converter of ``config``, built once per process; a one-line error without the package."""
    try:
        import opencc
    except ModuleNotFoundError:
        raise WordfreqError(
            "--convert needs the opencc package: pip install 'corpus-wordfreq[convert]'", options=("convert",)
        ) from None
    return opencc.OpenCC(config)


@dataclass(frozen=True)
class Conversion:
    """Which OpenCC configuration converts the text before it is cut (None: none)."""

    convert: str | None = None

    def __post_init__(self) -> None:
        if self.convert is not None:
            require_choice("convert", self.convert, CONFIGS, "OpenCC configuration")

    @property
    def active(self) -> bool:
        return self.convert is not None

    def check(self) -> None:
        """Raise the one-line error now, in the parent, if the package is missing."""
        if self.convert is not None:
            converter(self.convert)

    def cut_points(self, cut_points: re.Pattern[str]) -> re.Pattern[str]:
        """``cut_points``, or only its safe ones when converting."""
        return safe_cut_points(cut_points) if self.active else cut_points

    def apply(self, text: str) -> str:
        """``text`` converted (as it is without a configuration).

        OpenCC takes UTF-8, which cannot hold the lone surrogates that stand for undecodable bytes:
        the text between them is converted, and they are kept (no dictionary key holds one).
        """
        if self.convert is None:
            return text
        convert = converter(self.convert).convert
        try:
            return convert(text)  # type: ignore[no-any-return]
        except UnicodeEncodeError:
            pieces = _split(text)
            return "".join(piece if _SURROGATES.fullmatch(piece) else convert(piece) for piece in pieces)


_SURROGATES = re.compile("[\ud800-\udfff]+")


def _split(text: str) -> list[str]:
    return [piece for piece in re.split("([\ud800-\udfff]+)", text) if piece]
