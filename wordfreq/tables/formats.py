"""Tables: how a frequency table is written and read, in every format.

A table is UTF-8 text, one ``token<TAB>count`` row per line, LF line ends, no
header, sorted by count descending and ties by token in code-point order, so
the same counts always give the same bytes.  A table counted with document
frequencies has a third column, ``token<TAB>count<TAB>docs``: the number of
documents the row occurs in (never more than its count).  A table is all
two-column or all three-column: a reader refuses one that mixes them, naming
the file and line, and `wordfreq.reduce.merge.merge_tables` refuses to sum
tables of both shapes.  The order of the rows is `wordfreq.reduce.order`'s.

The same rows can also be written and read back in three other formats, named
in `FORMATS`: ``parquet`` (typed columns ``token``, ``count``, ``docs``;
`wordfreq.tables.parquet`), ``csv`` (``token,count[,docs]``, quoted as Python's `csv` module
quotes, and for a carriage return too, LF line ends, no header) and ``jsonl``
(one ``{"token": ..., "count": ..., "docs": ...}`` object per line, ``"docs"``
only in a three-column table, non-ASCII kept as it is).  A reader is told its
format, or, told none, reads Parquet when the table starts with Parquet's
magic bytes (`wordfreq.parquet.is_parquet`) and TSV otherwise.

`WRITE_FORMATS` adds three write-only formats, vocabularies for other tools
(`_sentencepiece_text`, `_jieba_text` and `_gensim_text` say what reads
them, and how); rows that the tool would read back differently are an
`OutputError`, never a silently different vocabulary.

Files are written through `wordfreq.tables.output.atomic_output`.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import BinaryIO, NamedTuple, Protocol, TypeVar, runtime_checkable

from wordfreq.charclasses import SURROGATE
from wordfreq.errors import InputError, OutputError
from wordfreq.reduce.order import COLUMN_WORDS, Row, in_batches
from wordfreq.sources.inputs import display_name, open_binary
from wordfreq.tables.parquet import TABLE_COLUMNS, is_parquet, read_parquet, write_parquet

FORMATS = ("tsv", "csv", "jsonl", "parquet")  # formats read and written
WRITE_FORMATS = (*FORMATS, "sentencepiece", "jieba", "gensim")  # and the write-only vocabularies
_T = TypeVar("_T")
WRITE_BATCH = 1 << 14  # rows encoded and written at a time
_CSV_QUOTED = re.compile('[,"\r\n]')  # what a CSV field is quoted for


# --- writing ------------------------------------------------------------------


def _tsv_text(rows: Sequence[Row], columns: int, start: int) -> str:
    if columns == 2:
        return "".join([f"{token}\t{count}\n" for token, count in rows])
    return "".join([f"{token}\t{count}\t{docs}\n" for token, count, docs in rows])


def _csv_text(rows: Sequence[Row], columns: int, start: int) -> str:
    # The bytes of csv.writer(lineterminator="\n"), which quotes a field holding
    # a comma, a quote or a line feed; a carriage return too here, without
    # which the csv module could not read the row back.
    if columns == 2:
        return "".join([f"{csv_field(token)},{count}\n" for token, count in rows])
    return "".join([f"{csv_field(token)},{count},{docs}\n" for token, count, docs in rows])


def csv_field(text: str) -> str:
    """``text`` as one CSV field, quoted as `csv.writer` quotes it (and for a carriage return too)."""
    return '"' + text.replace('"', '""') + '"' if _CSV_QUOTED.search(text) else text


def _jsonl_text(rows: Sequence[Row], columns: int, start: int) -> str:
    # The bytes of json.dumps({"token": ..., "count": ...}, ensure_ascii=False), faster.
    quote = json.encoder.encode_basestring
    if columns == 2:
        return "".join([f'{{"token": {quote(token)}, "count": {int(count)}}}\n' for token, count in rows])
    return "".join(
        [
            f'{{"token": {quote(token)}, "count": {int(count)}, "docs": {int(docs)}}}\n'
            for token, count, docs in rows
        ]
    )


def _sentencepiece_text(rows: Sequence[Row], columns: int, start: int) -> str:
    """``token<TAB>count`` per line, always two columns: SentencePiece's word-frequency input.

    ``spm_train --input=vocab.tsv --input_format=tsv --model_prefix=m --vocab_size=8000``
    trains on each token as a sentence repeated ``count`` times.  spm_train
    splits each line on every tab and wants counts of at least 1.
    """
    return "".join([f"{row[0]}\t{row[1]}\n" for row in rows])


def _jieba_text(rows: Sequence[Row], columns: int, start: int) -> str:
    """``token count`` per line, one space between: a jieba user dictionary.

    ``jieba.load_userdict("userdict.txt")`` adds each token with its count as
    jieba's word frequency (weighed against its dictionary's, which total
    about 60 million).  subword-nmt reads the same lines as a vocabulary:
    ``subword-nmt learn-bpe --dict-input -s 10000 < userdict.txt > codes``.
    A token with whitespace (an n-gram) cannot be one entry.
    """
    return "".join([f"{row[0]} {row[1]}\n" for row in rows])


def _gensim_text(rows: Sequence[Row], columns: int, start: int) -> str:
    """gensim's ``Dictionary.save_as_text`` format, after its header line (see `_gensim_header`).

    The number of documents, then ``id<TAB>token<TAB>docs`` per line, ids 0, 1, ...
    in table order:
    ``python -c 'from gensim.corpora import Dictionary; d = Dictionary.load_from_text("vocab.txt")'``.
    It needs document frequencies (a three-column table) and the number of
    documents counted.  ``load_from_text`` splits each line on every tab and
    refuses a token listed twice (a table from count or merge has none).
    """
    return "".join([f"{i}\t{row[0]}\t{row[2]}\n" for i, row in enumerate(rows, start)])


def _gensim_header(columns: int, documents: int | None) -> bytes:
    if columns == 2:
        raise OutputError(
            "the gensim format needs each token's document frequency, "
            "a third column that only a count of document frequencies has",
            options=("doc_freq",),
        )
    if documents is None:
        raise OutputError(
            "the gensim format starts with the number of documents, which a table does not record",
            options=("documents",),
        )
    return f"{documents}\n".encode()


def _refuse(rows: Sequence[Row], bad: Callable[[Row], bool], why: Callable[[Row], str]) -> None:
    """Raise `OutputError` (``why``) for the first row that is ``bad``, if any."""
    row = next((row for row in rows if bad(row)), None)
    if row is not None:
        raise OutputError(why(row))


def _check_tsv(rows: Sequence[Row], text: str, columns: int, documents: int | None) -> None:
    if text.count("\n") != len(rows):
        _refuse(
            rows,
            lambda row: "\n" in row[0],
            lambda row: f"token {row[0]!r} contains a line break: write CSV or JSONL, not TSV",
        )
    if columns == 2 and text.count("\t") != len(rows):
        _refuse(
            rows,
            _reads_as_three_columns,
            lambda row: (
                f"token {row[0]!r} ends in a tab and digits, which TSV reads back as "
                "a third column: write CSV or JSONL, not TSV"
            ),
        )


def _reads_as_three_columns(row: Row) -> bool:
    """Whether ``token<TAB>count`` would read back as three columns: the token ends in <TAB>digits."""
    head, tab, tail = row[0].rpartition("\t")
    return bool(tab and head and _is_count(tail))


def _check_split_fields(rows: Sequence[Row], text: str, fields: int, tool: str) -> None:
    """For a format that ``tool`` splits on every tab and line feed: ``fields`` a line."""
    if text.count("\n") != len(rows) or text.count("\t") != (fields - 1) * len(rows):
        _refuse(
            rows,
            lambda row: "\t" in row[0] or "\n" in row[0],
            lambda row: f"token {row[0]!r} contains a tab or a line break, which {tool} cannot read",
        )


def _check_sentencepiece(rows: Sequence[Row], text: str, columns: int, documents: int | None) -> None:
    _check_split_fields(rows, text, 2, "spm_train's TSV input")
    if min(row[1] for row in rows) < 1:
        _refuse(
            rows,
            lambda row: row[1] < 1,
            lambda row: f"token {row[0]!r} has count {row[1]}: spm_train's TSV input needs counts >= 1",
        )


def _check_jieba(rows: Sequence[Row], text: str, columns: int, documents: int | None) -> None:
    # Each line splits into two words unless a token is empty or holds whitespace.
    if len(text.split()) != 2 * len(rows) or "\ufeff" in text:
        _refuse(
            rows,
            lambda row: _jieba_problem(row[0]) is not None,
            lambda row: f"token {row[0]!r} cannot be a jieba user dictionary entry: {_jieba_problem(row[0])}",
        )


def _jieba_problem(token: str) -> str | None:
    if token.split() != [token]:
        return "it is empty or holds whitespace (an n-gram cannot be one)"
    if token.startswith("\ufeff"):
        return "jieba.load_userdict strips a U+FEFF that starts a line"
    return None


def _check_gensim(rows: Sequence[Row], text: str, columns: int, documents: int | None) -> None:
    _check_split_fields(rows, text, 3, "gensim's Dictionary.load_from_text")
    limit = documents or 0  # _gensim_header has refused None
    if max(row[2] for row in rows) > limit:
        _refuse(
            rows,
            lambda row: row[2] > limit,
            lambda row: f"token {row[0]!r} occurs in {row[2]} documents, more than the {limit} counted",
        )


def _no_check(rows: Sequence[Row], text: str, columns: int, documents: int | None) -> None:
    pass


class _Writer(NamedTuple):
    text: Callable[[Sequence[Row], int, int], str]  # rows, columns, id of the first row -> lines
    check: Callable[[Sequence[Row], str, int, int | None], None]  # raises OutputError


_WRITERS: dict[str, _Writer] = {
    "tsv": _Writer(_tsv_text, _check_tsv),
    "csv": _Writer(_csv_text, _no_check),
    "jsonl": _Writer(_jsonl_text, _no_check),
    "sentencepiece": _Writer(_sentencepiece_text, _check_sentencepiece),
    "jieba": _Writer(_jieba_text, _check_jieba),
    "gensim": _Writer(_gensim_text, _check_gensim),
}


def _check_format(fmt: str, formats: tuple[str, ...] = FORMATS) -> None:
    if fmt in formats:
        return
    if fmt in WRITE_FORMATS:
        raise ValueError(f"{fmt!r} is a write-only format; tables are read as {', '.join(formats)}")
    raise ValueError(f"unknown table format {fmt!r}; expected one of {', '.join(formats)}")


_JIEBA_TAG = re.compile("[a-z]+")  # what load_userdict's pattern takes for a tag


def jieba_tagged_text(rows: Iterable[Row]) -> str:
    """``word freq tag`` per line from ``word/tag`` rows (``count --pos``): a jieba user dictionary with
    parts of speech.

    jieba keeps one entry per word (a later line replaces an earlier one), so
    the rows of a word are summed into one line, with the tag of its most
    frequent row (the first in table order on a tie); lines in order of
    frequency, then word.  load_userdict reads a tag only if it is made of
    ASCII lowercase letters, as all of jieba's are; `OutputError` otherwise.
    """
    totals: dict[str, int] = {}
    best: dict[str, tuple[int, str]] = {}  # word -> (count, tag) of its most frequent row
    for token, count, *_ in rows:
        word, _, tag = token.rpartition("/")
        problem = _jieba_problem(word) if word else "it has no word before a /tag"
        if problem is None and not _JIEBA_TAG.fullmatch(tag):
            problem = f"its tag {tag!r} is not made of ASCII lowercase letters, as load_userdict reads a tag"
        if problem is not None:
            raise OutputError(f"token {token!r} cannot be a jieba user dictionary entry: {problem}")
        totals[word] = totals.get(word, 0) + count
        if word not in best or count > best[word][0]:
            best[word] = (count, tag)
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return "".join(f"{word} {total} {best[word][1]}\n" for word, total in ordered)


def write_rows(
    rows: Iterable[Row], out: BinaryIO, fmt: str = "tsv", documents: int | None = None, tagged: bool = False
) -> None:
    """Write ``rows`` (all two-column or all three-column) to the binary stream ``out`` as ``fmt``.

    ``fmt`` is one of `WRITE_FORMATS`.  ``documents``, the number of documents
    counted, is the first line of the gensim format, which needs it; the other
    formats have no place for it and ignore it.  Raises `OutputError` for rows
    the format cannot hold: in TSV, a token with a line break (or, in two
    columns, one ending in a tab and digits), which would not read back as
    it was written; in the write-only formats, what their tool would misread
    (see their `_..._text` functions); gensim from two columns.  With
    ``tagged`` (tokens ``word/tag``) jieba's is ``word freq tag`` (`jieba_tagged_text`).
    """
    _check_format(fmt, WRITE_FORMATS)
    if fmt == "parquet":
        _write_parquet_table(rows, out)
        return
    if fmt == "jieba" and tagged:
        out.write(jieba_tagged_text(rows).encode("utf-8"))
        return
    writer = _WRITERS[fmt]
    if fmt == "tsv" and isinstance(rows, SlicedRows):
        _write_sliced_tsv(rows, out)
        return
    batches = in_batches(rows, WRITE_BATCH)
    first = next(batches, [])
    columns = len(first[0]) if first else 0
    if fmt == "gensim":
        out.write(_gensim_header(columns, documents))
    start = 0
    for batch in itertools.chain((first,), batches) if first else ():
        out.write(_encoded(writer, batch, columns, start, documents))
        start += len(batch)


def _write_parquet_table(rows: Iterable[Row], out: BinaryIO) -> None:
    """``rows`` as Parquet (`wordfreq.parquet`), streamed through CSV in batches; two columns when empty."""
    batches = in_batches(rows, WRITE_BATCH)
    first = next(batches, [])
    columns = len(first[0]) if first else 2
    lines = (_utf8(batch, _csv_text(batch, columns, 0)) for batch in itertools.chain((first,), batches))
    write_parquet(TABLE_COLUMNS[columns], lines, out)


@runtime_checkable
class SlicedRows(Protocol):
    """Rows read by slices, that may format a slice as TSV themselves (a packed or merged table)."""

    def __len__(self) -> int: ...

    def slice(self, start: int, stop: int) -> list[Row]: ...

    def tsv(self, start: int, stop: int) -> bytes | None:
        """The slice's TSV lines in UTF-8, or None to leave them to the Python writer (and its checks)."""


def _write_sliced_tsv(rows: SlicedRows, out: BinaryIO) -> None:
    writer = _WRITERS["tsv"]
    for start in range(0, len(rows), WRITE_BATCH):
        data = rows.tsv(start, start + WRITE_BATCH)
        if data is None:
            batch = rows.slice(start, start + WRITE_BATCH)
            data = _encoded(writer, batch, len(batch[0]) if batch else 2, start, None)
        out.write(data)


def _encoded(writer: _Writer, batch: Sequence[Row], columns: int, start: int, documents: int | None) -> bytes:
    """The lines of ``batch`` (rows ``start``... of the table) in UTF-8, checked."""
    text = writer.text(batch, columns, start)
    writer.check(batch, text, columns, documents)
    return _utf8(batch, text)


def _utf8(rows: Sequence[Row], text: str) -> bytes:
    """``text`` in UTF-8; `OutputError` naming the row whose token holds a lone surrogate, which UTF-8
    cannot encode (Python strings can hold one; JSON's ``\\ud800`` escapes make one)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        _refuse(rows, lambda row: SURROGATE.search(row[0]) is not None, _surrogate_message)
        raise  # pragma: no cover - only a surrogate makes UTF-8 fail


def _surrogate_message(row: Row) -> str:
    return f"token {row[0]!r} holds a lone surrogate, which UTF-8 cannot encode"


# --- reading ------------------------------------------------------------------


def read_rows(stream: BinaryIO, name: str, fmt: str | None = None) -> Iterator[Row]:
    """The rows of a table in format ``fmt`` (one of `FORMATS`), lazily, two or three columns.

    ``fmt`` None: Parquet if the stream starts as Parquet does, else TSV.
    Blank lines are skipped; a bad row, or one whose shape differs from the
    first row's, raises `InputError` naming ``name`` and the line.  So does
    a three-column row with more documents than occurrences (docs > count).
    """
    if fmt is None:
        stream, fmt = _sniffed(stream)
    _check_format(fmt)
    if fmt == "parquet":
        return read_parquet(stream, name)
    if fmt == "csv":
        return _checked(_csv_records(stream, name), _parse_csv, ",".join, name, fmt)
    if fmt == "jsonl":
        return _checked(_lines(stream, name, str.strip), _parse_jsonl, str, name, fmt)
    return _checked(_lines(stream, name, _strip_line_end), _parse_tsv, str, name, fmt)


def read_table(path: str | os.PathLike[str], fmt: str | None = None) -> Iterator[Row]:
    """The rows of the table at ``path`` (``-``: standard input), lazily; ``fmt`` as `read_rows` takes it.

    The file is opened when the first row is asked for and closed after the
    last, so a generator of these tables keeps at most one file open.
    """
    if fmt is not None:
        _check_format(fmt)
    path = os.fspath(path)
    with open_binary(path) as stream:
        yield from read_rows(stream, display_name(path), fmt)


class _Prepended(io.RawIOBase):
    """The bytes ``head``, then the rest of ``stream``: a stream whose first bytes were read to sniff it."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self.head, self.stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n], self.head = self.head[:n], self.head[n:]
            return n
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _sniffed(stream: BinaryIO) -> tuple[BinaryIO, str]:
    """``stream`` (or one that reads the same bytes) and its format: parquet or tsv, by its first bytes."""
    peek = getattr(stream, "peek", None)
    head = peek(8)[:5] if peek is not None else b""
    if len(head) < 5:
        head = stream.read(5)
        stream = io.BufferedReader(_Prepended(head, stream))  # type: ignore[assignment]
    return stream, "parquet" if is_parquet(head) else "tsv"


# How each format's rows look, two columns then three, as error messages show them.
_SHAPES = {
    "tsv": ("'token<TAB>count'", "'token<TAB>count<TAB>docs'"),
    "csv": ("'token,count'", "'token,count,docs'"),
    "jsonl": ('{"token": ..., "count": ...}', '{"token": ..., "count": ..., "docs": ...}'),
}


def _checked(
    records: Iterable[tuple[int, _T]],
    parse: Callable[[_T], Row | None],
    show: Callable[[_T], str],
    name: str,
    fmt: str,
) -> Iterator[Row]:
    """The rows ``parse`` makes of the numbered ``records``, all of the first row's shape."""
    columns = first_line = 0
    for lineno, record in records:
        row = parse(record)
        if row is None or len(row) != (columns or len(row)) or (len(row) == 3 and row[2] > row[1]):
            problem = _problem(row, columns, first_line, fmt)
            raise InputError(f"{name}: line {lineno}: {problem}, got {show(record)[:60]!r}")
        if not columns:
            columns, first_line = len(row), lineno
        yield row


def _problem(row: Row | None, columns: int, first_line: int, fmt: str) -> str:
    two, three = _SHAPES[fmt]
    if row is None:
        return f"expected {two if columns == 2 else three if columns == 3 else f'{two} or {three}'}"
    if len(row) != columns and columns:
        shape, table = COLUMN_WORDS[len(row)], COLUMN_WORDS[columns]
        return f"a {shape}-column row in a {table}-column table (line {first_line})"
    return f"more documents than occurrences ({row[2]} > {row[1]})"


def _strip_line_end(line: str) -> str:
    return line.rstrip("\r\n")


def _lines(stream: BinaryIO, name: str, strip: Callable[[str], str]) -> Iterator[tuple[int, str]]:
    """The non-blank lines of ``stream``, numbered from 1, decoded and stripped."""
    for lineno, raw in enumerate(stream, 1):
        try:
            line = strip(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise InputError(f"{name}: line {lineno}: not valid UTF-8") from None
        if line:
            yield lineno, line


def _is_count(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _is_whole(value: object) -> bool:
    return type(value) is int and value >= 0  # not a bool, not a float


def _parse_tsv(line: str) -> Row | None:
    head, tab, last = line.rpartition("\t")
    if not tab or not head or not _is_count(last):
        return None
    if "\t" in head:  # three columns when the field before the count is a count too
        token, _, middle = head.rpartition("\t")
        if token and _is_count(middle):
            return token, int(middle), int(last)
    return head, int(last)


def _parse_jsonl(line: str) -> Row | None:
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    token, count = obj.get("token"), obj.get("count")
    if not isinstance(token, str) or not token or not _is_whole(count):
        return None
    if "docs" not in obj:
        return token, count
    return (token, count, obj["docs"]) if _is_whole(obj["docs"]) else None


def _decoded_lines(stream: BinaryIO, name: str) -> Iterator[str]:
    for lineno, raw in enumerate(stream, 1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{name}: line {lineno}: not valid UTF-8") from None


def _csv_records(stream: BinaryIO, name: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(_decoded_lines(stream, name))
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise InputError(f"{name}: line {reader.line_num}: {err}") from None
        if fields:
            yield reader.line_num, fields


def _parse_csv(fields: list[str]) -> Row | None:
    if len(fields) == 2:
        token, count = fields
        return (token, int(count)) if token and _is_count(count) else None
    if len(fields) == 3:
        token, count, docs = fields
        return (token, int(count), int(docs)) if token and _is_count(count) and _is_count(docs) else None
    return None


# --- writing a file -----------------------------------------------------------
