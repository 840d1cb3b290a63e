"""The demo site (examples/demo-site) agrees with its own gold, checked without the extractor.

Every page listed in urls.txt exists, decodes as it declares, and shows every gold text
(title, kicker, subtitle, sections, paragraphs, captions, credits, names) verbatim; every
boilerplate sample is on the page and in no gold paragraph; every file the pages reference exists.
The extractor-vs-gold comparison lives elsewhere.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup, Comment, Declaration, Doctype, ProcessingInstruction

SITE = Path(__file__).resolve().parent.parent / "examples" / "demo-site"
GOLD = json.loads((SITE / "demo-gold.json").read_text(encoding="utf-8"))
PAGES: list[dict] = GOLD["pages"]
ARTICLES = [p for p in PAGES if p["is_article"]]
URLS = [line.strip() for line in (SITE / "urls.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
HTML_FILES = sorted(SITE.rglob("*.html"))
PARSERS = ("lxml", "html.parser")
GB_CHARSETS = ("gb2312", "gbk", "gb18030")
NON_GB2312 = ("喆", "堃")
# a name's role comes from the nearest label before it; "X 摄" makes X a photographer
LABEL_RE = re.compile(r"记者|通讯员|编辑|作者|By ")
LABEL_ROLES = {"记者": "reporter", "通讯员": "correspondent", "编辑": "editor", "作者": "author", "By ": "author"}


def norm(text: str) -> str:
    return " ".join(text.split())


def local_path(url: str) -> Path:
    return SITE / urlsplit(url).path.lstrip("/")


def declared_charset(raw: bytes) -> str | None:
    match = re.search(rb"""charset\s*=\s*["']?([\w-]+)""", raw[:2048], re.I)
    return match.group(1).decode("ascii").lower() if match else None


def decode_page(raw: bytes) -> str:
    charset = declared_charset(raw)
    # pages that declare gb2312 or gbk are GBK bytes in practice: GB18030 is the superset that decodes them
    return raw.decode("gb18030" if charset in GB_CHARSETS else "utf-8")


def parse(url_or_path: str | Path, parser: str) -> BeautifulSoup:
    path = url_or_path if isinstance(url_or_path, Path) else local_path(url_or_path)
    return BeautifulSoup(decode_page(path.read_bytes()), parser)


def visible_soup(soup: BeautifulSoup) -> BeautifulSoup:
    for tag in soup.find_all(["script", "style", "head", "noscript", "template"]):
        tag.decompose()
    return soup


def visible_text(soup: BeautifulSoup) -> str:
    hidden = (Comment, Declaration, Doctype, ProcessingInstruction)
    return norm("".join(s for s in soup.find_all(string=True) if not isinstance(s, hidden)))


def innermost_elements_with_text(soup: BeautifulSoup, text: str) -> list:
    """Elements whose whole text is `text` and none of whose child elements has that same text."""
    wanted = norm(text)
    hits = [el for el in soup.find_all(True) if norm(el.get_text()) == wanted]
    return [el for el in hits if not any(norm(child.get_text()) == wanted for child in el.find_all(True))]


def roles_shown(text: str, name: str) -> set[str]:
    roles = set()
    for match in re.finditer(re.escape(name), text):
        if re.match(r"\s*摄", text[match.end():]):
            roles.add("photographer")
        labels = list(LABEL_RE.finditer(text, 0, match.start()))
        if labels:
            roles.add(LABEL_ROLES[labels[-1].group()])
    return roles


def body_text(page: dict) -> str:
    paragraphs = list(page["paragraphs"])
    for sub in page["sub_articles"]:
        paragraphs += sub["paragraphs"]
    return norm("\n".join(paragraphs))


def page_id(page: dict) -> str:
    return page["url"].rsplit("/", 1)[-1] if page["is_article"] else page["url"]


def page_params(pages: list[dict]):
    return [pytest.param(p, parser, id=f"{page_id(p)}-{parser}") for p in pages for parser in PARSERS]


# ---------- files ----------

def test_urls_txt_lists_every_gold_page_once_in_gold_order():
    assert URLS == [p["url"] for p in PAGES]
    assert len(set(URLS)) == len(URLS)
    assert all(url.startswith("/") and not url.startswith("//") for url in URLS)


@pytest.mark.parametrize("url", URLS)
def test_every_listed_url_is_a_file(url):
    assert local_path(url).is_file(), url


def test_site_is_small():
    total = sum(f.stat().st_size for f in SITE.rglob("*") if f.is_file())
    assert total < 300_000, total


def test_every_referenced_local_file_exists():
    missing = []
    for html in HTML_FILES:
        soup = BeautifulSoup(decode_page(html.read_bytes()), "lxml")
        page_url = "/" + html.relative_to(SITE).as_posix()
        refs = [t.get("href") for t in soup.find_all(["a", "area", "link"])] + [t.get("src") for t in soup.find_all(["img", "script"])]
        for ref in filter(None, refs):
            if ref.startswith(("#", "javascript:", "mailto:")) or urlsplit(ref).scheme in ("http", "https"):
                continue
            if not local_path(urljoin(page_url, ref)).is_file():
                missing.append((page_url, ref))
    assert missing == []


# ---------- encodings ----------

def test_gbk_page_is_gbk_bytes_declaring_gb2312():
    assert GOLD["gbk_pages"], "the demo needs one GBK page"
    for url in GOLD["gbk_pages"]:
        raw = local_path(url).read_bytes()
        assert declared_charset(raw) == "gb2312"
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        with pytest.raises(UnicodeDecodeError):
            raw.decode("gb2312")  # the characters below are outside GB2312
        text = raw.decode("gb18030")
        assert text == raw.decode("gbk")
        for char in NON_GB2312:
            assert char in text, char
        assert "\u2014\u2014" in text and "\u2015" not in text


def test_other_pages_are_utf8_and_say_so():
    gbk = {local_path(u) for u in GOLD["gbk_pages"]}
    for html in HTML_FILES:
        if html in gbk:
            continue
        raw = html.read_bytes()
        raw.decode("utf-8")
        assert declared_charset(raw) == "utf-8", html


# ---------- gold texts against the page ----------

@pytest.mark.parametrize("page,parser", page_params(ARTICLES))
def test_title_is_the_one_h1(page, parser):
    soup = visible_soup(parse(page["url"], parser))
    h1s = soup.find_all("h1")
    assert [norm(h.get_text()) for h in h1s] == [norm(page["title"])]


@pytest.mark.parametrize("page,parser", page_params(ARTICLES))
def test_kicker_and_subtitle_are_shown(page, parser):
    soup = visible_soup(parse(page["url"], parser))
    for field in ("kicker", "subtitle"):
        if page[field] is not None:
            assert innermost_elements_with_text(soup, page[field]), field
    if page["kicker"]:
        assert page["kicker"].endswith("——")
    if page["subtitle"]:
        assert page["subtitle"].startswith("——")


@pytest.mark.parametrize("page,parser", page_params(ARTICLES))
def test_each_paragraph_and_section_is_exactly_one_element(page, parser):
    soup = visible_soup(parse(page["url"], parser))
    text = visible_text(soup)
    for block in page["sections"] + page["paragraphs"]:
        assert norm(block) in text, block
        assert len(innermost_elements_with_text(soup, block)) == 1, block
    assert 4 <= len(page["paragraphs"]) <= 10
    assert len(set(page["paragraphs"])) == len(page["paragraphs"])
    assert not set(page["sections"]) & set(page["paragraphs"])


@pytest.mark.parametrize("page,parser", page_params(ARTICLES))
def test_sections_are_bold_paragraphs(page, parser):
    soup = visible_soup(parse(page["url"], parser))
    for section in page["sections"]:
        (el,) = innermost_elements_with_text(soup, section)
        assert el.name in ("strong", "b") and el.parent.name == "p", section


@pytest.mark.parametrize("page,parser", page_params(ARTICLES))
def test_images_captions_and_credits_are_on_the_page(page, parser):
    soup = visible_soup(parse(page["url"], parser))
    text = visible_text(soup)
    srcs = [urljoin(page["url"], img["src"]) for img in soup.find_all("img") if img.get("src")]
    gold_srcs = [img["src"] for img in page["images"]]
    assert [s for s in srcs if s in gold_srcs] == gold_srcs
    body = body_text(page)
    for img in page["images"]:
        assert local_path(img["src"]).is_file(), img["src"]
        for part in (img["caption"], img["credit"]):
            if part:
                assert norm(part) in text, part
                assert norm(part) not in body, part


@pytest.mark.parametrize("page,parser", page_params(ARTICLES))
def test_authors_are_shown_with_their_label(page, parser):
    soup = visible_soup(parse(page["url"], parser))
    short_texts = [norm(el.get_text()) for el in soup.find_all(True)]
    short_texts = [t for t in short_texts if len(t) <= 80]
    for author in page["authors"]:
        shown = set().union(*(roles_shown(t, author["name"]) for t in short_texts))
        assert author["role"] in shown, author
    if page["_template"] == "repost":
        assert "作者:佚名" in visible_text(soup)


@pytest.mark.parametrize("page,parser", page_params(ARTICLES))
def test_date_source_and_urls_are_on_the_page(page, parser):
    soup = parse(page["url"], parser)
    head_metas = {m.get("name") or m.get("property"): m.get("content") for m in soup.find_all("meta")}
    canonical = soup.find("link", rel="canonical")
    text = visible_text(visible_soup(parse(page["url"], parser)))

    day = page["published_at"][:10]
    y, m, d = day.split("-")
    assert day in text or f"{y}年{m}月{d}日" in text
    if "T" in page["published_at"]:
        assert page["published_at"].endswith(":00+08:00")
        assert page["published_at"][11:16] in text
    else:
        assert page["_template"] == "epaper"

    if page["_template"] == "epaper":
        assert page["source_name"] in text
    else:
        labelled = [f"来源：{page['source_name']}", f"来源:{page['source_name']}", f"Source: {page['source_name']}"]
        assert any(s in text for s in labelled)

    if page["canonical_url"]:
        assert canonical is not None and canonical["href"] == page["canonical_url"]
        assert head_metas.get("og:url") == page["canonical_url"]
        assert head_metas.get("ContentSource") == page["source_name"]
        assert head_metas.get("publishdate") == page["published_at"][:19].replace("T", " ")
    else:
        assert canonical is None

    if page["original_url"]:
        links = [a for a in soup.find_all("a") if a.get("href") == page["original_url"]]
        assert links and "原文链接" in links[0].parent.get_text()
    else:
        assert "原文链接" not in text


@pytest.mark.parametrize("page", ARTICLES, ids=page_id)
def test_language(page):
    letters = "".join(page["paragraphs"])
    cjk = sum(1 for c in letters if "\u4e00" <= c <= "\u9fff")
    if page["language"] == "zh":
        assert cjk / len(letters) > 0.6
    else:
        assert page["language"] == "en" and cjk == 0
        soup = parse(page["url"], "lxml")
        assert soup.html.get("lang") == "en"


@pytest.mark.parametrize("page,parser", page_params(PAGES))
def test_boilerplate_is_on_the_page_and_not_in_the_body(page, parser):
    text = visible_text(visible_soup(parse(page["url"], parser)))
    body = body_text(page)
    assert len(page["boilerplate_samples"]) >= 5
    for sample in page["boilerplate_samples"]:
        assert norm(sample) in text, sample
        assert norm(sample) not in body, sample


# ---------- list page, repost pair, counts ----------

@pytest.mark.parametrize("page,parser", page_params([p for p in PAGES if not p["is_article"]]))
def test_list_page_links_are_the_article_links_in_order(page, parser):
    soup = visible_soup(parse(page["url"], parser))
    anchors = [(urljoin(page["url"], a["href"]), norm(a.get_text())) for a in soup.find_all("a", href=True)]
    gold = [(link["url"], norm(link["title"])) for link in page["links"]]
    starts = [i for i in range(len(anchors)) if anchors[i:i + len(gold)] == gold]
    assert starts, "the gold links are not one run of anchors on the page"
    titles = {p["url"]: p["title"] for p in ARTICLES}
    assert {url for url, _ in gold} == set(titles)
    assert all(titles[url] == title for url, title in gold)
    assert page["paragraphs"] == [] and page["title"] is None


def test_repost_pair_shares_title_and_paragraphs():
    by_url = {p["url"]: p for p in PAGES}
    assert GOLD["repost_pairs"]
    for pair in GOLD["repost_pairs"]:
        repost, original = by_url[pair["repost"]], by_url[pair["original"]]
        assert repost["original_url"] == GOLD["canonical_host"] + original["url"]
        assert repost["title"] == original["title"]
        assert repost["paragraphs"] == original["paragraphs"]
        assert repost["source_name"] == original["source_name"]
        assert repost["authors"] == []
        assert repost["published_at"] > original["published_at"]


def test_expected_counts_follow_from_the_pages():
    expected = GOLD["expected"]
    reporters: dict[str, int] = {}
    for page in ARTICLES:
        for author in page["authors"]:
            if author["role"] == "reporter":
                reporters[author["name"]] = reporters.get(author["name"], 0) + 1
    assert expected["pages"] == len(PAGES) == 13
    assert expected["articles"] == len(ARTICLES) == 12
    assert expected["non_articles"] == 1
    assert expected["publish_days"] == sorted({p["published_at"][:10] for p in ARTICLES})
    assert len(expected["publish_days"]) == 5
    assert expected["languages"] == {"zh": 11, "en": 1}
    assert expected["articles_per_reporter"] == reporters
    assert 6 <= len(reporters) <= 8 and sum(1 for n in reporters.values() if n > 1) >= 3
    assert expected["images"] == sum(len(p["images"]) for p in ARTICLES) >= 3
    assert sum(1 for p in ARTICLES if p["sections"]) in range(2, 5)
    assert len({p["_template"] for p in ARTICLES}) >= 3
