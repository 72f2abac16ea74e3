"""Parts of speech: jieba.posseg's exact (word, tag) pairs, computed in C, and the tag filter.

``_jieba_posseg.c`` (compiled into ``_jieba``) computes jieba 0.42.1's
``posseg.cut``: its own blocks, its route over the dictionary (the same
DAG and route as ``jieba.cut``), ``__cut_DAG`` with its buffers through
``__cut_detail`` and posseg's HMM over (state, tag) pairs, and
``__cut_DAG_NO_HMM``; with the same floating point operations and ties, so
its pairs are posseg's by construction.  What it is given:

* posseg's model, read from jieba's own tables (``jieba.posseg``'s
  ``prob_start``, ``prob_trans``, ``prob_emit`` and ``char_state_tab``, as
  its pickles) at the first use in a process and packed into arrays
  (`pos_model`);
* its ``word_tag_tab``: the main dictionary's tags (``load_word_tag``'s
  rules, in C) and the user dictionary's (as jieba parsed them);
* which tags are kept (`TagFilter`) and whether a token is ``word/tag``.

`CompiledPosTokenizer` answers the tokenizer interface with the tags:
``tokenize`` gives ``word/tag`` (or the plain word) for every pair whose
tag the filter keeps, ``tag`` the pairs themselves.  Where the compiled code
is not built (or with the ``jieba-py`` tokenizer), `PythonPosTokenizer`
gives the same tokens from jieba.posseg itself.
Paddle mode (``use_paddle``) is not supported.
"""

from __future__ import annotations

import functools
import hashlib
import json
from array import array
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wordfreq.errors import OptionError
from wordfreq.tokenizers.dictionary_cache import cached_blob
from wordfreq.tokenizers.jieba_compiled import CompiledRows
from wordfreq.tokenizers.jieba_py import cut_points_for_mode, import_jieba, load_jieba
from wordfreq.tokenizers.tags import (
    KEEP_ALL,
    OWN_TAGS,
    TagFilter,
    check_pos_dictionary,
    check_tags,
    pair_token,
)

POSSEG_TABLES = ("char_state_tab.p", "prob_start.p", "prob_trans.p", "prob_emit.p")


def posseg_tables() -> tuple[Any, ...]:
    """jieba.posseg's tables (char_state_tab, start, trans, emit), read from its pickles as its
    ``load_model`` does: importing ``jieba.posseg`` would take 0.4 s more (it reads the whole dictionary
    for its own default tagger); ``tests/test_posseg_compiled.py`` checks they are its modules' tables."""
    import pickle

    folder = Path(import_jieba().__file__).parent / "posseg"
    return tuple(pickle.loads((folder / name).read_bytes()) for name in POSSEG_TABLES)


MODEL_PARTS = (
    "letters", "state_tags", "start", "trans_from", "trans_to", "trans_p",
    "emit_state", "emit_char", "emit_p", "char_char", "char_state",
)  # fmt: skip
MODEL_FORMAT = b"WFPOS001"  # the packed model's layout (`_packed_model`); a new layout, a new name
_DIGEST = 16  # bytes of the packed model's digest


@functools.lru_cache(maxsize=1)
def pos_model() -> Any:
    """posseg's HMM as `_jieba.PosModel`: its states (every (letter, tag) pair) numbered in sorted order,
    so that comparing numbers compares the tuples as posseg's max() does.  Packed once from jieba's
    tables, then read from the cache (`dictionary_cache.cached_blob`, keyed by the tables' bytes)."""
    folder = Path(import_jieba().__file__).parent / "posseg"
    key = MODEL_FORMAT + b"".join((folder / name).read_bytes() for name in POSSEG_TABLES)
    return cached_blob("jieba-posseg-model", key, _packed_model, _model_from_blob)


def _model_from_blob(blob: bytes) -> Any:
    """The `_jieba.PosModel` of `_packed_model`'s bytes; ValueError for bytes that are not one (which
    PosModel checks too: every state, tag and character in range)."""
    from wordfreq.tokenizers.jieba_compiled import _jieba

    head = len(MODEL_FORMAT) + _DIGEST
    if not blob.startswith(MODEL_FORMAT) or len(blob) < head + 4:
        raise ValueError("not a packed posseg model")
    if hashlib.blake2b(blob[head:], digest_size=_DIGEST).digest() != blob[len(MODEL_FORMAT) : head]:
        raise ValueError("a damaged packed posseg model")
    at = head + 4
    size = int.from_bytes(blob[at - 4 : at], "little")
    meta = json.loads(blob[at : at + size].decode("utf-8"))
    at += size
    parts = {}
    for name, length in zip(MODEL_PARTS, meta["sizes"]):
        parts[name] = blob[at : at + length]
        at += length
    if at != len(blob) or len(parts) != len(MODEL_PARTS):
        raise ValueError("a packed posseg model of the wrong size")
    return _jieba.PosModel(tags=tuple(meta["tags"]), **parts)


def _packed_model() -> bytes:
    """posseg's tables as `_jieba.PosModel`'s arrays, in one blob: the format, a digest of the rest, the
    length of a JSON header (the tags, each array's size), the header, the arrays."""
    char_state_tab_P, start_P, trans_P, emit_P = posseg_tables()
    states = sorted(trans_P)
    number = {state: k for k, state in enumerate(states)}
    tags = sorted({tag for _, tag in states} | set(OWN_TAGS))
    tag_number = {tag: k for k, tag in enumerate(tags)}
    trans = [(number[a], number[b], p) for a, row in trans_P.items() for b, p in row.items()]
    emit = [(number[state], ord(c), p) for state, row in emit_P.items() for c, p in row.items()]
    chars = [(ord(c), number[state]) for c, states_of in char_state_tab_P.items() for state in states_of]
    parts = [
        "".join(letter for letter, _ in states).encode("ascii"),
        array("H", [tag_number[tag] for _, tag in states]).tobytes(),
        array("d", [start_P[state] for state in states]).tobytes(),
        array("H", [a for a, _, _ in trans]).tobytes(),
        array("H", [b for _, b, _ in trans]).tobytes(),
        array("d", [p for _, _, p in trans]).tobytes(),
        array("H", [s for s, _, _ in emit]).tobytes(),
        array("I", [c for _, c, _ in emit]).tobytes(),
        array("d", [p for _, _, p in emit]).tobytes(),
        array("I", [c for c, _ in chars]).tobytes(),
        array("H", [s for _, s in chars]).tobytes(),
    ]
    meta = json.dumps({"tags": tags, "sizes": [len(part) for part in parts]}).encode("utf-8")
    body = len(meta).to_bytes(4, "little") + meta + b"".join(parts)
    return MODEL_FORMAT + hashlib.blake2b(body, digest_size=_DIGEST).digest() + body


def main_dictionary_bytes(dictionary: bytes | None) -> bytes:
    """The main dictionary file's bytes: ``dictionary``, or jieba's own."""
    if dictionary is not None:
        return dictionary
    with import_jieba().Tokenizer().get_dict_file() as f:
        return f.read()


def pos_tokenizer(
    hmm: bool = True,
    user_dict: bytes | None = None,
    dictionary: bytes | None = None,
    with_tags: bool = True,
    tag_filter: TagFilter = KEEP_ALL,
    compiled: bool = True,
) -> CompiledPosTokenizer | PythonPosTokenizer:
    """The tokenizer of jieba.posseg's pairs: computed in C when ``compiled``, else by jieba.posseg."""
    make = CompiledPosTokenizer if compiled else PythonPosTokenizer
    return make(hmm, user_dict, dictionary, with_tags, tag_filter)


class CompiledPosTokenizer(CompiledRows):
    """jieba.posseg's pairs (HMM on or off, a user dictionary, a main dictionary), computed in C, as
    tokens ``word/tag`` (``with_tags``) or plain words, those whose tag ``tag_filter`` drops left out
    (which breaks an n-gram, as a dropped piece does)."""

    def __init__(
        self,
        hmm: bool = True,
        user_dict: bytes | None = None,
        dictionary: bytes | None = None,
        with_tags: bool = True,
        tag_filter: TagFilter = KEEP_ALL,
    ):
        self.cut_points = cut_points_for_mode("accurate")  # posseg's blocks are within jieba.cut's
        self._segmenter = _compiled_segmenter(hmm, user_dict, dictionary, with_tags, tag_filter)
        self.tag: Callable[[str], list[tuple[str, str]]] = self._segmenter.tag
        self.tokenize: Callable[[str], list[str]] = self._segmenter.tokenize
        self.add_counts: Callable[[str, Counter[str]], None] = self._segmenter.add_counts


class PythonPosTokenizer:
    """The same tokens as `CompiledPosTokenizer`, made by jieba.posseg itself."""

    def __init__(
        self,
        hmm: bool = True,
        user_dict: bytes | None = None,
        dictionary: bytes | None = None,
        with_tags: bool = True,
        tag_filter: TagFilter = KEEP_ALL,
    ):
        from jieba.posseg import POSTokenizer

        if dictionary is not None:
            check_pos_dictionary(dictionary, "the main dictionary")
        self.cut_points = cut_points_for_mode("accurate")
        self._posseg = POSTokenizer(load_jieba(dictionary, user_dict))
        self.hmm = hmm
        self.with_tags = with_tags
        self.tag_filter = tag_filter

    def tag(self, text: str) -> list[tuple[str, str]]:
        return [(p.word, p.flag) for p in self._posseg.cut(text, HMM=self.hmm)]

    def _token(self, word: str, tag: str) -> str | None:
        """The token of a pair: None where the tag is dropped."""
        return pair_token(word, tag, self.tag_filter, self.with_tags)

    def tokenize(self, text: str) -> list[str]:
        tokens = [word if word.isspace() else self._token(word, tag) for word, tag in self.tag(text)]
        return [t for t in tokens if t is not None]

    def add_rows(
        self,
        text: str,
        orders: tuple[int, int],
        keep: Callable[[str], str | None] | None,
        counts: Counter[str],
    ) -> None:
        """As `CompiledRows.add_rows`: the n-grams of the tokens line by line; a dropped tag or piece
        breaks a run."""
        runs: list[list[str]] = []
        for line in text.split("\n"):
            runs.append([])
            for word, tag in self.tag(line):
                for piece in word.split():
                    token = self._token(piece, tag)
                    kept = token if keep is None or token is None else keep(token)
                    if kept is None:
                        runs.append([])
                    else:
                        runs[-1].append(kept)
        for run in runs:
            for n in range(orders[0], min(orders[1], len(run)) + 1):
                counts.update(map(" ".join, zip(*(run[k:] for k in range(n)))))


def _compiled_segmenter(
    hmm: bool, user_dict: bytes | None, dictionary: bytes | None, with_tags: bool, tag_filter: TagFilter
) -> Any:
    from jieba import finalseg

    from wordfreq.tokenizers.jieba_compiled import _jieba, _model, dictionary_for

    model = pos_model()
    compiled = dictionary_for(user_dict, dictionary)
    tags, node_tags = _word_tags(user_dict, dictionary)
    keep = bytes(1 if tag_filter.keeps(tag) else 0 for tag in tags)
    emit, start, trans = _model()
    return _jieba.Segmenter(
        compiled,
        emit,
        start,
        trans,
        finalseg.Force_Split_Words,
        "accurate",
        hmm,
        pos=(model, tags, node_tags, keep, with_tags),
    )


@functools.lru_cache(maxsize=4)
def _word_tags(user_dict: bytes | None, dictionary: bytes | None) -> tuple[tuple[str, ...], bytes]:
    """posseg's word_tag_tab for these dictionaries: every tag (the model's first), and a tag number per
    node of the compiled dictionary."""
    from wordfreq.tokenizers.jieba_compiled import _jieba, dictionary_for, user_tags_for

    extra = user_tags_for(user_dict, dictionary)
    tags = list(pos_model().tags)
    data = main_dictionary_bytes(dictionary)
    try:
        node_tags = _jieba.word_tags(dictionary_for(user_dict, dictionary), data, extra, tags)
    except ValueError as e:  # checked with the options; jieba's own dictionary always reads
        raise OptionError("dict", f"parts of speech need 'word frequency tag' lines ({e})") from None
    check_tags(tags)
    return tuple(tags), node_tags
