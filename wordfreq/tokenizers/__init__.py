"""Stage 3, tokenizers: how a chunk of text becomes tokens.

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
  (`wordfreq.chunks.planning`) cuts only there, which is what makes the table
  independent of the chunk size and the number of workers.

A tokenizer may also have ``add_counts(text, counts)``, which adds the
count of ``tokenize(text)`` to a `Counter` directly, when it can do that
faster than making every token; `add_counts` below uses it when present.

A ``cut_points`` match may look one character ahead.  Characters
U+DC80..U+DCFF (undecodable bytes, as `surrogateescape` shows them) must
never take part in a match, so that no cut lands next to a byte whose
decoding depends on the error handler.

May import: `wordfreq.sources` (a user dictionary is read like any input) and below.
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
from wordfreq.sources.inputs import read_option_file
from wordfreq.tokenizers.tags import TagFilter, check_pos_dictionary

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

    Parts of speech (jieba.posseg's, accurate mode only): with ``pos`` a
    token is ``word/tag``; ``pos_include`` and ``pos_exclude`` (tag patterns,
    `tags.TagFilter`, given as comma lists or sequences) keep only the tokens
    whose tag matches, with or without ``pos``.
    """

    name: str = field(default="jieba", metadata={"option": "tokenizer"})
    mode: str = "accurate"
    hmm: bool = True
    user_dict: bytes | None = None
    dictionary: bytes | None = field(default=None, metadata={"option": "dict"})
    pos: bool = False
    pos_include: tuple[str, ...] | str | None = None  # a tuple once checked
    pos_exclude: tuple[str, ...] | str | None = None

    def __post_init__(self) -> None:
        for option in ("pos_include", "pos_exclude"):
            object.__setattr__(self, option, TagFilter.patterns(option, getattr(self, option)))
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
        if self.tags_used:
            self._check_tagging()

    @property
    def tags_used(self) -> bool:
        """Whether the tokens come from jieba.posseg: with tags, or chosen by them."""
        return self.pos or bool(self.pos_include or self.pos_exclude)

    def refuse_tags(self, what: str) -> None:
        """OptionError if parts of speech were asked for ``what``, which counts plain tokens only."""
        if self.tags_used:
            option = "pos" if self.pos else "pos_include" if self.pos_include else "pos_exclude"
            raise OptionError(option, f"parts of speech are for count, not {what}")

    @property
    def tag_filter(self) -> TagFilter:
        return TagFilter(tuple(self.pos_include or ()), tuple(self.pos_exclude or ()))

    def _check_tagging(self) -> None:
        option = "pos" if self.pos else "pos_include" if self.pos_include else "pos_exclude"
        if self.name not in ("jieba", "jieba-py"):
            raise OptionError(
                option, f"parts of speech are jieba.posseg's: not for the {self.name} tokenizer"
            )
        if self.mode != "accurate":
            raise OptionError(option, f"jieba.posseg has the accurate mode only, not {self.mode}")
        if self.dictionary is not None:
            check_pos_dictionary(self.dictionary, "the main dictionary (--dict)")


def check_main_dictionary(contents: bytes, name: str) -> None:
    """Raise `OptionError` unless jieba reads every line of ``contents`` ('word freq [tag]')."""
    for number, line in enumerate(io.BytesIO(contents), 1):
        try:  # jieba's gen_pfdict, step by step
            _, frequency = line.strip().decode("utf-8").split(" ")[:2]
            int(frequency)
        except ValueError:
            raise OptionError("dict", f"{name}: line {number}: expected 'word frequency [tag]'") from None


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
def build_tokenizer(spec: TokenizerSpec) -> Tokenizer:
    """The tokenizer for ``spec``, built once per process."""
    if spec.tags_used:
        from wordfreq.tokenizers.jieba_posseg import pos_tokenizer

        compiled = spec.name == "jieba" and _compiled_reason() is None
        return pos_tokenizer(spec.hmm, spec.user_dict, spec.dictionary, spec.pos, spec.tag_filter, compiled)
    if spec.name == "jieba" and _compiled_reason() is None:
        from wordfreq.tokenizers.jieba_compiled import CompiledJiebaTokenizer

        return CompiledJiebaTokenizer(spec.mode, spec.hmm, spec.user_dict, spec.dictionary)
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


def _compiled_reason() -> str | None:
    """None when jieba's exact tokens can be computed by the compiled tokenizer; else why not."""
    from wordfreq.tokenizers import jieba_compiled

    return jieba_compiled.available()


def package_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def _version(distribution: str) -> str:
    return package_version(distribution) or "?"


def engine_name(spec: TokenizerSpec) -> str:
    """What does the tokenizing for ``spec``, in a few words (no version: looking one up costs 10 ms)."""
    if spec.tags_used:
        compiled = spec.name == "jieba" and _compiled_reason() is None
        return "jieba.posseg, compiled (exact)" if compiled else "jieba.posseg (pure Python)"
    if spec.name == "jieba":
        return "jieba, compiled (exact)" if _compiled_reason() is None else "jieba (pure Python)"
    return {"jieba-py": "jieba (pure Python)", "jieba-rs": "jieba-rs (not exact)"}.get(spec.name, spec.name)


def describe_engine(spec: TokenizerSpec) -> str:
    """What does the tokenizing for ``spec``, as a sentence with versions and reasons."""
    if spec.tags_used:
        reason = _compiled_reason() if spec.name == "jieba" else "as asked"
        how = "computed in C (exact)" if reason is None else f"pure Python: {reason}"
        return f"jieba {_version('jieba')}'s parts of speech (jieba.posseg), {how}"
    if spec.name == "jieba":
        reason = _compiled_reason()
        if reason is None:
            return f"jieba {_version('jieba')}'s tokens, computed in C (exact)"
        return f"jieba {_version('jieba')}, pure Python: {reason}"
    if spec.name == "jieba-py":
        return f"jieba {_version('jieba')}, pure Python, as asked"
    if spec.name == "jieba-rs":
        return f"rjieba {_version('rjieba')} (jieba-rs), whose tokens differ from jieba's"
    return f"the {spec.name} tokenizer"
