"""The Prefect flow `reparse`: run the current parser over every stored raw page again, with no network.

Articles whose extracted content changed are updated in place (with the new parser_version); the others are
counted unchanged. Bodies come from `raw_pages` (stored once per distinct body), and each input's latest
successful fetch says which URL or path, and content type, the body belongs to. The run's progress goes to
listeners (flows/progress.py) page by page, and to its `runs` row batch by batch.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import State
from prefect.utilities.annotations import quote

from warehouse.db import batch_memory_cap
from warehouse.load import load_batch
from warehouse.models import FetchInfo, LoadCounts, PageResult
from warehouse.raw import decompress_body
from warehouse.runs import COMPLETED, FAILED, INTERRUPTED, count_batch, finish_run, first_errors, start_run

from .batches import DEFAULT_BATCH_SIZE, batched, close_writer, merge_run_log, open_writer, writer
from .extract_worker import extract_body
from .outcome import flow_outcome
from .progress import RunProgress
from .stopping import honoured_in_flow, stop_requested

# The latest fetch with a body for each input (URL, else path), optionally only those fetched since a time.
LATEST_FETCHES = """
    SELECT input, url, path, fetched_at, status, content_type, charset, bytes, elapsed_ms, body_sha256
    FROM fetches
    WHERE body_sha256 IS NOT NULL AND error IS NULL AND ($since IS NULL OR fetched_at >= $since)
    QUALIFY row_number() OVER (PARTITION BY coalesce(url, path, input) ORDER BY fetched_at DESC, fetch_id DESC) = 1
    ORDER BY fetched_at, input
"""


def stored_fetches(db_path: str, since: datetime | None, lock_wait: float | None) -> list[FetchInfo]:
    con = open_writer(db_path, lock_wait)
    try:
        rows = con.execute(LATEST_FETCHES, {"since": since}).fetchall()
    finally:
        con.close()
    return [
        FetchInfo(input=r[0], url=r[1], path=r[2], fetched_at=r[3], status=r[4], content_type=r[5], charset=r[6],
                  bytes=r[7], elapsed_ms=r[8] or 0.0, body_sha256=r[9])
        for r in rows
    ]


@task(name="reparse-batch", cache_policy=NO_CACHE, persist_result=False)
def reparse_batch(db_path: str, run_id: str, fetches: list[FetchInfo], lock_wait: float | None = None,
                  progress: RunProgress | None = None) -> LoadCounts:
    """Read the batch's stored bodies, re-extract and prepare them with the file free, then load them and add
    their counts to the run's row. `progress` (pass it quoted) advances by each page extracted."""
    con = open_writer(db_path, lock_wait)
    try:
        shas = sorted({f.body_sha256 for f in fetches})
        stored = {
            sha: decompress_body(compression, blob, size)
            for sha, compression, blob, size in con.execute(
                "SELECT body_sha256, compression, body, bytes FROM raw_pages WHERE list_contains($shas, body_sha256)",
                {"shas": shas},
            ).fetchall()
        }
    finally:
        close_writer(con)
    results = []
    for fetch in fetches:
        body = stored.get(fetch.body_sha256)
        error = None
        if body is not None:  # else a fetch whose body was never stored (it failed to load): nothing to re-parse
            record, error = extract_body(body, fetch)
            results.append(PageResult(fetch=fetch, body=body, record=record, error=error))
        if progress is not None:
            progress.advance(failed=error is not None)
    with writer(db_path, lock_wait) as con:
        with batch_memory_cap(con):
            counts = load_batch(con, run_id, results, record_fetches=False)
        count_batch(con, run_id, counts)
    return counts


@flow(name="reparse", log_prints=True)
def reparse(db_path: str, since: datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
            lock_wait: float | None = None) -> dict | State:
    """Re-extract every stored page (fetched at or after `since`, if given) with the current parser."""
    fetches = stored_fetches(db_path, since, lock_wait)
    con = open_writer(db_path, lock_wait)
    try:
        run_id = start_run(con, flow_run_id=str(flow_run.id) if flow_run.id else None, command="reparse", inputs=0)
    finally:
        con.close()
    counts, status = LoadCounts(), FAILED
    progress = RunProgress()
    progress.begin(len(fetches))
    try:
        with honoured_in_flow():
            for batch in batched(fetches, batch_size):
                if stop_requested():
                    break
                loaded = reparse_batch(db_path, run_id, batch, lock_wait, quote(progress))
                counts.add(loaded)
                progress.add_loaded(loaded)
        status = INTERRUPTED if stop_requested() else COMPLETED
    finally:
        con = open_writer(db_path, lock_wait)
        try:
            finish_run(con, run_id, counts, status)
            errors = first_errors(con, run_id)
            merge_run_log(con)
        finally:
            con.close()
    return flow_outcome({"run_id": run_id, "status": status, **asdict(counts), "first_errors": errors})
