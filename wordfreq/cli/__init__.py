"""The command line: a thin layer of click commands over the public API (`wordfreq`).

Conventions (`wordfreq.cli.shell`): only tables go to stdout; progress (a
tqdm bar, when stderr is a terminal) and one summary line go to stderr.
Exit status 0 on success, 1 on an error the user can act on (one line on
stderr, no traceback), 2 on a usage error, 130 on Ctrl-C, 143 on SIGTERM.
A reader that goes away (``| head``) ends the run quietly.

The commands import what `wordfreq/__init__.py` exports, the options model
(`wordfreq.options`) and the errors, and nothing deeper: each module here
is a group of commands (`corpus`: those that read a corpus; `tables`: those
that read tables), registered on the one group `cli`.
"""

from __future__ import annotations

import os
import sys

from wordfreq import handle_sigterm
from wordfreq.cli import corpus, tables
from wordfreq.cli.shell import cli, silence_stdout

__all__ = ["cli", "corpus", "main", "tables"]


def main() -> None:
    """The console script: the CLI, with SIGTERM turned into a clean exit."""
    handle_sigterm()
    try:
        cli(prog_name="wordfreq")
    except SystemExit as done:
        status = done.code
    else:  # pragma: no cover - click's standalone mode always exits
        status = 0
    if status is not None and not isinstance(status, int):
        sys.exit(status)
    # Skip the interpreter's teardown: freeing the dictionaries and the
    # table of a large run takes 0.1-0.2 s and serves no one.  Every output
    # is already written and closed; only stdio's buffers are left.
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    except OSError:
        status = status or 1
    sys.stderr.flush()
    os._exit(status or 0)
