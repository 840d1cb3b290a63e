"""The Prefect flow `ingest`: targets in, batches of pages fetched + extracted in one task, loaded in another.

Batches, not pages, are the unit of Prefect work (a task per page would cost more than the page). While batch N
loads into DuckDB, batch N+1 is already being fetched and extracted, so at most two batches are in memory; into a
DuckLake, whose loads take turns with other writers', up to flows.batches.LAKE_BATCHES_AHEAD batches are extracted
ahead and a load takes every one extracted by then (flows.batches.ExtractedAhead).
The write connection is held only for one batch load, so readers are locked out for as short a time as possible.
With a Dask task runner (flows/dask_runner.py: `newsduck ingest --workers N` or `--dask-address`), the
fetch-and-extract tasks run in Dask's worker processes and only the loads in the flow's.
The run's progress goes to listeners (flows/progress.py) page by page, and to its `runs` row batch by batch.

URLs are fetched with the polite fetcher (flows/web): per-host limits, retries, bounded bodies. They are URLs the
user named, so robots.txt is not consulted (a crawl, `newsduck crawl`, always does). A URL fetched before is
asked for conditionally (If-None-Match / If-Modified-Since from the frontier table `urls`); a 304 loads nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import State
from prefect.utilities.annotations import quote

from parsers.urls import canonicalize_url
from warehouse import frontier
from warehouse.db import write_transaction
from warehouse.errors import WarehouseError, WarehouseWriteError, first_line
from warehouse.runs import COMPLETED, FAILED, INTERRUPTED, finish_run, first_errors, start_run

from .batches import (DEFAULT_BATCH_SIZE, Batch, BatchCounts, ExtractedAhead, batched, extract_pages, load_pages,
                      merge_batches, merge_run_log, page_from_result, prepare_rows, writer)
from .fetch import read_file
from .inputs import Target, expand_inputs
from .outcome import flow_outcome
from .prefect_flow import newsduck_flow
from .page import Page
from .progress import RunProgress
from .stopping import honoured_in_flow, stop_requested
from .web import FetchConfig, Fetcher, FetchRequest, origins_of


def ingest_fetch_config(named: list[str] = ()) -> FetchConfig:
    """Explicitly named URLs: no robots.txt, otherwise the crawl's politeness (per-host limits, retries); a
    redirect may reach a non-public address only at an origin the user named."""
    return FetchConfig(respect_robots=False, per_host_concurrency=4, block_private_addresses=True,
                       allowed_private_origins=origins_of(named))


async def fetch_urls(targets: list[Target], known: dict[str, tuple[str | None, str | None]],
                     config: FetchConfig | None = None) -> dict[str, Page]:
    """Fetch URL targets concurrently; `known` gives validators by canonical URL. Returns pages by input."""
    def requests():  # none once a stop is requested: what was fetched is kept
        for target in targets:
            if stop_requested():
                return
            canonical = canonicalize_url(target.url) or target.url
            etag, last_modified = known.get(canonical, (None, None))
            yield FetchRequest(target.url, etag=etag, last_modified=last_modified, tag=(target, canonical))

    pages: dict[str, Page] = {}
    async with Fetcher(config or ingest_fetch_config([t.url for t in targets])) as fetcher:
        async for result in fetcher.fetch_many(requests()):
            target, canonical = result.tag
            pages[target.input] = page_from_result(result, url=canonical, input=target.input)
    return pages


def known_validators(db_path: str, urls: list[str], lock_wait: float | None) -> dict[str, tuple[str | None, str | None]]:
    with writer(db_path, lock_wait) as con:
        return frontier.validators(con, urls)


@task(name="fetch-and-extract", cache_policy=NO_CACHE, persist_result=False)
def fetch_and_extract(targets: list[Target], db_path: str | None = None,
                      lock_wait: float | None = None, progress: RunProgress | None = None) -> Batch:
    """Read the files, fetch the URLs (conditionally when fetched before), extract; pages in input order.
    `progress` (pass it quoted) advances by each page extracted."""
    urls = [t for t in targets if t.is_url]
    fetched: dict[str, Page] = {}
    if urls:
        canonical = [canonicalize_url(t.url) or t.url for t in urls]
        known = known_validators(db_path, canonical, lock_wait) if db_path else {}
        fetched = asyncio.run(fetch_urls(urls, known))
    # a URL not fetched because a stop was requested is left out (not loaded, not counted)
    pages = [fetched[t.input] if t.is_url else read_file(t) for t in targets if not t.is_url or t.input in fetched]
    on_done = (lambda page: progress.advance(failed=page.error is not None)) if progress is not None else None
    return Batch(prepare_rows(extract_pages(pages, on_done=on_done)))


@newsduck_flow(name="ingest", log_prints=True)
def ingest(
    inputs: list[str],
    db_path: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    command: str = "ingest",
    lock_wait: float | None = None,
    file_urls: dict[str, str] | None = None,
    tasks_in_other_processes: bool = False,
) -> dict | State:
    """Fetch or read every input, extract articles and load them into the warehouse at `db_path`: a DuckDB file,
    or a DuckLake address (`ducklake:postgresql://…`, which several ingests may write at once).

    `file_urls` maps saved files (as given or absolute) to the URL they came from, so their links, images
    and article ids resolve as if fetched. `tasks_in_other_processes`: the flow runs with a task runner whose
    tasks run in other processes (flows.dask_runner), so the run's progress advances as each batch comes back
    rather than page by page in the task.
    """
    logger = get_run_logger()
    with writer(db_path, lock_wait) as con:
        run_id = write_transaction(con, lambda: start_run(
            con, flow_run_id=str(flow_run.id) if flow_run.id else None, command=command, inputs=0))

    total = BatchCounts()
    progress = RunProgress()
    status = FAILED
    failure = None

    def load(futures: list) -> None:
        batch = merge_batches([future.result() for future in futures])
        if tasks_in_other_processes:
            for page in batch.pages:
                progress.advance(failed=page.error is not None)
        counts = load_pages(db_path, run_id, quote(batch), lock_wait=lock_wait, track_new_urls=True,
                            holds_leases=False)  # an ingest claims no URLs of the frontier
        total.add(counts)
        progress.add_loaded(counts.counts)
        if counts.write_failure is not None:
            raise WarehouseWriteError(counts.write_failure)

    try:
        with honoured_in_flow():
            targets = list(expand_inputs(inputs, file_urls))
            progress.begin(len(targets))
            extracted = ExtractedAhead(db_path, chained=not tasks_in_other_processes)
            for batch in batched(targets, batch_size):
                if stop_requested():
                    break
                extracted.add(fetch_and_extract.submit(batch, db_path, lock_wait,
                                                       None if tasks_in_other_processes else quote(progress),
                                                       wait_for=extracted.wait_for()))
                if extracted.load_due():
                    load(extracted.next_load())
            while extracted:  # what was extracted is loaded, a stop requested or not
                load(extracted.next_load())
        status = INTERRUPTED if stop_requested() else COMPLETED
    except WarehouseWriteError as exc:  # the run ends `failed` and its summary says why, in one sentence
        failure = str(exc)
    finally:
        errors = []
        try:
            with writer(db_path, lock_wait, keep_waiting=True) as con:
                write_transaction(con, lambda: finish_run(con, run_id, total.counts, status))
                errors = first_errors(con, run_id)
                merge_run_log(con)
        except (duckdb.Error, WarehouseError) as exc:
            if failure is None:
                raise
            failure += f"; the run could not be marked failed either ({first_line(exc)})"
    logger.info("run %s (%s): %s, not modified %d", run_id, status, total.counts, total.not_modified)
    summary = {"run_id": run_id, "status": status, **asdict(total.counts), "not_modified": total.not_modified,
               "first_errors": errors}
    if failure is not None:
        summary["failure"] = failure
    return flow_outcome(summary)
