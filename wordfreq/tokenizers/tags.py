"""Tags: which parts of speech a count keeps, and what a tag may be.

jieba.posseg's tags (``n``, ``v``, ``ns``, ...; docs/pos-tags.md lists
them) come from its model and from the dictionaries.  This module owns the
rules around them that need no tagger: the filter of ``--pos-include`` and
``--pos-exclude`` (`TagFilter`), how a ``word/tag`` token splits, and the
checks of a main dictionary that posseg can read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wordfreq.errors import OptionError

# The tags posseg gives by itself, besides the model's and the dictionary's.
OWN_TAGS = ("x", "m", "eng")


@dataclass(frozen=True)
class TagFilter:
    """Which tags are kept: those matching ``include`` (all when empty), then not ``exclude``.

    A pattern is a tag (``ns``) or a prefix followed by ``*`` (``n*``: every
    tag that starts with ``n``).  Patterns may be given as one comma list.
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @staticmethod
    def patterns(option: str, value: str | Iterable[str] | None) -> tuple[str, ...]:
        """``value`` (a comma list, or patterns) as a tuple of checked patterns; OptionError if bad."""
        if value is None:
            return ()
        items = value.split(",") if isinstance(value, str) else list(value)
        patterns = tuple(item.strip() for item in items if isinstance(item, str))
        if len(patterns) != len(items) or (isinstance(value, str) and not patterns):
            raise OptionError(option, "expected a comma list of tags, e.g. n*,v")
        for pattern in patterns:
            body = pattern[:-1] if pattern.endswith("*") else pattern
            if not pattern or "*" in body or any(c.isspace() or c in ",/" for c in body):
                raise OptionError(option, f"{pattern!r} is not a tag or a tag prefix followed by * (e.g. n*)")
        return patterns

    @property
    def active(self) -> bool:
        return bool(self.include or self.exclude)

    def keeps(self, tag: str) -> bool:
        def matches(patterns: tuple[str, ...]) -> bool:
            return any(tag.startswith(p[:-1]) if p.endswith("*") else tag == p for p in patterns)

        return (not self.include or matches(self.include)) and not matches(self.exclude)


KEEP_ALL = TagFilter()


def pair_token(word: str, tag: str, tag_filter: TagFilter, with_tags: bool) -> str | None:
    """The token of a (word, tag) pair of jieba.posseg's: ``word/tag`` (or the word, without
    ``with_tags``), None where ``tag_filter`` drops the tag."""
    if not tag_filter.keeps(tag):
        return None
    return f"{word}/{tag}" if with_tags else word


def split_tagged(token: str) -> tuple[str, str]:
    """A ``word/tag`` token as (word, tag): a tag holds no ``/`` (`check_tags`)."""
    word, _, tag = token.rpartition("/")
    return word, tag


def check_tags(tags: Iterable[str]) -> None:
    """OptionError unless every tag can follow a word after ``/`` in a table (no ``/``, no whitespace)."""
    for tag in tags:
        if not tag or "/" in tag or any(c.isspace() for c in tag):
            raise OptionError("dict", f"the tag {tag!r} cannot be written after a word and '/'")


def check_pos_dictionary(contents: bytes, name: str) -> None:
    """OptionError unless posseg's load_word_tag reads every line of ``contents`` ('word freq tag')."""
    for number, raw in enumerate(contents.split(b"\n"), 1):
        try:
            line = raw.strip().decode("utf-8")
        except UnicodeDecodeError:
            line = None
        if line == "":
            continue
        if line is None or len(line.split(" ")) != 3:
            raise OptionError("dict", f"{name}: line {number}: parts of speech need 'word frequency tag'")
        check_tags([line.split(" ")[2]])
