"""Opening the DuckDB file: parent directories, migrations, and clear errors for locked or missing files."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path
from contextlib import contextmanager
from typing import Callable, Iterator

import duckdb

from .errors import ReadOnlyQueryError, WarehouseError, WarehouseLockedError
from .migrate import migrate

__all__ = ["connect", "connect_reader", "busy_timeout", "WarehouseError", "WarehouseLockedError", "ReadOnlyQueryError"]

IN_MEMORY = ":memory:"
BUSY_TIMEOUT_ENV = "NEWSDUCK_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 30.0
# DuckDB checkpoints (writes the WAL into the database file) when a commit leaves more than this in the WAL
# (default 16 MB), and when the database closes. A checkpoint's cost grows with the database, and at the
# default every load batch of 2,000 articles (~37 MB of WAL) crossed the threshold: loading 40k articles in
# one connection took 64.8 s CPU with it, 37.7 s with 1 GB (bench/README.md, "Warehouse benchmark").
# Committed data is safe in the WAL either way; a larger WAL only takes longer to replay after a crash
# (a 185 MB WAL, 20k articles: 7.4 s to open on a loaded machine).
CHECKPOINT_THRESHOLD = "1GB"


# Write connections append in row groups of this many rows instead of DuckDB's 122,880. A checkpoint (on every
# close: the flows open a writer per batch) rewrites the last, partly filled row group of each table it appends
# to, so with the default its memory and time grew with the table until 122,880 rows (measured, 100k articles,
# 200 per connection: the close peaked at 820-849 MB and took 1.6-1.8 s CPU; with 2,048: 232-268 MB, 0.2 s).
# It also lets a batch's larger appends go straight to the file instead of through the WAL. Not stored in the
# file: every writer opens through here.
ROW_GROUP_SIZE = 2048
# Write connections' cap on DuckDB's own memory. Each batch's lookups scan whole columns (ids, band hashes, URL
# keys), so without a cap the blocks cached per connection grow with the database (measured, bench/crawl.py: peak
# RSS 517 MB at 2,000 pages, 607 MB at 8,000; capped at 128 MB: 509 and 526). Scans stream through the cap;
# sorts and large joins spill to `<database>.tmp`. Empty: DuckDB's default (80% of RAM).
WRITER_MEMORY_ENV = "NEWSDUCK_WRITER_MEMORY_LIMIT"
DEFAULT_WRITER_MEMORY_LIMIT = "128MB"
_RESERVED_CATALOGS = {"memory", "system", "temp", "main"}

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
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"cannot create the folder for {db_path}: {exc.strerror or exc}") from exc
    try:
        con = duckdb.connect(str(db_path), read_only=True) if read_only else _open_writer(db_path)
    except duckdb.IOException as exc:
        if "Could not set lock on file" in str(exc):
            match = _LOCK_PID.search(str(exc))
            raise WarehouseLockedError(db_path, int(match.group(1)) if match else None) from exc
        raise WarehouseError(f"cannot open {db_path}: {_first_line(exc)}") from exc
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot open {db_path}: {_first_line(exc)}") from exc
    if not read_only:
        try:
            con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
            migrate(con)
        except BaseException:
            con.close()
            raise
    return con


@contextmanager
def memory_limit(con: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """DuckDB's memory limit set to `limit` for the block, then put back."""
    before = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.execute(f"SET memory_limit = '{limit}'")
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = '{before}'")


def _open_writer(db_path: Path) -> duckdb.DuckDBPyConnection:
    """The file attached with ROW_GROUP_SIZE (only ATTACH takes it) under its usual catalog name, its stem."""
    limit = os.environ.get(WRITER_MEMORY_ENV, DEFAULT_WRITER_MEMORY_LIMIT).strip()
    config = {"temp_directory": f"{db_path}.tmp", **({"memory_limit": limit} if limit else {})}
    try:
        con = duckdb.connect(IN_MEMORY, config=config)
    except duckdb.Error as exc:  # only the settings can be wrong here
        raise WarehouseError(f"{WRITER_MEMORY_ENV} must be a size such as 256MB or 1GB, got {limit!r}") from exc
    catalog = db_path.stem if db_path.stem.lower() not in _RESERVED_CATALOGS else "newsduck"
    try:
        con.execute(f"ATTACH '{_sql_string(str(db_path))}' AS \"{catalog.replace(chr(34), chr(34) * 2)}\" "
                    f"(ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
        con.execute(f"USE \"{catalog.replace(chr(34), chr(34) * 2)}\"")
    except BaseException:
        con.close()
        raise
    return con


def _sql_string(text: str) -> str:
    return text.replace("'", "''")


def connect_reader(path: str | Path, *, timeout: float | None = None,
                   on_wait: Callable[[str], None] | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only, waiting while a writer (an ingest between batches) holds the file.

    DuckDB lets one process write a file or many read it, never both. The first time the file is busy,
    `on_wait` gets one message (by default it goes to stderr); the open is retried with a short backoff
    until `timeout` seconds (default $NEWSDUCK_BUSY_TIMEOUT or 30; 0 = do not wait) have passed, then the
    WarehouseLockedError is raised.
    """
    return _connect_waiting(path, read_only=True, timeout=timeout, on_wait=on_wait,
                            message=f"waiting for {path}: an ingest is writing…")


def connect_writer(path: str | Path, *, timeout: float | None = None,
                   on_wait: Callable[[str], None] | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing, waiting (the same way) while readers or another writer hold the file."""
    return _connect_waiting(path, read_only=False, timeout=timeout, on_wait=on_wait,
                            message=f"waiting for {path}: another process is using it…")


def _connect_waiting(path: str | Path, *, read_only: bool, timeout: float | None,
                     on_wait: Callable[[str], None] | None, message: str) -> duckdb.DuckDBPyConnection:
    limit = busy_timeout() if timeout is None else timeout
    deadline = time.monotonic() + limit
    delay = 0.05
    told = False
    while True:
        try:
            return connect(path, read_only=read_only)
        except WarehouseLockedError:
            if time.monotonic() + delay > deadline:
                raise
            if not told:
                (on_wait or _print_wait)(f"{message} (up to {limit:g} s)")
                told = True
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)


def busy_timeout() -> float:
    """Seconds readers wait for a busy database: $NEWSDUCK_BUSY_TIMEOUT, else 30."""
    text = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_BUSY_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        raise WarehouseError(f"{BUSY_TIMEOUT_ENV} must be a number of seconds, got {text!r}") from None
    if value < 0:
        raise WarehouseError(f"{BUSY_TIMEOUT_ENV} must be 0 or more seconds, got {text!r}")
    return value


def _print_wait(message: str) -> None:
    print(f"newsduck: {message}", file=sys.stderr, flush=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
