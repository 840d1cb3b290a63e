"""newsduck and its rivals behind one call: page bytes + URL in, the same `Extraction` out.

Rivals (benchmark-only extras, `pip install -e '.[bench]'`): trafilatura (comments off), readability-lxml,
GNE, newspaper4k. trafilatura gets the bytes and decodes them itself; the others take text, and get the
page decoded by newsduck's decoder (so a rival is never scored on a charset it was not asked to guess).
A rival that is not installed is left out of the run with a note.

A rival's output for a page does not change between runs, so it is cached on disk by rival version and
page content (`NEWSDUCK_BENCH_CACHE`, default `~/.cache/newsduck-bench`); newsduck always runs afresh.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import time
import warnings
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

NEWSDUCK = "newsduck"
RIVALS = ("trafilatura", "readability", "gne", "newspaper4k")
_DISTRIBUTIONS = {"trafilatura": "trafilatura", "readability": "readability-lxml", "gne": "gne",
                  "newspaper4k": "newspaper4k"}
WRITER_ROLES = frozenset({"reporter", "author", "correspondent"})
# The fields each tool reports; the others are not scored for it.
REPORTS = {
    NEWSDUCK: frozenset({"body", "title", "date", "authors", "source", "is_article"}),
    "trafilatura": frozenset({"body", "title", "date", "authors"}),
    "readability": frozenset({"body", "title"}),
    "gne": frozenset({"body", "title", "date", "authors"}),
    "newspaper4k": frozenset({"body", "title", "date", "authors"}),
}


@dataclass
class Extraction:
    body: str | None = None
    title: str | None = None
    date: str | None = None            # YYYY-MM-DD
    authors: list[str] | None = None   # writers; None: the tool does not report authors
    source: str | None = None
    is_article: bool | None = None     # None: the tool does not classify pages
    seconds: float = 0.0               # CPU time of the call
    error: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def version_of(name: str) -> str | None:
    if name == NEWSDUCK:
        from parsers import PARSER_VERSION
        return PARSER_VERSION
    try:
        return importlib.metadata.version(_DISTRIBUTIONS[name])
    except importlib.metadata.PackageNotFoundError:
        return None


def _day(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10]
    m = re.search(r"((?:19|20)\d{2})-(\d{2})-(\d{2})", str(value))
    return "-".join(m.groups()) if m else None


def _decoded(html: bytes) -> str:
    from parsers import decode_bytes
    return decode_bytes(html)[0]


# --- adapters -------------------------------------------------------------------------------------

def newsduck_extract(html: bytes, url: str | None, lang: str | None) -> Extraction:
    from parsers import extract_article
    record = extract_article(html, url=url)
    return Extraction(
        body=record.text, title=record.title, date=_day(record.published_at),
        authors=[a.name for a in record.authors if a.role in WRITER_ROLES],
        source=record.source_name, is_article=record.is_article, provenance=dict(record.provenance))


def _trafilatura() -> Callable[[bytes, str | None, str | None], Extraction]:
    import trafilatura

    def extract(html: bytes, url: str | None, lang: str | None) -> Extraction:
        doc = trafilatura.bare_extraction(html, url=url, include_comments=False, with_metadata=True)
        if doc is None:
            return Extraction(body="", authors=[])
        authors = [a.strip() for a in re.split(r";", doc.author or "") if a.strip()]
        return Extraction(body=doc.text or "", title=doc.title, date=_day(doc.date), authors=authors)

    return extract


def _readability() -> Callable[[bytes, str | None, str | None], Extraction]:
    import lxml.html
    from readability import Document

    def extract(html: bytes, url: str | None, lang: str | None) -> Extraction:
        doc = Document(_decoded(html), url=url)
        summary = doc.summary(html_partial=True)
        tree = lxml.html.fromstring(summary) if summary.strip() else None
        body = ""
        if tree is not None:
            blocks = []
            for el in tree.iter("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "td", "div"):
                if el.tag == "div" and any(child.tag in ("p", "div", "li", "table", "ul", "ol") for child in el):
                    continue  # a wrapper: its blocks are read one by one
                text = " ".join("".join(el.itertext()).split()) if el.tag != "div" else \
                    " ".join(" ".join(t for t in [el.text or ""] + [(c.tail or "") for c in el]).split())
                if text:
                    blocks.append(text)
            body = "\n\n".join(blocks) or " ".join(tree.text_content().split())
        return Extraction(body=body, title=doc.short_title())

    return extract


def _gne() -> Callable[[bytes, str | None, str | None], Extraction]:
    from gne import GeneralNewsExtractor
    extractor = GeneralNewsExtractor()

    def extract(html: bytes, url: str | None, lang: str | None) -> Extraction:
        result = extractor.extract(_decoded(html), host=url or "")
        author = (result.get("author") or "").strip()
        return Extraction(body=result.get("content") or "", title=result.get("title"),
                          date=_day(result.get("publish_time")), authors=[author] if author else [])

    return extract


_NEWSPAPER_LANGS: set[str] | None = None


def _newspaper4k() -> Callable[[bytes, str | None, str | None], Extraction]:
    global _NEWSPAPER_LANGS
    warnings.filterwarnings("ignore", module="newspaper")
    import newspaper
    from newspaper.languages import get_available_languages
    if _NEWSPAPER_LANGS is None:
        _NEWSPAPER_LANGS = set(get_available_languages())

    def extract(html: bytes, url: str | None, lang: str | None) -> Extraction:
        # the corpus' language when newspaper4k knows it (it finds no Chinese body on its own)
        language = lang if lang in _NEWSPAPER_LANGS else None
        article = newspaper.Article(url or "http://localhost/", language=language, fetch_images=False)
        article.download(input_html=_decoded(html))
        article.parse()
        return Extraction(body=article.text or "", title=article.title or None, date=_day(article.publish_date),
                          authors=list(article.authors or []))

    return extract


_FACTORIES = {"trafilatura": _trafilatura, "readability": _readability, "gne": _gne, "newspaper4k": _newspaper4k}
_LOADED: dict[str, Callable[[bytes, str | None, str | None], Extraction]] = {}


def extractor(name: str) -> Callable[[bytes, str | None, str | None], Extraction]:
    if name == NEWSDUCK:
        return newsduck_extract
    if name not in _LOADED:
        _LOADED[name] = _FACTORIES[name]()
    return _LOADED[name]


def run_one(name: str, html: bytes, url: str | None, lang: str | None) -> Extraction:
    """One tool on one page; an exception becomes an empty extraction with the error."""
    start = time.process_time()
    try:
        result = extractor(name)(html, url, lang)
    except Exception as exc:  # a rival's crash on one page must not end the benchmark
        result = Extraction(body="", error=f"{type(exc).__name__}: {str(exc)[:200]}")
    result.seconds = time.process_time() - start
    return result


# --- cache ----------------------------------------------------------------------------------------

def cache_dir() -> Path:
    configured = os.environ.get("NEWSDUCK_BENCH_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsduck-bench"


class RivalCache:
    """Rival outputs by (rival, version, page key, page digest), one JSON-lines file per rival version."""

    def __init__(self, directory: Path | None, name: str, version: str):
        self.path = directory / f"{name}-{version}.jsonl" if directory is not None else None
        self.entries: dict[str, dict[str, Any]] = {}
        if self.path is not None and self.path.exists():
            with self.path.open(encoding="utf-8") as lines:
                for line in lines:
                    try:
                        item = json.loads(line)
                    except ValueError:
                        continue  # a line cut short by a killed run
                    self.entries[item["k"]] = item["v"]

    @staticmethod
    def key(page_key: str, html: bytes, url: str | None, lang: str | None) -> str:
        digest = hashlib.sha1(html + f"\0{url}\0{lang}".encode()).hexdigest()[:16]
        return f"{page_key}:{digest}"

    def get(self, key: str) -> Extraction | None:
        item = self.entries.get(key)
        return Extraction(**item) if item is not None else None

    def put_many(self, items: list[tuple[str, Extraction]]) -> None:
        for key, extraction in items:
            self.entries[key] = extraction.to_json()
        if self.path is None or not items:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            for key, extraction in items:
                out.write(json.dumps({"k": key, "v": extraction.to_json()}, ensure_ascii=False) + "\n")
