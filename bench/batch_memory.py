"""The warehouse's side of a crawl's memory, without Prefect or HTTP: how much a batch's write connections hold
as the warehouse grows.

    python -m bench.batch_memory [--articles 8000] [--every 2000]

One process, tuned as a crawl tunes itself (`flows.crawl.tune_malloc`, Arrow on malloc), in a fresh DuckDB
file in a temporary folder:

1. the frontier gets every article URL up front, as a crawl's sitemap discovery queues them;
2. batches of DEFAULT_BATCH_SIZE generated articles (bench.crawl's pages) are extracted, then go through
   `flows.batches.load_pages` as a crawl's load task runs it: the load, the search refresh and the upkeep that
   falls due, each in a write connection of its own.

For each window of --every articles it prints the highest peak RSS of one batch's `load_pages` (VmHWM,
reset before each batch) and RSS between batches. Linux only (/proc). See bench/README.md ("Crawl benchmark").
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from bench.warehouse import peak_rss_mb, reset_peak_rss

ORIGIN = "http://127.0.0.2:8000"


def generated_pages(numbers: Iterable[int], origin: str = ORIGIN) -> list:
    """bench.crawl's generated articles with these numbers, as a crawl fetched them from `origin` (Page records)."""
    from bench.crawl import article_html, article_path
    from flows.page import Page
    from warehouse.models import FetchInfo

    now = datetime.now(timezone.utc)
    pages = []
    for number in numbers:
        url = origin + article_path(number)
        info = FetchInfo(input=url, url=url, path=None, fetched_at=now, status=200,
                         content_type="text/html; charset=utf-8")
        pages.append(Page(info, body=article_html(0, number), url=url))
    return pages


def run(articles: int, every: int, db_path: str) -> list[tuple[int, int, int, float]]:
    """-> (articles stored, highest batch peak MB in the window, RSS between batches MB, seconds per batch)."""
    from bench.crawl import article_path
    from flows.batches import DEFAULT_BATCH_SIZE, extract_batch, load_pages
    from flows.crawl import tune_malloc, use_malloc_for_arrow
    from warehouse import frontier
    from warehouse.db import connect
    from warehouse.runs import start_run

    tune_malloc()
    use_malloc_for_arrow()
    con = connect(db_path)
    try:
        run_id = start_run(con, flow_run_id=None, command="bench", inputs=articles)
        frontier.queue_urls(con, [frontier.NewUrl(ORIGIN + article_path(n), frontier.ARTICLE) for n in range(articles)],
                            source_id=None, run_id=run_id)
    finally:
        con.close()

    rows: list[tuple[int, int, int, float]] = []
    window_peak, window_seconds, window_batches = 0, 0.0, 0
    for first in range(0, articles, DEFAULT_BATCH_SIZE):
        size = min(DEFAULT_BATCH_SIZE, articles - first)
        batch = extract_batch.fn(generated_pages(range(first, first + size)), None)
        gc.collect()
        reset_peak_rss()
        started = time.perf_counter()
        load_pages.fn(db_path, run_id, batch, None)
        window_seconds += time.perf_counter() - started
        window_peak = max(window_peak, round(peak_rss_mb()))
        window_batches += 1
        del batch
        gc.collect()
        stored = first + size
        if stored % every == 0 or stored == articles:
            reset_peak_rss()  # the peak from now on starts at the RSS between batches
            rows.append((stored, window_peak, round(peak_rss_mb()), window_seconds / window_batches))
            window_peak, window_seconds, window_batches = 0, 0.0, 0
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=8000, help="articles loaded in all (default 8000)")
    parser.add_argument("--every", type=int, default=2000, help="articles per line of output (default 2000)")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.every < 1:
        parser.error("--articles and --every must be 1 or more")
    if not reset_peak_rss():
        print("bench.batch_memory: needs Linux's /proc/self/status and /proc/self/clear_refs", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)

    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with tempfile.TemporaryDirectory(prefix="newsduck-bench-batch-memory-") as workdir:
        rows = run(args.articles, args.every, str(Path(workdir) / "batches.duckdb"))
    print(f"# bench.batch_memory  {started}  one process, no Prefect or HTTP")
    print("articles stored  batch peak MB  between batches MB  s per batch")
    for stored, peak, between, seconds in rows:
        print(f"{stored:<16} {peak:<14} {between:<19} {seconds:.2f}")
    if len(rows) > 1:
        (low_n, low, _, _), (high_n, high, _, _) = rows[0], rows[-1]
        print(f"batch peak {low_n} -> {high_n} articles: {low} -> {high} MB, {high - low:+d} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
