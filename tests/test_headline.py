"""Headline, 来源 and page classification on small hand-made pages.

Each page imitates a kind of markup (a `<title>` with the site's name, a heading holding its kicker,
an old table layout without headings, a blog post, a forum thread, a list page) with just enough body
text to be an article. Every test checks the value and where it came from (ArticleRecord.provenance).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from parsers import extract_article
from parsers.html.links import classify_page, url_kind
from parsers.html.page import build_page
from parsers.records import Block
from parsers.html.title import host_brand, strip_site_affix
from parsers.metalines import outlet_in_credit_line, outlet_in_lead_credit, parse_meta_line

NOW = datetime(2024, 11, 20, tzinfo=timezone.utc)
URL = "http://news.example.cn/system/2024/11/03/030001.shtml"
P1 = "阜新迎来今冬首场降雪，全市环卫、城管等部门连夜出动清雪人员2000余人次，全力保障城区道路畅通。"
P2 = "据气象部门预报，未来三天阜新以晴到多云天气为主，气温明显下降，最低气温将降至零下10摄氏度左右。"
P3 = "市城市管理部门提醒，降雪后路面湿滑，市民出行要注意安全，机动车驾驶人要减速慢行、保持安全车距。"
BODY = f"<div class='content'><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>"
E1 = ("The city council approved the new budget on Tuesday evening, after a debate that lasted "
      "more than six hours and drew hundreds of residents to the town hall.")
E2 = ("Opponents said the plan cuts too deeply into library and park services, while supporters "
      "argued that the savings were needed to keep property taxes flat next year.")
E3 = ("The mayor is expected to sign the budget later this week; it takes effect in January, "
      "when the new fiscal year begins.")
EN_BODY = f"<div class='article-body'><p>{E1}</p><p>{E2}</p><p>{E3}</p></div>"
EN_URL = "https://www.example-times.com/news/2024/11/03/budget.html"


def page(head: str = "", body: str = "", *, url: str | None = URL, lang: str = "zh-CN"):
    html = f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    return extract_article(html.encode("utf-8"), url=url, now=NOW)


# --- headline -------------------------------------------------------------------------------------

@pytest.mark.parametrize("statement, declared, expected", [
    ("Budget passes after long debate - The Example Times", set(), "Budget passes after long debate"),
    ("Budget passes after long debate | EXAMPLE", {"example"}, "Budget passes after long debate"),
    ("Budget passes after long debate – example.com – 13.06.2023", set(), "Budget passes after long debate"),
    ("今冬首场降雪 全市连夜清雪- 阜新日報網頁", set(), "今冬首场降雪 全市连夜清雪"),
    ("-阜新新闻网", set(), ""),
    # a hyphen inside words splits nothing off unless the piece is a site's name
    ("49-Euro-Ticket: Pendler sparen", set(), "49-Euro-Ticket: Pendler sparen"),
    ("Kate Moss auf dem VOGUE-Cover: Interview", {"vogue"}, "Kate Moss auf dem VOGUE-Cover: Interview"),
    ("Budget vote - Opponents walk out", set(), "Budget vote - Opponents walk out"),
    # a bare hyphen or dash between letters joins words; next to CJK text it separates
    ("AI-Powered SEO: How search changes", set(), "AI-Powered SEO: How search changes"),
    ("今冬首场降雪-阜新新闻网", set(), "今冬首场降雪"),
    # 丨 (a CJK stroke drawn as a bar) separates too
    ("今冬首场降雪 全市连夜清雪丨阜新新闻网", set(), "今冬首场降雪 全市连夜清雪"),
    ("专访丨今冬首场降雪 全市连夜清雪", set(), "专访丨今冬首场降雪 全市连夜清雪"),
    # a spaced bullet separates like a bar
    ("A brief intro to git • Jane Doe", {"janedoe"}, "A brief intro to git"),
    # the last piece left is a headline even when it starts with the brand
    ("Example Roadmap Discussion - Example products - Example Forum", {"example", "exampleforum"},
     "Example Roadmap Discussion"),
    # a name behind another separator is cut too; the front of what is left stays
    ("Best art shows of 2025 – Example Arts - Example Arts", {"examplearts"}, "Best art shows of 2025"),
    ("全国人大常委会今日开幕_新闻中心_新浪网", set(), "全国人大常委会今日开幕"),
    ("今冬首场降雪-新闻中心-阜新新闻网", set(), "今冬首场降雪"),
    ("Shop Furniture Online - Modern Options | Example", {"example"}, "Shop Furniture Online - Modern Options"),
    # a kept piece that recurs inside a dropped one is cut at its own place
    ("Deploy failed - Support - Example Support Forums", {"example", "examplesupportforums"},
     "Deploy failed - Support"),
])
def test_site_affix_is_cut_from_headline_statements(statement, declared, expected):
    assert strip_site_affix(statement, declared) == expected


def test_a_channel_word_before_the_story_piece_of_the_title_is_no_headline():
    """`站名 - 港聞 - 標題` with no heading and no title meta: the short channel word is not the
    headline piece, so the plain line that shows the story's piece is the headline."""
    r = page("<title>文匯網 - 港聞 - 今冬首場降雪 全市連夜清雪</title>",
             f"<table><tr><td class='Title_black'><b>今冬首場降雪 全市連夜清雪</b></td></tr>"
             f"<tr><td>2024-11-03 07:15:23</td></tr><tr><td>{BODY}</td></tr></table>")
    assert r.title == "今冬首場降雪 全市連夜清雪"
    # a short first piece that is the headline stays it when no other piece reads as a story
    r = page("<title>降雪 - 港聞 - 文匯網</title>", f"<div>降雪</div>{BODY}")
    assert r.title == "降雪"


def test_a_blogs_linked_post_title_holding_a_separator_beats_the_blogs_name():
    """`<title>` = post title (itself holding `_`) + blog + platform; the blog's name is an `<h1>` that repeats
    a `<title>` piece, the post title a linked `<h2>`: og:title decides the headline piece, so the name loses,
    and the permalink heading counts because the `<title>` holds it whole."""
    r = page("<title>Python入门_笔记第一课_老王的技术博客_某某博客</title>"
             "<meta property='og:title' content='Python入门_笔记第一课（附代码）'>",
             "<h1><a href='/'>老王的技术博客</a></h1><div class='post'>"
             f"<h2><a href='/p/1.html'>Python入门_笔记第一课</a></h2>{BODY}</div>")
    assert r.title == "Python入门_笔记第一课"


def test_statements_adding_pieces_after_an_underscore_support_the_displayed_headline():
    r = page("<title>今冬首场降雪 全市连夜清雪_城市频道_地方要闻_某某</title>"
             "<meta property='og:title' content='今冬首场降雪 全市连夜清雪_城市频道_地方要闻_某某'>",
             f"<h1>今冬首场降雪 全市连夜清雪</h1>{BODY}")
    assert r.title == "今冬首场降雪 全市连夜清雪"


def test_og_title_with_the_site_suffix_does_not_outvote_the_h1():
    r = page("<title>今冬首场降雪 全市连夜清雪 - 新頭殼 example</title>"
             "<meta property='og:title' content='今冬首场降雪 全市连夜清雪 - 新頭殼 example'>",
             f"<h1>今冬首场降雪 全市连夜清雪</h1>{BODY}")
    assert r.title == "今冬首场降雪 全市连夜清雪" and r.provenance["title"] == "h1"


def test_site_name_inside_the_displayed_heading_goes_when_the_statements_agree_without_it():
    head = ("<title>Budget passes after six-hour debate – Example Times - Example Times</title>"
            "<meta property='og:site_name' content='Example Times'>"
            "<meta property='og:title' content='Budget passes after six-hour debate – Example Times - Example Times'>")
    r = page(head, f"<h1>Budget passes after six-hour debate – Example Times</h1>{EN_BODY}", url=EN_URL, lang="en")
    assert r.title == "Budget passes after six-hour debate"


def test_two_statements_that_agree_outvote_the_displayed_heading():
    head = ("<title>Budget passes after six-hour debate | The Example Times</title>"
            "<meta property='og:title' content='Budget passes after six-hour debate'>")
    r = page(head, f"<h2>Council says yes to the budget</h2>{EN_BODY}", url=EN_URL, lang="en")
    assert r.title == "Budget passes after six-hour debate" and r.provenance["title"] == "og:title"


def test_one_statement_does_not_outvote_the_displayed_heading():
    head = "<meta property='og:title' content='Budget passes after six-hour debate'>"
    r = page(head, f"<h1>Council says yes to the budget</h1>{EN_BODY}", url=EN_URL, lang="en")
    assert r.title == "Council says yes to the budget" and r.provenance["title"] == "h1"


def test_kicker_inside_the_heading_is_split_off():
    head = "<meta property='og:title' content='Council says yes to the budget'>"
    body = ("<h1><span class='headline-overline'>City hall</span> "
            f"<span class='headline-text'>Council says yes to the budget</span></h1>{EN_BODY}")
    r = page(head, body, url=EN_URL, lang="en")
    assert r.title == "Council says yes to the budget" and r.provenance["title"] == "h1"
    assert r.kicker == "City hall" and r.provenance["kicker"] == "heading-part"


def test_kicker_and_headline_joined_when_the_statements_join_them():
    head = ("<meta property='og:title' content='City hall: Council says yes to the budget'>"
            "<title>City hall: Council says yes to the budget | The Example Times</title>")
    body = f"<h2><span>City hall</span> <span>Council says yes to the budget</span></h2>{EN_BODY}"
    r = page(head, body, url=EN_URL, lang="en")
    assert r.title == "City hall: Council says yes to the budget" and r.provenance["title"] == "og:title"
    assert r.kicker is None


def test_channel_prefix_in_og_title_supports_the_displayed_headline():
    head = ("<meta property='og:title' content='Local politics: Council says yes to the budget'>"
            "<title>Local politics: Council says yes to the budget - News - Example</title>")
    r = page(head, f"<h1>Council says yes to the budget</h1>{EN_BODY}", url=EN_URL, lang="en")
    assert r.title == "Council says yes to the budget"


def test_stated_headline_longer_than_120_characters_is_still_found():
    long_title = ("'This new budget does not mean that services will close': the council's plan "
                  "keeps every library open, but the parks department loses a fifth of its staff")
    head = f"<meta property='og:title' content=\"{long_title}\">"
    r = page(head, f"<p class='promo-title'>Member rewards</p><h1>{long_title}</h1>{EN_BODY}",
             url=EN_URL, lang="en")
    assert r.title == long_title and r.provenance["title"] == "h1"


def test_title_classed_div_does_not_beat_the_h1():
    body = (f"<h1>Council says yes to the budget</h1><div class='share-modal-title'>Share this</div>"
            f"{EN_BODY}")
    r = page("", body, url=EN_URL, lang="en")
    assert r.title == "Council says yes to the budget"


def test_invisible_characters_are_dropped_from_the_headline():
    r = page("", f"<h1>\u200b今冬首场降雪 全市连\u00ad夜清雪</h1>{BODY}")
    assert r.title == "今冬首场降雪 全市连夜清雪"


@pytest.mark.parametrize("shown, expected", [
    ("\u200fAuf\u200clage\u200d \u2060steigt\u200e", "Auflage steigt"),  # marks and joiners that shape nothing
    ("ایران می\u200cخواهد", "ایران می\u200cخواهد"),   # Persian: the non-joiner keeps two letters apart
    ("क्\u200dष समाचार", "क्\u200dष समाचार"),         # Devanagari: the joiner asks for a half form
    ("Remote work 👩\u200d💻", "Remote work 👩\u200d💻"),  # one emoji made of two
    ("\u061cعنوان الخبر\u200f", "عنوان الخبر"),         # the Arabic letter mark and right-to-left mark
])
def test_joiners_stay_where_they_shape_the_script_and_go_where_they_show_nothing(shown, expected):
    r = page("", f"<h1>{shown}</h1>{EN_BODY}", url=EN_URL, lang="en")
    assert r.title == expected


def test_nearest_heading_above_the_body_of_a_blog_post():
    body = ("<h1><a href='/'>aseigo</a></h1><h2 class='date-header'>Monday, November 01, 2004</h2>"
            f"<h3 class='post-title'>Council says yes to the budget</h3>{EN_BODY}")
    r = page("", body, url=None, lang="en")
    assert r.is_article and r.title == "Council says yes to the budget" and r.provenance["title"] == "h3"


def test_short_line_above_the_body_of_an_old_table_layout():
    body = ("<table><tr><td class='nav'><a href='/'>首页</a> <a href='/a'>本地</a></td></tr>"
            "<tr><td>今冬首场降雪 全市连夜清雪</td></tr><tr><td>2024/11/03 18:58 報導</td></tr>"
            f"<tr><td class='text'><p>{P1}</p><p>{P2}</p><p>{P3}</p></td></tr></table>")
    r = page("<title>阜新新闻网</title>", body)
    assert r.title == "今冬首场降雪 全市连夜清雪" and r.provenance["title"] == "text"


def test_section_label_after_the_headline_is_dropped_when_the_statement_has_none():
    body = ("<table><tr><td>今冬首场降雪 全市连夜清雪 (本地)</td></tr><tr><td>2024-11-03 (16:31)</td></tr>"
            f"<tr><td><p>{P1}</p><p>{P2}</p><p>{P3}</p></td></tr></table>")
    r = page("<meta property='og:title' content='今冬首场降雪 全市连夜清雪- 阜新日報網頁'>", body)
    assert r.title == "今冬首场降雪 全市连夜清雪"


def test_og_title_that_is_only_the_site_name_is_not_a_headline():
    r = page("<meta property='og:title' content='-阜新新闻网'><title>阜新新闻网</title>",
             f"<table><tr><td>阜新新闻网 / 本地</td></tr><tr><td>今冬首场降雪 全市连夜清雪</td></tr>"
             f"<tr><td><p>{P1}</p><p>{P2}</p><p>{P3}</p></td></tr></table>")
    assert r.title == "今冬首场降雪 全市连夜清雪"


# --- page classification ------------------------------------------------------------------------

def test_a_declared_story_whose_body_cannot_be_read_keeps_its_metadata():
    head = ("<meta property='og:type' content='article'>"
            "<meta property='og:title' content='Council says yes to the budget - Example Times'>"
            "<meta property='article:published_time' content='2024-11-03T08:00:00+00:00'>"
            "<title>Council says yes to the budget - Example Times</title>")
    r = page(head, "<div id='app'></div><script>render()</script>", url=EN_URL, lang="en")
    assert not r.is_article and r.paragraphs == []
    assert r.title == "Council says yes to the budget" and r.provenance["title"] == "og:title"
    assert r.published_at.startswith("2024-11-03")


def test_a_list_page_gets_no_headline():
    items = "".join(f"<li><a href='/n/{i}.html'>今冬首场降雪 全市连夜清雪第{i}条</a><span>2024-11-0{i}</span></li>"
                    for i in range(1, 8))
    r = page("<title>本地新闻 - 阜新新闻网</title>", f"<h1>本地新闻</h1><ul class='list'>{items}</ul>",
             url="http://news.example.cn/local/")
    assert not r.is_article and r.title is None and len(r.links) == 7


@pytest.mark.parametrize("url, kind", [
    ("https://www.example.com/", "list"),
    ("https://www.example.com/news", "list"),
    ("https://news.example.com.tw/list/breakingnews", "list"),
    ("https://www.example.com/news/news-list.htm", "list"),
    ("http://www.example.gov.cn/col/col123/index_2.html", "list"),
    ("https://www.example.com/news/breaknews/2", "list"),
    ("https://www.example.com/search?q=budget", "list"),
    ("https://www.example.com/category/science/", "list"),
    ("https://www.example.com/news/story/7238/7912345", "story"),
    ("http://www.example.gov.cn/xinwen/2024-05/03/content_5123456.htm", "story"),
    ("https://www.cnn.example/2019/11/18/politics/trump-health/index.html", "story"),
    ("https://www.example.com/blog/decision-info/index-2726.html", None),  # a 4-digit id: no page number
    ("https://forum.example.com/index.php?/topic/201820-ai-discussion-split-from-thread/", "story"),
    ("https://www.example.mg/news_info.php?SerialNo=83141", "story"),
    ("http://www.example.com/show.asp?id=123", "story"),
    ("https://www.example.com/budget-passes-after-long-debate", "story"),
    ("https://www.example.com/about/team", None),
    (None, None),
])
def test_url_kind(url, kind):
    assert url_kind(url) == kind


def _channel_page(blurb: str) -> bytes:
    items = "".join(f"<li><a href='/news/story/7238/79123{i:02d}'>立法院今日三读通过重要法案修正内容第{i}条</a>"
                    f"<span>05-03</span></li>" for i in range(20))
    return ("<html><head><meta charset='utf-8'><title>即時新聞 | 某某新聞網</title></head><body>"
            f"<h1>即時新聞</h1><div class='focus'><h2><a href='/news/story/7238/7912300'>立法院三读通过修正草案</a>"
            f"</h2><p>{blurb}</p></div><ul class='list'>{items}</ul></body></html>").encode("utf-8")


def test_a_channel_page_with_a_featured_blurb_is_a_list_by_its_url():
    html = _channel_page(P1 + P2 + P3)
    r = extract_article(html, url="https://news.example.com.tw/list/breakingnews", now=NOW)
    assert not r.is_article and len(r.links) == 20
    # at a URL of no telling shape, the blurb under the channel's name passes for a story
    r = extract_article(html, url="https://news.example.com.tw/news/cate/2/6638", now=NOW)
    assert r.is_article


def test_a_tag_page_showing_one_whole_post_stays_an_article():
    post = "".join(f"<p>Part {i}. {E1} {E2} {E3}</p>" for i in range(1, 4))
    others = "".join(f"<li><a href='/2024/11/0{i}/budget-debate-part-{i}-continues.html'>Budget debate part {i} "
                     f"continues tonight</a></li>" for i in range(1, 8))
    html = ("<html><head><meta charset='utf-8'><title>Budget - Example Blog</title></head><body>"
            f"<h2>Council says yes to the budget</h2><div class='post-body'>{post}</div>"
            f"<ul class='archive'>{others}</ul></body></html>").encode("utf-8")
    r = extract_article(html, url="https://blog.example.com/tag/budget", now=NOW)
    assert r.is_article and r.title == "Council says yes to the budget"


def test_a_blog_home_page_of_teasers_is_a_list():
    teasers = "".join(f"<h2><a href='/2024/11/0{i}/council-budget-vote-day-{i}.html'>Council budget vote, day {i} of "
                      f"the debate</a></h2><p>{E1} {E2}</p>" for i in range(1, 8))
    html = ("<html><head><meta charset='utf-8'><title>Example Blog</title></head><body>"
            f"<h1>Example Blog</h1><div class='posts'>{teasers}</div></body></html>").encode("utf-8")
    r = extract_article(html, url="https://blog.example.com/", now=NOW)
    assert not r.is_article


def test_at_a_story_url_the_chosen_body_decides_where_the_layout_holds_only_a_caption():
    # the layout's candidates hold a photo caption; the body the block classifier chose holds the story
    html = ("<html><head><meta charset='utf-8'><title>Council says yes to the budget</title></head><body>"
            f"<h1>Council says yes to the budget</h1><div class='photo'><p>The council, Tuesday.</p></div>"
            f"<div class='text'><p>{E1}</p><p>{E2}</p></div></body></html>")
    caption = [Block("paragraph", "The council, Tuesday.")]
    chosen = caption + [Block("paragraph", E1), Block("paragraph", E2)]
    title = "Council says yes to the budget"
    assert classify_page(build_page(html, EN_URL, NOW), caption, title, chosen=chosen)
    assert not classify_page(build_page(html, EN_URL, NOW), caption, title)
    # at a URL that names no story (of no telling shape, or a list's), only the layout's view counts
    for url in ("https://www.example-times.com/about/team", "https://www.example-times.com/news", None):
        assert not classify_page(build_page(html, url, NOW), caption, title, chosen=chosen)


@pytest.mark.parametrize("url, brand", [
    ("https://www.dw.com/de/story", "dw"), ("https://news.bbc.co.uk/2/hi.stm", "bbc"),
    ("http://www.rbb24.de/x.html", "rbb24"), ("http://localhost/x", None), (None, None),
])
def test_host_brand(url, brand):
    assert host_brand(url) == brand


# --- 来源 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("info, source", [
    # the value is cut at the next field: a label, a word that opens one, a date glued on, a bar
    ("<span>来源:<a href='/'>阜新日报</a></span><span>选稿：王明</span>", "阜新日报"),
    ("<span>来源：<a href='/a'>央视新闻客户端</a></span> <a href='/r'>举报</a>", "央视新闻客户端"),
    ("<span>来源：阜新日报2024-11-03 08:49</span>", "阜新日报"),
    ("<span>来源：光明网-《光明日报》2024-11-03 03:15</span>", "光明网-《光明日报》"),
    ("<span>来源：《阜新日报》</span>", "阜新日报"),
    ("<span>來源：中央社</span> <span>編輯：王小明</span>", "中央社"),
    # the label alone in one element, its value alone in the next, the site's own link after it
    ("<span>来源：<a href='/o'>人民日报海外版</a></span><span><a href='/'>阜新新闻网</a></span>", "人民日报海外版"),
    ("<div>来源：</div><div>人民日报</div>", "人民日报"),
    # a label that leaves out its colon: a space, or an element of its own
    ("2024-11-03 08:12 来源 阜新日报", "阜新日报"),
    ("<span>2024-11-03 08:12</span><span>来源</span><span>阜新日报</span>", "阜新日报"),
    # an outlet between bars, before a labelled field
    ("2024-11-03 08:12 | 阜新日报 | 编辑：王明", "阜新日报"),
    # the label ends a text node: the value is the next element, with those a dot or a bracket ties to it,
    # not the place or the widgets after it; an icon in the line does not make it a photo caption
    ("2024-11-03 08:12:33 来源: <a href='/s'>阜新日报</a> <img src='/i/src.png'> <span>辽宁</span> "
     "<a href='/r'>举报</a>", "阜新日报"),
    ("2024-11-03 08:12:33 来源: <a href='/s'>中国证券报</a>·<a href='/z'>中证网</a> <a href='/r'>举报</a>",
     "中国证券报·中证网"),
    ("2024-11-03 08:12:33 来源: <a href='/s'>中国新闻网</a><span>(北京)</span> <a href='/r'>举报</a>", "中国新闻网(北京)"),
])
def test_source_value_stops_at_the_next_field(info, source):
    r = page("<title>今冬首场降雪 全市连夜清雪_阜新新闻网</title>",
             f"<h1>今冬首场降雪 全市连夜清雪</h1><div class='info'>{info}</div>{BODY}")
    assert r.source_name == source


@pytest.mark.parametrize("line, source", [
    ("来源 | 南方都市报", "南方都市报"),
    ("本文来源：中国新闻网", "中国新闻网"),
    ("（來源：聯合報）", "聯合報"),
    ("轉載自中央社", "中央社"),
])
def test_credit_lines_after_the_body(line, source):
    r = page("<title>今冬首场降雪 全市连夜清雪_阜新新闻网</title>",
             f"<h1>今冬首场降雪 全市连夜清雪</h1><div class='content'><p>{P1}</p><p>{P2}</p><p>{P3}</p>"
             f"<p>{line}</p></div>")
    assert r.source_name == source and line not in r.text


@pytest.mark.parametrize("lead, outlet", [
    ("【明報專訊】", "明報"), ("【大公報訊】", "大公報"), ("中新网12月11日电 据报道", "中新网"),
    ("【本報專訊】", None), ("本报讯（记者 张三）", None),
])
def test_dispatch_credits(lead, outlet):
    assert outlet_in_lead_credit(lead) == outlet


def test_a_dispatch_credit_on_its_own_line_above_the_text_names_the_source():
    r = page("<title>今冬首场降雪 全市连夜清雪_阜新新闻网</title>",
             f"<h1>今冬首场降雪 全市连夜清雪</h1><p class='upper'>【明報專訊】</p>{BODY}")
    assert (r.source_name, r.provenance["source_name"]) == ("明報", "text:dateline")
    assert not r.text.startswith("【")


def test_microdata_publisher_in_the_info_line_is_the_source():
    r = page("<title>今冬首场降雪 全市连夜清雪_阜新新闻网</title>",
             "<h1>今冬首场降雪 全市连夜清雪</h1><p class='p_time'><span class='ss01'>2024年11月03日 07:46</span>"
             "<span class='ss02'><span itemprop='publisher' itemscope itemtype='http://schema.org/Organization'>"
             f"<span itemprop='name'><a href='/'>新京报</a></span></span></span></p>{BODY}")
    assert (r.source_name, r.provenance["source_name"]) == ("新京报", "class:source")


def test_a_labelled_credit_beats_an_element_classed_source():
    r = page("<title>今冬首场降雪 全市连夜清雪_阜新新闻网</title>",
             "<h1>今冬首场降雪 全市连夜清雪</h1><div class='info'><span class='source'>某某新媒体</span></div>"
             f"<div class='content'><p>{P1}</p><p>{P2}</p><p>{P3}</p><p>来源 | 南方都市报</p></div>")
    assert (r.source_name, r.provenance["source_name"]) == ("南方都市报", "text:来源")


@pytest.mark.parametrize("line, outlet", [
    ("【聯合晚報╱記者楊正海╱即時報導】", "聯合晚報"),
    ("2019-03-18 23:59聯合報 記者陳嘉寧／桃園機場報導", "聯合報"),
    ("北京新浪網 (2020-01-21 11:12)", "北京新浪網"),
    ("TNW中文站 2016年10月14日07:17", "TNW中文站"),
    ("中央社記者王小明台北5日電", "中央社"),
    ("本报记者 张三 2024-11-03", None),
    ("2014.12.13 01:06 pm", None),
    ("发布时间：2024-05-20 来源：新华网", None),  # labelled: read by parse_meta_line
])
def test_outlet_in_a_byline_or_date_line(line, outlet):
    assert outlet_in_credit_line(line) == outlet


def test_outlet_credited_in_the_byline_line_under_the_headline():
    head = ("<script type='application/ld+json'>{\"@type\": \"NewsArticle\", "
            "\"publisher\": {\"@type\": \"Organization\", \"name\": \"阜新新闻网\"}}</script>")
    r = page(f"<title>今冬首场降雪 全市连夜清雪 | 阜新新闻网</title>{head}",
             "<h1>今冬首场降雪 全市连夜清雪</h1><div class='author'><span>2024-11-03 08:40</span>"
             f"<span>阜新日報 記者王小明／阜新報導</span></div>{BODY}")
    assert (r.source_name, r.provenance["source_name"]) == ("阜新日報", "text:dateline")


def test_outlet_credited_in_the_byline_line_atop_the_article_text():
    """The byline line is the first line of the article's own container, not under the headline."""
    r = page("<title>高雄電影節開幕 日星為氣爆災區祈福 - 新頭殼 newtalk</title>",
             "<h1>高雄電影節開幕 日星為氣爆災區祈福</h1><div class='content'>"
             f"新頭殼newtalk2014.10.24 金名/高雄報導<br><br>{P1}<br><br>{P2}<br><br>{P3}</div>",
             url="http://newtalk.tw/news/2014/10/24/52850.html")
    assert (r.source_name, r.provenance["source_name"]) == ("新頭殼newtalk", "text:dateline")
    assert P1 in r.text and "金名" not in r.text


def test_an_outlet_in_a_line_after_the_first_paragraph_is_not_the_source():
    r = page("<title>今冬首场降雪 全市连夜清雪</title>",
             f"<h1>今冬首场降雪 全市连夜清雪</h1><div class='content'><p>{P1}</p>"
             f"<p>阜新日報 記者王小明／阜新報導</p><p>{P2}</p><p>{P3}</p></div>")
    assert r.source_name is None


def test_outlet_alone_next_to_the_date_line():
    r = page("<title>今冬首场降雪 全市连夜清雪</title>",
             "<h1>今冬首场降雪 全市连夜清雪</h1><div class='author-info'><div class='name'>中国新闻网</div>"
             f"<div class='desc'>2024-05-20 13:09</div></div>{BODY}")
    assert (r.source_name, r.provenance["source_name"]) == ("中国新闻网", "text:dateline")


@pytest.mark.parametrize("lead, outlet", [
    ("（中央社記者王小明台北20日電）", "中央社"),
    ("【文匯報訊】記者李四報道：", "文匯報"),
    ("新华社北京5月20日电（记者 张三）", "新华社"),
    ("联合早报网讯 ", "联合早报网"),
    ("本报讯（记者 张三）", None),
])
def test_outlet_credited_in_the_first_paragraphs_dateline(lead, outlet):
    r = page("<title>今冬首场降雪 全市连夜清雪</title>",
             f"<h1>今冬首场降雪 全市连夜清雪</h1><div class='content'><p>{lead}{P1}</p><p>{P2}</p><p>{P3}</p></div>")
    assert r.source_name == outlet
    assert r.provenance.get("source_name") == ("text:lead-dateline" if outlet else None)


@pytest.mark.parametrize("line, source", [
    ("來源／中央社", "中央社"), ("消息来源：新华网", "新华网"), ("資料來源：經濟部", "經濟部"),
])
def test_source_label_variants(line, source):
    assert parse_meta_line(line).source_name == source


def test_a_logo_heading_with_the_hosts_brand_is_not_the_headline():
    head = "<title>Council says yes</title>"
    body = f"<h1>EXAMPLE-TIMES</h1><div class='headline'>Council says yes to the budget</div>{EN_BODY}"
    r = page(head, body, url=EN_URL, lang="en")
    assert r.title == "Council says yes to the budget"


def test_a_date_line_inside_the_heading_is_not_part_of_the_headline():
    r = page("", f"<h1>今冬首场降雪<br>全市连夜清雪<br>2024-11-03 08:40</h1>{BODY}")
    assert r.title == "今冬首场降雪 全市连夜清雪"


def test_a_plain_headline_broken_with_br_is_one_headline_when_the_title_says_so():
    body = f"<div class='art_tit'>今冬首场降雪<br>全市连夜清雪</div><div>2024-11-03</div>{BODY}"
    r = page("<title>今冬首场降雪 全市连夜清雪_阜新新闻网</title>", body)
    assert r.title == "今冬首场降雪 全市连夜清雪"


BLOG_P = "这是一篇博客文章的正文内容，作者记录了自己在旅途中的见闻和感受，文字朴实，情感真挚，值得一读。" * 3


@pytest.mark.parametrize("title_tag, header", [
    # the blog's name in an <h1>, the post's title in an <h2>
    ("春天里的一次远行_王小明的博客_某某博客", "<h1>王小明的博客</h1><div>记录生活</div><h2 class='titName'>春天里的一次远行</h2>"),
    # the post's title links to the post itself; the blog's tagline is another <h2>
    ("春天里的一次远行 @ 小明的旅行日记 :: 某某部落格 ::",
     "<h1><a href='/'>小明的旅行日记</a></h1><h2>旅行、生活</h2>"
     "<h2 class='article-title'><a href='/blog/post/1'>春天里的一次远行</a></h2>"),
])
def test_a_blog_post_title_not_the_blogs_name(title_tag, header):
    r = page(f"<title>{title_tag}</title>",
             f"{header}<div class='article-content'><p>{BLOG_P}</p><p>{BLOG_P}</p></div>",
             url="http://blog.example.com/s/blog_1.html")
    assert r.is_article and r.title == "春天里的一次远行" and r.provenance["title"] == "h2"


def test_a_forum_thread_with_one_dominant_post_is_an_article():
    body = ("<div id='pt'><a href='/'>某某社区</a> › <a href='/f'>旅游论坛</a></div>"
            "<h1 class='ts'><span id='thread_subject'>春天里的一次远行</span></h1>"
            f"<table><tr><td class='pls'>王小明</td><td class='t_f'>{BLOG_P}<br>{BLOG_P}</td></tr></table>"
            "<table><tr><td class='pls'>李四</td><td class='t_f'>写得真好，谢谢分享。</td></tr></table>")
    r = page("<title>春天里的一次远行 - 旅游论坛 - 某某社区</title>", body, url="http://bbs.example.com/thread-1-1-1.html")
    assert r.is_article and r.title == "春天里的一次远行"


def test_date_and_source_spans_at_the_end_of_the_headline_element_are_not_the_headline():
    r = page("", f"<h1>今冬首场降雪 全市连夜清雪 <span>2024-11-03 08:40</span> <span>来源：阜新日报</span></h1>{BODY}")
    assert r.title == "今冬首场降雪 全市连夜清雪"


def test_a_headline_shown_in_capitals_keeps_the_case_of_its_statements():
    r = page("<title>Budget passes after long debate</title>"
             "<meta property='og:title' content='Budget passes after long debate'>",
             f"<h1>BUDGET PASSES AFTER LONG DEBATE</h1>{EN_BODY}", url=EN_URL, lang="en")
    assert r.title == "Budget passes after long debate" and r.provenance["title"] == "h1"


def test_a_permalink_mark_after_a_heading_is_not_part_of_the_headline():
    r = page("<title>Working with forms | Example documentation</title>",
             f"<h1>Working with forms<a class='headerlink' href='#forms'>¶</a></h1>{EN_BODY}", url=EN_URL, lang="en")
    assert r.title == "Working with forms"


def test_an_english_date_line_above_the_body_is_not_the_headline():
    r = page("<title>AI-Powered SEO: How search changes</title>",
             f"<div class='meta'>December 17th 2025</div>{EN_BODY}", url=EN_URL, lang="en")
    assert r.title == "AI-Powered SEO: How search changes" and r.provenance["title"] == "title-tag"


def test_a_fallback_line_above_the_body_loses_to_a_stated_headline():
    # no heading names the story; the nearest short line above the body is page furniture
    r = page("<meta property='og:title' content='Budget passes after long debate'>",
             f"<div class='tools'>Search</div>{EN_BODY}", url=EN_URL, lang="en")
    assert r.title == "Budget passes after long debate" and r.provenance["title"] == "og:title"


def test_a_fallback_line_stays_when_the_title_tag_is_only_a_short_name():
    r = page("<title>科普中国</title>", f"<div>徒手抓子弹真的存在吗？</div>{BODY}")
    assert r.title == "徒手抓子弹真的存在吗？"


def test_a_statement_with_a_bullet_and_the_site_supports_the_displayed_headline():
    r = page("<title>Healthy Eating Plate • The Nutrition Source</title>"
             "<meta property='og:title' content='Healthy Eating Plate • The Nutrition Source'>",
             f"<h1>Healthy Eating Plate</h1>{EN_BODY}", url=EN_URL, lang="en")
    assert r.title == "Healthy Eating Plate" and r.provenance["title"] == "h1"


@pytest.mark.parametrize("title_tag", ["今冬首场降雪 全市连夜清雪_阜新市人民政府", "阜新市人民政府门户网站"])
def test_a_logo_heading_repeating_the_sites_name_in_the_title_is_not_the_headline(title_tag):
    # the <title> holds the site's name (alone or after the headline); a logo <h1> repeats it
    r = page(f"<title>{title_tag}</title>",
             "<div class='head'><h1>" + title_tag.split("_")[-1] + "</h1></div><div class='nav'><a href='/'>首页</a></div>"
             f"<div class='main'><div class='bt'>今冬首场降雪 全市连夜清雪</div><div class='info'>发布日期：2024-11-03</div>"
             f"{BODY}</div>")
    assert r.title == "今冬首场降雪 全市连夜清雪"


def test_a_short_label_before_the_headline_that_no_statement_has_is_dropped():
    r = page("<title>今冬首场降雪 全市连夜清雪_阜新新闻网</title>",
             f"<h1><span class='tag'>原创</span>今冬首场降雪 全市连夜清雪</h1>{BODY}")
    assert r.title == "今冬首场降雪 全市连夜清雪" and r.provenance["title"] == "h1"


def test_a_subtitle_after_a_break_inside_the_heading_is_the_subtitle():
    r = page("<title>今冬首场降雪 全市连夜清雪_阜新新闻网</title>",
             f"<h1>今冬首场降雪 全市连夜清雪<br><span>——记环卫工人的一个雪夜</span></h1>{BODY}")
    assert r.title == "今冬首场降雪 全市连夜清雪" and r.subtitle == "——记环卫工人的一个雪夜"


def test_a_date_in_an_element_classed_subtitle_is_the_date_not_the_subtitle():
    r = page("<title>今冬首场降雪 全市连夜清雪_阜新新闻网</title>",
             f"<h1>今冬首场降雪 全市连夜清雪</h1><div class='subTitle'>2024年11月03日</div>{BODY}", url=None)
    assert r.subtitle is None and r.published_at == "2024-11-03"


def test_a_date_and_source_after_a_space_in_the_headlines_text_are_not_the_headline():
    r = page("<title>今冬首场降雪 全市连夜清雪_阜新新闻网</title>",
             f"<h1>今冬首场降雪 全市连夜清雪&nbsp;&nbsp;2024-11-03 08:40&nbsp;来源：阜新日报</h1>{BODY}")
    assert r.title == "今冬首场降雪 全市连夜清雪"


def test_a_title_classed_cell_broken_with_br_is_one_headline():
    r = page("<title>阜新市应急管理局</title>",
             "<table><tr><td class='title'>关于印发《阜新市2024年安全生产<br>工作要点》的通知</td></tr>"
             f"<tr><td><p>{P1}</p><p>{P2}</p><p>{P3}</p></td></tr></table>")
    assert r.title == "关于印发《阜新市2024年安全生产 工作要点》的通知"
