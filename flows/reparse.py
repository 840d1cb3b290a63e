"""The Prefect flow `reparse`: run the current parser over every stored raw page again, with no network.

Articles whose extracted content changed are updated in place (with the new parser_version); the others are
counted unchanged. Bodies come from `raw_pages` (stored once per distinct body), and each input's latest
successful fetch says which URL or path, and content type, the body belongs to. The run's progress goes to
listeners (flows/progress.py) page by page, and to its `runs` row batch by batch.

Like `ingest`, one batch is extracted (the task `reparse-extract`, on Dask's workers with flows.dask_runner)
while the one before it loads in the flow's process, the warehouse's one writer; the stored bodies are read in
that process too, so workers never open the database.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import State
from prefect.utilities.annotations import quote

from warehouse.db import WarehouseWriteError, batch_memory_cap, write_transaction
from warehouse.load import load_batch
from warehouse.models import FetchInfo, LoadCounts
from warehouse.raw import decompress_body
from warehouse.runs import COMPLETED, FAILED, INTERRUPTED, count_batch, finish_run, first_errors, start_run

from .batches import DEFAULT_BATCH_SIZE, batched, extract_pages, merge_run_log, writer
from .outcome import flow_outcome
from .prefect_flow import newsduck_flow
from .page import Page
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
    with writer(db_path, lock_wait) as con:
        rows = con.execute(LATEST_FETCHES, {"since": since}).fetchall()
    return [
        FetchInfo(input=r[0], url=r[1], path=r[2], fetched_at=r[3], status=r[4], content_type=r[5], charset=r[6],
                  bytes=r[7], elapsed_ms=r[8] or 0.0, body_sha256=r[9])
        for r in rows
    ]


def stored_pages(db_path: str, fetches: list[FetchInfo], lock_wait: float | None) -> list[Page]:
    """The batch's fetches with their stored bodies, as pages to extract. A fetch whose body was never stored
    (its load failed) has nothing to re-parse and is left out."""
    shas = sorted({f.body_sha256 for f in fetches})
    with writer(db_path, lock_wait) as con:
        stored = {
            sha: decompress_body(compression, blob, size)
            for sha, compression, blob, size in con.execute(
                "SELECT body_sha256, compression, body, bytes FROM raw_pages WHERE list_contains($shas, body_sha256)",
                {"shas": shas},
            ).fetchall()
        }
    return [Page(fetch, body=stored[fetch.body_sha256]) for fetch in fetches if fetch.body_sha256 in stored]


@task(name="reparse-extract", cache_policy=NO_CACHE, persist_result=False)
def reextract(pages: list[Page], progress: RunProgress | None = None) -> list[Page]:
    """Extract a batch of stored pages with the current parser (no database, no network: it may run on any
    worker). `progress` (pass it quoted) advances by each page extracted."""
    on_done = (lambda page: progress.advance(failed=page.error is not None)) if progress is not None else None
    return extract_pages(pages, on_done=on_done)


def load_reparsed(db_path: str, run_id: str, pages: list[Page], lock_wait: float | None) -> LoadCounts:
    """Load a re-extracted batch (no new fetch rows: the fetches are the stored ones) and add its counts to the
    run's row, in the batch's one transaction (on a lake, a load done again after a conflict counts once)."""
    with writer(db_path, lock_wait) as con:
        with batch_memory_cap(con):
            return load_batch(con, run_id, [page.result for page in pages], record_fetches=False,
                              settle=lambda con, loaded: count_batch(con, run_id, loaded))


@newsduck_flow(name="reparse", log_prints=True)
def reparse(db_path: str, since: datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
            lock_wait: float | None = None, tasks_in_other_processes: bool = False) -> dict | State:
    """Re-extract every stored page (fetched at or after `since`, if given) with the current parser.
    `tasks_in_other_processes`: the flow runs with a task runner whose tasks run in other processes
    (`flows.dask_runner.dask_task_runner`), so progress advances as each batch comes back."""
    fetches = stored_fetches(db_path, since, lock_wait)
    with writer(db_path, lock_wait) as con:
        run_id = write_transaction(con, lambda: start_run(
            con, flow_run_id=str(flow_run.id) if flow_run.id else None, command="reparse", inputs=0))
    counts, status, failure = LoadCounts(), FAILED, None
    progress = RunProgress()
    progress.begin(len(fetches))

    def load(pending) -> None:
        pages = pending.result()
        if tasks_in_other_processes:
            for page in pages:
                progress.advance(failed=page.error is not None)
        loaded = load_reparsed(db_path, run_id, pages, lock_wait)
        counts.add(loaded)
        progress.add_loaded(loaded)

    try:
        with honoured_in_flow():
            pending = None
            for batch in batched(fetches, batch_size):
                if stop_requested():
                    break
                pages = stored_pages(db_path, batch, lock_wait)
                for _ in range(len(batch) - len(pages)):  # no stored body: nothing to re-parse, still one input done
                    progress.advance()
                future = reextract.submit(pages, None if tasks_in_other_processes else quote(progress))
                if pending is not None:
                    load(pending)
                pending = future
            if pending is not None:
                load(pending)
        status = INTERRUPTED if stop_requested() else COMPLETED
    except WarehouseWriteError as exc:  # the run ends `failed` and its summary says why, in one sentence
        failure = str(exc)
    finally:
        with writer(db_path, lock_wait) as con:
            write_transaction(con, lambda: finish_run(con, run_id, counts, status))
            errors = first_errors(con, run_id)
            merge_run_log(con)
    summary = {"run_id": run_id, "status": status, **asdict(counts), "first_errors": errors}
    if failure is not None:
        summary["failure"] = failure
    return flow_outcome(summary)
