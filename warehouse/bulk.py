"""Bulk statements over Arrow tables: the only way the loader writes rows (no row-by-row executemany)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator

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
