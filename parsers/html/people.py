"""Authors: a profile's byline node, visible bylines and credits, the dateline credit, then names only
the metadata gives; with the provenance of each person."""

from __future__ import annotations

import re

from parsers.bylines import is_person_name, parse_byline_credits, parse_dateline_credit
from parsers.records import Author, Block
from parsers.html.facts import Facts, read_profile_node
from parsers.html.images import Figure
from parsers.html.page import Page
from parsers.html.wechat import wechat_writer

_META_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author")
_NAME_SPLIT_RE = re.compile(r"\s*(?:[,，、;；/|｜]|\band\b|&)\s*")
_UNKNOWN = frozenset({"佚名", "未知", "不详", "匿名", "本站", "本网", "admin", "管理员", "小编", "无", "暂无"})
# How many body paragraphs may open with a dateline credit (本报讯（记者 X）…).
DATELINE_PARAGRAPHS = 2


def extract_authors(page: Page, facts: Facts, figures: list[Figure],
                    body: list[Block] | None = None) -> list[tuple[Author, str]]:
    """(person, provenance) in credit order: the profile's byline node, visible bylines, editor lines
    and photo credits, the dateline credit; then people only the metadata names (JSON-LD, `<meta
    name=author>`, e-paper properties), as 'author' unless the value carries a label."""
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
    for block in (body or [])[:DATELINE_PARAGRAPHS]:
        for a in parse_dateline_credit(block.text) or []:
            add(a, "credit:dateline")

    known = {a.name for a in seen}
    named: list[tuple[str, str]] = []
    if page.ld:
        named.extend((n, "jsonld.author") for n in page.ld.author_names)
    meta = page.head.get_with_source(*_META_AUTHOR_KEYS)
    if meta:
        named.append(meta)
    if page.enp.get("author"):
        named.append((page.enp["author"], "enp.author"))
    for value, source in named:
        for author in people_in_value(value):
            if author.name not in known:
                known.add(author.name)
                add(author, source)
    writer = wechat_writer(page)  # WeChat's author field: a pen name is a name too
    if writer and writer not in known:
        add(Author(writer, "author"), "wechat:author")
    return credits


def people_in_value(value: str) -> list[Author]:
    """People a metadata author value names: `王晓宁`, `王晓宁 卢思彤`, `记者 张立新`,
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
