"""Metadata rules on small hand-made pages: headline, 引题/副题, dates, bylines, 来源, and provenance.

Each page imitates a real template family (portal, e-paper, government site, repost portal, WeChat,
English news) with just enough body text to be an article. Every test checks the value and where it
came from (ArticleRecord.provenance).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from parsers import Author, extract_article
from parsers.bylines import parse_byline, parse_byline_credits
from parsers.dates import date_from_url, parse_with_format, script_publish_time
from parsers.html import extract_html
from parsers.metalines import parse_meta_line
from parsers.profiles import ProfileSet

NOW = datetime(2024, 11, 20, tzinfo=timezone.utc)
URL = "http://news.example.cn/system/2024/11/03/030001.shtml"
P1 = "阜新迎来今冬首场降雪，全市环卫、城管等部门连夜出动清雪人员2000余人次，全力保障城区道路畅通。"
P2 = "据气象部门预报，未来三天阜新以晴到多云天气为主，气温明显下降，最低气温将降至零下10摄氏度左右。"
P3 = "市城市管理部门提醒，降雪后路面湿滑，市民出行要注意安全，机动车驾驶人要减速慢行、保持安全车距。"
BODY = f"<div class='content'><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>"
SIDEBAR = ("<div class='side'><h3>热门文章</h3><ul>"
           + "".join(f"<li><a href='/n/{i}.html'>其他新闻标题第{i}条内容</a><span>2024-10-2{i}</span></li>"
                     for i in range(1, 6)) + "</ul></div>")
NO_PROFILES = ProfileSet()


def page(head: str = "", body: str = "", *, url: str | None = URL, lang: str = "zh-CN"):
    html = f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    return extract_article(html.encode("utf-8"), url=url, now=NOW)


def people(record) -> set[tuple[str, str]]:
    return {(a.name, a.role) for a in record.authors}


# --- headline -------------------------------------------------------------------------------------

def test_h1_beats_the_title_tag_with_its_site_suffix():
    r = page("<title>今冬首场降雪 全市连夜清雪 - 阜新日报</title>",
             f"<h1>今冬首场降雪 全市连夜清雪</h1>{BODY}{SIDEBAR}")
    assert r.title == "今冬首场降雪 全市连夜清雪"
    assert r.provenance["title"] == "h1"
    assert r.site_name == "阜新日报" and r.provenance["site_name"] == "title-tag"


@pytest.mark.parametrize("title_tag", [
    "今冬首场降雪 全市连夜清雪_本地新闻_阜新新闻网",
    "阜新新闻网 - 今冬首场降雪 全市连夜清雪",
    "今冬首场降雪 全市连夜清雪 | 阜新新闻网",
    "今冬首场降雪 全市连夜清雪—阜新新闻网",
    "今冬首场降雪 全市连夜清雪－阜新新闻网",
    "今冬首场降雪 全市连夜清雪--本地--阜新新闻网",
])
def test_title_tag_segment_without_any_heading(title_tag):
    r = page(f"<title>{title_tag}</title>", f"<div class='top'>阜新新闻网</div>{BODY}")
    assert r.title == "今冬首场降雪 全市连夜清雪"
    assert r.provenance["title"] == "title-tag"
    assert r.site_name == "阜新新闻网"


def test_title_tag_segment_that_matches_og_title():
    r = page("<title>阜新新闻网_今冬首场降雪</title><meta property='og:title' content='今冬首场降雪'>",
             BODY)
    assert r.title == "今冬首场降雪"
    assert r.provenance["title"] == "og:title"


def test_a_dash_pair_inside_the_headline_is_not_a_separator():
    headline = "向“新”发力 逐“质”而行——阜新市海州区凝心聚力谋发展促振兴纪实"
    r = page(f"<title>{headline}-辽宁党建</title>", BODY)
    assert r.title == headline
    assert r.site_name == "辽宁党建"


def test_logo_h1_is_not_the_headline_the_one_nearest_the_body_is():
    r = page("<title>清雪保畅通_阜新晚报</title>",
             "<div class='header'><h1 class='logo'>阜新晚报</h1></div><div class='nav'><a href='/'>首页</a></div>"
             f"<div class='main'><h1>清雪保畅通</h1><div class='info'>2024-11-03 08:40</div>{BODY}</div>")
    assert r.title == "清雪保畅通"
    assert r.provenance["title"] == "h1"


def test_several_h1s_without_a_title_tag_pick_the_one_nearest_the_body():
    r = page("", "<h1>阜新晚报</h1><div class='nav'><a href='/'>首页</a> <a href='/a'>本地</a></div>"
                 f"<h1>清雪保畅通</h1>{BODY}")
    assert r.title == "清雪保畅通"


def test_headline_in_a_div_matching_the_title_tag():
    r = page("<title>清雪保畅通_阜新晚报</title>",
             f"<div class='art-title'>清雪保畅通</div><div class='info'>发布时间：2024-11-03 08:40</div>{BODY}")
    assert r.title == "清雪保畅通"
    assert r.provenance["title"] == "title-tag"
    assert P1 == r.paragraphs[0]  # the headline is not a body paragraph


def test_headline_in_a_title_classed_div_when_the_title_tag_is_only_the_site_name():
    r = page("<title>阜新新闻网</title>",
             "<div class='side'><div class='box-title'>热门文章</div></div>"
             f"<div class='article'><div class='article-title'>清雪保畅通</div><div class='info'>2024-11-03 08:40</div>{BODY}</div>")
    assert (r.title, r.provenance["title"]) == ("清雪保畅通", "text")
    assert r.paragraphs == [P1, P2, P3]


def test_headline_broken_over_two_lines_is_one_title():
    r = page("<title>阜新玛瑙产业链加速延伸 小玛瑙“雕”出大产业 - 辽沈新闻</title>",
             f"<h1>阜新玛瑙产业链加速延伸<br>小玛瑙“雕”出大产业</h1>{BODY}")
    assert r.title == "阜新玛瑙产业链加速延伸 小玛瑙“雕”出大产业"
    assert r.paragraphs == [P1, P2, P3]


# --- kicker and subtitle --------------------------------------------------------------------------

def test_kicker_and_subtitle_by_their_dashes():
    r = page("<title>一刀一琢间 玛瑙“活”起来_阜新日报</title>",
             "<div class='art'><h3>守正创新 让传统技艺焕发新活力——</h3><h1>一刀一琢间 玛瑙“活”起来</h1>"
             f"<h2>——走进市级非遗代表性传承人的玛瑙雕刻工作室</h2><p>本报记者 赵喆</p>{BODY}</div>")
    assert r.kicker == "守正创新 让传统技艺焕发新活力——"
    assert r.subtitle == "——走进市级非遗代表性传承人的玛瑙雕刻工作室"
    assert (r.provenance["kicker"], r.provenance["subtitle"]) == ("dash", "dash")
    assert r.paragraphs == [P1, P2, P3]


def test_kicker_and_subtitle_by_class_names():
    r = page("<title>一刀一琢间_阜新日报</title>",
             "<div class='art'><p class='yinti'>守正创新 让传统技艺焕发新活力</p><h1>一刀一琢间</h1>"
             f"<p class='sub-title'>走进玛瑙雕刻工作室</p>{BODY}</div>")
    assert (r.kicker, r.subtitle) == ("守正创新 让传统技艺焕发新活力", "走进玛瑙雕刻工作室")
    assert r.provenance["kicker"] == r.provenance["subtitle"] == "class-hint"
    assert r.paragraphs == [P1, P2, P3]


def test_original_title_note_is_neither_subtitle_nor_body():
    r = page("<title>清雪保畅通_阜新晚报</title>",
             f"<h1>清雪保畅通</h1><p>（原标题：阜新连夜清雪保障道路畅通）</p>{BODY}")
    assert r.subtitle is None and r.kicker is None
    assert r.paragraphs == [P1, P2, P3]
    assert parse_meta_line("原标题：阜新连夜清雪保障道路畅通").original_title == "阜新连夜清雪保障道路畅通"


# --- dates ----------------------------------------------------------------------------------------

LD = ("<script type='application/ld+json'>{\"@context\": \"https://schema.org\", \"@type\": \"NewsArticle\", "
      "\"headline\": \"清雪保畅通\", \"datePublished\": \"%s\"}</script>")
VISIBLE = "<div class='info'>发布时间：2024-11-03 10:55 来源：阜新日报</div>"


def dated(head: str, info: str = VISIBLE, url: str = URL):
    return page(f"<title>清雪保畅通_阜新晚报</title>{head}", f"<h1>清雪保畅通</h1>{info}{BODY}{SIDEBAR}", url=url)


def test_date_order_jsonld_first():
    r = dated(LD % "2024-11-05T08:30:00+08:00" + "<meta property='article:published_time' content='2024-11-04T08:00:00+08:00'>")
    assert (r.published_at, r.provenance["published_at"]) == ("2024-11-05T08:30:00+08:00", "jsonld.datePublished")


def test_date_order_article_published_time_then_other_metas():
    r = dated("<meta name='PubDate' content='2024-11-02 07:00'>"
              "<meta property='article:published_time' content='2024-11-04T08:00:00+08:00'>")
    assert (r.published_at, r.provenance["published_at"]) == ("2024-11-04T08:00:00+08:00", "meta[article:published_time]")
    r = dated("<meta name='PubDate' content='2024-11-02 07:00'>")
    assert (r.published_at, r.provenance["published_at"]) == ("2024-11-02T07:00:00+08:00", "meta[PubDate]")
    r = dated("<meta name='publishdate' content='2024-11-02'>")
    assert (r.published_at, r.provenance["published_at"]) == ("2024-11-02", "meta[publishdate]")


def test_date_order_visible_labelled_then_time_then_url():
    r = dated("")
    assert (r.published_at, r.provenance["published_at"]) == ("2024-11-03T10:55:00+08:00", "text:发布时间")
    r = dated("", info="<div class='info'><time datetime='2024-11-01T06:00:00+08:00'>11月1日</time></div>")
    assert (r.published_at, r.provenance["published_at"]) == ("2024-11-01T06:00:00+08:00", "time[datetime]")
    r = dated("", info="")
    assert (r.published_at, r.provenance["published_at"]) == ("2024-11-03", "url")


@pytest.mark.parametrize("info, expected, source", [
    ("<p class='info'>发布日期：2024年11月03日</p>", "2024-11-03", "text:发布日期"),
    ("<p class='info'>时间：2024-11-03 10:55:33　浏览：120</p>", "2024-11-03T10:55:33+08:00", "text:时间"),
    ("<p class='info'>日期：2024/11/3</p>", "2024-11-03", "text:日期"),
    ("<p class='info'><span>2024-11-03 10:55</span><span>来源：阜新日报</span></p>", "2024-11-03T10:55:00+08:00", "text:date"),
    ("<p class='info'>2024-11-03 10:55 来源：阜新日报</p>", "2024-11-03T10:55:00+08:00", "text:date-line"),
])
def test_visible_date_labels(info, expected, source):
    r = dated("", info=info, url="http://news.example.cn/a/1.html")
    assert (r.published_at, r.provenance["published_at"]) == (expected, source)


def test_labelled_date_below_the_body_when_none_is_above():
    r = page("<title>清雪保畅通_阜新市人民政府</title>",
             f"<div class='main'><h1>清雪保畅通</h1>{BODY}<div class='foot-info'>发布日期：2024-11-03　来源：市城管局</div>"
             "<div class='related'><h3>相关阅读</h3><ul><li><a href='/1.html'>其他新闻标题第一条</a> 发布时间：2024-10-01</li></ul></div>"
             "</div>", url="http://www.fuxin.gov.cn/zwgk/1.html")
    assert (r.published_at, r.provenance["published_at"]) == ("2024-11-03", "text:发布日期")
    assert r.source_name == "市城管局"


def test_no_offset_means_china_time_and_never_future():
    r = dated("<meta name='publishdate' content='2024-11-02 07:00:00'>")
    assert r.published_at == "2024-11-02T07:00:00+08:00"
    r = dated(LD % "2099-01-01T00:00:00+08:00" + "<meta name='publishdate' content='2099-01-01'>")
    assert r.published_at == "2024-11-03T10:55:00+08:00"  # the future is skipped, the next rule answers


def test_sidebar_dates_are_never_the_story_date():
    r = page("<title>清雪保畅通_阜新晚报</title>", f"<h1>清雪保畅通</h1>{BODY}{SIDEBAR}",
             url="http://news.example.cn/a/1.html")
    assert r.published_at is None and "published_at" not in r.provenance


@pytest.mark.parametrize("url, day", [
    ("http://a.cn/html/2024-11/03/content_1.htm", "2024-11-03"),
    ("http://a.cn/20241103/123.html", "2024-11-03"),
    ("http://a.cn/2024/1103/c1.html", "2024-11-03"),
    ("http://a.cn/2024/11/03/c1.html", "2024-11-03"),
    ("http://a.cn/art/2024/11/3/art_1_2.html", "2024-11-03"),
    ("http://a.cn/zwgk/t20241103_123.html", "2024-11-03"),
    ("http://a.cn/2099/0101/c1.html", None),
    ("http://a.cn/list/index.html", None),
])
def test_date_from_url(url, day):
    assert date_from_url(url, NOW) == day


def test_profile_date_format():
    assert parse_with_format("发布时间：2024年11月03日 10:55:33", "发布时间：%Y年%m月%d日 %H:%M:%S") == "2024-11-03T10:55:33+08:00"
    assert parse_with_format("2023年03月07日 星期二 第06版", "%Y年%m月%d日") == "2023-03-07"
    assert parse_with_format("no date here", "%Y-%m-%d") is None


# --- WeChat ---------------------------------------------------------------------------------------

WECHAT = """
<meta property="og:title" content="阜新：清雪保畅通">
<meta name="author" content="王雪莹">
<script>var nickname = htmlDecode("阜新发布");
var ct = "1730601300";
var publish_time = "2024-11-03" || "";</script>
"""


def test_wechat_article():
    r = page(f"<title>阜新：清雪保畅通</title>{WECHAT}",
             "<div id='js_article' class='rich_media'><h1 class='rich_media_title' id='activity-name'>阜新：清雪保畅通</h1>"
             "<div id='meta_content'><span id='js_author_name'>王雪莹</span>"
             "<a id='js_name'>阜新发布</a><em id='publish_time'></em></div>"
             f"<div class='rich_media_content' id='js_content'><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></div>",
             url="https://mp.weixin.qq.com/s/AbCdEf123")
    assert r.is_article and r.title == "阜新：清雪保畅通"
    assert r.published_at == "2024-11-03T10:35:00+08:00"
    assert r.provenance["published_at"] == "script:ct"
    assert people(r) == {("王雪莹", "author")}
    assert r.provenance["authors.author"] == "meta[author]"
    assert r.site_name == "阜新发布"
    assert (r.source_name, r.provenance["source_name"]) == ("阜新发布", "wechat:nickname")  # no 来源 line
    assert r.paragraphs == [P1, P2, P3]


def test_script_publish_time_reads_the_unix_time_as_china_time():
    assert script_publish_time('var ct = "1700000000";') == ("2023-11-15T06:13:20+08:00", "ct")
    assert script_publish_time("var publish_time = \"2023-11-15\" || \"\";") == ("2023-11-15", "publish_time")
    assert script_publish_time("var x = 1;") is None


# --- bylines --------------------------------------------------------------------------------------

@pytest.mark.parametrize("byline, expected", [
    ("本报记者 张立新 李明辉", {("张立新", "reporter"), ("李明辉", "reporter")}),
    ("记者 王晓雯、孙浩然 通讯员 李明辉", {("王晓雯", "reporter"), ("孙浩然", "reporter"), ("李明辉", "correspondent")}),
    ("特约记者 朱学著", {("朱学著", "reporter")}),
    ("作者：刘思源", {("刘思源", "author")}),
    ("文/刘思源", {("刘思源", "author")}),
    ("图/韩冬", {("韩冬", "photographer")}),
    ("文/图 记者 孙悦", {("孙悦", "reporter"), ("孙悦", "photographer")}),
    ("本报记者 张立新 实习生 高峰", {("张立新", "reporter"), ("高峰", "reporter")}),
    ("记者 张立新 报道", {("张立新", "reporter")}),
    ("作者：佚名", set()),
    ("文丨刘思源 图丨韩冬", {("刘思源", "author"), ("韩冬", "photographer")}),
    ("记者 张立新 李明辉报道", {("张立新", "reporter"), ("李明辉", "reporter")}),
])
def test_byline_in_the_info_area(byline, expected):
    r = page("<title>清雪保畅通_阜新晚报</title>", f"<h1>清雪保畅通</h1><div class='author'>{byline}</div>{BODY}")
    assert people(r) == expected
    assert r.paragraphs == [P1, P2, P3]


def test_byline_provenance_per_role():
    r = page("<title>清雪保畅通_阜新晚报</title>",
             "<h1>清雪保畅通</h1><div class='author'>本报记者 张立新 通讯员 李明辉</div>"
             f"<div class='content'><p>{P1}</p><p><img src='/a.jpg'></p><p>清雪现场。周健 摄</p><p>{P2}</p><p>{P3}</p>"
             "<p>【责任编辑：马丽】</p></div>")
    assert people(r) == {("张立新", "reporter"), ("李明辉", "correspondent"), ("周健", "photographer"), ("马丽", "editor")}
    assert r.provenance["authors.reporter"] == "byline:本报记者"
    assert r.provenance["authors.correspondent"] == "byline:通讯员"
    assert r.provenance["authors.photographer"] == "credit:摄"
    assert r.provenance["authors.editor"] == "byline:责任编辑"


def test_dateline_credit_in_the_first_paragraph():
    first = "本报讯（记者 张立新 通讯员 李明辉）" + P1
    r = page("<title>清雪保畅通_阜新晚报</title>",
             f"<h1>清雪保畅通</h1><div class='content'><p>{first}</p><p>{P2}</p><p>{P3}</p></div>")
    assert people(r) == {("张立新", "reporter"), ("李明辉", "correspondent")}
    assert r.provenance["authors.reporter"] == "credit:dateline"
    assert r.paragraphs[0] == first  # the dateline stays in the text


def test_xinhua_dateline():
    first = "新华社沈阳11月3日电（记者 王晓宁、卢思彤）" + P1
    r = page("<title>清雪保畅通_新华网</title>", f"<h1>清雪保畅通</h1><div class='content'><p>{first}</p><p>{P2}</p><p>{P3}</p></div>")
    assert people(r) == {("王晓宁", "reporter"), ("卢思彤", "reporter")}


def test_meta_and_jsonld_authors_add_people_the_page_does_not_show():
    ld = ("<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"headline\": \"清雪保畅通\", "
          "\"author\": [{\"@type\": \"Person\", \"name\": \"王晓宁\"}, {\"@type\": \"Organization\", \"name\": \"辽沈新闻\"}]}</script>")
    r = page(f"<title>清雪保畅通</title>{ld}<meta name='author' content='卢思彤'>", f"<h1>清雪保畅通</h1>{BODY}")
    assert people(r) == {("王晓宁", "author"), ("卢思彤", "author")}
    assert r.provenance["authors.author"] == "jsonld.author, meta[author]"


def test_meta_author_with_a_label_and_unknown_authors():
    r = page("<title>清雪保畅通</title><meta name='author' content='记者 张立新'>", f"<h1>清雪保畅通</h1>{BODY}")
    assert people(r) == {("张立新", "reporter")}
    r = page("<title>清雪保畅通</title><meta name='author' content='佚名'>", f"<h1>清雪保畅通</h1>{BODY}")
    assert people(r) == set()
    r = page("<title>清雪保畅通</title><meta name='author' content='admin'>", f"<h1>清雪保畅通</h1>{BODY}")
    assert people(r) == set()


def test_english_bylines():
    e1 = "The city cleared snow overnight, with 2,000 workers on the streets. Roads were open by dawn."
    e2 = "Schools stayed open, and buses ran on a reduced timetable until noon, the transport office said."
    e3 = "Forecasters expect temperatures to fall below minus ten degrees later this week, with more snow."
    r = page("<title>Snow cleared | Fuxin Today</title><meta property='og:site_name' content='Fuxin Today'>"
             "<meta property='article:published_time' content='2024-11-03T10:00:00Z'>",
             f"<article><h1>Snow cleared</h1><p class='byline'>By Jane Doe and John Smith</p>"
             f"<p>{e1}</p><p>{e2}</p><p>{e3}</p></article>", lang="en")
    assert people(r) == {("Jane Doe", "author"), ("John Smith", "author")}
    assert r.provenance["authors.author"] == "byline:By"
    assert (r.published_at, r.language, r.site_name) == ("2024-11-03T10:00:00+00:00", "en", "Fuxin Today")
    assert r.provenance["site_name"] == "og:site_name"
    r = page("<title>Snow cleared</title><meta name='author' content='Jane Doe, John Smith'>",
             f"<h1>Snow cleared</h1><p>{e1}</p><p>{e2}</p><p>{e3}</p>", lang="en")
    assert people(r) == {("Jane Doe", "author"), ("John Smith", "author")}


def test_byline_credits_name_their_label():
    assert parse_byline_credits("文/图 记者 孙悦") == [
        (Author("孙悦", "photographer"), "byline:文/图"), (Author("孙悦", "reporter"), "byline:记者")]
    assert parse_byline_credits("李冬岩 摄") == [(Author("李冬岩", "photographer"), "credit:摄")]
    assert parse_byline("本报记者 张三 实习生 李四") == [Author("张三", "reporter"), Author("李四", "reporter")]


# --- 来源 -----------------------------------------------------------------------------------------

def test_source_value_stops_before_a_byline_without_colon():
    m = parse_meta_line("2024-11-02 09:05 来源：阜新日报 文/图 记者 孙悦")
    assert m.source_name == "阜新日报"
    assert set(m.authors) == {Author("孙悦", "reporter"), Author("孙悦", "photographer")}
    assert m.published_at == "2024-11-02T09:05:00+08:00"


@pytest.mark.parametrize("line, source", [
    ("来源：阜新日报 作者：张三", "阜新日报"),
    ("来源：阜新日报 编辑 张三", "阜新日报"),
    ("来源：阜新日报 点击：128", "阜新日报"),
    ("信息来源：阜新市人民政府办公室", "阜新市人民政府办公室"),
    ("稿源：辽宁日报 | 编辑：张三", "辽宁日报"),
    ("文章来源：《阜新日报》", "阜新日报"),
    ("来源：阜新日报 2024-11-02 09:05", "阜新日报"),
    ("（来源：新华社）", "新华社"),
    ("转载自人民网", "人民网"),
])
def test_source_lines(line, source):
    assert parse_meta_line(line).source_name == source


def test_source_provenance():
    r = page("<title>清雪保畅通_阜新晚报</title>", f"<h1>清雪保畅通</h1><p class='info'>信息来源：阜新市城市管理局</p>{BODY}")
    assert (r.source_name, r.provenance["source_name"]) == ("阜新市城市管理局", "text:信息来源")
    r = page("<title>清雪保畅通_阜新晚报</title><meta name='ContentSource' content='阜新市城市管理局'>", f"<h1>清雪保畅通</h1>{BODY}")
    assert (r.source_name, r.provenance["source_name"]) == ("阜新市城市管理局", "meta[ContentSource]")
    ld = ("<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"headline\": \"清雪保畅通\", "
          "\"publisher\": {\"@type\": \"Organization\", \"name\": \"辽沈新闻\"}}</script>")
    r = page(f"<title>清雪保畅通</title>{ld}", f"<h1>清雪保畅通</h1>{BODY}")
    assert (r.source_name, r.provenance["source_name"]) == ("辽沈新闻", "jsonld.publisher")


def test_unlabelled_source_marked_by_its_class():
    r = page("<title>清雪保畅通_阜新晚报</title>",
             "<h1>清雪保畅通</h1><div class='info'><span class='date'>2024年11月03日 10:55</span>"
             f"<a class='source' href='http://www.fxrb.cn/'>阜新日报</a></div>{BODY}")
    assert (r.source_name, r.provenance["source_name"]) == ("阜新日报", "class:source")
    assert (r.published_at, r.provenance["published_at"]) == ("2024-11-03T10:55:00+08:00", "text:date")


def test_portal_info_line_with_date_glued_to_time_and_linked_source():
    r = page("<title>清雪保畅通--社会·法治--人民网</title>",
             "<h1>清雪保畅通</h1><div class='col-1-1'>2024年11月03日08:40 | 来源：<a href='http://x.cn'>人民网－人民日报</a></div>"
             f"{BODY}<div class='edit'>(责编：王晓宁、卢思彤)</div>")
    assert (r.published_at, r.source_name) == ("2024-11-03T08:40:00+08:00", "人民网－人民日报")
    assert (r.title, r.site_name) == ("清雪保畅通", "人民网")
    assert people(r) == {("王晓宁", "editor"), ("卢思彤", "editor")}


def test_info_line_above_the_headline():
    r = page("<title>清雪保畅通-阜新日报</title>",
             f"<div class='art'><div class='info'>2024-11-03 08:40 来源：阜新日报</div><h1>清雪保畅通</h1>{BODY}</div>")
    assert (r.published_at, r.provenance["published_at"]) == ("2024-11-03T08:40:00+08:00", "text:date-line")
    assert (r.source_name, r.provenance["source_name"]) == ("阜新日报", "text:来源")


def test_today_in_the_top_bar_is_not_the_date():
    r = page("<title>清雪保畅通-阜新日报</title>",
             f"<div class='top'>2024年11月19日 星期二</div><h1>清雪保畅通</h1>{BODY}",
             url="http://news.example.cn/a/1.html")
    assert r.published_at is None


def test_xinhua_style_split_date_and_source_above_a_span_headline():
    r = page("<title>清雪保畅通-新华网</title>",
             "<div class='header'><div class='header-time'><span class='year'><em> 2024</em></span>"
             "<span class='day'><em> 11</em>/<em>03</em></span><span class='time'> 10:55:33</span></div>"
             "<div class='source'>来源：新华网</div><span class='title'>清雪保畅通</span></div>"
             f"<div id='detail'><p>{P1}</p><p>{P2}</p><p>{P3}</p><span class='editor'>【责任编辑:王五】</span></div>")
    assert (r.title, r.published_at, r.source_name) == ("清雪保畅通", "2024-11-03T10:55:33+08:00", "新华网")
    assert people(r) == {("王五", "editor")}
    assert r.paragraphs == [P1, P2, P3]


def test_site_name_is_the_last_part_of_the_title_suffix():
    r = page("<title>清雪保畅通|清雪|阜新_新浪新闻</title><meta name='weibo: article:create_at' content='2024-11-03 10:55:33'>",
             f"<h1 class='main-title'>清雪保畅通</h1>{BODY}")
    assert r.site_name == "新浪新闻"
    assert (r.published_at, r.provenance["published_at"]) == ("2024-11-03T10:55:33+08:00", "meta[weibo: article:create_at]")


def test_repost_source_is_the_original_outlet():
    r = page("<title>清雪保畅通_反腐倡廉资讯网</title>",
             "<div class='top'>欢迎来到 反腐倡廉资讯网!!</div><h1>清雪保畅通</h1>"
             "<div class='info'>发布时间:2024-11-03 10:55:33 作者:佚名&nbsp;&nbsp;来源: 阜新日报&nbsp;&nbsp;浏览次数:12</div>"
             f"{BODY}<p>原文链接:<a href='http://www.fxrb.cn/a/1.html'>http://www.fxrb.cn/a/1.html</a></p>",
             url="http://www.ffclzx.example/a/20241103/1.html")
    assert r.source_name == "阜新日报" and r.site_name == "反腐倡廉资讯网"
    assert r.authors == []
    assert r.original_url == "http://www.fxrb.cn/a/1.html"
    assert r.provenance["original_url"] == "text:原文链接"


# --- canonical URL, site name, language ------------------------------------------------------------

def test_canonical_url_order_and_provenance():
    r = page("<title>清雪保畅通</title><link rel='canonical' href='/c/1.html'>"
             "<meta property='og:url' content='http://news.example.cn/og/1.html'>", f"<h1>清雪保畅通</h1>{BODY}")
    assert (r.canonical_url, r.provenance["canonical_url"]) == ("http://news.example.cn/c/1.html", "link[rel=canonical]")
    r = page("<title>清雪保畅通</title><meta property='og:url' content='http://news.example.cn/og/1.html'>",
             f"<h1>清雪保畅通</h1>{BODY}")
    assert (r.canonical_url, r.provenance["canonical_url"]) == ("http://news.example.cn/og/1.html", "og:url")


def test_site_name_from_greeting():
    r = page("<title>清雪保畅通</title>", f"<div class='top'>欢迎来到 反腐倡廉资讯网!!</div><h1>清雪保畅通</h1>{BODY}")
    assert (r.site_name, r.provenance["site_name"]) == ("反腐倡廉资讯网", "greeting")
    assert r.provenance["language"] == "text"


def test_generic_extraction_without_profiles_gives_no_profile_provenance():
    html = f"<html><head><title>清雪保畅通_阜新晚报</title></head><body><h1>清雪保畅通</h1>{BODY}</body></html>"
    r = extract_html(html, url="http://www.lndj.gov.cn/a.html", profiles=NO_PROFILES, now=NOW)
    assert r.title == "清雪保畅通"
    assert not any(v.startswith("profile:") for v in r.provenance.values())


# --- provenance in the warehouse -------------------------------------------------------------------

def _page_result(stem: str, fetched_at: datetime):
    import json as _json

    from conftest import FIXTURES
    from warehouse import ids
    from warehouse.models import FetchInfo, PageResult

    path = FIXTURES / "pages" / f"{stem}.html"
    url = _json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["url"]
    body = path.read_bytes()
    record = extract_article(body, url=url)
    fetch = FetchInfo(input=url, url=url, path=None, fetched_at=fetched_at, status=200,
                      content_type="text/html", charset=record.charset, bytes=len(body),
                      body_sha256=ids.sha256_hex(body))
    return PageResult(fetch=fetch, body=body, record=record)


def test_provenance_is_stored_as_json_and_is_not_an_update(tmp_path):
    from warehouse.db import connect
    from warehouse.load import load_batch
    from warehouse.runs import start_run

    con = connect(tmp_path / "news.duckdb")
    try:
        first = _page_result("lndj-original-51919", NOW)
        counts = load_batch(con, start_run(con, flow_run_id=None, command="test", inputs=1), [first])
        assert counts.new == 1
        stored = con.execute(
            "SELECT provenance->>'published_at', provenance->>'title', provenance->>'authors.editor', "
            "typeof(provenance) FROM articles WHERE parent_article_id IS NULL").fetchone()
        assert stored == ("profile:lndj.gov.cn", "profile:lndj.gov.cn", "profile:lndj.gov.cn", "JSON")
        assert json.loads(con.execute("SELECT provenance FROM articles").fetchone()[0]) == first.record.provenance

        # The same content found through other nodes: provenance differs, content does not.
        second = _page_result("lndj-original-51919", NOW)
        second.record.provenance = {k: "h1" for k in second.record.provenance}
        counts = load_batch(con, start_run(con, flow_run_id=None, command="test", inputs=1), [second])
        assert (counts.unchanged, counts.updated) == (1, 0)
        assert con.execute("SELECT provenance->>'title' FROM articles").fetchone()[0] == "profile:lndj.gov.cn"

        # A real change rewrites the row, provenance included.
        third = _page_result("lndj-original-51919", NOW)
        third.record.title = "改过的标题"
        third.record.provenance["title"] = "h1"
        counts = load_batch(con, start_run(con, flow_run_id=None, command="test", inputs=1), [third])
        assert counts.updated == 1
        assert con.execute("SELECT provenance->>'title' FROM articles").fetchone()[0] == "h1"
    finally:
        con.close()


def test_sub_articles_share_the_page_provenance(tmp_path):
    from warehouse.db import connect
    from warehouse.load import load_batch
    from warehouse.runs import start_run

    con = connect(tmp_path / "news.duckdb")
    try:
        load_batch(con, start_run(con, flow_run_id=None, command="test", inputs=1),
                   [_page_result("lnd-epaper-fuxin", NOW)])
        rows = con.execute("SELECT DISTINCT provenance FROM articles WHERE parent_article_id IS NOT NULL").fetchall()
        assert len(rows) == 1
        assert json.loads(rows[0][0]) == {"language": "text", "published_at": "profile:epaper.lnd.com.cn",
                                          "site_name": "title-tag", "source_name": "profile:epaper.lnd.com.cn"}
    finally:
        con.close()


def test_migration_005_adds_the_provenance_column(tmp_path):
    from warehouse.db import connect
    from warehouse.migrate import list_migrations

    assert any(m.version == 5 and m.name == "provenance" for m in list_migrations())
    con = connect(tmp_path / "news.duckdb")
    try:
        assert con.execute("SELECT data_type FROM information_schema.columns "
                           "WHERE table_name = 'articles' AND column_name = 'provenance'").fetchone() == ("JSON",)
    finally:
        con.close()
