"""Loading one batch of PageResults: one transaction, bulk INSERT … SELECT from Arrow tables.

Per input the outcome is new / updated / unchanged (articles, by content hash), not_article, duplicate (a later
input of the same batch has the same key and wins, or the page's URL is a variant of another article's:
warehouse.variants), error, or an outcome the flows decided that is not an error (skipped_robots, no_edition:
nothing to load). Unchanged articles write nothing but their
`fetches` row. If the transaction fails, nothing of the batch stays and each input gets an `errors` row
with stage "load"; data problems never raise out of `load_batch`. A file that cannot be written (disk full,
an I/O error) is no problem of the data: the batch is rolled back and WarehouseWriteError raised, since no
`errors` row could be written either. On a DuckLake warehouse the batch's transaction claims the lake's commit
token (warehouse.db.write_transaction); a COMMIT that loses a conflict with another writer is no failure either:
the batch is loaded again from fresh reads, until it commits. A lake's loads take turns, so a load segments its
articles for search before its turn and indexes them in its transaction; a file's load queues them for the
search refresh that follows it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from . import raw
from .bulk import execute_in, id_table, insert_arrow, insert_new, registered
from .db import (ConflictBackoff, _database_path, claim_commit_token, is_write_conflict, lift_memory_limit, on_lake,
                 one_transaction, write_turn)
from .models import ErrorInfo, LoadedBatch, PageResult
from .errors import WarehouseWriteError, first_line
from .prepare import prepare_page, prepared_batch, prepared_fingerprints, prepared_rows, relation_fields
from .relations import detect_relations
from .rows import (DUPLICATE, ERROR, NEW, NO_EDITION, NOT_ARTICLE, SKIPPED_ROBOTS, UNCHANGED, UPDATED, ArticleRows,
                   PageRows, distinct_bodies)
from .runs import record_errors, utc_now
from .schemas import (ARTICLE_PERSON_SCHEMA, ARTICLE_SCHEMA, FETCH_SCHEMA, IMAGE_SCHEMA, LINK_SCHEMA, PARAGRAPH_SCHEMA,
                      PERSON_SCHEMA, RAW_PAGE_SCHEMA, STR, TS)
from .search_queue import queue_for_search
from .variants import mark_url_variants

if TYPE_CHECKING:
    from .search import SegmentedArticles

log = logging.getLogger(__name__)

# Columns an update rewrites: everything but the key and the first sighting.
UPDATED_COLUMNS = [name for name in ARTICLE_SCHEMA.names if name not in ("article_id", "first_seen_at")]
CHILD_TABLES = ("paragraphs", "article_people", "images")


# Bookkeeping that commits or rolls back with a batch (the crawl's frontier, the run's counts): called inside the
# batch's transaction with what the load did to each input.
Settle = Callable[[duckdb.DuckDBPyConnection, LoadedBatch], None]


def load_batch(con: duckdb.DuckDBPyConnection, run_id: str, results: Sequence[PageResult | PageRows], *,
               source_id: str | None = None, record_fetches: bool = True, settle: Settle | None = None) -> LoadedBatch:
    """Load one batch in one transaction and return what happened to each input, and the counts.

    Each input is a PageResult, or its rows made beforehand by `warehouse.prepare.prepare_pages` with the same
    `source_id` (then only the database work is left for the write connection).
    `record_fetches=False` is for re-parsing stored pages: nothing was fetched, so no `fetches` rows.
    `settle(con, loaded)` runs in the batch's transaction, before its COMMIT, so that what it writes is never
    without the batch nor the batch without it; it runs for an empty batch too. When the batch fails it is rolled
    back and `settle` runs in the transaction that records the batch's errors, with every input an error; an
    exception `settle` raises there propagates.
    """
    if not results and settle is None:
        return LoadedBatch()
    for item in results:
        if isinstance(item, PageRows) and item.source_id != source_id:
            raise ValueError(f"rows prepared for source {item.source_id!r} loaded as source {source_id!r}")
    pages = [item if isinstance(item, PageRows) else prepare_page(item, source_id) for item in results]
    lake = on_lake(con)
    # A lake's loads take turns, so what needs no turn is done before it: the articles' search documents.
    segmented = segmented_for_search(con, pages) if lake else None
    conflicts = ConflictBackoff()
    while True:
        with write_turn(con):  # on a lake, writers load one at a time; a file has one writer
            con.execute("BEGIN TRANSACTION")
            try:
                if lake:
                    claim_commit_token(con)
                loaded = write_batch(con, run_id, pages, source_id=source_id, now=utc_now(),
                                     record_fetches=record_fetches, segmented=segmented) if pages else LoadedBatch()
                if settle is not None:
                    settle(con, loaded)
                con.execute("COMMIT")
                return loaded
            except Exception as exc:  # any failure of the batch: undo it; below, never raise for data
                rollback(con)
                failure = exc
        if isinstance(failure, duckdb.OutOfMemoryException):
            if not lift_memory_limit(con):
                return failed_batch(con, run_id, results, failure, settle)
            log.warning("load of %d inputs needed more than the batch's memory cap (%s); retrying without it",
                        len(results), first_line(failure))
            continue
        if lake and is_write_conflict(failure):  # another writer committed first: the batch again, fresh reads
            conflicts.wait(failure)
            log.info("load of %d inputs conflicted with another writer's commit; loading it again", len(results))
            continue
        if cannot_write(failure):
            raise WarehouseWriteError(write_failure_message(con, failure, len(results))) from failure
        return failed_batch(con, run_id, results, failure, settle)


def cannot_write(exc: BaseException) -> bool:
    """DuckDB could not write the file (disk full, an I/O error), whatever the batch held."""
    if isinstance(exc, (duckdb.IOException, duckdb.FatalException)):
        return True
    return isinstance(exc, duckdb.TransactionException) and "Failed to commit" in str(exc)


def write_failure_message(con: duckdb.DuckDBPyConnection, exc: BaseException, inputs: int) -> str:
    """One sentence: which file, the system's reason (`No space left on device`), and what was kept."""
    reason = first_line(exc)
    if "Could not write" in reason:
        reason = reason.rsplit(": ", 1)[-1]
    try:
        path = _database_path(con)
    except duckdb.Error:
        path = None
    where = f" {path}" if path is not None else ""
    return (f"cannot write the database{where} ({reason}): the batch of {inputs} pages was rolled back, the batches "
            "loaded before it are kept")


def failed_batch(con: duckdb.DuckDBPyConnection, run_id: str, results: Sequence[PageResult | PageRows],
                 exc: Exception, settle: Settle | None = None) -> LoadedBatch:
    message = f"batch of {len(results)} rolled back: {first_line(exc)}"
    log.warning("load of %d inputs failed: %s", len(results), message)
    inputs = [input_of(r) for r in results]
    loaded = count_outcomes([ERROR] * len(inputs))
    loaded.outcomes = {input_: (ERROR, None) for input_ in inputs}
    errors = [ErrorInfo(input_, "load", type(exc).__name__, message) for input_ in inputs]

    def record() -> None:
        record_errors(con, run_id, errors)
        if settle is not None:
            settle(con, loaded)

    one_transaction(con, record)
    return loaded


def segmented_for_search(con: duckdb.DuckDBPyConnection, pages: list[PageRows]) -> "SegmentedArticles | None":
    """The search documents of the pages' articles and sub-articles, segmented now (warehouse.search
    `segment_articles`), for `write_batch` to index those it stores; None when that fails: the load then queues
    its articles for the next refresh, as on a file."""
    from .search import segment_articles

    try:
        return segment_articles(con, [p.article for p in pages if p.article is not None])
    except Exception as exc:  # noqa: BLE001 - the articles are indexed by the next refresh instead
        log.warning("articles not segmented before their load (%s); queued for the search refresh", first_line(exc))
        return None


def write_batch(con: duckdb.DuckDBPyConnection, run_id: str, pages: list[PageRows], *,
                source_id: str | None, now: datetime, record_fetches: bool = True,
                segmented: "SegmentedArticles | None" = None) -> LoadedBatch:
    """The batch's writes, in the caller's transaction. `segmented`: its articles' search documents
    (`segmented_for_search`), indexed here with the articles; without them the changed articles are queued for
    the search refresh (`queue_for_search`) that follows the load."""
    for page in pages:  # the same prepared rows may be loaded again after a rolled-back attempt
        page.outcome = ERROR
    mark_duplicates(pages)
    articles = [p.article for p in pages if p.article is not None and p.outcome != DUPLICATE]
    existing = existing_articles(con, [a.article_id for a in articles])
    for page in pages:
        if page.outcome == DUPLICATE:
            continue
        if page.article is not None:
            page.outcome = classify(page.article, existing)
        elif page.links is not None:
            page.outcome = NOT_ARTICLE
        elif page.skipped is not None:
            page.outcome = page.skipped
        else:
            page.outcome = ERROR
    mark_url_variants(con, pages, run_id=run_id, now=now)

    new_pages = [p for p in pages if p.outcome == NEW]
    changed = [p for p in pages if p.outcome in (NEW, UPDATED)]
    new = [p.article for p in new_pages]
    updated = [p.article for p in pages if p.outcome == UPDATED]

    insert_raw_pages(con, pages, now)
    if source_id is not None:
        insert_new(con, "sources", pa.table({"source_id": [source_id], "name": [source_id]}), [("source_id",)])
    insert_people(con, new + updated)
    removed_sub_ids = replace_updated_articles(con, updated, existing, run_id, now)
    insert_articles(con, new_pages, run_id, now)
    insert_children(con, changed)
    changed_ids = [i for p in changed for i in p.article.all_article_ids]
    if segmented is not None:
        from .search import index_articles

        index_articles(con, segmented, changed_ids, removed_sub_ids)
    else:
        queue_for_search(con, changed_ids + removed_sub_ids)
    replace_changed_links(con, [p for p in pages if p.outcome == NOT_ARTICLE], run_id)
    if record_fetches:
        insert_fetches(con, pages, run_id)
    record_errors(con, run_id, [e for p in pages for e in p.errors])
    detect_relations(con, [p.article.article_id for p in changed],  # duplicates and reposts, same transaction
                     [relation_fields(p.article) for p in changed],
                     {p.article.article_id: p.fingerprint for p in changed if p.fingerprint is not None},
                     tables=prepared_fingerprints(changed))
    loaded = count_outcomes([p.outcome for p in pages])
    loaded.outcomes = {input_of(p): (p.outcome, fetched_article_id(p)) for p in pages}
    return loaded


def mark_duplicates(pages: list[PageRows]) -> None:
    """Two inputs with the same key in one batch: the last one wins, the earlier ones are 'duplicate'."""
    last_index = {page.key: i for i, page in enumerate(pages) if page.key is not None}
    for i, page in enumerate(pages):
        if page.key is not None and last_index[page.key] != i:
            page.outcome = DUPLICATE


def existing_articles(con: duckdb.DuckDBPyConnection, article_ids: list[str]) -> dict[str, tuple[str, datetime]]:
    """article_id -> (content_sha256, first_seen_at) for the ids already in `articles`."""
    rows = execute_in(con, "SELECT article_id, content_sha256, first_seen_at FROM articles WHERE article_id IN ({values})",
                     article_ids)
    return {article_id: (sha, first_seen) for article_id, sha, first_seen in rows}


def classify(article: ArticleRows, existing: dict[str, tuple[str, datetime]]) -> str:
    if article.article_id not in existing:
        return NEW
    return UNCHANGED if existing[article.article_id][0] == article.content_sha256 else UPDATED


def insert_raw_pages(con: duckdb.DuckDBPyConnection, pages: list[PageRows], now: datetime) -> None:
    """Store each distinct body once (compressed); bodies already in raw_pages are not compressed again."""
    candidates = distinct_bodies(pages)
    if not candidates:
        return
    batch = prepared_batch(pages)
    if batch is not None and on_lake(con):  # the bodies are compressed already: one statement inserts the new ones
        table = batch.tables["raw_pages"]
        insert_new(con, "raw_pages", table.append_column(RAW_PAGE_SCHEMA.field("first_seen_at"), pa.array(
            [now] * table.num_rows, type=TS)), [("body_sha256",)])
        return
    stored = {row[0] for row in execute_in(con, "SELECT body_sha256 FROM raw_pages WHERE body_sha256 IN ({values})",
                                          candidates)}
    if batch is not None:
        table = batch.tables["raw_pages"]
        table = table.filter(pc.invert(pc.is_in(table["body_sha256"], value_set=pa.array(list(stored), type=STR))))
        insert_arrow(con, "raw_pages", table.append_column(RAW_PAGE_SCHEMA.field("first_seen_at"),
                                                           pa.array([now] * table.num_rows, type=TS)))
        return
    rows = []
    for sha, page in candidates.items():
        if sha in stored:
            continue
        compression, blob = page.raw or raw.compress_body(page.body)
        rows.append({"body_sha256": sha, "compression": compression, "body": blob, "bytes": len(page.body),
                     "content_type": page.fetch["content_type"], "charset": page.fetch["charset"],
                     "first_seen_at": now})
    insert_arrow(con, "raw_pages", pa.Table.from_pylist(rows, schema=RAW_PAGE_SCHEMA))


def insert_people(con: duckdb.DuckDBPyConnection, articles: list[ArticleRows]) -> None:
    names: dict[str, str] = {}
    for article in articles:
        names.update(article.people)
    if not names:
        return
    if on_lake(con):  # one statement: the people not stored yet, by anti-join
        insert_new(con, "people", pa.Table.from_pylist(
            [{"person_id": pid, "name": name} for pid, name in names.items()], schema=PERSON_SCHEMA), [("person_id",)])
        return
    stored = {row[0] for row in execute_in(con, "SELECT person_id FROM people WHERE person_id IN ({values})", names)}
    insert_arrow(con, "people", pa.Table.from_pylist(
        [{"person_id": pid, "name": name} for pid, name in names.items() if pid not in stored], schema=PERSON_SCHEMA))


def insert_articles(con: duckdb.DuckDBPyConnection, pages: list[PageRows], run_id: str, now: datetime) -> None:
    """New articles and their sub-articles."""
    prepared = prepared_rows(pages, "articles")
    if prepared is None:
        rows = [
            {**row, "first_seen_at": now, "updated_at": None, "run_id": run_id}
            for page in pages for row in [page.article.article, *page.article.sub_articles]
        ]
        insert_arrow(con, "articles", pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA))
        return
    n = prepared.num_rows
    insert_arrow(con, "articles", prepared
                 .append_column(ARTICLE_SCHEMA.field("first_seen_at"), pa.array([now] * n, type=TS))
                 .append_column(ARTICLE_SCHEMA.field("updated_at"), pa.nulls(n, type=TS))
                 .append_column(ARTICLE_SCHEMA.field("run_id"), pa.array([run_id] * n, type=STR)))


def replace_updated_articles(con: duckdb.DuckDBPyConnection, articles: list[ArticleRows],
                             existing: dict[str, tuple[str, datetime]], run_id: str, now: datetime) -> list[str]:
    """Update changed articles in place (first_seen_at kept); their children and sub-articles are replaced.
    Returns the ids of the sub-articles deleted."""
    if not articles:
        return []
    parent_ids = [a.article_id for a in articles]
    with registered(con, "__updated_ids", id_table(parent_ids)) as ids:
        old_sub_ids = [row[0] for row in con.execute(
            f"SELECT article_id FROM articles WHERE parent_article_id IN (SELECT id FROM {ids})").fetchall()]
    delete_by_article_id(con, CHILD_TABLES, parent_ids + old_sub_ids)
    delete_by_article_id(con, ("articles",), old_sub_ids)

    parents = pa.Table.from_pylist(
        [{**a.article, "first_seen_at": existing[a.article_id][1], "updated_at": now, "run_id": run_id}
         for a in articles],
        schema=ARTICLE_SCHEMA,
    )
    assignments = ", ".join(f'"{name}" = u."{name}"' for name in UPDATED_COLUMNS)
    with registered(con, "__updated_articles", parents) as view:
        con.execute(f"UPDATE articles SET {assignments} FROM {view} u WHERE articles.article_id = u.article_id")

    subs = [
        {**sub, "first_seen_at": existing[a.article_id][1], "updated_at": now, "run_id": run_id}
        for a in articles for sub in a.sub_articles
    ]
    insert_arrow(con, "articles", pa.Table.from_pylist(subs, schema=ARTICLE_SCHEMA))
    return old_sub_ids


def delete_by_article_id(con: duckdb.DuckDBPyConnection, tables: Iterable[str], article_ids: list[str]) -> None:
    if not article_ids:
        return
    with registered(con, "__delete_ids", id_table(article_ids)) as ids:
        for table in tables:
            con.execute(f'DELETE FROM "{table}" WHERE article_id IN (SELECT id FROM {ids})')


def insert_children(con: duckdb.DuckDBPyConnection, pages: list[PageRows]) -> None:
    """Paragraphs, people's roles and images of these pages' articles and sub-articles."""
    for table, schema, rows_of in (("paragraphs", PARAGRAPH_SCHEMA, lambda a: a.paragraphs),
                                   ("article_people", ARTICLE_PERSON_SCHEMA, lambda a: a.article_people),
                                   ("images", IMAGE_SCHEMA, lambda a: a.images)):
        prepared = prepared_rows(pages, table)
        insert_arrow(con, table, prepared if prepared is not None else pa.Table.from_pylist(
            [row for page in pages for row in rows_of(page.article)], schema=schema))


def replace_changed_links(con: duckdb.DuckDBPyConnection, pages: list[PageRows], run_id: str) -> None:
    """`links` holds the latest link list of each non-article page; a page whose list is unchanged is not touched."""
    if not pages:
        return
    with registered(con, "__link_pages", id_table([p.key for p in pages])) as keys:
        stored_rows = con.execute(
            f"SELECT page_url, url, title FROM links WHERE page_url IN (SELECT id FROM {keys}) ORDER BY page_url, seq"
        ).fetchall()
    stored: dict[str, list[tuple[str, str]]] = {}
    for page_url, url, title in stored_rows:
        stored.setdefault(page_url, []).append((url, title))
    changed = [p for p in pages if stored.get(p.key, []) != [(l["url"], l["title"]) for l in p.links]]
    delete_ids = [p.key for p in changed if p.key in stored]
    if delete_ids:
        with registered(con, "__link_delete", id_table(delete_ids)) as ids:
            con.execute(f"DELETE FROM links WHERE page_url IN (SELECT id FROM {ids})")
    insert_arrow(con, "links", pa.Table.from_pylist(
        [{**link, "run_id": run_id} for p in changed for link in p.links], schema=LINK_SCHEMA))


def insert_fetches(con: duckdb.DuckDBPyConnection, pages: list[PageRows], run_id: str) -> None:
    batch = prepared_batch(pages)
    if batch is not None:
        table = batch.tables["fetches"]
        if any(p.alias_of for p in pages):
            table = table.set_column(table.schema.get_field_index("article_id"), "article_id",
                                     pa.array([fetched_article_id(p) for p in pages], type=STR))
        insert_arrow(con, "fetches", table
                     .append_column(FETCH_SCHEMA.field("run_id"), pa.array([run_id] * table.num_rows, type=STR))
                     .append_column(FETCH_SCHEMA.field("outcome"), pa.array([p.outcome for p in pages], type=STR)))
        return
    rows = [{**page.fetch, "run_id": run_id, "outcome": page.outcome, "article_id": fetched_article_id(page)}
            for page in pages]
    insert_arrow(con, "fetches", pa.Table.from_pylist(rows, schema=FETCH_SCHEMA))


def fetched_article_id(page: PageRows) -> str | None:
    """The article a fetch gave: its own, or the one its URL is a variant of."""
    if page.alias_of is not None:
        return page.alias_of
    return page.article.article_id if page.article is not None else None


def count_outcomes(outcomes: Sequence[str]) -> LoadedBatch:
    """One input per outcome (warehouse.rows), counted."""
    counts = LoadedBatch(inputs=len(outcomes))
    field_of = {NEW: "new", UPDATED: "updated", UNCHANGED: "unchanged", NOT_ARTICLE: "not_article",
                DUPLICATE: "duplicates", ERROR: "errors", SKIPPED_ROBOTS: "skipped_robots", NO_EDITION: "no_edition"}
    for outcome in outcomes:
        name = field_of[outcome]
        setattr(counts, name, getattr(counts, name) + 1)
    return counts


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:  # no transaction left to roll back (DuckDB may have ended it already)
        pass


def input_of(result: PageResult | PageRows) -> str:
    if isinstance(result, PageRows):
        return str(result.fetch["input"])
    try:
        return str(result.fetch.input)
    except AttributeError:
        return "<unknown input>"
