"""Where a tokenizer's tokens are in their text: the ``places(text)`` a jieba tokenizer has.

A concordance shows each token in its line, so it needs each token's place.
In jieba's accurate mode the tokens are the text cut in pieces, and their
lengths summed give their places; in the search and all modes they
overlap, so each tokenizer says where they are:

* the compiled tokenizer, from the segmentation itself (``_jieba.c``'s
  ``places``);
* jieba itself, by its ``tokenize`` (accurate and search modes) or, in all
  mode, which ``tokenize`` lacks, by `jieba_py.all_mode_places`, checked
  against ``cut``'s tokens;
* jieba-rs, by rjieba's ``tokenize`` (accurate and search modes), checked,
  or, in all mode, by `ordered_places`.

A *place* is ``(token, start, end)``, for each token that is neither
whitespace nor empty, in the tokenizer's order.  ``text[start:end]`` is the
token, but for one kind: jieba's all mode joins the single ASCII letters and
digits of a run into one token (its ``eng_buf``) and skips those inside a
longer dictionary word between them (``xQQy`` with ``QQ`` in the
dictionary: ``QQ``, then ``xy``); that token's place runs from its first
character to its last.  Nothing here guesses: a place that cannot be
told is an `OptionError`, never a wrong place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wordfreq.errors import OptionError

Place = tuple[str, int, int]


def is_solid(token: str) -> bool:
    """Whether a place is given for ``token``: it is neither whitespace nor empty."""
    return bool(token) and not token.isspace()


def solid(tokens: list[str]) -> list[str]:
    """The tokens a place is given for, in order."""
    return list(filter(is_solid, tokens))


def tokenize_places(tokenizer: Any, text: str, mode: str, hmm: bool) -> list[Place]:
    """The places of the `solid` tokens of a jieba-like ``tokenizer``'s own ``tokenize(text, mode, hmm)``
    (jieba's and rjieba's: ``default`` for the accurate mode, ``search``), which gives each token with
    where it starts and ends."""
    placed = tokenizer.tokenize(text, "search" if mode == "search" else "default", hmm)
    return [place for place in placed if is_solid(place[0])]


def checked_places(text: str, tokens: list[str], placed: list[Place]) -> list[Place]:
    """A tokenizer's own ``placed`` tokens, checked: the `solid` ``tokens`` it counts, in order, each
    where ``text`` holds it."""
    if [token for token, _, _ in placed] != solid(tokens) or not all(
        _fits(text, token, start, end) for token, start, end in placed
    ):
        raise OptionError("mode", "the tokenizer's places of its tokens are not in the line")
    return placed


def _fits(text: str, token: str, start: int, end: int) -> bool:
    """Whether ``token`` can be at ``text[start:end]``: is it, or (all mode's joined ASCII token) is it
    shorter, its characters there in order, from the first to the last."""
    if end - start == len(token):
        return text[start:end] == token
    if not (0 <= start < end <= len(text) and len(token) < end - start):
        return False
    if text[start] != token[0] or text[end - 1] != token[-1]:
        return False
    at = start + 1
    for char in token[1:-1]:
        at = text.find(char, at, end - 1)
        if at < 0:
            return False
        at += 1
    return True


def ordered_places(text: str, tokens: list[str], droppable: Callable[[str], bool]) -> list[Place]:
    """The places of ``tokens`` (whitespace ones included), pieces of ``text`` in order of where they start,
    those that start at the same place in order of length, that leave out no character of ``text`` but
    ``droppable`` ones (jieba-rs's all mode: every dictionary word at each place, the shortest first; a
    Han character that is no word and inside none, dropped).

    Every placement that fits those rules is walked at once (a state is
    where the last token starts and how far the tokens reach, with how
    many placements lead to it, counted up to two): where exactly one
    placement fits the whole text, it is the tokenizer's; else
    `OptionError`.
    """
    pieces = [token for token in tokens if token]
    # past[i]: the first character at or after i that cannot be dropped (len(text) if none)
    past = [len(text)] * (len(text) + 1)
    for i in range(len(text) - 1, -1, -1):
        past[i] = past[i + 1] if droppable(text[i]) else i
    states: dict[tuple[int, int], int] = {(0, 0): 1}  # (start, reach) -> placements, at most 2
    steps: list[dict[tuple[int, int], tuple[int, int]]] = []  # each token's states -> the state before
    before = ""
    for i, token in enumerate(pieces):
        reached: dict[tuple[int, int], int] = {}
        back: dict[tuple[int, int], tuple[int, int]] = {}
        for (start, reach), ways in states.items():
            low = 0 if i == 0 else start if len(token) > len(before) else start + 1
            high = past[reach]  # the token starts before the first character it would leave out
            at = text.find(token, low, high + len(token))
            while at >= 0:
                state = (at, max(reach, at + len(token)))
                reached[state] = min(2, reached.get(state, 0) + ways)
                back[state] = (start, reach)
                at = text.find(token, at + 1, high + len(token))
        if not reached:
            raise OptionError("mode", f"the tokenizer's token {token!r} is not in the line in order")
        states, before = reached, token
        steps.append(back)
    ends = [state for state in states if past[state[1]] == len(text)]
    ways = sum(states[state] for state in ends)
    if ways != 1:
        how = "in more than one way" if ways else "in no way that covers it"
        raise OptionError("mode", f"the tokenizer's tokens fit the line {how}")
    starts: list[int] = []
    state = ends[0]
    for back in reversed(steps):
        starts.append(state[0])
        state = back[state]
    placed = zip(pieces, reversed(starts))
    return [(token, start, start + len(token)) for token, start in placed if not token.isspace()]
