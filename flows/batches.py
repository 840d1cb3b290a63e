"""What `ingest` and `crawl` share: a fetched page on its way to the warehouse, extracting a batch, loading it.

Batches, not pages, are the unit of Prefect work. `load_pages` holds a write connection for one batch only:
it loads the pages and, in the same transaction (warehouse.load.load_batch), records in the frontier (`urls`) what
became of each fetched URL and adds the batch's counts to its run's row (`runs`, which so shows the run's progress);
the search index is brought up to date in a second short connection, when the batch left it something to do.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import deque
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Callable, Iterable, Iterator, TypeVar

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from warehouse import frontier, rowgroups
from warehouse import db
from warehouse.db import (WarehouseWriteError, batch_memory_cap, close_writer, lift_memory_limit, on_lake,
                          release_read_cache, write_transaction)
from warehouse.errors import WarehouseError, first_line
from warehouse.lake import is_lake_address, yield_to_write_turn
from warehouse.load import count_outcomes, load_batch
from warehouse.prepare import merge_prepared, prepare_pages
from warehouse.rows import ERROR, NOT_ARTICLE, SKIPPED_ROBOTS
from warehouse.models import ErrorInfo, LoadCounts, LoadedBatch, PageResult
from warehouse.runs import count_batch, record_errors
from warehouse.rowgroups import chunks_due, merge_chunk, run_log_chunks_due
from warehouse.search_queue import queued_for_search

from .extract_worker import extract_job
from .extract_worker import ready as extract_worker_ready
from .page import Page, Placement
from .stopping import stop_requested
from .web import (BadContentType, BadScheme, BadUrl, DecompressionBomb, FetchResult, ForbiddenAddress,
                  HttpStatusError, RobotsDisallowed, TooLarge, to_error_info, to_fetch_info)

DEFAULT_BATCH_SIZE = 200
# Failures that will not go away by asking again: the URL is `skipped` for good.
PERMANENT_FAILURES = (RobotsDisallowed, BadContentType, TooLarge, DecompressionBomb, BadScheme, BadUrl, ForbiddenAddress)
STORED_OUTCOMES = ("new", "updated", "unchanged", "duplicate")
POOL_MIN_PAGES = 64  # smaller batches are extracted in the task's own thread: no process start-up, no pickling

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass
class BatchCounts:
    """A batch load's LoadCounts, plus how many pages were not modified (a 304 loads nothing; it is counted
    in `counts` too, as `unchanged` when an article was stored from that URL, else as `not_article`)."""
    counts: LoadCounts = field(default_factory=LoadCounts)
    not_modified: int = 0
    write_failure: str | None = None  # the database could not be written: the batch was rolled back (why)

    def add(self, other: "BatchCounts") -> None:
        self.counts.add(other.counts)
        self.not_modified += other.not_modified
        self.write_failure = self.write_failure or other.write_failure


# ----------------------------------------------------------------------------------------------- fetched pages


def error_info(result: FetchResult, input: str) -> ErrorInfo | None:  # noqa: A002 - the warehouse's word
    """The fetch failure as the warehouse records it; an HTTP status reads `HTTP 404`, as `ingest` always wrote."""
    info = to_error_info(result, input)
    if info is not None and isinstance(result.error, HttpStatusError):
        info.error_type = f"HTTP {result.error.status}"
    return info


def fail_status(result: FetchResult) -> str:
    if isinstance(result.error, PERMANENT_FAILURES):
        return frontier.SKIPPED
    if isinstance(result.error, HttpStatusError) and result.error.status == 410:
        return frontier.GONE
    return frontier.FAILED


def page_from_result(result: FetchResult, *, url: str | None, input: str | None = None,  # noqa: A002
                     kind: str = frontier.ARTICLE, load: bool = True, placement: Placement | None = None) -> Page:
    """A polite fetcher's result as a Page; a 304 is never loaded (there is nothing new to load)."""
    source = input if input is not None else (url or result.url)
    info = to_fetch_info(result, input=source)
    skipped = SKIPPED_ROBOTS if isinstance(result.error, RobotsDisallowed) else None
    return Page(
        info, body=result.body, fetch_error=error_info(result, source), skipped=skipped, url=url, kind=kind, load=load and not result.not_modified, not_modified=result.not_modified,
        http_status=result.status, etag=result.etag, last_modified=result.last_modified,
        fail_status=fail_status(result), placement=placement,
    )


# -------------------------------------------------------------------------------------------------- extraction


def start_extraction(page: Page, executor: Executor) -> None:
    """Start extracting a page that will be loaded in `executor` now, so its batch finds it done."""
    if page.load and page.body is not None and page.extraction is None:
        try:
            page.extraction = executor.submit(extract_job, (page.body, page.fetch))
        except RuntimeError:  # a broken or shut-down pool: the batch's own extraction does it
            page.extraction = None


def _started_outcome(page: Page):
    """The outcome of the extraction `start_extraction` began, or None (none began, or its executor failed)."""
    future, page.extraction = page.extraction, None
    if future is None:
        return None
    try:
        return future.result()
    except Exception as exc:  # a broken pool or a cancelled job: extract it again in this thread
        logging.getLogger("newsduck.extract").warning(
            "early extraction of %s failed (%s: %s); extracting in this thread", page.input, type(exc).__name__, exc)
        return None


def extract_pages(pages: list[Page], pool: Executor | None = None,
                  on_done: Callable[[Page], None] | None = None) -> list[Page]:
    """Extract every page that will be loaded (in `pool`'s processes when given); sets `page.result`.
    Pages whose extraction `start_extraction` began get that outcome. `on_done(page)` is called once for each
    page, when it has its outcome (at once for a page with nothing to extract)."""
    todo = [p for p in pages if p.load]
    for page in todo:
        page.result = PageResult(fetch=page.fetch, body=page.body, error=page.fetch_error,
                                 skipped=page.skipped)
    with_body = [p for p in todo if p.body is not None]
    if on_done is not None:
        extracting = {id(p) for p in with_body}
        for page in pages:
            if id(page) not in extracting:
                on_done(page)
    started = [(p, outcome) for p in with_body if (outcome := _started_outcome(p)) is not None]
    if started:
        done = {id(p) for p, _ in started}
        with_body = [p for p in with_body if id(p) not in done]
    jobs = [(p.body, p.fetch) for p in with_body]
    outcomes = None
    if pool is not None and len(jobs) > 1:
        try:
            outcomes = list(pool.map(extract_job, jobs, chunksize=8))
        except Exception as exc:  # a broken or unstartable pool: extract here rather than lose the batch
            logging.getLogger("newsduck.extract").warning(
                "extraction processes failed (%s: %s); extracting in this thread", type(exc).__name__, exc)
            EXTRACT_POOL.disable()
    if outcomes is None:
        outcomes = map(_extract_in_thread, jobs)
    for page, (record, error) in chain(started, zip(with_body, outcomes)):
        if error is not None:
            page.result.error = error
        else:
            if page.kind != frontier.ARTICLE:
                record.is_article = False  # a list or edition page is never stored as an article
            page.fetch.charset = record.charset
            page.result.record = record
        if on_done is not None:
            on_done(page)
    return pages


def _extract_in_thread(job):
    """extract_job in this process's thread, after any write turn of the process (warehouse.lake
    `yield_to_write_turn`): the lake's other writers wait for the turn, nobody for this page."""
    yield_to_write_turn()
    return extract_job(job)


class _ExtractPool:
    """The crawl's worker processes for extraction, shared by its extract tasks (threads) for one flow run.

    `start` launches them in the background; until they have started (imports done), `get` returns None and
    batches are extracted in the task's own thread, so a slow start never holds a batch up.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._warm = None
        self._workers = 0

    def configure(self, workers: int) -> None:
        self._workers = workers

    def start(self) -> None:
        with self._lock:
            if self._workers < 1 or self._pool is not None:
                return
            # forkserver/spawn, never fork: this process runs threads (Prefect, the fetch loop) that a fork
            # would copy mid-flight. (So scripts that run the crawl need the `if __name__ == "__main__":` guard.)
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if context.get_start_method() == "forkserver":
                context.set_forkserver_preload(["flows.extract_worker"])  # workers fork warm, parsers imported
            self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)
            self._warm = [self._pool.submit(extract_worker_ready) for _ in range(self._workers)]

    def get(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._pool is None or not all(f.done() for f in self._warm):
                return None
            if not any(f.cancelled() or f.exception() is not None for f in self._warm):
                return self._pool
        self.disable()  # a worker could not start: extract in threads for the rest of the run
        return None

    def disable(self) -> None:
        """Stop using processes for the rest of this flow run (they failed)."""
        with self._lock:
            pool, self._pool, self._workers = self._pool, None, 0
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool, self._workers = self._pool, None, 0
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


EXTRACT_POOL = _ExtractPool()


class EarlyExtraction:
    """Where a crawl's pages start extracting as they arrive: the extraction processes once they are up, else
    one thread of its own. A batch is then mostly extracted when it is full, and the last one soon after the
    last fetch, instead of all of it after."""

    def __init__(self) -> None:
        self._thread: ThreadPoolExecutor | None = None

    def start(self, page: Page) -> None:
        start_extraction(page, self._executor())

    def _executor(self) -> Executor:
        pool = EXTRACT_POOL.get()
        if pool is not None:
            return pool
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsduck-extract")
        return self._thread

    def close(self, *, cancel: bool = False) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.shutdown(wait=not cancel, cancel_futures=cancel)


@contextmanager
def extraction_processes(workers: int) -> Iterator[None]:
    """Allow extraction in `workers` processes while the block runs (0: in the calling thread); they are
    started by `start_extraction_processes`, when a crawl knows it has enough pages to pay for them."""
    EXTRACT_POOL.configure(workers)
    try:
        yield
    finally:
        EXTRACT_POOL.shutdown()


def default_extract_workers() -> int:
    """One process per core but one (the fetch loop and the loads keep the main process busy); none on two
    cores or fewer, where a worker process only competes with the fetch loop for the same cores (measured:
    2 cores, 4 hosts at 100 ms: 48 pages/s extracting in a thread, 43 with one worker process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores - 1 if cores > 2 else 0


def start_extraction_processes() -> None:
    EXTRACT_POOL.start()


def prepare_rows(pages: list[Page], source_id: str | None = None) -> list[Page]:
    """Make the batch's warehouse rows (hashes, compressed bodies, fingerprints) now, so that its load holds the
    write connection only to write. If that fails, the load makes them itself: nothing is lost."""
    loadable = [p for p in pages if p.load and p.result is not None]
    yield_to_write_turn()  # on a lake, a turn of this process's loads first (see _extract_in_thread)
    try:
        prepared = prepare_pages([p.result for p in loadable], source_id=source_id)
    except Exception as exc:
        logging.getLogger(__name__).warning("rows not prepared before the load (%s: %s)", type(exc).__name__, exc)
        return pages
    for page, rows in zip(loadable, prepared):
        page.rows = rows
    return pages


class Batch:
    """A batch of pages as a task returns it: one object, not a list. Prefect records an entry for every element
    of a list a task returns (`run_results`, kept until the flow run ends), so a list of pages would leave an
    entry per page of the whole crawl; a plain object with slots is recorded once."""

    __slots__ = ("pages",)

    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages


@task(name="extract-batch", cache_policy=NO_CACHE, persist_result=False)
def extract_batch(pages: Batch | list[Page], source_id: str | None = None) -> Batch:
    """Extract a batch (pass it quoted, see `load_pages`), in worker processes once they are up, and prepare
    its rows for `source_id`.

    Given a Batch, the task fills that same object and returns it: Prefect keeps a task's parameters as long as
    it keeps the task's engine (in reference cycles, freed only by the garbage collector), so a crawl passes a
    Batch and the load's emptying it lets go of the pages whichever reference outlives the task."""
    batch = pages if isinstance(pages, Batch) else Batch(pages)
    todo, batch.pages = batch.pages, []
    extracted = extract_pages(todo, EXTRACT_POOL.get() if len(todo) >= POOL_MIN_PAGES else None)
    batch.pages = prepare_rows(extracted, source_id)
    return batch


def merge_batches(batches: list[Batch]) -> Batch:
    """Extracted batches as one, to load in one transaction: their pages in order, their prepared rows joined
    (warehouse.prepare.merge_prepared). The batches given are emptied."""
    if len(batches) == 1:
        return batches[0]
    pages = [page for batch in batches for page in batch.pages]
    for batch in batches:
        batch.pages = []
    merge_prepared([page.rows for page in pages if page.rows is not None])
    return Batch(pages)


# On a lake: batches extracted ahead of the load, at most, and so loaded together in one write turn, at most.
LAKE_BATCHES_AHEAD = 4


class ExtractedAhead:
    """A run's extraction tasks in input order, ahead of its loads (which run in the caller's thread).

    On a DuckDB file one batch is extracted while the one before it loads. On a lake, whose writers take turns
    to load, a load may wait for other writers' turns; so that the process keeps extracting meanwhile, up to
    LAKE_BATCHES_AHEAD batches are extracted ahead, one after another when they run in this process (the oldest
    is ready first), and a load takes the oldest with every batch after it already extracted, in one turn (a
    turn's reads of the lake and its commit cost about the same whatever its pages). So at most
    LAKE_BATCHES_AHEAD + 1 batches are in memory on a lake, two on a file."""

    def __init__(self, db_path: str, *, chained: bool) -> None:
        self.lake = is_lake_address(db_path)
        self.ahead = LAKE_BATCHES_AHEAD if self.lake else 1
        self.chained = chained and self.lake
        self.pending: deque = deque()

    def wait_for(self) -> list | None:
        """What the next extraction task waits for (pass as the task's `wait_for`)."""
        return [self.pending[-1]] if self.chained and self.pending else None

    def add(self, future) -> None:
        self.pending.append(future)

    def load_due(self) -> bool:
        """Whether the caller loads before it submits another extraction."""
        return len(self.pending) > self.ahead

    def __bool__(self) -> bool:
        return bool(self.pending)

    def next_load(self) -> list:
        """The futures of the next load's batches: the oldest (waited for) and, on a lake, those after it that are
        done, up to LAKE_BATCHES_AHEAD."""
        taken = [self.pending.popleft()]
        taken[0].wait()
        while (self.lake and self.pending and len(taken) < LAKE_BATCHES_AHEAD
               and self.pending[0].wrapped_future.done()):  # a thread's or Dask's future: asks no server
            taken.append(self.pending.popleft())
        return taken


# ------------------------------------------------------------------------------------------------------ loading


# What a flow's writer waiting past the busy timeout keeps (see warehouse.db.open_writer's `keep_waiting`).
KEPT_WHILE_LOCKED = "what was fetched is kept and loaded"


def _log_wait(message: str) -> None:
    get_run_logger().warning(message)


def open_writer(db_path: str, wait_seconds: float | None = None, *, keep_waiting: bool = False):
    """warehouse.db.open_writer inside a flow: the wait is logged to the flow run and a stop request (Ctrl-C)
    ends a wait that `keep_waiting` prolongs. Close it with `close_writer` (or use `writer`). A `db_path` that is
    still a prefect.yaml placeholder (`{{ $NEWSDUCK_WAREHOUSE }}`: the variable was not set where `prefect deploy`
    ran) is refused, never made a file of that name."""
    if "{{" in db_path:
        raise WarehouseError(f"the deployment's db_path is {db_path!r}, a placeholder prefect deploy left unfilled; "
                             "set NEWSDUCK_WAREHOUSE and deploy again, or run it with --param db_path=…")
    return db.open_writer(db_path, wait_seconds, keep_waiting=KEPT_WHILE_LOCKED if keep_waiting else None,
                          should_stop=stop_requested, on_wait=_log_wait)


@contextmanager
def writer(db_path: str, wait_seconds: float | None = None, *, keep_waiting: bool = False) -> Iterator:
    """A write connection for the length of the block (one batch, one bookkeeping step); see `open_writer`."""
    con = open_writer(db_path, wait_seconds, keep_waiting=keep_waiting)
    try:
        yield con
    finally:
        close_writer(con)


@task(name="load-batch", cache_policy=NO_CACHE, persist_result=False)
def load_pages(db_path: str, run_id: str, pages, source_id: str | None = None,
               lock_wait: float | None = None, track_new_urls: bool = False, holds_leases: bool = True) -> BatchCounts:
    """Load a batch and settle its URLs in the frontier, then index it for search; the write connections are held
    for this batch only.

    `pages` is the batch (a Batch or a list of Page), or the future of the task that extracts it. Pass either
    wrapped in prefect.utilities.annotations.quote: otherwise Prefect walks every record of the batch looking for
    futures (measured: 0.5-1 s of GIL per 200 pages, taken from the fetch loop). `track_new_urls` adds fetched URLs
    the frontier does not know yet (ingest); a crawl queued them already. `holds_leases=False`: the run claims no
    URLs of the frontier (ingest), so it has no leases to renew. A database that cannot be written (disk
    full) rolls the batch back and sets `write_failure` in the counts returned (not raised: the caller ends its run
    with that one sentence).
    """
    if hasattr(pages, "result"):
        pages = pages.result()
    batch = pages if isinstance(pages, Batch) else Batch(pages)
    try:
        with writer(db_path, lock_wait, keep_waiting=True) as con:
            counts = load_and_settle(con, run_id, batch.pages, source_id, track_new_urls=track_new_urls,
                                     holds_leases=holds_leases)
            search_due = search_refresh_due(con)
    except WarehouseWriteError as exc:  # returned, not raised: the flow ends the run with one sentence
        batch.pages = []
        return BatchCounts(write_failure=str(exc))
    # Loaded: let go of the pages now. Prefect's states and futures keep the Batch in reference cycles that only
    # the garbage collector frees, every few batches and less often as the heap grows (up to 5 loaded batches
    # were alive at once, more the longer the crawl).
    batch.pages = []
    # The search index, then the upkeep that falls due, each in a write connection of its own: a connection's new
    # rows stay in DuckDB's memory until the checkpoint at its close, so work done on top of them adds its memory
    # to theirs. The batch's rows (~40 MB for 200 pages) under the refresh (~35 MB) were the peak of a crawl;
    # the sorted rewrite of the postings or a merge on top of the refresh's would be (bench/README.md,
    # "Crawl benchmark"). The search queue carries the batch's changes across the close.
    compact = False
    if search_due:
        with writer(db_path, lock_wait, keep_waiting=True) as con:
            compact = refresh_search(con)
    check_row_groups = row_group_check_due(db_path)
    if compact or check_row_groups:
        with writer(db_path, lock_wait, keep_waiting=True) as con:
            if compact:
                compact_search(con)
            if check_row_groups:
                merge_row_groups(con, row_group_chunks_due(con))
    return counts


def search_refresh_due(con) -> bool:
    """Whether the search index has articles to (re)index (warehouse.search_queue). A batch that changed no article
    and left nothing queued skips the refresh: its write connection, and warehouse.search's import (the segmenter's
    dictionary, 0.15-0.25 s). True when the queue cannot be read: the refresh then tries, and logs why it failed."""
    try:
        return queued_for_search(con) > 0
    except duckdb.Error:
        return True


def refresh_search(con) -> bool:
    """Keep full-text search current after every batch that queued something for it. Returns whether the postings
    are due for their sorted rewrite (`compact_search`), which the caller runs after closing (the postings grow only
    in a refresh, so a batch that needs no refresh needs no rewrite either).

    The batch is already committed: if segmentation or indexing fails, the next batch's refresh catches up.
    """
    from warehouse.search import compaction_due, refresh_search_index

    def refresh() -> bool:
        write_transaction(con, lambda: refresh_search_index(con, compact=False))  # on a lake, one commit
        return compaction_due(con)

    return _upkeep(con, "search index refresh", refresh, failed="search index not refreshed", otherwise=False)


def compact_search(con) -> None:
    """Rewrite the search postings sorted by word; a failure only leaves them unsorted until the next try."""
    from warehouse.search import compact_search_index

    _upkeep(con, "search postings rewrite", lambda: compact_search_index(con), failed="search postings not rewritten")


_batches_since_row_group_check: dict[str, int] = {}
_row_group_check_lock = threading.Lock()


def row_group_check_due(db_path: str) -> bool:
    """Every MERGE_AFTER_SMALL batches loaded into a database by this process. Finding the row groups reads every
    block of the tables (`pragma_storage_info`: 20 MB per table of 16,000 articles before they were merged), so it
    is not done after every batch, nor on top of a batch's rows."""
    if is_lake_address(db_path):  # a lake's Parquet files are no DuckDB row groups
        return False
    with _row_group_check_lock:
        count = _batches_since_row_group_check.get(db_path, 0) + 1
        _batches_since_row_group_check[db_path] = count % rowgroups.MERGE_AFTER_SMALL
        return count >= rowgroups.MERGE_AFTER_SMALL


def row_group_chunks_due(con, find: Callable[[object], dict[str, list[rowgroups.RowGroup]]] | None = None
                         ) -> dict[str, list[rowgroups.RowGroup]]:
    """The chunk of row groups to merge in each table that is due (`find`: warehouse.rowgroups.chunks_due by
    default). Under the batch cap, and the blocks read dropped after: describing the row groups reads every block of
    the three tables, which grow with the warehouse (20 MB each at 16,000 articles, unmerged), so it is done once per
    check, not again for the merge."""
    if on_lake(con):  # a lake's Parquet files are no DuckDB row groups
        return {}
    try:
        with batch_memory_cap(con):
            due = (find or chunks_due)(con)
        release_read_cache(con)
        return due
    except Exception as exc:
        logging.getLogger(__name__).warning("row groups not inspected: %s", exc)
        return {}


def merge_row_groups(con, chunks: dict[str, list[rowgroups.RowGroup]]) -> None:
    """Merge each table's chunk of small row groups (warehouse.rowgroups); a failure only leaves them small
    until the next check."""
    for table, chunk in chunks.items():
        _upkeep(con, f"merge of {table}'s row groups", lambda: merge_chunk(con, table, chunk),
                failed=f"row groups of {table} not merged")


def merge_run_log(con) -> None:
    """Merge the small row groups of the run log (warehouse.rowgroups.RUN_LOG_TABLES): call it at the end of every
    run, in the writer that closes its `runs` row, so that a run which changes nothing leaves the file's size as it
    was. The run log stays merged, so describing it reads a few blocks."""
    merge_row_groups(con, row_group_chunks_due(con, run_log_chunks_due))


def _upkeep(con, what: str, work: Callable[[], T], *, failed: str, otherwise: T | None = None) -> T | None:
    """Upkeep after a committed batch (search index, postings, row groups): `work` runs under the batch's memory
    cap, and once more without it if it ran out of memory. Any failure is logged (`failed`: the reason follows)
    and `otherwise` returned: the batch stays loaded, and the next batch's upkeep tries again. A full disk is
    logged below the terminal's level: the batch that meets it ends the run with the one line that says so."""
    log = logging.getLogger(__name__)
    try:
        with batch_memory_cap(con):
            try:
                return work()
            except duckdb.OutOfMemoryException as exc:
                if not lift_memory_limit(con):
                    raise
                log.info("%s needed more than the batch's memory cap (%s); retrying without it", what, first_line(exc))
                return work()
    except Exception as exc:
        disk_full = "No space left on device" in str(exc)  # DuckDB's I/O errors carry the OS's message, no errno
        log.log(logging.INFO if disk_full else logging.WARNING, "%s: %s", failed, first_line(exc))
        return otherwise


def load_and_settle(con, run_id: str, pages: list[Page], source_id: str | None, *,
                    track_new_urls: bool = False, holds_leases: bool = True) -> BatchCounts:
    """Load the batch and, in its transaction, settle its URLs in the frontier and add its counts to the run's
    row: a load is never committed with its URLs still due (a process killed after the commit would fetch them
    again), nor the URLs settled without the load."""
    loadable = [p for p in pages if p.load and p.result is not None]
    tracked = [p for p in pages if p.url is not None]
    # Pages only the frontier hears of (a crawl's feeds and sitemaps) are inputs too, with an outcome of their own.
    unloaded = [p for p in pages if not p.load and not p.not_modified]
    unloaded_errors = [p.error for p in unloaded if p.error is not None and p.skipped is None]
    # A 304 repeats the page's last outcome: an unchanged article, or a page that is not an article.
    not_modified = [p.fetch.url or p.input for p in pages if p.not_modified]
    articles = frontier.urls_with_articles(con, not_modified)
    settled = BatchCounts(not_modified=len(not_modified))

    def settle_batch(con, loaded: LoadedBatch) -> None:  # may run again after a rolled-back attempt
        counts = settled.counts = LoadCounts()
        counts.add(loaded)
        counts.add(count_outcomes([unloaded_outcome(p) for p in unloaded]))
        counts.inputs += len(not_modified)
        counts.unchanged += sum(1 for url in not_modified if url in articles)
        counts.not_article += sum(1 for url in not_modified if url not in articles)
        marks, placements = settle(tracked, loaded.outcomes)
        if track_new_urls:
            frontier.queue_urls(con, [frontier.NewUrl(p.url, p.kind) for p in tracked], source_id=source_id,
                                run_id=run_id)
        record_errors(con, run_id, unloaded_errors)
        frontier.mark_urls(con, marks)
        frontier.place_epaper_articles(con, placements)
        if holds_leases:  # the run is alive: the URLs it claimed stay its own
            frontier.renew_leases(con, run_id)
        count_batch(con, run_id, counts)  # the run's row follows its batches: another process can watch it

    with batch_memory_cap(con):
        load_batch(con, run_id, [p.rows if p.rows is not None and p.rows.source_id == source_id else p.result
                                 for p in loadable], source_id=source_id, settle=settle_batch)
    release_read_cache(con)
    return settled


def unloaded_outcome(page: Page) -> str:
    if page.skipped is not None:
        return page.skipped
    return ERROR if page.error is not None else NOT_ARTICLE


def settle(pages: list[Page], outcomes: dict[str, tuple[str, str | None]]) -> tuple[list[frontier.UrlMark], list[frontier.Placement]]:
    """What each page's URL becomes in the frontier, and where its e-paper article was printed."""
    marks: list[frontier.UrlMark] = []
    placements: list[frontier.Placement] = []
    for page in pages:
        fetch = page.fetch
        mark = frontier.UrlMark(page.url, frontier.FAILED, fetch.fetched_at, page.http_status, page.etag,
                                page.last_modified)
        error = page.error
        if page.not_modified:
            mark.status = frontier.NOT_MODIFIED
        elif page.fetch_error is not None:
            mark.status, mark.error = page.fail_status, _describe(page.fetch_error)
        elif not page.load:
            if error is not None:
                mark.error = _describe(error)
            else:
                mark.status = frontier.FETCHED
        else:
            outcome, article_id = outcomes.get(page.input, (None, None))
            if outcome in STORED_OUTCOMES:
                mark.status = frontier.STORED if page.kind == frontier.ARTICLE else frontier.FETCHED
                if article_id and page.placement is not None:
                    placements.append(frontier.Placement(article_id, page.placement.edition_date,
                                                         page.placement.page_no, page.placement.page_name))
            elif outcome == "not_article":
                mark.status = frontier.FETCHED
            else:
                mark.error = _describe(error) if error is not None else "not loaded (the batch was rolled back)"
        marks.append(mark)
    return marks, placements


def _describe(error: ErrorInfo) -> str:
    return f"{error.error_type}: {error.message}"
