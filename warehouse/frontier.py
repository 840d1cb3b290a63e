"""The crawl frontier: table `urls`, one row per URL a crawl knows, and what happened when it was last fetched.

Only bulk statements: URLs are queued with one INSERT … SELECT from an Arrow table (new by URL and by dedup key, so
a URL known by its canonical form or its dedup key is never queued twice), and a batch's outcomes are written
with one UPDATE … FROM an Arrow table. Readers page through the rows to fetch with a keyset cursor, so a crawl
never holds the whole frontier in memory.

Life of a URL: `queued` → fetched and loaded: `stored` (an article), `fetched` (a list page, feed, sitemap or a
page that turned out not to be an article), `not_modified` (304 to a conditional GET); or `failed` (retried from
`next_attempt_at`, with exponential backoff, until `fail_count` reaches the maximum: then `gone`), `skipped`
(never requested again: robots.txt forbids it, or it is not an HTML page) or `gone` (HTTP 410).
A killed crawl leaves the URLs it had not loaded `queued`, and the next run fetches them.

Leases: a crawl claims the URLs it is about to fetch (`claim_urls`: rows of `url_leases`), a chunk at a time
in one short transaction, and no other crawl fetches a URL while its lease lasts. Settling a URL or finishing the
run ends the lease; the loads of a live crawl extend its leases (`renew_leases`), so only a dead crawl's leases
run out, after URL_LEASE, and its URLs are due again. A lease holds only while its run is `running`: one left by a
run that ended (its release not written: a full disk) or that the next run found dead holds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Sequence

import duckdb
import pyarrow as pa

from parsers.urls import canonicalize_url, dedup_key, without_params
from parsers.urls import host_of as url_host

from .bulk import execute_in, insert_new, registered
from .db import one_transaction
from .runs import RUNNING
from .variants import ignored_params

ARTICLE, LIST, FEED, SITEMAP, EDITION, EPAPER_PAGE = "article", "list", "feed", "sitemap", "edition", "epaper_page"
KINDS = (ARTICLE, LIST, FEED, SITEMAP, EDITION, EPAPER_PAGE)
QUEUED, FETCHED, STORED, NOT_MODIFIED, FAILED, SKIPPED, GONE = (
    "queued", "fetched", "stored", "not_modified", "failed", "skipped", "gone")
STATUSES = (QUEUED, FETCHED, STORED, NOT_MODIFIED, FAILED, SKIPPED, GONE)
# States whose stored validators (ETag, Last-Modified) may be sent: the warehouse has what a 304 refers to.
HAVE_CONTENT = (STORED, NOT_MODIFIED, FETCHED)

MAX_FAILS = 5                         # the fifth failure in a row makes a URL `gone`
RETRY_BASE = timedelta(hours=1)       # first retry after 1 h, then 2 h, 4 h, … (capped)
RETRY_MAX = timedelta(days=7)
URL_LEASE = timedelta(minutes=10)     # a claimed URL is another crawl's to fetch this long after its crawl's last sign

TS = pa.timestamp("us", tz="UTC")
QUEUE_SCHEMA = pa.schema([
    ("url", pa.string()), ("dedup_key", pa.string()), ("host", pa.string()), ("source_id", pa.string()),
    ("kind", pa.string()), ("discovered_at", TS), ("discovered_run_id", pa.string()),
    ("edition_date", pa.date32()), ("page_no", pa.string()), ("page_name", pa.string()),
])
MARK_SCHEMA = pa.schema([
    ("url", pa.string()), ("status", pa.string()), ("fetched_at", TS), ("http_status", pa.int64()),
    ("etag", pa.string()), ("last_modified", pa.string()), ("error", pa.string()),
])
PLACEMENT_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("edition_date", pa.date32()), ("page_no", pa.string()), ("page_name", pa.string()),
])
URL_LIST_SCHEMA = pa.schema([("url", pa.string())])


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class NewUrl:
    """A URL to queue. `url` is made canonical; e-paper articles carry where they were printed."""
    url: str
    kind: str
    edition_date: date | None = None
    page_no: str | None = None
    page_name: str | None = None


@dataclass
class FrontierRow:
    """A URL to fetch, with what the last fetch left (validators for a conditional GET, e-paper placement)."""
    url: str
    kind: str
    status: str
    discovered_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    edition_date: date | None = None
    page_no: str | None = None
    page_name: str | None = None

    @property
    def cursor(self) -> tuple[datetime, str]:
        return (self.discovered_at, self.url)


@dataclass
class UrlMark:
    """The outcome of fetching one URL. status FAILED counts a failure (and may turn into GONE)."""
    url: str
    status: str
    fetched_at: datetime | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None


@dataclass
class Placement:
    """Where an e-paper article was printed."""
    article_id: str
    edition_date: date | None
    page_no: str | None
    page_name: str | None


# --------------------------------------------------------------------------------------------------- writes


def queue_urls(con: duckdb.DuckDBPyConnection, urls: Iterable[NewUrl], *, source_id: str | None,
               run_id: str | None = None, now: datetime | None = None) -> int:
    """Queue the URLs the frontier does not know yet (by canonical URL or dedup key, which leaves out the query
    parameters learned as not changing the host's pages); returns how many were new."""
    now = now or utc_now()
    wanted = []
    for item in urls:
        if item.kind not in KINDS:
            raise ValueError(f"unknown frontier kind {item.kind!r}")
        canonical = canonicalize_url(item.url)
        if canonical is not None:
            wanted.append((item, canonical, url_host(canonical) or ""))
    ignored = ignored_params(con, sorted({host for _, _, host in wanted}))
    rows = []
    for item, canonical, host in wanted:
        # a learned parameter does not change the page: the URL without it is the one to fetch
        canonical = without_params(canonical, ignored.get(host, frozenset()))
        rows.append({
            "url": canonical, "dedup_key": dedup_key(canonical) or canonical, "host": host,
            "source_id": source_id, "kind": item.kind, "discovered_at": now, "discovered_run_id": run_id,
            "edition_date": item.edition_date, "page_no": item.page_no, "page_name": item.page_name,
        })
    if not rows:
        return 0
    return insert_new(con, "urls", pa.Table.from_pylist(rows, schema=QUEUE_SCHEMA), [("url",), ("dedup_key",)])


def mark_urls(con: duckdb.DuckDBPyConnection, marks: Sequence[UrlMark], *, now: datetime | None = None,
              max_fails: int = MAX_FAILS, retry_base: timedelta = RETRY_BASE, retry_max: timedelta = RETRY_MAX) -> None:
    """Record a batch of fetch outcomes in one UPDATE. Success clears the failure count; a failure raises it,
    schedules the retry (retry_base * 2**earlier_failures, at most retry_max) and past `max_fails` makes it GONE."""
    if not marks:
        return
    now = now or utc_now()
    last = {m.url: m for m in marks}  # a URL twice in one batch: its last outcome counts
    table = pa.Table.from_pylist(
        [{"url": m.url, "status": m.status, "fetched_at": m.fetched_at, "http_status": m.http_status,
          "etag": m.etag, "last_modified": m.last_modified, "error": m.error} for m in last.values()],
        schema=MARK_SCHEMA,
    )
    with registered(con, "__frontier_marks", table) as view:
        con.execute(
            f"""UPDATE urls SET
                    last_fetched_at = coalesce(m.fetched_at, urls.last_fetched_at),
                    http_status = coalesce(m.http_status, urls.http_status),
                    etag = CASE WHEN m.status = '{FAILED}' THEN urls.etag ELSE coalesce(m.etag, urls.etag) END,
                    last_modified = CASE WHEN m.status = '{FAILED}' THEN urls.last_modified
                                         ELSE coalesce(m.last_modified, urls.last_modified) END,
                    fail_count = CASE WHEN m.status = '{FAILED}' THEN urls.fail_count + 1 ELSE 0 END,
                    status = CASE WHEN m.status = '{FAILED}' AND urls.fail_count + 1 >= $max_fails THEN '{GONE}'
                                  ELSE m.status END,
                    next_attempt_at = CASE WHEN m.status = '{FAILED}' AND urls.fail_count + 1 < $max_fails
                        THEN $now + to_microseconds(CAST(least($retry_max, $retry_base * pow(2, urls.fail_count)) AS BIGINT))
                        ELSE NULL END,
                    last_error = CASE WHEN m.status IN ('{FAILED}', '{SKIPPED}', '{GONE}') THEN m.error ELSE NULL END
                FROM {view} m
                WHERE urls.url = m.url""",
            {"max_fails": max_fails, "now": now, "retry_base": _micros(retry_base), "retry_max": _micros(retry_max)},
        )
        con.execute(f"DELETE FROM url_leases WHERE url IN (SELECT url FROM {view})")  # settled: no lease


def claim_urls(con: duckdb.DuckDBPyConnection, run_id: str, source_id: str | None, *, host: str | None = None,
               after: tuple[datetime, str] | None = None, limit: int = 500, refresh: bool = False,
               now: datetime | None = None, kind: str = ARTICLE) -> list[FrontierRow]:
    """`urls_to_fetch` for run `run_id`, leased to it: the next `limit` due URLs after the cursor that no other
    crawl holds (its lease not yet run out), each leased to `run_id` for URL_LEASE. One short transaction on the
    caller's write connection (`one_transaction`), so the read and the lease of two crawls never interleave: on a
    DuckDB file one process writes at a time; on a lake the transaction claims the commit token, and one that
    overlaps another crawl's claim is refused and read again."""
    def claim() -> list[FrontierRow]:
        rows = urls_to_fetch(con, source_id, host=host, after=after, limit=limit, refresh=refresh, now=now,
                             kind=kind, run_id=run_id)
        if rows:
            claimed = pa.Table.from_pylist([{"url": row.url} for row in rows], schema=URL_LIST_SCHEMA)
            with registered(con, "__frontier_claims", claimed) as view:
                con.execute(f"DELETE FROM url_leases WHERE url IN (SELECT url FROM {view})")  # leases run out
                con.execute(f"INSERT INTO url_leases SELECT url, $run_id, $until FROM {view}",
                            {"run_id": run_id, "until": utc_now() + URL_LEASE})
        return rows

    return one_transaction(con, claim)


def renew_leases(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """The run is alive: its leases last URL_LEASE from now."""
    con.execute("UPDATE url_leases SET lease_until = ? WHERE run_id = ?", [utc_now() + URL_LEASE, run_id])


def release_leases(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """The run is over: the URLs it claimed and did not settle are due for any crawl again."""
    con.execute("DELETE FROM url_leases WHERE run_id = ?", [run_id])


def place_epaper_articles(con: duckdb.DuckDBPyConnection, placements: Sequence[Placement]) -> None:
    """Copy edition date and page (版) onto articles (and their sub-articles) in one UPDATE."""
    if not placements:
        return
    table = pa.Table.from_pylist(
        [{"article_id": p.article_id, "edition_date": p.edition_date, "page_no": p.page_no, "page_name": p.page_name}
         for p in placements],
        schema=PLACEMENT_SCHEMA,
    )
    with registered(con, "__epaper_placements", table) as view:
        con.execute(
            f"""UPDATE articles SET edition_date = p.edition_date, page_no = p.page_no, page_name = p.page_name
                FROM {view} p
                WHERE articles.article_id = p.article_id OR articles.parent_article_id = p.article_id""")


def finish_crawl_run(con: duckdb.DuckDBPyConnection, run_id: str, *, source_id: str | None, discovered: int,
                     fetched: int, not_modified: int, bytes_read: int, duration_s: float) -> None:
    """The crawl's own counts on its `runs` row (warehouse.runs.finish_run stores the load counts)."""
    con.execute(
        """UPDATE runs SET source_id = ?, discovered = ?, fetched = ?, not_modified = ?, bytes = ?, duration_s = ?
           WHERE run_id = ?""",
        [source_id, discovered, fetched, not_modified, bytes_read, duration_s, run_id],
    )


# ---------------------------------------------------------------------------------------------------- reads


def hosts_to_fetch(con: duckdb.DuckDBPyConnection, source_id: str | None, *, refresh: bool = False,
                   now: datetime | None = None, kind: str = ARTICLE, run_id: str | None = None) -> list[tuple[str, int]]:
    """(host, number of due URLs) for the hosts that have URLs of `kind` due for fetching, most first; with
    `run_id`, not counting those another crawl holds."""
    where, params = _due_condition(source_id, refresh=refresh, now=now or utc_now(), kind=kind, run_id=run_id)
    rows = con.execute(f"SELECT host, count(*) AS n FROM urls WHERE {where} GROUP BY host ORDER BY n DESC, host",
                       params).fetchall()
    return [(host, int(n)) for host, n in rows]


def urls_to_fetch(con: duckdb.DuckDBPyConnection, source_id: str | None, *, host: str | None = None,
                  after: tuple[datetime, str] | None = None, limit: int = 500, refresh: bool = False,
                  now: datetime | None = None, kind: str = ARTICLE, run_id: str | None = None) -> list[FrontierRow]:
    """The next `limit` due URLs (oldest discovered first) after the keyset cursor `after`.

    Due: queued; failed with next_attempt_at reached; and with `refresh`, also those already fetched
    (their ETag / Last-Modified make the fetch conditional). With `run_id`: not held by another crawl's lease.
    """
    where, params = _due_condition(source_id, refresh=refresh, now=now or utc_now(), kind=kind, run_id=run_id)
    if host is not None:
        where += " AND host = $host"
        params["host"] = host
    if after is not None:
        where += " AND (discovered_at > $after_at OR (discovered_at = $after_at AND url > $after_url))"
        params["after_at"], params["after_url"] = after
    rows = con.execute(
        f"""SELECT url, kind, status, discovered_at, etag, last_modified, edition_date, page_no, page_name
            FROM urls WHERE {where} ORDER BY discovered_at, url LIMIT {int(limit)}""",
        params,
    ).fetchall()
    return [FrontierRow(*row) for row in rows]


def _due_condition(source_id: str | None, *, refresh: bool, now: datetime, kind: str,
                   run_id: str | None = None) -> tuple[str, dict]:
    states = f"status = '{QUEUED}' OR (status = '{FAILED}' AND (next_attempt_at IS NULL OR next_attempt_at <= $now))"
    if refresh:
        states += " OR status IN (" + ", ".join(f"'{s}'" for s in HAVE_CONTENT) + ")"
    source = "source_id = $source_id" if source_id is not None else "source_id IS NULL"
    params = {"now": now, "kind": kind}
    if source_id is not None:
        params["source_id"] = source_id
    condition = f"{source} AND kind = $kind AND ({states})"
    if run_id is not None:  # leases run out by the clock, whatever `now` the crawl reads its due URLs at
        condition += (" AND url NOT IN (SELECT l.url FROM url_leases l WHERE l.run_id <> $run_id"
                      f" AND l.lease_until > $clock AND l.run_id IN (SELECT run_id FROM runs WHERE status = '{RUNNING}'))")
        params.update(run_id=run_id, clock=utc_now())
    return condition, params


def validators(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
    """canonical URL -> (ETag, Last-Modified) for URLs fetched before whose content the warehouse has."""
    rows = execute_in(con, f"""SELECT url, etag, last_modified FROM urls WHERE url IN ({{values}})
                               AND status IN ({', '.join(f"'{s}'" for s in HAVE_CONTENT)})
                               AND (etag IS NOT NULL OR last_modified IS NOT NULL)""", urls)
    return {url: (etag, last_modified) for url, etag, last_modified in rows}


def urls_with_articles(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> set[str]:
    """Which of `urls` an article was stored from (articles.url): a 304 for them means "unchanged article"."""
    if not urls:
        return set()
    table = pa.Table.from_pylist([{"url": u} for u in set(urls)], schema=URL_LIST_SCHEMA)
    with registered(con, "__frontier_article_urls", table) as view:
        rows = con.execute(f"SELECT DISTINCT a.url FROM articles a JOIN {view} l ON a.url = l.url "
                           "WHERE a.parent_article_id IS NULL").fetchall()
    return {url for (url,) in rows}


def status_counts(con: duckdb.DuckDBPyConnection, source_id: str | None, kind: str = ARTICLE) -> dict[str, int]:
    """How many of the source's URLs of `kind` are in each state."""
    source = "source_id = ?" if source_id is not None else "source_id IS NULL"
    params = [source_id, kind] if source_id is not None else [kind]
    rows = con.execute(f"SELECT status, count(*) FROM urls WHERE {source} AND kind = ? GROUP BY status", params).fetchall()
    return {status: count for status, count in rows}


def _micros(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1_000_000)
