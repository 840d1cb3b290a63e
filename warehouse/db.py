"""Opening the DuckDB file: parent directories, migrations, and clear errors for locked or missing files."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from .errors import ReadOnlyQueryError, WarehouseError, WarehouseLockedError
from .migrate import migrate

__all__ = ["connect", "WarehouseError", "WarehouseLockedError", "ReadOnlyQueryError"]

IN_MEMORY = ":memory:"


_LOCK_PID = re.compile(r"\(PID (\d+)\)")


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. Write connections create the file and bring the schema up to date."""
    if str(path) == IN_MEMORY:
        if read_only:
            raise WarehouseError("an in-memory database cannot be opened read-only")
        con = duckdb.connect(IN_MEMORY)
        migrate(con)
        return con

    db_path = Path(path).expanduser().resolve()
    if read_only and not db_path.exists():
        raise WarehouseError(f"no database at {db_path}; run `newsduck ingest` first")
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as exc:
        if "Could not set lock on file" in str(exc):
            match = _LOCK_PID.search(str(exc))
            raise WarehouseLockedError(db_path, int(match.group(1)) if match else None) from exc
        raise WarehouseError(f"cannot open {db_path}: {_first_line(exc)}") from exc
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot open {db_path}: {_first_line(exc)}") from exc
    if not read_only:
        try:
            migrate(con)
        except BaseException:
            con.close()
            raise
    return con


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
