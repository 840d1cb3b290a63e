"""Progress of long commands: what the flows report as they go, and the bar the CLI draws from it on a terminal.

The flows (ingest, reparse, crawl) call `notify(stats)` as they advance; the CLI, which runs them in its own
process, registers a listener around the flow (`progress_listener`) that draws a bar. Warehouse work the CLI runs
itself (export, the search index) takes a plain callback, (done, total, step), instead: the warehouse knows
nothing of flows or terminals. Nothing is drawn when stderr is not a terminal or with --quiet (`progress_bar`).
"""

from __future__ import annotations

import logging
import sys
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Protocol

if TYPE_CHECKING:
    from warehouse.models import LoadCounts

log = logging.getLogger("newsduck.progress")


# ------------------------------------------------------------------------------------------------ what flows report


class ProgressListener(Protocol):
    def update(self, stats) -> None: ...


_listeners: list[ProgressListener] = []


@contextmanager
def progress_listener(listener: ProgressListener | None) -> Iterator[None]:
    """Have `listener.update(stats)` called as the flows of this process advance (None: nothing to register)."""
    if listener is None:
        yield
        return
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def notify(stats) -> None:
    for listener in list(_listeners):
        try:
            listener.update(stats)
        except Exception:  # a broken progress display must never stop a run
            log.debug("progress listener failed", exc_info=True)


def _load_counts() -> LoadCounts:
    from warehouse.models import LoadCounts  # not at import: the CLI imports this module before any command runs

    return LoadCounts()


@dataclass
class RunProgress:
    """An ingest's or a reparse's progress: inputs done (read or fetched, and extracted) of `total`, and what the
    loaded ones became. `done` is advanced by the thread that extracts, `loaded` by the flow's thread."""
    total: int | None = None
    done: int = 0
    failed: int = 0  # inputs that could not be read, fetched or extracted (errors before their batch loads)
    loaded: LoadCounts = field(default_factory=_load_counts)
    started: float = field(default_factory=time.monotonic)
    last_done: float | None = None  # when `done` last advanced: the rate is of the pages done, not of the wait after

    @property
    def rate(self) -> float:
        return self.done / max((self.last_done or self.started) - self.started, 1e-6)

    @property
    def errors(self) -> int:
        return max(self.failed, self.loaded.errors)

    def begin(self, total: int) -> None:
        self.total = total
        notify(self)

    def advance(self, failed: bool = False) -> None:
        self.done += 1
        self.failed += failed
        self.last_done = time.monotonic()
        notify(self)

    def add_loaded(self, counts: LoadCounts) -> None:
        self.loaded.add(counts)
        notify(self)


# ---------------------------------------------------------------------------------------------- what the CLI draws


class ProgressBar:
    """A rich progress bar on stderr: what is done of the total (a count while the total is unknown), `unit`s per
    second (none without a unit), and named counts such as errors. It is erased when the work ends: the command's
    summary follows it."""

    def __init__(self, description: str, *, unit: str | None = "pages", counts: tuple[str, ...] = ()) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        details = ([f"{{task.fields[rate]:.1f}} {unit}/s"] if unit else []) + \
                  [f"{name} {{task.fields[{name}]}}" for name in counts]
        self.description = description
        self.started = time.monotonic()
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("  ".join(details)), TimeElapsedColumn(),
            console=Console(file=sys.stderr), transient=True,
        )
        self.task = self.progress.add_task(description, total=None, rate=0.0, **dict.fromkeys(counts, 0))

    def __enter__(self) -> "ProgressBar":
        self.progress.start()
        return self

    def __exit__(self, *exc) -> bool:
        self.progress.stop()
        return False

    def show(self, done: int, total: int | None, *, rate: float | None = None, step: str | None = None,
             **counts: int) -> None:
        """Draw `done` of `total`; `step` names what is under way after the description; `rate` defaults to
        `done` per second since the bar started."""
        if rate is None:
            rate = done / max(time.monotonic() - self.started, 1e-6)
        description = f"{self.description} {step}" if step else self.description
        self.progress.update(self.task, completed=done, total=total, rate=rate, description=description, **counts)

    def step(self, done: int, total: int | None, step: str) -> None:
        """The warehouse's progress callback: (done, total, what is under way)."""
        self.show(done, total, step=step)


class RunBar(ProgressBar):
    """An ingest's or a reparse's bar, a listener of its RunProgress: pages done of total, new, updated, errors."""

    def __init__(self, command: str) -> None:
        super().__init__(command, unit="pages", counts=("new", "updated", "errors"))

    def update(self, stats: RunProgress) -> None:
        self.show(stats.done, stats.total, rate=stats.rate, new=stats.loaded.new, updated=stats.loaded.updated,
                  errors=stats.errors)


def wants_bar(quiet: bool) -> bool:
    """A bar is drawn on a terminal (stderr), unless --quiet."""
    return not quiet and sys.stderr.isatty()


def progress_bar(quiet: bool, make) -> "nullcontext | ProgressBar":
    """`make()`'s bar, started for the block, when one is wanted (`wants_bar`); else a block with None."""
    return make() if wants_bar(quiet) else nullcontext()
