"""Plain-text article dumps (tests/fixtures/seeds/*.txt) against the gold of the pages built from them.

Compared field by field with the fixtures README's norm(). Where the text dump and the page
differ by nature (the e-paper edition date, the masthead as source, image URLs), the test
says what the text dump must give instead.
"""

from __future__ import annotations

import json
import time

import pytest

from conftest import FIXTURES, norm, norm_dashes
from parsers.records import EXTRACT_KEYS, ArticleRecord
from parsers.language import detect_language
from parsers.text import (
    drop_contained_paragraphs,
    ends_sentence,
    extract_text,
    is_orphan_tail,
    looks_like_heading,
)

EPAPER_SEED = FIXTURES / "seeds" / "000_1229933dc2040656.txt"
REPOST_SEED = FIXTURES / "seeds" / "004_11c5d1afe74d2e2e.txt"


def load_gold(name: str) -> dict:
    return json.loads((FIXTURES / "pages" / f"{name}.json").read_text(encoding="utf-8"))


def norm_list(items) -> list[str]:
    return [norm(x) for x in items]


def author_set(items) -> set[tuple[str, str]]:
    return {(a["name"], a["role"]) if isinstance(a, dict) else (a.name, a.role) for a in items}


def all_body_text(record: ArticleRecord) -> str:
    texts = list(record.paragraphs) + [p for s in record.sub_articles for p in s.paragraphs]
    return norm("\n".join(texts))


@pytest.fixture(scope="module")
def epaper() -> tuple[ArticleRecord, dict]:
    text = EPAPER_SEED.read_text(encoding="utf-8")
    return extract_text(text, path=str(EPAPER_SEED)), load_gold("lnd-epaper-fuxin")


@pytest.fixture(scope="module")
def repost() -> tuple[ArticleRecord, dict]:
    text = REPOST_SEED.read_text(encoding="utf-8")
    return extract_text(text, path=str(REPOST_SEED)), load_gold("fanfu-repost-51919")


# --- seed 000: the 辽宁日报 e-paper story ------------------------------------------------------

def test_epaper_header(epaper):
    record, gold = epaper
    assert record.is_article is True
    assert norm(record.title) == norm(gold["title"]) == "跑好第一棒 冲刺开门红"
    assert norm(record.kicker) == norm(gold["kicker"]) == "阜新用实干和拼搏推动“三年行动”开好局起好步——"
    assert norm_dashes(record.kicker) == norm_dashes(gold["kicker"])
    assert record.subtitle is None and gold["subtitle"] is None
    assert record.language == gold["language"] == "zh"
    assert record.path == str(EPAPER_SEED)
    assert record.url is None


def test_epaper_dump_has_no_publish_time(epaper):
    record, gold = epaper
    # The gold date is the e-paper edition date, which the text dump does not carry.
    assert gold["published_at"] == "2023-03-07"
    assert record.published_at is None
    assert record.original_url is None and record.canonical_url is None


def test_epaper_lead_is_the_core_summary_box(epaper):
    record, gold = epaper
    assert norm(record.lead) == norm(gold["paragraphs"][0])
    assert "核心提示" not in record.paragraphs
    assert "核心提示" not in record.sections


def test_epaper_authors(epaper):
    record, gold = epaper
    assert author_set(record.authors) == author_set(gold["authors"])
    assert author_set(record.authors) == {
        ("侯悦林", "reporter"), ("李冬岩", "photographer"), ("刘杰印", "photographer"),
        ("李贺文", "photographer"), ("朱学著", "photographer"), ("田甜", "reporter"),
    }


def test_epaper_sections(epaper):
    record, gold = epaper
    assert norm_list(record.sections) == norm_list(gold["sections"])


def test_epaper_paragraphs(epaper):
    record, gold = epaper
    assert norm_list(record.paragraphs) == norm_list(gold["paragraphs"])


def test_epaper_images_are_captions_and_credits_without_src(epaper):
    record, gold = epaper
    got = [(i.src, norm(i.caption), norm(i.credit)) for i in record.images]
    expected = [(None, norm(i["caption"]), norm(i["credit"])) for i in gold["images"]]
    assert got == expected
    body = all_body_text(record)
    for image in gold["images"]:
        assert norm(image["caption"]) not in norm_list(record.paragraphs)
        assert norm(image["credit"]) not in body


def test_epaper_sub_articles(epaper):
    record, gold = epaper
    got = [(norm(s.title), norm_list(s.paragraphs)) for s in record.sub_articles]
    expected = [(norm(s["title"]), norm_list(s["paragraphs"])) for s in gold["sub_articles"]]
    assert got == expected
    assert len(got) == 7 and got[-1][0] == "清河门区 汨汨绿电涌动 转型前路光明"
    for sub in record.sub_articles:
        assert author_set(sub.authors) == {("田甜", "reporter")}
        assert all(p.startswith("本报讯") for p in sub.paragraphs[:1])


def test_epaper_joined_fragments(epaper):
    record, gold = epaper
    produced = set(norm_list(record.paragraphs)) | {norm(p) for s in record.sub_articles for p in s.paragraphs}
    assert len(gold["_joined_fragments"]) == 9
    for join in gold["_joined_fragments"]:
        assert norm(join["joined"]) in produced, join["parts"][0][-20:]
        for part in join["parts"]:
            assert norm(part) not in produced


def test_epaper_not_joined(epaper):
    record, gold = epaper
    paragraphs = norm_list(record.paragraphs)
    for item in gold["_not_joined"]:
        for text in item.get("parts", [item.get("text")]):
            assert norm(text) in paragraphs, text[-20:]


def test_epaper_pull_quote_appears_once(epaper):
    record, gold = epaper
    for dup in gold["_removed_duplicates"]:
        assert norm(dup["text"]) not in norm_list(record.paragraphs)
        assert sum(norm(dup["text"]) in p for p in norm_list(record.paragraphs)) == 1


def test_epaper_boilerplate_samples_absent(epaper):
    record, gold = epaper
    body = all_body_text(record)
    for sample in gold["boilerplate_samples"]:
        assert norm(sample) not in body
    assert "本组稿件由本报记者田甜采写" not in body
    assert "本报记者 侯悦林" not in body


# --- seed 004: the repost on 反腐倡廉资讯网 ------------------------------------------------------

def test_repost_metadata(repost):
    record, gold = repost
    assert record.is_article is True
    assert norm(record.title) == norm(gold["title"])
    assert record.kicker is None and record.subtitle is None
    assert record.published_at == gold["published_at"] == "2024-11-03T10:55:33+08:00"
    assert author_set(record.authors) == author_set(gold["authors"]) == set()
    assert record.source_name == gold["source_name"] == "中共辽宁省委组织部"
    assert record.site_name == "反腐倡廉资讯网"
    assert record.original_url == gold["original_url"]
    assert record.language == "zh"
    assert record.images == [] and record.sub_articles == []
    assert record.lead is None


def test_repost_sections_and_paragraphs(repost):
    record, gold = repost
    assert norm_list(record.sections) == norm_list(gold["sections"])
    assert norm_list(record.paragraphs) == norm_list(gold["paragraphs"])
    # The ideographic-space indent is stripped, not just normalised away.
    assert not any(p.startswith(("\u3000", " ")) for p in record.paragraphs)


def test_repost_furniture_is_not_body(repost):
    record, gold = repost
    body = all_body_text(record)
    seed_lines = [l.strip() for l in REPOST_SEED.read_text(encoding="utf-8").splitlines() if l.strip()]
    furniture = [seed_lines[0], seed_lines[1], seed_lines[3], seed_lines[-2], seed_lines[-1]]
    assert furniture[0].startswith("欢迎来到") and furniture[2].startswith("发布时间")
    for line in furniture:
        assert norm(line) not in body
    for sample in gold["boilerplate_samples"]:
        assert norm(sample) not in body


def test_to_dict_has_the_extract_keys(repost):
    record, _ = repost
    data = record.to_dict()
    assert tuple(data) == EXTRACT_KEYS
    # text: the body as read, section headings and paragraphs in order
    assert data["links"] == [] and data["text"] == "\n\n".join(b.text for b in record.body)
    assert data["sections"] and all(f"\n\n{s}\n\n" in data["text"] for s in data["sections"])
    json.dumps(data, ensure_ascii=False)


# --- other dumps ---------------------------------------------------------------------------------

ENGLISH_DUMP = """City Council Approves New Budget

By Jane Doe and John Smith

The city council on Tuesday approved a new budget for the coming year,
raising spending on schools and roads by five percent.

"This is a good day for the city," the mayor said. Critics were
less enthusiastic.

Related articles

Another story entirely
"""


def test_english_dump():
    record = extract_text(ENGLISH_DUMP)
    assert record.is_article is True
    assert record.title == "City Council Approves New Budget"
    assert author_set(record.authors) == {("Jane Doe", "author"), ("John Smith", "author")}
    assert record.language == "en"
    assert record.paragraphs == [
        "The city council on Tuesday approved a new budget for the coming year, "
        "raising spending on schools and roads by five percent.",
        "\"This is a good day for the city,\" the mayor said. Critics were less enthusiastic.",
    ]
    assert record.sections == []


@pytest.mark.parametrize("text", ["", "   ", "\n\n\u3000\u3000\n \t\n", "\ufeff\n"])
def test_empty_dump_is_not_an_article(text):
    record = extract_text(text, path="empty.txt")
    assert record.is_article is False
    assert record.title is None and record.paragraphs == [] and record.authors == []
    assert record.path == "empty.txt"


def test_portal_dump_without_blank_lines():
    text = "\n".join([
        "阜新新闻网",
        "市政府召开常务会议",
        "——研究部署冬季供暖工作",
        "2024-11-05 09:18",
        "来源：阜新日报",
        "记者 周立伟",
        "11月4日，市政府召开常务会议，研究部署今冬明春供暖工作。",
        "会议要求，各供热企业要提前做好设备检修，确保按时供热。",
        "一、提前谋划",
        "各地区要把供暖工作作为重要民生工程，确保群众温暖过冬。",
        "责任编辑：白雪",
        "上一篇：没有了",
    ])
    record = extract_text(text, url="http://example.com/a.html")
    assert record.url == "http://example.com/a.html"
    assert record.title == "市政府召开常务会议"
    assert record.subtitle == "——研究部署冬季供暖工作"
    assert record.kicker is None
    assert record.site_name == "阜新新闻网"
    assert record.published_at == "2024-11-05T09:18:00+08:00"
    assert record.source_name == "阜新日报"
    assert author_set(record.authors) == {("周立伟", "reporter"), ("白雪", "editor")}
    assert record.sections == ["一、提前谋划"]
    assert record.paragraphs == [
        "11月4日，市政府召开常务会议，研究部署今冬明春供暖工作。",
        "会议要求，各供热企业要提前做好设备检修，确保按时供热。",
        "各地区要把供暖工作作为重要民生工程，确保群众温暖过冬。",
    ]


def test_fragments_credits_and_editor_in_a_windows_dump():
    text = "\r\n".join([
        "\ufeff彰武草原修复成效明显",
        "",
        "记者 刘东明 通讯员 韩冬",
        "",
        "今年以来，彰武县大力推进草原生态修复。截至10月底，全县完成草原修复面积5万亩，",
        "",
        "同比增长20%。",
        "",
        "",
        "",
        "彰武县德力格尔草原。\u3000吴昊 摄",
        "",
        "（受访者供图）",
        "",
        "下一步，彰武县将建立草原管护长效机制，让",
        "",
        "草原更绿。",
        "",
        "【责任编辑：张琳】",
    ])
    record = extract_text(text)
    assert record.title == "彰武草原修复成效明显"
    assert record.paragraphs == [
        # a block ending on a comma is always continued, even by a short sentence
        "今年以来，彰武县大力推进草原生态修复。截至10月底，全县完成草原修复面积5万亩，同比增长20%。",
        # a mid-word cut followed by a short complete sentence is an orphan tail: kept apart
        "下一步，彰武县将建立草原管护长效机制，让",
        "草原更绿。",
    ]
    assert [(i.src, i.caption, i.credit) for i in record.images] == [
        (None, "彰武县德力格尔草原。", "吴昊 摄"),
        (None, None, "受访者供图"),
    ]
    assert author_set(record.authors) == {
        ("刘东明", "reporter"), ("韩冬", "correspondent"), ("吴昊", "photographer"), ("张琳", "editor"),
    }


def test_indented_lines_start_new_paragraphs_and_marker_without_column_is_a_heading():
    text = "\n".join([
        "秋收时节话丰收",
        "",
        "\u3000\u3000金秋十月，阜新大地处处是丰收的景象，农民们忙着收获玉米",
        "",
        "\u3000\u3000今年全市粮食总产量预计再创新高。",
        "",
        "■ 记者手记",
        "",
        "丰收的背后，是无数农业科技工作者的默默付出。",
        "",
        "相关阅读",
        "",
        "阜新玉米喜获丰收",
    ])
    record = extract_text(text)
    assert record.title == "秋收时节话丰收"
    assert record.paragraphs == [
        "金秋十月，阜新大地处处是丰收的景象，农民们忙着收获玉米",
        "今年全市粮食总产量预计再创新高。",
        "丰收的背后，是无数农业科技工作者的默默付出。",
    ]
    assert record.sections == ["■ 记者手记"]
    assert record.sub_articles == []


def test_dump_that_starts_with_body_has_no_title():
    text = "今年以来，全市新增市场主体一万余户，同比增长百分之二十。\n\n其中个体工商户占比超过七成。\n"
    record = extract_text(text)
    assert record.title is None
    assert record.paragraphs == [
        "今年以来，全市新增市场主体一万余户，同比增长百分之二十。",
        "其中个体工商户占比超过七成。",
    ]
    assert record.is_article is True


def test_many_lines_are_fast():
    block = EPAPER_SEED.read_text(encoding="utf-8") + "\n\n" + REPOST_SEED.read_text(encoding="utf-8")
    text = "\n\n".join([block] * 30)  # ~3,500 non-empty lines
    started = time.perf_counter()
    record = extract_text(text)
    assert time.perf_counter() - started < 5.0
    assert record.is_article


# --- the small predicates -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [("发展春天,扑面而来。", True), ("他说:“好!”", True), ("在刚刚过去的2月,", False), ("主要领导率队", False),
     ("所谓“抢”", False), ("It works.", True), ("It works", False), ("……", True)],
)
def test_ends_sentence(text, expected):
    assert ends_sentence(text) is expected


def test_orphan_heading_language_and_containment_helpers():
    assert is_orphan_tail("动全面打响。")
    assert not is_orphan_tail("道。做大特色冰雪游,让“冷资源”持续释放“热效应”。")
    assert not is_orphan_tail("出征,以上率下,打样示范")
    assert looks_like_heading("“抢”字当先 马不停蹄招商急")
    assert not looks_like_heading("动全面打响。")
    assert not looks_like_heading("在刚刚过去的2月,")
    assert detect_language("跑好第一棒 冲刺开门红") == "zh"
    assert detect_language("The council approved the budget.") == "en"
    assert detect_language("1234") is None
    assert drop_contained_paragraphs(["甲乙丙丁戊己庚辛壬癸。子丑", "甲乙丙丁戊己庚辛壬癸。", "短句", "短句"]) == [
        "甲乙丙丁戊己庚辛壬癸。子丑", "短句",
    ]


def test_dateline_credit_end_mark_and_english_meta():
    text = "\n\n".join([
        "Wind farm opens in Fuxin",
        "By Jane Doe",
        "Published: November 17, 2024 10:05 AM",
        "Source: Xinhua",
        "The new wind farm will power 50,000 homes, officials said on Sunday.",
        "Editor: John Roe",
    ])
    record = extract_text(text, )
    assert record.published_at == "2024-11-17T10:05:00+08:00"
    assert record.source_name == "Xinhua"
    assert author_set(record.authors) == {("Jane Doe", "author"), ("John Roe", "editor")}
    assert record.paragraphs == ["The new wind farm will power 50,000 homes, officials said on Sunday."]

    text = "\n\n".join([
        "阜新新增两条公交线路",
        "本报讯（记者 马骏 通讯员 吴迪）11月12日，阜新新开通两条公交线路，方便市民出行。",
        "（完）",
    ])
    record = extract_text(text)
    assert record.paragraphs == ["本报讯（记者 马骏 通讯员 吴迪）11月12日，阜新新开通两条公交线路，方便市民出行。"]
    assert author_set(record.authors) == {("马骏", "reporter"), ("吴迪", "correspondent")}
    assert record.sections == []
