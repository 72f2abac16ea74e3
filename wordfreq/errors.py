"""Errors that a user can act on.

Every failure the user should see as one line (a missing file, undecodable
bytes, a worker that died, an output that cannot be written) is raised as a
`WordfreqError`.  The CLI prints its message on one line and exits 1; the
Python API lets it propagate.  The classes take a single message argument so
that they pickle across process boundaries unchanged.
"""

from __future__ import annotations


class WordfreqError(Exception):
    """A failure with a message fit to show the user as it is."""


class InputError(WordfreqError):
    """An input path or its contents cannot be used."""


class OutputError(WordfreqError):
    """The table cannot be written where the user asked."""


class WorkerError(WordfreqError):
    """A worker process died or the pool broke down."""
