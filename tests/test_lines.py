"""Line semantics: bylines, photo credits, group credits, dates, meta lines, boilerplate.

Every gold paragraph and section of the fixtures must be left alone by these functions
(no byline, no meta line, no boilerplate, no credit): that is what keeps them from eating body text.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from conftest import FIXTURES
from parsers.bylines import is_person_name, parse_byline, parse_group_credit, split_photo_credit
from parsers.dates import find_labeled_datetime, parse_datetime
from parsers.metalines import (
    MetaLine,
    is_boilerplate_line,
    is_end_of_article_line,
    parse_meta_line,
    site_name_from_greeting,
)
from parsers.records import Author

R, C, A, P, E = "reporter", "correspondent", "author", "photographer", "editor"


def people(*pairs: tuple[str, str]) -> set[tuple[str, str]]:
    return set(pairs)


def as_set(authors: list[Author] | None) -> set[tuple[str, str]] | None:
    return None if authors is None else {(a.name, a.role) for a in authors}


# --- bylines ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "line, expected",
    [
        ("本报记者 侯悦林", people(("侯悦林", R))),
        ("记者 王雪莹", people(("王雪莹", R))),
        ("记者王雪莹", people(("王雪莹", R))),
        ("特约记者 张明", people(("张明", R))),
        ("首席记者：李强", people(("李强", R))),
        ("见习记者 赵敏", people(("赵敏", R))),
        ("融媒体记者 孙悦", people(("孙悦", R))),
        ("辽沈新闻记者 王晓宁 通讯员 卢思彤", people(("王晓宁", R), ("卢思彤", C))),
        ("记者 刘东明 通讯员 韩冬", people(("刘东明", R), ("韩冬", C))),
        ("记者 王雪莹、李思远", people(("王雪莹", R), ("李思远", R))),
        ("记者 王雪莹，李思远 ,周立伟", people(("王雪莹", R), ("李思远", R), ("周立伟", R))),
        ("作者：张三", people(("张三", A))),
        ("作者:张三", people(("张三", A))),
        ("文/张三", people(("张三", A))),
        ("文/图 记者 孙悦", people(("孙悦", R), ("孙悦", P))),
        ("文/图 孙悦", people(("孙悦", A), ("孙悦", P))),
        ("图/李四", people(("李四", P))),
        ("摄影 王五", people(("王五", P))),
        ("摄影：王五", people(("王五", P))),
        ("【责任编辑：张琳】", people(("张琳", E))),
        ("责任编辑：白雪", people(("白雪", E))),
        ("责编：金鑫", people(("金鑫", E))),
        ("编辑:吕颖", people(("吕颖", E))),
        ("编辑：张三 审核：李四 校对：王五", people(("张三", E))),
        ("（记者 张三）", people(("张三", R))),
        ("记者 阿依古丽·买买提", people(("阿依古丽·买买提", R))),
        ("本报记者 欧阳明", people(("欧阳明", R))),
        ("By Jane Doe and John Smith", people(("Jane Doe", A), ("John Smith", A))),
        ("By Jane Doe, John Roe and Max Mustermann", people(("Jane Doe", A), ("John Roe", A), ("Max Mustermann", A))),
        ("By Jane Doe | Reuters", people(("Jane Doe", A))),
    ],
)
def test_parse_byline_people_and_roles(line, expected):
    assert as_set(parse_byline(line)) == expected


@pytest.mark.parametrize(
    "line",
    ["作者:佚名", "作者：未知", "作者：本站", "编辑：admin", "编辑:10086", "作者：中共辽宁省委组织部",
     "作者：阜新日报", "作者：fuxin_news", "作者：受访者供图", "审核：张三"],
)
def test_parse_byline_without_people_is_an_empty_byline(line):
    assert parse_byline(line) == []


@pytest.mark.parametrize(
    "line",
    [
        "记者手记",
        "记者从阜新市交通运输局获悉，截至10月底，全市今年新改建农村公路420公里。",
        "打出组合拳 千方百计惠企业",
        "阜新县 创建百亿园区 打造工业强县",
        "By the way, this is not a byline",
        "本报讯 3月3日,记者走进阜新市细河区社会治理综合服务中心",
        "这是一张照片。",
        "",
    ],
)
def test_parse_byline_rejects_other_lines(line):
    assert parse_byline(line) is None


@pytest.mark.parametrize(
    "name, ok",
    [("侯悦林", True), ("田甜", True), ("欧阳明", True), ("阿依古丽·买买提", True), ("Jane Doe", True),
     ("佚名", False), ("本站", False), ("admin", False), ("阜新县", False), ("手记", False), ("人民网", False),
     ("新华社", False), ("宣传部", False), ("12345", False), ("走进社区", False)],
)
def test_is_person_name(name, ok):
    assert is_person_name(name) is ok


# --- photo credits --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, caption, credit, photographers",
    [
        ("清河门区乌龙坝镇风机安装现场。刘杰印 摄", "清河门区乌龙坝镇风机安装现场。", "刘杰印 摄", ["刘杰印"]),
        ("李冬岩 摄", None, "李冬岩 摄", ["李冬岩"]),
        ("阜新市大力推进民生工程建。本报特约记者 朱学著 摄", "阜新市大力推进民生工程建。", "本报特约记者 朱学著 摄", ["朱学著"]),
        ("（受访者供图）", None, "受访者供图", []),
        ("受访者供图", None, "受访者供图", []),
        ("十家子玛瑙城内，主播通过直播推介玛瑙雕件。（受访者供图）", "十家子玛瑙城内，主播通过直播推介玛瑙雕件。", "受访者供图", []),
        ("新华社记者 李华 摄", None, "新华社记者 李华 摄", ["李华"]),
        ("王五/摄", None, "王五/摄", ["王五"]),
        ("图/赵六", None, "图/赵六", ["赵六"]),
        ("现场照片（孙七 摄）", "现场照片", "孙七 摄", ["孙七"]),
        ("工人在生产线上组装电解槽部件。\u3000吴昊 摄", "工人在生产线上组装电解槽部件。", "吴昊 摄", ["吴昊"]),
        ("企业生产车间内，工人正在加工风电塔筒。\u3000本报特约记者 于洋 摄", "企业生产车间内，工人正在加工风电塔筒。",
         "本报特约记者 于洋 摄", ["于洋"]),
        ("李冬岩、刘杰印 摄", None, "李冬岩、刘杰印 摄", ["李冬岩", "刘杰印"]),
    ],
)
def test_split_photo_credit(text, caption, credit, photographers):
    got_caption, got_credit, authors = split_photo_credit(text)
    assert (got_caption, got_credit) == (caption, credit)
    assert authors == [Author(n, P) for n in photographers]


@pytest.mark.parametrize("text", ["这是一句普通的话。", "他在拍摄现场工作了一整天。", "图书馆今天开放。"])
def test_split_photo_credit_without_credit(text):
    assert split_photo_credit(text) == (text, None, [])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("本组稿件由本报记者田甜采写", people(("田甜", R))),
        ("本版稿件均由记者王五采写", people(("王五", R))),
        ("（本组稿件由本报记者田甜、李四采写）", people(("田甜", R), ("李四", R))),
        ("(本组稿件由田甜采写)", people(("田甜", R))),
        ("本组图片由本报记者李冬岩拍摄", people(("李冬岩", R))),
    ],
)
def test_parse_group_credit(text, expected):
    assert as_set(parse_group_credit(text)) == expected


@pytest.mark.parametrize("text", ["他由此采写了一篇报道", "本报讯 记者采写", "本组稿件"])
def test_parse_group_credit_rejects(text):
    assert parse_group_credit(text) is None


# --- dates ----------------------------------------------------------------------------------

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-11-03 10:55:33", "2024-11-03T10:55:33+08:00"),
        ("2024年11月3日 10:55", "2024-11-03T10:55:00+08:00"),
        ("2024年11月03日10:55:33", "2024-11-03T10:55:33+08:00"),
        ("2024/11/03", "2024-11-03"),
        ("2024.11.03", "2024-11-03"),
        ("2024年11月3日", "2024-11-03"),
        ("2023年03月07日  星期二", "2023-03-07"),
        ("2024-11-03T10:55:33Z", "2024-11-03T10:55:33+00:00"),
        ("2024-11-03T10:55:33+0530", "2024-11-03T10:55:33+05:30"),
        ("2024-11-03T10:55:33-05:00", "2024-11-03T10:55:33-05:00"),
        ("2024-11-03T10:55:33.250+08:00", "2024-11-03T10:55:33+08:00"),
        ("Sun, 17 Nov 2024 10:05:00 +0800", "2024-11-17T10:05:00+08:00"),
        ("Sun, 17 Nov 2024 02:05:00 GMT", "2024-11-17T02:05:00+00:00"),
        ("November 17, 2024", "2024-11-17"),
        ("发布时间:2024-11-03 10:55:33 作者:佚名", "2024-11-03T10:55:33+08:00"),
        ("2024年1月2日下午3时20分", "2024-01-02T15:20:00+08:00"),
        ("2024-13-45", None),
        ("2024-02-30", None),
        ("2024-11-03 25:61", "2024-11-03"),
        ("2026-01-01", None),  # after now + 1 day
        ("版本 1.2.3", None),
        ("20241103", None),
        ("", None),
    ],
)
def test_parse_datetime(text, expected):
    assert parse_datetime(text, now=NOW) == expected


def test_parse_datetime_uses_tz_and_allows_one_day_slack():
    assert parse_datetime("2024-11-03 10:55", tz="+00:00", now=NOW) == "2024-11-03T10:55:00+00:00"
    assert parse_datetime("2025-01-02 07:00", now=NOW) == "2025-01-02T07:00:00+08:00"
    assert parse_datetime("2025-01-03 07:00", now=NOW) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("发布时间:2024-11-03 10:55:33 作者:佚名", "2024-11-03T10:55:33+08:00"),
        ("发布时间：2024年11月03日 10:55:33", "2024-11-03T10:55:33+08:00"),
        ("日期：2024-11-03", "2024-11-03"),
        ("发表时间 2024-11-03 08:00", "2024-11-03T08:00:00+08:00"),
        ("更新时间:2024-01-01 时间:2023-05-05", "2023-05-05"),
        ("更新时间：2024-01-01", "2024-01-01"),
        ("浏览 2024-11-03", None),
        ("今年2024-11-03召开", None),
    ],
)
def test_find_labeled_datetime(text, expected):
    assert find_labeled_datetime(text, now=NOW) == expected


# --- meta lines -----------------------------------------------------------------------------

def test_composite_meta_line_of_the_repost():
    meta = parse_meta_line("发布时间:2024-11-03 10:55:33 作者:佚名   来源: 中共辽宁省委组织部")
    assert meta == MetaLine(
        published_at="2024-11-03T10:55:33+08:00", authors=[], source_name="中共辽宁省委组织部",
        original_url=None, has_unknown_author=True,
    )


def test_meta_line_cuts_source_at_the_next_label():
    meta = parse_meta_line("发布时间:2024-11-03 10:55:33 作者:佚名\xa0\xa0\xa0来源: 中共辽宁省委组织部\xa0\xa0浏览次数:")
    assert meta.source_name == "中共辽宁省委组织部"
    assert parse_meta_line("来源：阜新日报 作者 张三").source_name == "阜新日报"
    assert parse_meta_line("来源：中共辽宁省委组织部 【字号：大 中 小】").source_name == "中共辽宁省委组织部"


@pytest.mark.parametrize(
    "line, field, value",
    [
        ("来源：阜新日报", "source_name", "阜新日报"),
        ("信息来源：阜新市人民政府", "source_name", "阜新市人民政府"),
        ("稿源：新华社", "source_name", "新华社"),
        ("文章来源：《辽宁日报》", "source_name", "辽宁日报"),
        ("转载自人民网", "source_name", "人民网"),
        ("原文链接:https://www.lndj.gov.cn/portaluploads/html/site-5/info/51919.html", "original_url",
         "https://www.lndj.gov.cn/portaluploads/html/site-5/info/51919.html"),
        ("本文转自：https://example.com/a/1.html", "original_url", "https://example.com/a/1.html"),
        ("发布时间：2024年11月03日 10:55:33", "published_at", "2024-11-03T10:55:33+08:00"),
        ("2024-11-01 08:40 来源：阜新日报", "published_at", "2024-11-01T08:40:00+08:00"),
    ],
)
def test_meta_line_fields(line, field, value):
    meta = parse_meta_line(line)
    assert meta is not None
    assert getattr(meta, field) == value


@pytest.mark.parametrize(
    "line, authors",
    [
        ("【责任编辑：张琳】", [Author("张琳", E)]),
        ("责任编辑：白雪", [Author("白雪", E)]),
        ("编辑：张三 审核：李四", [Author("张三", E)]),
        ("发布时间：2024-11-01 作者：王雪莹 来源：阜新日报", [Author("王雪莹", A)]),
    ],
)
def test_meta_line_people(line, authors):
    assert parse_meta_line(line).authors == authors


@pytest.mark.parametrize(
    "line",
    [
        "辽西肿瘤诊疗中心项目:满意224票,基本满意6票,不满意0票……今年1月初,阜新市第十七届人民代表大会第二次会议对2022年十件民生实事一一测评。",
        "居民王彦华乐得合不拢嘴:“有了房产证,心里别提多踏实了!”",
        "放眼整个海州区,向“新”而行的企业还有很多:废弃矿坑排矸区建起智能无人系统产业基地。",
        "来源：据统计，今年以来全市新增市场主体一万余户，同比增长百分之二十，创历史新高。",
        "浏览次数: 100",
        "时间：3月5日上午9点 地点：市政府",
        "向“新”发力 逐“质”而行——阜新市海州区凝心聚力谋发展促振兴纪实",
        "",
    ],
)
def test_meta_line_rejects_body_sentences(line):
    assert parse_meta_line(line) is None


# --- boilerplate ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "line",
    [
        "欢迎来到 反腐倡廉资讯网!!",
        "当前所在:首页 > 反腐纪实",
        "当前位置：首页 > 新闻中心 > 本地新闻",
        "您的位置：首页 > 正文",
        "[免责声明] 本文来源于网络转载,仅供学习交流使用,不构成商业目的。版权归原作者所有,如涉及作品内容、版权和其它问题,请在30日内与本网联系,我们将在第一时间处理。",
        "本站部分信息来源于网络，如有侵权请联系删除",
        "京ICP备15023496号-1",
        "辽公网安备 21090202000123号",
        "Copyright © 2013-2024 反腐倡廉资讯网 版权所有",
        "辽宁日报社 版权所有 未经书面授权不得复制或建立镜像",
        "阜新新闻网 版权所有 未经授权禁止转载 \xa0 辽ICP备18004521号-2",
        "分享到：",
        "打印本页",
        "关闭窗口",
        "【字号：大 中 小】",
        "字号：大 中 小",
        "上一篇：以有力监督护航民生实事落地见效",
        "下一篇：没有了",
        "上一版",
        "相关阅读",
        "延伸阅读：",
        "相关文章",
        "热门文章",
        "设为首页",
        "首页 | 关于我们 | 联系我们",
    ],
)
def test_boilerplate_lines(line):
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "该公司加强知识产权保护，维护版权所有人的合法权益。",
        "今年版权所有登记数量大增，同比增长20%。",
        "版权保护是文化产业发展的基础。",
        "分享经验是共同进步的好办法。",
        "扫码支付已经成为市民日常生活的一部分。",
        "他说，未经调查就下结论是不负责任的。",
        "欢迎",
        "",
    ],
)
def test_boilerplate_is_precise(line):
    assert not is_boilerplate_line(line)


def test_end_of_article_headings_and_greeting_site():
    assert is_end_of_article_line("相关阅读")
    assert is_end_of_article_line("【延伸阅读】")
    assert not is_end_of_article_line("相关部门表示将加强监管。")
    # traditional script: Taiwan and Hong Kong pages
    for heading in ("延伸閱讀", "【相關新聞】", "熱門文章", "你可能也喜歡", "全站熱搜", "更多新聞",
                    "留言列表", "发表评论", "網友評論", "創作者介紹", "文章標籤"):
        assert is_end_of_article_line(heading)
    assert not is_end_of_article_line("相關部門表示將加強監管。")
    assert site_name_from_greeting("欢迎来到 反腐倡廉资讯网!!") == "反腐倡廉资讯网"
    assert site_name_from_greeting("欢迎访问阜新新闻网") == "阜新新闻网"
    assert site_name_from_greeting("当前所在:首页") is None


# --- gold text is never furniture -----------------------------------------------------------

def _gold_texts() -> list[str]:
    texts: list[str] = []
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((FIXTURES / "pages").glob("*.json"))]
    golds += json.loads((FIXTURES / "site" / "site-gold.json").read_text(encoding="utf-8"))["articles"]
    for gold in golds:
        texts += gold.get("paragraphs") or []
        texts += gold.get("sections") or []
        texts += [t for t in (gold.get("title"), gold.get("kicker"), gold.get("subtitle")) if t]
        for sub in gold.get("sub_articles") or []:
            texts += [sub["title"], *sub["paragraphs"]]
    return texts


def test_gold_body_text_is_not_taken_for_bylines_meta_credits_or_boilerplate():
    texts = _gold_texts()
    assert len(texts) > 200
    wrong = [
        t for t in texts
        if parse_byline(t) is not None
        or parse_meta_line(t) is not None
        or is_boilerplate_line(t)
        or split_photo_credit(t)[1] is not None
        or parse_group_credit(t) is not None
    ]
    assert wrong == []


def test_gold_boilerplate_samples_are_boilerplate_or_meta():
    """Furniture samples that are single lines of page chrome are recognised as such."""
    gold = json.loads((FIXTURES / "pages" / "fanfu-repost-51919.json").read_text(encoding="utf-8"))
    chrome = [s for s in gold["boilerplate_samples"] if s not in (
        "以案为鉴 筑牢拒腐防变思想防线", "深化整治群众身边不正之风和腐败问题",  # sidebar headlines: not line-recognisable
    )]
    for sample in chrome:
        assert is_boilerplate_line(sample) or parse_meta_line(sample) is not None, sample
