"""JSON Lines: how the records of a chunk become the text to count.

With a ``field`` (``--field PATH``) every input is JSON Lines, one record a line; the text
at ``PATH`` (dotted for nested objects: ``meta.title``) of each record is
what gets counted, each record's text on its own, as one ``jieba.cut``
call each.  A chunk of records is counted as the records' texts joined by a
line feed, which changes nothing: a line feed is a cut point of every
tokenizer (`tests/test_inputs.py` checks it), and whitespace is not counted.

Chunks of JSON Lines are cut only after a line feed (`wordfreq.chunks.planning.LINE_FEED`), which in
JSON Lines always ends a record: JSON strings cannot hold a raw line feed.
Lines are split on ``\\n`` alone, never with `str.splitlines`, which would
also split at U+2028 and other characters that JSON strings may hold raw.
A record whose text holds a lone surrogate (JSON can escape one, ``\\ud800``)
is a bad record: no UTF-8 table could hold its tokens.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from wordfreq.charclasses import SURROGATE
from wordfreq.chunks.parts import part_of_record
from wordfreq.errors import InputError, OptionError

__all__ = ["RecordFormat", "record_lines", "record_texts"]


@dataclass(frozen=True)
class RecordFormat:
    """Whether the inputs are JSON Lines: where the text is in each record, and what to do with a bad one.

    ``field`` is None for plain text, or the dotted path of the text in each
    record (``meta.title``).
    """

    field: str | None = None
    skip_bad_records: bool = False

    def __post_init__(self) -> None:
        if self.field is None:
            if self.skip_bad_records:
                raise OptionError("skip_bad_records", "skipping bad records needs a field (JSON Lines)")
            return
        if not isinstance(self.field, str) or not all(self.field.split(".")):
            raise OptionError("field", f"expected names joined by dots, like meta.title, not {self.field!r}")

    @property
    def active(self) -> bool:
        """Whether the inputs are read as JSON Lines."""
        return self.field is not None

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.field.split(".")) if self.field is not None else ()


def _text_at(record: object, field: tuple[str, ...]) -> str | None:
    for key in field:
        if not isinstance(record, dict) or key not in record:
            return None
        record = record[key]
    return record if isinstance(record, str) else None


def record_texts(
    text: str,
    fmt: RecordFormat,
    path: str,
    line_number: Callable[[int], int],
    parts: list[str] | None = None,
    part_field: tuple[str, ...] = (),
) -> tuple[list[str], int]:
    """The texts of the records in ``text``, and how many bad records were skipped.

    ``line_number(i)`` gives the file's line number of the chunk's ``i``-th line
    (called only to report an error).  Blank lines are ignored.  With
    ``part_field``, each record's part (`wordfreq.parts`) is appended to
    ``parts``, one for each text; a record without one is a bad record.
    """
    records, bad = record_lines(text, fmt, path, line_number, parts, part_field)
    return [record for _, record in records], bad


def record_lines(
    text: str,
    fmt: RecordFormat,
    path: str,
    line_number: Callable[[int], int],
    parts: list[str] | None = None,
    part_field: tuple[str, ...] = (),
) -> tuple[list[tuple[int, str]], int]:
    """`record_texts`, each text with the index of its line in ``text`` (0 for the first)."""
    texts: list[tuple[int, str]] = []
    bad = 0
    for i, line in enumerate(text.split("\n")):
        if not line.strip():
            continue
        part: str | None = None
        try:
            record = json.loads(line)
        except ValueError as err:
            problem = f"not valid JSON ({getattr(err, 'msg', err)})"
        else:
            value = _text_at(record, fmt.path)
            surrogate = SURROGATE.search(value) if value is not None else None
            part_problem = None
            if part_field and value is not None and surrogate is None:
                part, part_problem = part_of_record(record, part_field)
            if value is not None and surrogate is None and part_problem is None:
                texts.append((i, value))
                if part is not None and parts is not None:
                    parts.append(part)
                continue
            if part_problem is not None:
                problem = part_problem
            elif surrogate is not None:
                code = ord(surrogate.group())
                problem = f"the text holds a lone surrogate (U+{code:04X}), which UTF-8 cannot hold"
            else:
                problem = f"no text at field {fmt.field!r}"
        if fmt.skip_bad_records:
            bad += 1
            continue
        raise InputError(f"{path}: line {line_number(i)}: {problem}", options=("skip_bad_records",))
    return texts, bad
