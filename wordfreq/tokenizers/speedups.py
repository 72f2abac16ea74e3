"""The hot loops of the exact jieba tokenizer, compiled where possible.

Each loop exists twice with one contract: in C (``_speedups.c``, beside
this module, built by ``pip install`` where a C compiler is found; the
install goes on without it where none is) and in Python, used when the C one
is missing.  The character classes are `charclasses`' (the C code spells
them again; the tests check over every code point that they agree).
`IMPLEMENTATION` says which is in use; the tests run both on the same
inputs (`tests/test_speedups.py`).

``count_route(steps, counts, deltas)`` takes the route of a text as rjieba
gives it without the HMM (a list of tokens, the *steps*, none holding NUL:
the exact tokenizer takes NUL out of the text first) and

* adds one to ``counts[step]`` for every step;
* finds the *buffers*: maximal runs of two or more buffer steps, a buffer
  step being one character of U+4E00..U+9FD5 or of ``+#&._%-``, or a run of
  ASCII letters and digits (rjieba glues single letters and digits into one
  step; jieba buffers them one by one).  A buffer's *key* is its steps
  joined by NUL;
* for every buffer whose key is in ``deltas``, applies the delta (a tuple
  of ``(token, change)`` pairs: how jieba's tokens for that buffer differ
  from its steps), deleting a token whose count reaches zero;
* returns the keys of the other buffers, in order (repeats included), for
  the caller to compute their deltas and apply them.

``splice_route(steps, spliced)`` is `count_route`'s ordered twin: the
steps in order with every buffer replaced by ``spliced[key]`` (a mapping
that computes a missing key: the buffer's tokens, each preceded by NUL).  It
is Python only: a regular expression finds the buffers and joins do the rest,
so that Python runs once per buffer, not per step.

``hmm_cut(emit, start, trans, obs)`` is ``jieba.finalseg``'s Viterbi over a
run ``obs`` of two or more characters of U+4E00..U+9FD5, and the words its
states mark: the same floating point operations in the same order (IEEE
doubles give the same sums in C and in Python) and the same choice on ties
as ``max`` over ``(score, state)`` pairs.  `HmmModel` holds its tables.

``count_all_han(text, words, counts)`` adds jieba's all-mode tokens of
``text`` (characters of U+4E00..U+9FD5 and line feeds) to ``counts``, given
``words``, rjieba's ``cut_all(text)``: every dictionary word at every
position, by position then length (the character alone where no longer
word starts, nothing where it is in no word), and each run of line feeds
once, whole.  jieba's ``__cut_all`` keeps
every word of two or more characters, and the character at each position
where none starts, unless the longest word at the last position before it
that had one reaches it; a run of line feeds is kept as rjieba gives it (one
token: every line feed of the text is in exactly one token, and counting
drops them all).

``count_all(text, counts, cut_all)`` is jieba's all mode over a whole text
where no dictionary word holds an ASCII character: between blocks each run
of characters that are neither block characters nor whitespace is a token;
each run of ASCII letters and digits is one (``__cut_all``'s eng_buf) and
each other ASCII block character one; and the Han runs, joined by single
line feeds, go through ``cut_all`` (rjieba's) and `count_all_han`.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import chain, compress, repeat

from wordfreq.tokenizers.charclasses import (
    ASCII_ALNUM,
    ASCII_BLOCK_CHAR,
    ASCII_PUNCT,
    BLOCK,
    HAN,
    HAN_FIRST,
    HAN_LAST,
    WHITESPACE,
)

SEP = "\x00"
_STEP = f"(?:[{ASCII_ALNUM}]+|[{HAN}{ASCII_PUNCT}])"
# Over the route joined by NUL, starting and ending with NUL.
_BUFFER = re.compile(f"\x00({_STEP}\x00{_STEP}(?:\x00{_STEP})*)(?=\x00)")

MIN_FLOAT = -3.14e100  # jieba.finalseg's

Delta = tuple[tuple[str, int], ...]
Probabilities = tuple[float, float, float, float]  # B, M, E, S
CountRoute = Callable[[list[str], Counter[str], dict[str, Delta]], list[str]]


def apply_delta(counts: Counter[str], delta: Delta, times: int = 1) -> None:
    """Add ``times`` × ``delta`` to ``counts``, dropping tokens that reach zero."""
    for token, change in delta:
        left = counts[token] + change * times
        if left:
            counts[token] = left
        else:
            del counts[token]


def count_route_py(steps: list[str], counts: Counter[str], deltas: dict[str, Delta]) -> list[str]:
    """`count_route` in Python (see the module docstring)."""
    counts.update(steps)
    if not steps:
        return []
    missing = []
    buffers = Counter(_BUFFER.findall(f"{SEP}{SEP.join(steps)}{SEP}"))
    for key, times in buffers.items():  # each distinct buffer once: most recur
        delta = deltas.get(key)
        if delta is None:
            missing.extend([key] * times)
        else:
            apply_delta(counts, delta, times)
    return missing


def splice_route(steps: list[str], spliced: Mapping[str, str]) -> list[str]:
    """The route ``steps`` with each buffer replaced by its tokens, in order
    (see the module docstring)."""
    parts = _BUFFER.split(f"{SEP}{SEP.join(steps)}{SEP}")
    if len(parts) == 1:
        return steps
    # Split keeps the buffers' keys at the odd places, each without the NUL
    # before it; the NUL after it starts the part that follows.
    parts[1::2] = map(spliced.__getitem__, parts[1::2])
    return "".join(parts)[1:-1].split(SEP)


@dataclass(frozen=True)
class HmmModel:
    """``jieba.finalseg``'s model: emission probabilities by character (B, M,
    E, S; `MIN_FLOAT` where jieba has none), start probabilities, and the
    eight transitions its PrevStatus allows, as (E>B, S>B, M>M, B>M, S>S,
    E>S, B>E, M>E)."""

    emit: Mapping[str, Probabilities]
    start: Probabilities
    trans: tuple[float, float, float, float, float, float, float, float]

    def packed_emit(self) -> array:
        """The emission probabilities of U+4E00..U+9FD5 as one flat array of doubles."""
        none = (MIN_FLOAT,) * 4
        rows = map(self.emit.get, map(chr, range(HAN_FIRST, HAN_LAST + 1)), repeat(none))
        return array("d", chain.from_iterable(rows))

    def cutter(self) -> Callable[[str], list[str]]:
        """`hmm_cut` with this model, compiled when available."""
        if _COMPILED is not None:
            return partial(_COMPILED.hmm_cut, self.packed_emit().tobytes(), self.start, self.trans)
        return partial(hmm_cut_py, self.emit, self.start, self.trans)


def hmm_cut_py(
    emit: Mapping[str, Probabilities],
    start: Probabilities,
    trans: tuple[float, ...],
    obs: str,
) -> list[str]:
    """`hmm_cut` in Python: ``finalseg.__cut`` of a run of Han characters (length >= 2)."""
    none = (MIN_FLOAT,) * 4
    t_eb, t_sb, t_mm, t_bm, t_ss, t_es, t_be, t_me = trans
    s_b, s_m, s_e, s_s = start
    e_b, e_m, e_e, e_s = emit.get(obs[0], none)
    v_b = s_b + e_b
    v_m = s_m + e_m
    v_e = s_e + e_e
    v_s = s_s + e_s
    back = []
    for c in obs[1:]:
        e_b, e_m, e_e, e_s = emit.get(c, none)
        # max([(score, prev), ...]): a tie goes to the larger state letter.
        a = v_e + t_eb + e_b
        b = v_s + t_sb + e_b
        if a > b:
            n_b, p_b = a, "E"
        else:
            n_b, p_b = b, "S"
        a = v_m + t_mm + e_m
        b = v_b + t_bm + e_m
        if b > a:
            n_m, p_m = b, "B"
        else:
            n_m, p_m = a, "M"
        a = v_s + t_ss + e_s
        b = v_e + t_es + e_s
        if b > a:
            n_s, p_s = b, "E"
        else:
            n_s, p_s = a, "S"
        a = v_b + t_be + e_e
        b = v_m + t_me + e_e
        if a > b:
            n_e, p_e = a, "B"
        else:
            n_e, p_e = b, "M"
        v_b, v_m, v_e, v_s = n_b, n_m, n_e, n_s
        back.append((p_b, p_m, p_e, p_s))
    state = "E" if v_e > v_s else "S"
    n = len(obs)
    states = [state] * n
    index = {"B": 0, "M": 1, "E": 2, "S": 3}
    for t in range(n - 1, 0, -1):
        state = back[t - 1][index[state]]
        states[t - 1] = state
    words = []
    begin = nexti = 0
    for i, pos in enumerate(states):
        if pos == "B":
            begin = i
        elif pos == "E":
            words.append(obs[begin : i + 1])
            nexti = i + 1
        elif pos == "S":
            words.append(obs[i])
            nexti = i + 1
    if nexti < n:
        words.append(obs[nexti:])
    return words


_IS_HAN = re.compile(f"[{HAN}]").match


def all_han_tokens_py(text: str, words: list[str]) -> list[str]:
    """jieba's all-mode tokens of ``text`` (characters of U+4E00..U+9FD5 and
    line feeds), given ``words``, rjieba's ``cut_all(text)``; see `count_all_han`.

    rjieba yields every dictionary word at every position, in order of
    position, then length; so a word's position is where it next occurs (at
    the same position only if it is longer than the word before it).  A run
    of line feeds is yielded once, whole, and overlaps no other token: its
    position is where it next occurs after the token before it.
    """
    multi = list(compress(words, map((1).__lt__, map(len, words))))
    find = text.find
    pos = plen = reach = 0
    gaps = []
    for w in multi:
        n = len(w)
        if not _IS_HAN(w):  # a run of line feeds: after the token before it
            s = find(w, reach)
        else:
            s = find(w, pos)
            if s == pos and n <= plen:  # that one came before the previous word
                s = find(w, pos + 1)
        if s > reach:
            gaps.append(text[reach:s])
        reach = s + n
        pos = s
        plen = n
    gaps.append(text[reach:])
    multi.extend("".join(gaps))
    return multi


def count_all_han_py(text: str, words: list[str], counts: Counter[str]) -> None:
    """`count_all_han` in Python."""
    counts.update(all_han_tokens_py(text, words))


_NONBLOCK_RUN = re.compile(f"[^{BLOCK}{WHITESPACE}]+")
_ASCII_TOKEN = re.compile(f"[{ASCII_ALNUM}]+|[{ASCII_PUNCT}]")
_NON_HAN = re.compile(f"[^{HAN}]+")


def count_all_py(text: str, counts: Counter[str], cut_all: Callable[[str], list[str]]) -> None:
    """`count_all` in Python."""
    counts.update(_NONBLOCK_RUN.findall(text))
    if ASCII_BLOCK_CHAR.search(text):
        counts.update(_ASCII_TOKEN.findall(text))
    han = _NON_HAN.sub("\n", text)
    if han.strip():
        count_all_han_py(han, cut_all(han), counts)


def _compiled():  # type: ignore[no-untyped-def]
    try:
        from wordfreq.tokenizers import _speedups  # type: ignore[attr-defined]
    except ImportError:
        return None
    return _speedups


_COMPILED = _compiled()
count_route: CountRoute = _COMPILED.count_route if _COMPILED is not None else count_route_py
count_all: Callable[[str, Counter[str], Callable[[str], list[str]]], None] = (
    _COMPILED.count_all if _COMPILED is not None else count_all_py
)
IMPLEMENTATION = "C" if _COMPILED is not None else "Python"
