"""The crawl's plumbing between fetching and loading: early extraction and the frontier store's shared connections.

Real DuckDB files, real parsers; one small Prefect flow run for what Prefect keeps of a task's batch
(tests/test_crawl.py covers the crawl flow end to end).
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from conftest import FIXTURES
from prefect import flow
from prefect.context import FlowRunContext
from prefect.utilities.annotations import quote

from flows.batches import Batch, extract_batch, extract_pages, load_pages, start_extraction
from flows.crawl import FrontierStore
from flows.page import Page
from warehouse import frontier
from warehouse.db import connect
from warehouse.models import FetchInfo
from warehouse.runs import start_run

SITE = FIXTURES / "site"


def site_pages() -> list[Page]:
    made = []
    paths = sorted(p.relative_to(SITE).as_posix() for p in (SITE / "content").rglob("*.html"))[:8]
    for path in paths + ["list/index.html"]:
        info = FetchInfo(input="/" + path, url="http://127.0.0.1:8000/" + path, path=None,
                         fetched_at=datetime.now(timezone.utc), status=200, content_type="text/html")
        made.append(Page(info, body=(SITE / path).read_bytes(), url=info.url,
                         kind="list" if path.startswith("list/") else "article"))
    return made


def test_early_extraction_gives_the_same_records_as_extraction_in_the_batch():
    expected = extract_pages(site_pages())
    pages = site_pages()
    with ThreadPoolExecutor(max_workers=1) as executor:
        for page in pages:
            start_extraction(page, executor)
        assert all(page.extraction is not None for page in pages)
        got = extract_pages(pages)
    assert [p.result.record.to_dict() for p in got] == [p.result.record.to_dict() for p in expected]
    assert [p.result.record.is_article for p in got] == [True] * 8 + [False]  # a list page never is one
    assert all(page.extraction is None for page in got)  # collected, so the batch does not keep the futures


def test_a_failed_early_extraction_is_done_again_in_the_batch():
    expected = extract_pages(site_pages())
    pages = site_pages()
    executor = ThreadPoolExecutor(max_workers=1)
    executor.shutdown()
    for page in pages:
        start_extraction(page, executor)  # a shut-down executor takes nothing: the batch extracts them all
    assert all(page.extraction is None for page in pages)
    assert [p.result.record.to_dict() for p in extract_pages(pages)] == \
        [p.result.record.to_dict() for p in expected]


def test_the_extract_task_returns_its_batch_as_one_object_so_prefect_keeps_one_entry_per_batch():
    # Prefect records (until the flow run ends) an entry for each element of a list a task returns: a crawl
    # returning lists would keep one per page it ever extracted.
    @flow
    def extract_three_batches() -> tuple[list[int], int]:
        sizes = []
        for _ in range(3):
            batch = extract_batch(quote(site_pages()))
            assert isinstance(batch, Batch)
            sizes.append(len(batch.pages))
        return sizes, len(FlowRunContext.get().run_results)

    sizes, recorded = extract_three_batches()
    assert sizes == [9, 9, 9]
    assert recorded <= 3


def test_a_loaded_batch_lets_go_of_its_pages_without_waiting_for_the_garbage_collector(tmp_path):
    # Prefect's task states, futures and engines hold the extract task's Batch (its result, and, as the crawl
    # passes it, its parameter) in reference cycles; only the garbage collector frees those, every few batches.
    # The load empties the Batch, so its pages go at once.
    db_path = str(tmp_path / "w.duckdb")
    con = connect(db_path)
    run_id = start_run(con, flow_run_id=None, command="test", inputs=9)
    con.close()
    refs: list[weakref.ref] = []

    @flow
    def extract_and_load():
        pages = site_pages()
        refs.extend(weakref.ref(p) for p in pages)
        extracted = extract_batch.submit(quote(Batch(pages)))  # as the crawl submits it
        del pages
        loaded = load_pages.submit(db_path, run_id, quote(extracted), wait_for=[extracted])
        return loaded.result(), extracted.result()

    gc.collect()
    gc.disable()
    try:
        counts, batch = extract_and_load()
        alive = sum(1 for r in refs if r() is not None)
    finally:
        gc.enable()
    assert counts.counts.new == 8
    assert batch.pages == []
    assert len(refs) == 9 and alive == 0
    with duckdb.connect(db_path, read_only=True) as check:
        assert check.execute("SELECT count(*) FROM articles").fetchone()[0] == 8


def test_the_extract_task_fills_the_batch_it_is_given_so_a_kept_parameter_holds_no_page(tmp_path):
    # Whatever keeps the task's parameter after the run (Prefect's engine, until the garbage collector runs)
    # keeps the Batch that the load empties, not a list of the pages.
    db_path = str(tmp_path / "w.duckdb")
    with connect(db_path) as con:
        run_id = start_run(con, flow_run_id=None, command="test", inputs=9)
    pages = site_pages()
    refs = [weakref.ref(p) for p in pages]
    given = Batch(pages)
    del pages
    gc.collect()
    gc.disable()
    try:
        extracted = extract_batch.fn(given)
        assert extracted is given and len(given.pages) == 9
        assert load_pages.fn(db_path, run_id, extracted).counts.new == 8
        alive = sum(1 for r in refs if r() is not None)
    finally:
        gc.enable()
    assert given.pages == [] and alive == 0


@pytest.fixture()
def warehouse_run(tmp_path) -> tuple[str, str]:
    """A new warehouse file and the id of a run started in it."""
    db_path = str(tmp_path / "w.duckdb")
    with connect(db_path) as con:
        return db_path, start_run(con, flow_run_id=None, command="test", inputs=9)


def wal_has_data(db_path: str) -> bool:
    """Rows committed but not yet checkpointed into the file (the write-ahead log is emptied by a checkpoint)."""
    wal = Path(db_path + ".wal")
    return wal.exists() and wal.stat().st_size > 0


def test_the_postings_rewrite_runs_after_the_batchs_writer_closed(warehouse_run, monkeypatch):
    """The refresh only says that the sorted rewrite is due; the load runs it in a write connection of its own,
    once the batch's rows are checkpointed, so the two do not hold memory at the same time."""
    from flows import batches
    from warehouse import search as search_module

    monkeypatch.setattr(search_module, "COMPACT_MIN_ROWS", 1)
    db_path, run_id = warehouse_run
    rewrites = []
    compact = search_module.compact_search_index
    monkeypatch.setattr(search_module, "compact_search_index", lambda c: rewrites.append(
        (c.execute("SELECT count(*) FROM articles").fetchone()[0], search_module.compaction_due(c),
         wal_has_data(db_path))) or compact(c))
    counts = load_pages.fn(db_path, run_id, extract_batch.fn(site_pages()))
    assert counts.counts.new == 8
    # once, on a connection that sees the batch stored and checkpointed (nothing left in the write-ahead log)
    assert rewrites == [(8, True, False)]
    with duckdb.connect(db_path, read_only=True) as check:
        assert check.execute("SELECT unsorted_postings, compacted_at IS NOT NULL FROM search_index_state").fetchone() \
            == (0, True)
        termids = [r[0] for r in check.execute("SELECT termid FROM search_postings").fetchall()]
        assert termids == sorted(termids)


def test_the_search_refresh_runs_after_the_batchs_writer_closed(warehouse_run, monkeypatch):
    """The batch's rows are checkpointed (out of DuckDB's memory) before the refresh segments and indexes them, so
    the two do not hold memory at the same time; the search queue tells the refresh what the batch changed."""
    from flows import batches
    from warehouse import search as search_module

    db_path, run_id = warehouse_run
    refreshes = []
    refresh = search_module.refresh_search_index
    monkeypatch.setattr(search_module, "refresh_search_index", lambda c, **kw: refreshes.append(
        (c.execute("SELECT count(*) FROM articles").fetchone()[0],
         c.execute("SELECT count(*) FROM search_queue").fetchone()[0],
         wal_has_data(db_path))) or refresh(c, **kw))
    assert load_pages.fn(db_path, run_id, extract_batch.fn(site_pages())).counts.new == 8
    assert refreshes == [(8, 8, False)]
    with duckdb.connect(db_path, read_only=True) as check:
        assert check.execute("SELECT count(*) FROM article_search").fetchone()[0] == 8
        assert check.execute("SELECT count(*) FROM search_queue").fetchone()[0] == 0
    # The same pages again change no article: nothing is queued, so no refresh (nor its write connection).
    opened = []
    open_writer = batches.open_writer
    monkeypatch.setattr(batches, "open_writer", lambda *a, **kw: opened.append(a) or open_writer(*a, **kw))
    assert load_pages.fn(db_path, run_id, extract_batch.fn(site_pages())).counts.unchanged == 8
    assert refreshes == [(8, 8, False)] and len(opened) == 1
    # What is left queued (a refresh that failed, a change made outside a load) is indexed after the next batch.
    with duckdb.connect(db_path) as con:
        con.execute("INSERT INTO search_queue (article_id) SELECT article_id FROM articles LIMIT 1")
    assert load_pages.fn(db_path, run_id, extract_batch.fn(site_pages())).counts.unchanged == 8
    assert refreshes[1:] == [(8, 1, False)]


@pytest.fixture()
def warehouse_file(tmp_path):
    path = tmp_path / "frontier.duckdb"
    connect(path).close()  # creates the schema
    return str(path)


def test_calls_made_together_share_one_connection_and_each_gets_its_answer(warehouse_file):
    store = FrontierStore(warehouse_file, "src", "run-1", lock_wait=5.0)
    connections = []

    def queue(con, host: str, count: int) -> int:
        connections.append(con)
        urls = [frontier.NewUrl(f"http://{host}/2026/a{n}.html", frontier.ARTICLE) for n in range(count)]
        return frontier.queue_urls(con, urls, source_id="src", run_id="run-1")

    def fail(con):
        connections.append(con)
        raise ValueError("this call fails, not the others")

    async def go():
        calls = [store.call(queue, f"h{n}.example", n + 1) for n in range(5)]
        calls.append(store.call(fail))
        calls.append(store.call(queue, "h0.example", 1))  # already queued: nothing new
        return await asyncio.gather(*calls, return_exceptions=True)

    answers = asyncio.run(go())
    assert answers[:5] == [1, 2, 3, 4, 5] and answers[6] == 0
    assert isinstance(answers[5], ValueError)
    assert len(connections) == 7 and len({id(con) for con in connections}) == 1
    with duckdb.connect(warehouse_file, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM urls WHERE status = 'queued'").fetchone()[0] == 15


def test_a_call_after_the_connection_closed_opens_a_new_one(warehouse_file):
    store = FrontierStore(warehouse_file, "src", "run-1", lock_wait=5.0)

    async def go():
        first = await store.call(frontier.hosts_to_fetch, "src")
        await store.call(frontier.queue_urls, [frontier.NewUrl("http://a.example/2026/x.html", frontier.ARTICLE)],
                         source_id="src")
        second = await store.call(frontier.hosts_to_fetch, "src")
        return first, second

    assert asyncio.run(go()) == ([], [("a.example", 1)])


def test_a_crawl_process_takes_arrow_buffers_from_malloc_unless_told_otherwise(monkeypatch):
    import pyarrow as pa

    from flows.crawl import use_malloc_for_arrow

    before = pa.default_memory_pool()
    try:
        pa.set_memory_pool(pa.mimalloc_memory_pool())
        monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
        use_malloc_for_arrow()
        assert pa.default_memory_pool().backend_name == "system"

        pa.set_memory_pool(pa.mimalloc_memory_pool())
        monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "mimalloc")  # the user's choice stands
        use_malloc_for_arrow()
        assert pa.default_memory_pool().backend_name == "mimalloc"
    finally:
        pa.set_memory_pool(before)


# Frees 200 blocks of 256 KB (DuckDB's block size) allocated below a live block of 512 KB, after a 1 MB block that
# raised glibc's mmap threshold, then prints how many MB the process still holds of them.
_BLOCKS_KEPT = """
import ctypes, sys
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
if sys.argv[1] == "tuned":
    from flows.crawl import tune_malloc
    tune_malloc()
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096
first = libc.malloc(1 << 20); ctypes.memset(first, 1, 1 << 20); libc.free(first)
before = rss()
blocks = [libc.malloc(256 << 10) for _ in range(200)]
for block in blocks:
    ctypes.memset(block, 1, 256 << 10)
pin = libc.malloc(512 << 10); ctypes.memset(pin, 1, 512 << 10)
for block in blocks:
    libc.free(block)
print((rss() - before) >> 20)
"""


def _blocks_kept_mb(mode: str, **env: str) -> int:
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_")}
    done = subprocess.run([sys.executable, "-c", _BLOCKS_KEPT, mode], env={**clean, **env}, capture_output=True,
                          text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    return int(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads RSS from /proc (Linux)")
def test_a_crawl_process_gives_freed_duckdb_sized_blocks_back_to_the_system():
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("glibc's malloc only")
    assert _blocks_kept_mb("untuned") >= 40        # glibc's own behaviour: the 50 MB stay in the heap
    assert _blocks_kept_mb("tuned") <= 5           # tune_malloc: each block was its own mapping, unmapped on free
    assert _blocks_kept_mb("tuned", MALLOC_MMAP_THRESHOLD_=str(1 << 20)) >= 40  # the user's setting stands


def test_a_batch_renews_its_runs_leases_unless_the_run_holds_none(tmp_path):
    """A crawl's load renews the leases of the URLs its run claimed; an ingest's (`holds_leases=False`: it claims
    no URLs) leaves the frontier's leases alone, which on a lake spares an UPDATE in the write turn."""
    from flows.batches import load_and_settle
    from warehouse.db import close_writer, open_writer

    con = open_writer(tmp_path / "news.duckdb")
    try:
        run_id = start_run(con, flow_run_id=None, command="crawl", inputs=0)
        frontier.queue_urls(con, [frontier.NewUrl("https://news.example.com/a.html", frontier.ARTICLE)],
                            source_id=None)
        assert len(frontier.claim_urls(con, run_id, None)) == 1
        con.execute("UPDATE url_leases SET lease_until = TIMESTAMPTZ '2020-01-01 00:00:00+00'")
        lease = "SELECT lease_until > TIMESTAMPTZ '2020-01-01 00:00:00+00' FROM url_leases"
        load_and_settle(con, run_id, [], None, holds_leases=False)
        assert con.execute(lease).fetchall() == [(False,)]
        load_and_settle(con, run_id, [], None)
        assert con.execute(lease).fetchall() == [(True,)]
    finally:
        close_writer(con)
