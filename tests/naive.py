"""The naive program that defines the correct table (see the README).

For each file: read the whole file as text (UTF-8, a leading BOM skipped),
run jieba over it with the given options, drop empty and whitespace tokens,
split any token that contains whitespace, count, and sort by count
descending, then token.  Uses jieba's module-level functions, not wordfreq.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import jieba

jieba.setLogLevel(logging.WARNING)


@functools.lru_cache(maxsize=4)
def _jieba(user_dict: bytes | None) -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    if user_dict is not None:
        tokenizer.load_userdict(io.BytesIO(user_dict))
    return tokenizer


def naive_counts(
    texts: Iterable[str],
    mode: str = "accurate",
    hmm: bool = True,
    user_dict: bytes | None = None,
) -> Counter[str]:
    tokenizer = _jieba(user_dict)
    counts: Counter[str] = Counter()
    for text in texts:
        if mode == "accurate":
            tokens = tokenizer.cut(text, HMM=hmm)
        elif mode == "search":
            tokens = tokenizer.cut_for_search(text, HMM=hmm)
        else:
            tokens = tokenizer.cut(text, cut_all=True, HMM=hmm)
        for token in tokens:
            counts.update(token.split())
    return counts


@functools.lru_cache(maxsize=8)
def _posseg(user_dict: bytes | None, dictionary: str | None = None) -> object:
    """jieba.posseg's tokenizer over a jieba.Tokenizer with ``dictionary`` (a path, as set_dictionary
    takes it) and ``user_dict`` loaded; made once, since posseg takes the user dictionary's tags over at
    its first cut."""
    import jieba.posseg

    tokenizer = jieba.Tokenizer(dictionary) if dictionary is not None else jieba.Tokenizer()
    if user_dict is not None:
        tokenizer.load_userdict(io.BytesIO(user_dict))
    return jieba.posseg.POSTokenizer(tokenizer)


def tag_matches(tag: str, patterns: Iterable[str]) -> bool:
    """``tag`` is one of ``patterns``, or starts with the part of one before its final ``*``."""
    return any(tag.startswith(p[:-1]) if p.endswith("*") else tag == p for p in patterns)


def naive_pos_counts(
    texts: Iterable[str],
    hmm: bool = True,
    user_dict: bytes | None = None,
    dictionary: str | None = None,
    with_tags: bool = True,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> Counter[str]:
    """The naive part-of-speech loop: each text through jieba.posseg.cut, each word split on whitespace,
    each piece counted as ``piece/tag`` (or the piece), where the tag is included and not excluded."""
    tagger = _posseg(user_dict, dictionary)
    include, exclude = tuple(include), tuple(exclude)
    counts: Counter[str] = Counter()
    for text in texts:
        for word, tag in tagger.cut(text, HMM=hmm):  # type: ignore[attr-defined]
            if (include and not tag_matches(tag, include)) or tag_matches(tag, exclude):
                continue
            for piece in word.split():
                counts[f"{piece}/{tag}" if with_tags else piece] += 1
    return counts


def naive_table(texts: Iterable[str], **options: object) -> str:
    counts = naive_counts(texts, **options)  # type: ignore[arg-type]
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return "".join(f"{token}\t{n}\n" for token, n in rows)


def read_text(path: str, encoding: str = "utf-8-sig", errors: str = "strict") -> str:
    with open(path, encoding=encoding, errors=errors, newline="") as f:
        return f.read()


def _naive_tokens(line: str, mode: str, hmm: bool, user_dict: bytes | None) -> list[str]:
    tokenizer = _jieba(user_dict)
    if mode == "accurate":
        return list(tokenizer.cut(line, HMM=hmm))
    if mode == "search":
        return list(tokenizer.cut_for_search(line, HMM=hmm))
    return list(tokenizer.cut(line, cut_all=True, HMM=hmm))


def naive_kept(piece: str, stopwords: frozenset[str] = frozenset(), no_punct: bool = False) -> bool:
    """The filters the n-gram tests use, written out plainly: stopwords and punctuation."""
    if piece in stopwords:
        return False
    return not (no_punct and all(unicodedata.category(c)[0] in "PS" for c in piece))


def naive_rows(
    text: str,
    orders: tuple[int, int] = (1, 1),
    mode: str = "accurate",
    hmm: bool = True,
    user_dict: bytes | None = None,
    stopwords: frozenset[str] = frozenset(),
    no_punct: bool = False,
) -> Counter[str]:
    """The n-gram rows of one text: each line through jieba, pieces split on whitespace,
    dropped pieces breaking the sequence, consecutive pieces joined by a space."""
    counts: Counter[str] = Counter()
    for line in text.split("\n"):
        pieces = [p for t in _naive_tokens(line, mode, hmm, user_dict) for p in t.split()]
        runs: list[list[str]] = [[]]
        for piece in pieces:
            if naive_kept(piece, stopwords, no_punct):
                runs[-1].append(piece)
            else:
                runs.append([])
        for run in runs:
            for n in range(orders[0], orders[1] + 1):
                for i in range(len(run) - n + 1):
                    counts[" ".join(run[i : i + n])] += 1
    return counts


def naive_doc_freq(documents: Iterable[str], **options: object) -> tuple[Counter[str], Counter[str]]:
    """The rows of every document, and in how many documents each occurs."""
    counts: Counter[str] = Counter()
    docs: Counter[str] = Counter()
    for document in documents:
        rows = naive_rows(document, **options)  # type: ignore[arg-type]
        counts.update(rows)
        docs.update(rows.keys())
    return counts, docs


# --- new words (wordfreq discover), written out plainly ------------------------------------------

HAN_RANGES = [  # the CJK Unified Ideographs and every extension, the compatibility ideographs, 〇
    (0x3007, 0x3007),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EBEF),
    (0x2F800, 0x2FA1F),
    (0x30000, 0x3134F),
]


def is_han(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in HAN_RANGES)


@functools.lru_cache(maxsize=4)
def _jieba_with(dictionary: str | None, user_dict: bytes | None) -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer(dictionary=dictionary) if dictionary is not None else jieba.Tokenizer()
    if user_dict is not None:
        tokenizer.load_userdict(io.BytesIO(user_dict))
    return tokenizer


def naive_discovery(
    texts: Iterable[str],
    max_length: int = 6,
    min_count: int = 3,
    min_pmi: float = 2.0,
    pmi_step: float = 1.0,
    min_entropy: float = 1.0,
    resegment: bool = True,
    dictionary: str | None = None,
    user_dict: bytes | None = None,
) -> dict[str, tuple[int, int, float, float, float, float, float]]:
    """word -> (count, whole, cohesion, left entropy, right entropy, junction, score) of every candidate.

    Every line, character by character: a run is a maximal stretch of Han
    characters; every substring of a run of up to ``max_length`` characters
    is counted, with the character before and after it in the line (None for
    whitespace and the line's ends).  With ``resegment``, each run is cut by
    jieba (the main dictionary at path ``dictionary`` or jieba's own, and
    ``user_dict``; no HMM) into words: an occurrence is whole when it starts
    and ends between words, and each word is counted with the word (or the
    line's character, or None) before and after it.
    """
    words_of = _jieba_with(dictionary, user_dict)
    counts: Counter[str] = Counter()
    whole: Counter[str] = Counter()
    left: dict[str, Counter[object]] = {}
    right: dict[str, Counter[object]] = {}
    word_left: dict[str, Counter[object]] = {}
    word_right: dict[str, Counter[object]] = {}
    chars = 0
    for text in texts:
        for line in text.split("\n"):
            edges: set[int] = set()
            start = 0
            while start < len(line):
                if not is_han(line[start]):
                    start += 1
                    continue
                end = start
                while end < len(line) and is_han(line[end]):
                    end += 1
                before = line[start - 1] if start > 0 and not line[start - 1].isspace() else None
                after = line[end] if end < len(line) and not line[end].isspace() else None
                cut = list(words_of.cut(line[start:end], HMM=False))
                offset = start
                for j, word in enumerate(cut):
                    edges.add(offset)
                    offset += len(word)
                    word_left.setdefault(word, Counter())[cut[j - 1] if j > 0 else before] += 1
                    word_right.setdefault(word, Counter())[cut[j + 1] if j + 1 < len(cut) else after] += 1
                edges.add(offset)
                start = end
            for i in range(len(line)):
                if not is_han(line[i]):
                    continue
                chars += 1
                for k in range(1, max_length + 1):
                    if i + k > len(line) or not is_han(line[i + k - 1]):
                        break
                    word = line[i : i + k]
                    counts[word] += 1
                    whole[word] += not resegment or (i in edges and i + k in edges)
                    before = line[i - 1] if i > 0 and not line[i - 1].isspace() else None
                    after = line[i + k] if i + k < len(line) and not line[i + k].isspace() else None
                    left.setdefault(word, Counter())[before] += 1
                    right.setdefault(word, Counter())[after] += 1

    def entropy(neighbours: Counter[object] | None) -> float:
        if not neighbours:
            return 0.0
        total = sum(neighbours.values())
        return max(0.0, -sum(n / total * math.log(n / total) for n in neighbours.values()))

    found = {}
    for word, c in counts.items():
        if len(word) < 2 or c < min_count or whole[word] < min_count:
            continue
        pmi = min(math.log(chars * c / (counts[word[:j]] * counts[word[j:]])) for j in range(1, len(word)))
        threshold = min_pmi + pmi_step * (len(word) - 2)
        h_left, h_right = entropy(left[word]), entropy(right[word])
        if pmi < threshold or min(h_left, h_right) < min_entropy:
            continue
        junction = 0.0
        if resegment:
            parts = list(words_of.cut(word, HMM=False))
            long_parts = sum(len(part) >= 2 for part in parts)
            modelled = all("\u4e00" <= ch <= "\u9fd5" for ch in word)
            if long_parts >= 2 or (modelled and list(jieba.finalseg.cut(word)) != [word]):
                continue
            if len(parts) >= 2 and long_parts == 1:
                junction = max(
                    min(entropy(word_right.get(a)), entropy(word_left.get(b)))
                    for a, b in zip(parts, parts[1:])
                )
                if junction >= min(h_left, h_right):
                    continue
        score = whole[word] * min(h_left, h_right) * (pmi - threshold + 1)
        found[word] = (c, whole[word], pmi, h_left, h_right, junction, score)
    return found


# --- collocates (wordfreq collocates), written out plainly -----------------------------------------


@dataclass(frozen=True)
class NaivePos:
    """Parts of speech for the naive programs: tokens ``word/tag`` (``with_tags``) or words, only those
    whose tag is in ``include`` (all when empty) and not in ``exclude``."""

    with_tags: bool = True
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def keeps(self, tag: str) -> bool:
        return (not self.include or tag_matches(tag, self.include)) and not tag_matches(tag, self.exclude)


def naive_pairs(text: str, pos: NaivePos | None) -> Iterable[tuple[str, str | None]]:
    """jieba.cut's tokens of ``text`` with no tag, or (with ``pos``) jieba.posseg.cut's (word, tag)."""
    if pos is None:
        return ((token, None) for token in _jieba(None).cut(text))
    return ((word, tag) for word, tag in _posseg(None).cut(text))  # type: ignore[attr-defined]


def naive_collocates(
    texts: Iterable[str],
    nodes: list[str],
    left: int,
    right: int,
    lowercase: bool = False,
    no_punct: bool = False,
    pos: NaivePos | None = None,
) -> tuple[Counter[str], dict[str, int], dict[str, Counter[str]]]:
    """(the table, R of each node, o of each node's collocates): each whole text through jieba.cut (or,
    with ``pos``, jieba.posseg.cut: each piece ``piece/tag`` or the piece, where the tag is kept), its
    tokens split on whitespace (and lowercased, filtered) into one sequence per line, and every position
    of every line looked at in turn: it is in a node's windows when a node is at most ``right`` tokens
    before it or ``left`` after it, and is not that node itself."""
    table: Counter[str] = Counter()
    windows = {node: 0 for node in nodes}
    cooccurring: dict[str, Counter[str]] = {node: Counter() for node in nodes}
    for text in texts:
        lines: list[list[str]] = [[]]
        for token, tag in naive_pairs(text, pos):
            for k, part in enumerate(token.split("\n")):
                if k:
                    lines.append([])
                for piece in part.split():
                    piece = piece.lower() if lowercase else piece
                    if naive_kept(piece, no_punct=no_punct) and (tag is None or pos.keeps(tag)):  # type: ignore[union-attr]
                        lines[-1].append(piece if tag is None or not pos.with_tags else f"{piece}/{tag}")  # type: ignore[union-attr]
        for line in lines:
            table.update(line)
            for node in nodes:
                at = [i for i, token in enumerate(line) if token == node]
                for j, token in enumerate(line):
                    if token != node and any(p - left <= j <= p + right for p in at):
                        windows[node] += 1
                        cooccurring[node][token] += 1
    return table, windows, cooccurring
