"""Bulk statements over Arrow tables: the only way the loader writes rows (no row-by-row executemany). They write a
DuckDB file and a DuckLake warehouse alike: on a lake, which has no sequences and no keys, ids that a sequence
hands out on the file are drawn from the table's largest id, and rows new by key are inserted by anti-join
instead of ON CONFLICT DO NOTHING. Both are sound on the lake because its write transactions take turns at
their commit (warehouse.db.write_transaction)."""

from __future__ import annotations

import weakref
from contextlib import contextmanager
from typing import Iterable, Iterator, Sequence

import duckdb
import pyarrow as pa

from .schemas import ID_SCHEMA

# Sequences of the DuckDB schema and the column whose ids they hand out.
SEQUENCES = {"fetch_id_seq": ("fetches", "fetch_id"), "error_id_seq": ("errors", "error_id"),
             "search_docid_seq": ("article_search", "docid"), "search_termid_seq": ("search_terms", "termid"),
             "search_queue_seq": ("search_queue", "seq")}
# Tables whose id column the file fills from a sequence default when an insert leaves it out: their sequence.
SEQUENCE_DEFAULTS = {table: sequence for sequence, (table, _) in SEQUENCES.items()
                     if table in ("fetches", "errors", "search_queue")}


# The write connections opened on a lake (warehouse.lake.connect_lake_writer); a set, not a query per statement:
# the file's loads ask this several times per batch.
_LAKE_WRITERS: "weakref.WeakSet[duckdb.DuckDBPyConnection]" = weakref.WeakSet()


def on_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `con` is a write connection on a DuckLake warehouse (warehouse.lake), not on a DuckDB file."""
    return con in _LAKE_WRITERS


def mark_lake_writer(con: duckdb.DuckDBPyConnection) -> None:
    _LAKE_WRITERS.add(con)


def new_ids(con: duckdb.DuckDBPyConnection, sequence: str, count: int) -> list[int]:
    """`count` new ids of `sequence`: from the sequence on a file, after the column's largest id on a lake."""
    if not on_lake(con):
        return [row[0] for row in con.execute(f"SELECT nextval('{sequence}') FROM range(?)", [count]).fetchall()]
    table, column = SEQUENCES[sequence]
    (largest,) = con.execute(f'SELECT coalesce(max("{column}"), 0) FROM "{table}"').fetchone()
    return list(range(largest + 1, largest + 1 + count))


def insert_new(con: duckdb.DuckDBPyConnection, table_name: str, data: pa.Table, keys: Sequence[Sequence[str]]) -> int:
    """Insert the rows of `data` whose keys (each a column list: the table's primary key and unique columns) are not
    in `table_name` yet, the first of rows that repeat a key; returns how many were inserted."""
    if data.num_rows == 0:
        return 0
    columns = ", ".join(f'"{name}"' for name in data.column_names)
    with registered(con, f"__newsduck_{table_name}_new", data) as view:
        if not on_lake(con):
            sql = f'INSERT INTO "{table_name}" ({columns}) SELECT {columns} FROM "{view}" ON CONFLICT DO NOTHING'
        else:
            absent = " AND ".join(
                f'NOT EXISTS (SELECT 1 FROM "{table_name}" t WHERE '
                + " AND ".join(f't."{k}" = s."{k}"' for k in key) + ")" for key in keys)
            first = " AND ".join(f'row_number() OVER (PARTITION BY {", ".join(f"s.{k}" for k in key)}) = 1'
                                 for key in keys)
            sql = (f'INSERT INTO "{table_name}" ({columns}) SELECT {columns} FROM (SELECT s.* FROM "{view}" s '
                   f"WHERE {absent} QUALIFY {first})")
        return int(con.execute(sql).fetchone()[0])


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, data: pa.Table) -> Iterator[str]:
    """Expose an Arrow table to SQL as view `name` for the duration of the block."""
    con.register(name, data)
    try:
        yield name
    finally:
        con.unregister(name)


def insert_arrow(con: duckdb.DuckDBPyConnection, table_name: str, data: pa.Table) -> None:
    """INSERT INTO table_name (the Arrow table's columns) SELECT those columns FROM the Arrow table; on a lake, a
    sequence's id column the table leaves out is numbered on from the table's largest id."""
    if data.num_rows == 0:
        return
    sequence = SEQUENCE_DEFAULTS.get(table_name)
    if sequence is not None and on_lake(con):
        _, id_column = SEQUENCES[sequence]
        if id_column not in data.column_names:
            data = data.append_column(id_column, pa.array(new_ids(con, sequence, data.num_rows), pa.int64()))
    columns = ", ".join(f'"{name}"' for name in data.column_names)
    with registered(con, f"__newsduck_{table_name}_src", data) as view:
        con.execute(f'INSERT INTO "{table_name}" ({columns}) SELECT {columns} FROM "{view}"')


def id_table(values: Iterable[str]) -> pa.Table:
    """A one-column (`id`) Arrow table of keys, to register and join against."""
    return pa.Table.from_arrays([pa.array(list(values), type=pa.string())], schema=ID_SCHEMA)


# DuckDB answers `key IN (constants)` on a primary-key or unique column from the key's index when the matches are
# few (at most max(2048, 0.1% of the table)); a join with a registered table, `IN (SELECT …)` or `= ANY(?)` scan the
# whole column instead, which reads a block of every row group (one per loaded batch) and costs memory that grows
# with the table (bench/README.md, "Crawl benchmark").
IN_LIST_CHUNK = 1000


def execute_in(con: duckdb.DuckDBPyConnection, sql: str, values: Iterable[str | int],
               params: Sequence = ()) -> list[tuple]:
    """Run `sql` with `{values}` replaced by a list of literals (strings quoted, integers as they are), once per
    IN_LIST_CHUNK distinct values, and return all the rows, so that a lookup or a delete by key reads the key's
    index and only the matching rows. `params` are bound in every chunk. Nothing runs for no values. On a lake's
    write connection it is one statement whatever the number of values, `{values}` a subquery of them (a join):
    a lake has no index to read, and every statement costs round trips to its catalog."""
    distinct = list(dict.fromkeys(values))
    if on_lake(con) and distinct:
        with registered(con, "__newsduck_in_values", pa.table({"value": distinct})) as view:
            return con.execute(sql.format(values=f"SELECT value FROM {view}"), list(params) or None).fetchall()
    rows: list[tuple] = []
    for start in range(0, len(distinct), IN_LIST_CHUNK):
        literals = ", ".join(_literal(value) for value in distinct[start:start + IN_LIST_CHUNK])
        rows.extend(con.execute(sql.format(values=literals), list(params) or None).fetchall())
    return rows


def _literal(value: str | int) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"
