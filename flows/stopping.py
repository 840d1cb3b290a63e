"""Stop requests: how a command ends early without losing what it has done.

In a `newsduck` command that runs a flow, the first Ctrl-C (SIGINT) or SIGTERM is a request to stop: no new
page is fetched or read, the pages already fetched and extracted are loaded, and the run is marked
`interrupted`. A second signal ends the process at once (exit 130); its run row is then closed by the next run
(`warehouse.runs.close_orphaned_runs`), as after `kill -9`.

Prefect puts its own SIGTERM handler in place while a flow runs (for a worker's cancellation); a flow the CLI
runs keeps newsduck's (`honoured_in_flow`). Outside the CLI (Prefect workers, `serve`) nothing here is installed
and Prefect's handling stands.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

_requested = threading.Event()
_installed = False


def stop_requested() -> bool:
    return _requested.is_set()


def _handle(signum: int, frame) -> None:  # noqa: ARG001 - the signal module's signature
    # sys.stderr.write, not print: a flow with log_prints sends print() to its logger
    if _requested.is_set():
        sys.stderr.write("newsduck: stopped at once\n")
        sys.stderr.flush()
        os._exit(130)
    _requested.set()
    name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
    sys.stderr.write(f"newsduck: {name}: stopping once what was fetched is loaded (Ctrl-C again to stop at once)\n")
    sys.stderr.flush()


@contextmanager
def stop_requests() -> Iterator[None]:
    """For the duration, SIGINT and SIGTERM are stop requests in this process (main thread only; elsewhere this
    does nothing); the previous handlers come back after."""
    global _installed
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _requested.clear()
    previous = signal.signal(signal.SIGINT, _handle), signal.signal(signal.SIGTERM, _handle)
    _installed = True
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])
        _installed = False


@contextmanager
def honoured_in_flow() -> Iterator[None]:
    """While a flow runs in a process that installed stop requests, SIGTERM stays one (not Prefect's crash)."""
    if not _installed or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
