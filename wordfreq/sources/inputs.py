"""Sources: where the bytes come from.

`list_inputs` turns the paths a user gave into an ordered list of `Source`
values: regular files, compressed files, special files such as FIFOs,
standard input (``-``), and objects at URLs (``s3://bucket/key``, read
through `wordfreq.sources.remote`, where a prefix ``s3://bucket/dir/`` is walked
like a directory).  Directories are walked recursively in sorted order
(by name, in code-point order), skipping hidden entries (names starting
with ``.``) and the files that ``include``/``exclude`` globs leave out,
following symbolic links but never entering a directory twice, so a symlink
loop cannot hang the walk, and counting each real file once however many
paths lead to it.  A file that looks binary (a NUL byte in its first 8 KiB)
is skipped with a warning.

`open_binary` opens a source's bytes, decompressing ``.gz``, ``.bz2``,
``.xz``/``.lzma`` (standard library) and ``.zst`` (the optional
``zstandard`` package) as a stream, never whole in memory; `open_ranged`
opens a file or an object for reads at any offset (a worker's byte range).

`Selection` holds the ``include``/``exclude`` globs of a run, and
`read_option_file` reads the small UTF-8 files that options name (a user
dictionary, a stopword list).

Sources know nothing of text or chunks: `wordfreq.chunks.planning` reads them.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from wordfreq.errors import InputError, OptionError
from wordfreq.sources import remote
from wordfreq.sources.remote import DEFAULT_STORAGE, Storage, is_url

STDIN = "-"
# Reads the bytes [offset, offset + n) of a file: ``read(offset, n)``; fewer at its end.
Read = Callable[[int, int], bytes]
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".lzma": "xz", ".zst": "zstd"}
ZSTD_HINT = "reading .zst files needs the zstandard package: pip install '.[zstd]'"
_BINARY_PROBE = 8192


@dataclass(frozen=True)
class Source:
    """One input: a file path or a URL, or standard input when ``path`` is ``-``."""

    path: str
    size: int | None  # bytes on disk (or in the store), for regular files and objects; None when unknown
    seekable: bool  # an uncompressed regular file or object, which workers may read by byte ranges
    compression: str | None = None
    relative: str | None = None  # the path relative to the directory (or URL prefix) it was found under

    @property
    def is_stdin(self) -> bool:
        return self.path == STDIN

    @property
    def display(self) -> str:
        return display_name(self.path)


def display_name(path: str) -> str:
    """How messages name the input at ``path``: ``<stdin>`` for ``-``."""
    return "<stdin>" if path == STDIN else path


@dataclass(frozen=True)
class Selection:
    """Which files of a directory are counted: globs on their name or relative path."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for option in ("include", "exclude"):
            value = getattr(self, option)
            globs = (value,) if isinstance(value, str) else tuple(value)
            if not all(isinstance(glob, str) and glob for glob in globs):
                raise OptionError(option, f"expected non-empty glob patterns, not {value!r}")
            object.__setattr__(self, option, globs)

    def takes(self, relative: str) -> bool:
        """Whether a file found in a directory, at ``relative`` to it, is counted."""
        if self.include and not _matches(self.include, relative):
            return False
        return not (self.exclude and _matches(self.exclude, relative))


def read_option_file(option: str, path: str | os.PathLike[str], what: str) -> bytes:
    """The bytes of the file that ``option`` names, checked to be UTF-8.

    ``what`` says what the file is ("a user dictionary"), for the message of
    the `OptionError` raised when it cannot be read or is not UTF-8.  A URL
    is read with the storage settings of the environment.
    """
    try:
        if is_url(os.fspath(path)):
            data = remote.read_bytes(os.fspath(path))
        else:
            with open(path, "rb") as f:
                data = f.read()
    except InputError as err:
        raise OptionError(option, str(err)) from None
    except OSError as err:
        raise OptionError(option, f"{os.fspath(path)}: {_describe(err)}") from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise OptionError(option, f"{os.fspath(path)}: byte {err.start}: {what} must be UTF-8") from None
    return data


def compression_of(path: str) -> str | None:
    """The compression a file's name says it has, if any."""
    return COMPRESSIONS.get(os.path.splitext(path)[1].lower())


def _describe(err: OSError) -> str:
    return err.strerror.lower() if err.strerror else str(err)


def _looks_binary(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return _is_binary(f.read(_BINARY_PROBE))
    except OSError:
        return False  # reading it will report the error


def _is_binary(head: bytes | None) -> bool:
    """Whether a file whose first bytes are ``head`` looks binary: a NUL byte early on."""
    return head is not None and b"\0" in head


def _hidden(name: str) -> bool:
    """Whether a directory's entry is left out of a walk: hidden files and directories."""
    return name.startswith(".")


def _matches(patterns: Sequence[str], relative: str) -> bool:
    name = os.path.basename(relative)
    return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(relative, p) for p in patterns)


def list_inputs(
    paths: Iterable[str | os.PathLike[str]],
    warn: Callable[[str], None] = lambda _: None,
    *,
    selection: Selection = Selection(),
    skip_binary: bool = True,
    storage: Storage = DEFAULT_STORAGE,
) -> list[Source]:
    """The sources named by ``paths``, in order; raises `InputError`.

    ``selection`` picks the files found in a directory or under a URL's
    prefix (files named explicitly are always taken).  With ``skip_binary``,
    files with a NUL byte early on are left out with a warning.  URLs are
    opened with ``storage``.
    """
    sources: list[Source] = []
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()
    seen_urls: set[str] = set()

    def add_file(path: str, st: os.stat_result, relative: str | None = None) -> None:
        key = (st.st_dev, st.st_ino)
        if key in seen_files:
            return
        seen_files.add(key)
        compression = compression_of(path)
        if not stat.S_ISREG(st.st_mode):
            sources.append(Source(path, None, seekable=False, compression=compression, relative=relative))
        elif skip_binary and compression is None and _looks_binary(path):
            warn(f"skipping {path}: looks like a binary file (NUL bytes)")
        else:
            sources.append(Source(path, st.st_size, compression is None, compression, relative))

    def walk(top: str, directory: str, st: os.stat_result) -> int:
        """Add the files below ``directory``; return how many were found."""
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            return 0
        seen_dirs.add(key)
        found = 0
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            raise InputError(f"{directory}: cannot list directory: {_describe(err)}") from None
        for entry in entries:
            if _hidden(entry.name):
                continue
            try:
                entry_st = os.stat(entry.path)  # follows links
            except OSError as err:
                warn(f"skipping {entry.path}: {_describe(err)}")
                continue
            if stat.S_ISDIR(entry_st.st_mode):
                found += walk(top, entry.path, entry_st)
            elif stat.S_ISREG(entry_st.st_mode):
                relative = os.path.relpath(entry.path, top)
                if not selection.takes(relative):
                    continue
                add_file(entry.path, entry_st, relative)
                found += 1
        return found

    def add_objects(url: str) -> None:
        def keep(relative: str) -> bool:
            return not any(map(_hidden, relative.split("/"))) and selection.takes(relative)

        listed = remote.list_objects(url, storage, keep, head_bytes=_BINARY_PROBE)
        if not listed:
            raise InputError(f"{url}: no files found under this prefix")
        objects = [o for o in listed if o.url not in seen_urls]
        seen_urls.update(o.url for o in objects)
        plain = [o for o in objects if compression_of(o.url) is None]
        probed = dict(zip([o.url for o in plain], remote.probe(plain, storage, _BINARY_PROBE)))
        for obj in objects:
            compression = compression_of(obj.url)
            head, ranged = probed.get(obj.url, (None, True))
            if skip_binary and _is_binary(head):
                warn(f"skipping {obj.url}: looks like a binary file (NUL bytes)")
                continue
            seekable = compression is None and ranged and obj.size is not None
            relative = obj.url[len(url) :].lstrip("/") if obj.url.startswith(url) else None
            sources.append(Source(obj.url, obj.size, seekable, compression, relative or None))

    for raw in paths:
        path = os.fspath(raw)
        if path == STDIN:
            sources.append(Source(STDIN, None, seekable=False))
            continue
        if is_url(path):
            add_objects(path)
            continue
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise InputError(f"{path}: no such file or directory") from None
        except OSError as err:
            raise InputError(f"{path}: {_describe(err)}") from None
        if stat.S_ISDIR(st.st_mode):
            walked_before = (st.st_dev, st.st_ino) in seen_dirs
            if not walk(path, path, st) and not walked_before:
                raise InputError(f"{path}: no files found in directory")
        else:
            if not os.access(path, os.R_OK):
                raise InputError(f"{path}: permission denied")
            add_file(path, st)
    return sources


@contextlib.contextmanager
def open_binary(
    path: str, stdin: BinaryIO | None = None, storage: Storage = DEFAULT_STORAGE
) -> Iterator[BinaryIO]:
    """Open ``path`` (a file or a URL) for reading bytes, decompressing by extension.

    ``-`` is standard input (or ``stdin``), read as it is.  A URL is opened
    with ``storage`` and read by this process, from start to end.
    """
    if path == STDIN:
        yield stdin if stdin is not None else sys.stdin.buffer
        return
    with contextlib.ExitStack() as stack:
        if is_url(path):
            raw = stack.enter_context(remote.open_stream(path, storage))
        else:
            try:
                raw = stack.enter_context(open(path, "rb"))
            except OSError as err:
                raise InputError(f"{path}: {_describe(err)}") from None
        reader = _decompressing(raw, compression_of(path), path)
        if reader is not raw:
            stack.enter_context(reader)
        yield reader


def _decompressing(raw: BinaryIO, compression: str | None, path: str) -> BinaryIO:
    """A reader of the decompressed bytes of ``raw`` (which it leaves open), or ``raw`` itself."""
    if compression is None:
        return raw
    if compression == "gzip":
        import gzip

        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if compression == "bz2":
        import bz2

        return bz2.BZ2File(raw, "rb")  # type: ignore[return-value]
    if compression == "xz":
        import lzma

        return lzma.LZMAFile(raw, "rb")  # type: ignore[return-value]
    try:
        import zstandard
    except ImportError:
        raise InputError(f"{path}: {ZSTD_HINT}") from None
    reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True, closefd=False)
    return reader  # type: ignore[no-any-return]


@contextlib.contextmanager
def open_ranged(
    path: str,
    storage: Storage = DEFAULT_STORAGE,
    span: tuple[int, int] | None = None,
    direct: remote.DirectRead | None = None,
) -> Iterator[tuple[Read, int]]:
    """The file or the object at ``path``, for reads at any offset: yields a `Read` and its size now.

    The bytes ``span`` (start, stop) are read at once, with the size (over
    the network, in the same round trip), and reads within them cost nothing
    more.  A URL is opened with ``storage`` (and read by ``direct``'s
    presigned GET where it can be, `remote.DirectRead`); its failures are
    `InputError` naming it, a file's are `OSError`.
    """
    if is_url(path):
        read, size, held = remote.open_object_range(path, storage, span, direct)
        yield _holding(read, span, held, size), size
        return
    with open(path, "rb") as f:

        def read(offset: int, n: int) -> bytes:
            f.seek(offset)
            return f.read(n)

        size = os.fstat(f.fileno()).st_size
        yield _holding(read, span, read(span[0], span[1] - span[0]) if span else None, size), size


def _holding(read: Read, span: tuple[int, int] | None, held: bytes | None, size: int) -> Read:
    """``read``, served from ``held`` (the bytes of ``span``, if they were read) where it has them."""
    if span is None or held is None:
        return read
    base, end = span[0], span[0] + len(held)

    def read_held(offset: int, n: int) -> bytes:
        if base <= offset and (offset + n <= end or end == size):
            return held[offset - base : offset - base + n]
        return read(offset, n)

    return read_held
