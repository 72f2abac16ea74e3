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
  its live, process-wide ``Force_Split_Words``.  Where jieba is not imported
  yet (the command line), neither needs it: the model is read from the cache,
  keyed by its tables' source files (`_model`), the dictionary file from
  jieba's folder, and ``Force_Split_Words`` is the empty set a fresh import
  has; so a run's start skips jieba's import and the packing of its model.

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
import hashlib
import importlib.util
import re
import struct
import sys
from array import array
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wordfreq.charclasses import HAN_FIRST, HAN_LAST
from wordfreq.tokenizers.dictionary_cache import cached_blob, cached_dictionary
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
    version = jieba_version()
    if version != TESTED_JIEBA:
        return f"jieba {version} is installed; the compiled tokenizer computes jieba {TESTED_JIEBA}'s tokens"
    return None


def jieba_folder() -> Path:
    """The folder of the installed jieba package, found without importing it where it is not imported
    yet: a run whose dictionary image and model are in the cache never needs jieba's import (which
    loads ``finalseg``'s model as Python dicts: some 15 ms of every run's serial start)."""
    loaded = sys.modules.get("jieba")
    if loaded is None:
        spec = importlib.util.find_spec("jieba")
        if spec is not None and spec.submodule_search_locations:
            return Path(next(iter(spec.submodule_search_locations)))
        loaded = import_jieba()  # raises the usual ImportError where jieba is missing
    return Path(str(loaded.__file__)).parent


_VERSION = re.compile(rb"""^__version__ = ['"]([^'"]+)['"]""", re.M)


def jieba_version() -> str:
    """jieba's ``__version__``: the imported module's, else read from its ``__init__.py`` (importing
    it only where that file does not say)."""
    loaded = sys.modules.get("jieba")
    if loaded is None:
        found = _VERSION.search((jieba_folder() / "__init__.py").read_bytes())
        if found is not None:
            return found.group(1).decode("ascii", "replace")
        loaded = import_jieba()
    return str(loaded.__version__)


FINALSEG_TABLES = ("prob_start.py", "prob_trans.py", "prob_emit.py")  # finalseg's model, as jieba loads it
_MODEL_FORMAT = b"WFHMM01\n"
_DIGEST = 16
_STATES = "BMES"
_INTO = (("E", "B"), ("S", "B"), ("M", "M"), ("B", "M"), ("S", "S"), ("E", "S"), ("B", "E"), ("M", "E"))
_SCALARS = struct.Struct(f"<{len(_STATES) + len(_INTO)}d")
_EMIT_BYTES = 8 * len(_STATES) * (HAN_LAST + 1 - HAN_FIRST)

Model = tuple[bytes, tuple[float, ...], tuple[float, ...]]


@functools.lru_cache(maxsize=1)
def _model() -> Model:
    """``jieba.finalseg``'s model as `_jieba.Segmenter` takes it: the emission
    probabilities (B, M, E, S) of U+4E00..U+9FD5 as packed doubles, the start
    probabilities (B, M, E, S), and the eight transitions its PrevStatus
    allows (E>B, S>B, M>M, B>M, S>S, E>S, B>E, M>E).

    The live module's where ``jieba.finalseg`` is imported; else packed once
    from its tables and read from the cache (`dictionary_cache.cached_blob`,
    keyed by the tables' source bytes, and checked by a digest of its own)."""
    finalseg = sys.modules.get("jieba.finalseg")
    if finalseg is not None:
        return _packed_model(finalseg)
    folder = jieba_folder() / "finalseg"
    key = _MODEL_FORMAT + b"".join((folder / name).read_bytes() for name in FINALSEG_TABLES)
    return cached_blob("jieba-hmm", key, _model_blob, _model_from_blob)  # type: ignore[no-any-return]


def _packed_model(finalseg: Any) -> Model:
    emit, start, trans = finalseg.emit_P, finalseg.start_P, finalseg.trans_P
    chars = [chr(code) for code in range(HAN_FIRST, HAN_LAST + 1)]
    by_code = [MIN_FLOAT] * (4 * len(chars))  # code point by code point, the four states of each
    for k, state in enumerate(_STATES):
        get = emit[state].get
        by_code[k::4] = [get(c, MIN_FLOAT) for c in chars]
    packed = array("d", by_code)
    return (
        packed.tobytes(),
        tuple(start[state] for state in _STATES),
        tuple(trans[a].get(b, MIN_FLOAT) for a, b in _INTO),
    )


def _model_blob() -> bytes:
    """The model of a fresh import of ``jieba.finalseg``, as bytes: format, digest, then the doubles."""
    import_jieba()
    from jieba import finalseg

    emit, start, trans = _packed_model(finalseg)
    payload = emit + _SCALARS.pack(*start, *trans)
    return _MODEL_FORMAT + hashlib.blake2b(payload, digest_size=_DIGEST).digest() + payload


def _model_from_blob(blob: bytes) -> Model:
    """The model `_model_blob` packed; ValueError for bytes that are not one, or damaged."""
    head = len(_MODEL_FORMAT) + _DIGEST
    payload = blob[head:]
    if not blob.startswith(_MODEL_FORMAT) or len(payload) != _EMIT_BYTES + _SCALARS.size:
        raise ValueError("not a packed finalseg model")
    if hashlib.blake2b(payload, digest_size=_DIGEST).digest() != blob[len(_MODEL_FORMAT) : head]:
        raise ValueError("a damaged packed finalseg model")
    scalars = _SCALARS.unpack(payload[_EMIT_BYTES:])
    return payload[:_EMIT_BYTES], scalars[: len(_STATES)], scalars[len(_STATES) :]


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
            data = (jieba_folder() / "dict.txt").read_bytes()  # what jieba.Tokenizer().get_dict_file() opens
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


def _force_split_words() -> set[str]:
    """``jieba.finalseg.Force_Split_Words``, live (jieba's ``add_word(w, 0)`` adds to it), where jieba
    is imported; else the empty set it starts as in a process that imports it."""
    finalseg = sys.modules.get("jieba.finalseg")
    return set() if finalseg is None else finalseg.Force_Split_Words  # type: ignore[no-any-return]


class CompiledJiebaTokenizer(CompiledRows):
    """jieba's tokens in one mode, with or without the HMM and a user dictionary, computed in C."""

    def __init__(
        self,
        mode: str = "accurate",
        hmm: bool = True,
        user_dict: bytes | None = None,
        dictionary: bytes | None = None,
    ):
        emit, start, trans = _model()
        self._segmenter = _jieba.Segmenter(
            dictionary_for(user_dict, dictionary), emit, start, trans, _force_split_words(), mode, hmm
        )
        self.cut_points = cut_points_for_mode(mode)
        self.tokenize: Callable[[str], list[str]] = self._segmenter.tokenize
        self.add_counts: Callable[[str, Counter[str]], None] = self._segmenter.add_counts
        # Where each token is (`wordfreq.tokenizers.places`), from the segmentation itself.
        self.places: Callable[[str], list[tuple[str, int, int]]] = self._segmenter.places
        if mode != "search":
            self.kwic_rows: Callable[..., tuple[bytes, bytes]] = self._segmenter.kwic_rows
