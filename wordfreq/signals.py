"""Signals: the one module that installs signal handlers.

What every stage may need of them: `handle_sigterm` (the CLI turns SIGTERM
into `Terminated`, which unwinds like Ctrl-C), `ignore_interrupts` (what
every worker process does first, ours and Dask's), `HeldInterrupt` (Ctrl-C
held back while Dask starts) and `signals_to` (a library that swallows
what handlers raise, DuckDB, is stopped instead).  Processes themselves are
`wordfreq.workers`'.  It sits below every stage, beside `wordfreq.errors`.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any


class Terminated(BaseException):
    """SIGTERM arrived; unwinds like KeyboardInterrupt so that cleanup runs."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def handle_sigterm() -> None:
    """From now on, SIGTERM raises `Terminated` in the main thread (the CLI's choice)."""
    signal.signal(signal.SIGTERM, _on_sigterm)


def ignore_interrupts() -> None:
    """Ignore SIGINT in this process: Ctrl-C reaches the whole process group; the parent alone decides."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class HeldInterrupt:
    """Holds Ctrl-C back while something must not be interrupted, and raises it once it is done.

    A KeyboardInterrupt inside, say, Dask's start-up leaves a half-built
    client or cluster that complains on stderr as it is collected; held
    back, it is raised a moment later, when everything can be closed
    cleanly.  A second Ctrl-C is not held.  Does nothing outside the main
    thread, or when SIGINT is ignored.
    """

    def __init__(self) -> None:
        self.pending = False
        self.previous: Any = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if previous not in (None, signal.SIG_IGN):
                self.previous = previous

    def __enter__(self) -> HeldInterrupt:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self._hold)
        return self

    def _hold(self, signum: int, frame: object) -> None:
        self.pending = True
        signal.signal(signal.SIGINT, self.previous)

    @contextlib.contextmanager
    def ignored(self) -> Iterator[None]:
        """Ignore SIGINT meanwhile: what processes started now inherit, for life."""
        if self.previous is None:
            yield
            return
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, self.previous if self.pending else self._hold)

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        if self.pending and kind is None:
            raise KeyboardInterrupt


@contextlib.contextmanager
def signals_to(stop: Callable[[], None]) -> Iterator[None]:
    """Run a block in a library that swallows what signal handlers raise (DuckDB turns the
    KeyboardInterrupt of Ctrl-C into its own "Query interrupted"): meanwhile SIGINT and SIGTERM call
    ``stop``, which must end the block soon (``connection.interrupt``), and once the block is over
    the signal is raised again, for its usual handler (`Terminated`, KeyboardInterrupt).  Signals
    that are ignored stay ignored; outside the main thread this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def on_signal(signum: int, frame: object) -> None:
        received.append(signum)
        stop()

    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(s, on_signal)
    try:
        yield
    except Exception:
        if not received:
            raise
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        if received:
            signal.raise_signal(received[0])
