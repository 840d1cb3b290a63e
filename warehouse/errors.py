"""The warehouse's exceptions. `warehouse.db` re-exports them; import from either."""

from __future__ import annotations

from pathlib import Path


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (DuckDB's add hints below it), else the exception's class name."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class WarehouseError(Exception):
    """Anything the warehouse refuses, with a message meant for the person at the terminal."""


class WarehouseWriteError(WarehouseError):
    """The database file could not be written (disk full, an I/O error): the batch under way was rolled back,
    what was committed before it stands."""


class WarehouseLockedError(WarehouseError):
    """Another process holds the DuckDB file (DuckDB allows one writing process per file)."""

    def __init__(self, path: str | Path, pid: int | None = None):
        self.path = str(path)
        self.pid = pid
        holder = f"another process (pid {pid})" if pid is not None else "another process"
        super().__init__(
            f"The database {self.path} is locked by {holder} — wait for it to finish or use --db."
        )


class ReadOnlyQueryError(WarehouseError):
    """A statement that would change data or settings was given to the read-only query path."""


class EmptyQueryError(WarehouseError):
    """A query with nothing in it to run or to search for (no statement, no word): the user's to change."""


class MigrationError(WarehouseError):
    """A migration file is malformed or failed to apply; the database stays at the previous version."""
