"""What a search shows a journalist: bylines are searchable (a bare name, or --person), copies of one story are
listed once, and times are local (--timezone). Real DuckDB files, the real loader, index and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.cli import main
from parsers.records import ArticleRecord, Author, Block
from warehouse.db import connect
from warehouse.search import enable_search, search

from test_search import load, page_result

REPORTER = "张立新"
# Long enough (50+ characters) for the duplicate detection to compare the copies.
CANTEEN = ("中午11点刚过，海州区和平街道东苑社区的银龄食堂里已经坐满了前来就餐的老人。"
           "食堂由社区和爱心企业共同运营，每天供应两荤两素一汤，六十岁以上老人每餐只需十元。")


def article(url: str, title: str, *paragraphs: str, published_at: str = "2024-06-01T09:00:00+08:00",
            authors: tuple[tuple[str, str], ...] = (), source_name: str | None = None):
    record = ArticleRecord(url=url, title=title, published_at=published_at, language="zh", source_name=source_name,
                           body=[Block("paragraph", p) for p in paragraphs],
                           authors=[Author(name, role) for name, role in authors])
    return page_result(record, f"<html>{url}{title}{paragraphs}{authors}</html>".encode(), url=url)


CREDITED = {  # url -> (title, published_at, role of 张立新)
    "https://a.example.cn/1.html": ("细河区三家企业获评省级专精特新企业", "2024-05-01T09:30:00+08:00", "reporter"),
    "https://a.example.cn/2.html": ("春耕备耕正当时 阜蒙县田间地头忙起来", "2024-05-03T09:30:00+08:00", "reporter"),
    "https://a.example.cn/3.html": ("柳河县图书馆春季公益课程开始报名", "2024-05-05T09:00:00+08:00", "reporter"),
    "https://a.example.cn/4.html": ("玉龙湖畔春色浓", "2024-05-04T09:00:00+08:00", "photographer"),
}
MENTION_URL = "https://b.example.cn/mention.html"  # names him in its text, credits someone else
COPY_URLS = ["https://a.example.cn/canteen.html", "https://b.example.cn/canteen.html", "https://c.example.cn/canteen.html"]
OTHER_CANTEEN_URL = "https://a.example.cn/market.html"
MIDNIGHT_URL = "https://a.example.cn/midnight.html"  # 00:30 China time: the day before in UTC
DAY_ONLY_URL = "https://a.example.cn/day-only.html"  # the page gives only a day


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("newsroom") / "news.duckdb"
    con = connect(path)
    pages = [article(url, title, "本报讯 各项工作有序推进，群众反响良好。", published_at=when,
                     authors=((REPORTER, role), ("马丽", "editor")))
             for url, (title, when, role) in CREDITED.items()]
    pages.append(article(MENTION_URL, "基层干部访谈", f"村支书{REPORTER}介绍了今年的工作计划。",
                         published_at="2024-05-06T09:00:00+08:00", authors=(("王晓雯", "reporter"),)))
    # One story and two reposts of it, word for word, on later days.
    pages += [article(url, "老旧小区里开出银龄食堂 老人吃饭不再犯难", CANTEEN,
                      published_at=f"2024-03-0{5 + n}T10:15:00+08:00", authors=(("刘思源", "reporter"),) if n == 0 else (),
                      source_name="阜新日报" if n else None)
              for n, url in enumerate(COPY_URLS)]
    pages.append(article(OTHER_CANTEEN_URL, "便民生活圈投入运营", "新建的社区服务中心里，生鲜超市、助老食堂、快递驿站一应俱全。",
                         published_at="2024-03-04T15:30:00+08:00"))
    pages.append(article(MIDNIGHT_URL, "午夜发布的春节消息", "春节前夕的消息。", published_at="2024-03-06T00:30:00+08:00"))
    pages.append(article(DAY_ONLY_URL, "只有日期的春节消息", "春节假期的安排。", published_at="2024-03-06"))
    counts, _ = load(con, pages)
    assert counts.errors == 0 and counts.new == len(pages)
    clusters = con.execute("SELECT a.url, c.cluster_size FROM article_clusters c JOIN articles a USING (article_id)"
                           ).fetchall()
    assert sorted(clusters) == [(url, 3) for url in COPY_URLS]  # the fixture's premise: one cluster of three
    con.close()
    return path


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["search", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def urls_of(hits) -> list[str]:
    return [hit.url for hit in hits]


# ---------------------------------------------------------------- names

def test_a_bare_name_finds_the_stories_whose_byline_credits_the_person(newsroom, capsys):
    con = connect(newsroom, read_only=True)
    hits = search(con, REPORTER)
    # credited first (the byline counts like the title), then the story that only mentions him
    assert set(urls_of(hits[:4])) == set(CREDITED) and urls_of(hits[4:]) == [MENTION_URL]
    assert hits[0].people[0].name == REPORTER
    assert enable_search(con)
    in_sql = con.execute("SELECT url, score FROM search_articles(?)", [REPORTER]).fetchall()
    assert [url for url, _ in in_sql] == urls_of(hits)
    assert [score for _, score in in_sql] == pytest.approx([hit.score for hit in hits], rel=1e-9)
    assert urls_of(search(con, f"{REPORTER} 春耕")) == ["https://a.example.cn/2.html"]  # a name and a word
    con.close()

    code, out, _ = cli(capsys, REPORTER, "--db", str(newsroom))
    assert code == 0
    assert f"    by {REPORTER} (reporter), 马丽 (editor)" in out.splitlines()
    assert out.splitlines()[-1] == "(5 results)"


def test_person_filters_by_the_exact_name_and_role(newsroom, capsys):
    db = ["--db", str(newsroom), "--format", "json"]
    code, out, _ = cli(capsys, "--person", REPORTER, *db)  # no words: the person's stories, latest first
    hits = json.loads(out)
    assert code == 0 and [h["url"] for h in hits] == [
        "https://a.example.cn/3.html", "https://a.example.cn/4.html", "https://a.example.cn/2.html",
        "https://a.example.cn/1.html"]
    assert all(h["score"] is None for h in hits)
    code, out, _ = cli(capsys, "--person", REPORTER, "--role", "reporter", *db)
    assert {h["url"] for h in json.loads(out)} == {url for url, c in CREDITED.items() if c[2] == "reporter"}
    code, out, _ = cli(capsys, "春耕", "--person", REPORTER, *db)
    assert [h["url"] for h in json.loads(out)] == ["https://a.example.cn/2.html"]
    code, out, _ = cli(capsys, "工作", "--person", REPORTER, "--role", "editor", "--db", str(newsroom))
    assert out == f"no articles that credit '{REPORTER}' as editor match '工作'\n"
    code, out, _ = cli(capsys, "--person", "张立", "--db", str(newsroom))  # exact names only
    assert out == "no articles credit '张立'\n"

    assert cli(capsys, "食堂", "--role", "reporter", "--db", str(newsroom))[0] == 2
    code, _, err = cli(capsys, "--person", REPORTER, "--role", "writer", "--db", str(newsroom))
    assert code == 2 and "expected one of reporter, author" in err


# ---------------------------------------------------------------- copies

def test_copies_of_a_story_are_listed_once_with_their_sites(newsroom, capsys):
    code, out, _ = cli(capsys, "食堂", "--db", str(newsroom))
    lines = out.splitlines()
    assert code == 0 and lines[-1] == "(2 results)"
    assert lines[0] == " 1. 老旧小区里开出银龄食堂 老人吃饭不再犯难"
    # The best ranked copy stands for the story: the reposts score alike (the same words; the original's byline
    # makes its document longer) and the later one wins the tie; the others follow in rank order.
    assert lines[1].startswith("    2024-03-07 10:15 · c.example.cn · score ")
    assert lines[1].endswith("  (+2 copies: b.example.cn, a.example.cn)")
    assert sum("老旧小区里开出银龄食堂" in line for line in lines) == 1
    assert any(line.startswith(" 2. 便民生活圈投入运营") for line in lines)

    code, out, _ = cli(capsys, "食堂", "--db", str(newsroom), "--format", "json")
    hits = json.loads(out)
    assert len(hits) == 2 and hits[1]["url"] == OTHER_CANTEEN_URL and hits[1]["copies"] == []
    shown = [hits[0]["url"]] + [c["url"] for c in hits[0]["copies"]]
    assert sorted(shown) == COPY_URLS
    assert {c["site"] for c in hits[0]["copies"]} == {u.split("/")[2] for u in COPY_URLS} - {hits[0]["site"]}
    assert all(c["published_at"].endswith("+08:00") for c in hits[0]["copies"])

    code, out, _ = cli(capsys, "食堂", "--db", str(newsroom), "--format", "json", "--all-copies")
    every = json.loads(out)
    assert [h["url"] for h in every[:3]] == shown  # the same order, each copy a result of its own
    assert len(every) == 4 and all(h["copies"] == [] for h in every)


def test_collapsing_counts_stories_and_finds_copies_ranked_below_the_limit(newsroom):
    con = connect(newsroom, read_only=True)
    every = search(con, "食堂", limit=100)
    assert len(every) == 4
    one = search(con, "食堂", limit=1, collapse_copies=True)
    assert len(one) == 1 and [one[0].url] + [c.url for c in one[0].copies] == urls_of(every[:3])
    assert urls_of(search(con, "食堂", limit=2, collapse_copies=True)) == [every[0].url, OTHER_CANTEEN_URL]
    # filters apply to the copies as to the hits
    only_c = search(con, "食堂", site="c.example.cn", collapse_copies=True)
    assert urls_of(only_c) == [COPY_URLS[2]] and only_c[0].copies == []
    con.close()


# ---------------------------------------------------------------- time zones

def test_times_are_shown_in_china_time_by_default(newsroom, capsys):
    code, out, _ = cli(capsys, "午夜", "--db", str(newsroom), "--format", "json")
    hit = json.loads(out)[0]
    assert (hit["published_at"], hit["published_date"]) == ("2024-03-06T00:30:00+08:00", "2024-03-06")
    code, out, _ = cli(capsys, "午夜", "--db", str(newsroom))
    assert out.splitlines()[1].startswith("    2024-03-06 00:30 · a.example.cn · score ")
    code, out, _ = cli(capsys, "春节", "--since", "2024-03-06", "--until", "2024-03-06", "--db", str(newsroom))
    assert out.splitlines()[-1] == "(2 results)"


def test_timezone_option_and_environment(newsroom, capsys, monkeypatch):
    code, out, _ = cli(capsys, "午夜", "--db", str(newsroom), "--format", "json", "--timezone", "UTC")
    hit = json.loads(out)[0]
    assert (hit["published_at"], hit["published_date"]) == ("2024-03-05T16:30:00+00:00", "2024-03-05")
    monkeypatch.setenv("NEWSDUCK_TIMEZONE", "UTC")
    code, out, _ = cli(capsys, "春节", "--db", str(newsroom))
    lines = out.splitlines()
    assert "    2024-03-05 16:30 · a.example.cn · score" in "\n".join(lines)
    assert any(line.startswith("    2024-03-06 · a.example.cn") for line in lines)  # a day stays that day
    # the dates searched are the days shown
    code, out, _ = cli(capsys, "春节", "--since", "2024-03-06", "--db", str(newsroom), "--format", "json")
    assert [h["url"] for h in json.loads(out)] == [DAY_ONLY_URL]
    code, out, _ = cli(capsys, "春节", "--since", "2024-03-06", "--db", str(newsroom), "--format", "json",
                       "--timezone", "Asia/Shanghai")
    assert {h["url"] for h in json.loads(out)} == {DAY_ONLY_URL, MIDNIGHT_URL}
    monkeypatch.setenv("NEWSDUCK_TIMEZONE", "Mars/Olympus")
    with pytest.raises(SystemExit):
        cli(capsys, "春节", "--db", str(newsroom))
    assert "NEWSDUCK_TIMEZONE" in capsys.readouterr().err
