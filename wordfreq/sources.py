"""Sources: where the bytes come from.

`discover` turns the paths a user gave into an ordered list of `Source`
values: regular files, special files such as FIFOs, and standard input
(``-``).  Directories are walked recursively in sorted order (by name, in
code-point order), skipping hidden entries (names starting with ``.``),
following symbolic links but never entering a directory twice, so a
symlink loop cannot hang the walk, and counting each real file once
however many paths lead to it.

Sources know nothing of encodings or chunks: `wordfreq.chunking` reads them.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from wordfreq.errors import InputError

STDIN = "-"


@dataclass(frozen=True)
class Source:
    """One input: a file path, or standard input when ``path`` is ``-``."""

    path: str
    size: int | None  # bytes, for regular files; None when unknown
    seekable: bool  # a regular file, which workers may read by byte ranges

    @property
    def is_stdin(self) -> bool:
        return self.path == STDIN

    @property
    def display(self) -> str:
        return "<stdin>" if self.is_stdin else self.path


def _describe(err: OSError) -> str:
    return err.strerror.lower() if err.strerror else str(err)


def _file_source(path: str, st: os.stat_result) -> Source:
    if stat.S_ISREG(st.st_mode):
        return Source(path, st.st_size, seekable=True)
    return Source(path, None, seekable=False)


def discover(
    paths: Iterable[str | os.PathLike[str]], warn: Callable[[str], None] = lambda _: None
) -> list[Source]:
    """The sources named by ``paths``, in order; raises `InputError`."""
    sources: list[Source] = []
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()

    def add_file(path: str, st: os.stat_result) -> None:
        key = (st.st_dev, st.st_ino)
        if key not in seen_files:
            seen_files.add(key)
            sources.append(_file_source(path, st))

    def walk(directory: str, st: os.stat_result) -> int:
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
            if entry.name.startswith("."):
                continue
            try:
                entry_st = os.stat(entry.path)  # follows links
            except OSError as err:
                warn(f"skipping {entry.path}: {_describe(err)}")
                continue
            if stat.S_ISDIR(entry_st.st_mode):
                found += walk(entry.path, entry_st)
            elif stat.S_ISREG(entry_st.st_mode):
                add_file(entry.path, entry_st)
                found += 1
        return found

    for raw in paths:
        path = os.fspath(raw)
        if path == STDIN:
            sources.append(Source(STDIN, None, seekable=False))
            continue
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise InputError(f"{path}: no such file or directory") from None
        except OSError as err:
            raise InputError(f"{path}: {_describe(err)}") from None
        if stat.S_ISDIR(st.st_mode):
            walked_before = (st.st_dev, st.st_ino) in seen_dirs
            if not walk(path, st) and not walked_before:
                raise InputError(f"{path}: no files found in directory")
        else:
            if not os.access(path, os.R_OK):
                raise InputError(f"{path}: permission denied")
            add_file(path, st)
    return sources


@contextlib.contextmanager
def open_binary(path: str, stdin: BinaryIO | None = None) -> Iterator[BinaryIO]:
    """Open ``path`` for reading bytes (``-``: standard input, or ``stdin``)."""
    if path == STDIN:
        yield stdin if stdin is not None else sys.stdin.buffer
        return
    try:
        stream = open(path, "rb")  # noqa: SIM115 -- closed below; only open() errors are mapped
    except OSError as err:
        raise InputError(f"{path}: {_describe(err)}") from None
    with stream:
        yield stream
