"""Bulk statements over Arrow tables: the only way the loader writes rows (no row-by-row executemany)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator, Sequence

import duckdb
import pyarrow as pa

from .schemas import ID_SCHEMA


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, data: pa.Table) -> Iterator[str]:
    """Expose an Arrow table to SQL as view `name` for the duration of the block."""
    con.register(name, data)
    try:
        yield name
    finally:
        con.unregister(name)


def insert_arrow(con: duckdb.DuckDBPyConnection, table_name: str, data: pa.Table) -> None:
    """INSERT INTO table_name (the Arrow table's columns) SELECT those columns FROM the Arrow table."""
    if data.num_rows == 0:
        return
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
    index and only the matching rows. `params` are bound in every chunk. Nothing runs for no values."""
    distinct = list(dict.fromkeys(values))
    rows: list[tuple] = []
    for start in range(0, len(distinct), IN_LIST_CHUNK):
        literals = ", ".join(_literal(value) for value in distinct[start:start + IN_LIST_CHUNK])
        rows.extend(con.execute(sql.format(values=literals), list(params) or None).fetchall())
    return rows


def _literal(value: str | int) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"
