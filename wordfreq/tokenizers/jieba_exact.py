"""jieba's exact tokens, with the heavy work done by rjieba (jieba-rs).

What is guaranteed.  For every text, mode (accurate, all, search), HMM
setting and user dictionary, ``Counter(p for t in tokenize(text) for p in
t.split())`` equals the same expression over jieba 0.42.1's own
``jieba.Tokenizer().cut(text, ...)`` / ``cut_for_search(text, ...)`` with the
user dictionary loaded by ``load_userdict``.  The tokens do not come in
jieba's order (counting does not need it).  `cut_points` are jieba's.  The
guarantee holds for the versions it was checked against, rjieba 0.2.2
(jieba-rs 0.11.0) and jieba 0.42.1; `available` refuses others, because the
argument below rests on how exactly they behave.

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
  With the HMM, one regular expression over the route finds the buffers
  (runs of single block characters; rjieba glues single ASCII letters and
  digits into one token, and jieba buffers them too), and an exact
  re-implementation of ``jieba.finalseg.cut`` cuts each (same model, same
  floating point operations in the same order, same tie rule, jieba's live
  ``Force_Split_Words``; cached per buffer), adding search mode's 2- and
  3-grams.  rjieba's own HMM is never used.
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

When jieba itself runs.  Only on single blocks (jieba cuts each on its own),
and only on the blocks that hold one of these words:

* all mode: a dictionary word with an ASCII character (T恤, C++, AT&T, or a
  user's); ``__cut_all`` treats it specially and ``rjieba.cut_all`` cannot
  see it;
* with a user dictionary: with the HMM, a word of ASCII letters and digits
  only (it could not be told from glued single letters); in search mode, a
  word with ``.``, ``_`` or ``-`` (rjieba's search mode adds its parts).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import compress
from typing import Any

from wordfreq.tokenizers import package_version
from wordfreq.tokenizers.jieba_py import cut_points_for_mode, quiet_jieba_logger

TESTED_RJIEBA = "0.2.2"
TESTED_JIEBA = "0.42.1"

# jieba's block characters (re_han_default), as a class body.
_BLOCK_BODY = "\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-"
_BLOCK_ONLY = re.compile(f"[{_BLOCK_BODY}]+")
_BLOCK_RUN = re.compile(f"[{_BLOCK_BODY}]*")
_BLOCK_SET = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+#&._%-")

# Characters rjieba takes for Han but jieba does not (measured over every code
# point), lone surrogates (rjieba cannot take them) and NUL (our separator).
# None is a block character for jieba, so each is a token of its own there.
_SPECIAL = re.compile(
    "[\x00\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\ud800-\udfff"
    "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U0002f800-\U0002fa1f]"
)

# The separator of the joined route, and a buffer in it: two or more route
# steps, each a single block character or a run of ASCII letters and digits
# (rjieba glues consecutive single-letter steps together; jieba buffers them).
_SEP = "\x00"
_STEP = "(?:[a-zA-Z0-9]+|[\u4e00-\u9fd5+#&._%\\-])"
# The joined route starts and ends with the separator; a match starts with it.
_BUFFER = re.compile(f"\x00({_STEP}\x00{_STEP}(?:\x00{_STEP})*)(?=\x00)")

# jieba.finalseg's own expressions.
_HMM_HAN = re.compile("([\u4e00-\u9fd5]+)")
_HMM_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
_HAN_ONLY = re.compile("[\u4e00-\u9fd5]+")

# all mode
_NONBLOCK_RUN = re.compile(f"[^{_BLOCK_BODY}\\s]+")
_ASCII_BLOCK = re.compile("[a-zA-Z0-9+#&._%\\-]")
_ASCII_TOKEN = re.compile("[a-zA-Z0-9]+|[+#&._%\\-]")
_NON_HAN = re.compile("[^\u4e00-\u9fd5]+")

# jieba 0.42.1's dict.txt lists B超 twice (frequency 3 each): jieba adds both
# to its total, rjieba 0.2.2 (jieba-rs 0.11.0) only one.  The total enters
# every route probability, so rjieba is given the difference back.
_RJIEBA_TOTAL_SHORTFALL = 3

_MIN_FLOAT = -3.14e100
_CACHE_SIZE = 200_000


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


def _user_words(user_dict: bytes) -> list[str]:
    """The words of a user dictionary, in order, parsed as `load_userdict` does."""
    from jieba import re_userdict

    words = []
    for ln in io.BytesIO(user_dict):
        line = ln.strip()
        try:
            line = line.decode("utf-8").lstrip("\ufeff")
        except UnicodeDecodeError:
            continue  # load_userdict raises for it
        if not line:
            continue
        words.append(re_userdict.match(line).group(1))
    return words


class _FinalSeg:
    """An exact re-implementation of ``jieba.finalseg.cut``.

    Same model (read from jieba), same floating point operations in the same
    order, same choice on ties (Python's ``max`` over ``(score, state)``
    pairs), same ``Force_Split_Words`` (the live, process-wide set).
    """

    def __init__(self) -> None:
        from jieba import finalseg

        self._force = finalseg.Force_Split_Words
        emit, start, trans = finalseg.emit_P, finalseg.start_P, finalseg.trans_P
        chars = set().union(*(emit[s] for s in "BMES"))
        self._emit = {c: tuple(emit[s].get(c, _MIN_FLOAT) for s in "BMES") for c in chars}
        self._none = (_MIN_FLOAT,) * 4
        self._start = tuple(start[s] for s in "BMES")
        get = lambda a, b: trans[a].get(b, _MIN_FLOAT)  # noqa: E731
        # tXY: from X to Y, for the transitions PrevStatus allows.
        self._trans = (
            get("E", "B"), get("S", "B"),  # into B: from E, S
            get("M", "M"), get("B", "M"),  # into M: from M, B
            get("S", "S"), get("E", "S"),  # into S: from S, E
            get("B", "E"), get("M", "E"),  # into E: from B, M
        )  # fmt: skip

    def _han_words(self, obs: str) -> list[str]:
        """``finalseg.__cut`` of a run of Han characters (length >= 2)."""
        emit, none = self._emit, self._none
        t_eb, t_sb, t_mm, t_bm, t_ss, t_es, t_be, t_me = self._trans
        s_b, s_m, s_e, s_s = self._start
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


def _default_ascii_words() -> list[str]:
    """The words of jieba's default dictionary that hold an ASCII character."""
    import jieba

    with jieba.Tokenizer().get_dict_file() as f:
        data = f.read()
    found = re.findall(rb"^([^ \n]*[\x21-\x7e][^ \n]*) ([0-9]+)", data, re.M)
    return [w.decode("utf-8") for w, freq in found if int(freq) > 0]


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


def _build_dictionary(user_dict: bytes | None) -> _Dictionary:
    import jieba
    import rjieba

    if user_dict is None:
        rj = rjieba.Jieba()
        rj.add_word(_FILLER, _RJIEBA_TOTAL_SHORTFALL, None)
        return _Dictionary(rj, ())
    quiet_jieba_logger()
    tok = jieba.Tokenizer()
    tok.initialize()
    words = list(dict.fromkeys(_user_words(user_dict)))
    before = {w: tok.FREQ.get(w, 0) for w in words}
    total_before = tok.total
    tok.load_userdict(io.BytesIO(user_dict))  # jieba's own semantics, frequencies and errors
    _JIEBA[user_dict] = tok
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
        rj = rjieba.Jieba()
        total = total_before - _RJIEBA_TOTAL_SHORTFALL
        for w in words:
            f = final[w]
            if f > 0 and _BLOCK_ONLY.fullmatch(w):  # other words never match a block
                rj.add_word(w, f, None)
                total += f - before[w]
    if tok.total > total:
        rj.add_word(_FILLER, tok.total - total, None)
    return _Dictionary(rj, tuple((w, final[w]) for w in words))


class ExactJiebaTokenizer:
    """jieba's tokens (as counts), computed with rjieba; see the module docstring."""

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
        self._cache: dict[str, str] = {}
        self._cache_force = -1
        # The blocks holding one of these words go to jieba itself: with the
        # HMM, a word of ASCII letters and digits only (rjieba glues single
        # letters into such tokens); in search mode, a word with . _ or -
        # (rjieba's search mode adds its parts).
        trouble = set()
        for w, f in dictionary.user_words:
            if f > 0 and len(w) > 1 and _BLOCK_ONLY.fullmatch(w):
                if hmm and mode != "all" and re.fullmatch("[a-zA-Z0-9]+", w):
                    trouble.add(w)
                if mode == "search" and re.search("[._-]", w):
                    trouble.add(w)
        if mode == "all":
            # In all mode, the blocks holding a dictionary word with an ASCII
            # character (T恤, C++, a user's Wi-Fi) go to jieba.
            ascii_words = _default_ascii_words() + [w for w, f in dictionary.user_words if f > 0]
            trouble = {w for w in ascii_words if _BLOCK_ONLY.fullmatch(w) and _ASCII_BLOCK.search(w)}
        self._trouble: re.Pattern[str] | None = None
        if trouble:
            alternation = "|".join(re.escape(w) for w in sorted(trouble, key=len, reverse=True))
            self._trouble = re.compile(alternation)

    # -- helpers ------------------------------------------------------------

    def _extract_blocks(self, text: str, pattern: re.Pattern[str]) -> tuple[str, list[str]]:
        """Give the blocks holding a match of ``pattern`` to jieba itself.

        ``pattern`` matches block characters only, so each match lies in one
        block.  Returns the text with those blocks replaced by a space (not a
        block character: the blocks around stay as they were) and jieba's
        tokens for them.
        """
        tok = _jieba_for(self.user_dict)
        pieces: list[str] = []
        tokens: list[str] = []
        last = 0
        for m in pattern.finditer(text):
            p = m.start()
            if p < last:
                continue
            start = p
            while start > last:
                c = text[start - 1]
                if "\u4e00" <= c <= "\u9fd5" or c in _BLOCK_SET:
                    start -= 1
                else:
                    break
            end = _BLOCK_RUN.match(text, p).end()
            block = text[start:end]
            if self.mode == "all":
                tokens.extend(tok.cut(block, cut_all=True))
            elif self.mode == "search":
                tokens.extend(tok.cut_for_search(block, HMM=self.hmm))
            else:
                tokens.extend(tok.cut(block, HMM=self.hmm))
            pieces.append(text[last:start])
            pieces.append(" ")
            last = end
        pieces.append(text[last:])
        return "".join(pieces), tokens

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

    def _replace_buffer(self, m: re.Match[str]) -> str:
        joined = m.group()
        cached = self._cache.get(joined)
        if cached is None:
            cached = _SEP + _SEP.join(self._buffer_tokens(joined.replace(_SEP, "")))
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[joined] = cached
        return cached

    # -- the tokenizer ------------------------------------------------------

    def tokenize(self, text: str) -> Iterable[str]:
        if not text:
            return []
        if self.mode == "all":
            return self._tokenize_all(text)
        extra: list[str] = []
        if _SPECIAL.search(text):
            extra = _SPECIAL.findall(text)
            text = _SPECIAL.sub(" ", text)
        if self._trouble is not None and self._trouble.search(text):
            text, fallback = self._extract_blocks(text, self._trouble)
            extra.extend(fallback)
        cut = self._rj.cut_for_search if self.mode == "search" else self._rj.cut
        tokens = cut(text, False)
        if self._finalseg is not None and tokens:
            force = len(self._finalseg._force)
            if force != self._cache_force:  # Force_Split_Words grew
                self._cache.clear()
                self._cache_force = force
            joined = f"{_SEP}{_SEP.join(tokens)}{_SEP}"
            replaced = _BUFFER.sub(self._replace_buffer, joined)
            if replaced != joined:
                tokens = replaced[1:-1].split(_SEP)
        if extra:
            tokens.extend(extra)
        return tokens

    def _tokenize_all(self, text: str) -> list[str]:
        # Between blocks, jieba's all mode yields each run of non-whitespace.
        tokens = _NONBLOCK_RUN.findall(text)
        if _ASCII_BLOCK.search(text):
            if self._trouble is not None and self._trouble.search(text):
                text, fallback = self._extract_blocks(text, self._trouble)
                tokens.extend(fallback)
            # Where no dictionary word holds an ASCII character, jieba's
            # __cut_all yields each run of ASCII letters and digits whole
            # (its eng_buf) and each other ASCII character alone, and the Han
            # runs between them as if each were a block of its own.
            tokens.extend(_ASCII_TOKEN.findall(text))
        han = _NON_HAN.sub("\n", text)
        if han.strip():
            tokens.extend(self._cut_all_han(han))
        return tokens

    def _cut_all_han(self, han: str) -> list[str]:
        """jieba's all mode over blocks of Han characters joined by newlines.

        jieba (``__cut_all``) yields every dictionary word of two or more
        characters at every position, and the character at each position
        where no such word starts and which the longest word starting at the
        last such position before it does not reach.  rjieba yields every
        dictionary word at every position, in order of position, then
        length; so a word's position is where it next occurs (at the same
        position only if it is longer than the word before it).
        """
        words = self._rj.cut_all(han)
        multi = list(compress(words, map((1).__lt__, map(len, words))))
        find = han.find
        pos = plen = reach = 0
        gaps = []
        for w in multi:
            n = len(w)
            s = find(w, pos)
            if s == pos and n <= plen:  # that one came before the previous word
                s = find(w, pos + 1)
            if s > reach:
                gaps.append(han[reach:s])
            reach = s + n
            pos = s
            plen = n
        gaps.append(han[reach:])
        multi.extend("".join(gaps))
        return multi
