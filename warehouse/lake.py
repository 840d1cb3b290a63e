"""DuckLake: newsduck's tables in a lakehouse (a SQL catalog on PostgreSQL plus Parquet data files), and the copy
of a warehouse from a DuckDB file into DuckLake and back (`newsduck warehouse migrate`).

A DuckLake warehouse is named `ducklake:postgresql://USER@HOST:PORT/DATABASE?data=PATH` (`data`: the directory of
its Parquet files, shared by every machine that reads it). DuckDB's `ducklake` and `postgres` extensions load from
their PyPI packages (duckdb-extension-ducklake, duckdb-extension-postgres, at duckdb's version): nothing is
downloaded. What the copy keeps: every table of the schema, row for row (counts checked table by table, the
copy is one transaction on each side), the views and the columns' defaults; what it cannot keep: DuckLake has no
primary keys, unique constraints, checks, indexes or sequences, so a DuckDB file made from a lake gets them from its
own migrations (sequences moved past the copied ids).

`newsduck ingest --warehouse ducklake:…` and `newsduck crawl --warehouse ducklake:…` write the lake through the
same loader and frontier code as the file
(`warehouse.db.open_writer` opens it, `connect_lake_writer`): the loader draws ids itself where the file's
sequences would (warehouse.bulk), inserts new keys by anti-join where the file says ON CONFLICT, and every write
transaction claims the lake's `commit_token`, so that of two that overlap the later is refused and done again,
and runs in the lake's write turn (`lake_write_turn`), so that they seldom overlap (warehouse.db.write_transaction);
while a thread of the process is in a turn, its extraction of the next pages waits (`yield_to_write_turn`).
A new, empty catalog gets newsduck's tables from the migrations.
"""

from __future__ import annotations

import atexit
import importlib.resources
import logging
import tempfile
import threading
import time
import weakref
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, unquote, urlsplit

import duckdb

from .bulk import SEQUENCES, mark_lake_writer
from .db import (COMMIT_TOKEN, LAKE_PREFIX, ConflictBackoff, busy_timeout, close_writer, is_lake_address,
                 is_write_conflict, open_writer)
from .errors import WarehouseError, first_line
from .migrate import current_version, list_migrations, migrate

__all__ = ["LAKE_PREFIX", "LakeAddress", "parse_lake_address", "is_lake_address", "attach_lake", "connect_lake_reader",
           "connect_lake_writer", "copy_tables", "migrate_warehouse"]

log = logging.getLogger(__name__)

LAKE = "lake"    # the lake's name in a connection
FILE = "file"    # the DuckDB file's name in the migrating connection
TURN = "lake_turn"  # the catalog's PostgreSQL database, attached to hold the write turn (`lake_write_turn`)
TURN_LOCK = 0x6E657773  # the advisory lock's key: b"news"
SCHEMA = "newsduck_schema"  # a migrated in-memory database, the model of a new lake's tables
# Tables whose rows a fresh DuckDB file already has from its own migrations, or that only a lake has.
MIGRATION_TABLES = ("schema_version", COMMIT_TOKEN)


@dataclass(frozen=True)
class LakeAddress:
    user: str
    host: str
    port: int
    database: str
    data: str

    @property
    def catalog(self) -> str:
        return f"postgres:dbname={self.database} host={self.host} port={self.port} user={self.user}"

    def __str__(self) -> str:
        return f"{LAKE_PREFIX}postgresql://{self.user}@{self.host}:{self.port}/{self.database}?data={self.data}"


def parse_lake_address(text: str) -> LakeAddress:
    """`ducklake:postgresql://USER@HOST:PORT/DATABASE?data=PATH` as a LakeAddress; WarehouseError (one sentence
    naming what is wrong) for anything else."""
    shape = "ducklake:postgresql://USER@HOST:PORT/DATABASE?data=PATH"
    if not is_lake_address(text):
        raise WarehouseError(f"a DuckLake warehouse is written {shape}, got {text!r}")
    parts = urlsplit(text[len(LAKE_PREFIX):])
    try:
        port = parts.port
    except ValueError:
        port = None
    data = parse_qs(parts.query).get("data", [""])[0]
    database = unquote(parts.path.lstrip("/"))
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname or not port or not database \
            or not parts.username or not data:
        raise WarehouseError(f"a DuckLake warehouse is written {shape}, got {text!r}")
    if not data.startswith("s3://"):
        data = str(Path(data).expanduser().resolve())
    return LakeAddress(unquote(parts.username), parts.hostname, port, database, data)


def _extension(package: str, name: str) -> str:
    path = importlib.resources.files(package) / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        raise WarehouseError(f"DuckDB's {name} extension for DuckDB {duckdb.__version__} is not installed "
                             f"(pip install {package.replace('_', '-')}=={duckdb.__version__})")
    return str(path)


def load_lake_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """Load the postgres and ducklake extensions from their packages. DuckDB names an extension's entry point
    after its file, and the postgres package ships `postgres.duckdb_extension` for the extension called
    `postgres_scanner`: it is loaded through a link of that name in a private temporary directory."""
    con.load_extension(_extension("duckdb_extension_ducklake", "ducklake"))
    with tempfile.TemporaryDirectory(prefix="newsduck-ext-") as private:  # mode 0700: no one else can swap the link
        link = Path(private) / "postgres_scanner.duckdb_extension"
        link.symlink_to(_extension("duckdb_extension_postgres", "postgres"))
        con.load_extension(str(link))


def attach_lake(con: duckdb.DuckDBPyConnection, address: LakeAddress, alias: str = LAKE, *,
                read_only: bool = False) -> None:
    """Attach the lake at `address` as `alias`, loading the ducklake and postgres extensions from their packages."""
    load_lake_extensions(con)
    if not address.data.startswith("s3://") and not read_only:
        Path(address.data).mkdir(parents=True, exist_ok=True)
    options = f"DATA_PATH '{address.data}/'" + (", READ_ONLY" if read_only else "")
    backoff = ConflictBackoff()
    while True:
        try:
            con.execute(f"ATTACH 'ducklake:{address.catalog}' AS {alias} ({options})")
            return
        except duckdb.Error as exc:
            if not _initialized_by_another(exc):
                raise WarehouseError(f"cannot open the DuckLake catalog at {address.host}:{address.port}/"
                                     f"{address.database}: {first_line(exc)}") from None
            backoff.wait(exc)  # the other writer's catalog is there at the next try


def _initialized_by_another(exc: duckdb.Error) -> bool:
    """The first ATTACH of a new catalog creates DuckLake's metadata tables; two writers that attach it at once
    both try, and the one whose CREATE TABLE comes second fails on PostgreSQL's unique catalog names."""
    text = str(exc)
    return "Failed to initialize DuckLake" in text and ("duplicate key" in text or "already exists" in text)


def connect_lake_reader(address: LakeAddress) -> duckdb.DuckDBPyConnection:
    """A read-only connection whose default database is the lake: each query reads the lake's latest snapshot
    and never waits for, or blocks, a writer. Seal it (warehouse.queries.seal) with the lake's data directory
    allowed, so its Parquet files stay readable."""
    con = duckdb.connect()
    try:
        attach_lake(con, address, read_only=True)
        con.execute(f"USE {LAKE}")
    except BaseException:
        con.close()
        raise
    return con


# Write connections to lakes that their users gave back (warehouse.db.close_writer), by address, taken again by the
# next open_writer of the process. Opening one costs ~0.5 s of CPU (loading two extensions, attaching, binding two tables)
# and the flows open one per batch and per step; a connection kept open blocks no one on a lake (each transaction
# reads the latest snapshot), unlike a DuckDB file's.
_idle_writers: dict[LakeAddress, list[duckdb.DuckDBPyConnection]] = {}
_writer_address: "weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, LakeAddress]" = weakref.WeakKeyDictionary()
_idle_lock = threading.Lock()


def connect_lake_writer(address: LakeAddress) -> duckdb.DuckDBPyConnection:
    """A write connection whose default database is the lake (what `warehouse.db.open_writer` returns for a lake
    address): an in-memory DuckDB with the lake attached and in use, its schema made ready (`prepare_lake`); one
    given back by `release_lake_writer` if there is one."""
    with _idle_lock:
        idle = _idle_writers.get(address)
        if idle:
            return idle.pop()
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        attach_lake(con, address)
        prepare_lake(con, address)
        con.execute(f"USE {LAKE}")
        con.execute(f"ATTACH '{address.catalog.removeprefix('postgres:')}' AS {TURN} (TYPE postgres)")
        mark_lake_writer(con)
    except BaseException:
        con.close()
        raise
    _writer_address[con] = address
    _turns[con] = _Turn(con.cursor())
    return con


class _Turn:
    """A write connection's own transaction in the catalog's PostgreSQL database, which holds the lake's write turn
    while it is open (`lake_write_turn`); `depth` counts the blocks that asked for it."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self.cursor = cursor
        self.depth = 0
        self.ended = float("-inf")  # time.monotonic() when its last turn ended


_turns: "weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, _Turn]" = weakref.WeakKeyDictionary()


class _TurnHolders:
    """The threads of this process in a lake's write turn now (`lake_write_turn`), for `yield_to_write_turn`."""

    def __init__(self) -> None:
        self._threads: Counter[int] = Counter()  # thread -> the turns it is in (one per lake connection)
        self._none = threading.Condition()

    def enter(self) -> None:
        with self._none:
            self._threads[threading.get_ident()] += 1

    def leave(self) -> None:
        with self._none:
            self._threads[threading.get_ident()] -= 1
            self._threads = +self._threads  # threads in no turn dropped
            if not self._threads:
                self._none.notify_all()

    def wait_none(self) -> None:
        with self._none:
            if threading.get_ident() not in self._threads:
                self._none.wait_for(lambda: not self._threads)


_turn_holders = _TurnHolders()


def yield_to_write_turn() -> None:
    """Wait while a thread of this process is in a lake's write turn; at once when none is (so always in a
    process that writes a DuckDB file) and in the thread that is. Work that no writer waits for (extracting the
    next batch) calls it between its steps, so that a turn, which every writer of the lake waits for, has the
    process's cores and its GIL to itself."""
    _turn_holders.wait_none()


@contextmanager
def lake_write_turn(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The lake's write turn for the block: a PostgreSQL transaction-level advisory lock, held by a transaction of
    the connection's own cursor, so that its end (rollback, or the connection or process gone) gives the turn to
    the next writer. Blocks inside the block share it. Correctness never rests on the turn (the commit token
    does): a turn not had within `busy_timeout()` seconds (a writer stuck in its turn) is written without."""
    turn = _turns.get(con)
    if turn is None or turn.depth:
        if turn is not None:
            turn.depth += 1
        try:
            yield
        finally:
            if turn is not None:
                turn.depth -= 1
        return
    turn.depth = 1
    turn.cursor.execute("BEGIN TRANSACTION")
    try:
        try:
            if not _take_turn(turn, busy_timeout()):
                log.warning("writing the lake without its write turn: another writer held it for %.0f s",
                            busy_timeout())
        except duckdb.Error as exc:
            log.warning("writing the lake without waiting for its write turn: %s", first_line(exc))
        _turn_holders.enter()
        try:
            yield
        finally:
            _turn_holders.leave()
    finally:
        turn.depth = 0
        with suppress(duckdb.Error):
            turn.cursor.execute("ROLLBACK")  # the turn passes on
        turn.ended = time.monotonic()


# The write turn is polled for, never waited for in PostgreSQL: while a query of DuckDB's postgres client waits there,
# DuckDB often spins a core (3-5 s of CPU in a 5 s wait, in about half the processes tried), so a blocking
# pg_advisory_xact_lock would burn the waiting writer's core, its own extraction's. A writer tries the lock, sleeping
# between tries. Polling has no queue, so a writer announces that it wants the turn (TURN_WANTED, held shared until its
# turn ends), and one that asks again as soon as its last turn ended, while another writer has announced itself,
# first sleeps for two of the other's polls: the turn passes between writers instead of staying with the quicker.
TURN_WANTED = TURN_LOCK + 1
TURN_POLL_SECONDS = (0.002, 0.05)  # the first sleep between tries and the longest; each is 1.5 times the last
_WANT_TURN_SQL = (f"SELECT * FROM postgres_query('{TURN}', 'SELECT pg_advisory_xact_lock_shared({TURN_WANTED}), "
                  f"(SELECT count(*) FROM pg_locks WHERE locktype = ''advisory'' AND classid = 0 "
                  f"AND objid = {TURN_WANTED} AND objsubid = 1 AND pid <> pg_backend_pid())')")
_TRY_TURN_SQL = f"SELECT * FROM postgres_query('{TURN}', 'SELECT pg_try_advisory_xact_lock({TURN_LOCK})')"


def _take_turn(turn: _Turn, wait_seconds: float) -> bool:
    """In the turn cursor's open transaction: the lake's write turn (TURN_LOCK), tried until had or `wait_seconds`
    have passed (False)."""
    deadline = time.monotonic() + wait_seconds
    courtesy = 2 * TURN_POLL_SECONDS[1]
    (_, others), = turn.cursor.execute(_WANT_TURN_SQL).fetchall()
    if others and time.monotonic() - turn.ended < courtesy:
        time.sleep(courtesy)
    delay = TURN_POLL_SECONDS[0]
    while True:
        (had,), = turn.cursor.execute(_TRY_TURN_SQL).fetchall()
        if had:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(delay)
        delay = min(delay * 1.5, TURN_POLL_SECONDS[1])


def release_lake_writer(con: duckdb.DuckDBPyConnection) -> None:
    """Give back a write connection of `connect_lake_writer`, its transaction (if one is left open) rolled back."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # no transaction was open
    address = _writer_address.get(con)
    if address is None:
        con.close()
        return
    with _idle_lock:
        _idle_writers.setdefault(address, []).append(con)


@atexit.register
def _close_idle_writers() -> None:
    with _idle_lock:
        idle = [con for cons in _idle_writers.values() for con in cons]
        _idle_writers.clear()
    for con in idle:
        with suppress(duckdb.Error):
            con.close()


def prepare_lake(con: duckdb.DuckDBPyConnection, address: LakeAddress) -> None:
    """The lake attached as LAKE, ready for newsduck's writers: a new catalog gets every table, its seed rows and
    the views from the migrations, and any lake its `commit_token`; a lake at another schema version than this
    newsduck is refused. Writers that start together on a new catalog conflict; the loser finds the tables made."""
    backoff = ConflictBackoff()
    while True:
        try:
            _prepare_lake_once(con)
            break
        except duckdb.Error as exc:
            with suppress(duckdb.Error):
                con.execute("ROLLBACK")
            if not (is_write_conflict(exc) or _made_by_another_writer(exc)):
                raise WarehouseError(f"cannot create newsduck's tables in the DuckLake warehouse {address}: "
                                     f"{first_line(exc)}") from None
            backoff.wait(exc)
    version, newest = _schema_version(con, LAKE), list_migrations()[-1].version
    if version != newest:
        raise WarehouseError(f"the DuckLake warehouse {address} is at schema version {version}, this newsduck at "
                             f"{newest}; migrate it with the newsduck that wrote it")


def _made_by_another_writer(exc: duckdb.Error) -> bool:
    """A table this writer creates in a new catalog was created by another writer that started with it (DuckLake
    says so as a catalog error, not a conflict, when that writer committed first): tried again, this writer finds
    the tables made."""
    return isinstance(exc, duckdb.CatalogException) and "already exists" in str(exc)


def _prepare_lake_once(con: duckdb.DuckDBPyConnection) -> None:
    if _has_table(con, LAKE, COMMIT_TOKEN):  # every writer's open asks; listing the lake's tables costs 0.17 s
        return
    tables = _tables(con, LAKE)
    if not tables:
        con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {SCHEMA}")
        con.execute(f"USE {SCHEMA}")
        try:
            migrate(con)  # in the in-memory database, in transactions of its own
        finally:
            con.execute("USE memory")
    con.execute("BEGIN TRANSACTION")
    if not tables:
        copy_tables(con, SCHEMA, LAKE, _tables(con, SCHEMA), transaction=False)
        _copy_views(con, SCHEMA, LAKE)
    con.execute(f"CREATE TABLE {LAKE}.{COMMIT_TOKEN} (commits BIGINT NOT NULL)")
    con.execute(f"INSERT INTO {LAKE}.{COMMIT_TOKEN} VALUES (0)")
    con.execute("COMMIT")
    con.execute(f"DETACH DATABASE IF EXISTS {SCHEMA}")


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    return [name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' ORDER BY table_name",
        [database]).fetchall()]


def _has_table(con: duckdb.DuckDBPyConnection, database: str, table: str) -> bool:
    """Whether `table` is in the attached database: binds that one table, where `_tables` reads the whole catalog."""
    try:
        con.execute(f'SELECT * FROM {database}."{table}" LIMIT 0')
    except duckdb.CatalogException:
        return False
    return True


def _schema_version(con: duckdb.DuckDBPyConnection, database: str) -> int:
    """The newsduck schema version of an attached database; 0 when it has no `schema_version` table."""
    if not _has_table(con, database, "schema_version"):
        return 0
    return con.execute(f"SELECT coalesce(max(version), 0) FROM {database}.schema_version").fetchone()[0]


def _count(con: duckdb.DuckDBPyConnection, database: str, table: str) -> int:
    return con.execute(f'SELECT count(*) FROM {database}."{table}"').fetchone()[0]


def migrate_warehouse(source: str, target: str) -> list[tuple[str, int]]:
    """Copy the warehouse `source` into `target` (a DuckDB file into an empty DuckLake, or a DuckLake into a new
    DuckDB file) and return (table, rows) for every table copied. Counts are checked table by table; a target
    that already holds a warehouse is refused, so nothing is merged or overwritten."""
    if is_lake_address(source) == is_lake_address(target):
        raise WarehouseError("warehouse migrate copies between a DuckDB file and a DuckLake warehouse "
                             "(one of --from and --to starts with ducklake:)")
    if is_lake_address(target):
        return _file_to_lake(Path(source), parse_lake_address(target))
    return _lake_to_file(parse_lake_address(source), Path(target))


def _file_to_lake(path: Path, address: LakeAddress) -> list[tuple[str, int]]:
    if not path.is_file():
        raise WarehouseError(f"no database at {path}")
    close_writer(open_writer(path))  # its schema brought up to date, as every newsduck command does first
    con = duckdb.connect()
    try:
        attach_lake(con, address)
        if _tables(con, LAKE):
            raise WarehouseError(f"the DuckLake warehouse {address} already holds tables; migrate into an empty one")
        try:
            con.execute(f"ATTACH '{path}' AS {FILE} (READ_ONLY)")
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot read {path}: {first_line(exc)}") from None
        if _schema_version(con, FILE) == 0:
            raise WarehouseError(f"{path} is no newsduck warehouse")
        copied = copy_tables(con, FILE, LAKE, _tables(con, FILE))
        _copy_views(con, FILE, LAKE)
        return copied
    finally:
        con.close()


def _lake_to_file(address: LakeAddress, path: Path) -> list[tuple[str, int]]:
    if path.exists():
        raise WarehouseError(f"{path} already exists; migrate a DuckLake warehouse into a new DuckDB file")
    con = open_writer(path)  # creates the file with newsduck's schema: keys, indexes and sequences included
    try:
        attach_lake(con, address)
        tables = [t for t in _tables(con, LAKE) if t not in MIGRATION_TABLES]
        if not tables:
            raise WarehouseError(f"the DuckLake warehouse {address} holds no tables")
        lake_version = _schema_version(con, LAKE)
        if lake_version != current_version(con):
            raise WarehouseError(f"the DuckLake warehouse is at schema version {lake_version}, this newsduck at "
                                 f"{current_version(con)}; migrate with the newsduck that wrote it")
        copied = copy_tables(con, LAKE, "main", tables)
        for sequence, (table, column) in SEQUENCES.items():  # the next id follows the copied ones
            con.execute(f"SELECT max(nextval('{sequence}')) FROM range((SELECT coalesce(max({column}), 0) "
                        f"FROM main.{table}))")
    except BaseException:
        close_writer(con)
        path.unlink(missing_ok=True)
        Path(f"{path}.wal").unlink(missing_ok=True)
        raise
    close_writer(con)
    return copied


def _copy_views(con: duckdb.DuckDBPyConnection, source: str, target: str) -> None:
    """The warehouse's views (article_overview, daily_counts, …), defined again in `target` as in `source`. A new
    DuckDB file has them from its own migrations, so only a lake needs them."""
    views = con.execute("SELECT sql FROM duckdb_views() WHERE database_name = ? AND NOT internal ORDER BY view_name",
                        [source]).fetchall()
    con.execute(f"USE {target}")
    try:
        for (sql,) in views:
            con.execute(sql)
    except duckdb.Error as exc:
        raise WarehouseError(f"the tables were copied, but a view could not be defined in the lake: "
                             f"{first_line(exc)}") from None
    finally:
        con.execute("USE memory")


def lake_table_ddl(con: duckdb.DuckDBPyConnection, database: str, table: str, target: str) -> str:
    """CREATE TABLE for `target`.`table` with the columns of `database`.`table`: names, types, NOT NULL and the
    defaults, but none of what DuckLake lacks (keys, unique constraints, checks, sequence defaults: the loader
    draws those ids itself, warehouse.bulk)."""
    columns = []
    for name, data_type, default, nullable in con.execute(
            "SELECT column_name, data_type, column_default, is_nullable FROM duckdb_columns() "
            "WHERE database_name = ? AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
            [database, table]).fetchall():
        column = f'"{name}" {data_type}'
        if default is not None and "nextval" not in default.lower():
            column += f" DEFAULT {default}"
        if not nullable:
            column += " NOT NULL"
        columns.append(column)
    return f'CREATE TABLE {target}."{table}" ({", ".join(columns)})'


def copy_tables(con: duckdb.DuckDBPyConnection, source: str, target: str, tables: list[str], *,
                transaction: bool = True) -> list[tuple[str, int]]:
    """Every table of `tables` from the attached database `source` into `target`, counts checked, in one
    transaction (`transaction=False`: in the caller's). Into a lake each table is created (`lake_table_ddl`) and
    filled with one INSERT; into a DuckDB file, which has the tables from its migrations, any seed rows there are
    replaced by the copied ones. Returns (table, rows) for each."""
    into_lake = _database_type(con, target) == "ducklake"
    copied = []
    if transaction:
        con.execute("BEGIN TRANSACTION")
    try:
        for table in tables:
            if into_lake:
                con.execute(lake_table_ddl(con, source, table, target))
            else:
                con.execute(f'DELETE FROM {target}."{table}"')
            con.execute(f'INSERT INTO {target}."{table}" BY NAME SELECT * FROM {source}."{table}"')
            rows, written = _count(con, source, table), _count(con, target, table)
            if rows != written:
                raise WarehouseError(f"table {table}: {rows} rows read, {written} written; nothing was copied")
            copied.append((table, rows))
        if transaction:
            con.execute("COMMIT")
    except BaseException as exc:
        if not transaction:
            raise
        con.execute("ROLLBACK")
        if isinstance(exc, duckdb.Error):
            raise WarehouseError(f"the copy failed and was rolled back: {first_line(exc)}") from None
        raise
    return copied


def _database_type(con: duckdb.DuckDBPyConnection, database: str) -> str:
    """`ducklake` or `duckdb`; `main` (the current database's schema) is the current database."""
    row = con.execute("SELECT type FROM duckdb_databases() WHERE database_name = ?", [database]).fetchone()
    return row[0] if row else "duckdb"
