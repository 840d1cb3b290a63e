"""Opening the DuckDB file: parent directories, migrations, and clear errors for locked or missing files."""

from __future__ import annotations

import os
import random
import re
import logging
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager, suppress
from pathlib import Path
from types import EllipsisType
from typing import Callable, Iterator, TypeVar

import duckdb

from .bulk import on_lake
from .errors import ReadOnlyQueryError, WarehouseError, WarehouseLockedError, WarehouseWriteError, first_line
from .migrate import migrate

__all__ = ["connect", "connect_reader", "snapshot_reader", "open_writer", "close_writer", "writer", "attach_reader",
           "busy_timeout", "on_lake", "claim_commit_token", "is_write_conflict", "write_transaction", "one_transaction",
           "WarehouseError", "WarehouseLockedError", "WarehouseWriteError", "ReadOnlyQueryError"]

T = TypeVar("T")
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


# The flows cap DuckDB's memory while they load a batch and refresh the search index (`batch_memory_cap`). Most of
# what DuckDB holds then is a cache of the blocks that the batch's lookups read (stored ids, fingerprint bands,
# search terms): it grows with the database, and a flow's write connection lives for one batch, so the cache is of
# no use after it. Work that needs more than the cap is rolled back and run again without it (`lift_memory_limit`),
# and the next batches of that database in this process start from twice the cap. What needs the memory is what
# cannot be evicted: the primary-key indexes (47 MB at 100k articles) and the batch's own rows. Everything else a
# write connection does (migrations, the frontier, the CLI's commands, bulk loads in one connection) keeps DuckDB's
# default, 80% of RAM. `NEWSDUCK_WRITER_MEMORY_LIMIT` sets the starting cap (e.g. 256MB), or `none` for no cap.
WRITER_MEMORY_ENV = "NEWSDUCK_WRITER_MEMORY_LIMIT"
DEFAULT_WRITER_MEMORY_LIMIT = "64MB"
_NO_CAP = {"none", "off", "0"}
_grown_caps: dict[Path, int] = {}  # database → starting cap in bytes, after a batch ran out of memory under it

# Every table is written in small appends (a batch of a crawl, an ingest), each followed by a checkpoint when the
# writer closes. By default DuckDB appends to a table's last row group when the table has an index (all ours have a
# primary key), and the checkpoint then rewrites that whole row group, up to 122,880 rows: its memory and time grew
# with the table (an append of 200 rows of 4.5 KB to a table of 8,000: +60 MB; of 32,000: +153 MB, 0.57 s). With
# these two settings an append after the database was opened starts a new row group, which is all the checkpoint
# writes (+9 MB and ~0.01 s at any size), and the checkpoint does not merge the small row groups again (DuckDB would
# rebuild the primary-key indexes to do so). The price is more, smaller row groups: 500 row groups of 200 rows
# instead of 1 of 100,000 made an aggregate over 100k rows 3 → 11 ms and left point lookups at 0.6 ms
# (bench/README.md, "Crawl benchmark"). `vacuum_rebuild_indexes` only takes effect when the database opens.
WRITER_STORAGE_CONFIG = {"vacuum_rebuild_indexes": str(2**62), "max_vacuum_tasks": 0}

_LOCK_PID = re.compile(r"\(PID (\d+)\)")

LAKE_PREFIX = "ducklake:"  # a warehouse address that starts so is a DuckLake (warehouse.lake), any other a file


def is_lake_address(text: str) -> bool:
    return text.startswith(LAKE_PREFIX)


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. Write connections create the file and bring the schema up to date. A DuckLake address
    (`ducklake:postgresql://…`, warehouse.lake) opens an in-memory DuckDB whose default database is the lake,
    its schema created in a new catalog."""
    if is_lake_address(str(path)):
        from .lake import connect_lake_reader, connect_lake_writer, parse_lake_address

        address = parse_lake_address(str(path))
        return connect_lake_reader(address) if read_only else connect_lake_writer(address)
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
    with _open_errors(db_path):
        con = duckdb.connect(str(db_path), read_only=True) if read_only else _open_writer(db_path)
    if not read_only:
        try:
            con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
            migrate(con)
        except BaseException:
            con.close()
            raise
    return con


@contextmanager
def _open_errors(db_path: Path) -> Iterator[None]:
    """DuckDB's errors on opening `db_path` as ours: WarehouseLockedError while another process holds it."""
    try:
        yield
    except duckdb.IOException as exc:
        if "Could not set lock on file" in str(exc):
            match = _LOCK_PID.search(str(exc))
            raise WarehouseLockedError(db_path, int(match.group(1)) if match else None) from exc
        raise WarehouseError(f"cannot open {db_path}: {first_line(exc)}") from exc
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot open {db_path}: {first_line(exc)}") from exc


def attach_reader(con: duckdb.DuckDBPyConnection, path: str | Path, alias: str, *, timeout: float | None = None,
                  on_wait: Callable[[str], None] | None = None) -> None:
    """Attach the warehouse read-only to `con` as `alias`, waiting while a writer holds it, as `connect_reader`
    does. Cheaper than opening a connection (~7 vs ~17 ms of CPU at 100k articles: no new DuckDB instance), for a
    process that reads the file often but must not keep it: `DETACH alias` lets writers in again."""
    db_path = Path(path).expanduser().resolve()
    if not db_path.exists():
        raise WarehouseError(f"no database at {db_path}; run `newsduck ingest` first")
    literal = "'" + str(db_path).replace("'", "''") + "'"

    def attach() -> None:
        with _open_errors(db_path):
            con.execute(f'ATTACH {literal} AS "{alias}" (READ_ONLY)')

    _waiting(attach, timeout=timeout, on_wait=on_wait, message=f"waiting for {path}: an ingest is writing…")


@contextmanager
def batch_memory_cap(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB's memory capped for the block (a batch's load, a search refresh), DuckDB's default again after it."""
    cap = writer_memory_cap(_database_path(con))
    if cap is None:
        yield
        return
    try:
        _set_memory_limit(con, cap)
    except duckdb.Error:
        yield  # DuckDB could not free enough memory to go under the cap now: run uncapped
        return
    try:
        yield
    finally:
        with suppress(duckdb.Error):
            _set_memory_limit(con, _default_memory_limit_bytes())


def lift_memory_limit(con: duckdb.DuckDBPyConnection) -> bool:
    """After an out-of-memory error under `batch_memory_cap`: DuckDB's default limit, so that the failed work can
    be run again, and twice the cap for the next batches of the database in this process. False when the limit
    was not capped (nothing to lift)."""
    if _starting_cap() is None:
        return False
    before = _memory_limit_bytes(con)
    default = _default_memory_limit_bytes()
    if before == default:
        return False
    db_path = _database_path(con)
    if db_path is not None:
        _grown_caps[db_path] = min(max(_grown_caps.get(db_path, 0), 2 * before), default)
    _set_memory_limit(con, default)
    return True


def release_read_cache(con: duckdb.DuckDBPyConnection, db_path: Path | None | EllipsisType = ...) -> int:
    """Drop the blocks of stored tables that DuckDB keeps after reading them, and nothing else; return the bytes
    dropped. They are on disk and a later read loads them again, but until memory runs short DuckDB keeps them,
    and a batch's lookups read more of them the larger the warehouse is (13 MB after one batch's load into
    8,000 articles): they stayed in memory under the checkpoint at the close and the work that follows. DuckDB
    has no statement to drop them; lowering the memory limit to what the connection holds besides them makes it
    evict exactly those (its uncheckpointed rows would go to `<database>.tmp`, so they are left room).

    The limit belongs to the database instance, which every connection of this process to the file shares: the
    cache is kept while another write connection of the process is open to it (its queries would fail under the
    lowered limit), and no connection opens until the limit is back. `db_path`: the connection's database
    (`_database_path`) when the caller has it already; looked up when needed otherwise."""
    usage = _memory_usage(con)
    cached = usage.get("BASE_TABLE", 0)
    if cached < 1 << 20:
        return 0
    if db_path is ...:
        db_path = _database_path(con)
    with _OPEN_CLOSE:
        if _write_connections[db_path] > 1:
            return 0
        limit = _memory_limit_bytes(con)
        try:
            _set_memory_limit(con, sum(usage.values()) - cached + (1 << 20))
        except duckdb.Error:
            return 0  # something pinned could not be evicted; the limit is as it was
        finally:
            with suppress(duckdb.Error):
                _set_memory_limit(con, limit)
    return cached - _memory_usage(con).get("BASE_TABLE", 0)


def _memory_usage(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Bytes DuckDB holds, by kind (BASE_TABLE: blocks of stored tables read, IN_MEMORY_TABLE, ART_INDEX, …)."""
    return dict(con.execute("SELECT tag, memory_usage_bytes FROM duckdb_memory()").fetchall())


def writer_memory_cap(db_path: str | Path | None) -> int | None:
    """The cap (bytes) of the next batch written to this database; None when batches are not capped."""
    start = _starting_cap()
    if start is None:
        return None
    grown = _grown_caps.get(Path(db_path).expanduser().resolve(), 0) if db_path is not None else 0
    return max(start, grown)


def _database_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return Path(path[0]).resolve() if path and path[0] else None


def _starting_cap() -> int | None:
    text = os.environ.get(WRITER_MEMORY_ENV, "").strip() or DEFAULT_WRITER_MEMORY_LIMIT
    if text.lower() in _NO_CAP:
        return None
    size = _size_in_bytes(text)
    if size is None:
        raise WarehouseError(f"{WRITER_MEMORY_ENV} must be a size such as 256MB or 1GB, or none, got {text!r}")
    return size


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b|bytes)?\s*$", re.IGNORECASE)
_UNIT = {"b": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
         "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def _size_in_bytes(text: str) -> int | None:
    """A memory size as DuckDB writes and reads them: 64MB (10^6), 61.0 MiB (2^20), 1GB; None if it is not one."""
    match = _SIZE.match(text)
    if not match:
        return None
    size = int(float(match.group(1)) * _UNIT[(match.group(2) or "b").lower()])
    return size if size > 0 else None


def _set_memory_limit(con: duckdb.DuckDBPyConnection, size: int) -> None:
    con.execute(f"SET memory_limit = '{size >> 10}KiB'")


def _memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """The connection's memory limit. DuckDB shows it rounded (19.1 GiB), so one near the default is the default."""
    limit = _size_in_bytes(con.execute("SELECT current_setting('memory_limit')").fetchone()[0]) or 0
    default = _default_memory_limit_bytes()
    return default if limit >= default * 0.9 else limit


def _default_memory_limit_bytes() -> int:
    """DuckDB's own default: 80% of the machine's memory."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 0.8)
    except (ValueError, OSError, AttributeError):
        return 4 << 30


def _open_writer(db_path: Path) -> duckdb.DuckDBPyConnection:
    _starting_cap()  # a bad setting is reported before the file is touched
    config = {"temp_directory": f"{db_path}.tmp", **WRITER_STORAGE_CONFIG}
    con = duckdb.connect(str(db_path), config=config)
    con.execute("SET enable_progress_bar = false")  # a slow statement must not draw bars into the CLI's output
    return con


def connect_reader(path: str | Path, *, timeout: float | None = None,
                   on_wait: Callable[[str], None] | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only, waiting while a writer (an ingest between batches) holds the file.

    DuckDB lets one process write a file or many read it, never both. The first time the file is busy,
    `on_wait` gets one message (by default it goes to stderr); the open is retried with a short backoff
    until `timeout` seconds (default $NEWSDUCK_BUSY_TIMEOUT or 30; 0 = do not wait) have passed, then the
    WarehouseLockedError is raised.
    """
    return _waiting(lambda: connect(path, read_only=True), timeout=timeout, on_wait=on_wait,
                    message=f"waiting for {path}: an ingest is writing…")


@contextmanager
def snapshot_reader(path: str | Path, *, timeout: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection (`connect_reader`) whose reads in the block all see one state of the warehouse, for
    a reader that reads more than one query's worth (an export, a search). The block is one read transaction: on
    a DuckLake warehouse it reads the snapshot it began at while writers go on committing (it neither waits for nor
    blocks them); a DuckDB file has no writer while a reader holds it."""
    con = connect_reader(path, timeout=timeout)
    try:
        con.execute("BEGIN TRANSACTION")
        yield con
    finally:
        con.close()  # the read transaction ends with the connection


# DuckDB keeps one database instance per file per process; two threads opening (or one closing, one opening)
# the same file at the same moment can collide ("Unique file handle conflict"). Opens and closes of this
# process's write connections therefore take turns; the queries themselves run in parallel.
_OPEN_CLOSE = threading.Lock()
_write_connections: Counter[Path | None] = Counter()  # database file → this process's write connections open to it


def open_writer(path: str | Path, timeout: float | None = None, *, keep_waiting: str | None = None,
                should_stop: Callable[[], bool] = lambda: False,
                on_wait: Callable[[str], None] | None = None) -> duckdb.DuckDBPyConnection:
    """The one way newsduck opens its warehouse for writing (every command, every flow); close it with
    `close_writer`, or use `writer`.

    While readers or another writer hold the file it waits, with a short backoff: `on_wait` (default: a line on
    stderr) hears once that it waits; after `timeout` seconds (default `busy_timeout()`) WarehouseLockedError.
    `keep_waiting` is for a caller whose work giving up would throw away (a fetched batch, a running crawl's
    frontier and its run row): it names what is kept, and the wait goes on past `timeout` with a line on stderr
    each time another `timeout` has gone by, until the file is free or `should_stop()` (Ctrl-C) says give up.
    """
    def open_file() -> duckdb.DuckDBPyConnection:
        with _OPEN_CLOSE:
            con = connect(path)
            if not on_lake(con):
                _write_connections[_database_path(con)] += 1
            return con

    return _waiting(open_file, timeout=timeout, on_wait=on_wait,
                    message=f"waiting for {path}: another process is using it…",
                    keep_waiting=None if keep_waiting is None else (str(path), keep_waiting), should_stop=should_stop)


def close_writer(con: duckdb.DuckDBPyConnection) -> None:
    """Close, after dropping DuckDB's cache of stored blocks: the checkpoint at the close would run on top of it.
    A checkpoint that cannot be written (disk full) loses nothing: the committed rows stay in the WAL. A lake's
    write connection is kept open for the process's next writer instead (warehouse.lake.release_lake_writer)."""
    if on_lake(con):
        from .lake import release_lake_writer

        release_lake_writer(con)
        return
    try:
        db_path = _database_path(con)
    except duckdb.Error:  # closed already: no cache to drop either
        db_path = None
    else:
        with suppress(duckdb.Error):
            release_read_cache(con, db_path)
    with _OPEN_CLOSE:
        if _write_connections[db_path] > 0:
            _write_connections[db_path] -= 1
        try:
            con.close()
        except duckdb.Error as exc:
            logging.getLogger(__name__).warning("checkpoint at close failed (%s); the WAL keeps the data",
                                                first_line(exc))


@contextmanager
def writer(path: str | Path, timeout: float | None = None, **waiting) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write connection for the length of the block (one batch, one bookkeeping step); see `open_writer`."""
    con = open_writer(path, timeout, **waiting)
    try:
        yield con
    finally:
        close_writer(con)


def _waiting(open_file: Callable[[], T], *, timeout: float | None, on_wait: Callable[[str], None] | None,
             message: str, keep_waiting: tuple[str, str] | None = None,
             should_stop: Callable[[], bool] = lambda: False) -> T:
    """`open_file()`, retried with a short backoff while it raises WarehouseLockedError, for up to `timeout`
    seconds (default $NEWSDUCK_BUSY_TIMEOUT or 30); `on_wait` (default: stderr) gets `message` once.
    `keep_waiting` = (the file, what is kept): past `timeout` the wait goes on, a line on stderr each time another
    `timeout` has gone by, until the file is free or `should_stop()`."""
    limit = busy_timeout() if timeout is None else timeout
    started = time.monotonic()
    deadline = started + limit
    delay = 0.05
    told = False
    while True:
        try:
            return open_file()
        except WarehouseLockedError as exc:
            now = time.monotonic()
            if now + delay > deadline:
                if keep_waiting is None or should_stop():
                    raise
                path, kept = keep_waiting
                holder = f"process {exc.pid}" if exc.pid is not None else "another process"
                _print_wait(f"{path} is still locked by {holder} after {now - started:.0f} s; {kept} "
                            "once it is free (Ctrl-C gives up)")
                deadline = now + limit
            elif not told:
                (on_wait or _print_wait)(f"{message} (up to {limit:g} s)")
                told = True
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)  # a reader or writer gets the file within half a second of its release


# DuckLake's writers are optimistic: each commits a new snapshot, and a COMMIT whose changes conflict with a snapshot
# committed since its transaction began raises. Two appends to one table do not conflict, so every write
# transaction on a lake first updates the one row of `commit_token`: any two write transactions that overlap then
# conflict, the later COMMIT fails, and its work is run again from fresh reads. That keeps check-then-insert sound
# without keys. So that the work of a refused transaction is seldom thrown away, newsduck's writers also take turns
# (`write_turn`: a PostgreSQL advisory lock in the lake's catalog), and a transaction begun in its turn reads the
# last writer's commit. Reading and extracting pages run in parallel; only the loads take turns.
COMMIT_TOKEN = "commit_token"
CONFLICT_RETRY_SECONDS = 600.0  # a write transaction gives up after losing conflicts for this long


def claim_commit_token(con: duckdb.DuckDBPyConnection) -> None:
    """Inside a write transaction on a lake: make it conflict with every other overlapping write transaction."""
    con.execute(f"UPDATE {COMMIT_TOKEN} SET commits = commits + 1")


def is_write_conflict(exc: BaseException) -> bool:
    """A DuckLake COMMIT refused because another writer committed a conflicting change first: nothing of the
    transaction was written, and running it again (fresh reads) will do."""
    return isinstance(exc, duckdb.TransactionException) and "Transaction conflict" in str(exc)


class ConflictBackoff:
    """Waits between the tries of a write transaction that lost a conflict: short, growing, jittered (so two
    writers that collided do not collide again in step), and a WarehouseWriteError past CONFLICT_RETRY_SECONDS."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.delay = 0.05

    def wait(self, exc: BaseException) -> None:
        if time.monotonic() - self.started > CONFLICT_RETRY_SECONDS:
            raise WarehouseWriteError(f"the DuckLake warehouse kept refusing the commit for "
                                      f"{CONFLICT_RETRY_SECONDS:.0f} s ({first_line(exc)}); nothing of it was written")
        time.sleep(random.uniform(0, self.delay))
        self.delay = min(self.delay * 2, 1.0)


@contextmanager
def write_turn(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """On a lake, this process's turn to write for the block (warehouse.lake.lake_write_turn): other writers of
    the lake wait for it, so a transaction begun in it reads their last commit and is rarely refused. Nothing for
    a DuckDB file, which has one writer."""
    if not on_lake(con):
        yield
        return
    from .lake import lake_write_turn

    with lake_write_turn(con):
        yield


def write_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], T]) -> T:
    """`work()` committed as one write transaction on a lake, run again from the start while its COMMIT loses a
    conflict with another writer (so `work` must only read and write the database, or be safe to repeat). On a
    DuckDB file `work()` runs as it is: the file has one writer, and `work` keeps its own transactions."""
    if not on_lake(con):
        return work()
    backoff = ConflictBackoff()
    while True:
        with write_turn(con):
            con.execute("BEGIN TRANSACTION")
            try:
                claim_commit_token(con)
                result = work()
                con.execute("COMMIT")
                return result
            except Exception as exc:
                with suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                if not is_write_conflict(exc):
                    raise
                conflict = exc
        backoff.wait(conflict)


def one_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], T]) -> T:
    """`work()` as one transaction on either warehouse: on a lake `write_transaction` (the commit token, the write
    turn, run again after a lost conflict); on a DuckDB file BEGIN … COMMIT, rolled back if `work` raises."""
    if on_lake(con):
        return write_transaction(con, work)
    con.execute("BEGIN TRANSACTION")
    try:
        result = work()
        con.execute("COMMIT")
    except BaseException:
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    return result


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
    # sys.stderr.write, not print: inside a Prefect flow with log_prints, print() goes to the run's logger
    sys.stderr.write(f"newsduck: {message}\n")
    sys.stderr.flush()
