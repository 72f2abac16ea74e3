"""JSON Lines: how the records of a chunk become the text to count.

With ``--field PATH`` every input is JSON Lines, one record a line; the text
at ``PATH`` (dotted for nested objects: ``meta.title``) of each record is
what gets counted, each record's text on its own, as one ``jieba.cut``
call each.  A chunk of records is counted as the records' texts joined by a
line feed, which changes nothing: a line feed is a cut point of every
tokenizer (`tests/test_inputs.py` checks it), and whitespace is not counted.

Chunks of JSON Lines are cut only after a line feed (`NEWLINE`), which in
JSON Lines always ends a record: JSON strings cannot hold a raw line feed.
Lines are split on ``\\n`` alone, never with `str.splitlines`, which would
also split at U+2028 and other characters that JSON strings may hold raw.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from wordfreq.chunking import LINE_FEED as NEWLINE
from wordfreq.errors import InputError

__all__ = ["NEWLINE", "RecordFormat", "record_texts"]


@dataclass(frozen=True)
class RecordFormat:
    """Where the text is in each record, and what to do with a bad record."""

    field: tuple[str, ...]
    skip_bad: bool = False

    @classmethod
    def parse(cls, field: str, skip_bad: bool = False) -> RecordFormat:
        parts = tuple(field.split("."))
        if not all(parts):
            raise InputError(f"--field {field!r}: expected names joined by dots, like meta.title")
        return cls(parts, skip_bad)

    @property
    def name(self) -> str:
        return ".".join(self.field)


def _text_at(record: object, field: tuple[str, ...]) -> str | None:
    for key in field:
        if not isinstance(record, dict) or key not in record:
            return None
        record = record[key]
    return record if isinstance(record, str) else None


def record_texts(
    text: str, fmt: RecordFormat, path: str, line_number: Callable[[int], int]
) -> tuple[str, int]:
    """The texts of the records in ``text`` joined by line feeds, and how many bad records were skipped.

    ``line_number(i)`` gives the file's line number of the chunk's ``i``-th line
    (called only to report an error).  Blank lines are ignored.
    """
    texts: list[str] = []
    bad = 0
    for i, line in enumerate(text.split("\n")):
        if not line.strip():
            continue
        try:
            value = _text_at(json.loads(line), fmt.field)
        except ValueError as err:
            problem = f"not valid JSON ({getattr(err, 'msg', err)})"
        else:
            if value is not None:
                texts.append(value)
                continue
            problem = f"no text at field {fmt.name!r}"
        if fmt.skip_bad:
            bad += 1
            continue
        raise InputError(f"{path}: line {line_number(i)}: {problem} (--skip-bad-records skips such lines)")
    return "\n".join(texts), bad
