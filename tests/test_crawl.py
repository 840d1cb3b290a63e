"""`newsduck crawl` end to end: the static site (tests/fixtures/site) served on 127.0.0.1, the real Prefect
engine, a real DuckDB file; what was requested is read from the server's request log.

robots.txt asks for Crawl-delay: 1; the crawls here cap it (--max-crawl-delay 0.05) to stay quick, and
`test_crawl_delay_is_honoured` checks the delay itself on a small site.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import shutil
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import duckdb
import pytest

from flows.cli import main
from flows.static_server import serve_directory
from test_ingest import published_iso, rows
from test_pages_gold import expected_and_got

from conftest import FIXTURES

SITE = FIXTURES / "site"
GOLD = json.loads((SITE / "site-gold.json").read_text(encoding="utf-8"))
ARTICLES = {a["url"]: a for a in GOLD["articles"]}
FAST = ["--max-crawl-delay", "0.05"]
GOLD_FIELDS = ("title", "kicker", "subtitle", "published_at", "authors", "source_name", "sections", "paragraphs",
               "images")


def crawl(*argv: str) -> dict:
    """Run `newsduck crawl … --json` and return its summary (one JSON line per source; here one source)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["crawl", *argv, "--json"])
    assert code == 0, err.getvalue()
    (line,) = out.getvalue().strip().splitlines()
    return json.loads(line)


def source_without_robots_sitemaps(tmp_path: Path, name: str, url: str, kind: str) -> Path:
    """A sources.toml with one source that starts at `url` and ignores robots.txt's Sitemap lines."""
    path = tmp_path / "sources.toml"
    path.write_text(f'''
[[source]]
name = "{name}"
start_urls = [{{ url = "{url}", kind = "{kind}" }}]
use_robots_sitemaps = false
''', encoding="utf-8")
    return path


def article_paths(log: list[str]) -> list[str]:
    return [p for p in log if p.startswith(("/content/", "/admin/"))]


def stored_urls(db: Path) -> set[str]:
    return {u for (u,) in rows(db, "SELECT url FROM articles WHERE parent_article_id IS NULL")}


@pytest.fixture(scope="module")
def site_crawl(tmp_path_factory):
    """The site crawled twice from its first list page into one database."""
    db = tmp_path_factory.mktemp("crawl") / "site.duckdb"
    with serve_directory(str(SITE)) as server:
        first = crawl(server.base_url + "/list/index.html", "--db", str(db), *FAST)
        first_log = list(server.request_log)
        second = crawl(server.base_url + "/list/index.html", "--db", str(db), *FAST)
        second_log = server.request_log[len(first_log):]
    return {"db": db, "base": server.base_url, "first": first, "second": second,
            "first_log": first_log, "second_log": second_log}


def absolute(base: str, url: str | None) -> str | None:
    return urljoin(base + "/", url) if url else url


def test_stores_exactly_the_expected_articles(site_crawl):
    base = site_crawl["base"]
    assert stored_urls(site_crawl["db"]) == {absolute(base, u) for u in GOLD["expected_article_urls"]}
    assert site_crawl["first"]["new"] == len(GOLD["expected_article_urls"]) == 28


def test_the_sitemap_only_article_is_found_through_robots_txt(site_crawl):
    (only,) = GOLD["sitemap_only"]
    assert "/sitemap.xml" in site_crawl["first_log"]
    assert absolute(site_crawl["base"], only["url"]) in stored_urls(site_crawl["db"])


@pytest.mark.parametrize("field", GOLD_FIELDS)
@pytest.mark.parametrize("url", sorted(ARTICLES))
def test_stored_article_matches_gold(site_crawl, url, field):
    db, base = site_crawl["db"], site_crawl["base"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        cursor = con.execute("SELECT * FROM articles WHERE url = ? AND parent_article_id IS NULL", [absolute(base, url)])
        names = [d[0] for d in cursor.description]
        article = dict(zip(names, cursor.fetchone()))
        article_id = article["article_id"]
        blocks = con.execute("SELECT kind, text FROM paragraphs WHERE article_id = ? ORDER BY seq", [article_id]).fetchall()
        people = con.execute("SELECT name, role FROM article_people_v WHERE article_id = ?", [article_id]).fetchall()
        images = con.execute("SELECT src, caption, credit FROM images WHERE article_id = ? ORDER BY seq", [article_id]).fetchall()
    finally:
        con.close()
    got = {
        "title": article["title"], "kicker": article["kicker"], "subtitle": article["subtitle"],
        "published_at": published_iso(article), "source_name": article["source_name"],
        "authors": [{"name": n, "role": r} for n, r in people],
        "sections": [t for k, t in blocks if k == "heading"], "paragraphs": [t for k, t in blocks if k != "heading"],
        "images": [{"src": s, "caption": c, "credit": r} for s, c, r in images],
    }
    expected, actual = expected_and_got(field, got, ARTICLES[url], lambda u: absolute(base, u))
    assert actual == expected


def test_never_requests_what_it_must_not_fetch(site_crawl):
    requested = set(site_crawl["first_log"]) | set(site_crawl["second_log"])
    for item in GOLD["must_not_fetch"]:
        parts = urlsplit(item["url"])
        if parts.scheme:  # the external host: not even queued
            assert rows(site_crawl["db"], "SELECT count(*) FROM urls WHERE host = ?", parts.hostname) == [(0,)]
        else:
            assert item["url"] not in requested


def test_stores_nothing_it_must_not_store(site_crawl):
    stored = stored_urls(site_crawl["db"])
    for item in GOLD["must_not_store"]:
        assert absolute(site_crawl["base"], item["url"]) not in stored
    assert rows(site_crawl["db"], "SELECT count(*) FROM articles WHERE url LIKE '%example.com%'") == [(0,)]


def test_failures_are_error_rows_and_frontier_states(site_crawl):
    db, base = site_crawl["db"], site_crawl["base"]
    missing = absolute(base, "/content/2024-11/content_48120.html")
    disallowed = absolute(base, "/admin/preview/article_9087.html")
    errors = {i: (s, t) for i, s, t in rows(db, "SELECT input, stage, error_type FROM errors")}
    assert errors == {missing: ("fetch", "HTTP 404")}
    # robots.txt's refusal is an outcome of its own, not an error; the fetch row says why
    (outcome, why), = rows(db, "SELECT outcome, error FROM fetches WHERE input = ?", disallowed)
    assert outcome == "skipped_robots" and why.startswith(f"robots.txt disallows {disallowed}")
    states = dict(((u, (s, f)) for u, s, f in rows(db, "SELECT url, status, fail_count FROM urls WHERE url IN (?, ?)",
                                                    missing, disallowed)))
    assert states == {missing: ("failed", 1), disallowed: ("skipped", 0)}
    (next_attempt,), = rows(db, "SELECT next_attempt_at > now() + INTERVAL 50 MINUTE FROM urls WHERE url = ?", missing)
    assert next_attempt  # backoff: not retried on the next run
    assert (site_crawl["first"]["errors"], site_crawl["first"]["skipped_robots"]) == (1, 1)


def test_both_halves_of_the_repost_pair_are_stored(site_crawl):
    stored = stored_urls(site_crawl["db"])
    for pair in GOLD["repost_pairs"]:
        assert absolute(site_crawl["base"], pair["original"]) in stored
        assert absolute(site_crawl["base"], pair["repost"]) in stored


def test_each_article_is_requested_once(site_crawl):
    paths = article_paths(site_crawl["first_log"])
    assert len(paths) == len(set(paths))
    assert set(paths) == set(GOLD["expected_article_urls"]) | {"/content/2024-11/content_48120.html"}


def test_second_crawl_fetches_only_discovery_pages_and_adds_nothing(site_crawl):
    second = site_crawl["second"]
    assert article_paths(site_crawl["second_log"]) == []
    assert set(site_crawl["second_log"]) <= {"/robots.txt", "/list/index.html", "/list/index_2.html",
                                             "/list/index_3.html", "/sitemap.xml"}
    assert (second["new"], second["updated"], second["errors"], second["discovered"]) == (0, 0, 0, 0)
    assert len(stored_urls(site_crawl["db"])) == 28


def test_runs_rows_carry_the_crawl_counts(site_crawl):
    db = site_crawl["db"]
    first = site_crawl["first"]
    (row,) = rows(db, """SELECT command, status, source_id, new, errors, skipped_robots, discovered, fetched,
                                not_modified, bytes, duration_s, flow_run_id FROM runs WHERE run_id = ?""", first["run_id"])
    command, status, source_id, new, errors, skipped, discovered, fetched, not_modified, size, duration, flow_run_id = row
    assert (command, status, new, errors, skipped, not_modified) == ("crawl", "completed", 28, 1, 1, 0)
    assert source_id == urlsplit(site_crawl["base"]).netloc
    # 28 articles + the 404 + the disallowed page + 2 further list pages + the start page + the sitemap
    assert discovered == first["discovered"] == 34
    # every 200: 3 list pages, the sitemap, 28 articles (robots.txt is the fetcher's own business)
    assert fetched == first["fetched"] == 32
    assert size > 100_000 and duration > 0 and len(flow_run_id) == 36
    assert rows(db, "SELECT count(*) FROM sources WHERE source_id = ?", source_id) == [(1,)]


def test_the_summary_adds_up_to_its_inputs(site_crawl):
    from flows.summary import OUTCOMES

    first, second = site_crawl["first"], site_crawl["second"]
    for summary in (first, second):
        assert summary["inputs"] == sum(summary[key] for key in OUTCOMES), summary
    # 30 article URLs (28 stored, the 404, the disallowed page), 3 list pages and the sitemap: not articles
    assert (first["inputs"], first["new"], first["not_article"]) == (34, 28, 4)


def crawl_table(capsys, *argv: str) -> tuple[dict[str, str], list[str]]:
    """Run `newsduck crawl …` (text output) of one source: its row of the summary table, and the lines after it."""
    code = main(["crawl", *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    header, _, row, count, *rest, db_line = out.splitlines()
    assert count == "(1 row)"
    assert db_line == f"db {argv[argv.index('--db') + 1]}"  # the file the crawl wrote
    return dict(zip((h.strip() for h in header.split("|")), (c.strip() for c in row.split("|")))), rest


def assert_table_adds_up(cells: dict[str, str]) -> None:
    from flows.summary import OUTCOMES

    assert int(cells["inputs"]) == sum(int(cells[key]) for key in OUTCOMES if key in cells), cells


def test_a_url_robots_txt_disallows_is_skipped_not_an_error(tmp_path, capsys):
    site = tmp_path / "site"
    story = SITE / GOLD["expected_article_urls"][0].lstrip("/")
    for path in ("news/1/content_1001.html", "private/2/content_2001.html"):
        (site / path).parent.mkdir(parents=True)
        shutil.copy(story, site / path)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    (site / "index.html").write_text('<html><body><ul><li><a href="/news/1/content_1001.html">第一条新闻的标题</a></li>'
                                     '<li><a href="/private/2/content_2001.html">第二条新闻的标题</a></li></ul></body></html>',
                                     encoding="utf-8")
    db = tmp_path / "robots.duckdb"
    with serve_directory(str(site)) as server:
        cells, after = crawl_table(capsys, server.base_url + "/index.html", "--db", str(db))
        log = list(server.request_log)
    assert "/private/2/content_2001.html" not in log
    assert (cells["new"], cells["not_article"], cells["skipped_robots"], cells["errors"]) == ("1", "1", "1", "0")
    assert cells["inputs"] == "3" and "no_edition" not in cells
    assert_table_adds_up(cells)
    assert after == []  # no errors to list
    assert rows(db, "SELECT count(*) FROM errors") == [(0,)]
    assert rows(db, "SELECT skipped_robots, errors FROM runs") == [(1, 0)]
    assert rows(db, "SELECT status FROM urls WHERE url LIKE '%/private/%'") == [("skipped",)]


def test_frontier_knows_every_url_once(site_crawl):
    db = site_crawl["db"]
    counts = dict(((k, s), n) for k, s, n in rows(db, "SELECT kind, status, count(*) FROM urls GROUP BY ALL"))
    assert counts == {("article", "stored"): 28, ("article", "failed"): 1, ("article", "skipped"): 1,
                      ("list", "fetched"): 3, ("sitemap", "fetched"): 1}


def test_list_pages_are_loaded_as_non_articles_with_their_links(site_crawl):
    db, base = site_crawl["db"], site_crawl["base"]
    page = GOLD["list_pages"][0]
    links = rows(db, "SELECT url FROM links WHERE page_url = ? ORDER BY seq", absolute(base, page["url"]))
    assert [u for (u,) in links] == [absolute(base, l["url"]) for l in page["links"]]


def test_a_killed_crawl_is_finished_by_the_next_run(tmp_path):
    db = tmp_path / "resume.duckdb"
    with serve_directory(str(SITE)) as server:
        first = crawl(server.base_url + "/list/index.html", "--db", str(db), "--max-pages", "10", *FAST)
        first_log = list(server.request_log)
        second = crawl(server.base_url + "/list/index.html", "--db", str(db), *FAST)
        second_log = server.request_log[len(first_log):]
    assert len(article_paths(first_log)) == 10
    assert first["queued"] == 30 - 10
    first_paths, second_paths = set(article_paths(first_log)), article_paths(second_log)
    assert not first_paths & set(second_paths)  # nothing fetched twice
    assert "/admin/preview/article_9087.html" not in first_log + second_log
    assert second["queued"] == 0
    assert first["new"] + second["new"] == 28
    assert stored_urls(db) == {absolute(server.base_url, u) for u in GOLD["expected_article_urls"]}


def test_refresh_asks_conditionally_and_a_304_stores_nothing(tmp_path):
    db = tmp_path / "refresh.duckdb"
    with serve_directory(str(SITE)) as server:
        crawl(server.base_url + "/list/index.html", "--db", str(db), *FAST)
        before = rows(db, "SELECT count(*) FROM fetches")[0][0]
        mark = len(server.request_log)
        again = crawl(server.base_url + "/list/index.html", "--db", str(db), "--refresh", *FAST)
        refreshed = article_paths(server.request_log[mark:])
    assert sorted(refreshed) == sorted(GOLD["expected_article_urls"])  # stored ones again; not the 404 nor robots'
    assert again["not_modified"] == 28  # the static server honours If-Modified-Since
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 28)  # a 304 is an unchanged article
    after = rows(db, "SELECT count(*) FROM fetches")[0][0]
    assert after - before == 1  # only the start list page; index_2/3 are not followed when nothing is new
    assert rows(db, "SELECT count(*) FROM urls WHERE status = 'not_modified'") == [(28,)]


def test_a_feed_source_without_robots_sitemaps_stores_the_feed_items(tmp_path):
    db = tmp_path / "feed.duckdb"
    with serve_directory(str(SITE)) as server:
        sources = source_without_robots_sitemaps(tmp_path, "fx-rss", f"{server.base_url}/rss.xml", "feed")
        summary = crawl("--source", "fx-rss", "--sources", str(sources), "--db", str(db), *FAST)
        log = list(server.request_log)
    assert "/sitemap.xml" not in log and "/list/index.html" not in log
    assert stored_urls(db) == {absolute(server.base_url, u) for u in GOLD["rss_item_urls"]}
    assert summary["new"] == 15 and summary["source"] == "fx-rss"
    assert rows(db, "SELECT DISTINCT source_id FROM articles") == [("fx-rss",)]


def test_a_gzipped_sitemap_behind_a_sitemap_index(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")
    (site / "sitemap.xml.gz").write_bytes(gzip.compress((SITE / "sitemap.xml").read_bytes()))
    (site / "sitemap_index.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "  <sitemap><loc>/sitemap.xml.gz</loc><lastmod>2024-11-20</lastmod></sitemap>\n</sitemapindex>\n",
        encoding="utf-8")
    db = tmp_path / "sitemap.duckdb"
    with serve_directory(str(site)) as server:
        summary = crawl(server.base_url + "/sitemap_index.xml", "--db", str(db))
        log = list(server.request_log)
    assert "/sitemap.xml.gz" in log and "/list/index.html" not in log
    assert stored_urls(db) == {absolute(server.base_url, u) for u in GOLD["expected_article_urls"]}
    assert summary["errors"] == 0
    assert rows(db, "SELECT count(*) FROM urls WHERE kind = 'sitemap' AND status = 'fetched'") == [(2,)]


def test_crawl_delay_is_honoured(tmp_path):
    site = tmp_path / "slow"
    (site / "news").mkdir(parents=True)
    delay = 0.4
    (site / "robots.txt").write_text(f"User-agent: *\nCrawl-delay: {delay}\n", encoding="utf-8")
    links = "".join(f'<li><a href="/news/{n}/content_{n}001.html">第{n}条新闻标题</a></li>' for n in range(1, 4))
    (site / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>", encoding="utf-8")
    for n in range(1, 4):
        (site / "news" / str(n)).mkdir()
        (site / "news" / str(n) / f"content_{n}001.html").write_text(
            f"<html><head><title>标题{n}</title></head><body><h1>标题{n}</h1><p>正文第{n}段，内容足够长，讲述了一件事情的经过和结果。</p></body></html>",
            encoding="utf-8")
    db = tmp_path / "slow.duckdb"
    with serve_directory(str(site)) as server:
        started = time.monotonic()
        summary = crawl(server.base_url + "/index.html", "--db", str(db))
        elapsed = time.monotonic() - started
        log = list(server.request_log)
    assert log[0] == "/robots.txt" and len(log) == 5
    # robots.txt, the list page, three articles: four gaps of at least the Crawl-delay, counted from robots.txt
    assert summary["duration_s"] >= 4 * delay - 0.05 and elapsed >= 4 * delay - 0.05


def test_ingest_asks_conditionally_for_urls_it_fetched_before(tmp_path):
    db = tmp_path / "ingest.duckdb"
    out = io.StringIO()
    with serve_directory(str(SITE)) as server:
        urls = [server.base_url + u for u in GOLD["expected_article_urls"][:3]]
        for _ in range(2):
            with contextlib.redirect_stdout(out):
                assert main(["ingest", *urls, "--db", str(db), "--json"]) == 0
        log = list(server.request_log)
    first, second = (json.loads(line) for line in out.getvalue().strip().splitlines())
    assert (first["new"], first["not_modified"]) == (3, 0)
    assert (second["new"], second["unchanged"], second["not_modified"], second["inputs"]) == (0, 3, 3, 3)
    assert "/robots.txt" not in log and len(log) == 6  # named URLs: robots.txt is not consulted
    assert rows(db, "SELECT status, count(*) FROM urls GROUP BY ALL") == [("not_modified", 3)]


@pytest.mark.parametrize("argv, words", [
    ([], "exactly one"),
    (["http://127.0.0.1:1/", "--all"], "exactly one"),
    (["ftp://example.com/list"], "Not a valid http(s) URL"),
    (["--all", "--sources", "/nonexistent/sources.toml"], "no such file"),
    (["http://127.0.0.1:1/list/", "--from", "2024-03-05"], "e-paper"),
    (["--source", "x", "--to", "2024-03-05"], "--to needs --from"),
])
def test_usage_mistakes_exit_2_with_one_line(argv, words, tmp_path, capsys):
    code = main(["crawl", *argv, "--db", str(tmp_path / "n.duckdb")])
    _, err = capsys.readouterr()
    assert code == 2
    assert words in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "n.duckdb").exists()


def test_a_mistake_in_the_sources_file_stops_everything(tmp_path, capsys):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "ok"\nstart_urls = [{ url = "http://127.0.0.1:1/", kind = "list" }]\n'
                       '[[source]]\nname = "bad"\nstart_urls = [{ url = "http://127.0.0.1:1/", kind = "list" }]\n'
                       'schedule = "every day"\n', encoding="utf-8")
    code = main(["crawl", "--all", "--sources", str(sources), "--db", str(tmp_path / "n.duckdb")])
    _, err = capsys.readouterr()
    assert code == 2
    assert 'source "bad"' in err and 'field "schedule"' in err
    assert not (tmp_path / "n.duckdb").exists()


def test_help_has_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["crawl", "--help"])
    out, _ = capsys.readouterr()
    assert "example:" in out and "newsduck crawl --source" in out


def test_each_run_publishes_a_markdown_artifact(site_crawl):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.crawl import artifact_key
    from flows.sources import adhoc_source

    key = artifact_key(adhoc_source(site_crawl["base"] + "/list/index.html"))
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
    assert len(artifacts) >= 2 and {a.type for a in artifacts} == {"markdown"}
    texts = [a.data for a in artifacts]
    first = next(t for t in texts if site_crawl["first"]["run_id"] in t)
    assert "| new | 28 |" in first and "## First errors" in first and "HTTP 404" in first


def test_extraction_in_worker_processes_gives_the_same_records():
    from datetime import datetime, timezone

    from flows.batches import EXTRACT_POOL, extract_pages, extraction_processes, start_extraction_processes
    from flows.page import Page
    from warehouse.models import FetchInfo

    def pages() -> list[Page]:
        made = []
        for url in sorted(ARTICLES)[:12] + ["/list/index.html"]:
            body = (SITE / url.lstrip("/")).read_bytes()
            info = FetchInfo(input=url, url="http://127.0.0.1:8000" + url, path=None,
                             fetched_at=datetime.now(timezone.utc), status=200, content_type="text/html")
            made.append(Page(info, body=body, url=info.url, kind="list" if "list" in url else "article"))
        return made

    in_thread = extract_pages(pages())
    with extraction_processes(1):
        start_extraction_processes()
        deadline = time.monotonic() + 120
        while EXTRACT_POOL.get() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        pool = EXTRACT_POOL.get()
        assert pool is not None, "the worker process did not start"
        in_processes = extract_pages(pages(), pool)
    assert [p.result.record.to_dict() for p in in_processes] == [p.result.record.to_dict() for p in in_thread]
    assert [p.result.record.is_article for p in in_processes] == [True] * 12 + [False]
    assert EXTRACT_POOL.get() is None  # shut down with the block


def test_link_following_alone_finds_the_27_listed_articles_through_pagination(tmp_path):
    db = tmp_path / "links.duckdb"
    with serve_directory(str(SITE)) as server:
        sources = source_without_robots_sitemaps(tmp_path, "fx-list", f"{server.base_url}/list/index.html", "list")
        summary = crawl("--source", "fx-list", "--sources", str(sources), "--db", str(db), *FAST)
        log = list(server.request_log)
    assert "/sitemap.xml" not in log
    assert {"/list/index_2.html", "/list/index_3.html"} <= set(log)
    assert stored_urls(db) == {absolute(server.base_url, u) for u in GOLD["expected_article_urls_without_sitemap"]}
    assert summary["new"] == 27


def test_progress_bar_follows_the_counts():
    from flows.commands.crawl import ProgressBar
    from flows.crawl import CrawlStats

    stats = CrawlStats(source="s", discovered=40, fetched=12, articles_total=30, articles_done=10)
    stats.loaded.counts.new = 9
    stats.loaded.counts.errors = 1
    bar = ProgressBar("s")
    bar.update(stats)
    (task,) = bar.progress.tasks
    assert (task.total, task.completed) == (30, 10)
    assert task.fields["discovered"] == 40 and task.fields["new"] == 9 and task.fields["errors"] == 1


def test_crawl_sources_crawls_each_source_of_the_file_and_reports_the_ones_that_failed(tmp_path, monkeypatch):
    # prefect.yaml's scheduled deployment: every source of whatever sources.toml the user wrote, none named in it
    from flows import crawl as crawl_module

    db = tmp_path / "sources.duckdb"
    sources = tmp_path / "sources.toml"
    with serve_directory(str(SITE)) as server:
        sources.write_text(f'''
[[source]]
name = "first"
start_urls = [{{ url = "{server.base_url}/list/index.html", kind = "list" }}]
include = ["/content/*/content_*.html"]
use_robots_sitemaps = false
max_pages = 2

[[source]]
name = "second"
start_urls = [{{ url = "{server.base_url}/list/index.html", kind = "list" }}]
include = ["/content/*/content_*.html"]
use_robots_sitemaps = false
max_pages = 3
''', encoding="utf-8")
        summaries = crawl_module.crawl_sources(str(db), str(sources), max_crawl_delay=0.05)
        assert sorted(summaries) == ["first", "second"] and summaries["first"]["new"] == 2
        only = crawl_module.crawl_sources(str(db), str(sources), names=["second"], max_crawl_delay=0.05)
        assert list(only) == ["second"]

        real_crawl = crawl_module.crawl

        def first_fails(source, *args, **kwargs):
            if source["name"] == "first":
                raise OSError("disk gone")
            return real_crawl(source, *args, **kwargs)

        monkeypatch.setattr(crawl_module, "crawl", first_fails)
        with pytest.raises(RuntimeError, match="1 of 2 crawls failed: first"):
            crawl_module.crawl_sources(str(db), str(sources), max_crawl_delay=0.05)
    # first, second; second; second again after first failed
    assert sorted(s for (s,) in rows(db, "SELECT source_id FROM runs WHERE command = 'crawl'")) == ["first", "second", "second", "second"]
