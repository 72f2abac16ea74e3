"""Writing a file atomically: the only way the package writes one.

`atomic_output` writes a temporary file beside the target and renames it
over the target only when everything was written, so a failed or
interrupted run never leaves a partial table nor a temporary file; stdout
(``-`` or None) and special files (``/dev/null``, a FIFO) are written as
they are.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from typing import BinaryIO

from wordfreq.errors import OutputError

STDOUT = "-"


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str] | None) -> Iterator[BinaryIO]:
    """A binary stream for the table: stdout for None or ``-``, else a file
    that appears at ``path`` only if the block completes.

    A ``path`` that is something other than a regular file (``/dev/null``, a
    FIFO, a terminal) is written to as it is: renaming a file over it would
    replace the device or the pipe with a file.
    """
    if path is not None and os.fspath(path) != STDOUT and _is_special(os.fspath(path)):
        yield from _write_special(os.fspath(path))
        return
    if path is None or os.fspath(path) == STDOUT:
        try:
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise  # the reader left (`| head`): the CLI ends quietly
        except OSError as err:
            raise OutputError(f"<stdout>: cannot write: {err.strerror or err}") from None
        return
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    temp = os.path.join(directory, f".{os.path.basename(target)}.{os.getpid()}.tmp")
    try:
        # O_EXCL: never follow or clobber something already there; 0o666 & ~umask.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as err:
        raise OutputError(f"{target}: cannot write: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except OSError as err:
        _unlink_quietly(temp)
        raise OutputError(f"{target}: cannot write: {err.strerror or err}") from None
    except BaseException:
        _unlink_quietly(temp)
        raise


def _is_special(path: str) -> bool:
    """Whether ``path`` exists and is neither a regular file nor a directory."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_special(target: str) -> Iterator[BinaryIO]:
    try:
        out = open(target, "wb")  # noqa: SIM115 -- closed below
    except OSError as err:
        raise OutputError(f"{target}: cannot write: {err.strerror or err}") from None
    try:
        with out:
            yield out
            out.flush()
    except OSError as err:
        raise OutputError(f"{target}: cannot write: {err.strerror or err}") from None


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
