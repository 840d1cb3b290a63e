"""A real warehouse for the `newsduck browse` tests: the fixture site's 28 articles and its list and about pages
(at `base_url`), the fixture pages and both seeds, parsed by the real parser and loaded by the real loader in
two runs (a crawl of a registered source, an ingest), plus a story whose title and byline carry markup and a
run with an error."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

from parsers import extract_article
from parsers.records import ArticleRecord, Author, Block, Image
from warehouse import ids
from warehouse.db import connect
from warehouse.frontier import Placement, place_epaper_articles
from warehouse.load import load_batch
from warehouse.models import ErrorInfo, FetchInfo, PageResult
from warehouse.runs import finish_run, register_source, start_run
from warehouse.search import refresh_search_index

from conftest import FIXTURES

SITE = FIXTURES / "site"
SOURCE_ID = "fuxin-news"
FLOW_RUN_ID = "5f0c8a52-58a3-4c21-9d51-0a0d7b6b2f11"
HOSTILE_TITLE = '<script>alert("title")</script> 标题 & <b>bold</b>'
HOSTILE_URL = "https://evil.example.cn/news/1.html"
EPAPER_URL = "http://epaper.lnd.com.cn/html/2023-03/07/content_2318551.htm"
FETCHED_AT = datetime(2024, 11, 20, 2, 0, tzinfo=timezone.utc)


def page_result(record: ArticleRecord | None, body: bytes, *, url: str | None = None, path: str | None = None,
                error: ErrorInfo | None = None) -> PageResult:
    fetch = FetchInfo(input=url or path, url=url, path=path, fetched_at=FETCHED_AT, status=200 if url else None,
                      content_type="text/html", charset=record.charset if record else None, bytes=len(body),
                      elapsed_ms=1.0, body_sha256=ids.sha256_hex(body))
    return PageResult(fetch=fetch, body=body, record=record, error=error)


def site_results(base_url: str) -> list[PageResult]:
    gold = json.loads((SITE / "site-gold.json").read_text(encoding="utf-8"))
    paths = [article["url"] for article in gold["articles"]] + list(gold["non_article_pages"])
    results = []
    for path in paths:
        body = (SITE / path.lstrip("/")).read_bytes()
        url = base_url + path
        results.append(page_result(extract_article(body, url=url, content_type="text/html"), body, url=url))
    return results


def other_results() -> list[PageResult]:
    results = []
    for path in sorted((FIXTURES / "seeds").glob("*.txt")):
        body = path.read_bytes()
        results.append(page_result(extract_article(body, path=str(path)), body, path=str(path)))
    for gold_path in sorted((FIXTURES / "pages").glob("*.json")):
        url = json.loads(gold_path.read_text(encoding="utf-8"))["url"]
        body = gold_path.with_suffix(".html").read_bytes()
        results.append(page_result(extract_article(body, url=url, content_type="text/html"), body, url=url))
    hostile_body = b"<html><head><script>document.title='pwned'</script></head><body><p>raw page</p></body></html>"
    hostile = ArticleRecord(
        url=HOSTILE_URL, title=HOSTILE_TITLE, kicker="<i>引题</i>", published_at="2024-11-19T08:00:00+08:00",
        language="zh", source_name='<img src=x onerror="alert(1)">', authors=[Author("<script>x</script>", "reporter")],
        body=[Block("paragraph", "正文里有 <script>alert('body')</script> 和蜜薯。")],
        images=[Image(src="javascript:alert(1)", caption="<b>图</b>", credit="<i>摄</i>")])
    results.append(page_result(hostile, hostile_body, url=HOSTILE_URL))
    broken = b"\xff\xfe not a page"
    results.append(page_result(None, broken, url="https://broken.example.cn/1.html", error=ErrorInfo(
        "https://broken.example.cn/1.html", "parse", "ValueError", "no article <found> here")))
    return results


def build(path: Path, base_url: str) -> Path:
    con = connect(path)
    try:
        register_source(con, SOURCE_ID, name="阜新新闻网", kind="portal", start_url=base_url + "/")
        crawl = start_run(con, flow_run_id=FLOW_RUN_ID, command="crawl", inputs=0)
        con.execute("UPDATE runs SET source_id = ? WHERE run_id = ?", [SOURCE_ID, crawl])
        counts = load_batch(con, crawl, site_results(base_url), source_id=SOURCE_ID)
        finish_run(con, crawl, counts, "completed")
        assert counts.errors == 0 and counts.new == 28, counts
        ingest = start_run(con, flow_run_id=None, command="ingest", inputs=0)
        counts = load_batch(con, ingest, other_results())
        finish_run(con, ingest, counts, "completed")
        assert counts.errors == 1, counts
        # as a crawl of the e-paper places its stories (from the frontier's row of the page they are on)
        epaper_id = con.execute("SELECT article_id FROM articles WHERE url = ?", [EPAPER_URL]).fetchone()[0]
        place_epaper_articles(con, [Placement(epaper_id, date(2023, 3, 7), "06", "市县·阜新")])
        refresh_search_index(con)
    finally:
        con.close()
    return path
