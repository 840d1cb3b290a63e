"""The part of loading that needs no database: a batch's rows, hashes, compressed bodies and body fingerprints.

Flows call `prepare_pages` where they extract, before the write connection is opened, so `load_batch` holds the
file only to write (measured in bench/warehouse.py: row building, zstd and MinHash were ~60% of load_batch's
time). `load_batch` also takes plain PageResults and prepares them itself, lazily: it compresses only bodies
not stored yet and fingerprints only new or changed articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pyarrow as pa

from . import raw
from .errors import first_line
from .models import ErrorInfo, PageResult
from .relations import BANDS, FingerprintTables, band_table, fingerprint_articles, fingerprint_table
from .rows import ArticleRows, PageRows, distinct_bodies, page_rows
from .schemas import (ARTICLE_PERSON_SCHEMA, ARTICLE_SCHEMA, FETCH_SCHEMA, IMAGE_SCHEMA, PARAGRAPH_SCHEMA,
                      RAW_PAGE_SCHEMA)

# Article columns only the load knows (when and by which run a row is written).
LOAD_TIME_COLUMNS = ("first_seen_at", "updated_at", "run_id")
PREPARED_ARTICLE_SCHEMA = pa.schema([f for f in ARTICLE_SCHEMA if f.name not in LOAD_TIME_COLUMNS])
PREPARED_FETCH_SCHEMA = pa.schema([f for f in FETCH_SCHEMA if f.name not in ("run_id", "outcome")])
PREPARED_RAW_PAGE_SCHEMA = pa.schema([f for f in RAW_PAGE_SCHEMA if f.name != "first_seen_at"])


@dataclass
class BatchTables:
    """A prepared batch's article rows as Arrow tables (built outside the write lock), with the index in the
    batch of the page each row belongs to, so the load takes the rows of the pages it writes by a mask."""
    tables: dict[str, pa.Table]
    owners: dict[str, np.ndarray]

    @classmethod
    def of(cls, pages: list[PageRows]) -> "BatchTables":
        articles = [(i, p.article) for i, p in enumerate(pages) if p.article is not None]

        def build(name: str, schema: pa.Schema, rows_of) -> None:
            owners, rows = [], []
            for index, article in articles:
                page_rows_ = rows_of(article)
                rows.extend(page_rows_)
                owners.extend([index] * len(page_rows_))
            tables[name] = pa.Table.from_pylist(rows, schema=schema)
            owner_arrays[name] = np.array(owners, dtype=np.int64)

        tables: dict[str, pa.Table] = {}
        owner_arrays: dict[str, np.ndarray] = {}
        build("articles", PREPARED_ARTICLE_SCHEMA, lambda a: [a.article, *a.sub_articles])
        build("paragraphs", PARAGRAPH_SCHEMA, lambda a: a.paragraphs)
        build("article_people", ARTICLE_PERSON_SCHEMA, lambda a: a.article_people)
        build("images", IMAGE_SCHEMA, lambda a: a.images)
        fingerprinted = [(i, p.fingerprint) for i, p in enumerate(pages)
                         if p.article is not None and p.fingerprint is not None]
        tables["article_fingerprints"] = fingerprint_table([f for _, f in fingerprinted])
        owner_arrays["article_fingerprints"] = np.array([i for i, _ in fingerprinted], dtype=np.int64)
        signed = [(i, f) for i, f in fingerprinted if f.signature is not None]
        tables["article_minhash_bands"] = band_table([f for _, f in signed])
        owner_arrays["article_minhash_bands"] = np.repeat(np.array([i for i, _ in signed], dtype=np.int64), BANDS)
        tables["fetches"] = pa.Table.from_pylist(  # one per page, in batch order
            [{**p.fetch, "article_id": p.article.article_id if p.article is not None else None} for p in pages],
            schema=PREPARED_FETCH_SCHEMA)
        tables["raw_pages"] = pa.Table.from_pylist(  # one per distinct body
            [{"body_sha256": sha, "compression": p.raw[0], "body": p.raw[1], "bytes": len(p.body),
              "content_type": p.fetch["content_type"], "charset": p.fetch["charset"]}
             for sha, p in distinct_bodies(pages).items()],
            schema=PREPARED_RAW_PAGE_SCHEMA)
        return cls(tables, owner_arrays)

    def rows_of(self, name: str, page_indexes: Iterable[int]) -> pa.Table:
        owners = self.owners[name]
        mask = np.isin(owners, np.fromiter(page_indexes, dtype=np.int64))
        return self.tables[name] if mask.all() else self.tables[name].filter(pa.array(mask))


def merge_prepared(pages: list[PageRows]) -> list[PageRows]:
    """Pages of several prepared batches, to be loaded as one (a lake's load of the batches extracted ahead of it,
    flows.batches): each source batch's pages complete and in order, their tables joined into one BatchTables,
    as `prepare_pages` of all the pages would make them (a body stored by two of the batches once). Pages not
    so prepared are left as they are: the load then builds their rows itself. Returns `pages`."""
    groups: list[tuple[BatchTables, list[PageRows]]] = []
    for page in pages:
        if page.batch is None:
            return pages
        if not groups or groups[-1][0] is not page.batch:
            groups.append((page.batch, []))
        groups[-1][1].append(page)
    if len(groups) < 2 or len({id(batch) for batch, _ in groups}) != len(groups) or any(
            batch.tables["fetches"].num_rows != len(group) or [p.batch_index for p in group] != list(range(len(group)))
            for batch, group in groups):
        return pages
    tables = {name: pa.concat_tables([batch.tables[name] for batch, _ in groups])
              for name in groups[0][0].tables if name != "raw_pages"}
    offsets = np.cumsum([0] + [len(group) for _, group in groups[:-1]])
    owners = {name: np.concatenate([batch.owners[name] + offset for (batch, _), offset in zip(groups, offsets)])
              for name in groups[0][0].owners}
    bodies = pa.concat_tables([batch.tables["raw_pages"] for batch, _ in groups])
    first: dict[str, int] = {}
    for index, sha in enumerate(bodies["body_sha256"].to_pylist()):
        first.setdefault(sha, index)
    tables["raw_pages"] = bodies.take(pa.array(list(first.values()), type=pa.int64()))
    merged = BatchTables(tables, owners)
    for index, page in enumerate(pages):
        page.batch, page.batch_index = merged, index
    return pages


def prepared_batch(pages: list[PageRows]) -> BatchTables | None:
    """The tables of the batch these pages were prepared in, when they are exactly that batch, in order."""
    if not pages or pages[0].batch is None:
        return None
    batch = pages[0].batch
    if batch.tables["fetches"].num_rows != len(pages) or any(
            p.batch is not batch or p.batch_index != i for i, p in enumerate(pages)):
        return None
    return batch


def prepared_rows(pages: list[PageRows], name: str) -> pa.Table | None:
    """The rows of table `name` for these pages, from the tables of the batch they were prepared in together;
    None when they were not (the loader then builds them from the pages' row dicts)."""
    if not pages or pages[0].batch is None or any(p.batch is not pages[0].batch for p in pages):
        return None
    return pages[0].batch.rows_of(name, (p.batch_index for p in pages))


def prepared_fingerprints(pages: list[PageRows]) -> FingerprintTables | None:
    """The fingerprint and band rows of these pages' articles, when they were prepared together."""
    fingerprints = prepared_rows(pages, "article_fingerprints")
    if fingerprints is None:
        return None
    return FingerprintTables(fingerprints, prepared_rows(pages, "article_minhash_bands"))


def prepare_page(result: PageResult, source_id: str | None) -> PageRows:
    """Rows for one input; a record the warehouse cannot represent becomes that input's load error."""
    try:
        return page_rows(result, source_id=source_id)
    except Exception as exc:
        rows = page_rows(PageResult(fetch=result.fetch, body=result.body), source_id=source_id)
        rows.errors = [ErrorInfo(result.fetch.input, "load", type(exc).__name__, first_line(exc))]
        return rows


def prepare_pages(results: Sequence[PageResult], *, source_id: str | None = None) -> list[PageRows]:
    """Everything `load_batch` can know before it sees the database, for a batch that will be loaded with the
    same `source_id`: rows, every body compressed once, every article's fingerprint (computed together)."""
    pages = [prepare_page(result, source_id) for result in results]
    compressed = {sha: raw.compress_body(page.body) for sha, page in distinct_bodies(pages).items()}
    for page in pages:
        page.raw = compressed.get(page.body_sha256) if page.body is not None else None
    articles = [page for page in pages if page.article is not None]
    for page, fingerprint in zip(articles, fingerprint_articles([relation_fields(p.article) for p in articles])):
        page.fingerprint = fingerprint
    tables = BatchTables.of(pages)
    for index, page in enumerate(pages):
        page.batch, page.batch_index = tables, index
    return pages


def relation_fields(article: ArticleRows) -> tuple:
    """What relation detection reads of an article: (article_id, body_text, url, canonical_url, original_url)."""
    row = article.article
    return (article.article_id, row["body_text"], row["url"], row["canonical_url"], row["original_url"])
