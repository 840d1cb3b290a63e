"""`newsduck crawl` of an e-paper source: the fixture e-paper (tests/fixtures/epaper) served on 127.0.0.1, its two
editions backfilled with --from/--to; every gold article is stored with its edition date and page (版)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import duckdb
import pytest

from flows.cli import main
from flows.static_server import serve_directory
from test_crawl import assert_table_adds_up, crawl, crawl_table
from test_ingest import published_iso, rows
from test_pages_gold import expected_and_got

from conftest import FIXTURES

EPAPER = FIXTURES / "epaper"
GOLD = json.loads((EPAPER / "gold.json").read_text(encoding="utf-8"))
ARTICLES = {a["url"]: a for a in GOLD["articles"]}
GOLD_FIELDS = ("title", "kicker", "subtitle", "published_at", "authors", "source_name", "paragraphs")
PAGE_OF = {a["url"]: (page["page_no"], page["page_name"], edition["date"])
           for edition in GOLD["editions"] for page in edition["pages"] for a in page["articles"]}


def write_sources(path: Path, base: str) -> Path:
    path.write_text(f'''
[[source]]
name = "fxrb-epaper"
kind = "epaper"
edition_url = "{base}{GOLD["url_template"]}"
''', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def epaper_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("epaper")
    db = tmp / "epaper.duckdb"
    with serve_directory(str(EPAPER)) as server:
        sources = write_sources(tmp / "sources.toml", server.base_url)
        argv = ["--source", "fxrb-epaper", "--sources", str(sources), "--db", str(db)]
        first = crawl(*argv, "--from", "2024-03-05", "--to", "2024-03-06")
        first_log = list(server.request_log)
        second = crawl(*argv, "--from", "2024-03-05", "--to", "2024-03-06")
        second_log = server.request_log[len(first_log):]
    return {"db": db, "base": server.base_url, "first": first, "second": second,
            "first_log": first_log, "second_log": second_log}


def absolute(base: str, url: str | None) -> str | None:
    return urljoin(base + "/", url) if url else url


def stored(db: Path) -> dict[str, dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cursor = con.execute("SELECT * FROM articles WHERE parent_article_id IS NULL")
        names = [d[0] for d in cursor.description]
        return {row[names.index("url")]: dict(zip(names, row)) for row in cursor.fetchall()}
    finally:
        con.close()


def test_every_gold_article_is_stored(epaper_crawl):
    base = epaper_crawl["base"]
    assert set(stored(epaper_crawl["db"])) == {absolute(base, u) for u in GOLD["article_urls"]}
    assert epaper_crawl["first"]["new"] == len(GOLD["article_urls"]) == 15


@pytest.mark.parametrize("url", GOLD["article_urls"])
def test_article_carries_its_edition_date_and_page(epaper_crawl, url):
    article = stored(epaper_crawl["db"]).get(absolute(epaper_crawl["base"], url))
    assert article is not None, f"{url} not stored"
    page_no, page_name, edition = PAGE_OF[url]
    assert (article["edition_date"], article["page_no"], article["page_name"]) == (
        date.fromisoformat(edition), page_no, page_name)
    gold = ARTICLES[url]
    assert (edition, page_no, page_name) == (gold["_edition_date"], gold["_page_no"], gold["_page_name"])


@pytest.mark.parametrize("field", GOLD_FIELDS)
@pytest.mark.parametrize("url", GOLD["article_urls"])
def test_article_matches_gold(epaper_crawl, url, field):
    db, base = epaper_crawl["db"], epaper_crawl["base"]
    article = stored(db).get(absolute(base, url))
    assert article is not None, f"{url} not stored"
    article_id = article["article_id"]
    blocks = rows(db, "SELECT kind, text FROM paragraphs WHERE article_id = ? ORDER BY seq", article_id)
    people = rows(db, "SELECT name, role FROM article_people_v WHERE article_id = ?", article_id)
    got = {
        "title": article["title"], "kicker": article["kicker"], "subtitle": article["subtitle"],
        "published_at": published_iso(article), "source_name": article["source_name"],
        "authors": [{"name": n, "role": r} for n, r in people],
        "paragraphs": [t for k, t in blocks if k != "heading"],
    }
    expected, actual = expected_and_got(field, got, ARTICLES[url], lambda u: absolute(base, u))
    assert actual == expected


def test_only_the_two_editions_are_requested(epaper_crawl):
    log = epaper_crawl["first_log"]
    assert "/index.htm" not in log
    assert all(p == "/robots.txt" or p.startswith(("/html/2024-03/05/", "/html/2024-03/06/")) for p in log)
    pages = [p["url"] for e in GOLD["editions"] for p in e["pages"]]
    assert sorted(p for p in log if "/node_" in p) == sorted(pages)  # every page (版) once
    articles = [p for p in log if "/content_" in p]
    assert sorted(articles) == sorted(GOLD["article_urls"])  # every article once; the repeated area too


def test_frontier_rows_know_editions_pages_and_articles(epaper_crawl):
    counts = dict(((k, s), n) for k, s, n in rows(epaper_crawl["db"], "SELECT kind, status, count(*) FROM urls GROUP BY ALL"))
    assert counts[("edition", "fetched")] == 2
    assert counts[("epaper_page", "fetched")] == 4
    assert counts.get(("article", "stored"), 0) == 15


def test_a_second_run_over_the_same_dates_fetches_no_article_again(epaper_crawl):
    second = epaper_crawl["second"]
    assert [p for p in epaper_crawl["second_log"] if "/content_" in p] == []
    assert (second["new"], second["updated"], second["discovered"]) == (0, 0, 0)


def test_default_is_todays_edition_in_china(tmp_path):
    db = tmp_path / "today.duckdb"
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    with serve_directory(str(EPAPER)) as server:
        sources = write_sources(tmp_path / "sources.toml", server.base_url)
        summary = crawl("--source", "fxrb-epaper", "--sources", str(sources), "--db", str(db))
        log = list(server.request_log)
    expected = f"/html/{today:%Y-%m}/{today:%d}/node_1.htm"
    assert expected in log
    if today not in (date(2024, 3, 5), date(2024, 3, 6)):  # the fixture has no edition for today: no edition
        assert (summary["no_edition"], summary["errors"], summary["first_errors"]) == (1, 0, [])


def test_a_date_without_an_edition_is_no_edition_not_an_error(tmp_path, capsys):
    db = tmp_path / "sunday.duckdb"
    with serve_directory(str(EPAPER)) as server:
        sources = write_sources(tmp_path / "sources.toml", server.base_url)
        cells, after = crawl_table(capsys, "--source", "fxrb-epaper", "--sources", str(sources), "--db", str(db),
                                   "--from", "2024-03-04", "--to", "2024-03-05")  # the fixture has no 2024-03-04
        log = list(server.request_log)
    assert "/html/2024-03/04/node_1.htm" in log
    assert (cells["no_edition"], cells["errors"]) == ("1", "0")
    assert "skipped_robots" not in cells
    assert_table_adds_up(cells)
    assert after == []
    missing = server.base_url + "/html/2024-03/04/node_1.htm"
    assert rows(db, "SELECT outcome, status, error FROM fetches WHERE input = ?", missing) == [
        ("no_edition", 404, f"GET {missing} returned HTTP 404")]
    assert rows(db, "SELECT count(*) FROM errors") == [(0,)]
    assert rows(db, "SELECT no_edition, errors FROM runs") == [(1, 0)]
