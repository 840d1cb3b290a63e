"""Publish dates: the formats `parsers.dates` reads, and where the HTML extractor finds a page's date.

Pages are small hand-made HTML imitating a kind of template (a blog's byline line, a news site's
header, a Taiwanese portal, a US site whose machine dates are in UTC), never copied from a real page.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from parsers import extract_article
from parsers.dates import dates_in, parse_datetime, publish_date_in_line

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
    ("<p>Veröffentlicht am 28.04.2024, aktualisiert am 29.04.2024</p>", "2024-04-28"),
])
def test_a_short_dated_line_under_the_headline(header, expected):
    r = en_page(header)
    assert (r.published_at, r.provenance["published_at"]) == (expected, "text:dated-line")


def test_a_sentence_that_mentions_a_date_is_not_a_dated_line():
    r = en_page("<p class='lead'>On 2 December 2014, more than a month after the vote, the council "
                "published the first report on the state of the city's schools and roads.</p>")
    assert r.published_at is None
