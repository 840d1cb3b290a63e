"""One article under URL variants of one page (an e-paper's content_3.html and content_3.html?div=-1): stored
once, the variant recorded as an alias, its extra parameter learned so that variants are not fetched again."""

from __future__ import annotations

import contextlib
import io
import json
import shutil

import duckdb

from flows.cli import main
from flows.static_server import serve_directory
from parsers.urls import dedup_key, query_variant_extras
from warehouse.db import connect
from warehouse.load import load_batch
from warehouse.runs import start_run

from conftest import FIXTURES
from test_warehouse import article, result

ARTICLES = sorted((FIXTURES / "site" / "content" / "2024-11").glob("content_*.html"))[:6]


def test_a_variant_adds_query_parameters_and_changes_nothing_else():
    base = "http://epaper.example.cn/html/2024-11/05/content_3.html"
    assert query_variant_extras(base + "?div=-1", base) == ("div",)
    assert query_variant_extras("http://a.cn/s.php?id=5&div=-1", "http://a.cn/s.php?id=5") == ("div",)
    assert query_variant_extras("http://a.cn/s.php?id=6", "http://a.cn/s.php?id=5") is None  # another value
    assert query_variant_extras(base, base + "?div=-1") is None  # fewer parameters: the other way round
    assert query_variant_extras("http://a.cn/b/content_3.html?div=-1", base) is None  # another path
    assert dedup_key(base + "?div=-1", None, frozenset({"div"})) == base
    assert dedup_key(base + "?div=-1") == base + "?div=-1"


def load(con, *records, run="r"):
    run_id = start_run(con, flow_run_id=None, command="test", inputs=len(records))
    return load_batch(con, run_id, [result(r) for r in records])


def test_a_variant_of_a_stored_article_is_an_alias_and_its_parameter_is_learned(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    plain = article(1, url="https://epaper.example.cn/html/content_1.html")
    variant = article(1, url="https://epaper.example.cn/html/content_1.html?div=-1")
    assert load(con, plain).new == 1
    counts = load(con, variant)
    assert (counts.new, counts.duplicates) == (0, 1)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    (article_id,) = con.execute("SELECT article_id FROM articles").fetchone()
    assert con.execute("SELECT url, article_id FROM url_aliases").fetchall() == [(variant.url, article_id)]
    assert con.execute("SELECT host, param FROM ignored_query_params").fetchall() == [("epaper.example.cn", "div")]
    # the variant's fetch points at the article it repeats
    assert con.execute("SELECT article_id FROM fetches WHERE input = ?", [variant.url]).fetchone() == (article_id,)


def test_in_one_batch_the_plainest_url_is_the_article(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    variant = article(2, url="https://epaper.example.cn/html/content_2.html?div=-1")
    plain = article(2, url="https://epaper.example.cn/html/content_2.html")
    counts = load(con, variant, plain)
    assert (counts.new, counts.duplicates) == (1, 1)
    assert con.execute("SELECT url FROM articles").fetchall() == [(plain.url,)]


def test_other_content_or_another_page_is_never_an_alias(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    counts = load(con, article(3, url="https://news.example.cn/a/3.html"),
                  article(4, url="https://news.example.cn/a/3.html?page=2"),   # same page, other content
                  article(3, url="https://news.example.cn/b/3.html"))          # same content, other page
    assert counts.new == 3 and counts.duplicates == 0
    assert con.execute("SELECT count(*) FROM url_aliases").fetchone()[0] == 0


def test_a_parameter_that_tells_stored_articles_apart_is_not_learned(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    load(con, article(5, url="https://gov.example.cn/show.php"), article(6, url="https://gov.example.cn/show.php?id=6"),
         article(7, url="https://gov.example.cn/show.php?id=7"))
    # show.php without id happens to show story 5, so show.php?id=5 is its alias; but `id` names the stories of
    # show.php, so it is not learned (else every show.php?id=N would be taken for show.php)
    assert load(con, article(5, url="https://gov.example.cn/show.php?id=5")).duplicates == 1
    assert con.execute("SELECT count(*) FROM ignored_query_params").fetchone()[0] == 0


def crawl(*argv: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["crawl", *argv, "--max-crawl-delay", "0.05", "--json"])
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue().strip().splitlines()[-1])


def edition_page(links: list[str]) -> str:
    items = "".join(f'<li><a href="{href}">第{n}条新闻标题</a></li>' for n, href in enumerate(links, 1))
    return f"<html><head><title>第01版</title></head><body><ul>{items}</ul></body></html>"


def test_an_epaper_linking_each_story_twice_stores_it_once_and_stops_fetching_the_variants(tmp_path):
    site = tmp_path / "site"
    (site / "html").mkdir(parents=True)
    for path in ARTICLES:
        shutil.copy(path, site / "html" / path.name)
    names = [p.name for p in ARTICLES]
    # each day's page map links every story as content_N.html?div=-1 before the story list links content_N.html
    for day, stories in (("day1", names[:3]), ("day2", names[3:])):
        links = [f"/html/{n}?div=-1" for n in stories] + [f"/html/{n}" for n in stories]
        (site / "html" / f"{day}.html").write_text(edition_page(links), encoding="utf-8")
    db = tmp_path / "epaper.duckdb"
    with serve_directory(str(site)) as server:
        first = crawl(server.base_url + "/html/day1.html", "--db", str(db))
        seen = len(server.request_log)
        second = crawl(server.base_url + "/html/day2.html", "--db", str(db))
        day2_requests = server.request_log[seen:]
    with duckdb.connect(str(db), read_only=True) as con:
        urls = sorted(u for (u,) in con.execute("SELECT url FROM articles").fetchall())
        aliases = con.execute("SELECT count(*) FROM url_aliases").fetchone()[0]
    assert first["new"] == 3 and second["new"] == 3
    assert urls == sorted(f"{server.base_url}/html/{n}" for n in names)  # six stories, six rows, no variant
    assert aliases == 3                                                   # day 1's variants, fetched before it knew
    assert not [r for r in day2_requests if "div=" in r]                  # day 2's variants: never fetched
