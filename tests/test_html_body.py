"""Body selection mechanisms of parsers.html on small pages built to show one layout each.

Each page puts the article next to the thing that used to win or leak: a split body, a news
ticker, captions and story lists inside the body, a quote that shows a photo. The expected
paragraphs are written out in full.
"""

from __future__ import annotations

import json
import time

import pytest

from bench.metrics import tokenize as metric_tokens
from parsers import extract_article
from parsers.html.page import build_page
from parsers.html.shingles import shingles, tokens
from parsers.html.tree import strip_non_content

LEDE = "The council approved the budget on Tuesday, after a debate that lasted six hours."
SECOND = "Members argued over the school repairs, which take a third of the new money."
THIRD = "The mayor said the vote, the first since the election, showed the council could agree."
FOURTH = "Work on the first schools starts in March, and the rest follow before the summer."


def paragraphs(html: str, url: str = "https://news.example.com/2024/03/05/budget.html") -> list[str]:
    record = extract_article(html.encode("utf-8"), url=url)
    assert record.is_article
    return record.paragraphs


def page(body: str, title: str = "Council approves the budget") -> str:
    return (f"<html><head><title>{title} | Example News</title></head><body>"
            f"<nav><ul><li><a href='/'>Home</a></li><li><a href='/city'>City</a></li></ul></nav>"
            f"{body}<footer><a href='/about'>About us</a> <a href='/contact'>Contact</a></footer></body></html>")


def story(title: str, body: str) -> str:
    """A page whose article has the headline `title` and the body container `body`."""
    return page(f"<article><h1>{title}</h1><div class='body'>{body}</div></article>", title=title)


def test_body_split_by_a_figure_at_another_depth_is_joined():
    # the sections share the paragraph holder's classes; the second one sits deeper
    html = page(
        "<article><h1>Council approves the budget</h1>"
        f"<div class='story-section'><div class='story-text rich'><p>{LEDE}</p><p>{SECOND}</p></div></div>"
        "<figure><img src='/img/hall.jpg'><figcaption>The council hall, seen from the square, on Tuesday.</figcaption></figure>"
        f"<div class='row'><div class='story-section'><div class='story-text rich'><p>{THIRD}</p><p>{FOURTH}</p>"
        "</div></div></div></article>")
    assert paragraphs(html) == [LEDE, SECOND, THIRD, FOURTH]


def test_same_markup_beyond_a_menu_is_not_joined():
    newsletter = "Sign up for our newsletter, and get the city's news in your inbox every morning."
    menu = "".join(f"<li><a href='/section/{i}'>Section number {i} of the site</a></li>" for i in range(12))
    html = page(
        f"<article><h1>Council approves the budget</h1><div class='text'><p>{LEDE}</p><p>{SECOND}</p>"
        f"<p>{THIRD}</p></div></article><ul class='menu'>{menu}</ul><div class='text'><p>{newsletter}</p></div>")
    assert paragraphs(html) == [LEDE, SECOND, THIRD]


def test_news_ticker_does_not_outvote_a_short_story():
    # every ticker item opens with a headline link; the story has no links at all
    items = "".join(
        f"<li><a href='/story/{i}'>Headline number {i} about another city matter</a> CITY: A summary of "
        f"story {i}, with a comma, a clause; and more words to make it long enough to score.</li>"
        for i in range(10))
    html = page(f"<div class='ticker'><ul>{items}</ul></div><div><h1>Council approves the budget</h1>"
                f"<p>{LEDE}</p><p>{SECOND}</p><p>{THIRD}</p></div>")
    assert paragraphs(html) == [LEDE, SECOND, THIRD]


def test_captions_galleries_and_story_lists_inside_the_body_are_left_out():
    related = "".join(
        f"<div class='teaser'><h4><a href='/story/{i}'>Another story number {i} from the city desk</a></h4>"
        f"<p>A short summary of that other story, which is not part of this one.</p></div>"
        for i in range(3))
    html = page(
        "<article><h1>Council approves the budget</h1><div class='body'>"
        f"<p>{LEDE}</p>"
        "<div class='image-caption'>Council members vote on the budget, in the hall, on Tuesday.</div>"
        f"<p>{SECOND}</p>"
        "<div class='gallery'><p>Photo 1 of 8: the hall before the vote, seen from the gallery above.</p></div>"
        f"<p>{THIRD}</p>"
        f"{related}"
        "</div></article>")
    assert paragraphs(html) == [LEDE, SECOND, THIRD]


def test_a_comment_thread_that_outweighs_a_short_story_is_left_out():
    # the thread sits in the story's own container and holds most of its prose, so its class alone
    # does not make it boilerplate: the body classifier judges it
    opinions = [
        "I have lived here for thirty years and I have never seen the roads in such a state, honestly.",
        "Why does nobody ask where the money from the last budget went? Nobody on the council will say.",
        "Great news for the schools, but I will believe it when I see the builders on the site, not before.",
        "The same promises every year, and every year the same excuses about the weather and the contracts.",
    ]
    comments = "".join(
        f"<li class='comment'><div class='comment-author'>Reader {i}</div>"
        f"<div class='comment-meta'>March 5, 2024 at {i + 1}:15 pm</div>"
        f"<div class='comment-content'><p>{opinions[i % 4]} {opinions[(i + 1) % 4]}</p></div>"
        f"<div class='reply'><a href='#reply-{i}'>Reply</a></div></li>"
        for i in range(12))
    html = story("Council approves the budget",
                 f"<p>{LEDE}</p><p>{SECOND}</p><p>{THIRD}</p><p>{FOURTH}</p>"
                 f"<div class='comments'><h3>12 Comments</h3><ol>{comments}</ol></div>")
    assert paragraphs(html) == [LEDE, SECOND, THIRD, FOURTH]


def test_sections_that_open_with_a_linked_heading_are_the_body_not_a_story_list():
    # a guide whose every section is shaped like a story-list item (a linked heading and a paragraph,
    # in sibling wrappers of one class): together they hold the text, so they are the body
    parks = [
        "North Park has the oldest oak trees in the city, a pond with ducks, and a playground that was rebuilt last spring.",
        "The River Walk runs for four miles along the water, with benches, a café at the old mill, and lights for evening runs.",
        "Hill Gardens hold the rose beds and the glasshouse, where the winter plants are kept; entry is free on Sundays.",
        "South Common is the largest green space, with football pitches, a dog run, and the summer market on Saturdays.",
    ]
    sections = "".join(f"<div class='guide-section'><h2><a href='/parks/{i}'>Park number {i}</a></h2><p>{text}</p></div>"
                       for i, text in enumerate(parks))
    html = page(f"<article><h1>A guide to the city's parks</h1><div class='guide'>{sections}</div></article>",
                title="A guide to the city's parks")
    assert paragraphs(html, url="https://news.example.com/2024/03/05/parks.html") == parks


def test_a_quote_that_shows_a_photo_keeps_its_text():
    quote = "“The show was really great, and we enjoyed the free drink at the cafe.”"
    html = page(
        f"<article><h1>Council approves the budget</h1><div class='entry'><p>{LEDE}</p>"
        f"<blockquote><p><img src='/img/review-photo.jpg' width='580' height='1030'></p><p>{quote}</p></blockquote>"
        f"<p>{SECOND}</p></div></article>")
    assert paragraphs(html) == [LEDE, quote, SECOND]


def test_sentence_that_is_mostly_a_link_stays_in_the_body():
    linked = ("Australian-born Assange faces <a href='/x'>a charge of conspiracy to commit computer "
              "intrusion</a> in the US.")
    html = page(f"<article><h1>Council approves the budget</h1><div class='body'><p>{LEDE}</p><p>{linked}</p>"
                f"<p><a href='/more'>More city news</a></p><p>{SECOND}</p></div></article>")
    assert paragraphs(html) == [
        LEDE, "Australian-born Assange faces a charge of conspiracy to commit computer intrusion in the US.", SECOND]


def test_list_items_with_words_of_their_own_stay_but_bare_links_go():
    # a cast list links each actor and role, with words of its own between them: the body's list, though
    # mostly link text; a list of kickers with headline links is a story list, bare links are a menu
    cast = ["<a href='/people/ana-lima'>Ana Lima</a> as <a href='/roles/mayor'>Mayor Clara Reyes</a>",
            "<a href='/people/tom-berg'>Tom Berg</a> as <a href='/roles/treasurer'>Treasurer Paul Vance</a>",
            "<a href='/people/sara-holt'>Sara Holt</a> as <a href='/roles/inspector'>Inspector Nora Kell</a>"]
    html = page(
        "<article><h1>Council approves the budget</h1><div class='body'>"
        f"<p>{LEDE}</p><p>{SECOND}</p><p>The roles in the council's own film of the night:</p>"
        f"<ul>{''.join(f'<li>{item}</li>' for item in cast)}</ul>"
        f"<p>{THIRD}</p><ul><li>Schools: <a href='/story/1'>Repairs start in the north of the city</a></li>"
        "<li>Transport: <a href='/story/2'>The night buses return in the spring</a></li></ul>"
        f"<p>{FOURTH}</p><ul><li><a href='/city'>City</a></li><li><a href='/schools'>Schools</a></li></ul>"
        "</div></article>")
    assert paragraphs(html) == [LEDE, SECOND, "The roles in the council's own film of the night:",
                                "Ana Lima as Mayor Clara Reyes", "Tom Berg as Treasurer Paul Vance",
                                "Sara Holt as Inspector Nora Kell",
                                THIRD, FOURTH]


def test_short_lines_may_repeat_but_long_paragraphs_may_not():
    html = page(
        "<article><h1>Council approves the budget</h1><div class='body'>"
        f"<p>{LEDE}</p><ul><li>Plan A: two schools</li><li>Plan B: two schools</li></ul>"
        f"<p>Two schools</p><p>{SECOND}</p><p>Two schools</p><p>{SECOND}</p><p>{THIRD}</p></div></article>")
    assert paragraphs(html) == [LEDE, "Plan A: two schools", "Plan B: two schools", "Two schools", SECOND,
                                "Two schools", THIRD]


RECAP = "The budget passed by nine votes to four. The schools get their repairs before the winter."


def test_a_paragraph_of_sentences_repeated_on_its_own_stays():
    # a passage restated after a section heading is the text's own
    html = page(
        "<article><h1>Council approves the budget</h1><div class='body'>"
        f"<p>{RECAP}</p><p>{SECOND}</p><h2>What comes next</h2><p>{THIRD}</p><p>{RECAP}</p></div></article>")
    assert paragraphs(html) == [RECAP, SECOND, THIRD, RECAP]


def test_a_sentence_said_again_is_read_once():
    # a pull quote, a summary or a caption that repeats one sentence of the story
    html = page(
        "<article><h1>Council approves the budget</h1><div class='body'>"
        f"<p>{LEDE}</p><p>{SECOND}</p><p>{LEDE}</p><p>{THIRD}</p></div></article>")
    assert paragraphs(html) == [LEDE, SECOND, THIRD]


def test_a_passage_printed_twice_is_read_once():
    # the story shown again below itself (a second rendering of the same text): its copy goes,
    # the paragraph that follows the copy stays
    html = page(
        "<article><h1>Council approves the budget</h1><div class='body'>"
        f"<p>{RECAP}</p><p>{SECOND}</p><p>{THIRD}</p><p>{RECAP}</p><p>{SECOND}</p><p>{FOURTH}</p></div></article>")
    assert paragraphs(html) == [RECAP, SECOND, THIRD, FOURTH]


def test_a_notice_in_place_of_each_embed_is_read_once():
    notice = "Your privacy settings block this post. Allow social media content to see it."
    html = page(
        "<article><h1>Council approves the budget</h1><div class='body'>"
        f"<p>{LEDE}</p><p>{notice}</p><p>{SECOND}</p><p>{notice}</p><p>{THIRD}</p><p>{notice}</p>"
        f"<p>{FOURTH}</p></div></article>")
    assert paragraphs(html) == [LEDE, notice, SECOND, THIRD, FOURTH]


def test_founder_epaper_story_with_little_text_is_an_article():
    html = ("<html><head><title>阜新日报数字报-氟化工产业链加速向下游延伸</title></head><body>"
            "<table><tr><td><a href='node_1.htm'>第01版：要闻</a></td></tr></table>"
            "<div id='ozoom'><founder-title>氟化工产业链加速向下游延伸</founder-title><founder-content>"
            "<p>阜新氟产业开发区内，一条生产线正在进行设备安装调试，预计4月底投产。</p>"
            "<p>开发区引进下游项目15个，产业链条不断向高附加值环节延伸。</p>"
            "</founder-content></div></body></html>")
    record = extract_article(html.encode("utf-8"), url="http://epaper.example.cn/html/2024-03/06/content_1.htm")
    assert record.is_article
    assert record.paragraphs == ["阜新氟产业开发区内，一条生产线正在进行设备安装调试，预计4月底投产。",
                                 "开发区引进下游项目15个，产业链条不断向高附加值环节延伸。"]


def test_strip_non_content_drops_what_the_index_skips():
    html = ("<head><link rel='stylesheet' href='/a.css'><link rel='canonical' href='https://x/a'></head>"
            "<body><script>var a = '<p>';</script><svg><path d='M0'/></svg><p>kept</p>"
            "<select><option>one</option></select><!-- note --><iframe src='/ad'>fallback</iframe>"
            "<textarea>typed <b>text</b></textarea></body>")
    cleaned = strip_non_content(html)
    for gone in ("stylesheet", "var a", "<path", "<option", "note", "fallback", "typed"):
        assert gone not in cleaned
    assert "<link rel='canonical' href='https://x/a'>" in cleaned and "<p>kept</p>" in cleaned


def test_strip_non_content_keeps_an_unclosed_svg_from_eating_the_article():
    html = f"<body><svg class='icon'><use href='#i'></use><div><p>{LEDE}</p></div></body>"
    assert f"<p>{LEDE}</p>" in strip_non_content(html)


def test_strip_non_content_keeps_the_article_after_an_embed_code_quoted_in_an_attribute():
    """An `<iframe` quoted in an attribute has no end tag after it: the page goes on, the article is kept;
    an unclosed `<script>` still runs to the end of the page, as in a browser."""
    embed = "<div data-embed=\"<iframe src=\\&quot;https://v.example.com/1\\&quot;><\\/iframe>\"></div>"
    cleaned = strip_non_content(f"<body>{embed}<div><p>{LEDE}</p></div></body>")
    assert f"<p>{LEDE}</p>" in cleaned
    assert f"<p>{LEDE}</p>" not in strip_non_content(f"<body><script>var a = 1;<div><p>{LEDE}</p></div></body>")


def test_whitespace_before_block_tags_is_dropped_but_inline_spaces_stay():
    cleaned = strip_non_content("<div>\n  <p>a <b>bold</b> <i>word</i></p>\n</div>")
    assert cleaned == "<div><p>a <b>bold</b> <i>word</i></p></div>"


def test_strip_non_content_stays_linear_on_unclosed_tags():
    for unit in ("<svg>", "<button>x", "<svg><div>", "<script", "<link "):
        html = unit * 100_000 + "<p>kept</p>"
        started = time.perf_counter()
        cleaned = strip_non_content(html)
        assert time.perf_counter() - started < 3.0, unit
        assert cleaned.endswith("<p>kept</p>") or unit == "<script"


def test_english_datelines_are_not_paragraphs():
    html = page(
        "<article><h1>Council approves the budget</h1><div class='body'>"
        "<p>Published 10:02 AM EST Nov 19, 2019</p>"
        f"<p>{LEDE}</p><p>The vote was on Nov 19, 2019, after six hours.</p><p>NOVEMBER 20, 2019 10:43</p>"
        f"<p>{SECOND}</p></div></article>")
    assert paragraphs(html) == [LEDE, "The vote was on Nov 19, 2019, after six hours.", SECOND]


def test_chinese_datelines_are_not_paragraphs():
    """A line that is only a labelled date with its clock and zone words dates the story; it is not
    the first paragraph. A sentence that holds a date stays."""
    p1 = "香港行政长官在各方压力下就其大宅的违章建筑问题到立法会接受质询，并向香港民众道歉。他此前承认早在参选之前就已知悉其住宅的违建问题。"
    p2 = "北京时间2012年12月10日，立法会议员们普遍要求他就此事作出详细的交代和说明。"
    p3 = "他强调承诺将在两周内解决其住宅的违建问题，并会配合屋宇署的一切跟进工作，但强调他在这个问题上没有隐瞒的意图和动机。"
    html = page(
        "<article><h1>行政长官就违建问题道歉</h1><div class='body'>"
        "<p>更新时间 2012年12月10日, 格林尼治标准时间10:41</p>"
        f"<p>{p1}</p><p>{p2}</p><p>發布時間 2012年12月10日 星期一 北京時間 18:41</p><p>{p3}</p></div></article>",
        title="行政长官就违建问题道歉")
    assert paragraphs(html) == [p1, p2, p3]


def test_a_date_line_with_an_update_note_is_not_a_paragraph():
    p1 = "台北101跨年煙火秀今晚登場，主辦單位估計，信義區周邊湧入超過百萬人次，捷運公司全線加開班次疏運人潮。"
    p2 = "台北市政府表示，今年煙火秀長達300秒，以「希望」為主題，搭配燈光與音樂演出，吸引國內外旅客前來觀賞。"
    p3 = "警方提醒民眾，散場時請依指示動線離開，避免推擠，並留意自身財物安全，市府也將在各捷運站加派人力。"
    html = page(f"<article><h1>跨年煙火秀登場</h1><div class='body'><p>2020/01/01 00:30（最新更新：2020/01/01 01:05）</p>"
                f"<p>{p1}</p><p>{p2}</p><p>{p3}</p></div></article>", title="跨年煙火秀登場")
    assert paragraphs(html) == [p1, p2, p3]


def test_an_app_promotion_at_the_edges_of_the_body_is_not_a_paragraph():
    p1 = "今日A股三大指数集体收跌，沪指收跌0.5%，深成指跌0.8%，创业板指跌1.2%，两市成交额超过9000亿元。"
    p2 = "盘面上，券商、保险板块领跌，医药、农业板块逆势走强，北向资金全天净流出超过30亿元。"
    p3 = "分析人士指出，海外市场波动加大，短期A股或延续震荡走势，投资者应控制仓位。"
    html = page(f"<article><h1>沪指收跌</h1><div class='body'><p>打开某某新闻客户端，阅读更多精彩内容</p>"
                f"<p>{p1}</p><p>{p2}</p><p>{p3}</p><p>海量资讯、精准解读，尽在某某财经APP</p></div></article>",
                title="沪指收跌")
    assert paragraphs(html) == [p1, p2, p3]
    # inside the body a sentence about an app stays
    mid = "该公司表示，用户下载新版APP后可以直接在线办理业务，无需再前往营业网点排队。"
    html = page(f"<article><h1>沪指收跌</h1><div class='body'><p>{p1}</p><p>{mid}</p><p>{p2}</p><p>{p3}</p>"
                "</div></article>", title="沪指收跌")
    assert paragraphs(html) == [p1, mid, p2, p3]


# A story's three paragraphs, for the tests of what opens and ends a body.
RAIN_WARNING = ("北京市气象台今天下午发布暴雨蓝色预警信号，预计今天夜间至明天白天，本市大部分地区有大雨，局地暴雨到大暴雨。",
                "气象部门提醒，降雨期间山区可能出现山洪、泥石流等次生灾害，请市民尽量减少外出，注意出行安全。",
                "据了解，本次降雨过程将持续到13日，其间累计雨量较大，相关部门已做好防汛准备工作。")


@pytest.mark.parametrize("tail", [
    "返回某某网，查看更多",
    "打开某某新闻，查看更多高清图片",
    "更多精彩内容，请关注某某微信公众号。",
    "声明：该文观点仅代表作者本人，某某号系信息发布平台，某某仅提供信息存储空间服务。",
    "Notice: The content above (including the pictures and videos if any) is uploaded and posted by a user of "
    "Example Hao, which is a social media platform and only provides information storage services.",
    "（风险提示：本文不构成投资建议，股市有风险，投资需谨慎）",
])
def test_read_on_prompts_and_platform_disclaimers_end_the_body(tail):
    p1, p2, p3 = RAIN_WARNING
    html = story("北京发布暴雨蓝色预警", f"<p>{p1}</p><p>{p2}</p><p>{p3}</p>"
                f"<p>{tail}</p>")
    assert paragraphs(html) == [p1, p2, p3]


@pytest.mark.parametrize("head", [
    "▲图为北京街头积水。新华社记者 王小明 摄",
    "资料图：北京街头积水。视觉中国/图",
    "点击上方“某某新闻”，关注我们",
    "本文共3000字，阅读约需8分钟",
    "（圖／翻攝自臉書）",
    "视频加载中，请稍候...",
])
def test_captions_prompts_and_reading_times_do_not_open_the_body(head):
    p1, p2, p3 = RAIN_WARNING
    html = story("北京发布暴雨蓝色预警", f"<p>{head}</p><p>{p1}</p><p>{p2}</p>"
                f"<p>{p3}</p>")
    assert paragraphs(html) == [p1, p2, p3]


def test_a_helpline_notice_and_a_copyright_line_after_the_story_are_not_body():
    p1 = "台中市凌晨發生一起墜樓案，一名女子與男友發生口角後從租屋處跳樓，經送醫後仍宣告不治，檢警將進行相驗。"
    p2 = "警方調查，女子昨晚獨自在租屋處飲酒，男友凌晨返家勸阻，雙方因而發生口角，女子隨即將房門反鎖。"
    p3 = "家屬對死因有意見，警方已勘驗現場並報請相驗，將進一步釐清死因。（王小明／台中報導）"
    notice = ("<p>自殺解決不了問題，卻留給家人無比悲痛。請珍惜生命。</p><p>再給自己一次機會</p>"
              "<p>自殺防治諮詢安心專線：0800-788995（24小時）</p><p>生命線協談專線：1995</p>"
              "<p>本新聞文字、照片、影片專供會員閱覽，版權所有，禁止任何媒體、社群網站、論壇引用、改寫、轉貼分享，違者必究。</p>")
    html = story("女墜樓不治", f"<p>{p1}</p><p>{p2}</p><p>{p3}</p>{notice}"
                "")
    assert paragraphs(html) == [p1, p2, p3]


def test_a_cjk_heading_before_the_first_paragraph_is_not_body():
    """Before any paragraph a CJK heading is the headline again, a label or a bold byline; a heading in
    another script may open the story's first section and stays."""
    p1 = "行政會議成員今早出席電台節目時表示，政府會繼續聆聽市民意見，並在未來數月內推出多項措施。"
    p2 = "他又指，社會各界應理性討論，政府亦會在立法會會議上交代詳情，希望取得議員支持。"
    p3 = "有議員表示，會仔細研究政府的建議，並在諮詢選民意見後決定是否支持有關措施，期望政府盡快公布細節。"
    html = story("政府推出多項措施", f"<p><b>港聞</b></p><p>{p1}</p><p>{p2}</p>"
                f"<p>{p3}</p>")
    assert paragraphs(html) == [p1, p2, p3]
    html = page(f"<article><h1>Council approves the budget</h1><div class='body'><h3>The vote</h3><p>{LEDE}</p>"
                f"<p>{SECOND}</p><p>{THIRD}</p></div></article>")
    assert extract_article(html.encode("utf-8")).text.startswith("The vote")
    cjk = page(f"<article><h1>政府推出多項措施</h1><div class='body'><p><b>港聞</b></p><p>{p1}</p><p>{p2}</p>"
               f"<p>{p3}</p></div></article>", title="政府推出多項措施")
    assert extract_article(cjk.encode("utf-8")).text.startswith(p1)


def test_a_decimal_number_does_not_make_a_short_line_a_paragraph():
    p1 = "国家统计局今天发布数据，4月份全国居民消费价格同比上涨0.3%，环比上涨0.1%，涨幅较上月有所扩大。"
    p2 = "其中，城市上涨0.3%，农村上涨0.3%；食品价格下降2.7%，非食品价格上涨1.0%，服务价格上涨0.8%。"
    p3 = "分析人士认为，随着消费需求持续恢复，物价水平有望保持温和回升态势，全年通胀压力总体可控。"
    html = story("4月CPI同比上涨0.3%", f"<p>2024年4月CPI同比上涨0.3%</p>"
                f"<p>{p1}</p><p>{p2}</p><p>{p3}</p>")
    assert paragraphs(html) == [p1, p2, p3]


def test_a_notices_salutation_is_its_first_paragraph_but_a_widget_label_is_not():
    p1 = "为切实做好冬季安全生产工作，有效防范和遏制各类事故发生，经市政府同意，决定在全市开展冬季安全生产大检查。"
    p2 = "一、检查时间。自即日起至2015年2月底，各地要结合实际，制定具体实施方案，明确责任分工和时间安排。"
    p3 = "二、检查重点。重点检查矿山、危险化学品、烟花爆竹、道路交通、消防等行业领域，做到全覆盖、无死角。"
    for first, kept in (("各县区人民政府：", True), ("市直各单位：", True), ("字级大小：", False)):
        html = story("关于开展冬季安全生产大检查的通知", f"<p>{first}</p>"
                    f"<p>{p1}</p><p>{p2}</p><p>{p3}</p>")
        assert paragraphs(html) == ([first] if kept else []) + [p1, p2, p3]


def test_a_bare_document_is_all_content_however_short():
    """A page that links nowhere and runs no script holds nothing but its text: it is kept although it is
    no story; a page as short that links elsewhere or is rendered by a script keeps none."""
    bare = ("<html><head><title>Lorem Ipsum</title></head><body><main><section><div><h2>Test Case 1</h2>"
            "<div>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</div></div></section></main></body></html>")
    record = extract_article(bare.encode("utf-8"), url="https://example.com/lorem.html")
    assert not record.is_article
    assert record.text == "Test Case 1\n\nLorem ipsum dolor sit amet, consectetur adipiscing elit."
    for other in (bare.replace("<main>", "<nav><a href='/'>Home</a></nav><main>"),  # links elsewhere
                  bare.replace("<main>", "<a href='#main'>Skip to content</a><main>"),  # a shell's skip link
                  bare.replace("</body>", "<script src='/app.js'></script></body>")):  # rendered by script
        record = extract_article(other.encode("utf-8"), url="https://example.com/lorem.html")
        assert not record.is_article and record.text == ""


def test_hover_cards_and_hidden_class_text_stay_out_of_paragraphs():
    card = ("<span class='rollover-people-block'><a href='/people/x'>Jane Doe</a> "
            "<a href='/story/1'>Another story about Jane Doe, with a long headline</a></span>")
    html = page(
        "<article><h1>Council approves the budget</h1><div class='body'>"
        f"<p>The mayor, <a href='/people/x'>Jane Doe</a>{card}, said the vote showed the council could agree.</p>"
        f"<p>{LEDE}<span class='sr-only'>Opens in a new window</span></p><div class='hidden'><p>{SECOND}</p></div>"
        f"<p>{THIRD}</p></div></article>")
    assert paragraphs(html) == ["The mayor, Jane Doe, said the vote showed the council could agree.", LEDE, THIRD]


STREAMED_PARAGRAPHS = [LEDE, SECOND, THIRD, FOURTH] + [
    f"Council member number {i} spoke next, for the repairs or against them, and the debate went on." for i in range(12)]
STREAMED = page("<main><template id='B:0'></template><p>Loading…</p></main>"
                "<div hidden id='S:0'><article><h1>Council approves the budget</h1>"
                + "".join(f"<p>{p}</p>" for p in STREAMED_PARAGRAPHS) + "</article></div>")


def test_content_a_script_streams_into_place_from_a_hidden_element_is_the_article():
    # React's streamed server rendering: the shell shows a placeholder, the content arrives in
    # `<div hidden id="S:0">` and a script moves it into place
    assert paragraphs(STREAMED) == STREAMED_PARAGRAPHS


def test_a_hidden_dialog_on_a_page_with_little_prose_stays_hidden():
    # the `hidden` attribute reveals a story's worth of prose only, not a dialog's few sentences
    forecast = "".join(f"<p>On day {day}, the weather will be dry in the north, with showers in the south.</p>"
                       for day in range(1, 7))
    html = page(f"<main><template id='B:0'></template><p>Loading…</p></main><div hidden class='dialog'>{forecast}</div>")
    index = build_page(html, "https://news.example.com/2024/03/05/budget.html").index
    assert not any("showers" in b.text for b in index.blocks)


def test_the_hidden_attribute_hides_for_good_on_a_page_that_is_not_one_story():
    # on a home or channel page such an element is one item's pop-up, not the page's content
    record = extract_article(STREAMED.encode("utf-8"), url="https://news.example.com/latest")
    assert LEDE not in record.text
    declared = STREAMED.replace("</head>", "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", "
                                           "\"headline\": \"Council approves the budget\"}</script></head>")
    assert extract_article(declared.encode("utf-8"), url="https://news.example.com/latest").paragraphs == \
        STREAMED_PARAGRAPHS


def test_a_hidden_dialog_with_less_text_than_the_story_stays_hidden():
    notice = "We use cookies to improve your visit, to measure our audience, and to show you relevant offers."
    html = page(f"<div hidden class='dialog'><p>{notice}</p><p>{notice}</p><p>{notice}</p></div>"
                f"<article><h1>Council approves the budget</h1><div class='body'><p>{LEDE}</p><p>{SECOND}</p>"
                f"<p>{THIRD}</p><p>{FOURTH}</p></div></article>")
    assert paragraphs(html) == [LEDE, SECOND, THIRD, FOURTH]


def test_a_copy_hidden_from_screen_readers_too_stays_hidden():
    # a page's Markdown source kept for machines, longer than the article it copies
    markdown = " ".join(f"[{p}](https://news.example.com/glossary/{i})" for i, p in enumerate((LEDE, SECOND, THIRD)))
    html = page(f"<pre hidden aria-hidden='true' id='raw-markdown'># Council approves the budget {markdown}</pre>"
                f"<article><h1>Council approves the budget</h1><div class='body'><p>{LEDE}</p><p>{SECOND}</p>"
                f"<p>{THIRD}</p></div></article>")
    assert paragraphs(html) == [LEDE, SECOND, THIRD]


def test_furniture_at_the_body_edges_is_trimmed():
    """A font-size widget or a wire title line before the first paragraph, and a print-edition credit,
    a bracketed note, a marked photo credit, a desk line or a trailing heading after the last one, are
    not paragraphs (zh-news-dev's clean-body rule)."""
    p1 = "受強烈大陸冷氣團影響，明天白天北部低溫約只有13、14度，南部約17到19度，明晚溫度將持續下降。"
    p2 = "中央氣象局表示，明天強烈大陸冷氣團影響，中部以北及東北部氣溫較低，其他地區早晚氣溫亦低。"
    p3 = "醫師也呼籲，天冷心血管疾病多，民眾要多注意，作好保暖工作，出門記得多穿一件外套。"
    html = page(
        "<article><h1>寒流來襲 北部低溫13度</h1><div class='body'>"
        f"<p>字級大小：</p><p>新华社北京4月24日电 题：寒流來襲</p><p>{p1}</p><p>{p2}</p><p>{p3}</p>"
        "<p>（港台新聞片段截圖）</p><p>◎照片來源：中央氣象局</p><p>《 人民日报 》（ 2024年05月10日 04 版）</p>"
        "<p>台中 嘉義 綜合報導</p><h3>熱門點閱</h3></div></article>")
    assert paragraphs(html) == [p1, p2, p3]


def test_a_short_body_keeps_its_edges():
    from parsers.html.blocks import trim_edges
    from parsers.records import Block
    short = [Block("paragraph", LEDE), Block("paragraph", "Two schools")]
    assert trim_edges(short) == short  # fewer than two prose paragraphs: nothing is trimmed
    longer = [Block("paragraph", LEDE), Block("paragraph", SECOND), Block("paragraph", "Two schools")]
    assert trim_edges(longer) == longer[:2]


def test_a_page_its_script_renders_is_read_from_noscript():
    """Forums and other script-rendered pages give readers without scripts the content in <noscript>."""
    replies = "".join(f"<p>Reply number {i} in the thread, with words, clauses, and a full stop at its end.</p>"
                      for i in range(20))
    html = ("<html><head><title>Thread title - Forum</title></head><body><div id='app'></div>"
            f"<noscript><div class='post'><h1>Thread title</h1>{replies}</div></noscript></body></html>")
    record = extract_article(html.encode(), url="https://forum.example.com/t/thread-title/123")
    assert record.is_article and record.title == "Thread title" and len(record.paragraphs) == 20


def test_noscript_fallbacks_of_a_visible_article_stay_out():
    html = page(f"<article><h1>Council approves the budget</h1><div class='body'><p>{LEDE}</p>"
                "<noscript><p>Please enable JavaScript to view the comments, and join the discussion below.</p>"
                f"</noscript><p>{SECOND}</p><p>{THIRD}</p></div></article>")
    assert paragraphs(html) == [LEDE, SECOND, THIRD]


STORY = [LEDE, SECOND, THIRD, FOURTH,
         "The budget also sets aside money for two new buses, which the transit board asked for last year.",
         "A final vote on the tax rate comes next month, when the county sends its figures to the council."]


def test_a_long_comment_thread_does_not_outweigh_the_story():
    comments = "".join(f"<p>Reader {i} said: I was at the hall, and I think the council got it right, mostly, "
                       f"though the schools should have come first; we will see in March.</p>" for i in range(60))
    html = page(f"<div class='post'><h1>Council approves the budget</h1>"
                f"<div class='entry'>{''.join(f'<p>{p}</p>' for p in STORY)}</div></div>"
                f"<div class='comments'><h3>60 comments</h3><div class='comments-content'>{comments}</div></div>")
    body = paragraphs(html)
    assert body[:len(STORY)] == STORY
    assert sum(p.startswith("Reader") for p in body) < 10  # the thread is not the body (a stray reply may join)


def test_slideshow_captions_do_not_outweigh_the_story():
    slides = "".join(f"<li><img src='/p{i}.jpg'><p>Photo {i}: council members vote on the budget in the hall, "
                     f"on Tuesday, March 5, 2024, after six hours of debate. (AP Photo/Jane Doe)</p></li>"
                     for i in range(40))
    html = page(f"<article><h1>Council approves the budget</h1><div class='entry'>"
                f"{''.join(f'<p>{p}</p>' for p in STORY)}</div>"
                f"<div class='gallery-wrap'><ul class='slideshow'>{slides}</ul></div></article>")
    assert paragraphs(html)[:len(STORY)] == STORY


def test_a_forum_thread_without_a_story_is_read_from_its_comments():
    replies = "".join(f"<p>Reply {i}: the update broke my build too, and rolling back to the old version, "
                      f"then clearing the cache, fixed it for me.</p>" for i in range(12))
    html = page(f"<h1>Build fails after the update</h1><div class='comment-list'>{replies}</div>",
                title="Build fails after the update")
    assert len(paragraphs(html)) == 12


def test_first_paragraphs_above_the_main_container_are_kept():
    # the lede sits in the article element, the rest of the story in a container of its own that holds
    # most of the text: the layout is sure of the container and the classifier vets the lede
    # (a lede of a paragraph's length: shorter lines above a sure container are not asked about)
    lede = f"{LEDE} Twelve members voted for it and three against, with two absent."
    rest = [f"{p} The council will meet again in {month} to hear how the work is going." for p, month in
            zip(STORY[2:], ("April", "May", "June", "July"))]
    html = page(f"<article><h1>Council approves the budget</h1><p>{lede}</p><p>{SECOND}</p>"
                f"<div class='release'>{''.join(f'<p>{p}</p>' for p in rest)}</div></article>")
    assert paragraphs(html) == [lede, SECOND, *rest]


def stated(html: str, text: str) -> str:
    """`html` with a JSON-LD NewsArticle whose `articleBody` is `text`."""
    ld = json.dumps({"@type": "NewsArticle", "headline": "Council approves the budget", "articleBody": text})
    return html.replace("</head>", f"<script type='application/ld+json'>{ld}</script></head>")


BOOKS = [("Drawing on the Right Side of the Brain",
          "The first book to read: it teaches you to see edges, spaces and light before you draw them."),
         ("The Natural Way to Draw",
          "An old course in figure drawing, with an exercise for every day of the year and notes on each."),
         ("Perspective for Artists",
          "A guide for landscape painters, with many plates that show how roads and rivers meet the horizon.")]


def test_sections_the_stated_article_text_holds_join_the_body():
    # the sections are shaped like a story list (a linked heading and a summary in sibling wrappers) and
    # hold too little of the text to be the body by their markup; the JSON-LD articleBody states them
    sections = "".join(f"<div class='teaser'><h4><a href='/book/{i}'>{title}</a></h4><p>{text}</p></div>"
                       for i, (title, text) in enumerate(BOOKS))
    html = page("<article><h1>Council approves the budget</h1><div class='body'>"
                f"<p>{LEDE}</p><p>{SECOND}</p><p>{THIRD}</p>{sections}<p>{FOURTH}</p></div></article>")
    assert paragraphs(html) == [LEDE, SECOND, THIRD, FOURTH]
    text = " ".join(["Council approves the budget", LEDE, SECOND, THIRD,
                     *(f"{title} {summary}" for title, summary in BOOKS), FOURTH])
    assert paragraphs(stated(html, text)) == [LEDE, SECOND, THIRD, *(summary for _, summary in BOOKS), FOURTH]


PROMO = ("Read the city's news without a paywall: our reporting is paid for by readers, and every gift, "
         "however small, keeps it free for everyone. Support us today, and cancel at any time.")
BIO = "Jane Doe has covered the city council since 2019, and writes about schools, transport and housing."
AFTER_STORY = page("<article><h1>Council approves the budget</h1><div class='body'>"
                   + "".join(f"<p class='text'>{p}</p>" for p in STORY)
                   + f"<div class='box'><p>{PROMO}</p></div><div class='author'><p>{BIO}</p></div></div></article>")


def test_what_follows_the_end_of_the_stated_article_text_leaves_the_body():
    assert paragraphs(AFTER_STORY) == [*STORY, PROMO, BIO]
    assert paragraphs(stated(AFTER_STORY, " ".join(STORY))) == STORY


@pytest.mark.parametrize("text", [
    " ".join(STORY[:2]),          # a summary: the story goes on in the same markup after it
    " ".join(STORY[:3]) + "…",    # cut short
    " ".join(STORY)[:300],        # cut short mid-paragraph
    " ".join(STORY[:1]),          # too short to be evidence
])
def test_a_stated_text_that_is_not_the_whole_article_drops_nothing(text):
    assert paragraphs(stated(AFTER_STORY, text)) == [*STORY, PROMO, BIO]


def test_the_stated_article_text_is_read_as_plain_text():
    html = stated(page("<p>Text.</p>"), f"<p>{LEDE}</p><p>{SECOND} &amp; more</p>")
    assert build_page(html, None).ld.article_body == f"{LEDE} {SECOND} & more"


CAPTION = "A heron waits for its breakfast on the frozen pond at dawn, on the first cold morning of the year."


def photo_post(head: str = "", footer: str = "", more: str = "", caption: str = CAPTION) -> str:
    """A short photo post at no telling URL: a headline, a photo and its caption, under the article
    prose a page needs to be a story."""
    return (f"<html><head><title>Morning heron | Pond Notes</title>{head}</head><body>"
            "<nav><ul><li><a href='/'>Home</a></li><li><a href='/photos'>Photos</a></li></ul></nav>"
            f"<article><h1>Morning heron</h1><div class='entry'><img src='/heron.jpg'><p>{caption}</p>{more}</div></article>"
            f"<footer><a href='/about'>About us</a> <a href='/contact'>Contact</a>{footer}</footer></body></html>")


@pytest.mark.parametrize("key", ["property='og:description'", "name='description'", "name='twitter:description'"])
def test_a_short_post_that_states_the_page_summary_is_a_story(key):
    """The text the page's body holds is its own summary: the publisher says the page is this short text."""
    record = extract_article(photo_post(f"<meta {key} content='{CAPTION}'>").encode(), url=None)
    assert record.is_article and record.paragraphs == [CAPTION]


@pytest.mark.parametrize("caption", [
    "서울 남산 위로 아침 해가 떠오르자 시민들이 첫눈 내린 산책로를 따라 천천히 걸으며 겨울 풍경을 즐기고 있다.",
    "清晨，一只苍鹭站在结冰的池塘边等待早餐。这是今年第一个寒冷的早晨，池塘四周的芦苇都挂满了白霜。",
])
def test_a_short_post_in_another_script_that_states_the_page_summary_is_a_story(caption):
    record = extract_article(photo_post(f"<meta name='description' content='{caption}'>", caption=caption).encode(),
                             url=None)
    assert record.is_article and record.paragraphs == [caption]


def test_page_text_is_compared_by_the_tokens_of_the_body_metric():
    """A Han ideograph or a kana is a token, any other word one (a Korean word too), as the benchmarks count."""
    text = "Seoul's 서울시 예산안 通过了 ひらがな Été x_1, 2024"
    assert tokens(text) == [t.casefold() for t in metric_tokens(text)]
    assert tokens("서울시 通过") == ["서울시", "通", "过"]
    assert shingles(tokens("Heron at dawn")) == [("heron", "at", "dawn")]
    assert shingles(tokens("A heron at dawn")) == [("a", "heron", "at", "dawn")]
    assert shingles([]) == []


@pytest.mark.parametrize("head, footer", [
    ("", ""),  # no summary: too little prose for a story
    ("<meta name='description' content='Photos of birds, ponds and the weather, from a garden in Kent.'>", ""),
    ("<meta name='description' content='A heron waits on the pond at dawn.'>", ""),  # too short to say much
    (f"<meta name='description' content='{CAPTION}'>", f"<p>{CAPTION}</p>"),  # the site's tagline, in the footer
])
def test_a_short_page_whose_body_is_not_its_own_summary_is_no_story(head, footer):
    record = extract_article(photo_post(head, footer).encode(), url=None)
    assert not record.is_article and record.paragraphs == []


def test_a_body_that_holds_more_than_the_summary_is_not_made_a_story_by_it():
    # a list page's intro repeats its summary, and the rest of its text is no part of it
    more = "<p>Herons ducks reeds and the ice on the pond through the winter months</p>"
    record = extract_article(photo_post(f"<meta name='description' content='{CAPTION}'>", more=more).encode(), url=None)
    assert not record.is_article and record.paragraphs == []


def test_a_short_post_beside_a_sidebar_profile_that_outweighs_it_is_read():
    # the author's profile in the sidebar holds more prose than the post, so the layout's container is the
    # profile; a container in a side region leaves the choice of blocks to the body classifier, which
    # finds the post
    bio = ("I have written about advertising for twenty years, for magazines, for agencies, and for this blog, "
           "which started as a joke and became a job. ") * 6
    posts = "".join(f"<li><a href='/2012/10/post-{i}.html'>Another post number {i}</a></li>" for i in range(6))
    html = page(
        "<div class='content'><div class='main'><h2 class='date-header'>Sunday, November 4, 2012</h2>"
        "<div class='post'><h3 class='post-title'>Council approves the budget</h3>"
        f"<div class='post-body'><p>{LEDE}</p><p>{SECOND}</p></div>"
        "<p class='post-footer'>posted by the editor at 6:43 PM</p></div></div></div>"
        f"<div class='sidebar'><div class='profile'><h4>About me</h4><p>{bio}</p></div><ul>{posts}</ul></div>")
    found = paragraphs(html)
    assert LEDE in found and SECOND in found
