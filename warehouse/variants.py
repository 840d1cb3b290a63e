"""URL variants: one article reached under more URLs of one page (`content_3.html` and `content_3.html?div=-1`).

A new article whose content hash equals that of an article stored (or new in the same batch) under the same
scheme, host and path, one URL's query parameters a superset of the other's (a stored article: the new URL
with one parameter, or all, left out), is that article: the page becomes
a `duplicate` of it and its URL goes to `url_aliases`. The parameters the longer URL adds are learned for the
host (`ignored_query_params`) unless they tell stored articles of that path apart; the frontier leaves learned
parameters out of its dedup keys and skips queued URLs that differ from a known one only by them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import duckdb
import pyarrow as pa

from parsers.urls import dedup_key, query_variant_extras

from .bulk import execute_in, insert_new
from .ids import article_id_for
from .rows import DUPLICATE, NEW, PageRows
from .schemas import TS


def mark_url_variants(con: duckdb.DuckDBPyConnection, pages: list[PageRows], *, run_id: str,
                      now: datetime) -> None:
    """Turn this batch's new articles that are URL variants of another article into duplicates of it, and record
    their URLs and the parameters learned. Runs in the batch's transaction, after classification."""
    new = [p for p in pages if p.outcome == NEW and _is_web_url(p.key)]
    if not new:
        return
    # Stored candidates are looked up by key (the primary key's index, never a scan that grows with the
    # database): a new URL's plainer forms, one parameter or all of them left out, are the articles it may repeat.
    known: dict[str, list[tuple[str, str]]] = defaultdict(list)  # content hash -> [(article_id, url)]
    wanted = {article_id_for(url) for p in new for url in _plainer_forms(p.key)}
    for sha, article_id, url in execute_in(
            con, "SELECT content_sha256, article_id, url FROM articles WHERE article_id IN ({values})", wanted):
        if url:
            known[sha].append((article_id, url))
    aliases: list[tuple[str, str]] = []            # (url, article_id)
    learned: dict[tuple[str, str], str] = {}       # (host, param) -> the URL that taught it
    for page in sorted(new, key=lambda p: _query_length(p.key)):  # the plainest URL of a page is its article
        sha = page.article.content_sha256
        match = next(((article_id, url, extras) for article_id, url in known[sha]
                      if (extras := _extras_between(page.key, url)) is not None), None)
        if match is None:
            known[sha].append((page.article.article_id, page.key))
            continue
        article_id, url, extras = match
        page.outcome = DUPLICATE
        page.alias_of = article_id
        aliases.append((page.key, article_id))
        longer = page.key if _query_length(page.key) >= _query_length(url) else url
        for param in extras:
            learned.setdefault((urlsplit(longer).hostname or "", param), longer)
    if aliases:
        insert_new(con, "url_aliases", pa.table({
            "url": [url for url, _ in aliases], "article_id": [article_id for _, article_id in aliases],
            "first_seen_at": pa.array([now] * len(aliases), TS), "run_id": [run_id] * len(aliases)}), [("url",)])
    learn = [(host, param, url) for (host, param), url in learned.items() if not _tells_apart(con, url, param)]
    if learn:
        insert_new(con, "ignored_query_params", pa.table({
            "host": [host for host, _, _ in learn], "param": [param for _, param, _ in learn],
            "learned_from": [url for _, _, url in learn], "learned_at": pa.array([now] * len(learn), TS)}),
            [("host", "param")])
        skip_queued_variants(con, sorted({host for host, _, _ in learn}))


def skip_queued_variants(con: duckdb.DuckDBPyConnection, hosts: list[str]) -> int:
    """Mark `skipped` the queued URLs of `hosts` that differ from another URL of the frontier only by parameters
    learned as not changing the page; returns how many."""
    params = ignored_params(con, hosts)
    skipped = []
    for host, names in params.items():
        queued = [url for (url,) in con.execute("SELECT url FROM urls WHERE host = ? AND status = 'queued'",
                                                [host]).fetchall()
                  if any(pair.partition("=")[0] in names for pair in urlsplit(url).query.split("&"))]
        keys = {url: dedup_key(url, None, names) for url in queued}
        known = {key for (key,) in execute_in(con, "SELECT dedup_key FROM urls WHERE dedup_key IN ({values})",
                                              [k for k in keys.values() if k])}
        skipped += [[f"a URL variant of {keys[url]}", url] for url in queued if keys[url] in known]
    if skipped:
        con.executemany("UPDATE urls SET status = 'skipped', last_error = ? WHERE url = ?", skipped)
    return len(skipped)


def ignored_params(con: duckdb.DuckDBPyConnection, hosts: list[str]) -> dict[str, frozenset[str]]:
    """host -> the query parameters learned as not changing its pages."""
    found: dict[str, set[str]] = defaultdict(set)
    for host, param in execute_in(con, "SELECT host, param FROM ignored_query_params WHERE host IN ({values})",
                                  hosts):
        found[host].add(param)
    return {host: frozenset(params) for host, params in found.items()}


def _plainer_forms(url: str, most: int = 8) -> list[str]:
    """`url` without each one of its query parameters, and without any (for URLs of up to `most` parameters)."""
    parts = urlsplit(url)
    pairs = [pair for pair in parts.query.split("&") if pair]
    if not pairs or len(pairs) > most:
        return []
    forms = [urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(pairs[:i] + pairs[i + 1:]), ""))
             for i in range(len(pairs))]
    forms.append(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
    return list(dict.fromkeys(forms))


def _extras_between(a: str, b: str) -> tuple[str, ...] | None:
    return query_variant_extras(a, b) or query_variant_extras(b, a)


def _query_length(url: str) -> int:
    query = urlsplit(url).query
    return len(query.split("&")) if query else 0


def _is_web_url(key: str | None) -> bool:
    return bool(key) and key.startswith(("http://", "https://"))


def _tells_apart(con: duckdb.DuckDBPyConnection, url: str, param: str) -> bool:
    """Whether stored articles of `url`'s path carry different values of `param` (then it names the article)."""
    parts = urlsplit(url)
    prefix = f"{parts.scheme}://{parts.netloc}{parts.path}?"
    values = set()
    for (stored,) in con.execute("SELECT url FROM articles WHERE parent_article_id IS NULL AND starts_with(url, ?)",
                                 [prefix]).fetchall():
        for pair in urlsplit(stored).query.split("&"):
            name, _, value = pair.partition("=")
            if name == param:
                values.add(value)
    return len(values) > 1
