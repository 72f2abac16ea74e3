"""Errors that a user can act on.

Every failure the user should see as one line (a missing file, undecodable
bytes, a worker that died, an output that cannot be written) is raised as a
`WordfreqError`.  The CLI prints its message on one line and exits 1; the
Python API lets it propagate.  A bad value of an option is an `OptionError`,
which names the option (by its keyword in `wordfreq.count`): the CLI reports
it as a usage error of that option and exits 2.  Every class pickles across
process boundaries unchanged.
"""

from __future__ import annotations

from typing import Any


class WordfreqError(Exception):
    """A failure with a message fit to show the user as it is.

    ``options`` names the options (as keywords of `wordfreq.count`) that the
    user could change to get past it; the message itself names none, and the
    CLI shows them as its flags.
    """

    def __init__(self, message: str, *, options: tuple[str, ...] = ()):
        super().__init__(message)
        self.options = options

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), str(self), self.options))


def _rebuild(cls: type[WordfreqError], message: str, options: tuple[str, ...]) -> WordfreqError:
    return cls(message, options=options)


class InputError(WordfreqError):
    """An input path or its contents cannot be used."""


class OutputError(WordfreqError):
    """The table cannot be written where the user asked."""


class WorkerError(WordfreqError):
    """A worker process died or the pool broke down."""


class OptionError(WordfreqError, ValueError):
    """An option has a value that cannot be used.

    ``option`` is the option's name as a keyword of `wordfreq.count` (and, with
    dashes for underscores, as a long flag of ``wordfreq count``); the message
    says what is wrong in the library's own words, without naming a flag.
    """

    def __init__(self, option: str, message: str):
        super().__init__(message, options=(option,))
        self.option = option

    def __reduce__(self) -> tuple[Any, ...]:
        return (OptionError, (self.option, str(self)))


def require_whole(option: str, value: object, minimum: int, what: str) -> None:
    """Raise `OptionError` unless ``value`` is an int (not a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise OptionError(option, f"{what} must be a whole number of at least {minimum}, not {value!r}")


def require_choice(option: str, value: object, choices: tuple[str, ...], what: str) -> None:
    """Raise `OptionError` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise OptionError(option, f"unknown {what} {value!r} (choose from {', '.join(choices)})")
