"""Chunking: how the bytes of a source become pieces of text that are safe to cut.

Two kinds of task come out of `plan_tasks`:

* `RangeTask` -- a byte range of a regular UTF-8 file, or of an object at a
  URL.  The worker that gets it opens the file (`sources.inputs.open_ranged`) and
  reads the range itself, so no text crosses a process boundary, and over
  the network it reads the range and the window past its end in one ranged
  request (for an S3 object, a GET the parent presigned, `remote.DirectRead`,
  so that the worker needs no S3 client of its own).  The range's nominal
  ends are moved to *cut points*: the cut for offset ``b`` is the end of the
  first match of the tokenizer's ``cut_points`` whose character starts at or
  after ``b``.  Both workers that
  share a nominal end compute the same cut from the same bytes, so the ranges
  tile the file exactly.  A cut point always ends a validly encoded
  character, so decoding each range on its own gives the same text, under
  any error handler, as decoding the whole file.
* `TextTask` -- text already decoded and cut by the parent; used for
  standard input, FIFOs, compressed files and objects, and encodings other
  than UTF-8, which cannot be entered in the middle.

Either way a text is only ever cut where the tokenizer's output cannot
change, and never inside a run of characters it would segment as one block.
A run with no cut point at all (say, 1 GB of letters with no space) is kept
whole, as jieba itself would keep it.

This module also owns decoding (`Decoding`): the leading-BOM rule, the
error handlers, and the count of bytes replaced or dropped under the
``replace`` and ``ignore`` error modes, which each task returns with its text
(no count outlives the decoding it belongs to, so threads never mix them).
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import re
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import BinaryIO, Union

from wordfreq.errors import InputError, OptionError, WordfreqError, require_choice
from wordfreq.sources.inputs import Read, Source, open_binary, open_ranged
from wordfreq.sources.remote import DEFAULT_STORAGE, DirectRead, Storage, direct_reads, is_url, send_ahead

CHUNK_SIZE = 1 << 20  # bytes of input per task, unless the run says otherwise
# ... of an object read by ranges over a network, where each range is one request: a store takes tens
# of milliseconds to answer one, and a worker counts 4 MiB in about as long as it reads it from S3.
NETWORK_CHUNK_SIZE = 4 << 20
TAIL_CHUNKS = 4
MIN_TAIL_CHUNK = 1 << 16  # the tail's smallest range: this, or a sixteenth of a chunk if more
ERROR_MODES = ("strict", "replace", "ignore")
_BOM = "\ufeff"
_SCAN_WINDOW = 1 << 16
CONTEXT_BYTES = 280  # bytes before an offset that `find_cut` decodes too: 64 characters and a split one
_TAIL_WINDOW = 1 << 12
# Cut points of line-oriented inputs (JSON Lines): right after a line feed.
LINE_FEED = re.compile("\n")

# Where the error handlers below add the bytes they replace or drop: the
# tally of the decoding under way in this thread (see `_tallying`).
_TALLY: ContextVar[list[int] | None] = ContextVar("wordfreq_bad_bytes", default=None)


def _tally(err: UnicodeError) -> int:
    if not isinstance(err, UnicodeDecodeError):
        raise err
    tally = _TALLY.get()
    if tally is not None:
        tally[0] += err.end - err.start
    return err.end


def _count_and_replace(err: UnicodeError) -> tuple[str, int]:
    return "\ufffd", _tally(err)


def _count_and_ignore(err: UnicodeError) -> tuple[str, int]:
    return "", _tally(err)


codecs.register_error("wordfreq.replace", _count_and_replace)
codecs.register_error("wordfreq.ignore", _count_and_ignore)


@contextlib.contextmanager
def _tallying(tally: list[int]) -> Iterator[None]:
    """Add the bytes that decoding replaces or drops meanwhile, in this thread, to ``tally[0]``."""
    token = _TALLY.set(tally)
    try:
        yield
    finally:
        _TALLY.reset(token)


@dataclass(frozen=True)
class Decoding:
    """How bytes become text: a Python codec and an error mode."""

    encoding: str = "utf-8"
    errors: str = "strict"

    def __post_init__(self) -> None:
        try:
            canonical = codecs.lookup(self.encoding).name
        except (LookupError, TypeError, ValueError):
            raise OptionError("encoding", f"unknown encoding {self.encoding!r}") from None
        object.__setattr__(self, "encoding", canonical)
        require_choice("errors", self.errors, ERROR_MODES, "error mode")

    @property
    def is_utf8(self) -> bool:
        """UTF-8 (a leading BOM is skipped), which allows byte ranges."""
        return self.encoding in ("utf-8", "utf-8-sig")

    @property
    def is_wide(self) -> bool:
        """UTF-16 or UTF-32, whose text is full of NUL bytes."""
        return self.encoding.startswith(("utf-16", "utf-32"))

    @property
    def handler(self) -> str:
        return self.errors if self.errors == "strict" else f"wordfreq.{self.errors}"

    def decode_error(self, path: str, offset: int, err: UnicodeDecodeError) -> InputError:
        """The one-line error for undecodable bytes at ``offset`` of ``path``."""
        return InputError(
            f"{path}: byte {offset}: not valid {self.encoding} ({err.reason}); "
            "name the file's encoding, or have undecodable bytes replaced",
            options=("encoding", "errors"),
        )


@dataclass(frozen=True)
class RangeTask:
    """Bytes [start, end) of a regular UTF-8 file (or object), each end moved to a cut point."""

    path: str  # a file's path or an object's URL
    start: int
    end: int | None  # None: to the end of the file
    size: int  # the file's size when the run began
    direct: DirectRead | None = None  # an S3 object's presigned GET, signed when the task was made
    part: str | None = None  # the part of the corpus the range is of, when parts are counted by file

    @property
    def nbytes(self) -> int:
        return (self.size if self.end is None else self.end) - self.start

    @property
    def whole(self) -> bool:
        """Whether the range is the whole file."""
        return self.start == 0 and self.end is None


@dataclass(frozen=True)
class TextTask:
    """Text decoded and cut by the parent."""

    path: str
    text: str
    nbytes: int
    bad_bytes: int = 0
    first_line: int = 1  # the line number of the text's first line in its source
    whole: bool = True  # the whole of its source (the stream's only task)
    part: str | None = None  # the part of the corpus the text is of, when parts are counted by file


Task = Union[RangeTask, TextTask]


def _reason(err: Exception) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return str(err) or type(err).__name__


def last_cut(text: str, cut_points: re.Pattern[str]) -> int:
    """The last place ``text`` may be cut (0 when there is none)."""
    lo = max(0, len(text) - _TAIL_WINDOW)
    while True:
        last = None
        for match in cut_points.finditer(text, lo):
            last = match
        if last is not None:
            return last.end()
        if lo == 0:
            return 0
        lo = max(0, 2 * lo - len(text))


def find_cut(read: Read, offset: int, cut_points: re.Pattern[str]) -> int | None:
    """The byte offset of the first cut point at or after ``offset``, None at end of file.

    The bytes are decoded with ``surrogateescape``, which keeps one character
    per undecodable byte (so offsets map back exactly), and cut points never
    involve those characters.  They are read in windows of a fixed sequence
    of sizes from ``offset``, so the answer depends on the file and
    ``offset`` alone, whoever asks (the two workers that share a nominal end).
    For cut points that look behind (`wordfreq.chunks.conversion`), the
    `CONTEXT_BYTES` before ``offset`` are read and decoded with them (for an
    object in a store, one more small ranged read a task); the search starts
    at the first character that starts at or after ``offset``.
    """
    before = b""
    if offset and "(?<" in cut_points.pattern:  # a cut point that looks behind
        before = read(max(0, offset - CONTEXT_BYTES), min(offset, CONTEXT_BYTES))
    window = _SCAN_WINDOW
    while True:
        data = read(offset, window)
        text = (before + data).decode("utf-8", "surrogateescape")
        start = len((before + data[: _continued(data)]).decode("utf-8", "surrogateescape"))
        match = cut_points.search(text, start)
        if match:
            return offset - len(before) + len(text[: match.end()].encode("utf-8", "surrogateescape"))
        if len(data) < window:
            return None
        window *= 2


def _continued(data: bytes) -> int:
    """How many bytes ``data`` starts with that continue a character begun before it (0 to 3)."""
    n = 0
    while n < 3 and n < len(data) and 0x80 <= data[n] < 0xC0:
        n += 1
    return n


def plan_tasks(
    source: Source,
    decoding: Decoding,
    cut_points: re.Pattern[str],
    chunk_size: int | None = None,
    stdin: BinaryIO | None = None,
    storage: Storage = DEFAULT_STORAGE,
    direct: bool = False,
    after: int = 0,
) -> Iterator[Task]:
    """The tasks that cover ``source``, lazily, in order (a URL's object opened with ``storage``).

    Tasks are of ``chunk_size`` bytes (None: `CHUNK_SIZE`, or `NETWORK_CHUNK_SIZE` for an object
    read by ranges over a network), and smaller in the input's last few chunks (`_plan_ranges`),
    of which ``after`` (bytes of the sources after this one) tells.

    With ``direct``, the ranges of an S3 object carry a GET of it presigned here
    (`remote.DirectRead`): for workers on this machine, which reach the store as
    this process does (a Dask worker elsewhere reads with its own settings).
    """
    if source.seekable and decoding.is_utf8:
        assert source.size is not None
        url = is_url(source.path)
        step = chunk_size or (NETWORK_CHUNK_SIZE if url else CHUNK_SIZE)
        sign = direct_reads(source.path, storage) if direct and url else None
        for task in _plan_ranges(source.path, source.size, step, after):
            yield task if sign is None else dataclasses.replace(task, direct=sign())
        return
    with open_binary(source.path, stdin, storage) as stream:
        yield from stream_tasks(stream, source.display, decoding, cut_points, chunk_size or CHUNK_SIZE)


def lines_before(task: RangeTask, storage: Storage = DEFAULT_STORAGE) -> int:
    """How many line feeds the file holds before the range's first byte (for error messages)."""
    with open_ranged(task.path, storage, direct=task.direct) as (read, _):
        start = 0 if task.start == 0 else find_cut(read, task.start, LINE_FEED)
        end = start if start is not None else task.size
        lines = 0
        for offset in range(0, end, 1 << 20):
            lines += read(offset, min(end - offset, 1 << 20)).count(b"\n")
        return lines


def _plan_ranges(path: str, size: int, chunk_size: int, after: int = 0) -> Iterator[RangeTask]:
    """Ranges of ``chunk_size`` bytes, shrinking towards the end of the input.

    The last ``TAIL_CHUNKS`` chunks' worth of the input (this file and the
    ``after`` bytes that follow it) is cut into ever smaller ranges (a quarter
    of what remains, down to ``MIN_TAIL_CHUNK`` or a sixteenth of a chunk),
    so that workers finish together instead of one waiting for another's
    last chunk.
    """
    smallest = max(MIN_TAIL_CHUNK, chunk_size // 16)
    start = 0
    while True:
        remaining = size - start + after
        step = chunk_size
        if remaining < TAIL_CHUNKS * chunk_size:
            step = min(chunk_size, max(smallest, remaining // TAIL_CHUNKS))
        end = start + step
        if end >= size:
            yield RangeTask(path, start, None, size)
            return
        yield RangeTask(path, start, end, size)
        start = end


def stream_tasks(
    stream: BinaryIO, path: str, decoding: Decoding, cut_points: re.Pattern[str], chunk_size: int
) -> Iterator[TextTask]:
    """Decode ``stream`` incrementally and cut it into `TextTask` chunks."""
    encoding = "utf-8" if decoding.encoding == "utf-8-sig" else decoding.encoding
    decoder = codecs.getincrementaldecoder(encoding)(decoding.handler)
    fed = 0  # bytes given to the decoder so far
    unreported = 0  # bytes read since the last task was yielded
    line = 1  # the line number where the next task starts
    carry = ""
    at_start = decoding.is_utf8
    bad = [0]  # undecodable bytes since the last task was yielded
    cut_before = False  # whether a task was yielded already
    while True:
        try:
            block = stream.read(chunk_size)
        except WordfreqError:  # a URL's failure, already one line that names it
            raise
        except Exception as err:  # OSError, EOFError, zlib/lzma/zstd errors: a truncated archive...
            raise InputError(f"{path}: cannot read: {_reason(err)}") from None
        state = decoder.getstate()
        pending = len(state[0]) if isinstance(state[0], bytes) else 0
        try:
            with _tallying(bad):
                text = decoder.decode(block, final=not block)
        except UnicodeDecodeError as err:
            raise decoding.decode_error(path, fed - pending + err.start, err) from None
        fed += len(block)
        unreported += len(block)
        if at_start and text:
            at_start = False
            if text.startswith(_BOM):
                text = text[1:]
        buffer = carry + text
        if not block:
            if buffer or unreported:
                yield TextTask(path, buffer, unreported, bad[0], line, whole=not cut_before)
            return
        cut = last_cut(buffer, cut_points)
        if cut:
            chunk = buffer[:cut]
            yield TextTask(path, chunk, unreported, bad[0], line, whole=False)
            cut_before = True
            line += chunk.count("\n")
            unreported = 0
            bad[0] = 0
        carry = buffer[cut:]


def _span(task: RangeTask) -> tuple[int, int]:
    """The bytes a task's worker reads at once: its range and the window past its end, where both
    its cut points usually are."""
    return task.start, task.size if task.end is None else min(task.size, task.end + _SCAN_WINDOW)


def reading_ahead(tasks: Iterable[Task], after: Iterable[Task] = ()) -> Iterator[Task]:
    """``tasks``, each handed out once the bytes of the next one (the first of ``after``, for the
    last) are asked for, where a presigned GET on a kept connection reads them: the store answers
    while the task before is counted."""
    it = iter(tasks)
    current = next(it, None)
    while current is not None:
        following = next(it, None)
        ahead = following if following is not None else next(iter(after), None)
        if isinstance(ahead, RangeTask) and ahead.direct is not None:
            send_ahead(ahead.direct, *_span(ahead))
        yield current
        current = following


def load_range(
    task: RangeTask, decoding: Decoding, cut_points: re.Pattern[str], storage: Storage = DEFAULT_STORAGE
) -> tuple[str, int]:
    """Read and decode ``task``'s range; return its text and the bad bytes met.

    The range and the window past its end, where both its cut points
    usually are, are read at once, with the file's size: over the network,
    one round trip.
    """
    try:
        with open_ranged(task.path, storage, _span(task), task.direct) as (read, size):
            if size != task.size:
                raise InputError(
                    f"{task.path}: file changed size while being read ({task.size} bytes, now {size})"
                )
            start = 0 if task.start == 0 else find_cut(read, task.start, cut_points)
            if start is None:
                return "", 0
            end = None if task.end is None else find_cut(read, task.end, cut_points)
            if end is not None and end <= start:
                return "", 0
            data = read(start, (size if end is None else end) - start)
    except OSError as err:
        raise InputError(f"{task.path}: read error: {err.strerror or err}") from None
    bad = [0]
    try:
        with _tallying(bad):
            text = data.decode("utf-8", decoding.handler)
    except UnicodeDecodeError as err:
        raise decoding.decode_error(task.path, start + err.start, err) from None
    if start == 0 and text.startswith(_BOM):
        text = text[1:]
    return text, bad[0]
