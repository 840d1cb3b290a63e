"""Writers and editors: traditional-Chinese and unlabelled bylines, credits that open or close a
paragraph, metadata author values, and which source names the authors of a page."""

from __future__ import annotations

import pytest

from parsers import extract_article
from parsers.bylines import (
    is_handle, is_latin_name, is_person_name, is_post_nominal, parse_byline_credits, parse_closing_credits, parse_dateline_credits, parse_marked_byline,
)
from parsers.html.people import split_author_value
from parsers.metalines import parse_meta_line

R, C, A, P, E = "reporter", "correspondent", "author", "photographer", "editor"


def credits(line: str) -> set[tuple[str, str, str]] | None:
    found = parse_byline_credits(line)
    return None if found is None else {(a.name, a.role, s) for a, s in found}


# --- Chinese bylines ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "line, expected",
    [
        # traditional labels, a place before 報導, two names
        ("記者賴淑敏 蔣龍祥 台北報導", {("賴淑敏", R, "byline:記者"), ("蔣龍祥", R, "byline:記者")}),
        # an outlet before the label, a desk after the name
        ("【聯合晚報╱記者楊正海╱即時報導】", {("楊正海", R, "byline:記者")}),
        ("2019-03-18 23:59聯合報 記者陳嘉寧／桃園機場報導", {("陳嘉寧", R, "byline:記者")}),
        ("中青报·中青网记者 魏其濛", {("魏其濛", R, "byline:中青网记者")}),
        ("（責任編輯：陳大文）", {("陳大文", E, "byline:責任編輯")}),
        ("責編：王小明", {("王小明", E, "byline:責編")}),
        # unlabelled Taiwan/Hong Kong credits
        ("（王煌忠／台中報導）", {("王煌忠", R, "byline:報導")}),
        ("（劉利貞／綜合外電報導）", {("劉利貞", A, "byline:報導")}),
        ("新頭殼newtalk2014.10.24 金名/高雄報導", {("金名", R, "byline:報導")}),
        # after the names and a slash, a place that could pass for a name (高雄) is where the report was filed
        ("記者王小明／高雄報導", {("王小明", R, "byline:記者")}),
        ("〔記者王小明／高雄報導〕", {("王小明", R, "byline:記者")}),
        ("上報快訊／范姜佳鈺 2020年03月12日 20:19:00", {("范姜佳鈺", R, "byline:outlet/")}),
        ("（羅森）", {("羅森", A, "byline:()")}),
        # separators, pen names after 作者, translators, padded names
        ("作者︱春春", {("春春", A, "byline:作者")}),
        ("编译/林靖东", {("林靖东", A, "byline:编译")}),
        ("本报记者 王乐文 方 敏", {("王乐文", R, "byline:本报记者"), ("方敏", R, "byline:本报记者")}),
    ],
)
def test_chinese_bylines(line, expected):
    assert credits(line) == expected


@pytest.mark.parametrize(
    "line",
    ["（法新社／綜合外電報導）", "（中央社）", "作者：综合报道", "作者：本报评论员", "羅森", "新聞／體育",
     "（完）", "记者手记"],
)
def test_desks_and_organisations_name_nobody(line):
    assert not parse_byline_credits(line)


def test_traditional_surnames_are_names():
    assert is_person_name("劉利貞") and is_person_name("蔣龍祥") and is_person_name("范姜佳鈺")
    assert not is_person_name("綜合報導") and not is_person_name("聯合報")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("新华社北京5月19日电（刘艺、杨吉）中国科学院专家19日介绍。", {("刘艺", R), ("杨吉", R)}),
        ("中央社記者楊明珠台北13日電）行政院今天表示。", {("楊明珠", R)}),
        ("本报讯（记者 张三 通讯员 李四）今天，", {("张三", R), ("李四", C)}),
    ],
)
def test_dateline_credits(text, expected):
    assert {(a.name, a.role) for a, _ in parse_dateline_credits(text)} == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("咖啡豆優異，則主要作為即溶咖啡原料。（劉利貞／綜合外電報導）", {("劉利貞", A)}),
        ("已將結果發表在《自然》上。（编译/林靖东）", {("林靖东", A)}),
        ("实现“多赢”“共赢”。（钟才文）", {("钟才文", A)}),
        ("將進一步釐清死因。（王煌忠／台中報導）《蘋果》關心你", {("王煌忠", R)}),
    ],
)
def test_closing_credits(text, expected):
    assert {(a.name, a.role) for a, _ in parse_closing_credits(text)} == expected


@pytest.mark.parametrize(
    "text",
    ["院长（张三）表示，今年收入增长。", "他说。（完）", "今年增长了三成（见附表）。", "记者（张三）说。（李四）（王五）"],
)
def test_not_closing_credits(text):
    assert not parse_closing_credits(text)


def test_meta_line_opened_by_a_byline():
    meta = parse_meta_line("中青报·中青网记者 魏其濛 来源：中国青年报")
    assert meta is not None and [(a.name, a.role) for a in meta.authors] == [("魏其濛", R)]


# --- metadata author values ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, names",
    [
        ("Felix Schröder und Jörg Soldwisch, dpa", ["Felix Schröder", "Jörg Soldwisch", "dpa"]),
        ("By Samya Kullab and Vasilisa Stepanenko", ["Samya Kullab", "Vasilisa Stepanenko"]),
        ("Elena Oberholzer (obe)", ["Elena Oberholzer"]),
        ("Von Anna Sleegers", ["Anna Sleegers"]),
        ("Ana García y Luis Pérez", ["Ana García", "Luis Pérez"]),
        ("Jane Doe / John Roe", ["Jane Doe", "John Roe"]),
        ("Povilas Aleksandravičius, Mykolo Romerio universiteto fakulteto profesorius emeritus, Lrt.lt",
         ["Povilas Aleksandravičius"]),
        ("https://www.facebook.com/someone", []),
        ("j.doe@example.com", []),
        ("jane-doe", []),
        ("105092", []),
        ("admin", []),
        ("Dylan Bailey, MS, RD, FAND", ["Dylan Bailey"]),
        ("Genevieve Carlton, Ph.D.", ["Genevieve Carlton"]),
        ("Jeffrey A. Slotnick CPP, PSP", ["Jeffrey A. Slotnick"]),
        ("Jane Doe, AFP", ["Jane Doe", "AFP"]),
        ('"David Kim"', ["David Kim"]),
        ("Staff Writer", []),
        ("page.head.extra.author", []),
        ("{{ author.name }}", []),
    ],
)
def test_split_author_value(value, names):
    assert split_author_value(value) == names


def _page(head: str, body: str, url: str = "https://news.example.org/a/1") -> list[tuple[str, str]]:
    html = f"<html><head>{head}</head><body><article><h1>A headline for the story</h1>{body}</article></body></html>"
    record = extract_article(html.encode(), url=url)
    return sorted((a.name, a.role) for a in record.authors), record.provenance


_PROSE = "".join(f"<p>Paragraph {i} of the story tells what happened in the city, and why it matters.</p>"
                 for i in range(6))
_LD = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
       '"headline": "A headline for the story", "author": %s, "publisher": {"@type": "Organization", '
       '"name": "Example News"}}</script>')


def test_jsonld_authors_are_the_declared_byline():
    authors, prov = _page(_LD % '[{"@type": "Person", "name": "Jane Doe"}, {"@type": "Organization", "name": "dpa"}]'
                          + '<meta name="author" content="Someone Else">', "<p>By John Roe</p>" + _PROSE)
    assert authors == [("Jane Doe", A), ("dpa", A)]
    assert prov["authors.author"] == "jsonld.author"


def test_jsonld_author_reference_in_graph():
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
          '{"@type": "NewsArticle", "headline": "A headline for the story", "author": {"@id": "#p1"}},'
          '{"@type": "Person", "@id": "#p1", "name": "Jane Doe"}]}</script>')
    assert _page(ld, _PROSE)[0] == [("Jane Doe", A)]


def test_publisher_as_author_gives_way_to_the_visible_byline():
    authors, prov = _page(_LD % '{"@type": "Organization", "name": "Example News"}',
                          "<p>By John Roe</p>" + _PROSE)
    assert authors == [("John Roe", A)]
    assert prov["authors.author"] == "byline:By"


def test_publisher_as_author_when_nothing_else_names_anyone():
    assert _page(_LD % '{"@type": "Organization", "name": "Example News"}', _PROSE)[0] == [("Example News", A)]


def test_meta_author_variants():
    authors, prov = _page('<meta property="article:author" content="https://example.org/authors/jd">'
                          '<meta name="author" content="Jane Doe and John Roe">', _PROSE)
    assert authors == [("Jane Doe", A), ("John Roe", A)]
    assert prov["authors.author"] == "meta[author]"


def test_chinese_page_keeps_people_only():
    zh = "".join(f"<p>今年以来，全市新建改建农村公路四百二十公里，第{i}项工程已经完工。</p>" for i in range(5))
    authors, _ = _page(_LD % '{"@type": "Organization", "name": "阜新日报"}' + '<meta name="author" content="网易">',
                       "<p>本报记者 张三</p>" + zh)
    assert authors == [("张三", R)]
    authors, prov = _page(_LD % '{"@type": "Organization", "name": "阜新日报"}', zh + "<p>今年增长三成。（钟才文）</p>")
    assert authors == [("钟才文", A)]
    assert prov["authors.author"] == "credit:closing"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("〔記者王小明／台北報導〕行政院今天表示，", {("王小明", R)}),
        ("（中央社記者楊明珠台北13日電）行政院今天表示，", {("楊明珠", R)}),
        ("【記者陳小華／綜合報導】美國總統今天表示，", {("陳小華", R)}),
    ],
)
def test_opening_bracket_credits(text, expected):
    assert {(a.name, a.role) for a, _ in parse_dateline_credits(text)} == expected


@pytest.mark.parametrize("text", ["（中央社台北13日電）行政院今天表示，", "（张三）今天表示，", "（图）今天，"])
def test_openings_without_a_person(text):
    assert not parse_dateline_credits(text)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("责任编辑：钟齐鸣_NBJ11279", {("钟齐鸣", E, "byline:责任编辑")}),
        ("e公司记者 张三", {("张三", R, "byline:公司记者")}),
        ("文、圖／王小明", {("王小明", A, "byline:文、圖"), ("王小明", P, "byline:文、圖")}),
        ("文字：陳大文", {("陳大文", A, "byline:文字")}),
        ("記者 陳大文 / 攝影 林小明 台北報導", {("陳大文", R, "byline:記者"), ("林小明", P, "byline:攝影")}),
    ],
)
def test_more_chinese_bylines(line, expected):
    assert credits(line) == expected


@pytest.mark.parametrize(
    "line, expected",
    [
        ("By Jane Doe and John Smith", {("Jane Doe", A, "byline:By"), ("John Smith", A, "byline:By")}),
        ("Von: Simone Jung", {("Simone Jung", A, "byline:Von")}),
        ("von David Straub, MDR THÜRINGEN", {("David Straub", A, "byline:von")}),
        ("Von Anna Sleegers, Frankfurt", {("Anna Sleegers", A, "byline:Von")}),
        ("By Sophie Foster Travel News Reporter 11:58, 23 APR 2024", {("Sophie Foster", A, "byline:By")}),
        ("Do 25.04.24 | 14:07 Uhr | Von Eva Kirchner-Rätsch", {("Eva Kirchner-Rätsch", A, "byline:Von")}),
        ("Autor: Monika Bolliger und Anna Trechsel, Sweidah",
         {("Monika Bolliger", A, "byline:Autor"), ("Anna Trechsel", A, "byline:Autor")}),
        ("Por María R. Sahuquillo", {("María R. Sahuquillo", A, "byline:Por")}),
        ("von Dr. Max Kolter", {("Dr. Max Kolter", A, "byline:von")}),
        ("Text by Hunter Dukes", {("Hunter Dukes", A, "byline:Text by")}),
        ("Posted by Jane Doe on March 3, 2020", {("Jane Doe", A, "byline:Posted by")}),
        ("by Jane Doe » Sun Dec 14, 2008 3:22 pm", {("Jane Doe", A, "byline:by")}),
    ],
)
def test_latin_bylines(line, expected):
    assert credits(line) == expected


@pytest.mark.parametrize("line", ["By the way, this is not a byline", "Par ailleurs, le gouvernement a dit",
                                  "von der Leyen sagte am Montag", "Di Maio ha detto"])
def test_latin_sentences_are_not_bylines(line):
    assert parse_byline_credits(line) is None


def test_marked_byline_element():
    authors, prov = _page("", '<div class="entry-meta"><span class="posted-on">27. Januar 2026</span> • '
                              '<span class="byline"><span class="author vcard">Gregor Meier</span></span></div>' + _PROSE)
    assert authors == [("Gregor Meier", A)]
    assert prov["authors.author"] == "class:author"


def test_rel_author_links():
    authors, prov = _page("", '<div class="meta"><a rel="author" href="/a/1">Jane Doe</a> und '
                              '<a rel="author" href="/a/2">John Roe</a></div>' + _PROSE)
    assert authors == [("Jane Doe", A), ("John Roe", A)]
    assert prov["authors.author"] == "rel=author"


def test_bold_name_line_closing_the_body():
    og = '<meta property="og:type" content="article">'
    authors, prov = _page(og, _PROSE + "<p><strong>Jane Doe</strong></p>")
    assert authors == [("Jane Doe", A)]
    assert prov["authors.author"] == "byline:bold"
    assert _page(og, _PROSE + "<p><strong>Further Reading</strong></p>")[0] == []
    assert _page(og, _PROSE + "<h3>Jane Doe</h3>")[0] == []
    assert _page("", _PROSE + "<p><strong>Jane Doe</strong></p>")[0] == []  # not declared an article


def test_byline_with_linked_names():
    authors, prov = _page("", '<p class="meta">Von: <a href="/autor/sj">Simone Jung</a></p>' + _PROSE)
    assert authors == [("Simone Jung", A)]
    assert prov["authors.author"] == "byline:Von"


def test_organisation_typed_jsonld_author_gives_way_to_a_visible_person():
    ld = _LD % '{"@type": "Organization", "name": "Example Wire"}'
    assert _page(ld, "<p>By John Roe</p>" + _PROSE)[0] == [("John Roe", A)]
    assert _page(ld, _PROSE)[0] == [("Example Wire", A)]


def test_split_author_value_keeps_jsonld_names_that_look_like_slugs():
    assert split_author_value("t-online", slugs=False) == ["t-online"]
    assert split_author_value("Studio X d.o.o. - www.example.com") == []


@pytest.mark.parametrize(
    "ld, name",
    [
        # a WebPage's author reference, the Person in @graph (WordPress SEO plugins)
        ('{"@context": "https://schema.org", "@graph": ['
         '{"@type": "WebPage", "@id": "https://news.example.org/a/1", "name": "A headline for the story",'
         ' "author": {"@id": "https://news.example.org/#/schema/person/9"}},'
         '{"@type": "Person", "@id": "https://news.example.org/#/schema/person/9", "name": "Jane Doe"}]}', "Jane Doe"),
        # the opening post of a thread: a QAPage's Question, not its answers
        ('{"@context": "https://schema.org", "@type": "QAPage", "name": "A headline for the story", "mainEntity": '
         '{"@type": "Question", "name": "A headline for the story", "author": {"@type": "Person", "name": "raoul"},'
         ' "acceptedAnswer": {"@type": "Answer", "author": {"@type": "Person", "name": "helper"}}}}', "raoul"),
    ],
)
def test_jsonld_authors_without_an_article_object(ld, name):
    authors, prov = _page(f'<script type="application/ld+json">{ld}</script>', _PROSE)
    assert authors == [(name, A)]
    assert prov["authors.author"] == "jsonld.author"


def test_profile_link_words_after_a_name_are_cut():
    assert credits("By Sarah Lazare Twitter") == {("Sarah Lazare", A, "byline:By")}


def test_names_in_sibling_elements_and_dates_after_a_name():
    from parsers.bylines import parse_marked_byline
    assert [(a.name, s) for a, s in parse_marked_byline(
        "Von Jasper Riemann Barbara Schneider", ["Von", "Jasper Riemann", "Barbara Schneider"])] == \
        [("Jasper Riemann", "byline:Von"), ("Barbara Schneider", "byline:Von")]
    assert credits("by Cristina Laila Apr 12, 2024") == {("Cristina Laila", A, "byline:by")}


def test_jsonld_person_with_given_and_family_name():
    assert _page(_LD % '{"@type": "Person", "givenName": "Jane", "familyName": "Doe"}', _PROSE)[0] == [("Jane Doe", A)]


def test_marked_byline_with_a_prefix_and_no_person():
    from parsers.bylines import parse_marked_byline
    assert parse_marked_byline("Par AFP") is None
    assert [a.name for a, _ in parse_marked_byline("Gregor Meier")] == ["Gregor Meier"]


def test_article_object_nested_in_a_webpage():
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "WebPage", '
          '"mainEntity": {"@type": "NewsArticle", "headline": "A headline for the story", '
          '"author": {"@type": "Person", "name": "Jane Doe"}}}</script>')
    assert _page(ld, _PROSE)[0] == [("Jane Doe", A)]


@pytest.mark.parametrize(
    "text, names",
    [
        ("Mateusz Haberny Founder", ["Mateusz Haberny"]),
        ("Rasmus Barslund Founder, Lead Reviewer", ["Rasmus Barslund"]),
        ("By Jane Doe, MS, RD", ["Jane Doe"]),
        ("Written By", None),
        ("Staff Writer", None),
        ("The Author", None),
        ("View Profile", None),
        ("By Cara Dumaplin RN, BSN, Certified Pediatric Sleep Consultant", ["Cara Dumaplin"]),
    ],
)
def test_marked_bylines_drop_titles_credentials_and_bare_labels(text, names):
    found = parse_marked_byline(text)
    assert (None if found is None else [a.name for a, _ in found]) == names


def test_a_writers_portrait_is_no_photo_and_its_name_is_the_byline():
    box = ('<div class="post-hero__author"><figure class="post-hero__author__image">'
           '<img src="/img/team/winter.jpg" alt="Christian Winter"></figure>'
           '<div class="post-hero__author__name">Christian Winter</div>'
           '<p class="post-hero__author__bio">He writes about databases.</p></div>')
    record = _story_with_a_photo(box)
    assert [a.name for a in record.authors] == ["Christian Winter"]
    assert [i.src for i in record.images] == ["https://news.example.org/photos/city.jpg"]
    assert "databases" not in record.text  # the box beside the portrait is no body text


def _story_with_a_photo(box: str):
    """A story with `box` under its headline and one article photo after its text."""
    html = (f"<html><body><article><h1>A headline for the story</h1>{box}{_PROSE}"
            "<figure><img src='/photos/city.jpg' alt='The city'><figcaption>The city at night.</figcaption></figure>"
            "</article></body></html>")
    return extract_article(html.encode(), url="https://news.example.org/a/1")


def test_a_marked_byline_atop_the_body_is_read():
    html = ("<html><body><h1>A headline for the story</h1><div class='post'>"
            "<div class='post-meta'>September 1st, 2023 <span class='post-meta-author'>By Emily Norwood</span></div>"
            f"{_PROSE}</div></body></html>")
    record = extract_article(html.encode(), url="https://news.example.org/a/1")
    assert [a.name for a in record.authors] == ["Emily Norwood"]


def test_a_byline_beside_a_portrait_inside_the_body_container_is_read():
    html = ("<html><body><h1>A headline for the story</h1><div class='post'><div class='post-author'>"
            "<img src='/u/21.jpg' style='width:20px'>"
            "<span>Written by: Elise Nass</span></div>" + _PROSE + "</div></body></html>")
    record = extract_article(html.encode(), url="https://news.example.org/a/1")
    assert [a.name for a in record.authors] == ["Elise Nass"]


def test_a_link_preview_label_names_the_writer():
    head = '<meta name="twitter:label1" content="Est. reading time"><meta name="twitter:data1" content="4 minutes">' \
           '<meta name="twitter:label2" content="Written by"><meta name="twitter:data2" content="Tyler Brown">'
    authors, prov = _page(head, _PROSE)
    assert authors == [("Tyler Brown", A)]
    assert prov["authors.author"] == "meta[twitter:data2]"
    # the same pair in one meta name, as some Yoast SEO sites print it
    head = '<meta name="twitter:misc:Est. reading time" content="3 Minuten">' \
           '<meta name="twitter:misc:Written by" content="Dieter Kuckelkorn">'
    authors, prov = _page(head, _PROSE)
    assert authors == [("Dieter Kuckelkorn", A)]
    assert prov["authors.author"] == "meta[twitter:misc:Written by]"


def test_a_link_to_the_writers_page_is_a_byline():
    authors, prov = _page("", '<div class="meta"><svg></svg><span><a href="/authors/trevor-jackins">Trevor Jackins</a>'
                              '</span></div>' + _PROSE)
    assert authors == [("Trevor Jackins", A)]
    assert prov["authors.author"] == "href=author"
    # a link to a topic or a story is no byline
    assert _page("", '<div class="meta"><a href="/topics/climate-change">Climate Change</a></div>' + _PROSE)[0] == []


def test_a_byline_label_on_its_own_line_takes_the_next_line():
    authors, prov = _page("", '<div class="info"><p>Last updated</p><time>Aug 04, 2025</time></div>'
                              '<div class="info"><p>Written by</p><p>Edzel Tabing</p></div>' + _PROSE)
    assert authors == [("Edzel Tabing", A)]
    assert prov["authors.author"] == "byline:Written by"
    tags = '<h3>By</h3><div><a href="/wedding-checklists/">Wedding Checklists</a><a href="/just-engaged/">Just Engaged</a></div>'
    assert _page("", tags + _PROSE)[0] == []


def test_a_user_name_in_an_element_marked_as_the_author_is_the_writer():
    # forums and blogs print the poster's user name: one token, written unlike a word
    authors, prov = _page("", '<div class="meta"><span itemprop="author"><a href="/users/4818">KumikoGoingCrAzY</a>'
                              '</span> June 2, 2024</div>' + _PROSE)
    assert authors == [("KumikoGoingCrAzY", A)]
    assert prov["authors.author"] == "itemprop=author"
    assert all(map(is_handle, ("jsteinhardt", "paulb203", "Noah_B", "hayley.p")))
    # a capitalised or upper-case word is a wire service or a desk, a short lower-case word an agency,
    # and a placeholder names nobody
    assert not any(map(is_handle, ("Reuters", "Redaktion", "AFP", "dpa", "admin", "author")))
    # a forum post's byline: the user name after `by`, up to the separator before the date
    authors, prov = _page("", '<p class="author"><a href="#p1"><span class="sr-only">Post</span></a> by <strong>'
                              '<a class="username" href="./memberlist.php?u=72760">galitsyn</a></strong> » '
                              '<time>11. Sep 2024, 18:36</time></p>' + _PROSE)
    assert authors == [("galitsyn", A)]
    # a word that links nowhere is no user name: a brand beside the writer
    authors, _ = _page("", '<div class="authors">Von <a href="/p/jemima-kelly">Jemima Kelly</a></div>'
                           '<div class="authors"><span class="authors__brand">capital</span></div>' + _PROSE)
    assert authors == [("Jemima Kelly", A)]
    assert _page("", '<div class="authors"><span class="authors__brand">capital</span></div>' + _PROSE)[0] == []


@pytest.mark.parametrize("text", ["Podium Staff", "The Currency editors", "By the Lavazza Team", "NETGEAR Orbi Team"])
def test_a_team_credited_as_the_writer_is_one_author(text):
    found = parse_marked_byline(text)
    assert [a.name for a, _ in found] == [text.removeprefix("By ")]


def test_the_publishers_staff_is_no_repeat_of_the_publisher():
    head = '<meta property="og:site_name" content="Podium">'
    authors, _ = _page(head, '<div class="meta"><p class="authorName">Podium Staff</p></div>' + _PROSE)
    assert authors == [("Podium Staff", A)]
    # the publisher's bare name is still no writer
    assert _page(head, '<div class="meta"><p class="authorName">Podium</p></div>' + _PROSE)[0] == []


def test_an_image_whose_alt_is_the_bylined_name_is_the_writers_portrait():
    box = ('<div class="flex"><div class="size-14 rounded-full"><img alt="Preetam Jinka" src="/img/preetam.jpeg" '
           'width="400" height="400"></div><div><p>By Preetam Jinka</p><p>Co-founder</p></div></div>')
    record = _story_with_a_photo(box)
    assert [a.name for a in record.authors] == ["Preetam Jinka"]
    assert [i.src for i in record.images] == ["https://news.example.org/photos/city.jpg"]


def test_the_story_items_microdata_author_when_nothing_else_names_one():
    thread = ('<div itemscope itemtype="http://schema.org/DiscussionForumPosting"><h1>A headline for the story</h1>'
              '<div class="post"><span itemprop="author" itemscope itemtype="http://schema.org/Person">'
              '<span itemprop="name">PaulWBryant</span></span>' + _PROSE + '</div>'
              '<div itemprop="comment" itemscope itemtype="http://schema.org/Comment">'
              '<span itemprop="author" itemscope itemtype="http://schema.org/Person"><span itemprop="name">'
              'Jane Roe</span></span><p>A reply that agrees with the post above, in a sentence or two.</p></div></div>')
    record = extract_article(f"<html><body><main>{thread}</main></body></html>".encode(),
                             url="https://forum.example.org/t/1")
    assert [a.name for a in record.authors] == ["PaulWBryant"]  # not the comment's author
    assert record.provenance["authors.author"] == "microdata:author"


def test_the_first_data_author_names_the_opening_post_when_nothing_else_does():
    thread = ('<h1>A headline for the story</h1><div class="messages">'
              '<article class="message" data-author="pelex"><div class="bbWrapper">' + _PROSE + '</div></article>'
              '<article class="message" data-author="CDB"><div class="bbWrapper"><p>A reply that agrees with the '
              'post above, in a sentence or two.</p></div></article></div>')
    record = extract_article(f"<html><body><main>{thread}</main></body></html>".encode(),
                             url="https://forum.example.org/threads/1")
    assert [a.name for a in record.authors] == ["pelex"]
    assert record.provenance["authors.author"] == "data-author"


def test_the_first_user_name_before_the_body_names_the_opening_post_when_nothing_else_does():
    # phpBB: the poster's profile column precedes the post; the post's author line holds only its date
    def post(user, text):
        return (f'<div class="post"><dl class="postprofile"><dt><a href="/memberlist.php?u=1" class="username">'
                f'{user}</a></dt></dl><div class="postbody"><p class="author"><a href="#p1">Sun Dec 17, 2023 '
                f'11:23 am</a></p><div class="content">{text}</div></div></div>')
    thread = '<h1>A headline for the story</h1>' + post("b.scherer", _PROSE) + post(
        "bensimmo", "<p>A reply that agrees with the post above, in a sentence or two.</p>")
    record = extract_article(f"<html><body><main>{thread}</main></body></html>".encode(),
                             url="https://forum.example.org/viewtopic.php?t=1")
    assert [a.name for a in record.authors] == ["b.scherer"]
    assert record.provenance["authors.author"] == "class:username"


def test_a_commenters_user_name_after_the_story_is_no_writer():
    story = ('<h1>A headline for the story</h1><article>' + _PROSE + '</article><div class="comments">'
             '<a class="username" href="/u/jane_roe">jane_roe</a><p>A reply that agrees with the post above.</p></div>')
    record = extract_article(f"<html><body><main>{story}</main></body></html>".encode(),
                             url="https://blog.example.org/2024/05/a-story")
    assert record.authors == []


@pytest.mark.parametrize("text", ["Sun Dec", "Monday March", "Sat. Jan."])
def test_words_of_a_date_are_no_name(text):
    assert not is_latin_name(text)
    assert parse_marked_byline(text + " 17, 2023 11:23 am") is None


def test_a_name_ends_where_its_element_ends():
    line = ('<div class="author-line"><span class="author-label">Written By:</span> <span class="author-name">'
            '<a href="/author/celeste-longacre">Celeste Longacre</a></span> <span class="author-title">Gardener '
            '&amp; Astrologer</span></div>')
    assert _page("", line + _PROSE)[0] == [("Celeste Longacre", A)]
    assert [a.name for a, _ in parse_marked_byline("Jane Doe Gardener", ["Jane Doe", "Gardener"])] == ["Jane Doe"]


def test_a_title_line_that_opens_with_credentials_names_no_one():
    assert parse_marked_byline("RN, BSN, Certified Pediatric Sleep Consultant") is None
    assert [a.name for a, _ in parse_marked_byline("Dylan Bailey, MS, RD, FAND")] == ["Dylan Bailey"]


def test_a_forum_user_name_ends_where_its_element_ends():
    found = parse_marked_byline("StarredSkies Big Member", ["StarredSkies", "Big Member"])
    assert [a.name for a, _ in found] == ["StarredSkies"]


def test_a_reviewer_linked_in_the_byline_is_an_editor_not_the_writer():
    box = ('<div class="byline"><div class="author-info">Reviewed by <a href="/about/robert-tschudi/" '
           'class="author-link">Robert Tschudi</a></div><div class="byline-role">Expert Reviewer</div>'
           '<div class="byline-date">Updated Jun 16, 2025</div></div>')
    assert _page("", box + _PROSE)[0] == [("Robert Tschudi", "editor")]


@pytest.mark.parametrize("text", ["Expert Reviewer", "Updated Jun", "Managing Editor"])
def test_a_job_title_or_a_dates_label_is_no_name(text):
    assert parse_marked_byline(text) is None


@pytest.mark.parametrize("text", ["CEPF®", "CFP®", "CRPC™"])
def test_a_certification_mark_is_a_post_nominal(text):
    assert is_post_nominal(text)
    assert split_author_value(f"Rebecca Lake, {text}") == ["Rebecca Lake"]


def test_a_name_beside_a_date_in_a_marked_byline():
    found = parse_marked_byline("Dec 17, 2025 Julian K. Arni", ["Dec 17, 2025", "Julian K. Arni"])
    assert [a.name for a, _ in found] == ["Julian K. Arni"]
    assert parse_marked_byline("Dec 17, 2025 Read more", ["Dec 17, 2025", "Read more"]) is None
