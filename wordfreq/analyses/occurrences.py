"""Occurrences: the tokens of a table in their lines, for the analyses that need their order and place.

The concordance (`wordfreq.analyses.kwic`) and the collocates (`wordfreq.analyses.collocates`)
look at the occurrences of some words (the *nodes*) and at their
neighbours.  Both read a task's text line by line, through a `LineReader`:

* **A line alone.**  A line feed is a cut point of every tokenizer
  (`tests/test_inputs.py`): jieba never makes a token across one.  So the
  tokens of a line segmented alone are the tokens the whole text has
  there, and the line is what neither a context nor a window crosses.
  Their tasks are cut only after a line feed (`LineCountOptions`), so every line is
  whole in one task.
* **Only lines that can hold a node are segmented** (`LineReader.candidates`).
  A token is a substring of its line (a tokenizer's tokens are pieces of
  its text; the whitespace rule splits them into smaller pieces), so a
  token equal to WORD needs WORD itself in the line: one search of a
  regular expression of the nodes per line says whether a line may hold one.
  One kind of token is not a substring: jieba's all mode joins ASCII pieces
  around a dictionary word it skips (`wordfreq.tokenizers.places`), so a
  WORD that starts with an ASCII letter or digit is searched with any ASCII
  letters and digits between its characters (`_joined`).
  With ``--lowercase`` the token lowercased must equal WORD: `str.lower`
  lowercases each character on its own except the Greek capital sigma
  (final or not, by its neighbours), so for a WORD without σ or ς the
  token's lowercase is a substring of the line's lowercase, which is
  searched instead; a WORD with σ or ς, and ``--regex``, make every line a
  candidate.  The search can only let through lines with no node, never
  keep one out: the rows are the same, `tests/test_kwic.py` checks it.
* **Tokens.**  A line's *pieces* are its tokens with the whitespace rule
  (split on whitespace, empty ones dropped) and its *kept* tokens are the
  pieces the filters keep, lowercased if asked: the tokens the table counts
  for that line, in order (`LineReader.kept`).  A node is a kept token equal
  to one of the words (or, with ``--regex``, that a pattern matches whole).
* **Places.**  In jieba's accurate mode the tokens are the line cut in
  pieces, placed by their lengths; in the search and all modes they
  overlap and each is where the tokenizer's ``places`` says
  (`LineReader.spans`).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from wordfreq.analyses.specs import WHITESPACE, Nodes
from wordfreq.charclasses import BLOCK
from wordfreq.chunks.jsonl import record_lines
from wordfreq.chunks.planning import LINE_FEED, Task
from wordfreq.counting.filters import Filters
from wordfreq.counting.options import CountOptions
from wordfreq.counting.rowspec import piece_filter
from wordfreq.counting.tasks import load_task
from wordfreq.errors import OptionError
from wordfreq.sources.inputs import read_option_file
from wordfreq.tokenizers import Tokenizer, TokenizerSpec, build_tokenizer
from wordfreq.tokenizers.places import Place
from wordfreq.tokenizers.tags import KEEP_ALL, TagFilter, pair_token, split_tagged

_PIECE = re.compile(r"\S+")
_ASCII_START = re.compile("[a-zA-Z0-9]")
_SIGMA = ("σ", "ς")
_BLOCK_RUN = re.compile(f"[{BLOCK}]*")
# The characters whose lowercase is not one character of the same kind (block or not): İ (two
# characters) and the Kelvin sign (k); tests/test_kwic.py checks this over every code point.
_RESHAPED_BY_LOWER = re.compile("[\u0130\u212a]")
JIEBA_BY_BLOCK = ("jieba", "jieba-py")  # jieba itself, and its exact compiled form
_FEW = 4  # up to this many words, a line's nodes are found by list.index; more, in one pass
# Up to this many words, `kwic_rows_in` looks for each in C (a search per word and line that holds one);
# more, one regular expression of them all finds the lines (`candidates`).
_NEEDLES = 64


@dataclass(frozen=True)
class TagUse:
    """Whether a reader's tokens come from jieba.posseg (``used``: ``--pos``, ``--pos-include`` or
    ``--pos-exclude``), are ``word/tag`` (``with_tags``), and which tags are kept."""

    used: bool = False
    with_tags: bool = False
    tag_filter: TagFilter = KEEP_ALL

    @staticmethod
    def of(spec: TokenizerSpec) -> TagUse:
        return TagUse(spec.tags_used, spec.pos, spec.tag_filter) if spec.tags_used else TagUse()

    def word_of(self, token: str) -> str:
        """The text of ``token`` in its line: its word (empty where a ``word/tag`` has none)."""
        return split_tagged(token)[0] if self.with_tags else token

    def token(self, word: str, tag: str) -> str | None:
        """The token of a (word, tag) pair: None where the tag is dropped."""
        return pair_token(word, tag, self.tag_filter, self.with_tags)


def words_from_file(path: str) -> list[str]:
    """The words of a file, one a line (UTF-8, a leading BOM skipped, blank lines ignored)."""
    text = read_option_file("nodes_from", path, "a word list").decode("utf-8-sig")
    return [word for line in text.splitlines() if (word := line.strip())]


@dataclass(frozen=True)
class LineCountOptions(CountOptions):
    """A count's options for an analysis that reads whole lines: tasks are cut only after a line feed (one
    that no conversion crosses, with ``--convert``: `wordfreq.chunks.conversion`)."""

    def text_cut_points(self) -> re.Pattern[str]:
        return LINE_FEED


@dataclass
class TaskText:
    """The text of a task as lines: ``lines`` (each without its line feed) with, for each, the index of
    its line in the task (``numbers``: a record's line with JSON Lines); ``line_feeds`` in the task;
    what was skipped.  Without records, the ``text`` whose lines they are, split only when asked."""

    text: str | None  # the task's text (converted), when line i is the task's line i
    numbers: list[int] | None  # None: line i is the task's line i
    line_feeds: int
    bad_bytes: int
    bad_records: int
    record_lines: list[str] | None = None  # the lines of the records, with ``numbers``

    @functools.cached_property
    def lines(self) -> list[str]:
        if self.record_lines is not None:
            return self.record_lines
        assert self.text is not None
        return self.text.split("\n")


def task_text(task: Task, count_options: CountOptions) -> TaskText:
    """The lines of ``task`` (of its records' texts with ``--field``), converted when asked (no conversion
    adds or removes a line feed)."""
    text, bad_bytes, line_number = load_task(task, count_options)
    line_feeds = text.count("\n")
    convert = count_options.conversion.apply
    if not count_options.records.active:
        return TaskText(convert(text), None, line_feeds, bad_bytes, 0)
    records, bad_records = record_lines(text, count_options.records, task.path, line_number)
    lines: list[str] = []
    numbers: list[int] = []
    for number, record in records:
        for line in convert(record).split("\n"):
            lines.append(line)
            numbers.append(number)
    return TaskText(None, numbers, line_feeds, bad_bytes, bad_records, lines)


class LineReader:
    """A line's kept tokens and where its nodes are, for one tokenizer, its filters and the nodes (see
    the module docstring)."""

    def __init__(
        self,
        tokenizer: Callable[[], Tokenizer],
        filters: Filters,
        nodes: Nodes,
        by_block: bool = False,
        tags: TagUse = TagUse(),
        mode: str = "accurate",
        joins_ascii: bool = False,
    ):
        self._tokenizer = tokenizer
        # The search and all modes: tokens overlap, and each is where the tokenizer's `places` says.
        self.overlapping = mode != "accurate"
        self.filters = filters
        self.nodes = nodes
        self.tags = tags
        keep = piece_filter(filters, tags.with_tags)
        self.keep: Callable[[str], str | None] | None = (
            None if keep is None else functools.lru_cache(maxsize=1 << 16)(keep)
        )
        self.search: Callable[[str], Any] | None = None
        self.lower = filters.lowercase
        # The words that can be a node at all: a word the filters drop is in no table (nor, with tags,
        # one that is not ``word/tag``).
        self.words: frozenset[str] | None = None
        if not nodes.regex:
            self.words = frozenset(w for w in nodes.words if self._kept(w) == w and tags.word_of(w))
        texts = sorted({tags.word_of(w) for w in self.words or ()}, key=len, reverse=True)
        self.texts = tuple(texts)
        # Whether each word's text is a substring of the line that holds it as a token (`joined`).
        self.whole = not (joins_ascii and any(map(_ASCII_START.match, texts)))
        if not nodes.regex and not (self.lower and any(s in w for w in texts for s in _SIGMA)):
            # A token's text is a substring of its line (but `joined`): a line without any word's text
            # holds no node.
            self.search = re.compile(
                "|".join(map(_joined if joins_ascii else re.escape, texts)) or "(?!)"
            ).search
        self.patterns = [re.compile(w) for w in nodes.words] if nodes.regex else []
        # Words (not patterns), lines searched for them, no tags: what the two paths below take.
        plain = not tags.used and self.words is not None and self.search is not None
        # `node_spans`: a block at a time, for jieba's accurate mode.
        self.by_block = by_block and plain
        # `kwic_rows`: in C, for the compiled tokenizer's accurate or all mode.
        self.by_place = (by_block or mode == "all") and plain
        words = sorted(self.words or ())
        self.block_words = [w for w in words if _BLOCK_RUN.fullmatch(w)]
        self.lone = [w for w in words if len(w) == 1 and not _BLOCK_RUN.fullmatch(w)]
        self.block_search: Callable[..., Any] | None = None
        if self.block_words:
            longest_first = sorted(self.block_words, key=len, reverse=True)
            self.block_search = re.compile("|".join(map(re.escape, longest_first))).search

    @functools.cached_property
    def tokenize(self) -> Callable[[str], Iterable[str]]:
        """The tokenizer's, built at the first line segmented (a rare word's lines may be none)."""
        return self._tokenizer().tokenize

    @functools.cached_property
    def _places(self) -> Callable[[str], list[Place]] | None:
        """The tokenizer's places of its tokens (`wordfreq.tokenizers.places`), if it has them."""
        return getattr(self._tokenizer(), "places", None)

    @functools.cached_property
    def _finder(self) -> Any:
        """The compiled tokenizer's table of the words (`kwic_rows`), or None where it cannot be used:
        another tokenizer or mode, tags, patterns."""
        tokenizer = self._tokenizer()
        make = getattr(tokenizer, "window_table", None)
        if make is None or not self.by_place or not hasattr(tokenizer, "kwic_rows"):
            return None
        return make(self.keep, sorted(self.words or ()), 0, 0)

    def kwic_rows(self, lines: list[str], width: int) -> tuple[bytes, bytes] | None:
        """The TSV cells of every node of ``lines`` and the index of its line (`_jieba.Segmenter.kwic_rows`:
        the lines joined by line feeds, segmented whole, in C), or None where the compiled tokenizer
        cannot do it (see `_finder`) or a context holds a lone surrogate."""
        if self._finder is None:
            return None
        try:
            return self._tokenizer().kwic_rows("\n".join(lines), self._finder, width)  # type: ignore[attr-defined]
        except UnicodeError:
            return None

    def kwic_rows_in(self, text: str, width: int) -> tuple[bytes, bytes] | None:
        """`kwic_rows` of every line of ``text``, the lines that may hold a node found in C too: only
        those that hold a word's text are segmented (`candidates`, without ``--lowercase``), and a
        token is looked for among the words before the filters are asked (which, without
        ``--lowercase``, keep a token as it is or drop it).  None where that cannot be done so."""
        if (
            self._finder is None
            or self.lower
            or self.search is None
            or not self.texts
            or not self.whole
            or len(self.texts) > _NEEDLES
        ):
            return None
        try:
            return self._tokenizer().kwic_rows(text, self._finder, width, self.texts, True)  # type: ignore[attr-defined]
        except UnicodeError:
            return None

    def _kept(self, piece: str) -> str | None:
        return piece if self.keep is None else self.keep(piece)

    @functools.lru_cache(maxsize=1 << 16)  # noqa: B019 - one reader per process, for its life
    def node_of(self, kept: str) -> str | None:
        """The node a kept token is: itself when it is one of the words (the first pattern that matches
        it whole, with ``regex``), else None."""
        if self.words is not None:
            return kept if kept in self.words else None
        for pattern, word in zip(self.patterns, self.nodes.words):
            if pattern.fullmatch(kept):
                return word
        return None

    def candidates(self, lines: list[str]) -> list[int]:
        """The indices of the lines that may hold a node (every line when that cannot be told), in order.

        The lines are searched as one text, from the start of the line after
        each match: one scan in compiled code, and a step in Python per line
        found, not per line read.
        """
        if self.search is None:
            return list(range(len(lines)))
        text = "\n".join(lines)
        if self.lower:
            text = text.lower()  # as many lines: no character lowercases to a line feed, nor from one
        # ends[i]: the offset of line i's line feed (or of the text's end), lowercased lines' lengths.
        lengths = map(len, text.split("\n")) if self.lower else map(len, lines)
        ends = [end + i for i, end in enumerate(itertools.accumulate(lengths))]
        search = self.search
        found: list[int] = []
        at = 0
        while (match := search(text, at)) is not None:
            i = bisect.bisect_left(ends, match.start())
            found.append(i)
            at = ends[i] + 1
        return found

    def node_spans(self, line: str) -> list[tuple[int, int]] | None:
        """Where the nodes of ``line`` are, as (start, end), in order, found by segmenting only the blocks
        that hold a word; None where that cannot be told so (see `by_block`).

        jieba's accurate mode cuts a text into blocks (maximal runs of its
        block characters, `charclasses.BLOCK`) and the rest, and segments
        each block on its own; outside the blocks every character but
        whitespace is a token by itself.  So a token equal to a word made of
        block characters is in a block that holds the word, found by
        segmenting that block alone; a word of one other character is a
        token wherever it is; any other word is never a token.  With
        ``--lowercase``, the line is searched lowercased, which keeps its
        blocks where they are but for two characters (U+0130 and the Kelvin
        sign, `_RESHAPED_BY_LOWER`): a line with one is segmented whole.
        """
        if not self.by_block:
            return None
        searched = line
        if self.lower:
            if _RESHAPED_BY_LOWER.search(line):
                return None
            searched = line.lower()
        spans: list[tuple[int, int]] = []
        search = self.block_search
        if search is not None:
            keep, words, tokenize = self.keep, self.block_words, self.tokenize
            word_set = self.words or frozenset()
            n = len(line)
            backwards = None
            at = 0
            while (match := search(searched, at)) is not None:
                p = match.start()
                if backwards is None:
                    backwards = line[::-1]
                start = n - _BLOCK_RUN.match(backwards, n - p).end()  # type: ignore[union-attr]
                end = _BLOCK_RUN.match(line, p).end()  # type: ignore[union-attr]
                tokens = list(tokenize(line[start:end]))
                finished = tokens if keep is None else list(map(keep, tokens))
                starts = None
                if len(words) > _FEW:  # one pass over the tokens, not one per word
                    starts = list(itertools.accumulate(map(len, tokens), initial=start))
                    spans.extend((starts[i], starts[i + 1]) for i, t in enumerate(finished) if t in word_set)
                    at = end
                    continue
                for word in words:
                    try:
                        i = finished.index(word)  # type: ignore[union-attr]
                    except ValueError:
                        continue
                    if starts is None:
                        starts = list(itertools.accumulate(map(len, tokens), initial=start))
                    while True:
                        spans.append((starts[i], starts[i + 1]))
                        try:
                            i = finished.index(word, i + 1)  # type: ignore[union-attr]
                        except ValueError:
                            break
                at = end
        for word in self.lone:
            at = searched.find(word)
            while at >= 0:
                spans.append((at, at + 1))
                at = searched.find(word, at + 1)
        if len(self.block_words) + len(self.lone) > 1:
            spans.sort()
        return spans

    def pieces(self, line: str) -> list[str]:
        """The pieces of ``line``: its tokens with the whitespace rule, in order."""
        tokens = self.tokenize(line)
        if not isinstance(tokens, list):  # jieba's generator: asked twice below
            tokens = list(tokens)
        if WHITESPACE.search(line) or "" in tokens:
            return " ".join(tokens).split()
        # No token can hold whitespace and none is empty: the tokens are the pieces.
        return tokens

    def kept(self, line: str) -> list[str]:
        """The kept tokens of ``line``, in order."""
        pieces = self.pieces(line)
        if self.keep is None:
            return pieces
        return list(filter(None, map(self.keep, pieces)))

    def spans(self, line: str) -> tuple[list[str | None], list[int], list[int]]:
        """The pieces of ``line`` as the table has them (lowercased if asked; None where the filters drop
        one; whitespace tokens may be among them, and are no node) with where each starts and ends.

        Where the tokens are the line cut in pieces and none mixes
        whitespace with other characters (jieba's accurate mode, always),
        they are the pieces and their places are their lengths summed, all
        in compiled code; else each token is found after the one before it
        and split on whitespace.
        """
        if self.tags.used:
            return self._tagged_spans(line)
        if self.overlapping and self._places is not None:
            pieces, starts, ends = _pieces_of(self._places(line))
        else:
            tokens = list(self.tokenize(line))
            if "".join(tokens) == line and (
                not WHITESPACE.search(line) or _space_in_whitespace_tokens(tokens) == _space_in(line)
            ):
                starts = list(itertools.accumulate(map(len, tokens), initial=0))
                pieces, ends = tokens, starts[1:]
            else:
                pieces, starts, ends = _found(line, tokens)
        units: list[str | None] = pieces if self.keep is None else list(map(self.keep, pieces))  # type: ignore[assignment]
        return units, starts, ends

    @functools.cached_property
    def tag(self) -> Callable[[str], list[tuple[str, str]]]:
        """jieba.posseg's (word, tag) pairs of a text, whatever the tag filter."""
        return self._tokenizer().tag  # type: ignore[attr-defined]

    def _tagged_spans(self, line: str) -> tuple[list[str | None], list[int], list[int]]:
        """`spans` from jieba.posseg's pairs: each word is a piece of the line (posseg never mixes
        whitespace with other characters in one word), its token ``word/tag`` (or the word) where the
        tag filter keeps it, else None."""
        pairs = self.tag(line)
        starts = list(itertools.accumulate((len(w) for w, _ in pairs), initial=0))
        if starts[-1] != len(line):  # pragma: no cover - posseg's words are the line cut in pieces
            raise AssertionError("jieba.posseg's words are not the line")
        token = self.tags.token
        units = [w if w.isspace() else token(w, t) for w, t in pairs]
        if self.keep is not None:
            keep = self.keep
            units = [u if u is None or u.isspace() else keep(u) for u in units]
        return units, starts[:-1], starts[1:]

    @staticmethod
    def neighbours(units: list[str | None], at: int, step: int, n: int) -> tuple[str, ...]:
        """Up to ``n`` kept tokens from ``at`` on, going by ``step`` (-1: leftwards), skipping whitespace and
        dropped pieces."""
        found: list[str] = []
        i = at + step
        while 0 <= i < len(units) and len(found) < n:
            unit = units[i]
            if unit and not unit.isspace():
                found.append(unit)
            i += step
        return tuple(found)

    @staticmethod
    def placed_neighbours(
        units: list[str | None], starts: list[int], ends: list[int], at: int, step: int, n: int
    ) -> tuple[str, ...]:
        """`neighbours` of overlapping tokens (search and all modes), by place: leftwards (``step`` -1),
        those that end where the node starts or before, the nearest end first; rightwards, those that
        start where it ends or after, the nearest start first; the longer first where they tie."""
        if step < 0:
            near = [j for j in range(len(units)) if ends[j] <= starts[at]]
            near.sort(key=lambda j: (-ends[j], starts[j]))
        else:
            near = [j for j in range(len(units)) if starts[j] >= ends[at]]
            near.sort(key=lambda j: (starts[j], -ends[j]))
        found = [unit for j in near if (unit := units[j]) and not unit.isspace()]
        return tuple(found[:n])

    def positions(self, kept: list[str] | list[str | None]) -> dict[str, list[int]]:
        """Where each node is among ``kept`` (`kept` or `spans`): node -> its positions, in order."""
        found: dict[str, list[int]] = {}
        words = self.words
        if words is not None and len(words) <= _FEW:
            for word in words:
                try:
                    i = kept.index(word)
                except ValueError:
                    continue
                at = found[word] = []
                while True:
                    at.append(i)
                    try:
                        i = kept.index(word, i + 1)
                    except ValueError:
                        break
            return found
        if words is not None:
            for i in [i for i, token in enumerate(kept) if token in words]:
                found.setdefault(kept[i], []).append(i)  # type: ignore[arg-type]
            return found
        node_of = self.node_of
        for i, token in enumerate(kept):
            if not token or token.isspace():
                continue
            node = node_of(token)
            if node is not None:
                found.setdefault(node, []).append(i)
        return found


def _space_in(text: str) -> int:
    return len(text) - len("".join(text.split()))


def _space_in_whitespace_tokens(tokens: list[str]) -> int:
    return len("".join(filter(str.isspace, tokens)))


def _found(line: str, tokens: list[str]) -> tuple[list[str], list[int], list[int]]:
    """The pieces of ``tokens`` with their places in ``line``, each token looked for after the one
    before it; raises `OptionError` when the tokens overlap (jieba's all and search modes)."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    at = 0
    for token in tokens:
        start = line.find(token, at)
        if start < 0:
            raise OptionError("mode", "a concordance needs tokens that do not overlap: use the accurate mode")
        at = start + len(token)
        if not WHITESPACE.search(token):
            pieces.append(token)
            starts.append(start)
            ends.append(at)
            continue
        for match in _PIECE.finditer(token):
            pieces.append(match.group())
            starts.append(start + match.start())
            ends.append(start + match.end())
    return pieces, starts, ends


def _pieces_of(placed: list[Place]) -> tuple[list[str], list[int], list[int]]:
    """The pieces (the whitespace rule) of tokens placed in a line, with where each starts and ends (all
    mode's joined ASCII token, which holds no whitespace, from its first character to its last)."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for token, start, end in placed:
        if end - start != len(token) or not WHITESPACE.search(token):
            pieces.append(token)
            starts.append(start)
            ends.append(end)
            continue
        for match in _PIECE.finditer(token):
            pieces.append(match.group())
            starts.append(start + match.start())
            ends.append(start + match.end())
    return pieces, starts, ends


def _joined(word: str) -> str:
    """A pattern of the lines that may hold ``word`` as a token of jieba's all mode: its text, but where
    it starts with an ASCII letter or digit (an eng_buf: `wordfreq.tokenizers.places`), with any ASCII
    letters and digits before each of its own (those of the dictionary words it skips)."""
    if not _ASCII_START.match(word):
        return re.escape(word)
    return re.escape(word[0]) + "".join(
        ("[a-zA-Z0-9]*" if _ASCII_START.match(c) else "") + re.escape(c) for c in word[1:]
    )


def reader_of(
    spec: TokenizerSpec, filters: Filters, nodes: Nodes, tokenizer: Callable[[], Tokenizer]
) -> LineReader:
    """The `LineReader` of ``tokenizer`` (made for ``spec``): by blocks for jieba's accurate mode
    (`LineReader.node_spans`); jieba's all mode joins ASCII pieces (`_joined`)."""
    jieba = spec.name in JIEBA_BY_BLOCK
    return LineReader(
        tokenizer,
        filters,
        nodes,
        jieba and spec.mode == "accurate",
        TagUse.of(spec),
        spec.mode,
        jieba and spec.mode == "all",
    )


@functools.lru_cache(maxsize=4)
def line_reader(count_options: CountOptions, nodes: Nodes) -> LineReader:
    """The `LineReader` of this process for ``count_options`` and ``nodes``."""
    spec = count_options.tokenizer
    return reader_of(spec, count_options.filters, nodes, functools.partial(build_tokenizer, spec))
