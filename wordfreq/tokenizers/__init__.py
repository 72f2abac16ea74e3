"""Tokenizers: how a chunk of text becomes tokens.

A tokenizer is described by a `TokenizerSpec` (a small, hashable, picklable
value that travels to worker processes) and built with `build_tokenizer`,
which caches one instance per spec and per process, so that a dictionary is
loaded at most once in each process.

Every tokenizer answers two questions:

* ``tokenize(text)``: the tokens of a text, in order (whitespace tokens may
  be included; counting drops them);
* ``cut_points``: a compiled regular expression; the end of each of its
  matches is a place where a text may be cut into two chunks without
  changing the tokens of either side (other than whitespace).  Chunking
  (`wordfreq.chunking`) cuts only there, which is what makes the table
  independent of the chunk size and the number of workers.

A tokenizer may also have ``add_counts(text, counts)``, which adds the
count of ``tokenize(text)`` to a `Counter` directly, when it can do that
faster than making every token; `add_counts` below uses it when present.

A ``cut_points`` match may look one character ahead.  Characters
U+DC80..U+DCFF (undecodable bytes, as `surrogateescape` shows them) must
never take part in a match, so that no cut lands next to a byte whose
decoding depends on the error handler.
"""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from wordfreq.errors import OptionError, WordfreqError, require_choice
from wordfreq.sources import read_option_file

MODES = ("accurate", "all", "search")
TOKENIZERS = ("jieba", "jieba-py", "jieba-rs", "whitespace", "char")
JIEBA_TOKENIZERS = ("jieba", "jieba-py", "jieba-rs")


class Tokenizer(Protocol):
    """The interface every tokenizer implements."""

    cut_points: re.Pattern[str]

    def tokenize(self, text: str) -> Iterable[str]:
        """Return the tokens of ``text``."""
        ...


@dataclass(frozen=True)
class TokenizerSpec:
    """Which tokenizer, with which options (the ``tokenizer`` part of `wordfreq.CountOptions`).

    ``user_dict`` may be given as the path of a jieba user dictionary; it is
    read once, here, and kept as the file's *contents* (bytes), so that every
    worker, under any start method, loads exactly what the parent read.
    ``dictionary`` (the option ``dict``) likewise: the main dictionary to use
    instead of jieba's own, as ``jieba.set_dictionary`` would (e.g.
    ``dict.txt.big``), checked here line by line as jieba reads it.  Only
    jieba itself can load one: the ``jieba`` tokenizer then takes the pure
    Python route (exact, slower; `describe_engine` says so), and ``jieba-rs``
    refuses it.  As an option, ``name`` is called ``tokenizer``.
    """

    name: str = field(default="jieba", metadata={"option": "tokenizer"})
    mode: str = "accurate"
    hmm: bool = True
    user_dict: bytes | None = None
    dictionary: bytes | None = field(default=None, metadata={"option": "dict"})

    def __post_init__(self) -> None:
        require_choice("tokenizer", self.name, TOKENIZERS, "tokenizer")
        require_choice("mode", self.mode, MODES, "mode")
        if isinstance(self.user_dict, (str, os.PathLike)):
            contents = read_option_file("user_dict", self.user_dict, "a user dictionary")
            object.__setattr__(self, "user_dict", contents)
        if isinstance(self.dictionary, (str, os.PathLike)):
            contents = read_option_file("dict", self.dictionary, "a dictionary")
            check_main_dictionary(contents, os.fspath(self.dictionary))
            object.__setattr__(self, "dictionary", contents)
        if self.name == "jieba-rs" and self.dictionary is not None:
            raise OptionError(
                "dict", "rjieba cannot load a main dictionary: use the jieba or jieba-py tokenizer"
            )
        if self.name not in JIEBA_TOKENIZERS:
            for option, used, what in [
                ("mode", self.mode != "accurate", f"the {self.mode} mode"),
                ("hmm", not self.hmm, "turning the HMM off"),
                ("user_dict", self.user_dict is not None, "a user dictionary"),
                ("dict", self.dictionary is not None, "a main dictionary"),
            ]:
                if used:
                    raise OptionError(option, f"{what} is for the jieba tokenizers only, not {self.name!r}")


def check_main_dictionary(contents: bytes, name: str) -> None:
    """Raise `OptionError` unless jieba reads every line of ``contents`` ('word freq [tag]')."""
    for number, line in enumerate(io.BytesIO(contents), 1):
        try:  # jieba's gen_pfdict, step by step
            _, frequency = line.strip().decode("utf-8").split(" ")[:2]
            int(frequency)
        except ValueError:
            raise OptionError("dict", f"{name}: line {number}: expected 'word frequency [tag]'") from None


_OWNS_PROCESS = False


def own_process() -> None:
    """Declare that wordfreq is all this process runs (the CLI, a pool worker).

    Tokenizers may then change process-wide state of the packages they use
    instead of building private copies: the exact jieba tokenizer adopts
    rjieba's default instance, which importing rjieba has built already,
    rather than building a second one (0.2 s).  A program that imports
    wordfreq as a library never calls this, and its rjieba stays untouched.
    Inherited by forked children.
    """
    global _OWNS_PROCESS
    _OWNS_PROCESS = True


def owns_process() -> bool:
    """Whether `own_process` was called in this process (or its forked parent)."""
    return _OWNS_PROCESS


def add_counts(tokenizer: Tokenizer, text: str, counts: Counter[str]) -> None:
    """Add the count of ``tokenizer``'s tokens of ``text`` to ``counts``."""
    add = getattr(tokenizer, "add_counts", None)
    if add is not None:
        add(text, counts)
    else:
        counts.update(tokenizer.tokenize(text))


def cut_points_for(spec: TokenizerSpec) -> re.Pattern[str]:
    """Where ``spec``'s tokenizer allows a cut, without building the tokenizer.

    Raises a one-line `WordfreqError` when the tokenizer's package is missing.
    """
    if spec.name == "jieba-rs":
        from wordfreq.tokenizers import jieba_rs

        jieba_rs.load_rjieba()
        return jieba_rs.CUT_POINTS
    if spec.name in ("whitespace", "char"):
        return build_tokenizer(spec).cut_points
    from wordfreq.tokenizers import jieba_py  # jieba and jieba-py: jieba's own cut points

    return jieba_py.cut_points_for_mode(spec.mode)


@lru_cache(maxsize=8)
def build_tokenizer(spec: TokenizerSpec, ordered: bool = False) -> Tokenizer:
    """The tokenizer for ``spec``, built once per process.

    With ``ordered``, one whose ``tokenize`` gives the tokens in the text's
    order (for n-grams): the exact fast path does in accurate and search
    modes; in all mode, jieba itself does.
    """
    if (
        spec.name == "jieba"
        and spec.dictionary is None
        and not _ordered_all_mode(spec, ordered)
        and _exact_fast_path_reason() is None
    ):
        from wordfreq.tokenizers.jieba_exact import ExactJiebaTokenizer

        return ExactJiebaTokenizer(spec.mode, spec.hmm, spec.user_dict)
    if spec.name in ("jieba", "jieba-py"):
        from wordfreq.tokenizers.jieba_py import JiebaTokenizer

        return JiebaTokenizer(spec.mode, spec.hmm, spec.user_dict, spec.dictionary)
    if spec.name == "jieba-rs":
        from wordfreq.tokenizers.jieba_rs import JiebaRsTokenizer

        return JiebaRsTokenizer(spec.mode, spec.hmm, spec.user_dict)
    if spec.name == "whitespace":
        from wordfreq.tokenizers.simple import WhitespaceTokenizer

        return WhitespaceTokenizer()
    if spec.name == "char":
        from wordfreq.tokenizers.simple import CharTokenizer

        return CharTokenizer()
    raise WordfreqError(f"unknown tokenizer {spec.name!r}")  # pragma: no cover


def _ordered_all_mode(spec: TokenizerSpec, ordered: bool) -> bool:
    """Whether tokens are needed in order in all mode, which the exact fast path gives only by counts."""
    return ordered and spec.mode == "all"


def _exact_fast_path_reason() -> str | None:
    """None when jieba's exact tables can be computed with rjieba; else why not."""
    from wordfreq.tokenizers import jieba_exact
    from wordfreq.tokenizers.jieba_py import import_jieba

    import_jieba()  # before jieba_exact imports it

    return jieba_exact.available()


def package_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def _version(distribution: str) -> str:
    return package_version(distribution) or "?"


def describe_engine(spec: TokenizerSpec, ordered: bool = False) -> tuple[str, str]:
    """What does the tokenizing for ``spec``: a short name, and a sentence with versions and reasons.

    ``ordered`` as for `build_tokenizer`.
    """
    if spec.name == "jieba" and _ordered_all_mode(spec, ordered):
        reason = "n-grams need the tokens in order, which in all mode come from jieba itself"
        return "jieba (pure Python)", f"jieba {_version('jieba')}, pure Python: {reason}"
    if spec.name == "jieba" and spec.dictionary is not None:
        reason = "a main dictionary of one's own, which rjieba cannot load"
        return "jieba (pure Python)", f"jieba {_version('jieba')}, pure Python: {reason}"
    if spec.name == "jieba":
        reason = _exact_fast_path_reason()
        if reason is None:
            from wordfreq.tokenizers.speedups import IMPLEMENTATION

            loops = (
                "its loops compiled"
                if IMPLEMENTATION == "C"
                else "its loops in Python (the C speedups were not built: reinstall with a C compiler)"
            )
            versions = f"jieba {_version('jieba')} tables, computed with rjieba {_version('rjieba')}"
            detail = f"{versions} (exact), {loops}"
            return "jieba via rjieba (exact)", detail
        return "jieba (pure Python)", f"jieba {_version('jieba')}, pure Python: {reason}"
    if spec.name == "jieba-py":
        return "jieba (pure Python)", f"jieba {_version('jieba')}, pure Python, as asked"
    if spec.name == "jieba-rs":
        detail = f"rjieba {_version('rjieba')} (jieba-rs), whose tokens differ from jieba's"
        return "jieba-rs (not exact)", detail
    return spec.name, f"the {spec.name} tokenizer"
