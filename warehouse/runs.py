"""Bookkeeping of runs (one `newsduck ingest`/crawl/demo invocation), their errors, and named sources; and reading
runs back (`newsduck runs`, `newsduck errors`)."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timezone

import duckdb
import pyarrow as pa

from .bulk import insert_arrow, insert_new
from .models import ErrorInfo, LoadCounts
from .processes import process_alive

RUNNING = "running"
COMPLETED = "completed"
INTERRUPTED = "interrupted"  # stopped early (Ctrl-C, SIGTERM), or its process is gone with the row still running
FAILED = "failed"

ERROR_SCHEMA = pa.schema([
    ("run_id", pa.string()),
    ("input", pa.string()),
    ("stage", pa.string()),
    ("error_type", pa.string()),
    ("message", pa.string()),
    ("created_at", pa.timestamp("us", tz="UTC")),
])
SOURCE_SCHEMA = pa.schema([("source_id", pa.string()), ("name", pa.string()), ("kind", pa.string()),
                           ("start_url", pa.string())])


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def start_run(con: duckdb.DuckDBPyConnection, *, flow_run_id: str | None, command: str, inputs: int) -> str:
    """Insert a `runs` row with status 'running' and return its run_id (a UUID string)."""
    run_id = str(uuid.uuid4())
    close_orphaned_runs(con)
    con.execute(
        "INSERT INTO runs (run_id, flow_run_id, command, started_at, status, inputs, host, pid) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, flow_run_id, command, utc_now(), RUNNING, inputs, socket.gethostname(), os.getpid()],
    )
    return run_id


def close_orphaned_runs(con: duckdb.DuckDBPyConnection) -> int:
    """Mark `interrupted` the runs of this machine still `running` whose process is gone (which ends their frontier
    leases); returns how many. Runs of other machines are left alone (their processes cannot be seen from here):
    their leases run out by the clock."""
    rows = con.execute("SELECT run_id, pid FROM runs WHERE status = ? AND host = ?",
                       [RUNNING, socket.gethostname()]).fetchall()
    gone = [run_id for run_id, pid in rows if pid is not None and not process_alive(pid)]
    if gone:
        con.executemany("UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?",
                        [[INTERRUPTED, utc_now(), run_id] for run_id in gone])
    return len(gone)


# The outcome counts of a run: `runs` columns, named as the fields of LoadCounts.
OUTCOME_COLUMNS = ("new", "updated", "unchanged", "not_article", "duplicates", "errors", "skipped_robots", "no_edition")


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, counts: LoadCounts, status: str) -> None:
    """Store the final counts and status. `inputs` keeps the start value unless the counts saw more."""
    outcomes = ", ".join(f"{name} = ?" for name in OUTCOME_COLUMNS)
    con.execute(
        f"UPDATE runs SET finished_at = ?, status = ?, inputs = greatest(inputs, ?), {outcomes} WHERE run_id = ?",
        [utc_now(), status, counts.inputs, *(getattr(counts, name) for name in OUTCOME_COLUMNS), run_id],
    )


def count_batch(con: duckdb.DuckDBPyConnection, run_id: str, counts: LoadCounts) -> None:
    """Add a loaded batch's counts to its run's row (one UPDATE, part of the caller's transaction when it has one),
    so that while a run goes on its row says how far it got. The batches' counts add up to what `finish_run`
    stores at the end."""
    names = ("inputs", *OUTCOME_COLUMNS)
    added = ", ".join(f"{name} = coalesce({name}, 0) + ?" for name in names)
    con.execute(f"UPDATE runs SET {added} WHERE run_id = ?", [*(getattr(counts, name) for name in names), run_id])


def record_errors(con: duckdb.DuckDBPyConnection, run_id: str, errors: list[ErrorInfo]) -> None:
    """One `errors` row per ErrorInfo, in one bulk INSERT (atomic on its own, or part of the caller's transaction)."""
    if not errors:
        return
    now = utc_now()
    table = pa.Table.from_pylist(
        [{"run_id": run_id, "input": e.input, "stage": e.stage, "error_type": e.error_type,
          "message": e.message, "created_at": now} for e in errors],
        schema=ERROR_SCHEMA,
    )
    insert_arrow(con, "errors", table)


def first_errors(con: duckdb.DuckDBPyConnection, run_id: str, limit: int = 10) -> list[dict]:
    """The run's first `limit` errors, oldest first: input, stage, error_type, message."""
    rows = con.execute("SELECT input, stage, error_type, message FROM errors WHERE run_id = ? ORDER BY error_id LIMIT ?",
                       [run_id, limit]).fetchall()
    return [{"input": i, "stage": s, "error_type": t, "message": m} for i, s, t, m in rows]


# What `latest_runs` and `find_runs` give of a run, in this order (`source_id`: the source a crawl crawled).
RUN_FIELDS = ("run_id", "flow_run_id", "command", "source_id", "status", "started_at", "finished_at", "inputs",
              *OUTCOME_COLUMNS)
LATEST = "latest"


def latest_runs(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict]:
    """The `limit` runs started last, newest first, each a dict of RUN_FIELDS. Counts are those of the run's
    loaded batches so far while it runs."""
    return _runs(con, f"ORDER BY started_at DESC, run_id LIMIT {int(limit)}")


def find_runs(con: duckdb.DuckDBPyConnection, reference: str) -> list[dict]:
    """The runs `reference` names: LATEST (the run started last), a run_id, or the start of run_ids (every run
    whose id starts with it: one, several when it is too short to tell them apart, or none)."""
    if reference == LATEST:
        return latest_runs(con, 1)
    return _runs(con, "WHERE starts_with(run_id, ?) ORDER BY started_at DESC, run_id", [reference])


def _runs(con: duckdb.DuckDBPyConnection, rest: str, params: list | None = None) -> list[dict]:
    # a read-only connection does not migrate: a column an older schema lacks reads as 0 (as NULL, source_id)
    present = {name for (name,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'runs' AND table_schema = 'main'"
    ).fetchall()}
    columns = ", ".join(name if name in present else f"{'NULL' if name == 'source_id' else 0} AS {name}"
                        for name in RUN_FIELDS)
    rows = con.execute(f"SELECT {columns} FROM runs {rest}", params or []).fetchall()
    return [dict(zip(RUN_FIELDS, row)) for row in rows]


def error_count(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    return con.execute("SELECT count(*) FROM errors WHERE run_id = ?", [run_id]).fetchone()[0]


def register_source(con: duckdb.DuckDBPyConnection, source_id: str, *, name: str | None = None,
                    kind: str | None = None, start_url: str | None = None) -> None:
    """Create or update a `sources` row (a site or feed that articles can be attributed to via load_batch): a new
    source is inserted (`insert_new`: by key on a DuckDB file, by anti-join on a lake); a known one gets the name
    (default: its id), and the kind and start URL where they are given."""
    row = pa.Table.from_pylist([{"source_id": source_id, "name": name or source_id, "kind": kind,
                                 "start_url": start_url}], schema=SOURCE_SCHEMA)
    if insert_new(con, "sources", row, [("source_id",)]) == 0:
        con.execute("UPDATE sources SET name = ?, kind = coalesce(?, kind), start_url = coalesce(?, start_url) "
                    "WHERE source_id = ?", [name or source_id, kind, start_url, source_id])
