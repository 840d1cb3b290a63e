"""The Prefect flow `ingest`: targets in, batches of pages fetched + extracted in one task, loaded in another.

Batches, not pages, are the unit of Prefect work (a task per page would cost more than the page). While batch N
loads into DuckDB, batch N+1 is already being fetched and extracted, so at most two batches are in memory.
The write connection is held only for one batch load, so readers are locked out for as short a time as possible.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from itertools import islice
from typing import Iterable, Iterator

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from parsers import extract_article
from parsers.errors import ParseError
from warehouse.db import WarehouseLockedError, connect
from warehouse.load import load_batch
from warehouse.models import ErrorInfo, LoadCounts, PageResult
from warehouse.runs import finish_run, record_errors, start_run

from .fetch import Fetched, fetch_all
from .inputs import Target, expand_inputs

DEFAULT_BATCH_SIZE = 200
LOCK_WAIT_SECONDS = 60.0


def batched(items: Iterable[Target], size: int) -> Iterator[list[Target]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def extract_fetched(item: Fetched) -> PageResult:
    """Parse one fetched page; a page that cannot be decoded or parsed becomes an ErrorInfo, never an exception."""
    result = PageResult(fetch=item.fetch, body=item.body, error=item.error)
    if item.body is None:
        return result
    try:
        record = extract_article(
            item.body, url=item.fetch.url, path=item.fetch.path, content_type=item.fetch.content_type
        )
    except ParseError as exc:
        result.error = ErrorInfo(item.fetch.input, exc.stage, type(exc).__name__, str(exc))
        return result
    item.fetch.charset = record.charset
    result.record = record
    return result


@task(name="fetch-and-extract", cache_policy=NO_CACHE, persist_result=False)
def fetch_and_extract(targets: list[Target]) -> list[PageResult]:
    return [extract_fetched(item) for item in fetch_all(targets)]


def open_writer(db_path: str, wait_seconds: float = LOCK_WAIT_SECONDS):
    """Open the write connection, waiting (visibly) while another process holds the file."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.2
    while True:
        try:
            return connect(db_path)
        except WarehouseLockedError:
            if time.monotonic() >= deadline:
                raise
            get_run_logger().warning("%s is busy; waiting %.1fs for the other writer", db_path, delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


@task(name="load-batch", cache_policy=NO_CACHE, persist_result=False)
def load_pages(db_path: str, run_id: str, results: list[PageResult], lock_wait: float = LOCK_WAIT_SECONDS) -> LoadCounts:
    con = open_writer(db_path, lock_wait)
    try:
        return load_batch(con, run_id, results)
    finally:
        con.close()


@flow(name="ingest", log_prints=True)
def ingest(
    inputs: list[str],
    db_path: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    command: str = "ingest",
    lock_wait: float = LOCK_WAIT_SECONDS,
    file_urls: dict[str, str] | None = None,
) -> dict:
    """Fetch or read every input, extract articles and load them into the DuckDB file at `db_path`.

    `file_urls` maps saved files (as given or absolute) to the URL they came from, so their links, images
    and article ids resolve as if fetched.
    """
    logger = get_run_logger()
    con = open_writer(db_path, lock_wait)
    try:
        run_id = start_run(con, flow_run_id=str(flow_run.id) if flow_run.id else None, command=command, inputs=0)
    finally:
        con.close()

    counts = LoadCounts()
    status = "failed"
    try:
        pending = None
        for batch in batched(expand_inputs(inputs, file_urls), batch_size):
            future = fetch_and_extract.submit(batch)
            if pending is not None:
                counts.add(load_pages(db_path, run_id, pending.result(), lock_wait))
            pending = future
        if pending is not None:
            counts.add(load_pages(db_path, run_id, pending.result(), lock_wait))
        status = "completed"
    finally:
        con = open_writer(db_path, lock_wait)
        try:
            finish_run(con, run_id, counts, status)
        finally:
            con.close()
    logger.info("run %s: %s", run_id, counts)
    return {"run_id": run_id, **asdict(counts)}
