"""Authors: who a story credits, with the provenance of each person.

Two conventions, chosen by the page's script:
- Chinese pages (the fixtures' convention): people only. Visible credits come first — a profile's
  byline node, byline and editor lines, photo credits, the dateline credit of the first paragraphs
  (`本报讯（记者 X）`, `中央社記者X台北13日電`) and the credit closing the last paragraphs
  (`…。（X／台中報導）`, `…。（编译/X）`, `…。（X）`). Metadata (JSON-LD `author`, `<meta name=author>`,
  the e-paper `author` property) names writers only when no writer is credited visibly; its
  organisations, accounts and ids give nobody.
- Other pages: the byline the page declares in its metadata is its author credit, as the publishers
  (and Fundus) read it: JSON-LD `author` (people, and an agency or newsroom credited as author: `dpa`,
  `AFP`), else `<meta>` author variants, else the visible `By X` lines; the publisher's own name as
  author only when nothing else names anyone. Visible editor and photographer credits are kept.
"""

from __future__ import annotations

import re

from parsers.bylines import (
    is_byline_label, is_credit_label, is_handle, is_person_name, is_post_nominal, is_team_credit, parse_byline_credits,
    parse_closing_credits, parse_dateline_credits, parse_marked_byline, without_post_nominals,
)
from parsers.meta import json_ld_objects, json_ld_page_authors
from parsers.records import Author, Block
from parsers.html.facts import Facts, microdata_owner, read_profile_node
from parsers.html.images import Figure
from parsers.html.page import Page
from parsers.html.wechat import wechat_writer

# `<meta>` keys that carry a byline, most trusted first (measured on the fundus study split: where
# present, cxenseparse/sailthru agree with the gold on every page, `author` on 70 %, `article:author`
# on 41 % — mostly a profile URL, which is skipped).
_META_AUTHOR_KEYS = ("cxenseparse:author", "sailthru.author", "author", "dcsext.author", "dc.creator",
                     "dcterms.creator", "byl", "article:author", "og:article:author", "parsely-author")
_CJK_META_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author")
_NAME_SPLIT_RE = re.compile(r"\s*(?:[,，、;；/|｜]|\band\b|&)\s*")
_UNKNOWN = frozenset({"佚名", "未知", "不详", "匿名", "本站", "本网", "admin", "管理员", "小编", "无", "暂无"})
WRITER_ROLES = frozenset({"reporter", "author", "correspondent"})
# How many body paragraphs may open with a dateline credit (本报讯（记者 X）…), and how many may
# close with a bracketed credit (…。（编译/X）; the last prose paragraphs, those with a sentence end).
DATELINE_PARAGRAPHS = 2
CLOSING_PARAGRAPHS = 3

# Words of headings and furniture that a bold two- or three-word line may hold, never a name.
_HEADING_WORDS = frozenset(
    "the a an of and or for to in on at by with from your our my this that more related reading read news "
    "information info data facts articles article stories story featured latest top new about contact "
    "license licence public general diary dear live offered editor editorial update updates video photo "
    "photos gallery comments comment share follow us see also themen verwandte weitere artikel mehr zum "
    "thema lesen sie auch plus lire aussi articles relacionados más noticias".split())
_SENTENCE_END_RE = re.compile(r"[。！？!?]")
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_KANA_HANGUL_RE = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
_LATIN_RE = re.compile(r"[A-Za-z]")

# --- metadata values on non-Chinese pages ------------------------------------------------------
# A value's parts: "A, B and C", "A und B", "A y B", "A / B", "A; B", "A & B".
_VALUE_SPLIT_RE = re.compile(
    r"\s*(?:[,;|]|\s/\s|\s&\s|\s(?:and|und|y|e|et|og|och|en|i|a|ve|és|und)\s)\s*", re.I)
_PREFIX_RE = re.compile(r"^(?:by|von|par|por|di|da|av|door|de|af|od|autor(?:in)?|author|written by)\s*:?\s+",
                        re.I)
_PAREN_RE = re.compile(r"\s*[(\[][^()\[\]]{0,40}[)\]]")
_PLACEHOLDERS = frozenset({"admin", "administrator", "unknown", "anonymous", "editor", "redaktion", "staff",
                           "webmaster", "null", "none", "n/a", "author", "autor", "guest"})
_URL_RE = re.compile(r"^(?:https?:|www\.|//)|^[\w.+-]+@[\w-]+\.[\w.]+$|^/")
# A job word after the name: `신현주 기자` (Korean: reporter), `山田太郎記者`, `X特派員`.
_TITLE_SUFFIX_RE = re.compile(r"\s*(?:기자|특파원|記者|特派員|编辑|記者)$")
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")
# A template's unfilled field printed as the value: `page.head.extra.author`, `{{ author }}`, `${author}`.
_TEMPLATE_FIELD_RE = re.compile(
    r"^(?:[a-z_]\w*(?:\.\w+)*\.(?:author|name|byline|creator|writer)s?|.*(?:\{\{|\}\}|\$\{|<%|%>).*)$", re.I)


def extract_authors(page: Page, facts: Facts, figures: list[Figure],
                    body: list[Block] | None = None) -> list[tuple[Author, str]]:
    """(person, provenance) in credit order (see the module docstring for the order)."""
    body = body or []
    visible = _visible_credits(page, facts, figures, body)
    if _is_chinese(page, body):
        credits = _chinese_credits(page, visible)
        writer = wechat_writer(page)  # WeChat's author field: a pen name is a name too
        if writer and all(a.name != writer for a, _ in credits):
            credits.append((Author(writer, "author"), "wechat:author"))
        return credits
    publisher = _publisher_names(page)
    visible = [(a, s) for a, s in visible if a.role not in WRITER_ROLES or not _is_publisher(a.name, publisher)]
    if not any(a.role in WRITER_ROLES for a, _ in visible) and _declares_article(page):
        visible += _edge_name_lines(page, body)
    declared, placeholder = declared_authors(page, publisher)
    if (not declared or placeholder) and not any(a.role in WRITER_ROLES for a, _ in visible):
        item_authors = (_microdata_authors(page, publisher) or _first_data_author(page, publisher)
                        or _first_username(page, publisher, body))
        if item_authors:
            return visible + item_authors
    if not declared or placeholder and any(a.role in WRITER_ROLES for a, _ in visible):
        return visible
    others = [(a, s) for a, s in visible if a.role not in WRITER_ROLES]
    names = {a.name for a, _ in declared}
    return declared + [(a, s) for a, s in others if a.name not in names or a.role != "author"]


def _visible_credits(page: Page, facts: Facts, figures: list[Figure],
                     body: list[Block]) -> list[tuple[Author, str]]:
    credits: list[tuple[Author, str]] = []
    seen: set[Author] = set()

    def add(author: Author, source: str) -> None:
        if author not in seen:
            seen.add(author)
            credits.append((author, source))

    profiled = read_profile_node(page, "authors")
    if profiled is not None:
        for a in profiled.authors:
            add(a, page.profile.provenance)
    for a in facts.authors:
        add(a, facts.author_from.get(a, "byline"))
    for f in figures:
        credit = f.image.credit or ""
        for a in f.photographers:
            add(a, "credit:摄" if "摄" in credit or not credit else "credit:图")
    paragraphs = [b for b in body if b.kind == "paragraph"]
    for block in paragraphs[:DATELINE_PARAGRAPHS]:
        for a, source in parse_dateline_credits(block.text) or []:
            add(a, source)
    # A report credit (`（X／台中報導）`) closes the story whatever follows it (notices, share text);
    # other closing credits count in the last prose paragraphs only.
    prose = [i for i, b in enumerate(paragraphs) if _SENTENCE_END_RE.search(b.text)]
    closing = set(prose[-CLOSING_PARAGRAPHS:])
    for i, block in enumerate(paragraphs):
        found = parse_closing_credits(block.text)
        if not found:
            continue
        for a, source in found:
            if i in closing or source.startswith("byline:報") or source.startswith("byline:报"):
                add(a, "credit:closing" if source == "byline:()" else source)
    return credits


def _is_chinese(page: Page, body: list[Block]) -> bool:
    """Han script without kana or hangul in the first paragraphs (or the `<title>`)."""
    sample = "".join(b.text for b in body[:6])[:2000] or (page.head.title or "")
    han = len(_HAN_RE.findall(sample))
    if not han:
        return False
    return han > 4 * len(_KANA_HANGUL_RE.findall(sample)) and han >= 0.3 * len(_LATIN_RE.findall(sample))


def _chinese_credits(page: Page, visible: list[tuple[Author, str]]) -> list[tuple[Author, str]]:
    """Visible credits; metadata names writers only when no writer is credited visibly."""
    if any(a.role in WRITER_ROLES for a, _ in visible):
        return visible
    credits = list(visible)
    known = {a.name for a, _ in visible}
    named: list[tuple[str, str]] = []
    if page.ld:
        named.extend((n, "jsonld.author") for n in page.ld.author_names)
    meta = page.head.get_with_source(*_CJK_META_AUTHOR_KEYS)
    if meta:
        named.append(meta)
    if page.enp.get("author"):
        named.append((page.enp["author"], "enp.author"))
    for value, source in named:
        for author in people_in_value(value):
            if author.name not in known:
                known.add(author.name)
                credits.append((author, source))
    return credits


def declared_authors(page: Page, publisher: set[str] | None = None) -> tuple[list[tuple[Author, str]], bool]:
    """The author credit a non-Chinese page declares in its metadata, as (Author('…', 'author'),
    source): JSON-LD `author` > `<meta>` author keys. The flag says the credit is a placeholder that a
    visible byline overrides: it only repeats the publisher's or site's own name, or JSON-LD credits
    organisations only (and no meta key names a person)."""
    publisher = _publisher_names(page) if publisher is None else publisher
    fallback: list[tuple[Author, str]] = []
    organisations: list[str] = []
    values: list[tuple[list[str], str]] = []
    ld_authors = list(zip(page.ld.author_names, page.ld.author_types)) if page.ld else []
    if not ld_authors and "author" in page.html and "ld+json" in page.html:
        ld_authors = json_ld_page_authors(json_ld_objects(page.html))
    if ld_authors:
        values.append(([n for v, _ in ld_authors for n in split_author_value(v, slugs=False)], "jsonld.author"))
        if all(kind == "Organization" for _, kind in ld_authors):
            organisations = values.pop()[0]  # an outlet credited as author: a visible person wins
    for key in _META_AUTHOR_KEYS:
        found = page.head.get_with_source(key)
        if found:
            values.append((split_author_value(found[0]), found[1]))
            values.extend((split_author_value(v), found[1]) for v in page.head.repeats.get(key, ())[:5])
    labelled = _twitter_labelled_author(page)
    if labelled:
        values.append((split_author_value(labelled[0]), labelled[1]))
    for names, source in values:
        if any(not _is_publisher(n, publisher) for n in names):
            return _as_authors(names, source), False
        fallback = fallback or _as_authors(names, source)
    if organisations:
        return _as_authors(organisations, "jsonld.author"), True
    return fallback, True


# `<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Jane Doe">`: the
# label/value pairs of a link preview (WordPress SEO plugins, Ghost, Substack print the writer there).
MAX_TWITTER_LABELS = 4
_TWITTER_MISC = "twitter:misc:"


def _twitter_labelled_author(page: Page) -> tuple[str, str] | None:
    """(value, provenance) of the `twitter:dataN` whose `twitter:labelN` says "Written by" or "Author", or of
    a `twitter:misc:Written by` meta (the same pair in one name, as some Yoast SEO sites print it)."""
    for n in range(1, MAX_TWITTER_LABELS + 1):
        label = page.head.get(f"twitter:label{n}")
        if label and is_byline_label(label):
            found = page.head.get_with_source(f"twitter:data{n}")
            if found:
                return found
    for key, value in page.head.metas.items():
        if key.startswith(_TWITTER_MISC) and is_byline_label(page.head.names.get(key, key)[len(_TWITTER_MISC):]):
            return value, page.head.source_of(key)
    return None


def _is_publisher(name: str, publisher: set[str]) -> bool:
    """`name` only repeats the publisher's or site's name (`STERN.de`, `Lesotho Times…`); its staff
    (`Podium Staff`, `is_team_credit`) is a credit of its own."""
    if is_team_credit(name):
        return False
    squashed = _squash(name)
    return any(squashed == p or len(p) >= 6 and squashed.startswith(p) for p in publisher)


def _declares_article(page: Page) -> bool:
    """The page's metadata calls it an article (a JSON-LD article object, `og:type` article)."""
    return bool(page.ld and page.ld.is_article_type) or (page.head.get("og:type") or "").lower() == "article"


def _edge_name_lines(page: Page, body: list[Block]) -> list[tuple[Author, str]]:
    """A bold line that is only a name (`<p><strong>Jane Doe</strong></p>`, not an `<hN>` heading) opening
    or closing the body of a page that declares itself an article: the writer, as many sites print it. Two or three capitalised words, none of them
    a common heading word (`Further Reading`, `Related Information`)."""
    for block, blocks in ((body[:1], page.index.blocks), (body[-1:], reversed(page.index.blocks))):
        if not block or block[0].kind != "heading":
            continue
        text = block[0].text
        words = text.split()
        if not 2 <= len(words) <= 3 or any(w.lower().strip(".,:") in _HEADING_WORDS for w in words):
            continue
        found = parse_marked_byline(text)
        if not found or not all(s == "byline:" for _, s in found):
            continue
        element = next((b for b in blocks if b.text == text), None)
        if element is not None and not element.heading:
            return [(a, "byline:bold") for a, _ in found]
    return []


# Microdata items that are a story or a thread's opening post: `<article itemscope
# itemtype="https://schema.org/BlogPosting">`, `DiscussionForumPosting`, a Q&A page's `Question`.
_MICRODATA_STORY_TYPE_RE = re.compile(
    r"schema\.org/(?:\w*Article|BlogPosting|LiveBlogPosting|SocialMediaPosting|DiscussionForumPosting|Question|"
    r"Report|Review)/?$", re.I)
_ITEMPROP_AUTHOR_RE = re.compile(r"(?:^|\s)(?:author|creator)(?:\s|$)")
MAX_MICRODATA_AUTHORS = 3


def _microdata_authors(page: Page, publisher: set[str]) -> list[tuple[Author, str]]:
    """The authors the page's first story item names in microdata (`_MICRODATA_STORY_TYPE_RE`): its
    `itemprop=author` properties (a Person's `itemprop=name`, else the text), not those of items nested in it
    (a comment's, an answer's). The last source of a writer: read only when nothing else names one."""
    if "itemprop" not in page.html or "author" not in page.html:
        return []
    for item in page.root.find_all(attrs={"itemtype": _MICRODATA_STORY_TYPE_RE, "itemscope": True}):
        names: list[str] = []
        for prop in item.find_all(attrs={"itemprop": _ITEMPROP_AUTHOR_RE}):
            if microdata_owner(prop) is not item:
                continue  # a property of a nested item: a comment's or an answer's author
            named = prop.find(attrs={"itemprop": "name"}) if prop.has_attr("itemscope") else None
            node = named or prop
            value = node.get("content") if isinstance(node.get("content"), str) else node.get_text(" ", strip=True)
            names.extend(_credited_names(value or "", publisher))
        names = list(dict.fromkeys(names))
        if len(names) > MAX_MICRODATA_AUTHORS:
            names = names[:1]  # the item holds its replies' posters too: the first is the opening post's
        if names:
            return _as_authors(names, "microdata:author")
    return []


def _credited_names(value: str, publisher: set[str]) -> list[str]:
    """The people a markup attribute's author value names: user names (`is_handle`) and names of two
    words or more that are not the publisher's."""
    return [n for n in split_author_value(value, slugs=False)
            if is_handle(n) or not _is_publisher(n, publisher) and " " in n]


def _first_data_author(page: Page, publisher: set[str]) -> list[tuple[Author, str]]:
    """The `data-author` of the page's first element that carries one: the opening post's writer on a
    forum thread (`<article class="message" data-author="pelex">`, XenForo), a story's on some templates.
    Read only when nothing else names a writer."""
    if "data-author=" not in page.html:
        return []
    first = page.root.find(attrs={"data-author": True})
    value = first.get("data-author") if first is not None else None
    if not isinstance(value, str):
        return []
    return _as_authors(_credited_names(value, publisher), "data-author")


# The class forum templates give a poster's user name: phpBB's `username` (`username-coloured` for a
# moderator), vBulletin's, XenForo's, Discourse's.
_USERNAME_CLASS_RE = re.compile(r"^username(?:-coloured)?$", re.I)


def _first_username(page: Page, publisher: set[str], body: list[Block]) -> list[tuple[Author, str]]:
    """The user name of the page's first element classed as one (`_USERNAME_CLASS_RE`) when it comes before
    the body's first block: the opening post's writer on a forum thread (phpBB's `<dt><a class="username">
    b.scherer</a>` beside the post). Read only when nothing else names a writer; a commenter's name under
    a story comes after its body and is never read."""
    if "username" not in page.html or not body:
        return []
    first = page.root.find(class_=_USERNAME_CLASS_RE)
    if first is None:
        return []
    where = page.index.span(first)
    opening = next((b for b in page.index.blocks if b.text == body[0].text), None)
    if where is None or opening is None or where[0] >= opening.pos:
        return []
    value = next(first.stripped_strings, "")
    return _as_authors(_credited_names(value, publisher), "class:username")


def _as_authors(names: list[str], source: str) -> list[tuple[Author, str]]:
    return [(Author(n, "author"), source) for n in dict.fromkeys(names)]


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def _publisher_names(page: Page) -> set[str]:
    """The publisher's and site's own names, squashed (`STERN.de` → `sternde`), and the URL's host
    labels (`ntv` for ntv.com.tr)."""
    names = {page.ld.publisher_name if page.ld else None, page.head.get("og:site_name"),
             page.head.get("application-name")}
    out = {_squash(n) for n in names if n}
    host = re.sub(r"^[a-z]+://", "", (page.url or "").lower()).split("/")[0]
    labels = [x for x in host.split(".") if x and x not in ("www", "m", "amp")]
    if labels:
        out.add(_squash(".".join(labels)))
        out.update(_squash(x) for x in labels[:-1] if len(x) >= 3)
    return {n for n in out if n}


def split_author_value(value: str, *, slugs: bool = True) -> list[str]:
    """The names one metadata author value gives, as written: `By Jane Doe and John Smith`,
    `Felix Schröder und Jörg Soldwisch, dpa`, `Elena Oberholzer (obe)`. URLs, e-mail addresses,
    slugs (`jane-doe`; with `slugs=False` kept: a JSON-LD name such as `t-online` is one), numeric ids,
    placeholders, labels with no name (`Staff Writer`), post-nominals after a name (`Jane Doe, MS, RD`) and
    a template's unfilled field (`page.head.extra.author`) give nothing; quote marks around a name go; a
    part that reads as a description (a job title, an affiliation: more than five words) ends the list."""
    value = " ".join((value or "").split())
    if not value or _URL_RE.search(value):
        return []
    value = _PREFIX_RE.sub("", _PAREN_RE.sub("", value)).strip(" ,;|-–—")
    names: list[str] = []
    for part in _VALUE_SPLIT_RE.split(value):
        part = _PREFIX_RE.sub("", part.strip(" .:-–—\"“”„«»")).strip()
        part = " ".join(without_post_nominals(part.split()))
        if not part or names and is_post_nominal(part) or is_credit_label(part) or _TEMPLATE_FIELD_RE.match(part):
            continue
        if len(part.split()) > 5 or len(part) > 60:
            break
        if _URL_RE.search(part) or "www." in part or "://" in part or slugs and _SLUG_RE.match(part) or part.isdigit() \
                or part.casefold() in _PLACEHOLDERS:
            continue
        part = _TITLE_SUFFIX_RE.sub("", part) or part
        names.append(part)
    return names


def people_in_value(value: str) -> list[Author]:
    """People a metadata author value names on a Chinese page: `王晓宁`, `王晓宁 卢思彤`, `记者 张立新`,
    `Jane Doe, John Smith`, `By Jane Doe and John Smith`. Unknowns (佚名, admin) and
    organisations give nobody."""
    value = " ".join((value or "").split())
    if not value or value in _UNKNOWN or value.lower() in _UNKNOWN:
        return []
    labelled = parse_byline_credits(value)
    if labelled:
        return [a for a, _ in labelled]
    people: list[Author] = []
    for part in _NAME_SPLIT_RE.split(value):
        part = part.strip()
        if not part:
            continue
        if is_person_name(part):
            people.append(Author(part, "author"))
        elif not re.search(r"[A-Za-z]", part):
            people.extend(Author(n, "author") for n in part.split() if is_person_name(n))
    return people
