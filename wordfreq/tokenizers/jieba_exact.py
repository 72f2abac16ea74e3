"""jieba's exact tokens, with the heavy work done by rjieba (jieba-rs).

What is guaranteed.  For every text, mode (accurate, all, search), HMM
setting and user dictionary, `add_counts` adds to a counter what
``Counter(p for t in tokens for p in t.split())`` adds, ``tokens`` being
jieba 0.42.1's own ``jieba.Tokenizer().cut(text, ...)`` /
``cut_for_search(text, ...)`` with the user dictionary loaded by
``load_userdict``; and `ordered` (also `tokenize`) returns exactly
``list(tokens)``: the same tokens in the same order, whitespace tokens as
jieba yields them (in all mode it asks jieba itself).  `cut_points` are
jieba's.  The guarantee holds for the versions it was checked against,
rjieba 0.2.2 (jieba-rs 0.11.0) and jieba 0.42.1; `available` refuses others,
because the argument below rests on how exactly they behave.

How.  jieba cuts a text into *blocks* (maximal runs of
``[\\u4E00-\\u9FD5a-zA-Z0-9+#&._%-]``) and segments each on its own: the
DAG of dictionary words, the most probable route through it and, with the
HMM, ``jieba.finalseg`` for every *buffer* (a run of two or more
single-character route steps that is not itself a word).  rjieba computes
the same DAG and route with the same arithmetic (``log(freq) - log(total)``
summed in the same order, ties to the longer word) once it has the same
dictionary and the same total, so:

* accurate and search modes: one ``rjieba.cut(text, False)`` (or
  ``cut_for_search(text, False)``) call over the whole text gives the route.
  Its steps are counted as they are; with the HMM, the same pass finds the
  buffers (runs of single block characters; rjieba glues single ASCII
  letters and digits into one token, and jieba buffers them too), and an
  exact re-implementation of ``jieba.finalseg.cut`` cuts each (same model,
  same floating point operations in the same order, same tie rule, jieba's
  live ``Force_Split_Words``), adding search mode's 2- and 3-grams; the
  difference between a buffer's steps and its tokens is cached per buffer
  and added to the count.  rjieba's own HMM is never used.  (The loops are
  in `speedups`: compiled, or their Python twins.)
* in order (`ordered`, accurate and search modes): the same route, from
  the same call, with each buffer replaced by its tokens (cached per buffer;
  `speedups.splice_route`).  rjieba yields the text between blocks as jieba
  does (each character a token, a line feed after a carriage return joining
  it); the special characters (below) are given to it as a private-use
  character the text does not hold, each then a token of its own as the
  special character is for jieba, and put back in its place.
* all mode: non-block text is split as jieba does; runs of Han characters
  go through ``rjieba.cut_all`` (every dictionary word at every position),
  of which jieba keeps every word of two or more characters and the
  character at each position where no such word starts and that the longest
  word at the last position with one does not reach; runs of ASCII letters
  and digits are one token each and other ASCII block characters one each
  (``__cut_all``'s eng_buf), which holds while no dictionary word has an
  ASCII character.

The known differences of rjieba, and how each is handled:

1. rjieba's HMM keeps ``1-30`` or ``www.example.com`` whole where
   ``jieba.finalseg`` splits them (``1``, ``-``, ``30``), and its search mode
   adds their parts: rjieba's HMM is not used.
2. rjieba takes CJK Extension A to F, U+9FD6-U+9FFF and the compatibility
   ideographs (U+F900-U+FAFF, U+2F800-U+2FA1F) for Han, where jieba ends a
   block at each and makes it a token of its own.  These characters (and lone
   surrogates, which rjieba cannot take, and NUL, the separator used here)
   are replaced by a space before rjieba sees the text and counted as jieba
   counts them; in all mode rjieba only ever sees U+4E00-U+9FD5.
3. rjieba's HMM emission probabilities are rounded to six decimals, so where
   two cuts of a buffer are (nearly) equally probable (repeated characters,
   characters with equal probabilities such as 恹 and 懨, characters missing
   from the tables) it may choose the other one: rjieba's HMM is not used.
4. (found here) rjieba's total is 3 below jieba's: jieba's dict.txt lists
   B超 twice and jieba counts both.  Where two routes tie exactly (呵|呵呵
   against 呵呵|呵) the last bits of the sums decide, and with a buffer next to
   them the counts differ.  rjieba is given the difference back as the
   frequency of a word that no block can hold (its matches never leave a
   block).

A user dictionary is loaded into a real ``jieba.Tokenizer`` with
``load_userdict``, so every frequency (including the ones jieba suggests for
words given without one, at their line) is jieba's own; the words and their
final frequencies are then copied into rjieba, and its total is brought to
jieba's (which counts a word given again twice) in the same way.  A word
given frequency 0 that rjieba already has cannot be deleted from it: rjieba's
dictionary is then rebuilt from jieba's.

Blocks cut on their own (jieba cuts each block on its own; `ordered`
splices their tokens in where they stood), only those that hold one of
these words:

* all mode: a dictionary word with an ASCII character (T恤, C++, AT&T, or a
  user's), which ``__cut_all`` treats specially and ``rjieba.cut_all``
  cannot see (it keeps ASCII runs whole): a port of ``__cut_all`` runs over
  jieba's DAG, built from rjieba's dictionary (`_cut_all_block`);
* with a user dictionary: with the HMM, a word of ASCII letters and digits
  only (it could not be told from glued single letters); in search mode, a
  word with ``.``, ``_`` or ``-`` (rjieba's search mode adds its parts):
  jieba itself, whose dictionary is loaded already (with the user's words).
"""

from __future__ import annotations

import functools
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from wordfreq.tokenizers import owns_process, package_version
from wordfreq.tokenizers.charclasses import (
    ASCII_ALNUM,
    ASCII_BLOCK_CHAR,
    BLOCK,
    HAN,
    RJIEBA_ONLY_HAN,
    SURROGATES,
)
from wordfreq.tokenizers.jieba_py import cut_points_for_mode, quiet_jieba_logger
from wordfreq.tokenizers.speedups import (
    MIN_FLOAT,
    SEP,
    Delta,
    HmmModel,
    apply_delta,
    count_all,
    count_route,
    splice_route,
)

TESTED_RJIEBA = "0.2.2"
TESTED_JIEBA = "0.42.1"

_BLOCK_ONLY = re.compile(f"[{BLOCK}]+")
_BLOCK_RUN = re.compile(f"[{BLOCK}]*")
_IS_BLOCK = re.compile(f"[{BLOCK}]").match

# Characters rjieba takes for Han but jieba does not, lone surrogates (rjieba
# cannot take them) and NUL (our separator).  None is a block character for
# jieba, so each is a token of its own there.
_SPECIAL = re.compile(f"[\x00{RJIEBA_ONLY_HAN}{SURROGATES}]")

# jieba.finalseg's own expressions.
_HMM_HAN = re.compile(f"([{HAN}]+)")
_HMM_SKIP = re.compile(f"([{ASCII_ALNUM}]+(?:\\.\\d+)?%?)")
_HAN_ONLY = re.compile(f"[{HAN}]+")

# all mode
_ASCII_ALNUM = re.compile(f"[{ASCII_ALNUM}]")  # jieba's re_eng
_ALNUM_ONLY = re.compile(f"[{ASCII_ALNUM}]+")

# jieba 0.42.1's dict.txt lists B超 twice (frequency 3 each): jieba adds both
# to its total, rjieba 0.2.2 (jieba-rs 0.11.0) only one.  The total enters
# every route probability, so rjieba is given the difference back.
_RJIEBA_TOTAL_SHORTFALL = 3

_CACHE_SIZE = 200_000

# Stand-ins for the special characters while rjieba cuts a text for the
# ordered tokens: private-use characters, neither block characters nor
# whitespace, so each is a token of its own, as each special character is for
# jieba.  The first one the text does not hold is used.
_MARKS = tuple(map(chr, range(0xE001, 0xE011)))
_SPECIAL_SPLIT = re.compile(f"({_SPECIAL.pattern})")


def available() -> str | None:
    """None when this tokenizer can be used, else the reason it cannot."""
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return "rjieba is not installed: pip install '.[fast]'"
    try:
        import jieba
    except ImportError:  # pragma: no cover - jieba is a dependency
        return "jieba is not installed"
    found = {"rjieba": package_version("rjieba"), "jieba": jieba.__version__}
    for name, tested in (("rjieba", TESTED_RJIEBA), ("jieba", TESTED_JIEBA)):
        if found[name] != tested:
            return f"{name} {found[name]} is installed; jieba-exact is verified with {name} {tested} only"
    return None


def _load_user_dict(tok: Any, user_dict: bytes) -> dict[str, int]:
    """Load ``user_dict`` into ``tok`` (a ``jieba.Tokenizer``) with jieba's own
    ``load_userdict`` (its parsing, frequencies, deletions and errors), and
    return the words it added, in order of first mention, each with its
    frequency before the load.

    The words are taken from the calls ``load_userdict`` makes to
    ``tok.add_word``, so that the file is parsed once, by jieba.  A word's
    frequency at its first ``add_word`` is the one it had before the load:
    the words added before it only set prefixes missing from ``FREQ`` to 0,
    which ``FREQ.get(word, 0)`` reads alike.
    """
    before: dict[str, int] = {}
    add_word = tok.add_word

    def recording_add_word(word: str, freq: str | None = None, tag: str | None = None) -> None:
        before.setdefault(word, tok.FREQ.get(word, 0))
        add_word(word, freq, tag)

    tok.add_word = recording_add_word  # this instance only, for this load only
    try:
        tok.load_userdict(io.BytesIO(user_dict))
    finally:
        del tok.add_word
    return before


class _FinalSeg:
    """An exact re-implementation of ``jieba.finalseg.cut``.

    Same model (read from jieba), same floating point operations in the same
    order and same choice on ties (`speedups.hmm_cut`), same
    ``Force_Split_Words`` (the live, process-wide set).
    """

    def __init__(self) -> None:
        from jieba import finalseg

        self._force = finalseg.Force_Split_Words
        self._han_words = _hmm_model().cutter()

    def cut(self, sentence: str) -> list[str]:
        force = self._force
        if _HAN_ONLY.fullmatch(sentence):  # the usual case, in short
            if len(sentence) == 1:
                return [sentence]
            words = self._han_words(sentence)
            if force and not force.isdisjoint(words):
                return [c for w in words for c in ((w,) if w not in force else w)]
            return words
        out: list[str] = []
        for i, blk in enumerate(_HMM_HAN.split(sentence)):
            if not blk:
                continue
            if i % 2:  # a Han run
                if len(blk) == 1:
                    out.append(blk)
                    continue
                for word in self._han_words(blk):
                    if word in force:
                        out.extend(word)
                    else:
                        out.append(word)
            else:
                out.extend(x for x in _HMM_SKIP.split(blk) if x)
        return out


@functools.lru_cache(maxsize=1)
def _hmm_model() -> HmmModel:
    """jieba.finalseg's model, in the shape `speedups.hmm_cut` takes."""
    from jieba import finalseg

    emit, start, trans = finalseg.emit_P, finalseg.start_P, finalseg.trans_P
    b, m, e, s = (emit[state] for state in "BMES")
    get = lambda a, b: trans[a].get(b, MIN_FLOAT)  # noqa: E731
    return HmmModel(
        emit={c: (b.get(c, MIN_FLOAT), m.get(c, MIN_FLOAT), e.get(c, MIN_FLOAT), s.get(c, MIN_FLOAT))
              for c in set().union(b, m, e, s)},
        start=(start["B"], start["M"], start["E"], start["S"]),
        # into B from E, S; into M from M, B; into S from S, E; into E from B, M
        trans=(get("E", "B"), get("S", "B"), get("M", "M"), get("B", "M"),
               get("S", "S"), get("E", "S"), get("B", "E"), get("M", "E")),
    )  # fmt: skip


@functools.lru_cache(maxsize=1)
def _default_dictionary_facts() -> tuple[tuple[str, ...], int]:
    """The words of jieba's default dictionary that hold an ASCII character,
    and the length of its longest word."""
    import jieba

    with jieba.Tokenizer().get_dict_file() as f:
        data = f.read()
    found = re.findall(rb"\n([^ \n!-~]*[!-~][^ \n]*) ([0-9]+)", b"\n" + data)
    longest = max(map(len, data.decode("utf-8").split()[::3]))
    return tuple(w.decode("utf-8") for w, freq in found if int(freq) > 0), longest


@dataclass(frozen=True)
class _Dictionary:
    """rjieba holding exactly jieba's dictionary (words with a frequency > 0)
    and total, for one user dictionary; and the user's words with jieba's
    final frequency for each."""

    rjieba: Any
    user_words: tuple[tuple[str, int], ...]


# A word that no block can hold (rjieba only matches words inside blocks, and
# is only given block characters), to bring rjieba's total to jieba's.
_FILLER = "\ue000\ue000"

_JIEBA: dict[bytes | None, Any] = {}
_DICTIONARIES: dict[bytes | None, _Dictionary] = {}


def _jieba_for(user_dict: bytes | None) -> Any:
    """jieba itself with ``user_dict`` loaded, once per process."""
    tok = _JIEBA.get(user_dict)
    if tok is None:
        import jieba

        quiet_jieba_logger()
        tok = jieba.Tokenizer()
        tok.initialize()
        if user_dict is not None:
            tok.load_userdict(io.BytesIO(user_dict))
        _JIEBA[user_dict] = tok
    return tok


def _dictionary_for(user_dict: bytes | None) -> _Dictionary:
    """rjieba with ``user_dict``, once per process."""
    found = _DICTIONARIES.get(user_dict)
    if found is None:
        found = _DICTIONARIES[user_dict] = _build_dictionary(user_dict)
    return found


def _default_rjieba() -> Any:
    """A new rjieba instance with its default dictionary.

    In a process that wordfreq owns, the first call adopts rjieba's module
    default (built when rjieba was imported) instead of building another.
    """
    import rjieba

    global _DEFAULT_ADOPTED
    if owns_process() and not _DEFAULT_ADOPTED:
        _DEFAULT_ADOPTED = True
        return rjieba._DEFAULT_JIEBA
    return rjieba.Jieba()


_DEFAULT_ADOPTED = False


def _build_dictionary(user_dict: bytes | None) -> _Dictionary:
    import jieba
    import rjieba

    if user_dict is None:
        rj = _default_rjieba()
        rj.add_word(_FILLER, _RJIEBA_TOTAL_SHORTFALL, None)
        return _Dictionary(rj, ())
    quiet_jieba_logger()
    tok = jieba.Tokenizer()
    tok.initialize()
    total_before = tok.total
    before = _load_user_dict(tok, user_dict)
    _JIEBA[user_dict] = tok
    words = list(before)
    final = {w: tok.FREQ.get(w, 0) for w in words}

    if any(final[w] == 0 and before[w] > 0 and _BLOCK_ONLY.fullmatch(w) for w in words):
        # A dictionary word was deleted (frequency 0); rjieba cannot delete
        # one, so its dictionary is built from jieba's.
        rj = rjieba.Jieba.empty()
        total = 0
        for w, f in tok.FREQ.items():
            if f > 0 and _BLOCK_ONLY.fullmatch(w):
                rj.add_word(w, f, None)
                total += f
    else:
        # rjieba starts with jieba's default dictionary and total (checked by
        # the tests), and replaces a word's frequency where jieba adds to it.
        rj = _default_rjieba()
        total = total_before - _RJIEBA_TOTAL_SHORTFALL
        for w in words:
            f = final[w]
            if f > 0 and _BLOCK_ONLY.fullmatch(w):  # other words never match a block
                rj.add_word(w, f, None)
                total += f - before[w]
    if tok.total > total:
        rj.add_word(_FILLER, tok.total - total, None)
    return _Dictionary(rj, tuple((w, final[w]) for w in words))


def _alternation(words: set[str]) -> re.Pattern[str] | None:
    """A pattern matching any of ``words`` (longest first), or None for none."""
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


class _SplicedBuffers(dict[str, str]):
    """A buffer's key (its steps joined by NUL) -> jieba's tokens for it,
    each preceded by NUL; computed when first asked for."""

    def __init__(self, tokens: Callable[[str], list[str]]) -> None:
        super().__init__()
        self._tokens = tokens

    def __missing__(self, key: str) -> str:
        if len(self) >= _CACHE_SIZE:
            self.clear()
        value = self[key] = SEP + SEP.join(self._tokens(key.replace(SEP, "")))
        return value


class ExactJiebaTokenizer:
    """jieba's tokens, computed with rjieba; see the module docstring."""

    def __init__(self, mode: str = "accurate", hmm: bool = True, user_dict: bytes | None = None):
        if mode not in ("accurate", "all", "search"):
            raise ValueError(f"unknown mode {mode!r}")
        quiet_jieba_logger()
        self.mode = mode
        self.hmm = hmm
        self.user_dict = user_dict
        self.cut_points = cut_points_for_mode(mode)
        self.engine = f"jieba-exact (rjieba {package_version('rjieba')} + jieba fallback)"
        dictionary = _dictionary_for(user_dict)
        self._rj = dictionary.rjieba
        self._has_word = self._rj.has_word
        self._finalseg = _FinalSeg() if hmm and mode != "all" else None
        self._cache: dict[str, Delta] = {}
        self._spliced = _SplicedBuffers(self._buffer_tokens)
        self._cut = self._rj.cut_for_search if mode == "search" else self._rj.cut
        self._count_route = count_route
        self._count_all = count_all
        self._cache_force: frozenset[str] | None = None
        # The blocks holding one of these words go to jieba itself: with the
        # HMM, a word of ASCII letters and digits only (rjieba glues single
        # letters into such tokens); in search mode, a word with . _ or -
        # (rjieba's search mode adds its parts).
        trouble = set()
        for w, f in dictionary.user_words:
            if f > 0 and len(w) > 1 and _BLOCK_ONLY.fullmatch(w):
                if hmm and mode != "all" and _ALNUM_ONLY.fullmatch(w):
                    trouble.add(w)
                if mode == "search" and re.search("[._-]", w):
                    trouble.add(w)
        self._trouble = _alternation(trouble)
        # In all mode, the blocks holding a dictionary word with an ASCII
        # character (T恤, C++, a user's Wi-Fi) go to jieba; found when a text
        # first has an ASCII block character (reading them costs 0.15 s).
        self._all_mode_trouble: re.Pattern[str] | None | bool = False
        self._longest: int | None = None

    def _ascii_word_blocks(self) -> re.Pattern[str] | None:
        """All mode: a pattern for the dictionary words that hold an ASCII character."""
        if self._all_mode_trouble is False:
            user_words = [w for w, f in _dictionary_for(self.user_dict).user_words if f > 0]
            self._all_mode_trouble = _alternation(
                {
                    w
                    for w in [*_default_dictionary_facts()[0], *user_words]
                    if _BLOCK_ONLY.fullmatch(w) and ASCII_BLOCK_CHAR.search(w)
                }
            )
        return self._all_mode_trouble  # type: ignore[return-value]

    # -- helpers ------------------------------------------------------------

    @staticmethod
    def _blocks_matching(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int]]:
        """The start and end of each block of ``text`` that holds a match of
        ``pattern`` (which matches block characters only, so each match lies
        in one block), in order."""
        last = 0
        for m in pattern.finditer(text):
            p = m.start()
            if p < last:
                continue
            start = p
            while start > last and _IS_BLOCK(text, start - 1):
                start -= 1
            last = _BLOCK_RUN.match(text, p).end()
            yield start, last

    def _jieba_block(self, block: str) -> list[str]:
        """jieba's tokens of one block: in all mode from `_cut_all_block`, else
        from jieba itself (whose dictionary is then loaded already, with the
        user's)."""
        if self.mode == "all":
            return self._cut_all_block(block)
        tok = _jieba_for(self.user_dict)
        if self.mode == "search":
            return list(tok.cut_for_search(block, HMM=self.hmm))
        return list(tok.cut(block, HMM=self.hmm))

    def _extract_blocks(self, text: str, pattern: re.Pattern[str]) -> tuple[str, list[str]]:
        """Cut the blocks holding a match of ``pattern`` as jieba does, on their own.

        Returns the text with those blocks replaced by a space (not a block
        character: the blocks around stay as they were) and jieba's tokens
        for them (`_jieba_block`).
        """
        pieces: list[str] = []
        tokens: list[str] = []
        last = 0
        for start, end in self._blocks_matching(text, pattern):
            tokens.extend(self._jieba_block(text[start:end]))
            pieces.append(text[last:start])
            pieces.append(" ")
            last = end
        pieces.append(text[last:])
        return "".join(pieces), tokens

    def _cut_all_block(self, block: str) -> list[str]:
        """jieba's ``__cut_all`` of one block, over jieba's DAG built with
        rjieba's dictionary.

        jieba's ``get_DAG`` lists, at each position, the ends of the
        dictionary words that start there (the position itself if none);
        it stops extending a fragment once it is no prefix of any word, and
        then no longer fragment can be a word either, so checking every
        fragment up to the longest word's length finds the same ends.
        (``rjieba.cut_all`` cannot be used here: it keeps runs of ASCII
        letters whole and so misses words like T恤 and A股.)
        """
        has_word = self._has_word
        longest = self._longest_word()
        n = len(block)
        dag = []
        for k in range(n):
            ends = [j for j in range(k, min(n, k + longest)) if has_word(block[k : j + 1])]
            dag.append(ends or [k])
        # jieba.Tokenizer.__cut_all, over that DAG.
        words = []
        old_j = -1
        eng_scan = False
        eng_buf = ""
        for k, ends in enumerate(dag):
            if eng_scan and not _ASCII_ALNUM.match(block[k]):
                eng_scan = False
                words.append(eng_buf)
            if len(ends) == 1 and k > old_j:
                word = block[k : ends[0] + 1]
                if _ASCII_ALNUM.match(word):
                    if not eng_scan:
                        eng_scan = True
                        eng_buf = word
                    else:
                        eng_buf += word
                if not eng_scan:
                    words.append(word)
                old_j = ends[0]
            else:
                for j in ends:
                    if j > k:
                        words.append(block[k : j + 1])
                        old_j = j
        if eng_scan:
            words.append(eng_buf)
        return words

    def _longest_word(self) -> int:
        """The length of the longest word of this tokenizer's dictionary."""
        if self._longest is None:
            users = [len(w) for w, f in _dictionary_for(self.user_dict).user_words if f > 0]
            self._longest = max([_default_dictionary_facts()[1], *users])
        return self._longest

    def _buffer_tokens(self, buf: str) -> list[str]:
        """What jieba's ``__cut_DAG`` yields for a buffer of single steps."""
        if self._has_word(buf):  # FREQ.get(buf) > 0: one token per character
            return list(buf)
        words = self._finalseg.cut(buf)  # type: ignore[union-attr]
        if self.mode != "search":
            return words
        has_word = self._has_word
        out = []
        for w in words:
            n = len(w)
            if n > 2:
                out.extend(g for g in (w[i : i + 2] for i in range(n - 1)) if has_word(g))
            if n > 3:
                out.extend(g for g in (w[i : i + 3] for i in range(n - 2)) if has_word(g))
            out.append(w)
        return out

    def _buffer_delta(self, buf: str) -> Delta:
        """How jieba's tokens for a buffer differ from rjieba's route steps.

        ``buf`` is a buffer as the route shows it (steps joined by the
        separator); the answer is cached.
        """
        delta = self._cache.get(buf)
        if delta is None:
            steps = buf.split(SEP)
            change: dict[str, int] = {}
            for token in self._buffer_tokens("".join(steps)):
                change[token] = change.get(token, 0) + 1
            for step in steps:
                change[step] = change.get(step, 0) - 1
            delta = tuple([item for item in change.items() if item[1]])
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[buf] = delta
        return delta

    def _check_force_split_words(self) -> None:
        """Forget the buffers' tokens if jieba's force-split words changed.

        The cached tokens hold for one set of them (process-wide; a user
        dictionary's words of frequency 0 join it).
        """
        force = frozenset(self._finalseg._force)  # type: ignore[union-attr]
        if force != self._cache_force:
            self._cache.clear()
            self._spliced.clear()
            self._cache_force = force

    # -- the tokenizer ------------------------------------------------------

    def ordered(self, text: str) -> list[str]:
        """jieba's tokens of ``text``, in jieba's order, whitespace included.

        Exactly ``list(jieba.Tokenizer().cut(text, HMM=hmm))`` (accurate
        mode) or ``list(....cut_for_search(text, HMM=hmm))`` (search mode),
        with the user dictionary loaded; see the module docstring.  In all
        mode, jieba's own ``cut(text, cut_all=True, HMM=hmm)``.
        """
        if not text:
            return []
        if self.mode == "all":
            return list(_jieba_for(self.user_dict).cut(text, cut_all=True, HMM=self.hmm))
        if self._trouble is None or not self._trouble.search(text):
            return self._ordered_route(text)
        # jieba cuts each block on its own and the text between blocks
        # character by character (a line feed after a carriage return
        # joining it), so the tokens of a text are those of the pieces
        # between the trouble blocks and of the blocks, in order.
        tokens: list[str] = []
        last = 0
        for start, end in self._blocks_matching(text, self._trouble):
            tokens += self._ordered_route(text[last:start])
            tokens += self._jieba_block(text[start:end])
            last = end
        tokens += self._ordered_route(text[last:])
        return tokens

    tokenize = ordered

    def _ordered_route(self, text: str) -> list[str]:
        """`ordered` for a text with no trouble block: rjieba's route, its
        buffers replaced by jieba's tokens for them, the special characters
        put back."""
        if not text:
            return []
        specials = None
        if _SPECIAL.search(text):
            mark = next((c for c in _MARKS if c not in text), None)
            if mark is None:  # the text holds every mark: cut around each special character
                pieces = _SPECIAL_SPLIT.split(text)
                return [t for i, p in enumerate(pieces) for t in ((p,) if i % 2 else self._ordered_route(p))]
            specials = _SPECIAL.findall(text)
            text = _SPECIAL.sub(mark, text)
        steps = self._cut(text, False)
        if self._finalseg is not None:
            self._check_force_split_words()
            steps = splice_route(steps, self._spliced)
        if specials is not None:
            put_back = iter(specials).__next__
            steps = [put_back() if s == mark else s for s in steps]
        return steps

    def add_counts(self, text: str, counts: Counter[str]) -> None:
        """Add the count of jieba's tokens of ``text`` to ``counts``.

        The route's steps are counted as they are and each buffer's
        difference from jieba's tokens (cached per buffer) is applied, in
        one pass over the route (`speedups.count_route`).
        """
        if not text:
            return
        if self.mode == "all":
            self._add_counts_all(text, counts)
            return
        if _SPECIAL.search(text):
            counts.update(_SPECIAL.findall(text))
            text = _SPECIAL.sub(" ", text)
        if self._trouble is not None and self._trouble.search(text):
            text, fallback = self._extract_blocks(text, self._trouble)
            counts.update(fallback)
        steps = self._cut(text, False)
        if self._finalseg is None:
            counts.update(steps)
            return
        self._check_force_split_words()
        for key in self._count_route(steps, counts, self._cache):
            apply_delta(counts, self._buffer_delta(key))

    def _add_counts_all(self, text: str, counts: Counter[str]) -> None:
        if ASCII_BLOCK_CHAR.search(text):
            trouble = self._ascii_word_blocks()
            if trouble is not None and trouble.search(text):
                text, fallback = self._extract_blocks(text, trouble)
                counts.update(fallback)
        # Where no dictionary word holds an ASCII character, jieba's __cut_all
        # yields each run of ASCII letters and digits whole (its eng_buf) and
        # each other ASCII character alone, and the Han runs between them as
        # if each were a block of its own; between blocks, each run of
        # non-whitespace.
        self._count_all(text, counts, self._rj.cut_all)
