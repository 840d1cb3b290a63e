"""What loads tell the search index, and whether it has work, without the segmenter.

Loads into a DuckDB file queue the articles they insert, change or delete (`queue_for_search`, in the load's
transaction); warehouse.search's `refresh_search_index` segments what is queued and empties the queue. A lake's
load indexes its articles itself, in its transaction (warehouse.search `index_articles`), and queues them only when
they could not be segmented before its write turn. Nothing here imports
rjieba (its dictionary costs 0.15-0.25 s to load), so a load that changes no article, and the check that finds
the queue empty, run without it.
"""

from __future__ import annotations

import functools
import importlib.metadata
from typing import Sequence

import duckdb
import pyarrow as pa

from .bulk import insert_arrow

__all__ = ["segmenter_version", "queue_for_search", "queued_for_search"]

# Bump when what an article's document holds changes (warehouse.search's tokenize(), or the fields): every article
# is segmented again at the next refresh. 3: the names field (migration 010).
_RULES_VERSION = 3


@functools.cache
def segmenter_version() -> str:
    """Stored with every segmented article: a different version means the article is segmented again."""
    return f"rjieba-{importlib.metadata.version('rjieba')}/cut_for_search/{_RULES_VERSION}"


def queue_for_search(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> None:
    """Have the next refresh look at these articles (inserted, changed or deleted); call it in the same
    transaction as the change."""
    if article_ids:
        insert_arrow(con, "search_queue", pa.table({"article_id": pa.array(article_ids, pa.string())}))


def queued_for_search(con: duckdb.DuckDBPyConnection) -> int:
    """Articles the next refresh will (re)index, as fast as a page needs it: those in `search_queue`, or every
    article when the index was last brought up to date by another segmenter version. 0: a refresh has nothing
    to do. `warehouse.search.index_status` counts the articles whose index row is stale exactly, by comparing
    them all (about 0.2 s at 100k articles)."""
    if con.execute("SELECT segmenter FROM search_index_state").fetchone()[0] != segmenter_version():
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]
    return con.execute("SELECT count(DISTINCT article_id) FROM search_queue").fetchone()[0]
