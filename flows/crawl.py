"""The Prefect flow `crawl`: discover a source's articles, fetch them politely, extract and load them in batches.

One flow run crawls one source (sources.toml, or an ad-hoc URL) and writes one `runs` row:

1. **Discover.** Fetch the start URLs by kind: list pages (following their pagination while it still turns up
   URLs the frontier did not know), feeds, sitemaps and sitemap indexes, and the sitemaps robots.txt names.
   An e-paper source fetches each date's edition (`edition_url`), its pages (版) and their article lists.
   Article URLs in scope — on the source's hosts, matching its include patterns (or, without patterns,
   looking like an article URL), not excluded — are queued in the frontier (`urls`). List pages, feeds
   and sitemaps are fetched again on every run.
2. **Fetch.** Stream the due article URLs from the frontier (queued; failed and due for a retry; with
   --refresh also those already stored, conditionally), claiming them a chunk at a time (a lease: another crawl
   of the site at the same time fetches other URLs), one polite `fetch_many` stream per host, at most
   `max_pages` per run. Results flow into batches while fetching goes on.
3. **Extract and load.** Each page starts extracting as soon as it is fetched (a worker thread, or worker
   processes); each full batch is then collected and loaded (one transaction, the write connection held for
   that batch only) by Prefect tasks in worker threads, while the event loop keeps fetching; loads run one
   after another, and a batch grows while the one before it is still loading. The frontier records each
   URL's outcome in bulk; frontier reads and writes made together share one short connection.

Every failure becomes an `errors` row and the URL's frontier state; the run goes on. A killed run leaves the
URLs it had not loaded `queued`, and the next run fetches them.
"""

from __future__ import annotations

import asyncio
import ctypes
import hashlib
import os
import re
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import duckdb
from prefect import get_run_logger
from prefect.runtime import flow_run
from prefect.states import State
from prefect.utilities.annotations import quote

from parsers.decode import decode_bytes
from parsers.discovery import looks_like_article_url, parse_feed, parse_list_page, parse_sitemap
from parsers.epaper import edition_date_from_url, edition_url, parse_edition_page
from parsers.errors import ParseError
from parsers.urls import canonicalize_url, dedup_key, matches_patterns, same_site
from warehouse import frontier
from warehouse.db import write_transaction
from warehouse.errors import WarehouseError, WarehouseWriteError, first_line
from warehouse.models import ErrorInfo
from warehouse.rows import NO_EDITION
from warehouse.runs import COMPLETED, FAILED, INTERRUPTED, finish_run, first_errors, register_source, start_run

from .batches import (DEFAULT_BATCH_SIZE, POOL_MIN_PAGES, Batch, BatchCounts, EarlyExtraction,
                      default_extract_workers, extract_batch, extraction_processes, load_pages,
                      merge_run_log, writer, page_from_result, start_extraction_processes)
from .outcome import flow_outcome, summary_of
from .prefect_flow import newsduck_flow
from .page import Page, Placement
from .progress import notify
from .sources import Source, find_source, load_sources, source_from_dict, sources_path
from .stopping import honoured_in_flow, stop_requested
from .summary import OUTCOMES, format_outcomes
from .web import FetchConfig, Fetcher, FetchRequest, FetchResult, HttpStatusError, origins_of

HTML_KINDS = (frontier.LIST, frontier.EDITION, frontier.EPAPER_PAGE)
FETCH_KIND = {frontier.LIST: "page", frontier.EDITION: "page", frontier.EPAPER_PAGE: "page",
              frontier.FEED: "feed", frontier.SITEMAP: "sitemap", frontier.ARTICLE: "page"}
MAX_CHILD_SITEMAPS = 50        # of a sitemap index, newest lastmod first
FRONTIER_CHUNK = 500           # URLs read from the frontier at a time, per host
MAX_PENDING_LOADS = 2          # batches handed to Prefect tasks and not yet loaded, before fetching waits
MAX_BATCH_FACTOR = 4           # a batch grows up to this many times batch_size while the one before is loading
MALLOC_ARENAS = 2              # glibc malloc arenas for a crawling process, see tune_malloc
MALLOC_MMAP_THRESHOLD = 128 << 10  # blocks this large or larger get pages of their own, see tune_malloc
_M_ARENA_MAX = -8              # mallopt parameters, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
FLUSH_SECONDS = 30.0           # a slow crawl still loads what it has at least this often
_FEED_ROOT = re.compile(rb"<(?:[\w-]+:)?(?:rss|feed|RDF)\b", re.I)
_ARTIFACT_KEY = re.compile(r"[^a-z0-9-]+")


# -------------------------------------------------------------------------------------------------------- counts


@dataclass
class CrawlStats:
    source: str
    started: float = field(default_factory=time.monotonic)
    discovered: int = 0        # URLs new to the frontier
    fetched: int = 0           # responses with a body, every kind
    not_modified: int = 0      # 304s to conditional GETs
    failed_fetches: int = 0    # fetches that ended in an error (also in `loaded` once their batch loads); a page
                               # skipped (robots.txt, no edition) is not an error
    bytes: int = 0             # bytes received
    articles_total: int | None = None   # article URLs due when fetching started (capped by max_pages)
    articles_done: int = 0
    loaded: BatchCounts = field(default_factory=BatchCounts)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def pages_per_second(self) -> float:
        return (self.fetched + self.not_modified + self.failed_fetches) / max(self.elapsed, 1e-6)

    def count_fetch(self, result: FetchResult, page: Page) -> None:
        self.bytes += result.bytes_read
        if result.not_modified:
            self.not_modified += 1
        elif result.error is None:
            self.fetched += 1
        elif page.skipped is None:
            self.failed_fetches += 1


# ----------------------------------------------------------------------------------------------------- scope


class Scope:
    """Which URLs belong to a source: its hosts, its include and exclude patterns."""

    def __init__(self, source: Source) -> None:
        self.hosts = source.hosts
        self.include = source.include
        self.exclude = source.exclude

    def on_site(self, url: str) -> bool:
        return same_site(url, self.hosts)

    def excluded(self, url: str) -> bool:
        return bool(self.exclude) and not matches_patterns(url, None, self.exclude)

    def follows(self, url: str) -> bool:
        """A list/edition page worth fetching for its links."""
        return self.on_site(url) and not self.excluded(url)

    def wants_article(self, url: str, *, structural: bool = False) -> bool:
        """An article to queue. `structural`: the document says it is one (a feed item, an e-paper title list)."""
        if not self.on_site(url) or self.excluded(url):
            return False
        if self.include:
            return matches_patterns(url, self.include, None)
        return structural or looks_like_article_url(url)


# ---------------------------------------------------------------------------------------------------- storage


class FrontierStore:
    """Frontier reads and writes from the event loop, in a worker thread with a short write connection.

    Calls that arrive while a connection is open (ten sitemaps parsed at once, every host's first chunk of
    URLs) run one after another on that same connection: opening the file costs more than the statements.
    On a DuckLake warehouse each write is one write transaction (warehouse.db.write_transaction: queued URLs,
    claimed leases), so the crawls that write one lake at once take turns and never queue or lease a URL twice.
    """

    def __init__(self, db_path: str, source_id: str, run_id: str, lock_wait: float | None) -> None:
        self.db_path = db_path
        self.source_id = source_id
        self.run_id = run_id
        self.lock_wait = lock_wait
        self._waiting: deque[tuple[Callable, asyncio.Future]] = deque()
        self._session: asyncio.Task | None = None

    async def call(self, function: Callable, *args, **kwargs):
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._waiting.append((lambda con: function(con, *args, **kwargs), future))
        if self._session is None or self._session.done():
            self._session = asyncio.create_task(self._run_session())
        return await future

    async def _run_session(self) -> None:
        loop = asyncio.get_running_loop()

        def settle(future: asyncio.Future, outcome, error) -> None:
            if future.cancelled():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(outcome)

        def run() -> None:
            # deque.popleft is atomic: the event loop appends while this thread drains
            with writer(self.db_path, self.lock_wait, keep_waiting=True) as con:
                while self._waiting:
                    work, future = self._waiting.popleft()
                    try:
                        outcome, error = work(con), None
                    except Exception as exc:  # handed to the caller, like a direct call would raise it
                        outcome, error = None, exc
                    loop.call_soon_threadsafe(settle, future, outcome, error)

        try:
            while self._waiting:  # a call that came as the connection was closing gets the next one
                await asyncio.to_thread(run)
        except Exception as exc:  # the connection could not be opened: every waiting call fails with it
            while self._waiting:
                _, future = self._waiting.popleft()
                if not future.done():
                    future.set_exception(exc)

    async def queue(self, urls: list[frontier.NewUrl]) -> int:
        if not urls:
            return 0
        return await self.call(lambda con: write_transaction(con, lambda: frontier.queue_urls(
            con, urls, source_id=self.source_id, run_id=self.run_id)))

    async def queue_found(self, articles: list[frontier.NewUrl], pages: list[frontier.NewUrl],
                          pages_only_if_new: bool) -> tuple[int, int, bool]:
        """Queue a page's article URLs, then its further pages (only if an article was new, when asked);
        returns (new articles, new pages, whether the pages were queued) — one connection."""
        def record(con):
            new_articles = frontier.queue_urls(con, articles, source_id=self.source_id, run_id=self.run_id)
            follow = bool(pages) and (new_articles > 0 or not pages_only_if_new)
            new_pages = frontier.queue_urls(con, pages, source_id=self.source_id, run_id=self.run_id) if follow else 0
            return new_articles, new_pages, follow

        if not articles and not pages:
            return 0, 0, False
        return await self.call(lambda con: write_transaction(con, lambda: record(con)))


class Pipeline:
    """Batches of fetched pages → extract task → load task, while the caller keeps fetching.

    Each page starts extracting as it arrives (EarlyExtraction), so a full batch is mostly extracted already.
    Loads are chained (each waits for the previous one); while one loads, the next batch grows past
    batch_size (up to MAX_BATCH_FACTOR times) instead of queueing behind it, and at most MAX_PENDING_LOADS
    batches are in the air before `add` waits, so memory stays flat whatever the crawl's size.
    """

    def __init__(self, db_path: str, run_id: str, source_id: str, stats: CrawlStats, *,
                 batch_size: int, lock_wait: float | None) -> None:
        self.db_path = db_path
        self.run_id = run_id
        self.source_id = source_id
        self.stats = stats
        self.batch_size = batch_size
        self.lock_wait = lock_wait
        self.buffer: list[Page] = []
        self.buffer_since = time.monotonic()
        self.pending: deque = deque()
        self.last_load = None
        self.load_done = threading.Event()  # set when the last batch handed over has loaded
        self.load_done.set()
        self.early = EarlyExtraction()

    async def add(self, page: Page, *, still_to_come: int = 0) -> None:
        """Add a fetched page. `still_to_come`: pages the caller expects after this one; when they are
        fewer than a quarter batch they join this batch rather than make a runt batch of their own (one
        load less at the end of a crawl, where nothing else overlaps it)."""
        if not self.buffer:
            self.buffer_since = time.monotonic()
        self.early.start(page)
        self.buffer.append(page)
        if self._ready(still_to_come):
            await self.flush()

    def _ready(self, still_to_come: int) -> bool:
        size = len(self.buffer)
        if time.monotonic() - self.buffer_since > FLUSH_SECONDS:
            return True
        if size < self.batch_size or 0 < still_to_come <= self.batch_size // 4:
            return False
        # While the previous batch is still loading this one grows (up to MAX_BATCH_FACTOR times): each load
        # pays a fixed price (index refresh, checkpoint on close), so fewer, bigger loads keep up with fetching.
        return self.load_done.is_set() or size >= self.batch_size * MAX_BATCH_FACTOR

    async def flush(self) -> None:
        if not self.buffer:
            return
        pages, self.buffer = self.buffer, []
        # quote(): Prefect must not walk 200 pages of records looking for futures (see load_pages); a Batch: the
        # task fills it and the load empties it, whatever Prefect keeps of the task's parameters
        extracted = extract_batch.submit(quote(Batch(pages)), self.source_id)
        after = [extracted] if self.last_load is None else [extracted, self.last_load]
        loaded = load_pages.submit(self.db_path, self.run_id, quote(extracted), self.source_id, self.lock_wait,
                                   wait_for=after)
        self.last_load = loaded
        self.load_done = threading.Event()
        loaded.add_done_callback(lambda _, done=self.load_done: done.set())
        self.pending.append(loaded)
        while len(self.pending) > MAX_PENDING_LOADS:
            await self._collect(self.pending.popleft())

    async def drain(self) -> None:
        await self.flush()
        while self.pending:
            await self._collect(self.pending.popleft())
        self.early.close()

    async def _collect(self, future) -> None:
        counts = await asyncio.to_thread(future.result)
        self.stats.loaded.add(counts)
        notify(self.stats)
        if counts.write_failure is not None:
            raise WarehouseWriteError(counts.write_failure)

    def abandon(self) -> None:
        """After a failure: let the batches already handed over finish, ignoring their errors."""
        for future in self.pending:
            try:
                future.wait()
            except Exception:  # pragma: no cover - best effort while failing
                pass
        self.pending.clear()
        self.early.close(cancel=True)


# --------------------------------------------------------------------------------------------------- discovery


@dataclass
class Job:
    """A discovery page to fetch."""
    url: str
    kind: str                       # list | feed | sitemap | edition | epaper_page
    depth: int = 0                  # list pages: pages followed from the start URL
    placement: Placement | None = None


@dataclass
class Found:
    articles: list[frontier.NewUrl] = field(default_factory=list)
    pages: list[Job] = field(default_factory=list)
    pages_only_if_new: bool = False  # pagination: follow only while the page turned up new articles


def is_missing_edition(job: Job, result: FetchResult) -> bool:
    """An e-paper date without an edition: its first page answered 404 (a day without paper), not an error."""
    return (job.kind == frontier.EDITION and isinstance(result.error, HttpStatusError)
            and result.error.status == 404)


def looks_like_feed(body: bytes) -> bool:
    return bool(_FEED_ROOT.search(body[:4096]))


class Crawl:
    """One source's crawl in one event loop: discovery, then the article fetch, feeding the pipeline."""

    def __init__(self, source: Source, fetcher: Fetcher, store: FrontierStore, pipeline: Pipeline,
                 stats: CrawlStats, *, max_pages: int | None, refresh: bool, dates: list[date]) -> None:
        self.source = source
        self.scope = Scope(source)
        self.fetcher = fetcher
        self.store = store
        self.pipeline = pipeline
        self.stats = stats
        self.max_pages = max_pages
        self.refresh = refresh
        self.dates = dates
        self.seen: set[str] = set()   # dedup keys of the discovery pages of this run (a few per list, not the crawl)
        self.following = asyncio.Lock()
        self.logger = get_run_logger()

    async def run(self) -> None:
        await self.discover()
        if not stop_requested():
            await self.fetch_articles()
        await self.pipeline.drain()  # on a stop request too: what was fetched is loaded

    # ---- discovery

    async def seed_jobs(self) -> list[Job]:
        jobs: list[Job] = []
        if self.source.is_epaper:
            for day in self.dates:
                url = canonicalize_url(edition_url(self.source.edition_url, day))
                if url:
                    jobs.append(Job(url, frontier.EDITION, placement=Placement(edition_date=day)))
            return jobs
        for start in self.source.start_urls:
            jobs.append(Job(start.url, start.kind))
        if self.source.use_robots_sitemaps:
            origins = []
            for start in self.source.start_urls:
                parts = urlsplit(start.url)
                origin = f"{parts.scheme}://{parts.netloc}"
                if origin not in origins:
                    origins.append(origin)
            # one robots.txt per origin, all origins at once (each host's own politeness still applies)
            for sitemaps in await asyncio.gather(*(self.fetcher.sitemaps(origin) for origin in origins)):
                for sitemap in sitemaps:
                    url = canonicalize_url(sitemap)
                    if url:
                        jobs.append(Job(url, frontier.SITEMAP))
        return jobs

    async def discover(self) -> None:
        jobs = []
        for job in await self.seed_jobs():
            key = dedup_key(job.url) or job.url
            if key not in self.seen:
                self.seen.add(key)
                jobs.append(job)
        self.stats.discovered += await self.store.queue([self._as_new_url(j) for j in jobs])
        work = deque(jobs)
        running: set[asyncio.Task] = set()
        limit = max(1, self.fetcher.config.global_concurrency)
        try:
            while work or running:
                if stop_requested():
                    work.clear()  # pages being fetched finish and are loaded; no new one starts
                while work and len(running) < limit:
                    running.add(asyncio.create_task(self.explore(work.popleft())))
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    work.extend(task.result())
        finally:
            for task in running:
                task.cancel()

    async def explore(self, job: Job) -> list[Job]:
        """Fetch a discovery page and record what it links to; returns the pages to follow. Pages are handled
        concurrently, so the frontier writes of pages that arrive together share one connection."""
        return await self.handle_discovery(await self.fetcher.fetch(job.url, kind=FETCH_KIND[job.kind], tag=job))

    async def handle_discovery(self, result: FetchResult) -> list[Job]:
        job: Job = result.tag
        page = page_from_result(result, url=job.url, kind=job.kind, load=job.kind in HTML_KINDS,
                                placement=job.placement)
        if is_missing_edition(job, result):
            page.skipped = NO_EDITION
            day = job.placement.edition_date if job.placement else None
            self.logger.info("no edition for %s: %s answered HTTP 404", day, job.url)
        self.stats.count_fetch(result, page)
        follow: list[Job] = []
        if result.body is not None:
            try:
                found = await asyncio.to_thread(self.parse, job, result)
            except Exception as exc:  # one bad page must not stop the crawl
                found = None
                if job.kind in HTML_KINDS:  # its extraction reports what is wrong with the page
                    self.logger.warning("could not read the links of %s: %s: %s", job.url, type(exc).__name__, exc)
                else:
                    stage = exc.stage if isinstance(exc, ParseError) else "parse"
                    page.fetch_error = ErrorInfo(job.url, stage, type(exc).__name__, str(exc) or type(exc).__name__)
            if found is not None:
                follow = await self.record_found(job, found)
        await self.pipeline.add(page)
        notify(self.stats)
        return follow

    async def record_found(self, job: Job, found: Found) -> list[Job]:
        if not found.pages:
            new_articles, _, _ = await self.store.queue_found(found.articles, [], found.pages_only_if_new)
            self.stats.discovered += new_articles
            return []
        async with self.following:  # which pages to follow is decided one page at a time, against `seen`
            pages = []
            for candidate in found.pages:
                key = dedup_key(candidate.url) or candidate.url
                if key not in self.seen:
                    pages.append(candidate)
            new_articles, new_pages, followed = await self.store.queue_found(
                found.articles, [self._as_new_url(p) for p in pages], found.pages_only_if_new)
            self.stats.discovered += new_articles + new_pages
            if not followed:
                return []
            for candidate in pages:
                self.seen.add(dedup_key(candidate.url) or candidate.url)
            return pages

    @staticmethod
    def _as_new_url(job: Job) -> frontier.NewUrl:
        placement = job.placement or Placement()
        return frontier.NewUrl(job.url, job.kind, placement.edition_date, placement.page_no, placement.page_name)

    def parse(self, job: Job, result: FetchResult) -> Found:
        """What a discovery page links to (runs in a thread: parsing a big sitemap takes a while)."""
        base = result.final_url
        if job.kind == frontier.LIST:
            return self.parse_list(job, result.body, result.content_type, base)
        if job.kind in (frontier.FEED, frontier.SITEMAP):
            return self.parse_xml(job, result.body, base)
        return self.parse_epaper(job, result.body, result.content_type, base)

    def parse_list(self, job: Job, body: bytes, content_type: str | None, base: str) -> Found:
        text, _ = decode_bytes(body, content_type)
        listing = parse_list_page(text, base)
        # Lists run newest first: once a page turns up nothing new, the pages after it will not either.
        found = Found(pages_only_if_new=True)
        found.articles = [frontier.NewUrl(link.url, frontier.ARTICLE) for link in listing.links
                          if self.scope.wants_article(link.url)]
        if job.depth + 1 < self.source.max_list_pages:
            found.pages = [Job(url, frontier.LIST, depth=job.depth + 1) for url in listing.pagination
                           if self.scope.follows(url) and not self.scope.wants_article(url)]
        return found

    def parse_xml(self, job: Job, body: bytes, base: str) -> Found:
        if looks_like_feed(body):
            items = parse_feed(body, base)
            return Found(articles=[frontier.NewUrl(item.url, frontier.ARTICLE) for item in items
                                   if self.scope.wants_article(item.url, structural=True)])
        sitemap = parse_sitemap(body, base)
        if sitemap.kind == "index":
            children = sorted(sitemap.entries, key=lambda e: e.lastmod or "", reverse=True)[:MAX_CHILD_SITEMAPS]
            parent_host = urlsplit(base).hostname
            return Found(pages=[Job(e.url, frontier.SITEMAP) for e in children
                                if self.scope.on_site(e.url) or urlsplit(e.url).hostname == parent_host],
                         )
        return Found(articles=[frontier.NewUrl(e.url, frontier.ARTICLE) for e in sitemap.entries
                               if self.scope.wants_article(e.url)])

    def parse_epaper(self, job: Job, body: bytes, content_type: str | None, base: str) -> Found:
        text, _ = decode_bytes(body, content_type)
        page = parse_edition_page(text, base)
        known = job.placement or Placement()
        day = known.edition_date or (date.fromisoformat(page.edition_date) if page.edition_date else None)
        page_no = page.page_no or known.page_no
        page_name = page.page_name or known.page_name
        found = Found()
        found.articles = [frontier.NewUrl(ref.url, frontier.ARTICLE, day, page_no, page_name)
                          for ref in page.article_urls if self.scope.wants_article(ref.url, structural=True)]
        own = dedup_key(base) or base
        for ref in page.page_urls:
            if (dedup_key(ref.url) or ref.url) == own or not self.scope.follows(ref.url):
                continue
            linked_day = edition_date_from_url(ref.url)
            if day is not None and linked_day is not None and linked_day != day:
                continue  # another edition's page
            found.pages.append(Job(ref.url, frontier.EPAPER_PAGE,
                                   placement=Placement(day, ref.page_no, ref.page_name)))
        return found

    # ---- articles

    async def fetch_articles(self) -> None:
        now = frontier.utc_now()
        due = await self.store.call(frontier.hosts_to_fetch, self.store.source_id, refresh=self.refresh, now=now,
                                    run_id=self.store.run_id)
        total = sum(n for _, n in due)
        self.stats.articles_total = min(total, self.max_pages) if self.max_pages is not None else total
        hosts = [host for host, _ in due]
        if not hosts or self.stats.articles_total == 0:
            return
        if self.stats.articles_total >= POOL_MIN_PAGES:
            start_extraction_processes()  # they start while the first batch is being fetched
        budget = Budget(self.max_pages)
        results: asyncio.Queue = asyncio.Queue(maxsize=self.pipeline.batch_size)
        per_host = self.fetcher.config.per_host_concurrency
        notify(self.stats)

        # URLs are claimed (leased to this run) as they are read, so that another crawl of the site does not
        # fetch them too; a run capped below a chunk claims no more than its cap at a time.
        chunk = min(FRONTIER_CHUNK, self.max_pages) if self.max_pages is not None else FRONTIER_CHUNK

        def read_chunk(host: str, after: tuple | None) -> asyncio.Future:
            return asyncio.ensure_future(self.store.call(
                frontier.claim_urls, self.store.run_id, self.store.source_id, host=host, after=after, limit=chunk,
                refresh=self.refresh, now=now))

        async def requests_for(host: str):
            # The next chunk is read while this one is fetched, so a host never waits for the database.
            upcoming: asyncio.Future | None = read_chunk(host, None)
            try:
                while upcoming is not None:
                    rows = await upcoming
                    upcoming = read_chunk(host, rows[-1].cursor) if len(rows) == chunk else None
                    for row in rows:
                        if stop_requested() or not budget.take():
                            return
                        conditional = self.refresh and row.status in frontier.HAVE_CONTENT
                        yield FetchRequest(row.url, kind="page", etag=row.etag if conditional else None,
                                           last_modified=row.last_modified if conditional else None, tag=row)
            finally:
                if upcoming is not None:
                    upcoming.cancel()

        async def fetch_host(host: str) -> None:
            try:
                async for result in self.fetcher.fetch_many(requests_for(host), max_in_flight=per_host + 2):
                    await results.put(result)
            finally:
                await results.put(None)

        workers = [asyncio.create_task(fetch_host(host)) for host in hosts]
        finished = 0
        try:
            while finished < len(workers):
                result = await results.get()
                if result is None:
                    finished += 1
                    continue
                row: frontier.FrontierRow = result.tag
                self.stats.articles_done += 1
                placement = (Placement(row.edition_date, row.page_no, row.page_name)
                             if row.edition_date or row.page_no else None)
                page = page_from_result(result, url=row.url, kind=frontier.ARTICLE, placement=placement)
                self.stats.count_fetch(result, page)
                await self.pipeline.add(page, still_to_come=self.stats.articles_total - self.stats.articles_done)
                notify(self.stats)
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()


class Budget:
    """At most `limit` article fetches per run (None: no limit)."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit

    def take(self) -> bool:
        if self.left is None:
            return True
        if self.left <= 0:
            return False
        self.left -= 1
        return True


# --------------------------------------------------------------------------------------------------------- flow


def tune_malloc(arenas: int = MALLOC_ARENAS, mmap_threshold: int = MALLOC_MMAP_THRESHOLD) -> None:
    """Tune glibc's malloc for a long crawl; a setting given in the environment (MALLOC_ARENA_MAX,
    MALLOC_MMAP_THRESHOLD_) stands, and off glibc this does nothing.

    - Arenas capped. A crawl allocates pages in the event loop, extracts them in one thread and loads them in
      Prefect's and DuckDB's threads; with glibc's default of 8 arenas per core each thread's arena keeps its own
      scraps and the process grows with the crawl. Measured (bench.crawl, 8,000 pages): RSS after each batch's
      load grew 378 -> 521 MB with the default, 395 -> 430 MB (flat after the first 3,000 pages) with 2 arenas.
      Called at flow start, when Prefect's threads have made a few arenas already (6 in the benchmark): no new
      ones are made after that.
    - A fixed mmap threshold. DuckDB takes its 256 KB blocks from malloc. glibc serves the first one with a
      mapping of its own, and on freeing it raises its threshold past 256 KB, so every later block comes from an
      arena's heap, where a freed block is kept unless it lies at the top. Fixing the threshold (128 KB, glibc's
      starting value) keeps each block in a mapping that goes back to the system when DuckDB frees it. Measured
      (bench.crawl, 2,000 / 8,000 / 16,000 pages): peak RSS 399 / 410 / 429 MB -> 386-389 / 401 / 408-410 MB,
      and no slower.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no arenas to cap)
        return
    if "MALLOC_ARENA_MAX" not in os.environ:
        mallopt(ctypes.c_int(_M_ARENA_MAX), ctypes.c_int(arenas))
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        mallopt(ctypes.c_int(_M_MMAP_THRESHOLD), ctypes.c_int(mmap_threshold))


def use_malloc_for_arrow() -> None:
    """Have Arrow take its buffers from malloc (capped above) instead of its own allocator, unless
    ARROW_DEFAULT_MEMORY_POOL says otherwise. Each batch builds and drops tens of MB of Arrow tables (rows to load,
    words to index); pyarrow's default, mimalloc, kept what they freed, and the crawl's memory crept up with it
    (bench/README.md, "Crawl benchmark")."""
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ:
        return
    import pyarrow

    pyarrow.set_memory_pool(pyarrow.system_memory_pool())


def fetch_config_for(source: Source, max_crawl_delay: float | None = None) -> FetchConfig:
    """The source's politeness; only the origins it names may be non-public addresses (no SSRF through links
    or redirects), unless the source allows private hosts."""
    named = [start.url for start in source.start_urls] + [source.edition_url or ""]
    named += [f"{scheme}://{host.lstrip('*.')}" for host in source.allowed_hosts for scheme in ("http", "https")
              if "://" not in host] + [host for host in source.allowed_hosts if "://" in host]
    config = FetchConfig(block_private_addresses=not source.allow_private_hosts,
                         allowed_private_origins=origins_of(named))
    if source.min_delay is not None:
        config.min_delay_per_host = source.min_delay
    if source.concurrency is not None:
        config.per_host_concurrency = source.concurrency
    if max_crawl_delay is not None:
        config.max_crawl_delay = max_crawl_delay
    return config


def edition_dates(source: Source, date_from: date | None, date_to: date | None) -> list[date]:
    """The e-paper dates to crawl: date_from..date_to inclusive; default today's edition in the source's zone."""
    today = datetime.now(ZoneInfo(source.timezone)).date()
    if date_from is None and date_to is None:
        return [today]
    start = date_from or date_to
    end = date_to or (today if date_from <= today else date_from)
    if end < start:
        raise ValueError(f"--from {start} is after --to {end}")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def resolve_source(source: str | dict, sources_file: str | None) -> Source:
    if isinstance(source, dict):
        return source_from_dict(source)
    return find_source(load_sources(sources_path(sources_file)), source)


@newsduck_flow(name="crawl", log_prints=True)
def crawl(
    source: str | dict,
    db_path: str,
    max_pages: int | None = None,
    refresh: bool = False,
    date_from: date | None = None,
    date_to: date | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    sources_file: str | None = None,
    max_crawl_delay: float | None = None,
    extract_workers: int | None = None,
    lock_wait: float | None = None,
) -> dict | State:
    """Crawl one source into the warehouse at `db_path` (a DuckDB file, or a DuckLake address that other crawls
    may fill at the same time) and return the run's summary.

    `source` is a source name from the sources file (`sources_file`, else $NEWSDUCK_SOURCES, else
    ./sources.toml) or a source as a dict (`Source.to_dict()`). `max_pages` overrides the source's limit
    on article fetches; `refresh` fetches stored articles again with conditional GETs. `date_from` and
    `date_to` pick e-paper editions (default: today's). `max_crawl_delay` caps a robots.txt Crawl-delay.
    """
    logger = get_run_logger()
    tune_malloc()
    use_malloc_for_arrow()
    src = resolve_source(source, sources_file)
    dates = edition_dates(src, date_from, date_to) if src.is_epaper else []
    limit = max_pages if max_pages is not None else src.max_pages
    stats = CrawlStats(source=src.name)

    def begin_run(con) -> str:
        run_id = start_run(con, flow_run_id=str(flow_run.id) if flow_run.id else None, command="crawl", inputs=0)
        start = src.edition_url if src.is_epaper else (src.start_urls[0].url if src.start_urls else None)
        register_source(con, src.name, name=src.name, kind=src.kind, start_url=start)
        frontier.finish_crawl_run(con, run_id, source_id=src.name, discovered=0, fetched=0, not_modified=0,
                                  bytes_read=0, duration_s=0.0)
        return run_id

    with writer(db_path, lock_wait) as con:
        run_id = write_transaction(con, lambda: begin_run(con))

    pipeline = Pipeline(db_path, run_id, src.name, stats, batch_size=batch_size, lock_wait=lock_wait)
    store = FrontierStore(db_path, src.name, run_id, lock_wait)
    workers = default_extract_workers() if extract_workers is None else extract_workers
    status = FAILED
    failure = None
    try:
        with extraction_processes(workers), honoured_in_flow():
            asyncio.run(_crawl(src, fetch_config_for(src, max_crawl_delay), store, pipeline, stats,
                               max_pages=limit, refresh=refresh, dates=dates))
        status = INTERRUPTED if stop_requested() else COMPLETED
    except WarehouseWriteError as exc:  # the run ends `failed` and its summary says why, in one sentence
        failure = str(exc)
    finally:
        if status != "completed":
            pipeline.abandon()
        summary = finish(db_path, run_id, src, stats, status, lock_wait, failure)
        logger.info("crawl %s (%s): %s", src.name, status, format_counts(summary))
        publish_artifact(src, summary)
    return flow_outcome(summary)


@newsduck_flow(name="crawl-sources", log_prints=True)
def crawl_sources(db_path: str, sources_file: str | None = None, names: list[str] | None = None,
                  max_crawl_delay: float | None = None) -> dict[str, dict]:
    """Crawl every source of the sources file (or only those in `names`), one after another, each as its own
    `crawl` run; returns each source's summary. A source whose crawl fails does not stop the others: the flow
    run fails at the end, naming them."""
    logger = get_run_logger()
    sources = load_sources(sources_path(sources_file))
    chosen = [find_source(sources, name) for name in names] if names else sources
    summaries: dict[str, dict] = {}
    failed: list[str] = []
    for src in chosen:
        try:
            summaries[src.name] = summary_of(crawl, source=src.to_dict(), db_path=db_path,
                                             max_crawl_delay=max_crawl_delay)
        except Exception as exc:  # noqa: BLE001 - one source's failure is reported, the next source still runs
            logger.error("crawl %s failed: %s: %s", src.name, type(exc).__name__, exc)
            failed.append(src.name)
            continue
        if summaries[src.name]["status"] == FAILED:
            logger.error("crawl %s failed: %s", src.name, summaries[src.name].get("failure"))
            failed.append(src.name)
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(chosen)} crawls failed: {', '.join(failed)}")
    return summaries


async def _crawl(source: Source, config: FetchConfig, store: FrontierStore, pipeline: Pipeline, stats: CrawlStats,
                 *, max_pages: int | None, refresh: bool, dates: list[date]) -> None:
    async with Fetcher(config) as fetcher:
        await Crawl(source, fetcher, store, pipeline, stats, max_pages=max_pages, refresh=refresh, dates=dates).run()


def finish(db_path: str, run_id: str, source: Source, stats: CrawlStats, status: str,
           lock_wait: float | None, failure: str | None = None) -> dict:
    """Close the `runs` row and build the summary (with the first errors and what is still queued). After a
    `failure` (the database could not be written) the summary has it; if the row cannot be written either, the
    summary says so and the next run on this machine marks the run interrupted."""
    duration = stats.elapsed
    counts = stats.loaded.counts
    states: dict[str, int] = {}
    errors: list[dict] = []
    try:
        def end_run(con) -> None:
            finish_run(con, run_id, counts, status)
            frontier.release_leases(con, run_id)
            frontier.finish_crawl_run(con, run_id, source_id=source.name, discovered=stats.discovered,
                                      fetched=stats.fetched, not_modified=stats.not_modified,
                                      bytes_read=stats.bytes, duration_s=duration)

        with writer(db_path, lock_wait, keep_waiting=True) as con:
            write_transaction(con, lambda: end_run(con))
            states = frontier.status_counts(con, source.name)
            errors = first_errors(con, run_id)
            merge_run_log(con)
    except (duckdb.Error, WarehouseError) as exc:
        if failure is None:
            raise
        failure += f"; the run could not be marked failed either ({first_line(exc)})"
    summary = {
        "run_id": run_id, "source": source.name, "status": status,
        "discovered": stats.discovered, "fetched": stats.fetched, "not_modified": stats.not_modified,
        "inputs": counts.inputs, **{key: getattr(counts, key) for key in OUTCOMES},
        "bytes": stats.bytes, "duration_s": round(duration, 3),
        "pages_per_s": round(stats.pages_per_second, 2),
        "queued": states.get(frontier.QUEUED, 0),
        "first_errors": errors,
    }
    if failure is not None:
        summary["failure"] = failure
    return summary


FETCH_COLUMNS = ("discovered", "fetched", "not_modified")   # a crawl's own counts, before its inputs' outcomes
RUN_COLUMNS = ("bytes", "duration_s", "queued")              # and after them


def format_counts(summary: dict) -> str:
    def words(names: tuple[str, ...]) -> list[str]:
        return [f"{name.replace('_', ' ')} {summary[name]}" for name in names]

    return "  ".join(words(FETCH_COLUMNS) + [format_outcomes(summary)] + words(RUN_COLUMNS))


def artifact_key(source: Source) -> str:
    slug = _ARTIFACT_KEY.sub("-", source.name.lower()).strip("-")
    if not slug or slug != source.name.lower():
        slug = (slug + "-" if slug else "") + hashlib.sha256(source.name.encode()).hexdigest()[:8]
    return f"crawl-{slug}"[:100]


def summary_markdown(source: Source, summary: dict) -> str:
    lines = [f"# Crawl of {source.name}: {summary['status']}", "", "| count | value |", "| --- | --- |"]
    names = FETCH_COLUMNS + ("inputs", *OUTCOMES) + RUN_COLUMNS + ("pages_per_s",)
    lines += [f"| {name} | {summary[name]} |" for name in names]
    lines += ["", f"run `{summary['run_id']}`", ""]
    if summary["first_errors"]:
        lines += ["## First errors", "", "| input | stage | type | message |", "| --- | --- | --- | --- |"]
        for error in summary["first_errors"]:
            cells = [str(error[k] or "").replace("|", "\\|").replace("\n", " ")[:200]
                     for k in ("input", "stage", "error_type", "message")]
            lines.append("| " + " | ".join(cells) + " |")
    else:
        lines.append("No errors.")
    return "\n".join(lines)


def publish_artifact(source: Source, summary: dict) -> None:
    from prefect.artifacts import create_markdown_artifact

    try:
        create_markdown_artifact(key=artifact_key(source), markdown=summary_markdown(source, summary),
                                 description=f"newsduck crawl of {source.name}")
    except Exception as exc:  # the summary is already in the database; a missing artifact is only a log line
        get_run_logger().warning("could not publish the crawl artifact: %s", exc)
