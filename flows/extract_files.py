"""Parse many files on every core, for `newsduck extract` (no Prefect, no database)."""

from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Iterator

from parsers import extract_article, warm_up
from parsers.errors import ParseError
from parsers.extract import MAX_INPUT_BYTES

from .inputs import read_page

# Below this many files, starting worker processes costs more than it saves.
MIN_FILES_PER_WORKER = 8
# Files handed to a worker at a time. Pages differ up to tenfold in cost, so big chunks leave one
# worker idle at the end while another finishes its last chunk; one file per task costs ~0.1 ms.
CHUNKSIZE = 1
# Garbage is collected between pages, not while one is parsed: a page's tree is a web of reference
# cycles that automatic collection would scan several times over while the page is read (about a
# sixth of a page's CPU time); one collection of the young generations after the page frees it all.
# A full collection every this many pages frees cycles that outlived their page (evicted cache entries).
FULL_COLLECTION_EVERY = 256
_pages_since_full_collection = 0

# A small page that walks the extractor's main paths (headline, byline, date line, body, links),
# so the parent compiles the lazily built regexes once, before the workers fork.
WARM_UP_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>标题 - 示例网</title>
<meta property="og:site_name" content="示例网"><link rel="canonical" href="https://example.com/a/1.html"></head>
<body><nav><a href="/">首页</a><a href="/news/">新闻</a></nav><div class="article">
<h1>阜新迎来今冬首场降雪</h1><div class="info">发布时间：2024-11-03 08:40 来源：阜新日报 作者：张三</div>
<div class="content"><p>本报讯（记者 李四）阜新迎来今冬首场降雪，环卫工人连夜清雪，保障道路畅通。</p>
<p>By Jane Doe. Snow fell overnight and crews cleared the main roads before the morning rush.</p>
<p><img src="/i/1.jpg" alt="清雪"></p><p>图为环卫工人清雪。 王五 摄</p><p>责任编辑：赵六</p></div></div>
<ul class="list"><li><a href="/a/2.html">另一条新闻的标题在这里</a></li></ul></body></html>""".encode("utf-8")


def extract_one(item: tuple[str, str | None]) -> tuple[str, dict | None, str | None]:
    """(name, record as a dict, None) or (name, None, error message)."""
    name, url = item
    try:
        page = read_page(name, MAX_INPUT_BYTES, url=url)
        return name, extract_article(page.body, url=page.url, path=name, content_type=page.content_type).to_dict(), None
    except (ParseError, OSError) as exc:
        return name, None, str(exc) or type(exc).__name__


def extract_then_collect(item: tuple[str, str | None]) -> tuple[str, dict | None, str | None]:
    """extract_one, then the page's garbage collected (run with automatic collection off)."""
    global _pages_since_full_collection
    try:
        return extract_one(item)
    finally:
        _pages_since_full_collection += 1
        if _pages_since_full_collection >= FULL_COLLECTION_EVERY:
            _pages_since_full_collection = 0
            gc.collect()
        else:
            gc.collect(1)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def warm_up_parsers() -> None:
    """Do the extractor's one-time work (profiles, body model, lazy regexes, imports) in this process, so
    forked workers inherit it instead of each paying ~0.2 s CPU for it; then freeze the heap so the
    workers' garbage collections neither scan nor copy-on-write the inherited objects."""
    warm_up()
    try:
        extract_article(WARM_UP_PAGE, url="https://example.com/a/1.html")
    except ParseError:
        pass
    gc.collect()  # full: imports can leave cycles in the oldest generation too (ssl's enum classes), ~20 ms
    gc.freeze()


def extract_files(items: list[tuple[str, str | None]], jobs: int | None = None) -> Iterator[tuple[str, dict | None, str | None]]:
    """Results in input order; uses worker processes when there are enough files to pay for them."""
    jobs = min(jobs or default_jobs(), max(1, len(items) // MIN_FILES_PER_WORKER))
    if jobs <= 1:
        enabled = gc.isenabled()
        gc.disable()
        try:
            yield from map(extract_then_collect, items)
        finally:
            if enabled:
                gc.enable()
        return
    if "fork" not in multiprocessing.get_all_start_methods():  # Windows: workers start fresh and import
        with ProcessPoolExecutor(max_workers=jobs, initializer=gc.disable) as pool:
            yield from pool.map(extract_then_collect, items, chunksize=CHUNKSIZE)
        return
    warm_up_parsers()
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                 initializer=gc.disable) as pool:
            yield from pool.map(extract_then_collect, items, chunksize=CHUNKSIZE)
    finally:
        gc.unfreeze()
