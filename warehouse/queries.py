"""Read-only SQL for `newsduck sql` and the demo, and the output formats (table, CSV, JSON).

Two guards keep the database read-only: every statement's type, as DuckDB's own parser reports it, must be a
query (SELECT, including SHOW/DESCRIBE/PRAGMA/SUMMARIZE, which DuckDB rewrites to SELECT; or EXPLAIN of one)
or `COPY (query) TO 'file'`, which writes a file and not the database; and the connection itself is opened
read-only. A third keeps the machine out of reach: the connection is sealed (`seal`: no file, URL, database
or extension outside the warehouse), and a COPY's file is written by a connection that sees only the
query's result.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Sequence
from uuid import UUID

import duckdb

from .db import connect_reader
from .lake import connect_lake_reader, is_lake_address, parse_lake_address
from .errors import EmptyQueryError, ReadOnlyQueryError, WarehouseError
from .search import enable_search

__all__ = ["run_query", "run_statements", "Result", "check_read_only", "format_table", "to_csv", "to_json", "json_text",
           "ReadOnlyQueryError"]

READ_STATEMENTS = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
_EXPLAIN_PREFIX = re.compile(r"^\s*EXPLAIN\s+(?:\([^)]*\)\s*)?(?:ANALY[SZ]E\s+)?", re.IGNORECASE)
_STRING_LITERAL = re.compile(r"'((?:[^']|'')*)'")


@dataclass
class Result:
    """What one statement gave: its columns and rows; for `COPY (query) TO 'file'`, also the file written."""
    columns: list[str]
    rows: list[tuple]
    copied_to: str | None = None
    is_copy: bool = False

    @property
    def rows_written(self) -> int | None:
        """COPY: the number of rows written, as DuckDB reports it (its `Count` column)."""
        if self.is_copy and self.rows and self.columns and self.columns[0] == "Count":
            return self.rows[0][0]
        return None


def run_statements(path: str | Path, sql: str, *, busy_timeout: float | None = None,
                   allowed_directories: Sequence[str | Path] = ()) -> Iterator[Result]:
    """Run read-only SQL against the database file, one statement after another, yielding each one's result.

    Every statement is checked before the first runs. Files under `allowed_directories` may be read
    (read_csv, read_parquet, glob ...); nothing else outside the database. While an ingest holds the file, waits for it (see
    `warehouse.db.connect_reader`; `busy_timeout` seconds, default $NEWSDUCK_BUSY_TIMEOUT or 30). The
    connection has the search functions (`warehouse.search`).
    """
    if is_lake_address(str(path)):  # a DuckLake warehouse: its latest snapshot, its Parquet files readable
        address = parse_lake_address(str(path))
        con = connect_lake_reader(address)
        allowed_directories = [*allowed_directories, address.data]  # a local or shared directory (not s3://)
    else:
        con = connect_reader(path, timeout=busy_timeout)
    try:
        enable_search(con)
        seal(con, allowed_directories)
        for statement in check_read_only(con, sql):
            if statement.type == duckdb.StatementType.COPY:
                yield copy_query_result(con, statement)
                continue
            cursor = con.execute(statement)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            rows = cursor.fetchall() if cursor.description else []
            yield Result(columns, rows)
    finally:
        con.close()


def seal(con: duckdb.DuckDBPyConnection, allowed_directories: Sequence[str | Path] = ()) -> None:
    """Keep the connection's SQL inside the database: no file, URL or other database to read (read_csv,
    read_text, glob, ATTACH ...) except under `allowed_directories`, no extension to download or load, and
    no SET to undo this."""
    if allowed_directories:
        listed = ", ".join(_sql_string(str(Path(d).resolve()).rstrip("/") + "/") for d in allowed_directories)
        con.execute(f"SET allowed_directories = [{listed}]")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def copy_query_result(con: duckdb.DuckDBPyConnection, statement: duckdb.Statement) -> Result:
    """`COPY (query) TO 'file' …`: the query runs on the sealed connection; only its result is handed to a
    connection of its own that writes the file, so the query itself can reach nothing outside the database."""
    query, tail = split_copy(statement)
    result = con.execute(query).to_arrow_table()
    writer = duckdb.connect()
    try:
        writer.register("copy_result", result)
        cursor = writer.execute("COPY copy_result " + tail)
        columns = [d[0] for d in cursor.description] if cursor.description else []
        rows = cursor.fetchall() if cursor.description else []
    finally:
        writer.close()
    return Result(columns, rows, copy_target(statement), True)


def split_copy(statement: duckdb.Statement) -> tuple[str, str]:
    """(query, "TO 'file' …") of a `COPY (query) TO 'file' …` statement: the text inside the first parentheses
    (followed to their matching close by DuckDB's operator tokens) and what comes after them."""
    sql = statement.query
    depth, opened = 0, None
    for start, kind in duckdb.tokenize(sql):
        if kind != duckdb.token_type.operator or sql[start] not in "()":
            continue
        if sql[start] == "(":
            opened = start + 1 if opened is None else opened
            depth += 1
        else:
            depth -= 1
            if depth == 0 and opened is not None:
                return sql[opened:start], sql[start + 1:].strip().rstrip(";")
    raise ReadOnlyQueryError("newsduck sql: COPY needs a query in parentheses: COPY (SELECT …) TO 'file'")


def run_query(path: str | Path, sql: str, *, busy_timeout: float | None = None) -> tuple[list[str], list[tuple]]:
    """Run read-only SQL (see `run_statements`); return the columns and rows of the last statement."""
    *_, last = run_statements(path, sql, busy_timeout=busy_timeout)
    return last.columns, last.rows


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> list[duckdb.Statement]:
    """Parse `sql` with DuckDB and refuse it unless every statement only reads."""
    statements = con.extract_statements(sql)
    if not statements:
        raise EmptyQueryError("no SQL statement given")
    for statement in statements:
        refuse_if_writing(con, statement)
    return statements


def refuse_if_writing(con: duckdb.DuckDBPyConnection, statement: duckdb.Statement) -> None:
    if statement.type not in READ_STATEMENTS and not is_copy_of_query(statement):
        raise ReadOnlyQueryError(
            f"newsduck sql is read-only: {statement.type.name} statements are refused; "
            "use newsduck ingest to change data."
        )
    if statement.type == duckdb.StatementType.EXPLAIN:
        # EXPLAIN ANALYZE runs the statement it explains, so that statement must be a read too.
        explained = _EXPLAIN_PREFIX.sub("", statement.query, count=1)
        if explained != statement.query:
            for inner in con.extract_statements(explained):
                refuse_if_writing(con, inner)


def is_copy_of_query(statement: duckdb.Statement) -> bool:
    """`COPY (query) TO 'file' …`: a query's result written to a file. DuckDB's parser takes only a SELECT
    between the parentheses; `COPY table FROM/TO` names a table there instead."""
    if statement.type != duckdb.StatementType.COPY:
        return False
    words = _tokens(statement.query)
    return len(words) > 1 and words[0][0].upper() == "COPY" and words[1][0].startswith("(")


def copy_target(statement: duckdb.Statement) -> str | None:
    """The file a `COPY (query) TO 'file'` writes, when it is a plain string literal; else None."""
    if not is_copy_of_query(statement):
        return None
    try:
        _, tail = split_copy(statement)
    except ReadOnlyQueryError:
        return None
    words = _tokens(tail)
    if len(words) >= 2 and words[0][0].upper() == "TO" and words[1][1] == duckdb.token_type.string_const:
        literal = _STRING_LITERAL.match(words[1][0])
        return literal.group(1).replace("''", "'") if literal else None
    return None


def _tokens(sql: str) -> list[tuple[str, Any]]:
    """DuckDB's tokens of `sql` (comments left out) as (text, token_type); the text runs to the next token, stripped."""
    tokens = duckdb.tokenize(sql)
    ends = [start for start, _ in tokens[1:]] + [len(sql)]
    return [(sql[start:end].strip(), kind) for (start, kind), end in zip(tokens, ends)]


# ---------------------------------------------------------------- formats

def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, max_width: int | None = 60) -> str:
    """An aligned plain-text table. CJK (wide) characters count as two columns; long cells are cut with '…'."""
    header = [_fit(str(c), max_width) for c in columns]
    body = [[_fit(_cell_text(v), max_width) for v in row] for row in rows]
    widths = [display_width(h) for h in header]
    for row in body:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], display_width(text))
    numeric = [_is_numeric_column([row[i] for row in rows]) for i in range(len(columns))]

    def line(cells: list[str]) -> str:
        return " | ".join(_pad(text, widths[i], right=numeric[i]) for i, text in enumerate(cells)).rstrip()

    out = [line(header), "-+-".join("-" * w for w in widths)]
    out.extend(line(row) for row in body)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def display_width(text: str) -> int:
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _fit(text: str, max_width: int | None) -> str:
    if max_width is None or display_width(text) <= max_width:
        return text
    kept, width = [], 0
    for char in text:
        w = display_width(char)
        if width + w > max_width - 1:
            break
        kept.append(char)
        width += w
    return "".join(kept) + "…"


def _pad(text: str, width: int, *, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def _is_numeric_column(values: list[Any]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(_is_number(v) for v in present)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _cell_text(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return " ".join(str(value).splitlines()).replace("\t", " ")


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV with a header row; NULL is an empty field, datetimes are ISO 8601, BLOBs base64."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _csv_value(v) for v in row])
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def to_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A JSON array with one object per row (column -> value); datetimes ISO 8601, BLOBs base64."""
    return json_text([dict(zip(columns, row)) for row in rows])


def json_text(value: Any) -> str:
    """`value` as indented JSON, the way to_json writes its rows (UTF-8 text kept, datetimes ISO 8601, ...)."""
    return json.dumps(value, ensure_ascii=False, default=_json_value, indent=2)


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)
