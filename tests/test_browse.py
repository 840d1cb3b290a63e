"""`newsduck browse`: every route of the web app against a real DuckDB file (tests/browse_db.py: the fixture site,
pages and seeds parsed and loaded for real), in-process through starlette's TestClient; the command itself as a
real server process."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from markupsafe import escape
from starlette.testclient import TestClient

import browse_db
from flows.browse.app import APP_CSP, create_app
from flows.cli import main
from flows.local_server import free_port
from warehouse.db import connect
from warehouse.ids import person_id_for
from warehouse.search import search

from conftest import REPO

SITE_BASE = "http://fuxin.example.cn"
SWEET_POTATO_URL = SITE_BASE + "/content/2024-11/content_48116.html"
REPOST_URL = "http://www.ffclzx.cn/fanfujishi/20241103/36257.html"
ORIGINAL_URL = "https://www.lndj.gov.cn/portaluploads/html/site-5/info/51919.html"
UI_URL = "http://127.0.0.1:4200"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return browse_db.build(tmp_path_factory.mktemp("browse") / "news.duckdb", SITE_BASE)


@pytest.fixture(scope="module")
def client(db):
    with TestClient(create_app(str(db), prefect_ui_url=UI_URL)) as test_client:
        yield test_client


def article_id(db: Path, url: str) -> str:
    con = connect(db, read_only=True)
    try:
        return con.execute("SELECT article_id FROM articles WHERE url = ? AND parent_article_id IS NULL",
                           [url]).fetchone()[0]
    finally:
        con.close()


def scalar(db: Path, sql: str, params=()):
    con = connect(db, read_only=True)
    try:
        return con.execute(sql, list(params)).fetchone()[0]
    finally:
        con.close()


def html_of(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:300])
    if status == 200:
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["content-security-policy"] == APP_CSP
    return response.text


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


# ---------------------------------------------------------------- home

def test_home_shows_counts_chart_runs_and_newest_articles(client, db):
    html = html_of(client, "/")
    stories = scalar(db, "SELECT count(*) FROM articles WHERE parent_article_id IS NULL")
    people = scalar(db, "SELECT count(*) FROM people")
    assert f"<strong>{stories}</strong> articles" in html and f"<strong>{people}</strong> people" in html
    assert "<strong>1</strong> sources" in html
    assert '<svg class="chart"' in html and "fuxin.example.cn 2024-11-10: 1</title>" in html
    assert html.count('<tr class="status-completed">') == 2
    assert f'href="{UI_URL}/runs/flow-run/{browse_db.FLOW_RUN_ID}"' in html
    newest = scalar(db, "SELECT title FROM articles WHERE parent_article_id IS NULL "
                        "ORDER BY published_at DESC NULLS LAST LIMIT 1")
    assert newest in html
    data = client.get("/?format=json").json()
    assert data["counts"] == {"articles": stories, "sites": 7, "sources": 1, "people": people}
    assert len(data["runs"]) == 2 and len(data["newest"]) == 10
    assert sum(row["articles"] for row in data["daily"]) == scalar(
        db, "SELECT count(*) FROM articles WHERE parent_article_id IS NULL AND published_date >= DATE '2024-11-20' - 89")


def test_pages_are_utf8_with_lang_attributes_and_serve_their_own_style_and_script(client):
    response = client.get("/")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert '<html lang="en">' in html and '<meta charset="utf-8">' in html and 'lang="zh-CN"' in html
    # nothing from another origin: every script, style and icon is the app's own
    assert re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html) == [
        "/static/browse.css", "/static/favicon.svg", "/static/browse.js"]
    css = client.get("/static/browse.css")
    assert css.status_code == 200 and "Noto Sans CJK SC" in css.text and "PingFang SC" in css.text
    assert "http" not in css.text  # no web font, no import
    assert client.get("/static/browse.js").status_code == 200
    assert client.get("/static/placeholder.svg").headers["content-type"].startswith("image/svg+xml")


# ---------------------------------------------------------------- search

def test_search_ranks_as_newsduck_search_with_highlighted_snippets(client, db):
    html = html_of(client, "/search?q=蜜薯")
    first = re.search(r'<a class="title" href="/article/(\w+)"[^>]*>([^<]+)</a>', html)
    assert first.group(1) == article_id(db, SWEET_POTATO_URL) and first.group(2) == "彰武蜜薯“触网” 直播间里卖出好价钱"
    assert "彰武沙地<mark>蜜薯</mark>" in html
    assert '<div class="meta">no date · <a href="/site/file">file</a>' in html  # the seed text's copy
    con = connect(db, read_only=True)
    try:
        for query in ("蜜薯", "阜新", "招商引资", "玛瑙 直播"):
            expected = [hit.article_id for hit in search(con, query, collapse_copies=True, limit=20)]
            got = [hit["article_id"] for hit in client.get("/search", params={"q": query, "format": "json"}).json()]
            assert got == expected, query
    finally:
        con.close()


def test_search_facets_by_site_month_and_person_and_their_filters(client, db):
    html = html_of(client, "/search?q=蜜薯")
    facets = html[html.index('<aside class="facets">'):html.index("</aside>")]
    assert "<strong>4</strong> matching articles" in facets
    assert ">fuxin.example.cn</a> 1" in facets and ">epaper.lnd.com.cn</a> 1" in facets
    assert 'data-month="2024-11">2024-11</a> 2' in facets and 'data-month="2023-03">2023-03</a> 1' in facets
    assert ">吴昊</a> 1" in facets and ">田甜</a> 2" in facets
    by_person = client.get("/search", params={"q": "蜜薯", "person": "吴昊", "format": "json"}).json()
    assert [hit["article_id"] for hit in by_person] == [article_id(db, SWEET_POTATO_URL)]
    in_month = client.get("/search", params={"q": "蜜薯", "since": "2023-03-01", "until": "2023-03-31",
                                             "format": "json"}).json()
    assert [hit["published_date"] for hit in in_month] == ["2023-03-07"]
    on_site = client.get("/search", params={"q": "蜜薯", "site": "lnd.com.cn", "format": "json"}).json()
    assert {hit["site"] for hit in on_site} == {"epaper.lnd.com.cn"}
    credited = client.get("/search", params={"person": "吴昊", "format": "json"}).json()  # no words: their articles
    assert sorted(hit["title"] for hit in credited) == ["彰武蜜薯“触网” 直播间里卖出好价钱", "阜新高新区氢能装备项目投产"]


def test_search_pages_and_says_when_nothing_matches(client):
    everything = client.get("/search", params={"q": "阜新", "format": "json"}).json()
    second = client.get("/search", params={"q": "阜新", "format": "json", "page": "2"}).json()
    assert len(everything) == 20 and second and second[0]["rank"] == 21
    assert not {h["article_id"] for h in everything} & {h["article_id"] for h in second}
    html = html_of(client, "/search?q=阜新")
    assert 'rel="next" href="/search?q=%E9%98%9C%E6%96%B0&amp;page=2"' in html
    assert 'rel="prev"' in html_of(client, "/search?q=阜新&page=2")
    assert "No article matches “量子计算机”." in html_of(client, "/search?q=量子计算机")
    assert client.get("/search", params={"q": "量子计算机", "format": "json"}).json() == []
    assert "hits" not in html_of(client, "/search")  # the form alone
    # JSON and CSV pages say where the next one is, as the HTML's "next" link does
    first = client.get("/search", params={"q": "阜新", "format": "csv"})
    assert first.headers["link"] == '</search?q=%E9%98%9C%E6%96%B0&format=csv&page=2>; rel="next"'
    last = client.get("/search", params={"q": "阜新", "format": "json", "page": "2"})
    assert "link" not in last.headers and last.json()[-1]["rank"] == len(everything) + len(second)


def test_search_past_the_last_page_says_so_not_that_nothing_matches(client):
    total = client.get("/search", params={"q": "阜新", "list": "facets", "format": "json"}).json()["total"]
    html = html_of(client, "/search?q=阜新&page=9")
    assert f"Page 9 is past the last page of the {total} matching articles" in html
    assert 'href="/search?q=%E9%98%9C%E6%96%B0">the first page</a>' in html and "No article matches" not in html


def test_search_facets_are_also_json_and_csv(client):
    html = html_of(client, "/search?q=蜜薯")
    assert 'href="/search?q=%E8%9C%9C%E8%96%AF&amp;format=json&amp;list=facets">JSON</a>' in html
    facets = client.get("/search", params={"q": "蜜薯", "list": "facets", "format": "json"}).json()
    assert facets["total"] == 4 and facets["counted"] == 4
    assert facets["months"] == [{"month": "2023-03", "articles": 1}, {"month": "2024-11", "articles": 2}]
    assert {"site": "epaper.lnd.com.cn", "articles": 1} in facets["sites"]
    assert {"person": "田甜", "articles": 2} in facets["people"]
    for facet, heading, key in (("sites", "Site", "site"), ("months", "Month", "month"),
                                ("people", "Person", "person")):
        listed = html.split(f"<h3>{heading}</h3>")[1].split("</ul>")[0]  # the page's list, in its order
        shown = re.findall(r'<li><a href="[^"]+"(?: data-month="[^"]+")?>([^<]+)</a> (\d+)</li>', listed)
        assert shown == [(escape(row[key]), str(row["articles"])) for row in facets[facet]], facet
    rows = csv_rows(client.get("/search", params={"q": "蜜薯", "list": "facets", "format": "csv"}))
    assert {"facet": "person", "value": "吴昊", "articles": "1"} in rows
    assert [row["facet"] for row in rows] == ["site"] * len(facets["sites"]) + ["month"] * len(facets["months"]) + [
        "person"] * len(facets["people"])
    assert client.get("/search?q=蜜薯&list=people&format=json").json() == {
        "error": "list=people: this page's lists are hits, facets"}


def test_search_hits_carry_their_articles_language(db, tmp_path):
    copy = tmp_path / "news.duckdb"
    shutil.copy(db, copy)
    con = connect(copy)
    try:
        con.execute("UPDATE articles SET language = 'en' WHERE url = ?", [SWEET_POTATO_URL])
    finally:
        con.close()
    with TestClient(create_app(str(copy))) as english:
        html = html_of(english, "/search?q=蜜薯")
    sweet_potato = article_id(db, SWEET_POTATO_URL)
    assert f'<a class="title" href="/article/{sweet_potato}" lang="en">' in html
    assert re.search(r'<a class="title" href="/article/\w+" lang="zh-CN">彰武县', html)  # the others stay Chinese


def test_search_mistakes_are_one_sentence_and_400(client):
    assert "since=2024-13-01: give a day like 2024-03-05" in html_of(client, "/search?q=蜜薯&since=2024-13-01", 400)
    assert client.get("/search?format=json").json() == {"error": "say what to search for: ?q=words (or ?person=NAME)"}
    assert "it has no words" in html_of(client, "/search?q=，。", 400)
    assert "page=0: give a page number" in html_of(client, "/search?q=蜜薯&page=0", 400)
    assert "until=2024-11-01 is before since=2024-12-01" in html_of(
        client, "/search?q=蜜薯&since=2024-12-01&until=2024-11-01", 400)
    assert "format=xml: this page answers html, json, csv" in html_of(client, "/search?q=蜜薯&format=xml", 400)
    assert "limit=many: give a number of runs from 1 to 10000" in html_of(client, "/runs?limit=many", 400)
    assert client.get("/daily?days=0&format=csv").json() == {"error": "days=0: give a number of days from 1 to 3660"}


def test_search_csv_has_the_hits_with_credits_and_marked_snippets(client):
    rows = csv_rows(client.get("/search", params={"q": "蜜薯", "format": "csv"}))
    assert rows[0]["title"] == "彰武蜜薯“触网” 直播间里卖出好价钱" and rows[0]["rank"] == "1"
    assert "吴昊 (photographer)" in rows[0]["people"] and "【蜜薯】" in rows[0]["snippet"]
    assert rows[0]["published_precision"] == "datetime"
    epaper = next(row for row in rows if row["site"] == "epaper.lnd.com.cn")
    assert (epaper["published_date"], epaper["published_precision"]) == ("2023-03-07", "date")


# ---------------------------------------------------------------- article

def test_article_shows_the_story_as_printed(client, db):
    html = html_of(client, f"/article/{article_id(db, SWEET_POTATO_URL)}")
    assert '<article class="story" lang="zh-CN">' in html
    assert '<h1 class="headline">彰武蜜薯“触网” 直播间里卖出好价钱</h1>' in html
    assert '<time datetime="2024-11-10T01:30:00+00:00">2024-11-10 09:30</time>' in html  # Asia/Shanghai
    assert "来源：<span class=\"source-name\">阜新日报</span>" in html
    assert f'<a class="person" href="/person/{person_id_for("吴昊")}">吴昊</a> <span class="role" lang="en">photographer</span>' in html
    assert '<img src="http://fuxin.example.cn/images/2024-11/48116_01.jpg"' in html
    assert '<span class="caption">主播在直播间推介彰武沙地蜜薯。</span> <span class="credit">吴昊 摄</span>' in html
    assert "<p>今年以来，彰武沙地蜜薯线上销售额已突破1.2亿元，带动种植户户均增收1万余元。</p>" in html
    assert f'<a href="{SWEET_POTATO_URL}" rel="noreferrer">' in html
    assert "<th>authors.photographer</th><td><code>credit:摄</code></td>" in html  # provenance of each field


def test_epaper_article_has_kicker_sections_edition_page_and_sub_articles(client, db):
    html = html_of(client, f"/article/{article_id(db, browse_db.EPAPER_URL)}")
    assert '<p class="kicker">阜新用实干和拼搏推动“三年行动”开好局起好步——</p>' in html
    assert "<h2>“抢”字当先 马不停蹄招商急</h2>" in html
    assert '2023-03-07, page 06 <span lang="zh-CN">市县·阜新</span>' in html
    # where each field came from, the edition's place in the paper too
    assert "<th>kicker</th><td><code>profile:epaper.lnd.com.cn</code></td>" in html
    assert "<th>edition_date, page_no, page_name</th><td>the e-paper page (版) the crawl found it on</td>" in html
    assert '<time datetime="2023-03-06T16:00:00+00:00">2023-03-07</time>' in html  # a day, not a time
    assert "彰武县 文旅持续升温 做足绿色文章</a></h2>" in html  # a sub-article, linked
    assert '<span class="credit">李冬岩 摄</span>' in html
    sub_id = re.search(r'<section class="sub-article" id="sub-1">\s*<h2><a href="/article/(\w+)"', html).group(1)
    first_sub = html.split('<section class="sub-article" id="sub-1">')[1].split("</section>")[0]
    # its own byline and body, as printed
    assert re.search(r'</h2>\s*<p class="byline"><a class="person" href="/person/%s">田甜</a> '
                     r'<span class="role" lang="en">reporter</span></p>' % person_id_for("田甜"), first_sub)
    assert '<div class="body"><p>本报讯 大屏幕上,121个名字正在不断移动' in first_sub
    assert f'Printed with <a href="/article/{article_id(db, browse_db.EPAPER_URL)}">' in html_of(client, f"/article/{sub_id}")


def test_article_relations_link_the_repost_and_the_original(client, db):
    repost, original = article_id(db, REPOST_URL), article_id(db, ORIGINAL_URL)
    html = html_of(client, f"/article/{repost}")
    assert re.search(rf'repost of</span>\s*<a href="/article/{original}"', html)
    assert f'<dt lang="zh-CN">原文链接</dt><dd class="url"><a href="{ORIGINAL_URL}"' in html
    assert re.search(rf'reposted as</span>\s*<a href="/article/{repost}"', html_of(client, f"/article/{original}"))
    assert f"<dt>Canonical URL</dt><dd class=\"url\"><a href=\"{ORIGINAL_URL}\"" in html_of(client, f"/article/{original}")
    data = client.get(f"/article/{repost}?format=json").json()
    # the seed text's copy is an exact duplicate of both; ids (and so the order of equal times) follow the checkout's path
    assert [(r["relation"], r["direction"]) for r in data["relations"] if r["article_id"] == original] == [
        ("exact_duplicate", "later"), ("repost_of", "later")]  # one order, whatever the database's
    assert data["published_at"].endswith("+08:00") and data["first_seen_at"].endswith("+08:00")
    assert all(r["published_at"].endswith("+08:00") for r in data["relations"])


def test_every_value_is_escaped(client, db):
    hostile = article_id(db, browse_db.HOSTILE_URL)
    pages = ["/", "/articles", "/search?q=蜜薯", f"/article/{hostile}", f"/article/{hostile}/source",
             f"/person/{person_id_for('<script>x</script>')}", "/site/evil.example.cn", "/site/broken.example.cn",
             f"/search?q=<script>alert(1)</script>蜜薯"]
    for url in pages:
        html = html_of(client, url)
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts == ['<script src="/static/browse.js" defer>'], (url, scripts)
        assert "<b>" not in html and "<i>" not in html and "onerror=" not in html.replace("&#34;", '"').split("&lt;img")[0]
    html = html_of(client, f"/article/{hostile}")
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; 标题 &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "javascript:" not in html  # a picture's src that is no web URL is not used
    assert "no article &lt;found&gt; here" in html_of(client, "/site/broken.example.cn")


def test_the_stored_page_never_runs_script_in_the_apps_origin(client, db):
    hostile = article_id(db, browse_db.HOSTILE_URL)
    raw = client.get(f"/article/{hostile}/raw")
    assert raw.status_code == 200 and b"document.title='pwned'" in raw.content
    policy = raw.headers["content-security-policy"]
    assert policy.startswith("sandbox;") and "script-src 'none'" in policy and "default-src 'none'" in policy
    assert raw.headers["x-content-type-options"] == "nosniff"
    side = html_of(client, f"/article/{hostile}/source")
    assert re.search(rf'<iframe class="raw" sandbox src="/article/{hostile}/raw"', side)
    assert "allow-scripts" not in side and "allow-same-origin" not in side
    # the GBK e-paper page is served as stored, with its charset
    epaper = client.get(f"/article/{article_id(db, browse_db.EPAPER_URL)}/raw")
    assert epaper.headers["content-type"].lower() == "text/html; charset=gb18030" or "charset=gb" in \
        epaper.headers["content-type"].lower()
    assert "辽宁日报" in epaper.content.decode("gb18030")


def test_unknown_ids_are_404_pages(client):
    assert "no article &#39;nope&#39; in the warehouse" in html_of(client, "/article/nope", 404)
    assert client.get("/person/nope?format=json").json() == {"error": "no person 'nope' in the warehouse"}
    for url in ("/site/nowhere.example", "/source/nope", "/run/nope", "/article/nope/raw", "/nope"):
        assert client.get(url).status_code == 404, url
    assert "no page /nope here" in html_of(client, "/nope", 404)  # the app's page, not a framework's JSON
    assert client.get("/static/nope.css?format=json").json() == {"error": "no page /static/nope.css here"}


# ---------------------------------------------------------------- person, site, source, runs

def test_person_page_has_roles_and_articles_over_time(client, db):
    html = html_of(client, f"/person/{person_id_for('田甜')}")
    assert '<h1 lang="zh-CN" class="person-name">田甜</h1>' in html
    credited = scalar(db, "SELECT count(DISTINCT article_id) FROM article_people_v WHERE name = '田甜'")
    dated = scalar(db, "SELECT count(DISTINCT a.article_id) FROM article_people_v p JOIN articles a USING (article_id) "
                       "WHERE p.name = '田甜' AND a.published_date IS NOT NULL")
    assert credited > dated > 1  # her reports in the e-paper (dated) and in the seed text (not)
    assert f'<span class="role">reporter</span> on {credited} articles' in html
    assert f"2023-03: {dated}</title>" in html  # the chart of articles per month
    rows = client.get(f"/person/{person_id_for('吴昊')}?format=json").json()
    assert sorted((r["title"], r["roles"]) for r in rows) == [("彰武蜜薯“触网” 直播间里卖出好价钱", "photographer"),
                                                              ("阜新高新区氢能装备项目投产", "photographer")]
    assert [r["published_at"] for r in rows] == sorted((r["published_at"] for r in rows), reverse=True)
    assert [r["article_id"] for r in csv_rows(client.get(f"/person/{person_id_for('吴昊')}?format=csv"))] == [
        r["article_id"] for r in rows]


def test_site_and_source_pages_have_daily_counts_parser_versions_and_errors(client):
    html = html_of(client, "/site/fuxin.example.cn")
    assert "28 articles</a>, published 2024-11-01 to 2024-11-20" in html and "parser version" in html
    assert '<svg class="chart"' in html
    broken = html_of(client, "/site/broken.example.cn")
    assert "<td>parse</td><td>ValueError</td><td class=\"url\">https://broken.example.cn/1.html</td>" in broken
    source = html_of(client, "/source/fuxin-news")
    assert "<h1>阜新新闻网 <small>source</small></h1>" in source and "28 articles</a>" in source
    data = client.get("/source/fuxin-news?format=json").json()
    assert data["articles"] == 28 and data["parser_versions"][0]["articles"] == 28 and data["errors"] == []
    assert sum(r["articles"] for r in client.get("/daily?site=fuxin.example.cn&format=json").json()) == 28
    errors = csv_rows(client.get("/site/broken.example.cn?list=errors&format=csv"))
    assert [(e["stage"], e["message"]) for e in errors] == [("parse", "no article <found> here")]
    versions = csv_rows(client.get("/source/fuxin-news?list=parser_versions&format=csv"))
    assert [v["articles"] for v in versions] == ["28"]
    assert client.get("/site/fuxin.example.cn?list=daily&format=json").json() == client.get(
        "/daily?site=fuxin.example.cn&format=json").json()
    assert 'href="/site/fuxin.example.cn?list=errors&amp;format=csv"' in html
    assert client.get("/site/fuxin.example.cn?format=csv").json() == {
        "error": "format=csv needs one of the page's lists: &list=daily|parser_versions|errors"}


def test_runs_link_their_errors_and_flow_runs(client, db, tmp_path):
    html = html_of(client, "/runs")
    assert html.count("<tr class=\"status-completed\">") == 2
    ingest = scalar(db, "SELECT run_id FROM runs WHERE command = 'ingest'")
    assert f'<td class="n"><a href="/run/{ingest}">1</a></td>' in html
    run = html_of(client, f"/run/{ingest}")
    assert "no article &lt;found&gt; here" in run
    errors = csv_rows(client.get(f"/run/{ingest}?format=csv"))
    assert [(e["stage"], e["message"]) for e in errors] == [("parse", "no article <found> here")]
    assert '<th class="n" title="not requested: robots.txt disallows the URL, or an e-paper date has no edition">' \
           'skipped</th>' in html
    assert html.count('<td class="n" title="robots.txt 0 · no edition 0">0</td>') == 2
    copy = tmp_path / "news.duckdb"
    shutil.copy(db, copy)
    con = connect(copy)
    try:
        con.execute("UPDATE runs SET skipped_robots = 2, no_edition = 3 WHERE command = 'crawl'")
    finally:
        con.close()
    with TestClient(create_app(str(copy))) as skipping:
        assert '<td class="n" title="robots.txt 2 · no edition 3">5</td>' in html_of(skipping, "/runs")
    runs = client.get("/runs?format=json").json()
    assert {r["command"]: r["flow_run_id"] for r in runs} == {"crawl": browse_db.FLOW_RUN_ID, "ingest": None}
    assert runs[0]["started_at"].endswith("+08:00")  # JSON times in the app's zone


@pytest.mark.parametrize("path, key", [("/articles", "article_id"), ("/runs", "run_id"), ("/sites", "site"),
                                       ("/sources", "source_id"), ("/daily", "day"), ("/search?q=蜜薯", "title")])
def test_every_list_is_also_json_and_csv(client, path, key):
    joiner = "&" if "?" in path else "?"
    rows = client.get(f"{path}{joiner}format=json").json()
    assert rows and all(key in row for row in rows)
    assert [row[key] for row in csv_rows(client.get(f"{path}{joiner}format=csv"))] == [
        "" if row[key] is None else str(row[key]) for row in rows]


def test_lists_page_through_the_articles(client, db):
    first = client.get("/articles?format=json").json()
    assert len(first) == scalar(db, "SELECT count(*) FROM articles WHERE parent_article_id IS NULL")
    assert [r["article_id"] for r in client.get("/articles?site=fuxin.example.cn&format=json").json()][:1] == [
        first[0]["article_id"]]
    assert client.get("/articles?page=2&format=json").json() == []
    assert "link" not in client.get("/articles?format=json").headers  # fewer than a page of 50


def test_json_and_csv_lists_link_their_next_page(client, monkeypatch):
    import flows.browse.app

    monkeypatch.setattr(flows.browse.app, "LIST_SIZE", 10)
    first = client.get("/articles?site=fuxin.example.cn&format=json")
    assert len(first.json()) == 10
    assert first.headers["link"] == '</articles?site=fuxin.example.cn&format=json&page=2>; rel="next"'
    second = client.get("/articles?site=fuxin.example.cn&format=json&page=2")
    assert second.headers["link"].startswith("</articles?site=fuxin.example.cn&format=json&page=3>")
    assert not {r["article_id"] for r in first.json()} & {r["article_id"] for r in second.json()}
    person = f"/person/{person_id_for('田甜')}"
    assert client.get(f"{person}?format=csv").headers["link"] == f'<{person}?format=csv&page=2>; rel="next"'
    assert "link" not in client.get(f"{person}?format=csv&page=2").headers  # her 16 articles: 10 + 6


def test_the_app_has_no_write_endpoint(client, db):
    for route in client.app.routes:
        assert not (set(getattr(route, "methods", None) or ()) - {"GET", "HEAD"}), route
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for url in ("/search", "/", f"/article/{article_id(db, SWEET_POTATO_URL)}", "/runs", "/static/browse.css"):
            refused = client.request(method, url)
            assert refused.status_code == 405, (method, url)
            assert f"{method} is refused: this app only reads the warehouse" in refused.text, (method, url)


def test_flow_runs_link_to_the_prefect_ui_in_use(monkeypatch, tmp_path):
    from flows.browse.app import prefect_ui_url
    from flows.local_server import ServerState, write_state

    monkeypatch.delenv("PREFECT_UI_URL", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("NEWSDUCK_HOME", str(tmp_path))
    assert prefect_ui_url() is None  # no server known: the flow-run id is shown without a link
    write_state(ServerState(pid=os.getpid(), api_url="http://127.0.0.1:4311/api", started_at="2026-12-06T00:00:00Z"))
    assert prefect_ui_url() == "http://127.0.0.1:4311"  # the one `newsduck server start` runs
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect.example:4200/api/")
    assert prefect_ui_url() == "http://prefect.example:4200"
    monkeypatch.setenv("PREFECT_UI_URL", "http://ui.example:4200")
    assert prefect_ui_url() == "http://ui.example:4200"


def test_a_database_error_is_a_page_of_one_sentence(tmp_path):
    old = tmp_path / "old.duckdb"
    con = connect(old)
    con.execute("DROP TABLE sources")  # as if from a schema this code does not know
    con.close()
    with TestClient(create_app(str(old))) as stale:
        page = stale.get("/sources")
    assert page.status_code == 500 and "the database could not answer: Catalog Error" in page.text


def test_times_follow_the_time_zone_option(db):
    with TestClient(create_app(str(db), zone="UTC")) as utc:
        html = utc.get(f"/article/{article_id(db, SWEET_POTATO_URL)}").text
    assert ">2024-11-10 01:30</time>" in html and "times in UTC" in html


# ---------------------------------------------------------------- while a crawl writes

def hold_write_lock(db: Path, seconds: float) -> subprocess.Popen:
    code = ("import sys, time; from warehouse.db import connect; con = connect(sys.argv[1]); print('held', flush=True); "
            f"time.sleep({seconds}); con.close()")
    holder = subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_writer_gets_the_file_between_requests(db):
    with TestClient(create_app(str(db))) as reading:
        assert reading.get("/").status_code == 200
        code = "import sys; from warehouse.db import connect; connect(sys.argv[1]).close(); print('wrote')"
        writer = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, timeout=60,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
        assert writer.stdout.strip() == "wrote", writer.stderr[-500:]
        assert reading.get("/runs").status_code == 200


def test_concurrent_requests_share_the_attached_file(client):
    from concurrent.futures import ThreadPoolExecutor

    urls = ["/", "/articles?format=json", "/runs", "/sites", "/search?q=蜜薯", "/person/nope"] * 10
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda url: client.get(url).status_code, urls))
    assert codes == [404 if url == "/person/nope" else 200 for url in urls]


def test_a_request_waits_while_a_writer_holds_the_file(db):
    holder = hold_write_lock(db, 1.5)
    try:
        with TestClient(create_app(str(db))) as waiting:
            started = time.monotonic()
            assert waiting.get("/").status_code == 200
            assert time.monotonic() - started > 0.5
    finally:
        holder.wait(timeout=30)
    holder = hold_write_lock(db, 3)
    try:
        with TestClient(create_app(str(db), busy_timeout=0)) as impatient:
            busy = impatient.get("/")
        assert busy.status_code == 503 and "try again in a moment" in busy.text
    finally:
        holder.wait(timeout=30)


# ---------------------------------------------------------------- the command

def test_browse_command_warns_when_bound_elsewhere_and_opens_the_browser(db, tmp_path):
    port = free_port()
    opened = tmp_path / "opened"
    browser = tmp_path / "browser"  # what --open starts ($BROWSER, as Python's webbrowser module reads it)
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    server = subprocess.Popen([sys.executable, "-m", "flows.cli", "browse", "--db", str(db), "--host", "0.0.0.0",
                               "--port", str(port), "--open"], cwd=REPO, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO), "BROWSER": str(browser)})
    try:
        warning = server.stderr.readline()
        assert warning.startswith("newsduck browse: warning: listening on 0.0.0.0, not only this machine")
        assert f"at http://0.0.0.0:{port}/" in server.stderr.readline()
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/search", params={"q": "蜜薯"}, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.1)
        assert response.status_code == 200 and "彰武蜜薯" in response.text
        while not opened.exists() or not opened.read_text():
            assert time.monotonic() < deadline, "--open did not open the home page"
            time.sleep(0.1)
        assert opened.read_text().strip() == f"http://0.0.0.0:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_browse_command_mistakes_are_one_line(tmp_path, capsys):
    assert main(["browse", "--db", str(tmp_path / "missing.duckdb")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("newsduck: no database at") and err.count("\n") == 1
    with pytest.raises(SystemExit) as exit_info:
        main(["browse", "--port", "70000"])
    assert exit_info.value.code == 2
    assert "expected a port from 1 to 65535" in capsys.readouterr().err


def test_browse_command_refuses_a_port_in_use(db, capsys):
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["browse", "--db", str(db), "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
