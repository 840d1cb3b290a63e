"""parsers.urls: canonical URLs, de-dup keys, host scope and include/exclude patterns."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.urls import canonicalize_url, dedup_key, host_of, matches_patterns, same_site

from conftest import FIXTURES

BASE = "http://127.0.0.1:8000"
SITE_GOLD = json.loads((FIXTURES / "site" / "site-gold.json").read_text(encoding="utf-8"))


def test_fragment_link_canonicalizes_to_gold_normalized_url():
    for link in SITE_GOLD["fragment_links"]:
        assert canonicalize_url(link["href"], BASE + link["linked_from"]) == BASE + link["normalized"]


def test_gold_urls_are_already_canonical():
    urls = SITE_GOLD["expected_article_urls"] + SITE_GOLD["non_article_pages"]
    for page in SITE_GOLD["list_pages"]:
        urls += [link["url"] for link in page["links"]]
    for url in urls:
        absolute = url if url.startswith("http") else BASE + url
        assert canonicalize_url(url, BASE + "/list/index.html") == absolute


@pytest.mark.parametrize("url, base, expected", [
    ("HTTP://Example.COM:80/a/./b/../c", None, "http://example.com/a/c"),
    ("https://Example.com:443", None, "https://example.com/"),
    ("https://example.com:8443/x", None, "https://example.com:8443/x"),
    ("http://example.com:443/x", None, "http://example.com:443/x"),
    ("http://example.com./x#frag", None, "http://example.com/x"),
    ("https://例子.中国/新闻/a b.html", None, "https://xn--fsqu00a.xn--fiqs8s/%E6%96%B0%E9%97%BB/a%20b.html"),
    ("http://a.com/%7euser/%2f%e4%b8%ad", None, "http://a.com/~user/%2F%E4%B8%AD"),
    ("http://a.com/a%zz", None, "http://a.com/a%25zz"),
    ("http://a.com//double//slash", None, "http://a.com//double//slash"),
    ("http://a.com/list/index.html", None, "http://a.com/list/index.html"),  # conservative: kept
    ("../../../page/1/x.pdf", "http://epaper.example.cn/html/2023-03/07/node_6.htm",
     "http://epaper.example.cn/page/1/x.pdf"),
    ("node_2.htm", "http://epaper.example.cn/html/2023-03/07/node_6.htm",
     "http://epaper.example.cn/html/2023-03/07/node_2.htm"),
    ("//cdn.example.com/a", "https://www.example.com/", "https://cdn.example.com/a"),
    ("?page=2", "http://a.com/list.php?page=1", "http://a.com/list.php?page=2"),
    ("  /a\n/b\t.html  ", "http://a.com/", "http://a.com/a/b.html"),
    ("http://user:pw@A.com/x", None, "http://user:pw@a.com/x"),
    ("http://[2001:DB8::1]:8080/x", None, "http://[2001:db8::1]:8080/x"),
])
def test_canonicalize_url(url, base, expected):
    assert canonicalize_url(url, base) == expected


@pytest.mark.parametrize("url", [
    "javascript:void(0)", "mailto:news@example.com", "ftp://example.com/a", "tel:0418-0000000", "#top",
    "", "   ", "http://", "http://example.com:99999/", "data:text/html,hi",
])
def test_canonicalize_url_refuses_non_http(url):
    assert canonicalize_url(url) is None


def test_fragment_only_href_resolves_to_the_page_itself():
    assert canonicalize_url("#top", "http://a.com/x.html") == "http://a.com/x.html"


@pytest.mark.parametrize("url, expected", [
    ("http://a.com/x?utm_source=wx&id=1&utm_medium=share&ref=home", "http://a.com/x?id=1&ref=home"),
    ("http://a.com/x?b=2&a=1", "http://a.com/x?b=2&a=1"),  # order kept
    ("http://a.com/x?spm=a.b.c&fbclid=XYZ&gclid=1&yclid=2&mc_cid=3&mc_eid=4&_hsenc=5&_hsmi=6&share_token=7",
     "http://a.com/x"),
    ("http://a.com/x?UTM_Campaign=1&id=2", "http://a.com/x?id=2"),
    ("http://a.com/x?from=timeline&id=9", "http://a.com/x?id=9"),
    ("http://a.com/x?from=singlemessage&isappinstalled=0", "http://a.com/x"),
    ("http://a.com/search?from=2024-01-01&to=2024-02-01", "http://a.com/search?from=2024-01-01&to=2024-02-01"),
    ("http://a.com/list?from=20", "http://a.com/list?from=20"),
    ("http://a.com/x?id=1&&", "http://a.com/x?id=1"),
    ("http://a.com/x?q=中文+词", "http://a.com/x?q=%E4%B8%AD%E6%96%87+%E8%AF%8D"),
    ("http://a.com/x?scene=3&srcid=1", "http://a.com/x?scene=3&srcid=1"),  # WeChat names only on WeChat
    ("https://mp.weixin.qq.com/s?__biz=MzA5&mid=2650&idx=1&sn=abc&chksm=8b&scene=21&srcid=0305"
     "&sharer_sharetime=1709&sharer_shareid=ff#wechat_redirect",
     "https://mp.weixin.qq.com/s?__biz=MzA5&mid=2650&idx=1&sn=abc&chksm=8b"),
])
def test_tracking_parameters(url, expected):
    assert canonicalize_url(url) == expected


def test_dedup_key_folds_directory_index_files_only():
    assert dedup_key("http://a.com/list/index.html") == "http://a.com/list/"
    assert dedup_key("http://a.com/list/INDEX.HTM") == "http://a.com/list/"
    assert dedup_key("http://a.com/list/index.shtml?page=2") == "http://a.com/list/?page=2"
    assert dedup_key("http://a.com/default.html") == "http://a.com/"
    assert dedup_key("/list/index.html", BASE + "/") == BASE + "/list/"
    assert dedup_key("http://a.com/list/index_2.html") == "http://a.com/list/index_2.html"
    assert dedup_key("http://a.com/list/myindex.html") == "http://a.com/list/myindex.html"
    assert dedup_key("http://a.com/list/") == dedup_key("http://a.com/list/index.html#x")
    assert dedup_key("mailto:x@y.z") is None


def test_host_of():
    assert host_of("HTTP://WWW.Example.COM:8080/x") == "www.example.com"
    assert host_of("https://例子.中国/") == "xn--fsqu00a.xn--fiqs8s"
    assert host_of("mailto:a@b.c") is None


def test_same_site():
    allow = ["fuxin.gov.cn", "127.0.0.1", "https://www.lnd.com.cn/"]
    assert same_site("http://fuxin.gov.cn/a", allow)
    assert same_site("http://www.fuxin.gov.cn/a", allow)
    assert same_site("http://zwgk.fuxin.gov.cn/a", allow)
    assert not same_site("http://badfuxin.gov.cn/a", allow)
    assert not same_site("http://fuxin.gov.cn.evil.com/a", allow)
    assert same_site(BASE + "/list/index.html", allow)  # ports are ignored
    assert same_site("https://www.lnd.com.cn/news/1.html", allow)
    assert not same_site("https://epaper.lnd.com.cn/x", allow)  # a sibling, not a subdomain
    assert not same_site("https://news.example.com/liaoning/2024-11/15/c_88123.html", allow)
    assert same_site("http://a.b.example.org/", ["*.example.org"])
    assert not same_site("javascript:void(0)", allow)


def test_external_link_of_the_site_is_out_of_scope():
    hosts = ["127.0.0.1"]
    for item in SITE_GOLD["must_not_fetch"]:
        url = item["url"] if item["url"].startswith("http") else BASE + item["url"]
        if "external" in item["reason"]:
            assert not same_site(url, hosts)
        else:
            assert same_site(url, hosts)


@pytest.mark.parametrize("url, include, exclude, expected", [
    ("http://a.com/content/2024-11/content_1.html", ["/content/*"], [], True),
    ("http://a.com/content/2024-11/content_1.html", ["/content/*/content_*.html"], [], True),
    ("http://a.com/content/2024-11/content_1.html", ["/list/*"], [], False),
    ("http://a.com/content/x.html", [], [], True),
    ("http://a.com/content/x.html", None, ["/content/*"], False),
    ("http://a.com/content/x.html", ["/content/*"], ["*/x.html"], False),  # exclude wins
    ("http://a.com/show.php?id=3", ["/show.php?id=*"], [], True),  # '?' is literal
    ("http://a.com/showXphp?id=3", ["/show.php?id=*"], [], False),  # '.' is literal
    ("http://a.com/show.php?id=3", ["/show.php"], [], False),  # globs match path+query whole
    ("HTTP://A.com/news/1.html#c", ["http://a.com/news/*"], [], True),  # full-URL glob, canonical form
    ("http://b.com/news/1.html", ["http://a.com/news/*"], [], False),
    ("http://a.com/news/2024/1.html", ["re:/news/\\d{4}/"], [], True),
    ("http://a.com/news/abcd/1.html", ["re:/news/\\d{4}/"], [], False),
    ("http://a.com/admin/preview/1.html", ["*"], ["re:^https?://[^/]+/admin/"], False),
])
def test_matches_patterns(url, include, exclude, expected):
    assert matches_patterns(url, include, exclude) is expected


# --------------------------------------------------------------------------- properties

_segment = st.lists(st.sampled_from(list("aZ09-._~%!$&'()*+,;=:@ 中文/?#[]|\"<>^`{}") + ["%2f", "%e4", "%41", ".."]),
                    max_size=12).map("".join)
_url = st.builds(
    lambda scheme, host, port, path, query, frag: f"{scheme}://{host}{port}/{path}{query}{frag}",
    st.sampled_from(["http", "HTTPS", "Http"]),
    st.sampled_from(["Example.com", "a.b.example.cn", "例子.中国", "127.0.0.1", "[::1]"]),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    _segment,
    st.one_of(st.just(""), st.builds(lambda q: "?" + q, _segment)),
    st.one_of(st.just(""), st.builds(lambda f: "#" + f, _segment)),
)


@settings(max_examples=300, deadline=None)
@given(_url)
def test_canonicalize_url_is_idempotent(url):
    once = canonicalize_url(url)
    if once is None:
        return
    assert canonicalize_url(once) == once
    assert "#" not in once and " " not in once and once.isascii()
    key = dedup_key(url)
    assert dedup_key(key) == key


@settings(max_examples=200, deadline=None)
@given(_url, st.sampled_from(["a.html", "../x/y.htm", "/root.html", "?page=2", "//other.example.com/p"]))
def test_relative_resolution_gives_canonical_urls(base, href):
    resolved = canonicalize_url(href, base)
    if resolved is not None:
        assert canonicalize_url(resolved) == resolved
