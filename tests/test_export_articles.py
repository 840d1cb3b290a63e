"""`newsduck export --format articles-json`: one JSON file per story, as news-please writes, from a real database."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from flows.cli import main
from parsers.records import EXTRACT_KEYS
from warehouse.db import WarehouseError, connect
from warehouse.export import MANIFEST, export_warehouse
from warehouse.models import PageResult
from warehouse.rows import parse_published

from test_export import source_rows
from test_search import fixture_results, load, story

STORY_KEYS = [
    "article_id", "path", "url", "title", "kicker", "subtitle", "lead", "published_at", "published_date",
    "published_precision", "authors", "source_name", "site_name", "original_url", "canonical_url", "language",
    "sections", "paragraphs", "images", "sub_articles", "text", "provenance", "site", "edition_date", "page_no",
    "page_name", "first_seen_at",
]
SUB_ARTICLE_KEYS = [k for k in STORY_KEYS if k != "sub_articles"]
EPAPER_STORY = "39e9689c8c0dad6a"  # a 辽宁日报 e-paper page: dated 2023-03-07 (China time), 7 stories under it


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[Path, list[PageResult]]:
    path = tmp_path_factory.mktemp("articles") / "news.duckdb"
    results = fixture_results() + [story("http://127.0.0.1:8765/a/1.html", "端口 站点", "第一段\n第二行。")]
    con = connect(path)
    load(con, results)
    con.close()
    return path, results


def documents(directory: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((directory / "articles").iterdir())}


def files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_one_file_per_story_with_its_sub_articles_inside(loaded, tmp_path):
    db, _ = loaded
    out = tmp_path / "json"
    result = export_warehouse(db, out, "articles-json", timezone="Asia/Shanghai")
    stories = {row[0] for row in source_rows(db, "SELECT article_id FROM articles WHERE parent_article_id IS NULL")}
    docs = documents(out)
    assert set(docs) == stories and len(stories) == 7
    assert [t.rows for t in result.tables] == [7] and json.loads((out / MANIFEST).read_text())["tables"] == {
        "articles": {"rows": 7, "path": "articles/", "partitioned_by": []}}
    assert sorted(p.name for p in out.iterdir()) == ["articles", MANIFEST]
    for article_id, doc in docs.items():
        assert list(doc) == STORY_KEYS and doc["article_id"] == article_id
        subs = source_rows(db, f"SELECT article_id, title, body_text FROM articles "
                               f"WHERE parent_article_id = '{article_id}' ORDER BY sub_seq")
        assert [(s["article_id"], s["title"], s["text"]) for s in doc["sub_articles"]] == subs
        assert all(list(s) == SUB_ARTICLE_KEYS for s in doc["sub_articles"])
    assert len(docs[EPAPER_STORY]["sub_articles"]) == 7


def test_a_file_holds_what_extract_gives_for_the_page(loaded, tmp_path):
    db, results = loaded
    out = tmp_path / "json"
    export_warehouse(db, out, "articles-json", timezone="Asia/Shanghai")
    # the keys of `newsduck extract` the warehouse keeps, in extract's order
    assert [k for k in STORY_KEYS if k in EXTRACT_KEYS] == [k for k in EXTRACT_KEYS if k not in ("is_article", "links")]
    by_origin = {(doc["url"], doc["path"]): doc for doc in documents(out).values()}
    compared = 0
    for result in results:
        record = result.record.to_dict()
        doc = by_origin.get((record["url"] or result.fetch.url, record["path"] or result.fetch.path))
        if doc is None:
            continue
        compared += 1
        for key in STORY_KEYS:
            if key in record and key not in ("published_at", "sub_articles"):
                assert doc[key] == record[key], (doc["article_id"], key)
        if record["published_at"]:
            assert datetime.fromisoformat(doc["published_at"]) == parse_published(record["published_at"]).at
        assert [{k: s[k] for k in ("title", "authors", "paragraphs")} for s in doc["sub_articles"]] == \
            record["sub_articles"]
    assert compared == 7


def test_fields_of_an_e_paper_story(loaded, tmp_path):
    db, _ = loaded
    out = tmp_path / "json"
    export_warehouse(db, out, "articles-json", timezone="Asia/Shanghai")
    doc = documents(out)[EPAPER_STORY]
    assert doc["url"] == "http://epaper.lnd.com.cn/html/2023-03/07/content_2318551.htm"
    assert (doc["title"], doc["kicker"]) == ("跑好第一棒 冲刺开门红", "阜新用实干和拼搏推动“三年行动”开好局起好步——")
    assert (doc["published_at"], doc["published_date"], doc["published_precision"]) == \
        ("2023-03-07 00:00:00+08:00", "2023-03-07", "date")
    assert (doc["site"], doc["source_name"], doc["language"]) == ("epaper.lnd.com.cn", "辽宁日报", "zh")
    assert doc["authors"][:3] == [{"name": "侯悦林", "role": "reporter"}, {"name": "田甜", "role": "reporter"},
                                  {"name": "李冬岩", "role": "photographer"}]
    assert doc["authors"] == [{"name": n, "role": r} for n, r in source_rows(
        db, f"SELECT name, role FROM article_people_v WHERE article_id = '{EPAPER_STORY}' ORDER BY seq")]
    assert {"src", "caption", "credit"} == set(doc["images"][0])
    assert [(i["caption"], i["credit"]) for i in doc["images"]] == source_rows(
        db, f"SELECT caption, credit FROM images WHERE article_id = '{EPAPER_STORY}' ORDER BY seq")
    assert doc["text"] == "\n\n".join(
        text for (text,) in source_rows(db, f"SELECT text FROM paragraphs WHERE article_id = '{EPAPER_STORY}' ORDER BY seq"))
    assert doc["sections"] and all(s in doc["text"] for s in doc["sections"] + doc["paragraphs"])
    assert datetime.fromisoformat(doc["first_seen_at"]).utcoffset().total_seconds() == 8 * 3600


def test_times_follow_the_zone(loaded, tmp_path):
    db, _ = loaded
    export_warehouse(db, tmp_path / "utc", "articles-json", timezone="UTC")
    doc = documents(tmp_path / "utc")[EPAPER_STORY]
    assert doc["published_at"] == "2023-03-06 16:00:00+00:00" and doc["first_seen_at"].endswith("+00:00")
    assert doc["published_date"] == "2023-03-07"  # the page's own day, whatever the zone
    assert doc["sub_articles"][0]["published_at"] == "2023-03-06 16:00:00+00:00"


def test_a_second_export_writes_the_same_files(loaded, tmp_path):
    db, _ = loaded
    out = tmp_path / "json"
    export_warehouse(db, out, "articles-json")
    first = files(out)
    export_warehouse(db, out, "articles-json")
    second = files(out)
    assert first.keys() == second.keys()
    assert {k: v for k, v in first.items() if k != MANIFEST} == {k: v for k, v in second.items() if k != MANIFEST}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["json"]


def test_an_interrupted_export_leaves_the_last_one_whole(loaded, tmp_path, monkeypatch):
    db, _ = loaded
    out = tmp_path / "json"
    export_warehouse(db, out, "articles-json", timezone="UTC")
    before = files(out)
    written = []
    real_write_text = Path.write_text

    def interrupted_write(self, data, *args, **kwargs):
        written.append(self)
        if len(written) == 3:  # the third file is cut off halfway
            real_write_text(self, data[: len(data) // 2], *args, **kwargs)
            raise KeyboardInterrupt
        return real_write_text(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", interrupted_write)
    with pytest.raises(KeyboardInterrupt):
        export_warehouse(db, out, "articles-json", timezone="Asia/Shanghai")
    written.clear()
    with pytest.raises(KeyboardInterrupt):
        export_warehouse(db, tmp_path / "new", "articles-json")
    monkeypatch.undo()
    assert files(out) == before  # still the whole UTC export
    assert sorted(p.name for p in tmp_path.iterdir()) == ["json"]  # no partial file, no half-made directory


def test_articles_json_has_no_tables_to_exclude(loaded, tmp_path):
    db, _ = loaded
    with pytest.raises(WarehouseError, match="no tables to exclude"):
        export_warehouse(db, tmp_path / "json", "articles-json", exclude=("runs",))
    assert list(tmp_path.iterdir()) == []


def test_cli_articles_json(loaded, tmp_path, capsys):
    db, _ = loaded
    out = tmp_path / "json"
    assert main(["export", str(out), "--db", str(db), "--format", "articles-json", "--timezone", "UTC"]) == 0
    stdout, stderr = capsys.readouterr()
    assert stdout.split() == ["articles", "7", "articles/"]
    assert "exported 7 stories, one JSON file each," in stderr and "times in UTC" in stderr
    assert documents(out)[EPAPER_STORY]["published_at"] == "2023-03-06 16:00:00+00:00"
