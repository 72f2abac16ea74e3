"""Parts: what a part of the corpus is (``--part-by``), and how a row says which part it is of.

``--part-by`` takes one of

* ``file`` -- a part is an input file, named by its path as the summary and
  the errors name it (standard input is the part ``-``);
* ``field:PATH`` -- a part is the value at ``PATH`` (dotted, as for
  ``--field``) of each JSON Lines record: a string as it is, a number as its
  JSON text;
* ``path:REGEX`` -- a part is the first capture group (else the whole match)
  of ``REGEX`` searched in a file's path, relative to the directory argument
  it was found under (the path as given for a file argument).

A row counted per part is one string, its *key*: the row (a token or an
n-gram), `SEP`, then the part's name, or, for parts known before counting
(by file or by path), its short code (`part_codes`), which the long table
turns back into the name.  `SEP` is U+001F, which Python's
``str.split`` takes for whitespace, so a token never holds it: the key
splits back at its first `SEP`, whatever the part's name holds.  Keys are
counted, packed, spilled and summed by Dask like any row, so a table of keys
is exact by the same proofs as any table; and the keys of one row share a
prefix (the row and `SEP`), so they lie together in a table sorted by key.
A part's name may not hold a tab or a line break: it would not fit in a
table's line (`bad_part_name`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from wordfreq.charclasses import SURROGATE
from wordfreq.errors import InputError, OptionError

SEP = "\x1f"
PART_KINDS = ("file", "field", "path")
STDIN_PART = "-"


@dataclass(frozen=True)
class PartBy:
    """What a part is: ``kind`` (``file``, ``field`` or ``path``) and its ``value`` (the field's dotted
    path or the regular expression; None for ``file``).  `parse` reads the option's text."""

    kind: str
    value: str | None = None

    @classmethod
    def parse(cls, text: object) -> PartBy:
        if isinstance(text, PartBy):
            return text
        usage = "expected file, field:PATH or path:REGEX"
        if not isinstance(text, str):
            raise OptionError("part_by", f"{usage}, not {text!r}")
        kind, colon, value = text.partition(":")
        if kind == "file" and not colon:
            return cls("file")
        if kind == "field" and colon and all(value.split(".")):
            return cls("field", value)
        if kind == "path" and colon and value:
            try:
                re.compile(value)
            except re.error as err:
                raise OptionError("part_by", f"bad regular expression {value!r}: {err}") from None
            return cls("path", value)
        raise OptionError("part_by", f"{usage}, not {text!r}")

    def __str__(self) -> str:
        return self.kind if self.value is None else f"{self.kind}:{self.value}"

    @property
    def of_records(self) -> bool:
        """Whether each record names its part (else each file does)."""
        return self.kind == "field"

    @property
    def field_path(self) -> tuple[str, ...]:
        return tuple(self.value.split(".")) if self.kind == "field" and self.value else ()

    def part_of_file(self, path: str, relative: str) -> str:
        """The part of the file at ``path`` (``relative`` to its directory argument); raises `InputError`
        for a path the regular expression does not match, or a name a table cannot hold."""
        if self.kind == "file":
            name = path
        else:
            assert self.value is not None
            match = re.search(self.value, relative)
            group = None if match is None else (match.group(1) if match.re.groups else match.group(0))
            if group is None:
                raise InputError(f"{path}: its path {relative!r} does not match --part-by {self}")
            name = group
        problem = bad_part_name(name)
        if problem is not None:
            raise InputError(f"{path}: {problem}")
        return name


def part_of_record(record: object, path: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The part a record names at ``path``, and None; or None and what is wrong."""
    value = record
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None, f"no part at field {'.'.join(path)!r}"
        value = value[key]
    if isinstance(value, str):
        name = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        name = json.dumps(value)
    else:
        return None, f"the part at field {'.'.join(path)!r} is not a string or a number"
    problem = bad_part_name(name)
    return (None, problem) if problem else (name, None)


def bad_part_name(name: str) -> str | None:
    """What is wrong with ``name`` as a part's name, or None."""
    if "\t" in name or "\n" in name or "\r" in name:
        return f"the part name {name!r} holds a tab or a line break, which a table cannot hold"
    if SURROGATE.search(name):
        return f"the part name {name!r} is not valid Unicode (a lone surrogate), which UTF-8 cannot hold"
    return None


CODE_DIGITS = "".join(chr(c) for c in range(0x30, 0x70))  # 64 ASCII characters above SEP, in order


def part_codes(names: Iterable[str]) -> dict[str, str]:
    """A short code for each of ``names`` (a count by file's or by path's parts, known before counting),
    to stand for it in the keys: fixed-width numbers in `CODE_DIGITS` (ASCII, all above `SEP`), given
    in the names' code-point order, so that the codes sort as the names do.  A key of a poem's token
    by a file's full path took 50 bytes, most of them the path, to sort, merge, send and spill."""
    ordered = sorted(set(names))
    width = 1
    while len(CODE_DIGITS) ** width < len(ordered):
        width += 1
    base = len(CODE_DIGITS)
    return {
        name: "".join(CODE_DIGITS[(i // base**k) % base] for k in reversed(range(width)))
        for i, name in enumerate(ordered)
    }


def key(row: str, part: str) -> str:
    """The key of ``row`` counted in ``part``."""
    return row + SEP + part


def split_key(text: str) -> tuple[str, str]:
    """``(row, part)`` of a key."""
    row, _, part = text.partition(SEP)
    return row, part
