"""`newsduck ingest` end to end through the real Prefect engine (ephemeral) into a real DuckDB file.

The seed and fixture-page gold must hold when read back with SQL, not only from `newsduck extract`.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import Future
from pathlib import Path

import duckdb
import pytest

from flows.batches import LAKE_BATCHES_AHEAD, ExtractedAhead
from flows.cli import main
from flows.static_server import serve_directory

from conftest import FIXTURES, norm, norm_dashes

PAGES = FIXTURES / "pages"
SEEDS = FIXTURES / "seeds"
ARTICLE_TABLES = ("articles", "paragraphs", "people", "article_people", "images", "links", "raw_pages")


def ingest(capsys, *argv: str) -> dict:
    code = main(["ingest", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out.strip().splitlines()[-1])


def rows(db: Path, sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def table_counts(db: Path) -> dict[str, int]:
    return {t: rows(db, f"SELECT count(*) FROM {t}")[0][0] for t in ARTICLE_TABLES}


def table_contents(db: Path) -> dict[str, list]:
    """Every row of the article tables, minus the columns that record when (not what)."""
    contents = {}
    for table in ARTICLE_TABLES:
        columns = [c for (c,) in rows(db, "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", table)
                   if c not in ("first_seen_at", "updated_at", "run_id", "fetched_at")]
        contents[table] = sorted(map(repr, rows(db, f"SELECT {', '.join(columns)} FROM {table}")))
    return contents


def url_map(tmp_path: Path) -> Path:
    mapping = tmp_path / "urls.jsonl"
    lines = []
    for gold_file in sorted(PAGES.glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        lines.append(json.dumps({"path": str(gold_file.with_suffix(".html")), "url": gold["url"]}))
    mapping.write_text("\n".join(lines), encoding="utf-8")
    return mapping


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """Seeds and fixture pages ingested once (pages with their gold URLs)."""
    tmp_path = tmp_path_factory.mktemp("ingest")
    db = tmp_path / "news.duckdb"
    code = main(["ingest", str(SEEDS), str(PAGES), "--urls", str(url_map(tmp_path)), "--db", str(db), "--json"])
    assert code == 0
    return db


def article_by(db: Path, column: str, value: str) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(f"SELECT * FROM articles WHERE {column} = ? AND parent_article_id IS NULL", [value])
        names = [d[0] for d in cur.description]
        found = cur.fetchall()
    finally:
        con.close()
    assert len(found) == 1, f"{column}={value}: {len(found)} articles"
    return dict(zip(names, found[0]))


def body(db: Path, article_id: str) -> tuple[list[str], list[str]]:
    blocks = rows(db, "SELECT kind, text FROM paragraphs WHERE article_id = ? ORDER BY seq", article_id)
    return [t for k, t in blocks if k == "heading"], [t for k, t in blocks if k != "heading"]


def authors(db: Path, article_id: str) -> set[tuple[str, str]]:
    return set(rows(db, "SELECT name, role FROM article_people_v WHERE article_id = ?", article_id))


def published_iso(article: dict) -> str | None:
    if article["published_at"] is None:
        return None
    local = article["published_at"].astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    if article["published_precision"] == "date":
        return local.date().isoformat()
    return local.isoformat()


ARTICLE_PAGES = [p.stem for p in sorted(PAGES.glob("*.json")) if json.loads(p.read_text())["is_article"]]


@pytest.mark.parametrize("stem", ARTICLE_PAGES)
def test_fixture_page_gold_holds_in_the_warehouse(loaded, stem):
    gold = json.loads((PAGES / f"{stem}.json").read_text(encoding="utf-8"))
    article = article_by(loaded, "url", gold["url"])
    assert norm(article["title"]) == norm(gold["title"])
    assert norm_dashes(article["kicker"]) == norm_dashes(gold["kicker"])
    assert norm_dashes(article["subtitle"]) == norm_dashes(gold["subtitle"])
    assert published_iso(article) == gold["published_at"]
    assert article["source_name"] == gold["source_name"]
    assert article["original_url"] == gold["original_url"]
    assert article["canonical_url"] == gold["canonical_url"]
    assert article["language"] == gold["language"]
    assert authors(loaded, article["article_id"]) == {(a["name"], a["role"]) for a in gold["authors"]}
    sections, paragraphs = body(loaded, article["article_id"])
    assert [norm(s) for s in sections] == [norm(s) for s in gold["sections"]]
    assert [norm(p) for p in paragraphs] == [norm(p) for p in gold["paragraphs"]]
    images = rows(loaded, "SELECT src, caption, credit FROM images WHERE article_id = ? ORDER BY seq", article["article_id"])
    assert [(s, norm(c), norm(r)) for s, c, r in images] == [(i["src"], norm(i["caption"]), norm(i["credit"])) for i in gold["images"]]
    subs = rows(loaded, "SELECT article_id, title FROM articles WHERE parent_article_id = ? ORDER BY article_id", article["article_id"])
    sub_gold = {norm(s["title"]): [norm(p) for p in s["paragraphs"]] for s in gold["sub_articles"]}
    assert {norm(t) for _, t in subs} == set(sub_gold)
    for sub_id, title in subs:
        assert [norm(p) for p in body(loaded, sub_id)[1]] == sub_gold[norm(title)]


def test_list_page_links_are_stored(loaded):
    gold = json.loads((PAGES / "fanfu-list-fanfujishi.json").read_text(encoding="utf-8"))
    links = rows(loaded, "SELECT url, title FROM links WHERE page_url = ? ORDER BY seq", gold["url"])
    assert [(u, norm(t)) for u, t in links] == [(l["url"], norm(l["title"])) for l in gold["links"]]
    assert rows(loaded, "SELECT count(*) FROM articles WHERE url = ?", gold["url"])[0][0] == 0


def test_error_page_is_not_an_article(loaded):
    gold = json.loads((PAGES / "lndj-error-51920.json").read_text(encoding="utf-8"))
    assert rows(loaded, "SELECT count(*) FROM articles WHERE url = ?", gold["url"])[0][0] == 0


def test_seed_000_through_sql(loaded):
    path = str((SEEDS / "000_1229933dc2040656.txt").resolve())
    article = article_by(loaded, "path", path)
    assert article["title"] == "跑好第一棒 冲刺开门红"
    assert norm_dashes(article["kicker"]) == "阜新用实干和拼搏推动“三年行动”开好局起好步"
    assert article["lead"].startswith("众辉生物和龙田化工生产的两种农药原药")
    assert article["published_at"] is None
    assert {("侯悦林", "reporter"), ("李冬岩", "photographer"), ("刘杰印", "photographer"),
            ("李贺文", "photographer"), ("朱学著", "photographer")} <= authors(loaded, article["article_id"])
    sections, paragraphs = body(loaded, article["article_id"])
    assert sections == ["“抢”字当先 马不停蹄招商急", "打出组合拳 千方百计惠企业", "攻坚克难 探索基层治理新路径", "聚焦民生 提升群众“幸福指数”"]
    assert sum("盯投资强度大、科技含量足" in p for p in paragraphs) == 1
    assert any(p.endswith("主要领导率队出征,以上率下,打样示范,在全市迅速形成浓厚的双招双引氛围。") for p in paragraphs)
    assert not any(p.endswith(" 摄") for p in paragraphs)
    captions = rows(loaded, "SELECT caption, credit FROM images WHERE article_id = ? ORDER BY seq", article["article_id"])
    assert [c for _, c in captions] == ["李冬岩 摄", "刘杰印 摄", "李贺文 摄", "本报特约记者 朱学著 摄"]
    subs = rows(loaded, "SELECT article_id, title FROM articles WHERE parent_article_id = ? ORDER BY title", article["article_id"])
    assert len(subs) == 7
    assert "阜新县 创建百亿园区 打造工业强县" in {norm(t) for _, t in subs}
    for sub_id, _ in subs:
        assert authors(loaded, sub_id) == {("田甜", "reporter")}


def test_seed_004_through_sql(loaded):
    article = article_by(loaded, "path", str((SEEDS / "004_11c5d1afe74d2e2e.txt").resolve()))
    assert article["title"] == "向“新”发力 逐“质”而行——阜新市海州区凝心聚力谋发展促振兴纪实"
    assert published_iso(article) == "2024-11-03T10:55:33+08:00"
    assert authors(loaded, article["article_id"]) == set()
    assert article["source_name"] == "中共辽宁省委组织部"
    assert article["site_name"] == "反腐倡廉资讯网"
    assert article["original_url"] == "https://www.lndj.gov.cn/portaluploads/html/site-5/info/51919.html"
    sections, paragraphs = body(loaded, article["article_id"])
    assert len(sections) == 3
    assert paragraphs[0] == "霜降过后,天气转凉。阜新市海州区80平方公里的土地上,到处是火热的奋斗画卷。"
    text = "\n".join(paragraphs)
    for boilerplate in ("欢迎来到", "当前所在", "发布时间", "原文链接", "免责声明"):
        assert boilerplate not in text


def test_runs_row_records_the_prefect_flow_run(loaded):
    (flow_run_id, status, inputs, new, errors), = rows(loaded, "SELECT flow_run_id, status, inputs, new, errors FROM runs")
    assert status == "completed"
    assert flow_run_id and len(flow_run_id) == 36  # a Prefect flow-run UUID
    assert inputs == 2 + len(list(PAGES.glob("*.html")))
    assert errors == 0


def test_ingest_sends_prefect_heartbeats_only_when_their_frequency_is_set(tmp_path, capsys, monkeypatch):
    """Waiting for the heartbeat thread would add up to 1 s to every ingest (flows/settings.py); a frequency the
    user set (here as a profile or prefect.toml sets it) is honoured."""
    from prefect.flow_engine import FlowRunEngine
    from prefect.settings import temporary_settings

    beats = []
    emit = FlowRunEngine._emit_flow_run_heartbeat

    def counted(engine, *args, **kwargs):
        beats.append(engine.flow_run.id)
        return emit(engine, *args, **kwargs)

    monkeypatch.setattr(FlowRunEngine, "_emit_flow_run_heartbeat", counted)
    page = str(PAGES / "fanfu-repost-51919.html")
    db = str(tmp_path / "beats.duckdb")
    ingest(capsys, page, "--db", db)
    assert beats == []
    with temporary_settings(updates={"flows.heartbeat_frequency": 30}):
        ingest(capsys, page, "--db", db)
    (flow_run_id,), = rows(Path(db), "SELECT flow_run_id FROM runs ORDER BY started_at DESC LIMIT 1")
    assert [str(b) for b in beats] == [flow_run_id]  # the first beat goes out as the run starts


def test_without_flow_heartbeats_changes_that_one_setting_without_validating_them_all(monkeypatch):
    """Validating Prefect's settings again (temporary_settings) cost 0.05-0.1 s of every run command."""
    from prefect.settings import Settings, get_current_settings, temporary_settings

    from flows.settings import without_flow_heartbeats

    def validated_again(*args, **kwargs):
        raise AssertionError("Prefect's settings validated again")

    before = get_current_settings()
    assert before.flows.heartbeat_frequency == 180  # Prefect's default: a heartbeat thread for every run
    with temporary_settings(updates={"flows.heartbeat_frequency": 60}) as users:
        monkeypatch.setattr(Settings, "copy_with_update", validated_again)
        with without_flow_heartbeats():
            assert get_current_settings() is users  # the user's own frequency is kept
    with without_flow_heartbeats():
        inside = get_current_settings()
        assert inside.flows.heartbeat_frequency is None
        assert inside.model_dump(exclude={"flows"}) == before.model_dump(exclude={"flows"})
        assert inside.flows.model_dump(exclude={"heartbeat_frequency"}) == \
            before.flows.model_dump(exclude={"heartbeat_frequency"})
    assert get_current_settings() is before


def test_second_ingest_changes_nothing(tmp_path, capsys):
    db = tmp_path / "twice.duckdb"
    first = ingest(capsys, str(SEEDS), str(PAGES), "--urls", str(url_map(tmp_path)), "--db", str(db))
    before_counts, before = table_counts(db), table_contents(db)
    second = ingest(capsys, str(SEEDS), str(PAGES), "--urls", str(url_map(tmp_path)), "--db", str(db))
    assert first["new"] > 0 and first["errors"] == 0
    assert second["new"] == 0 and second["updated"] == 0
    assert second["unchanged"] == first["new"] - 0  # every stored article seen again, unchanged
    assert table_counts(db) == before_counts
    assert table_contents(db) == before
    assert rows(db, "SELECT count(*) FROM runs")[0][0] == 2


def test_changed_page_updates_its_article_in_place(tmp_path, capsys):
    page = tmp_path / "story.txt"
    page.write_text("一条新闻标题\n\n本报记者 张三\n\n第一段正文内容，讲述了一件事情的经过。\n\n第二段正文内容，给出了更多细节。\n", encoding="utf-8")
    db = tmp_path / "u.duckdb"
    assert ingest(capsys, str(page), "--db", str(db))["new"] == 1
    (article_id, first_seen), = rows(db, "SELECT article_id, first_seen_at FROM articles")
    page.write_text("一条新闻标题\n\n本报记者 张三\n\n第一段正文内容，讲述了一件事情的经过。\n\n改写后的第二段。\n\n新增的第三段。\n", encoding="utf-8")
    summary = ingest(capsys, str(page), "--db", str(db))
    assert (summary["new"], summary["updated"], summary["unchanged"]) == (0, 1, 0)
    (same_id, same_first_seen, updated_at), = rows(db, "SELECT article_id, first_seen_at, updated_at FROM articles")
    assert same_id == article_id and same_first_seen == first_seen and updated_at > first_seen
    assert [t for (t,) in rows(db, "SELECT text FROM paragraphs ORDER BY seq")] == [
        "第一段正文内容，讲述了一件事情的经过。", "改写后的第二段。", "新增的第三段。"]
    assert rows(db, "SELECT count(*) FROM article_people")[0][0] == 1


def test_bad_files_become_error_rows_and_the_run_goes_on(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "empty.html").write_bytes(b"")
    (inputs / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    (inputs / "garbage.txt").write_bytes(bytes([0xff, 0xfe, 0x00, 0xd8]) * 50 + b"\x00\x01\x02" * 100)
    shutil.copy(SEEDS / "004_11c5d1afe74d2e2e.txt", inputs / "good.txt")
    db = tmp_path / "bad.duckdb"
    summary = ingest(capsys, str(inputs), "--db", str(db))
    assert summary["inputs"] == 4
    assert summary["new"] == 1
    assert summary["errors"] == 3
    errors = rows(db, "SELECT input, stage, error_type, message FROM errors ORDER BY input")
    assert [Path(e[0]).name for e in errors] == ["binary.html", "empty.html", "garbage.txt"]
    assert all(stage == "decode" and message for _, stage, _, message in errors)
    assert rows(db, "SELECT count(*) FROM fetches")[0][0] == 4


def test_urls_are_fetched_over_http_and_failures_recorded(tmp_path, capsys):
    site = FIXTURES / "site"
    gold = json.loads((site / "site-gold.json").read_text(encoding="utf-8"))
    db = tmp_path / "http.duckdb"
    with serve_directory(str(site)) as server:
        urls = [server.base_url + u for u in gold["expected_article_urls"][:5]]
        missing = server.base_url + "/content/2024-11/content_48120.html"
        gbk = server.base_url + "/content/2024-11/content_48111.html"
        summary = ingest(capsys, *urls, missing, gbk, "--db", str(db))
        seen = list(server.request_log)
    assert summary["inputs"] == 7
    assert summary["new"] == 6
    assert summary["errors"] == 1
    assert len(seen) == 7
    (stage, error_type, message), = rows(db, "SELECT stage, error_type, message FROM errors")
    assert stage == "fetch" and "404" in error_type and "content_48120" in message
    (status,), = rows(db, "SELECT status FROM fetches WHERE url = ?", missing)
    assert status == 404
    gbk_gold = next(a for a in gold["articles"] if a["url"].endswith("content_48111.html"))
    (title, charset), = rows(db, "SELECT a.title, f.charset FROM articles a JOIN fetches f ON f.url = a.url WHERE a.url = ?", gbk)
    assert title == gbk_gold["title"]
    assert charset.lower() in ("gb18030", "gbk")
    (article_id,), = rows(db, "SELECT article_id FROM articles WHERE url = ?", gbk)
    assert ("李堃", "reporter") in authors(db, article_id)  # 堃 is GBK-only: no mojibake


class _Extraction:
    """An extraction task's future as ExtractedAhead sees it: a Prefect future wrapping a thread's."""

    def __init__(self, done: bool) -> None:
        self.wrapped_future = Future()
        if done:
            self.wrapped_future.set_result(None)

    def wait(self) -> None:
        self.wrapped_future.result()


def test_a_file_ingest_loads_each_batch_alone_with_one_extracted_ahead():
    ahead = ExtractedAhead("data/newsduck.duckdb", chained=True)
    futures = [_Extraction(done=True) for _ in range(3)]
    ahead.add(futures[0])
    assert ahead.wait_for() is None and not ahead.load_due()
    ahead.add(futures[1])
    assert ahead.load_due() and ahead.next_load() == [futures[0]]
    ahead.add(futures[2])
    assert ahead.next_load() == [futures[1]] and ahead.next_load() == [futures[2]] and not ahead


def test_a_lake_ingest_extracts_ahead_in_order_and_loads_what_is_extracted_in_one_turn():
    ahead = ExtractedAhead("ducklake:postgresql://u@127.0.0.1:5432/news?data=/tmp/lake", chained=True)
    futures = [_Extraction(done=n not in (3, 9)) for n in range(LAKE_BATCHES_AHEAD * 2 + 2)]
    for future in futures[:LAKE_BATCHES_AHEAD + 1]:
        assert ahead.wait_for() == ([ahead.pending[-1]] if ahead else None)  # one after another
        assert not ahead.load_due()
        ahead.add(future)
    assert ahead.load_due()
    assert ahead.next_load() == futures[:3]  # the oldest and those after it extracted, not the one extracting
    for future in futures[LAKE_BATCHES_AHEAD + 1:]:
        ahead.add(future)
    futures[3].wrapped_future.set_result(None)
    assert ahead.next_load() == futures[3:3 + LAKE_BATCHES_AHEAD]  # at most LAKE_BATCHES_AHEAD in one load
    assert ahead.next_load() == futures[7:9] and ahead.pending[0] is futures[9]
    assert ExtractedAhead("ducklake:postgresql://u@127.0.0.1:5432/news?data=/tmp/lake", chained=False).wait_for() is None
