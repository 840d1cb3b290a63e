"""Page-level metadata that is not body text: `<meta>` tags, `<link rel=canonical>`, `<title>`,
JSON-LD, and the Founder e-paper `enpproperty` comment.

Raw-text helpers (`json_ld_objects`, `enp_properties`) run on the HTML string before scripts and
comments are stripped; `HeadMeta.from_soup` reads the parsed tree once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from bs4 import BeautifulSoup, Tag

ARTICLE_LD_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "report", "scholarlyarticle",
    "liveblogposting", "techarticle",
}

_JSON_LD_SCRIPT = re.compile(
    r"""<script\b[^>]*\btype\s*=\s*["']?application/ld\+json["']?[^>]*>(.*?)</script\s*>""", re.I | re.S)
_ENP_COMMENT = re.compile(r"<!--\s*enpproperty(.*?)/enpproperty\s*-->", re.I | re.S)
_ENP_FIELD = re.compile(r"<([A-Za-z_]+)>(.*?)</\1>", re.S)
MAX_JSON_LD_CHARS = 1_000_000
# What pages wrap JSON-LD in: an HTML comment, or a CDATA section (`<![CDATA[ … ]]>`, `//<![CDATA[`).
_WRAPPER_RE = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")
# A tag inside a JSON-LD text value (`articleBody` is sometimes the article's HTML, not plain text).
_MARKUP_RE = re.compile(r"<[^<>]*>")
_HEAD_TAG_NAMES = frozenset({"meta", "link", "title", "base"})
_REPEATED_KEYS = frozenset({"author", "article:author"})


@dataclass
class JsonLdArticle:
    headline: str | None = None
    date_published: str | None = None
    author_names: list[str] = field(default_factory=list)
    author_types: list[str] = field(default_factory=list)  # per author_names: Person, Organization, "" (a bare string)
    publisher_name: str | None = None
    main_entity_url: str | None = None
    image_urls: list[str] = field(default_factory=list)
    in_language: str | None = None
    is_article_type: bool = False
    article_body: str | None = None  # `articleBody`: the text the publisher states, as plain text (tags dropped)


def json_ld_objects(html: str) -> list[dict[str, Any]]:
    """Every JSON-LD object in the page, flattened (top-level lists and @graph members)."""
    objects: list[dict[str, Any]] = []
    for m in _JSON_LD_SCRIPT.finditer(html):
        raw = m.group(1).strip()
        if not raw or len(raw) > MAX_JSON_LD_CHARS:
            continue
        raw = _WRAPPER_RE.sub("", raw)
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack and len(objects) < 200:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            elif isinstance(item, dict):
                objects.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack[:0] = graph
    return objects


def json_ld_article(objects: list[dict[str, Any]]) -> JsonLdArticle | None:
    """The first article-typed JSON-LD object, reduced to the fields the extractor uses."""
    for obj in objects:
        types = obj.get("@type")
        types = [types] if isinstance(types, str) else (types if isinstance(types, list) else [])
        if any(isinstance(t, str) and t.lower() in ARTICLE_LD_TYPES for t in types):
            return _reduce_article(obj, objects)
    return None


def _reduce_article(obj: dict[str, Any], objects: list[dict[str, Any]] = ()) -> JsonLdArticle:
    art = JsonLdArticle(is_article_type=True)
    art.headline = _text(obj.get("headline")) or _text(obj.get("name"))
    art.date_published = _text(obj.get("datePublished")) or _text(obj.get("dateCreated"))
    for name, kind in _ld_authors(obj.get("author"), objects):
        if name not in art.author_names:
            art.author_names.append(name)
            art.author_types.append(kind)
    pub = obj.get("publisher")
    if isinstance(pub, list) and pub:
        pub = pub[0]
    art.publisher_name = _text(pub.get("name")) if isinstance(pub, dict) else _text(pub)
    main = obj.get("mainEntityOfPage")
    if isinstance(main, dict):
        art.main_entity_url = _text(main.get("@id")) or _text(main.get("url"))
    else:
        art.main_entity_url = _text(main)
    images = obj.get("image")
    for img in images if isinstance(images, list) else [images]:
        src = _text(img.get("url")) if isinstance(img, dict) else _text(img)
        if src:
            art.image_urls.append(src)
    art.in_language = _text(obj.get("inLanguage"))
    body = obj.get("articleBody")
    if isinstance(body, list):  # some pages state the text as a list of paragraphs
        body = " ".join(part for part in body if isinstance(part, str))
    if isinstance(body, str) and body.strip():
        art.article_body = _text(unescape(_MARKUP_RE.sub(" ", body)))
    return art


_PAGE_LD_TYPES = {"webpage", "itempage", "collectionpage", "profilepage"}
# A thread's opening post: a forum post, or the question of a Q&A page (`QAPage.mainEntity`); its author
# started the thread (the answers' and replies' authors did not).
_THREAD_LD_TYPES = {"discussionforumposting", "socialmediaposting", "question"}


def json_ld_page_authors(objects: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(name, @type) of the authors JSON-LD gives when no top-level article object names any: an
    article object nested in another (`WebPage.mainEntity`), else a page-typed object (WebPage,
    ItemPage: WordPress SEO plugins put `author: {"@id": …}` there and the Person in `@graph`), else
    the opening post of a thread (`DiscussionForumPosting`, `QAPage.mainEntity`'s `Question`)."""
    for obj in objects:
        for nested in obj.values():
            for item in nested if isinstance(nested, list) else [nested]:
                if isinstance(item, dict) and item.get("author") and _has_type(item, ARTICLE_LD_TYPES):
                    return _ld_authors(item.get("author"), objects)
    for obj in objects:
        if obj.get("author") and _has_type(obj, _PAGE_LD_TYPES):
            return _ld_authors(obj.get("author"), objects)
    for obj in objects:
        main = obj.get("mainEntity")
        for item in (obj, main) if isinstance(main, dict) else (obj,):
            if item.get("author") and _has_type(item, _THREAD_LD_TYPES):
                return _ld_authors(item.get("author"), objects)
    return []


def _has_type(obj: dict[str, Any], names: set[str]) -> bool:
    types = obj.get("@type")
    types = [types] if isinstance(types, str) else (types if isinstance(types, list) else [])
    return any(isinstance(t, str) and t.lower() in names for t in types)


def _ld_authors(value: Any, objects: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(name, @type) of each author: a string, a Person/Organization object, a list of either (nested
    lists too), an object whose `name` is a list (or only `givenName`/`familyName`), or a `{"@id": …}` reference to a node elsewhere in
    the page's JSON-LD (`@graph` authors)."""
    out: list[tuple[str, str]] = []
    stack = [value]
    while stack and len(out) < 50:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, dict):
            if "name" not in item and isinstance(item.get("@id"), str):
                item = next((o for o in objects if o.get("@id") == item["@id"] and "name" in o), item)
            kind = item.get("@type")
            kind = kind[0] if isinstance(kind, list) and kind else kind
            names = item.get("name")
            if not names and (item.get("givenName") or item.get("familyName")):
                names = " ".join(_text(item.get(k)) or "" for k in ("givenName", "familyName")).strip()
            for name in names if isinstance(names, list) else [names]:
                text = _text(name)
                if text:
                    out.append((text, kind if isinstance(kind, str) else ""))
        else:
            text = _text(item)
            if text:
                out.append((text, ""))
    return out


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        value = " ".join(value.split())
        return value or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def enp_properties(html: str) -> dict[str, str]:
    """Fields of a Founder e-paper `<!--enpproperty ...-->` comment (articleid, date, author, title, ...)."""
    m = _ENP_COMMENT.search(html)
    if not m:
        return {}
    return {k.lower(): " ".join(v.split()) for k, v in _ENP_FIELD.findall(m.group(1))}


@dataclass
class HeadMeta:
    """`<meta>` values by lower-cased name/property (first occurrence wins), canonical, title, base.

    `names` keeps each key as the page spells it (`pubdate` → `PubDate`), for provenance.
    """
    metas: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    canonical: str | None = None
    title: str | None = None
    base_href: str | None = None
    html_lang: str | None = None
    # Later values of keys a page may repeat (`<meta name="author">` once per writer or outlet).
    repeats: dict[str, list[str]] = field(default_factory=dict)

    def get(self, *keys: str) -> str | None:
        found = self.get_with_source(*keys)
        return found[0] if found else None

    def get_with_source(self, *keys: str) -> tuple[str, str] | None:
        """(value, provenance) of the first key present: `og:title`, `meta[PubDate]`."""
        for key in keys:
            value = self.metas.get(key.lower())
            if value:
                return value, self.source_of(key)
        return None

    def source_of(self, key: str) -> str:
        """Provenance name of a meta key: Open Graph keys as they are, others as `meta[Name]`."""
        key = key.lower()
        name = self.names.get(key, key)
        return name if key.startswith("og:") else f"meta[{name}]"

    @classmethod
    def from_soup(cls, soup: BeautifulSoup, body_tags: list[Tag] | None = None) -> "HeadMeta":
        """Read `<head>` (small: a cheap find_all) plus meta/link/title tags found in the body."""
        html_tag = next((c for c in soup.contents if isinstance(c, Tag) and c.name == "html"), None)
        head_el = next((c for c in html_tag.contents if isinstance(c, Tag) and c.name == "head"), None) \
            if html_tag is not None else None
        tags = [t for t in head_el.descendants if isinstance(t, Tag) and t.name in _HEAD_TAG_NAMES] \
            if head_el is not None else []
        return cls.from_tags(html_tag, tags + (body_tags or []))

    @classmethod
    def from_tags(cls, html_tag: Tag | None, tags: list[Tag]) -> "HeadMeta":
        head = cls()
        if html_tag is not None:
            lang = html_tag.get("lang") or html_tag.get("xml:lang")
            head.html_lang = lang.strip().lower() if isinstance(lang, str) and lang.strip() else None
        for tag in tags:
            name = tag.name
            if name == "meta":
                key = tag.get("property") or tag.get("name") or tag.get("itemprop") or tag.get("http-equiv")
                content = tag.get("content")
                if isinstance(key, str) and isinstance(content, str):
                    spelled = key.strip()
                    key = "".join(spelled.split()).lower()  # "weibo: article:create_at"
                    content = " ".join(content.split())
                    if key and content and key not in head.metas:
                        head.metas[key] = content
                        head.names[key] = spelled
                    elif key in _REPEATED_KEYS and content:
                        head.repeats.setdefault(key, []).append(content)
            elif name == "link":
                rel = tag.get("rel")
                rels = [r.lower() for r in rel] if isinstance(rel, list) else [str(rel or "").lower()]
                href = tag.get("href")
                if "canonical" in rels and isinstance(href, str) and href.strip() and head.canonical is None:
                    head.canonical = href.strip()
            elif name == "title":
                if head.title is None:
                    text = " ".join(tag.get_text().split())
                    head.title = text or None
            elif name == "base":
                href = tag.get("href")
                if isinstance(href, str) and href.strip() and head.base_href is None:
                    head.base_href = href.strip()
        return head


