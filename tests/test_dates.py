"""Publish dates: the formats `parsers.dates` reads, and where the HTML extractor finds a page's date.

Pages are small hand-made HTML imitating a kind of template (a blog's byline line, a news site's
header, a Taiwanese portal, a US site whose machine dates are in UTC), never copied from a real page.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest

from parsers import extract_article
from parsers.dates import (
    dates_in, find_labeled_datetime, find_labeled_datetime_with_label, parse_datetime, publish_date_in_line,
)

NOW = datetime(2024, 11, 20, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, expected", [
    # month names in other languages, day first or month first
    ("Dienstag, 29. Januar 2019", "2019-01-29"),
    ("Publié le 29 juin 2019 à 14h30", "2019-06-29T14:30:00+08:00"),
    ("17 de febrero de 2020", "2020-02-17"),
    ("17 d'abril de 2020", "2020-04-17"),
    ("06 Dicembre 2020", "2020-12-06"),
    ("29 июня 2019 г.", "2019-06-29"),
    ("10 listopada 2020", "2020-11-10"),
    ("2020. június 4.", "2020-06-04"),
    ("Sonntag, Dezember 16th, 2012, 7:05 pm", "2012-12-16T19:05:00+08:00"),
    ("Mär 12, 2018 um 12:30 PDT", "2018-03-12T12:30:00-07:00"),
    # numeric, year last: a dot means day first; a part above 12 decides
    ("Artikel veröffentlicht am 16.12.2012", "2012-12-16"),
    ("16. 12. 2012", "2012-12-16"),
    ("熱血編輯部 @ 11-22-2014", "2014-11-22"),
    ("22/11/2014", "2014-11-22"),
    ("03/04/2020", "2020-04-03"),
    # Chinese, traditional Chinese and Minguo years, Korean, Japanese weekday
    ("民國103年12月12日", "2014-12-12"),
    ("103年12月12日 10:20", "2014-12-12T10:20:00+08:00"),
    ("民國103/12/12", "2014-12-12"),
    ("2014年12月12日 週五 10:20", "2014-12-12T10:20:00+08:00"),
    ("2020년 7월 12일", "2020-07-12"),
    ("2020年7月12日(日) 10:00", "2020-07-12T10:00:00+08:00"),
    # a date printed part by part, its weekday between the day and the year
    ("Dec 13 Sat 2014 22:44", "2014-12-13T22:44:00+08:00"),
    ("Dec 13 Saturday 2014", "2014-12-13"),
    # a time in brackets, zone names and numeric offsets
    ("2014-12-17 (16:31)", "2014-12-17T16:31:00+08:00"),
    ("(2014-12-12 12:00) 午間新聞", "2014-12-12T12:00:00+08:00"),
    ("Tue Aug 25 2020 00:23:33 GMT+0000 (Coordinated Universal Time)", "2020-08-25T00:23:33+00:00"),
    ("2020-01-01 10:00 UTC+8", "2020-01-01T10:00:00+08:00"),
    ("2024-11-03 10:55 CST", "2024-11-03T10:55:00+08:00"),  # CST: China or US Central, so the default
])
def test_formats(text, expected):
    assert parse_datetime(text, now=NOW) == expected


def test_month_first_reads_only_the_undecidable_dates_month_first():
    assert parse_datetime("03/04/2020", month_first=True) == "2020-03-04"
    assert parse_datetime("22/11/2014", month_first=True) == "2014-11-22"
    assert parse_datetime("03.04.2020", month_first=True) == "2020-04-03"


def test_no_date_in_words_and_numbers():
    for text in ("2 hours ago 2020", "Seit 2012 im Amt", "第103期", "10 Mai", "version 2.0.2012a"):
        assert parse_datetime(text, now=NOW) is None, text


def test_dates_in_and_the_publish_date_of_a_line():
    assert [d for d, _, _ in dates_in("2024-11-03 10:55 来源 2024-11-04")] == [
        "2024-11-03T10:55:00+08:00", "2024-11-04"]
    assert publish_date_in_line("Aktualisiert: 29.04.2024 | Erstellt: 28.04.2024")[0] == "2024-04-28"
    assert publish_date_in_line("Published 8 Nov 2023, updated 9 Nov 2023")[0] == "2023-11-08"
    assert publish_date_in_line("Updated 9 Nov 2023")[0] == "2023-11-09"  # the only date there is


# --- where a page's date is found -----------------------------------------------------------------

EN_BODY = "".join(
    f"<p>{s}</p>" for s in (
        "The city council approved the new budget on Tuesday after a long debate about school funding.",
        "Members argued for hours over how much money should go to repairs of old buildings downtown.",
        "The mayor said the plan balances the needs of families with the limits of the city's revenue.",
    ))
EN_SIDEBAR = ("<aside class='sidebar'><h3>Most read</h3><ul>"
              + "".join(f"<li><a href='/n/{i}'>Another story number {i}</a> <span>October {i}, 2024</span></li>"
                        for i in range(1, 6)) + "</ul></aside>")


def en_page(header: str, *, head: str = "", url: str | None = "https://news.example.com/story/budget",
            lang: str = "en", after: str = ""):
    html = (f"<!DOCTYPE html><html lang='{lang}'><head><title>Council passes budget</title>{head}</head><body>"
            f"{EN_SIDEBAR}<article><h1>Council passes budget</h1>{header}<div class='body'>{EN_BODY}</div>"
            f"{after}</article></body></html>")
    return extract_article(html.encode("utf-8"), url=url, now=NOW)


@pytest.mark.parametrize("header, expected", [
    ("<div class='byline'>By Jane Doe | November 8, 2023</div>", "2023-11-08"),
    ("<p class='meta'>Par Jeanne Dupont · 27 juin 2019</p>", "2019-06-27"),
    ("<div class='date'>Dienstag, 29. Januar 2019</div>", "2019-01-29"),
    ("<p>Erschienen 28.04.2024, aktualisiert am 29.04.2024</p>", "2024-04-28"),
])
def test_a_short_dated_line_under_the_headline(header, expected):
    r = en_page(header)
    assert (r.published_at, r.provenance["published_at"]) == (expected, "text:dated-line")


def test_a_sentence_that_mentions_a_date_is_not_a_dated_line():
    r = en_page("<p class='lead'>On 2 December 2014, more than a month after the vote, the council "
                "published the first report on the state of the city's schools and roads.</p>")
    assert r.published_at is None


# --- what the page declares for machines --------------------------------------------------------

def ld(obj: str, wrap: str = "{}") -> str:
    return "<script type='application/ld+json'>" + wrap.replace("{}", obj) + "</script>"


def test_json_ld_in_a_cdata_section():
    r = en_page("", head=ld('{"@type": "NewsArticle", "datePublished": "2015-10-15T02:19:15+02:00"}',
                            "<![CDATA[ {} ]]>")
                + "<meta property='article:published_time' content='2015-12-11T14:28:34+02:00'>")
    assert (r.published_at, r.provenance["published_at"]) == ("2015-10-15T02:19:15+02:00", "jsonld.datePublished")


def test_json_ld_of_another_type_and_not_a_nested_date():
    r = en_page("", head=ld('{"@type": "ClaimReview", "itemReviewed": {"@type": "Claim", '
                            '"datePublished": "2024-05-07"}, "datePublished": "2024-05-13 15:44"}'))
    assert (r.published_at, r.provenance["published_at"]) == ("2024-05-13T15:44:00+08:00", "jsonld.datePublished")


def test_a_date_pair_in_json_that_does_not_parse():
    r = en_page("", head=ld('{"@type": "NewsArticle", "headline": "a "quoted" word", '
                            '"datePublished": "2020-10-26T18:10:00+01:00"}'))
    assert (r.published_at, r.provenance["published_at"]) == ("2020-10-26T18:10:00+01:00", "json:datePublished")


def test_more_date_metas_and_parsely():
    r = en_page("", head="<meta name='citation_publication_date' content='2019/07/30'>")
    assert (r.published_at, r.provenance["published_at"]) == ("2019-07-30", "meta[citation_publication_date]")
    r = en_page("", head="<meta name='parsely-page' content='{\"title\": \"x\", \"pub_date\": \"2024-04-20T04:20:00Z\"}'>")
    assert (r.published_at, r.provenance["published_at"]) == ("2024-04-20T04:20:00+00:00", "meta[parsely-page]")


def test_microdata_on_an_element():
    r = en_page("<p class='info'>By Jane Doe <span itemprop='datePublished' content='2020-12-06T00:15:00+01:00'>"
                "</span></p>")
    assert (r.published_at, r.provenance["published_at"]) == ("2020-12-06T00:15:00+01:00", "itemprop[datePublished]")


# --- a UTC value and the page's own day ---------------------------------------------------------

UTC_LD = ld('{"@type": "NewsArticle", "datePublished": "2023-11-09T03:28:35Z"}')


def test_utc_value_takes_the_offset_of_a_local_clock_for_the_same_moment():
    r = en_page("", head=UTC_LD + "<meta name='sailthru.date' content='2023-11-08 22:28:35'>")
    assert (r.published_at, r.provenance["published_at"]) == ("2023-11-08T22:28:35-05:00", "jsonld.datePublished+local")


def test_utc_value_and_the_same_moment_in_a_time_tag():
    r = en_page("", head=UTC_LD, after="<footer><time datetime='2023-11-08T19:28:35-08:00'>Nov 8</time></footer>")
    assert r.published_at == "2023-11-08T19:28:35-08:00"


def test_utc_value_and_the_day_of_the_url():
    r = en_page("", head=UTC_LD, url="https://news.example.com/2023/11/08/budget/")
    assert (r.published_at, r.provenance["published_at"]) == ("2023-11-08", "jsonld.datePublished+local")


def test_utc_value_kept_when_the_page_shows_its_day_or_no_offset_explains_the_other():
    r = en_page("<p class='date'>November 9, 2023</p>", head=UTC_LD,
                url="https://news.example.com/2023/11/08/budget/")
    assert r.published_at == "2023-11-09T03:28:35+00:00"
    late = ld('{"@type": "NewsArticle", "datePublished": "2024-08-04T13:23:00Z"}')
    r = en_page("<p class='date'>5 August 2024</p>", head=late)  # +10:37 would be needed: an update's day
    assert r.published_at == "2024-08-04T13:23:00+00:00"


# --- what the page shows ------------------------------------------------------------------------

def test_time_tags_of_embedded_posts_are_not_the_story_date():
    tweet = ("<blockquote class='twitter-tweet'><p>A post about the vote.</p>"
             "<time datetime='2018-03-12T19:30:12+00:00'>Mar 12, 2018</time></blockquote>")
    r = en_page("", after=f"<div class='body'>{tweet}</div><div class='byline'>"
                          "<time datetime='2019-01-29T10:00:00+01:00'>Jan 29</time></div>")
    assert (r.published_at, r.provenance["published_at"]) == ("2019-01-29T10:00:00+01:00", "time[datetime]")


def test_a_date_line_closing_the_body():
    r = en_page("", after="<p>(2014-12-12 12:00) Noon News</p>")
    assert (r.published_at, r.provenance["published_at"]) == ("2014-12-12T12:00:00+08:00", "text:body-edge")


def test_a_labelled_date_just_after_the_article_but_not_in_the_story_list():
    html = ("<html><head><title>t</title></head><body><div class='box'><div class='title'>Council passes budget</div>"
            f"<div class='content'>{EN_BODY}</div></div><div class='tags'><a href='/t/1'>budget</a></div>"
            "<div class='aside'>Date: 2019-09-24 17:08</div><h3>Related</h3>"
            "<ul><li><a href='/a/1'>Another story about the budget</a> Date: 2019-09-01</li></ul></body></html>")
    r = extract_article(html.encode(), url="https://news.example.com/a?id=1", now=NOW)
    assert (r.published_at, r.provenance["published_at"]) == ("2019-09-24T17:08:00+08:00", "text:Date")


ZH_BODY = "".join(f"<p>{s}</p>" for s in (
    "中風年齡越來越年輕，一名十四歲的學生今年初在學校突然昏倒，送醫後診斷是腦溢血，家屬懷疑與飲食有關。",
    "醫師表示，四十五歲以下的年輕型中風發生率約為百分之十二，這種疾病通常沒有前兆，提醒民眾注意。",
    "衛生單位也提醒，規律運動、均衡飲食與定期健康檢查，是預防心血管疾病最重要的三件事情。",
))


def zh_tw_page(body: str):
    html = f"<html lang='zh-TW'><head><title>中風年輕化</title></head><body>{body}</body></html>"
    return extract_article(html.encode("utf-8"), url="http://news.example.tw/detail.php?id=1", now=NOW)


def test_traditional_chinese_labels_and_a_date_written_as_a_link():
    r = zh_tw_page(f"<h1>中風年輕化</h1><p class='dateline'>時間：<a href='/day/20141202'>2014/12/02 13:08</a></p>"
                   f"<div class='content'>{ZH_BODY}</div>")
    assert (r.published_at, r.provenance["published_at"]) == ("2014-12-02T13:08:00+08:00", "text:時間")


def test_minguo_date_under_the_headline():
    r = zh_tw_page(f"<h1>中風年輕化</h1><p>民國103年12月12日 週五</p><div class='content'>{ZH_BODY}</div>")
    assert (r.published_at, r.provenance["published_at"]) == ("2014-12-12", "text:dated-line")


def test_a_dated_line_above_the_article_when_no_headline_is_found():
    r = zh_tw_page("<table><tr><td class='head'>2014-12-17 (16:31)</td></tr>"
                   f"<tr><td class='text'>{ZH_BODY}</td></tr></table>")
    assert r.published_at == "2014-12-17T16:31:00+08:00"


def test_a_byline_date_line_at_the_start_or_the_end_of_the_body():
    r = en_page("", after="<p class='entry-meta'>Author: jane | Published on 16.12.2012</p>")
    assert (r.published_at, r.provenance["published_at"]) == ("2012-12-16", "text:Published")
    r = en_page("", after="<p class='entry-meta'>Jane Doe | 16.12.2012 | 3 comments</p>")
    assert (r.published_at, r.provenance["published_at"]) == ("2012-12-16", "text:body-edge")
    r = en_page("", after="<p>jeudi 13 juin 2019</p>")
    assert r.published_at == "2019-06-13"


def test_a_short_closing_sentence_with_a_date_is_not_the_story_date():
    r = en_page("", after="<p>The trial begins on 12 March 2024.</p>")
    assert r.published_at is None


def test_a_bare_date_above_the_headline_in_a_date_marked_element_of_the_article():
    html = ("<html><head><title>Council passes budget</title></head><body><div class='top'>20 November 2024</div>"
            "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
            "<article><div class='article-date'>30.07.2019</div><h1>Council passes budget</h1>"
            f"<div class='body'>{EN_BODY}</div></article></body></html>")
    r = extract_article(html.encode(), url="https://news.example.com/a?id=1", now=NOW)
    assert (r.published_at, r.provenance["published_at"]) == ("2019-07-30", "text:date")
    bare = html.replace("<div class='article-date'>30.07.2019</div>", "")
    assert extract_article(bare.encode(), url="https://news.example.com/a?id=1", now=NOW).published_at is None


def test_a_date_marked_by_a_camel_case_class_name():
    # a CSS module's class: `styles_dateAndAuthorContainer__JAvHP` names a date in its camel-case words
    html = ("<html><head><title>Council passes budget</title></head><body><article>"
            "<div class='styles_dateAndAuthorContainer__JAvHP'><span>Dec 17, 2023</span><span>Julian Arni</span></div>"
            f"<h1>Council passes budget</h1><div class='body'>{EN_BODY}</div></article></body></html>")
    r = extract_article(html.encode(), url="https://news.example.com/a?id=1", now=NOW)
    assert r.published_at == "2023-12-17"
    unmarked = html.replace("styles_dateAndAuthorContainer__JAvHP", "styles_container__JAvHP")
    assert extract_article(unmarked.encode(), url="https://news.example.com/a?id=1", now=NOW).published_at is None


def test_meta_keys_compared_without_separators():
    r = en_page("", head="<meta property='article:published:time' content='2024-10-23T15:48:15+02:00'>")
    assert (r.published_at, r.provenance["published_at"]) == ("2024-10-23T15:48:15+02:00", "meta[article:published:time]")


def test_an_info_line_of_short_fields():
    r = en_page("<p class='tagline'>22/11/2020 - 04:30 - Agência Brasil - Photo by Cesar Greco of Palmeiras</p>")
    assert (r.published_at, r.provenance["published_at"]) == ("2020-11-22T04:30:00+08:00", "text:dated-line")


def test_two_names_for_one_month():
    assert parse_datetime("تم نشره الجمعة 24 نيسان / أبريل 2020") == "2020-04-24"


LIST = ("<ul>" + "".join(f"<li><a href='/a/{i}'>Headline of the listed story number {i} today</a>"
                         f"<span class='date'>2024-10-{10 + i}</span></li>" for i in range(12)) + "</ul>")


def test_a_page_that_is_not_a_story_gets_its_declared_date_and_never_one_from_its_text():
    html = f"<html><head><title>News</title>{{}}</head><body><h1>Latest news</h1>{LIST}</body></html>"
    r = extract_article(html.format("").encode(), url="https://news.example.com/latest/", now=NOW)
    assert not r.is_article and r.published_at is None
    r = extract_article(html.format("<meta property='article:published_time' content='2024-11-03'>").encode(),
                        url="https://news.example.com/latest/", now=NOW)
    assert (r.published_at, r.provenance["published_at"]) == ("2024-11-03", "meta[article:published_time]")
    r = extract_article(html.format("").encode(), url="https://news.example.com/2024/11/03/photos/", now=NOW)
    assert (r.published_at, r.provenance["published_at"]) == ("2024-11-03", "url")


def test_a_longer_line_stamping_the_story_with_a_date_and_a_time_after_the_body():
    stamp = ("This article was written on 14 December 2015 at 14:48 by Heiner and filed under Arduino, "
             "infrared LED, robot vacuum and home automation projects.")
    r = en_page("", after=f"<div class='post-footer'>{stamp}</div>")
    assert (r.published_at, r.provenance["published_at"]) == ("2015-12-14T14:48:00+08:00", "text:body-edge")
    r = en_page("", after=f"<div class='post-footer'>{stamp.replace(' at 14:48', '')}</div>")
    assert r.published_at is None


HTMLDATE_META = "<meta name='five_hundred_pixels:uploaded' content='2013-02-16T04:36:36-05:00'>"


def test_htmldate_when_nothing_else_dates_the_story():
    r = en_page("", head=HTMLDATE_META)
    assert (r.published_at, r.provenance["published_at"]) == ("2013-02-16", "htmldate")


def test_htmldate_refused_outside_the_url_month_and_for_a_list_or_sentence_day():
    r = en_page("", head=HTMLDATE_META, url="https://news.example.com/news/2011/12/budget/")
    assert r.published_at is None
    r = en_page("", after="<p>The trial begins on 12 March 2024.</p>")  # htmldate reads it: a sentence
    assert r.published_at is None
    r = en_page("")  # htmldate finds the sidebar's October dates: a story list
    assert r.published_at is None


def test_a_page_that_is_not_a_story_is_not_dated_by_htmldate():
    html = f"<html><head><title>News</title>{HTMLDATE_META}</head><body><h1>Latest news</h1>{LIST}</body></html>"
    r = extract_article(html.encode(), url="https://news.example.com/latest/", now=NOW)
    assert not r.is_article and r.published_at is None


def test_a_scripted_shell_is_dated_from_its_markup_by_htmldate():
    html = f"<html><head><title>Spring in China</title>{HTMLDATE_META}</head><body><div id='app'></div></body></html>"
    r = extract_article(html.encode(), url="https://photos.example.com/photo/26034451/spring", now=NOW)
    assert not r.is_article
    assert (r.published_at, r.provenance["published_at"]) == ("2013-02-16", "htmldate")


def test_htmldate_day_shown_in_a_short_line_whose_date_is_a_link():
    r = en_page("", head=HTMLDATE_META, after="<p class='entry-top'><a href='/2013/02/16'>16 February 2013</a> | "
                                              "<a href='/c/photo'>Photos</a></p>")
    assert r.published_at == "2013-02-16"


def test_htmldate_january_first_for_a_lone_year_is_refused():
    html = (f"<html><head><title>Council passes budget</title></head><body><article><h1>Council passes budget</h1>"
            f"<div class='body'>{EN_BODY}</div></article><footer><p>Copyright 2016 The City Gazette</p></footer>"
            "</body></html>")
    r = extract_article(html.encode(), url="https://news.example.com/a?id=1", now=NOW)
    assert r.published_at is None  # htmldate answers 2016-01-01


def test_htmldate_day_shown_only_in_comments_is_refused():
    comments = "".join(f"<div class='comment'><div class='comment-head'>1{i}. Jul, 2012 / Reader {i} says:</div>"
                       f"<p>I agree with the council, thanks for the report number {i}.</p></div>" for i in range(3))
    html = (f"<html><head><title>Council passes budget</title></head><body><article><h1>Council passes budget</h1>"
            f"<div class='body'>{EN_BODY}</div></article><section id='comments'>{comments}</section></body></html>")
    r = extract_article(html.encode(), url="https://news.example.com/a?id=1", now=NOW)
    assert r.published_at is None  # htmldate answers 2012-07-10, the first comment's day


def test_a_weekday_between_the_label_and_the_date():
    assert find_labeled_datetime("Posted on Wednesday, July 4, 2012, at 11:44 am.") == "2012-07-04T11:44:00+08:00"


def test_a_story_marked_comments_open_is_no_comment():
    html = (f"<html><head><title>Council passes budget</title></head><body><div class='post type-post comments-open'>"
            f"<h1>Council passes budget</h1><div class='entry'>{EN_BODY}</div>"
            "<p class='post-meta'>Posted on November 5th, 2012 - By Staff</p></div></body></html>")
    r = extract_article(html.encode(), url="https://news.example.com/a?id=1", now=NOW)
    assert r.published_at == "2012-11-05"


def test_undecidable_numeric_dates_on_a_us_page_or_before_a_us_zone_are_month_first():
    assert parse_datetime("By Jane Doe on 11/12/2012 11:22 PST") == "2012-11-12T11:22:00-08:00"
    assert parse_datetime("By Jane Doe on 11/12/2012 11:22") == "2012-12-11T11:22:00+08:00"
    r = en_page("<p class='byline'>By Jane Doe | 03/04/2020</p>", lang="en-US")
    assert r.published_at == "2020-03-04"
    r = en_page("<p class='byline'>By Jane Doe | 03/04/2020</p>", lang="en-GB")
    assert r.published_at == "2020-04-03"


BLOG_P1 = "今天去了一趟郊外，天气很好，山上的枫叶已经红了一大半，拍了不少照片，回来整理了一下放在这里。"
BLOG_P2 = "路上遇到几位老朋友，一起喝了茶，聊了很久，直到傍晚才回家。下次打算带孩子们一起去看看。"
BLOG_P3 = "回来的路上有点堵车，不过心情一直很好，晚上还做了一顿好吃的，算是给这个周末画上了句号。"


@pytest.mark.parametrize("line, date, label", [
    ("发表于 2012-5-3 10:21", "2012-05-03T10:21:00+08:00", "发表于"),
    ("發表於 2012-05-03", "2012-05-03", "發表於"),
    ("发帖时间：2012-05-03 10:21", "2012-05-03T10:21:00+08:00", "发帖时间"),
])
def test_a_blog_or_forum_posted_at_label(line, date, label):
    assert find_labeled_datetime_with_label(line) == (date, label)
    html = ("<html><head><meta charset='utf-8'><title>秋天的郊外_老王的博客</title></head><body><div class='post'>"
            f"<h2 class='title'>秋天的郊外</h2><div class='meta'>作者：老王 | {line} | 分类：随笔</div>"
            f"<div class='content'><p>{BLOG_P1}</p><p>{BLOG_P2}</p><p>{BLOG_P3}</p></div></div></body></html>")
    r = extract_article(html.encode(), url="http://blog.example.cn/u/123/post?id=9", now=NOW)
    assert (r.published_at, r.provenance["published_at"]) == (date, f"text:{label}")
    assert [(a.name, a.role) for a in r.authors] == [("老王", "author")]


def test_posted_at_inside_a_sentence_is_no_label():
    assert find_labeled_datetime_with_label("该论文发表于2012年5月3日的《自然》杂志上") is None


def test_a_page_htmldate_cannot_parse_logs_nothing():
    """htmldate, the last date rule, logs its own parse failures at ERROR; for newsduck they only mean no date
    from it, so they must not reach the handlers a run's console has (the root logger's), whatever level another
    library gives htmldate's logger."""
    reached: list[logging.LogRecord] = []
    console = logging.Handler()
    console.emit = reached.append
    root, htmldate = logging.getLogger(), logging.getLogger("htmldate")
    level = htmldate.level
    htmldate.setLevel(logging.WARNING)  # as another library may set it (trafilatura does, on import)
    root.addHandler(console)
    try:
        extract_article(b"<p>hello</p>", url="https://example.com/b.html")
    finally:
        root.removeHandler(console)
        htmldate.setLevel(level)
    assert [r.getMessage() for r in reached if r.name.startswith("htmldate")] == []
