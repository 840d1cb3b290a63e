"""The warehouse queries behind `newsduck browse` (flows/browse): counts, lists, one article with everything
known about it, a person, a site, a source, the runs. Read-only; no HTML here.

Every list is a `Table` (columns and rows), which the app renders as HTML, JSON or CSV alike. Stories only
(`parent_article_id IS NULL`) are counted and listed, as in the views of docs/schema.md; sub-articles are shown
with their story. Days are `published_date`, the publication day as the page gives it (China local date).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Sequence

import duckdb

from .bulk import execute_in
from .raw import read_body
from .runs import RUN_FIELDS, latest_runs

__all__ = ["Table", "overview", "daily_articles", "newest_articles", "article", "languages", "raw_page", "person",
           "site_summary", "source_summary", "runs", "run_errors", "sites", "sources"]

CHART_DAYS = 90  # the home chart: this many days up to the newest publication day in the warehouse


@dataclass
class Table:
    """One list: column names and rows of values, in the order shown."""
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)


def _table(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | dict | None = None) -> Table:
    cursor = con.execute(sql, params or [])
    return Table([d[0] for d in cursor.description], cursor.fetchall())


def overview(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The home page's counts: stories, sites, sources, people."""
    articles, sites = con.execute(
        "SELECT count(*), count(DISTINCT site) FROM articles WHERE parent_article_id IS NULL").fetchone()
    sources = con.execute("SELECT count(*) FROM sources").fetchone()[0]
    people = con.execute("SELECT count(*) FROM people").fetchone()[0]
    return {"articles": articles, "sites": sites, "sources": sources, "people": people}


def daily_articles(con: duckdb.DuckDBPyConnection, days: int = CHART_DAYS, *, site: str | None = None,
                   source_id: str | None = None) -> Table:
    """Stories per site and publication day over the `days` days up to the newest day stored (of this site or
    source, when given): columns site, day, articles; days without stories are left out."""
    where, params = _article_filter(site=site, source_id=source_id)
    newest = con.execute(f"SELECT max(published_date) FROM articles a WHERE {where}", params).fetchone()[0]
    if newest is None:
        return Table(["site", "day", "articles"])
    return _table(con, f"""
        SELECT site, published_date AS day, count(*) AS articles
        FROM articles a
        WHERE {where} AND published_date BETWEEN ? AND ?
        GROUP BY site, published_date
        ORDER BY day, site""", [*params, newest - timedelta(days=days - 1), newest])


def _article_filter(*, site: str | None = None, source_id: str | None = None,
                    person_id: str | None = None) -> tuple[str, list]:
    """SQL conditions on `articles a` (stories only) and their parameters."""
    where, params = ["a.parent_article_id IS NULL"], []
    if site is not None:
        where.append("a.site = ?")
        params.append(site)
    if source_id is not None:
        where.append("a.source_id = ?")
        params.append(source_id)
    if person_id is not None:
        where.append("a.article_id IN (SELECT article_id FROM article_people WHERE person_id = ?)")
        params.append(person_id)
    return " AND ".join(where), params


_ARTICLE_ROW = """
SELECT a.article_id, a.title, a.site, a.site_name, a.source_name, a.published_at, a.published_date,
       a.published_precision, a.language, a.url
FROM articles a
"""


def newest_articles(con: duckdb.DuckDBPyConnection, *, limit: int = 10, offset: int = 0, site: str | None = None,
                    source_id: str | None = None) -> Table:
    """Stories, latest publication first (undated last)."""
    where, params = _article_filter(site=site, source_id=source_id)
    return _table(con, f"""{_ARTICLE_ROW} WHERE {where}
        ORDER BY a.published_at DESC NULLS LAST, a.article_id LIMIT ? OFFSET ?""", [*params, limit, offset])


def article(con: duckdb.DuckDBPyConnection, article_id: str) -> dict[str, Any] | None:
    """One article (story or sub-article) with its body blocks, credits, images, sub-articles, relations and
    provenance; None when there is no such article."""
    found = con.execute("SELECT * FROM articles WHERE article_id = ?", [article_id]).fetchone()
    if found is None:
        return None
    columns = [d[0] for d in con.description]
    record = dict(zip(columns, found))
    record["provenance"] = json.loads(record["provenance"]) if record.get("provenance") else {}
    record["images"] = _table(con, "SELECT seq, src, caption, credit FROM images WHERE article_id = ? ORDER BY seq",
                              [article_id]).dicts()
    subs = _table(con, """
        SELECT article_id, sub_seq, title FROM articles WHERE parent_article_id = ? ORDER BY sub_seq""",
                  [article_id]).dicts()
    # the blocks of the article and of its sub-articles in one pass over `paragraphs` (it has no index by article)
    blocks: dict[str, list[dict]] = {article_id: [], **{sub["article_id"]: [] for sub in subs}}
    for owner, seq, kind, text in execute_in(
            con, "SELECT article_id, seq, kind, text FROM paragraphs WHERE article_id IN ({values}) ORDER BY seq",
            list(blocks)):
        blocks[owner].append({"seq": seq, "kind": kind, "text": text})
    # the credits of the article and of its sub-articles, likewise
    people: dict[str, list[dict]] = {owner: [] for owner in blocks}
    for owner, person_id, name, role, seq in execute_in(
            con, "SELECT article_id, person_id, name, role, seq FROM article_people_v WHERE article_id IN ({values}) "
                 "ORDER BY seq", list(blocks)):
        people[owner].append({"person_id": person_id, "name": name, "role": role, "seq": seq})
    record["blocks"], record["people"] = blocks[article_id], people[article_id]
    for sub in subs:
        sub["blocks"], sub["people"] = blocks[sub["article_id"]], people[sub["article_id"]]
    record["sub_articles"] = subs
    record["parent"] = None if record["parent_article_id"] is None else con.execute(
        "SELECT article_id, title FROM articles WHERE article_id = ?", [record["parent_article_id"]]).fetchone()
    # `direction` says which side this article is on: 'later' = it is the copy (or the repost) of the other.
    record["relations"] = _table(con, """
        SELECT r.relation, 'later' AS direction, r.similarity, r.method, o.article_id, o.title, o.site,
               o.published_at, o.url
        FROM article_relations r JOIN articles o ON o.article_id = r.related_article_id
        WHERE r.article_id = $id
        UNION ALL
        SELECT r.relation, 'earlier', r.similarity, r.method, o.article_id, o.title, o.site, o.published_at, o.url
        FROM article_relations r JOIN articles o ON o.article_id = r.article_id
        WHERE r.related_article_id = $id
        ORDER BY published_at NULLS LAST, article_id, relation, direction""", {"id": article_id}).dicts()
    record["has_raw_page"] = record["body_sha256"] is not None and con.execute(
        "SELECT count(*) FROM raw_pages WHERE body_sha256 = ?", [record["body_sha256"]]).fetchone()[0] > 0
    return record


def languages(con: duckdb.DuckDBPyConnection, article_ids: list[str]) -> dict[str, str | None]:
    """The `language` of each of these articles (those that exist)."""
    return dict(execute_in(con, "SELECT article_id, language FROM articles WHERE article_id IN ({values})",
                           article_ids))


def raw_page(con: duckdb.DuckDBPyConnection, article_id: str) -> tuple[bytes, str | None, str | None] | None:
    """The stored page an article was extracted from: (bytes, content type, charset); None if not stored."""
    row = con.execute("""
        SELECT r.body_sha256, r.content_type, r.charset
        FROM articles a JOIN raw_pages r ON r.body_sha256 = a.body_sha256
        WHERE a.article_id = ?""", [article_id]).fetchone()
    if row is None:
        return None
    body = read_body(con, row[0])
    return None if body is None else (body, row[1], row[2])


def person(con: duckdb.DuckDBPyConnection, person_id: str, *, limit: int = 50, offset: int = 0) -> dict | None:
    """A person: name, articles per role, stories per month, and the stories crediting them (latest first)."""
    found = con.execute("SELECT person_id, name FROM people WHERE person_id = ?", [person_id]).fetchone()
    if found is None:
        return None
    roles = _table(con, """
        SELECT role, count(DISTINCT article_id) AS articles FROM article_people WHERE person_id = ?
        GROUP BY role ORDER BY articles DESC, role""", [person_id])
    months = _table(con, """
        SELECT strftime(a.published_date, '%Y-%m') AS month, count(DISTINCT a.article_id) AS articles
        FROM article_people ap JOIN articles a ON a.article_id = ap.article_id
        WHERE ap.person_id = ? AND a.published_date IS NOT NULL
        GROUP BY month ORDER BY month""", [person_id])
    articles = _table(con, """
        SELECT a.article_id, a.title, a.site, a.published_at, a.published_date, a.published_precision, a.language,
               string_agg(ap.role, ', ' ORDER BY ap.seq) AS roles, a.parent_article_id
        FROM article_people ap JOIN articles a ON a.article_id = ap.article_id
        WHERE ap.person_id = ?
        GROUP BY ALL
        ORDER BY a.published_at DESC NULLS LAST, a.article_id
        LIMIT ? OFFSET ?""", [person_id, limit, offset])
    return {"person_id": found[0], "name": found[1], "roles": roles, "months": months, "articles": articles}


def _parser_versions(con: duckdb.DuckDBPyConnection, where: str, params: list) -> Table:
    return _table(con, f"""
        SELECT parser_version, count(*) AS articles, min(first_seen_at) AS first_seen, max(first_seen_at) AS last_seen
        FROM articles a WHERE {where}
        GROUP BY parser_version ORDER BY last_seen DESC NULLS LAST""", params)


_ERROR_COLUMNS = "e.error_id, e.run_id, e.created_at, e.input, e.stage, e.error_type, e.message"


def site_summary(con: duckdb.DuckDBPyConnection, site: str, *, limit: int = 50) -> dict[str, Any] | None:
    """A site (host): stories, days covered, parser versions and the latest errors of its URLs."""
    where, params = _article_filter(site=site)
    articles, first, last = con.execute(
        f"SELECT count(*), min(published_date), max(published_date) FROM articles a WHERE {where}", params).fetchone()
    errors = _table(con, f"""
        SELECT {_ERROR_COLUMNS} FROM errors e
        WHERE e.input LIKE 'http://' || $site || '/%' OR e.input LIKE 'https://' || $site || '/%'
           OR e.input LIKE 'http://' || $site || ':%' OR e.input LIKE 'https://' || $site || ':%'
        ORDER BY e.error_id DESC LIMIT $limit""", {"site": site, "limit": limit})
    if articles == 0 and not errors:
        return None
    return {"site": site, "articles": articles, "first_day": first, "last_day": last,
            "parser_versions": _parser_versions(con, where, params), "errors": errors}


def source_summary(con: duckdb.DuckDBPyConnection, source_id: str, *, limit: int = 50) -> dict[str, Any] | None:
    """A configured source (`sources`): its row, stories attributed to it, parser versions, its runs' errors."""
    found = con.execute("SELECT source_id, name, kind, start_url, created_at FROM sources WHERE source_id = ?",
                        [source_id]).fetchone()
    if found is None:
        return None
    where, params = _article_filter(source_id=source_id)
    articles, first, last = con.execute(
        f"SELECT count(*), min(published_date), max(published_date) FROM articles a WHERE {where}", params).fetchone()
    errors = _table(con, f"""
        SELECT {_ERROR_COLUMNS} FROM errors e JOIN runs r ON r.run_id = e.run_id
        WHERE r.source_id = ? ORDER BY e.error_id DESC LIMIT ?""", [source_id, limit])
    return {**dict(zip(("source_id", "name", "kind", "start_url", "created_at"), found)), "articles": articles,
            "first_day": first, "last_day": last, "parser_versions": _parser_versions(con, where, params),
            "errors": errors}


def runs(con: duckdb.DuckDBPyConnection, *, limit: int = 10) -> Table:
    """The latest runs, newest first (warehouse.runs.latest_runs: status and every count)."""
    return Table(list(RUN_FIELDS), [tuple(run[name] for name in RUN_FIELDS) for run in latest_runs(con, limit)])


def run_errors(con: duckdb.DuckDBPyConnection, run_id: str, *, limit: int = 200) -> Table:
    return _table(con, f"SELECT {_ERROR_COLUMNS} FROM errors e WHERE e.run_id = ? ORDER BY e.error_id LIMIT ?",
                  [run_id, limit])


def sites(con: duckdb.DuckDBPyConnection) -> Table:
    """Every site with its number of stories and the days they cover, the busiest first."""
    return _table(con, """
        SELECT site, any_value(site_name) AS site_name, count(*) AS articles,
               min(published_date) AS first_day, max(published_date) AS last_day
        FROM articles WHERE parent_article_id IS NULL
        GROUP BY site ORDER BY articles DESC, site""")


def sources(con: duckdb.DuckDBPyConnection) -> Table:
    return _table(con, """
        SELECT s.source_id, s.name, s.kind, s.start_url, count(a.article_id) AS articles
        FROM sources s LEFT JOIN articles a ON a.source_id = s.source_id AND a.parent_article_id IS NULL
        GROUP BY ALL ORDER BY s.source_id""")

