"""sources.toml: a valid file parses into typed dataclasses; every kind of mistake is one clear message
naming the source and the field, and nothing is returned."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flows.sources import (EPAPER, SITE, Source, SourcesError, StartUrl, adhoc_source, cron_problem, find_source,
                           guess_start_kind, load_sources, parse_sources, source_from_dict, sources_path)

REPO = Path(__file__).parent.parent

VALID = """
[[source]]
name = "fxnews"
start_urls = [
  { url = "https://www.FXnews.cn/list/index.html#top", kind = "list" },
  { url = "https://www.fxnews.cn/rss.xml", kind = "feed" },
  { url = "https://www.fxnews.cn/sitemap_index.xml", kind = "sitemap" },
]
include = ["/content/*/content_*.html", "re:/c/\\\\d+\\\\.html$"]
exclude = ["*/print/*"]
allowed_hosts = ["img.fxnews.cn", "*.fxnews.com.cn"]
max_pages = 500
max_list_pages = 5
schedule = "0 */2 * * *"
timezone = "Asia/Shanghai"
rate = 2
concurrency = 1
use_robots_sitemaps = false

[[source]]
name = "阜新日报"
kind = "epaper"
edition_url = "https://epaper.fxrb.cn/html/{yyyy}-{mm}/{dd}/node_1.htm"
min_delay = 0.5
"""


def parse(text: str) -> list[Source]:
    return parse_sources(textwrap.dedent(text), origin="sources.toml")


def test_valid_file_parses_into_typed_dataclasses():
    site, epaper = parse(VALID)
    assert site == Source(
        name="fxnews", kind=SITE,
        start_urls=(StartUrl("https://www.fxnews.cn/list/index.html", "list"),
                    StartUrl("https://www.fxnews.cn/rss.xml", "feed"),
                    StartUrl("https://www.fxnews.cn/sitemap_index.xml", "sitemap")),
        include=("/content/*/content_*.html", r"re:/c/\d+\.html$"), exclude=("*/print/*",),
        allowed_hosts=("img.fxnews.cn", "*.fxnews.com.cn"), max_pages=500, max_list_pages=5,
        schedule="0 */2 * * *", timezone="Asia/Shanghai", min_delay=0.5, concurrency=1, use_robots_sitemaps=False,
    )
    assert site.hosts == ("www.fxnews.cn", "img.fxnews.cn", "*.fxnews.com.cn")
    assert epaper.name == "阜新日报" and epaper.kind == EPAPER and epaper.is_epaper
    assert epaper.edition_url == "https://epaper.fxrb.cn/html/{yyyy}-{mm}/{dd}/node_1.htm"
    assert epaper.min_delay == 0.5 and epaper.max_pages is None and epaper.use_robots_sitemaps is True
    assert epaper.hosts == ("epaper.fxrb.cn",)
    assert epaper.start_urls == () and epaper.schedule is None


def test_a_source_survives_the_round_trip_through_a_flow_parameter():
    for source in parse(VALID):
        assert source_from_dict(source.to_dict()) == source
    adhoc = adhoc_source("http://127.0.0.1:8000/list/index.html")
    assert source_from_dict(adhoc.to_dict()) == adhoc


# (toml, field named in the message, words the message must contain)
MISTAKES = [
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\nmax_page = 3\n',
     "max_page", "unknown field"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\nmax_pages = "10"\n',
     "max_pages", "whole number"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\nmax_pages = true\n',
     "max_pages", "whole number"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\nmax_pages = 0\n',
     "max_pages", "at least 1"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\nschedule = "61 * * * *"\n',
     "schedule", "cron"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\nschedule = "0 6 * *"\n',
     "schedule", "5 fields"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\ntimezone = "Mars/Olympus"\n',
     "timezone", "time zone"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "ftp://a.cn/", kind = "list" }]\n',
     "start_urls[1].url", "http(s) URL"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }, { url = "https://a.cn:99999/", kind = "list" }]\n',
     "start_urls[2].url", "port"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "page" }]\n',
     "start_urls[1].kind", "not one of"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/" }]\n',
     "start_urls[1].kind", "missing"),
    ('[[source]]\nname = "a"\nstart_urls = ["https://a.cn/"]\n',
     "start_urls[1]", "give the kind"),
    ('[[source]]\nname = "a"\n', "start_urls", "missing"),
    ('[[source]]\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\n', "name", "missing"),
    ('[[source]]\nname = "a b"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\n', "name", "letters"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\n'
     '[[source]]\nname = "a"\nstart_urls = [{ url = "https://b.cn/", kind = "list" }]\n', "name", "duplicate"),
    ('[[source]]\nname = "a"\nkind = "epaper"\n', "edition_url", "missing"),
    ('[[source]]\nname = "a"\nkind = "epaper"\nedition_url = "https://e.cn/html/{yyyy}-{mm}/node_1.htm"\n',
     "edition_url", "day token"),
    ('[[source]]\nname = "a"\nkind = "epaper"\nedition_url = "https://e.cn/html/{yyyy}-{month}/{dd}/node_1.htm"\n',
     "edition_url", "unknown token"),
    ('[[source]]\nname = "a"\nkind = "epaper"\nedition_url = "e.cn/html/{yyyy}-{mm}/{dd}/node_1.htm"\n',
     "edition_url", "http(s) URL"),
    ('[[source]]\nname = "a"\nkind = "newspaper"\n', "kind", "not one of"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\nrate = 2\nmin_delay = 1\n',
     "rate", "not both"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\nrate = 0\n',
     "rate", "more than 0"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\nrate = 1e-9\n',
     "rate", "never end"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\nmin_delay = 1e12\n',
     "min_delay", "never end"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\ninclude = "/content/*"\n',
     "include", "array of strings"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\ninclude = ["re:(unclosed"]\n',
     "include", "regular expression"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\nallowed_hosts = ["https://b.cn/"]\n',
     "allowed_hosts", "not a URL"),
    ('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "list" }]\nuse_robots_sitemaps = "yes"\n',
     "use_robots_sitemaps", "true or false"),
]


@pytest.mark.parametrize("text, field_name, words", MISTAKES, ids=[f"{m[1]}:{m[2]}" for m in MISTAKES])
def test_each_mistake_is_one_message_naming_source_and_field(text, field_name, words):
    with pytest.raises(SourcesError) as caught:
        parse(text)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("sources.toml: ")
    assert f'field "{field_name}"' in message
    assert words in message
    if 'name = "a"' in text:
        assert 'source "a"' in message


def test_the_message_names_the_source_that_is_wrong_not_the_first_one():
    text = VALID + '\n[[source]]\nname = "third"\nstart_urls = [{ url = "https://c.cn/", kind = "list" }]\nmax_pages = -1\n'
    with pytest.raises(SourcesError, match=r'source "third" \(\[\[source\]\] #3\): field "max_pages"'):
        parse(text)


@pytest.mark.parametrize("text, words", [
    ("[[source]\nname = 'a'\n", "not valid TOML"),
    ("", "no sources"),
    ('title = "x"\n[[source]]\nname = "a"\n', 'unknown top-level key "title"'),
    ('[source]\nname = "a"\n', "array of tables"),
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
])
def test_file_level_mistakes(text, words):
    with pytest.raises(SourcesError, match=words.replace("(", r"\(")):
        parse(text)


def test_load_sources_names_the_file(tmp_path):
    with pytest.raises(SourcesError, match="no such file"):
        load_sources(tmp_path / "missing.toml")
    path = tmp_path / "s.toml"
    path.write_text('[[source]]\nname = "a"\nstart_urls = [{ url = "https://a.cn/", kind = "lst" }]\n', encoding="utf-8")
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    assert str(caught.value).startswith(f'{path}: source "a"')


def test_the_example_file_is_valid():
    sources = load_sources(REPO / "sources.example.toml")
    assert sources and any(s.is_epaper for s in sources) and any(not s.is_epaper for s in sources)


def test_sources_path_prefers_option_then_environment(monkeypatch):
    monkeypatch.delenv("NEWSDUCK_SOURCES", raising=False)
    assert sources_path(None) == Path("sources.toml")
    monkeypatch.setenv("NEWSDUCK_SOURCES", "/etc/newsduck/sources.toml")
    assert sources_path(None) == Path("/etc/newsduck/sources.toml")
    assert sources_path("mine.toml") == Path("mine.toml")


def test_find_source_lists_the_names_it_knows():
    sources = parse(VALID)
    assert find_source(sources, "fxnews").name == "fxnews"
    with pytest.raises(SourcesError, match="fxnews, 阜新日报"):
        find_source(sources, "nope")


def test_adhoc_source_guesses_the_start_kind():
    source = adhoc_source("http://127.0.0.1:8000/list/index.html#x")
    assert source.name == "127.0.0.1:8000"
    assert source.start_urls == (StartUrl("http://127.0.0.1:8000/list/index.html", "list"),)
    assert guess_start_kind("https://a.cn/sitemap.xml") == "sitemap"
    assert guess_start_kind("https://a.cn/sitemap.xml.gz") == "sitemap"
    assert guess_start_kind("https://a.cn/rss.xml") == "sitemap"  # feed or sitemap: the content decides
    assert guess_start_kind("https://a.cn/news/") == "list"


@pytest.mark.parametrize("expression, ok", [
    ("0 */2 * * *", True), ("30 7 * * 1-5", True), ("0 8 1,15 * *", True), ("0 6 * jan-mar mon", True),
    ("@daily", True), ("61 * * * *", False), ("* 24 * * *", False), ("* * 0 * *", False), ("* * * 13 *", False),
    ("*/0 * * * *", False), ("a * * * *", False), ("* * * *", False), ("H * * * *", False),
])
def test_cron_validation(expression, ok):
    assert (cron_problem(expression) is None) is ok
