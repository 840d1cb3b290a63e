"""Full-text search over articles, Chinese first: jieba words, an incremental BM25 index, ranked hits with snippets.

Each article is a document of three fields: the title (with kicker and subtitle), the body (with lead) and the
names of the people it credits (`article_people`: reporters, editors, photographers…). They are segmented in
jieba's search mode (`cut_for_search`: 招商引资 gives 招商, 引资 and 招商引资, so a query for either part finds it)
by rjieba, the Python binding of jieba-rs: jieba's dictionary and algorithm in Rust, ~28x faster than jieba itself here
(6 M vs 0.2 M characters/s), which is what makes segmenting 100k articles a matter of seconds. Runs of letters
and digits are words of their own (`www.lndj.gov.cn` gives www, lndj, gov, cn; 77.2% gives 77.2), Latin words are
lower-cased and full-width forms folded (NFKC). The words are kept in `article_search` and indexed in
`search_postings` (migration 003). `refresh_search_index(con)` brings both up to date with `articles`,
re-segmenting only articles whose `content_sha256` changed, so its cost follows the batch, not the database. The
articles to look at are those the loads queued (warehouse/search_queue.py, which does without rjieba). A load
into a DuckLake warehouse indexes its articles in its own transaction instead (`segment_articles` before the lake's
write turn, `index_articles` in it).

Queries are segmented the same way and, by default, every query word must occur (`match_all`). Scores are BM25
over the three fields together, as DuckDB fts's `match_bm25` computes it, plus twice the BM25 of the title alone
and twice the BM25 of the names alone, so a story with the words in its title, or by the person named, ranks
above one that only mentions them. `search()` also keeps the articles crediting one person, lists the copies of
a story (its duplicate cluster) once, and gives times in a time zone.

SQL: `search_articles_tokens(tokens)` is a table macro stored in the database (any DuckDB client can call it
with words separated by spaces). `enable_search(con)` adds `segment(text)` (a Python function) and the table
macro `search_articles(q)` to a connection; newsduck does so on the connections of `newsduck sql` and
`newsduck search`.
"""

from __future__ import annotations

import re
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Iterator, NamedTuple, Sequence
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import rjieba

from . import ids
from .bulk import execute_in, insert_arrow, new_ids, on_lake, registered
from .errors import EmptyQueryError, WarehouseError
from .models import Progress
from .runs import utc_now
from .search_queue import queue_for_search, queued_for_search, segmenter_version

if TYPE_CHECKING:
    from .rows import ArticleRows

__all__ = [
    "IndexRefresh", "SearchHit", "Credit", "Copy", "DEFAULT_ZONE", "tokenize", "segment", "segmenter_version", "enable_search",
    "refresh_search_index", "queue_for_search", "queued_for_search", "has_search_index", "compaction_due",
    "compact_search_index", "index_status", "search", "search_with_facets", "Facets", "snippet", "build_fts_index",
    "load_fts_extension", "has_fts_index", "SegmentedArticles", "segment_articles", "index_articles",
]

SEGMENT_CHUNK = 2000  # articles segmented and written per transaction
# Postings are appended unsorted; a search reads every row group of the unsorted part. The refresh rewrites them
# sorted once the unsorted part is both this big and this share of all postings, so it stays under ~10% and the
# rewrites cost about ten times the index in all (geometric growth), spread over the ingests...
COMPACT_MIN_ROWS = 1_000_000
COMPACT_FRACTION = 0.1
# ...up to this many postings (about 200k articles): the rewrite holds the write lock (5.5-5.9 s at 100k articles,
# 27.6M postings, by ranges of words; 12-14 s as one sort, on a busy 2-core machine) and readers give up after
# 30 s. Bigger indexes are compacted by `newsduck search --reindex`; unsorted, a search reads more row groups but
# still works.
AUTO_COMPACT_MAX_ROWS = 60_000_000
# The rewrite sorts the postings of one range of words at a time, about this many postings each, so its memory
# stays that of one chunk's sort as the index grows (one sort of 5.5M postings: +176 MB; chunks of 1M: +91 MB).
COMPACT_CHUNK_ROWS = 1_000_000
SCORE_DECIMALS = 12  # scores are rounded to this many decimals (migration 007)

SEARCH_MACRO = """
CREATE OR REPLACE TEMP MACRO search_articles(q, match_all := true) AS TABLE
SELECT * FROM search_articles_tokens(segment(q), match_all := match_all)
"""


# ---------------------------------------------------------------- segmentation

_WORD = re.compile(r"\d+(?:\.\d+)+|[^\W_]+")  # a decimal number (3.8), or a run of letters, digits or CJK


def tokenize(text: str | None) -> list[str]:
    """The words of `text` in order: jieba search-mode words, Latin lower-cased, punctuation and spaces dropped."""
    if not text:
        return []
    folded = unicodedata.normalize("NFKC", text).lower()
    words: list[str] = []
    for token in rjieba.cut_for_search(folded):
        if token.isalnum():  # most tokens: a CJK word, a Latin word or a number
            words.append(token)
            continue
        parts = _WORD.findall(token)
        # jieba-rs gives a token with separators after its parts (world, wide, world-wide): count its words once.
        if len(parts) > 1 and words[-len(parts):] == parts:
            continue
        words.extend(parts)
    return words


def segment(text: str | None) -> str | None:
    """`tokenize` joined with spaces: the form stored in article_search and accepted by search_articles_tokens."""
    return None if text is None else " ".join(tokenize(text))


# ---------------------------------------------------------------- SQL functions on a connection

def enable_search(con: duckdb.DuckDBPyConnection) -> bool:
    """Add `segment(text)` and the table macro `search_articles(q, match_all := true)` to this connection.

    Works on read-only connections (the macro is TEMP). Returns False when the database has no search tables
    (a schema older than migration 003, opened read-only): `search_articles` is then not defined.
    """
    try:
        con.create_function("segment", segment, [duckdb.sqltypes.VARCHAR], duckdb.sqltypes.VARCHAR)
    except duckdb.Error:  # already registered on this connection
        pass
    try:
        con.execute(SEARCH_MACRO)
    except duckdb.CatalogException:
        return False
    if has_fts_index(con):  # its match_bm25 macro needs the extension's functions
        load_fts_extension(con)
    return True


# ---------------------------------------------------------------- DuckDB's fts extension, optional

FTS_SCHEMA = "fts_main_article_search"


def load_fts_extension(con: duckdb.DuckDBPyConnection) -> None:
    """Load DuckDB's fts extension from the duckdb-extension-fts package: no download, works offline."""
    import importlib.resources

    path = (importlib.resources.files("duckdb_extension_fts") / "extensions" / f"v{duckdb.__version__}"
            / "fts.duckdb_extension")
    if not path.is_file():
        raise WarehouseError(f"the fts extension for DuckDB {duckdb.__version__} is not installed "
                             f"(pip install duckdb-extension-fts=={duckdb.__version__})")
    con.load_extension(str(path))


def has_fts_index(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?",
                       [FTS_SCHEMA]).fetchone()[0] > 0


def build_fts_index(con: duckdb.DuckDBPyConnection) -> float:
    """(Re)build DuckDB fts's own index over the segmented words of `article_search`, for SQL users who want
    `fts_main_article_search.match_bm25(article_id, 'words')`; returns the seconds it took.

    Not kept current by the ingest: fts can only rebuild from scratch (about 4 minutes at 100k articles on two
    cores, holding the write lock), while newsduck's own index is updated batch by batch with the same scores.
    Query words must be segmented first: `match_bm25(article_id, segment('招商引资'))`.
    """
    started = time.perf_counter()
    load_fts_extension(con)
    con.execute("PRAGMA create_fts_index('article_search', 'article_id', 'title_tokens', 'body_tokens', "
                "'names_tokens', stemmer='none', stopwords='none', ignore='\\s+', strip_accents=0, lower=1, overwrite=1)")
    return time.perf_counter() - started


# ---------------------------------------------------------------- keeping the index current

@dataclass
class IndexRefresh:
    """What one refresh did."""

    segmented: int = 0  # articles (re-)segmented and indexed
    removed: int = 0  # index rows of articles that no longer exist
    compacted: bool = False
    seconds: float = 0.0


_STALE_SQL = """
SELECT a.article_id
FROM articles a LEFT JOIN article_search s ON s.article_id = a.article_id
WHERE s.article_id IS NULL OR s.content_sha256 <> a.content_sha256 OR s.segmenter <> ?
ORDER BY a.article_id
"""

_GONE_SQL = """
SELECT s.article_id FROM article_search s
WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = s.article_id)
ORDER BY s.article_id
"""

_TEXT_SQL = """
SELECT article_id, content_sha256, kicker, title, subtitle, lead, body_text
FROM articles WHERE article_id IN ({values})
"""

# The names an article credits, each once, in credit order (someone credited as 文/图 has two rows).
_NAMES_SQL = """
SELECT article_id, list(name ORDER BY seq) FROM (
    SELECT ap.article_id, p.name, min(ap.seq) AS seq
    FROM article_people ap JOIN people p ON p.person_id = ap.person_id
    WHERE ap.article_id IN ({values})
    GROUP BY ap.article_id, p.name
) GROUP BY article_id
"""

_TERM_SCHEMA = pa.schema([("termid", pa.int32()), ("term", pa.string())])
_NEW_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("content_sha256", pa.string()), ("segmenter", pa.string()),
    ("title_tokens", pa.string()), ("body_tokens", pa.string()), ("names_tokens", pa.string()),
    ("title_len", pa.int32()), ("body_len", pa.int32()), ("names_len", pa.int32()),
    ("segmented_at", pa.timestamp("us", tz="UTC")),
    ("title_words", pa.list_(pa.string())), ("body_words", pa.list_(pa.string())),
    ("names_words", pa.list_(pa.string())),
])


def refresh_search_index(con: duckdb.DuckDBPyConnection, *, compact: bool | None = None,
                         progress: Progress | None = None) -> IndexRefresh:
    """Bring the search index up to date with `articles`, on a write connection.

    Segments new and changed articles (`content_sha256` differs from the one they were segmented at, or an
    older segmenter), drops the index rows of deleted articles, and rewrites the postings sorted when enough
    were added since the last rewrite and the index is small enough for that to be quick (AUTO_COMPACT_MAX_ROWS;
    `compact=True` forces it, `False` skips it; a DuckLake warehouse's postings are never rewritten). Call it after
    each batch load; inside a caller's transaction it joins that transaction, otherwise it commits every
    SEGMENT_CHUNK articles.

    Only the articles in `search_queue` (the loads put there what they changed) are looked at, by key, so the
    cost follows the batch and not the database; the first refresh with a new segmenter (or after migration 008)
    compares every article instead. `progress` hears of each chunk segmented (articles done of those to segment)
    and of the rewrite of the postings.
    """
    started = time.perf_counter()
    done = IndexRefresh()
    version = segmenter_version()
    queued = con.execute("SELECT seq, article_id FROM search_queue").fetchall()
    if con.execute("SELECT segmenter FROM search_index_state").fetchone()[0] == version:
        stale, gone = _queued_changes(con, sorted({article_id for _, article_id in queued}), version)
    else:
        stale = [row[0] for row in con.execute(_STALE_SQL, [version]).fetchall()]
        gone = [row[0] for row in con.execute(_GONE_SQL).fetchall()]
    for start in range(0, len(stale), SEGMENT_CHUNK):
        if progress is not None:
            progress(start, len(stale), "segmenting")
        chunk = stale[start:start + SEGMENT_CHUNK]
        documents = segmented_documents(execute_in(con, _TEXT_SQL, chunk), version,
                                        dict(execute_in(con, _NAMES_SQL, chunk)))
        with _transaction(con):
            _replace_documents(con, documents)
        done.segmented += documents.num_rows
    if progress is not None:
        progress(len(stale), len(stale), "segmenting")
    with _transaction(con):
        _remove_documents(con, gone)
        done.removed = len(gone)
        execute_in(con, "DELETE FROM search_queue WHERE seq IN ({values})", [seq for seq, _ in queued])
        con.execute("UPDATE search_index_state SET segmenter = ?", [version])
    if (compact and not on_lake(con)) or (compact is None and compaction_due(con)):
        if progress is not None:
            progress(len(stale), len(stale), "sorting postings")
        compact_search_index(con)
        done.compacted = True
    done.seconds = time.perf_counter() - started
    return done


def _queued_changes(con: duckdb.DuckDBPyConnection, ids: list[str], version: str) -> tuple[list[str], list[str]]:
    """Of these articles: those to segment (new, changed, or segmented by another version) and those deleted."""
    current = dict(execute_in(con, "SELECT article_id, content_sha256 FROM articles WHERE article_id IN ({values})",
                              ids))
    indexed = {article_id: (sha, segmenter) for article_id, sha, segmenter in execute_in(
        con, "SELECT article_id, content_sha256, segmenter FROM article_search WHERE article_id IN ({values})", ids)}
    stale = [i for i in ids if i in current and indexed.get(i) != (current[i], version)]
    gone = [i for i in ids if i not in current and i in indexed]
    return stale, gone


def segmented_documents(rows: Sequence[tuple], version: str, names: dict[str, list[str]]) -> pa.Table:
    """(article_id, content_sha256, kicker, title, subtitle, lead, body_text) rows and the names each article
    credits -> article_search rows, plus the words as lists (`title_words`, `body_words`, `names_words`) for
    the postings."""
    now = utc_now()
    columns: dict[str, list] = {name: [] for name in _NEW_SCHEMA.names}
    for article_id, content_sha256, kicker, title, subtitle, lead, body_text in rows:
        fields = {"title": tokenize(_join_text(kicker, title, subtitle)), "body": tokenize(_join_text(lead, body_text)),
                  "names": [word for name in names.get(article_id, ()) for word in tokenize(name)]}
        columns["article_id"].append(article_id)
        columns["content_sha256"].append(content_sha256)
        columns["segmenter"].append(version)
        columns["segmented_at"].append(now)
        for field, words in fields.items():
            columns[f"{field}_tokens"].append(" ".join(words))
            columns[f"{field}_len"].append(len(words))
            columns[f"{field}_words"].append(words)
    return pa.table(columns, schema=_NEW_SCHEMA)


def _join_text(*parts: str | None) -> str:
    return "\n".join(part for part in parts if part)


def _replace_documents(con: duckdb.DuckDBPyConnection, documents: pa.Table, *,
                       known_termids: dict[str, int] | None = None, removed: bool = False) -> None:
    """Index these segmented documents, replacing any earlier document of their articles (`removed`: the caller
    removed those already). `known_termids` are word ids read before (words are never renumbered nor dropped, so
    an id read earlier stays true); the other words are looked up here and the new ones added."""
    if documents.num_rows == 0:
        return
    # Document ids are drawn here, so the postings are counted from the words in memory, not read back.
    docids = new_ids(con, "search_docid_seq", documents.num_rows)
    documents = documents.append_column("docid", pa.array(docids, pa.int32()))
    if not removed:
        _remove_documents(con, documents["article_id"].to_pylist())
    with registered(con, "__search_new", documents):
        con.execute("""
            INSERT INTO article_search (article_id, docid, content_sha256, segmenter, title_tokens, body_tokens,
                                        names_tokens, title_len, body_len, names_len, segmented_at)
            SELECT article_id, docid, content_sha256, segmenter, title_tokens, body_tokens,
                   names_tokens, title_len, body_len, names_len, segmented_at
            FROM __search_new
        """)
        con.execute("""
            CREATE OR REPLACE TEMP TABLE __search_words AS
            SELECT docid, term, count(*)::INTEGER AS tf,
                   (count(*) FILTER (WHERE field = 'title'))::INTEGER AS title_tf,
                   (count(*) FILTER (WHERE field = 'names'))::INTEGER AS names_tf,
                   any_value(doclen) AS doclen
            FROM (
                SELECT docid, title_len + body_len + names_len AS doclen, 'title' AS field, unnest(title_words) AS term
                FROM __search_new
                UNION ALL
                SELECT docid, title_len + body_len + names_len AS doclen, 'body' AS field, unnest(body_words) AS term
                FROM __search_new
                UNION ALL
                SELECT docid, title_len + body_len + names_len AS doclen, 'names' AS field, unnest(names_words) AS term
                FROM __search_new
            )
            GROUP BY docid, term
        """)
    try:
        # The batch's words are looked up in the vocabulary's index (a join would scan every row group of it).
        words = [row[0] for row in con.execute("SELECT DISTINCT term FROM __search_words").fetchall()]
        known = known_termids or {}
        termids = {word: known[word] for word in words if word in known}
        termids.update(execute_in(con, _TERMS_SQL, [word for word in words if word not in termids]))
        new_words = [word for word in words if word not in termids]
        if new_words:
            termids_drawn = new_ids(con, "search_termid_seq", len(new_words))
            insert_arrow(con, "search_terms", pa.table({"termid": termids_drawn, "term": new_words},
                                                       schema=_TERM_SCHEMA))
            termids.update(zip(new_words, termids_drawn))
        batch_terms = pa.table({"termid": list(termids.values()), "term": list(termids)}, schema=_TERM_SCHEMA)
        with registered(con, "__search_termids", batch_terms):
            added = con.execute("""
                INSERT INTO search_postings (termid, docid, tf, title_tf, names_tf, doclen)
                SELECT t.termid, w.docid, w.tf, w.title_tf, w.names_tf, w.doclen
                FROM __search_words w JOIN __search_termids t ON t.term = w.term
                ORDER BY t.termid, w.docid
            """).fetchone()[0]
        con.execute("UPDATE search_index_state SET unsorted_postings = unsorted_postings + ?", [added])
    finally:
        con.execute("DROP TABLE IF EXISTS __search_words")


@dataclass
class SegmentedArticles:
    """A batch's articles segmented before its load takes the lake's write turn (`segment_articles`), and the
    ids the vocabulary had then for their words: the load indexes those of them it stores (`index_articles`),
    in its own transaction, so only the index's writes (and the look-up of words new since) are in the turn."""
    documents: pa.Table  # segmented_documents rows, one per article and sub-article
    termids: dict[str, int]


def segment_articles(con: duckdb.DuckDBPyConnection, articles: Sequence[ArticleRows]) -> SegmentedArticles:
    """Segment a batch's articles and sub-articles from their rows, read as `_TEXT_SQL` and `_NAMES_SQL` read
    them once stored, and read the ids of their words already in the vocabulary."""
    rows, names = [], {}
    for article in articles:
        credited: dict[str, dict[str, int]] = {}  # article_id -> name -> its first credit's seq
        for credit in article.article_people:
            name = article.people[credit["person_id"]]
            first = credited.setdefault(credit["article_id"], {})
            first[name] = min(first.get(name, credit["seq"]), credit["seq"])
        for article_id, first in credited.items():
            names[article_id] = sorted(first, key=first.__getitem__)
        rows.extend((row["article_id"], row["content_sha256"], row["kicker"], row["title"], row["subtitle"],
                     row["lead"], row["body_text"]) for row in [article.article, *article.sub_articles])
    documents = segmented_documents(rows, segmenter_version(), names)
    words = set()
    for column in ("title_words", "body_words", "names_words"):
        for field_words in documents[column].to_pylist():
            words.update(field_words)
    return SegmentedArticles(documents, dict(execute_in(con, _TERMS_SQL, sorted(words))))


def index_articles(con: duckdb.DuckDBPyConnection, segmented: SegmentedArticles, changed: Sequence[str],
                   deleted: Sequence[str]) -> None:
    """In the caller's write transaction: index the `changed` articles (inserted or updated) from their segmented
    documents and drop the documents of the `deleted` ones, as a refresh of the queued articles would; the
    index then commits with the articles, and nothing is queued for them."""
    documents = segmented.documents.filter(
        pc.is_in(segmented.documents["article_id"], value_set=pa.array(list(changed), pa.string())))
    # An article the batch holds twice is stored from its last page (warehouse.load.mark_duplicates): that page's
    # document, the last of the article's, is its one document.
    last = {article_id: index for index, article_id in enumerate(documents["article_id"].to_pylist())}
    if len(last) < documents.num_rows:
        documents = documents.take(pa.array(sorted(last.values()), pa.int64()))
    _remove_documents(con, [*documents["article_id"].to_pylist(), *deleted])
    _replace_documents(con, documents, known_termids=segmented.termids, removed=True)


def _remove_documents(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> None:
    """Drop these articles' documents, if indexed, from article_search and their postings."""
    ids = [docid for (docid,) in execute_in(
        con, "SELECT docid FROM article_search WHERE article_id IN ({values})", article_ids)]
    execute_in(con, "DELETE FROM search_postings WHERE docid IN ({values})", ids)
    execute_in(con, "DELETE FROM article_search WHERE docid IN ({values})", ids)


def compaction_due(con: duckdb.DuckDBPyConnection) -> bool:
    """Enough postings were added since the last sorted rewrite, and the index is small enough to rewrite now.
    Never on a DuckLake warehouse: its postings are not rewritten (the rewrite swaps tables)."""
    if on_lake(con):
        return False
    unsorted, total = con.execute(
        "SELECT (SELECT unsorted_postings FROM search_index_state), (SELECT count(*) FROM search_postings)"
    ).fetchone()
    return COMPACT_MIN_ROWS <= unsorted and COMPACT_FRACTION * total <= unsorted and total <= AUTO_COMPACT_MAX_ROWS


def compact_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite search_postings sorted by word, so lookups skip the row groups of other words."""
    with _transaction(con):
        _rewrite_postings_sorted(con)


def _rewrite_postings_sorted(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        CREATE TABLE search_postings_sorted (
            termid INTEGER NOT NULL, docid INTEGER NOT NULL, tf INTEGER NOT NULL, title_tf INTEGER NOT NULL,
            doclen INTEGER, names_tf INTEGER DEFAULT 0)
    """)
    for low, high in _termid_ranges(con, COMPACT_CHUNK_ROWS):  # ascending ranges: the table ends up sorted
        con.execute("INSERT INTO search_postings_sorted SELECT termid, docid, tf, title_tf, doclen, names_tf "
                    "FROM search_postings WHERE termid >= ? AND termid < ? ORDER BY termid, docid", [low, high])
    con.execute("DROP TABLE search_postings")
    con.execute("ALTER TABLE search_postings_sorted RENAME TO search_postings")
    con.execute("UPDATE search_index_state SET unsorted_postings = 0, compacted_at = ?", [utc_now()])


def _termid_ranges(con: duckdb.DuckDBPyConnection, chunk_rows: int) -> list[tuple[int, int]]:
    """[low, high) word id ranges that cover every posting, each with about `chunk_rows` postings (one word's
    postings are never split, so a very common word makes its range bigger).

    Computed in SQL: a word goes to range k when the postings of the words before it number k * chunk_rows to
    (k + 1) * chunk_rows - 1. Only the ranges reach Python, not one row per word of the vocabulary."""
    return con.execute("""
        WITH words AS (SELECT termid, count(*) AS n FROM search_postings GROUP BY termid),
        placed AS (SELECT termid, (sum(n) OVER (ORDER BY termid) - n) // ? AS k FROM words),
        ranges AS (SELECT min(termid) AS low, max(termid) AS top FROM placed GROUP BY k)
        SELECT low, coalesce(lead(low) OVER (ORDER BY low), top + 1) AS high FROM ranges ORDER BY low
    """, [chunk_rows]).fetchall()


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """A transaction of our own, or the caller's if one is open (then the caller commits or rolls back)."""
    if _in_transaction(con):
        yield
        return
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    if on_lake(con):  # txid_current() fails on a lake; its writers work in warehouse.db.write_transaction
        return True
    # DuckDB has no "in transaction?" call, and a failed BEGIN aborts the open transaction. In autocommit mode
    # every statement is a transaction of its own, so two statements see two transaction ids; inside an
    # explicit transaction they see the same one.
    first = con.execute("SELECT txid_current()").fetchone()[0]
    return con.execute("SELECT txid_current()").fetchone()[0] == first


@dataclass
class IndexStatus:
    articles: int
    indexed: int  # articles whose index row is current
    has_index: bool  # the search tables exist as this code searches them (migration 010)

    @property
    def pending(self) -> int:
        return self.articles - self.indexed


def index_status(con: duckdb.DuckDBPyConnection) -> IndexStatus:
    """How many articles the index covers as they are now; works on read-only connections. `has_index` is false
    when the search tables are missing or older than this code (before migration 010, which a write connection
    applies)."""
    has_index = has_search_index(con)
    articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    if not has_index:
        return IndexStatus(articles, 0, False)
    indexed = con.execute("SELECT count(*) FROM articles a JOIN article_search s ON s.article_id = a.article_id "
                          "AND s.content_sha256 = a.content_sha256 AND s.segmenter = ?",
                          [segmenter_version()]).fetchone()[0]
    return IndexStatus(articles, indexed, True)


def has_search_index(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the search tables exist as this code searches them (migration 010)."""
    return con.execute("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' "
                       "AND table_name = 'search_postings' AND column_name = 'names_tf'").fetchone()[0] > 0


# ---------------------------------------------------------------- searching

DEFAULT_ZONE = "Asia/Shanghai"  # China time, the parsers' convention for times without an offset


@dataclass
class Credit:
    name: str
    role: str  # reporter, author, photographer, editor or correspondent


@dataclass
class Copy:
    """Another article of a hit's duplicate cluster that matches the search too."""

    article_id: str
    site: str
    url: str | None
    published_at: datetime | None  # in the search's time zone


@dataclass
class SearchHit:
    rank: int
    article_id: str
    title: str | None
    published_at: datetime | None  # in the search's time zone
    published_date: date | None  # the day in that zone; a page that gives only a day keeps that day
    published_precision: str | None  # 'datetime', or 'date' when the page gives only a day
    site: str
    url: str | None
    parent_article_id: str | None
    parent_title: str | None  # for a sub-article, the story it was printed with
    score: float | None  # None when only a person was searched for
    snippet: str | None
    people: list[Credit] = field(default_factory=list)  # credit order
    copies: list[Copy] = field(default_factory=list)  # best ranked first; only when copies are collapsed


class _Ranked(NamedTuple):
    docid: int
    article_id: str
    published_at: datetime | None
    local_date: date | None
    precision: str | None
    site: str
    parent_article_id: str | None
    score: float


@dataclass
class _Filters:
    zone: str
    site: str | None = None
    since: date | None = None
    until: date | None = None
    person_id: str | None = None
    role: str | None = None

    @property
    def narrowing(self) -> bool:
        return any(value is not None for value in (self.site, self.since, self.until, self.person_id))

    def params(self) -> dict:
        return {"zone": self.zone, "site": self.site, "since": self.since, "until": self.until,
                "person": self.person_id, "role": self.role}


# search() computes what search_articles_tokens computes, with little SQL: one big query costs DuckDB more to
# plan (~20 ms) than to run. The query words' postings are read with one equality filter per word (on postings
# sorted by term that reads only those words' row groups; the postings carry their document's length), scored and
# summed per document with numpy; only the best scores (every match when a filter is given) are joined with
# `articles` to break ties and filter, and the texts are read for the `limit` best alone.
_TERMS_SQL = "SELECT term, termid FROM search_terms WHERE term IN ({values})"
_POSTINGS_SQL = "SELECT termid, docid, tf, title_tf, names_tf, doclen FROM search_postings WHERE termid = {termid}"
_STATS_SQL = "SELECT count(*), avg(title_len + body_len + names_len) FROM article_search"
# The publication day in the zone $zone; a page that gives only a day (at midnight China time) keeps that day.
_LOCAL_DATE = ("CASE WHEN a.published_precision = 'date' THEN a.published_date "
               "ELSE CAST(timezone($zone, a.published_at) AS DATE) END")
_RANKED_COLUMNS = (f"s.docid, s.article_id, a.published_at, {_LOCAL_DATE}, a.published_precision, a.site, "
                   "a.parent_article_id")
_CANDIDATES_SQL = f"""
SELECT {_RANKED_COLUMNS}
FROM article_search s JOIN articles a ON a.article_id = s.article_id
WHERE s.docid IN ({{docids}})
"""
_FILTER_SQL = f"""
(CAST($site AS VARCHAR) IS NULL OR a.site = $site OR a.site LIKE '%.' || $site)
  AND (CAST($since AS DATE) IS NULL OR {_LOCAL_DATE} >= $since)
  AND (CAST($until AS DATE) IS NULL OR {_LOCAL_DATE} <= $until)
  AND (CAST($person AS VARCHAR) IS NULL OR EXISTS (
      SELECT 1 FROM article_people ap
      WHERE ap.article_id = a.article_id AND ap.person_id = $person
        AND (CAST($role AS VARCHAR) IS NULL OR ap.role = $role)))
"""
_FILTERED_SQL = f"""
SELECT {_RANKED_COLUMNS}, c.score
FROM __search_scores c
JOIN article_search s ON s.docid = c.docid
JOIN articles a ON a.article_id = s.article_id
WHERE {_FILTER_SQL}
ORDER BY c.score DESC, a.published_at DESC NULLS LAST, s.article_id
LIMIT $limit
"""
# The number of matching articles that pass the filters.
_FILTERED_COUNT_SQL = f"""
SELECT count(*)
FROM __search_scores c
JOIN article_search s ON s.docid = c.docid
JOIN articles a ON a.article_id = s.article_id
WHERE {_FILTER_SQL}
"""
_CREDITED_NAMES_SQL = """
SELECT p.name, count(DISTINCT ap.article_id) AS articles
FROM article_people ap JOIN people p ON p.person_id = ap.person_id
WHERE ap.article_id IN ({values})
GROUP BY p.name
"""
FACET_SAMPLE = 200  # facets count the best this many matching articles (all of them when there are fewer)
_PERSON_DOCS_SQL = """
SELECT DISTINCT s.docid
FROM article_people ap JOIN article_search s ON s.article_id = ap.article_id
WHERE ap.person_id = $person AND (CAST($role AS VARCHAR) IS NULL OR ap.role = $role)
ORDER BY s.docid
"""
# Whole duplicate clusters (docs/schema.md, "Duplicates and reposts") of the given articles, as view
# `article_clusters` has them, without computing the view (it walks every cluster and scans `articles`: 0.1 s at
# 100k articles): the members of the given articles' clusters, found by walking the relations from them only...
_CLUSTER_MEMBERS_SQL = """
WITH RECURSIVE
edges (a, b) AS (
    SELECT article_id, related_article_id FROM article_relations
    UNION
    SELECT related_article_id, article_id FROM article_relations
),
reach (seed, member) AS (
    SELECT a, a FROM edges WHERE a IN ({values})
    UNION
    SELECT reach.seed, edges.b FROM reach JOIN edges ON edges.a = reach.member
)
SELECT seed, member FROM reach
"""
# ...and the members ranked as the view ranks them (its representative is the first): an original (a repost's
# target that is no repost itself), then any repost target, then the earliest by published_at, first_seen_at,
# article_id. The articles are read by key.
_CLUSTER_RANK_SQL = """
SELECT a.article_id,
       a.article_id IN (SELECT related_article_id FROM article_relations WHERE relation = 'repost_of') AS target,
       a.article_id IN (SELECT article_id FROM article_relations WHERE relation = 'repost_of') AS repost,
       a.published_at, a.first_seen_at
FROM articles a WHERE a.article_id IN ({values})
"""


def _clusters(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> dict[str, str]:
    """{article_id: cluster_id} for every article of the given articles' clusters (those with relations)."""
    members: dict[str, set[str]] = {}
    for seed, member in execute_in(con, _CLUSTER_MEMBERS_SQL, article_ids):
        members.setdefault(seed, set()).add(member)
    if not members:
        return {}
    far_future = datetime.max.replace(tzinfo=timezone.utc)
    rank = {article_id: (not (target and not repost), not target, published_at or far_future,
                         first_seen_at or far_future, article_id)
            for article_id, target, repost, published_at, first_seen_at
            in execute_in(con, _CLUSTER_RANK_SQL, sorted(set().union(*members.values())))}
    cluster_of: dict[str, str] = {}
    for component in members.values():
        ranked = [member for member in component if member in rank]  # as the view's join with `articles`
        if ranked:
            leader = min(ranked, key=rank.__getitem__)
            cluster_of.update((member, leader) for member in ranked)
    return cluster_of


_DOCIDS_SQL = "SELECT article_id, docid FROM article_search WHERE article_id IN ({values})"
_TEXTS_SQL = "SELECT article_id, title, url, lead, body_text FROM articles WHERE article_id IN ({values})"
_TITLES_SQL = "SELECT article_id, title, url FROM articles WHERE article_id IN ({values})"
_CREDITS_SQL = """
SELECT ap.article_id, p.name, ap.role
FROM article_people ap JOIN people p ON p.person_id = ap.person_id
WHERE ap.article_id IN ({values})
ORDER BY ap.article_id, ap.seq
"""


def search(con: duckdb.DuckDBPyConnection, query: str | None, *, site: str | None = None,
           since: date | None = None, until: date | None = None, person: str | None = None,
           role: str | None = None, limit: int = 20, match_all: bool = True, collapse_copies: bool = False,
           zone: str = DEFAULT_ZONE, marks: tuple[str, str] = ("【", "】")) -> list[SearchHit]:
    """Articles matching `query`, best first, each with the body sentence that matches best (hits in `marks`).

    The same hits, scores and order as `search_articles_tokens(segment(query), match_all)` in SQL, filtered.
    `site` matches the host or any subdomain of it (lnd.com.cn matches epaper.lnd.com.cn); `person` keeps the
    articles that credit someone of exactly that name (in `role`, if given); `since` and `until` bound the
    publication day in `zone` (inclusive; articles without a date are then left out). With `person`, the query
    may be empty: the person's articles, latest first, without scores.

    `collapse_copies` lists the articles of one duplicate cluster (view `article_clusters`) once, as its best
    ranked copy, with the cluster's other matching articles as its `copies`; `limit` then counts clusters.
    Times are given in `zone`.
    """
    words, filters = _query_words(query, person), _filters(zone, site, since, until, person, role)
    if limit < 1:
        return []
    docids, scores = _matching_documents(con, words, filters, match_all)
    return _ranked_hits(con, words, filters, docids, scores, limit, collapse_copies, marks)


def search_with_facets(con: duckdb.DuckDBPyConnection, query: str | None, *, site: str | None = None,
                       since: date | None = None, until: date | None = None, person: str | None = None,
                       role: str | None = None, limit: int = 20, match_all: bool = True,
                       collapse_copies: bool = False, zone: str = DEFAULT_ZONE,
                       marks: tuple[str, str] = ("【", "】"), top: int = 10,
                       sample: int = FACET_SAMPLE) -> tuple[list[SearchHit], Facets]:
    """`search` and its facets (see Facets): the number of matching articles that pass the filters, and how the
    `sample` best ranked of them (every copy counted) spread over sites (the `top`), months (in `zone`) and the
    people they credit (the `top`). The words are looked up and scored once for both."""
    words, filters = _query_words(query, person), _filters(zone, site, since, until, person, role)
    docids, scores = _matching_documents(con, words, filters, match_all)
    hits = _ranked_hits(con, words, filters, docids, scores, limit, collapse_copies, marks) if limit >= 1 else []
    return hits, _facets(con, filters, docids, scores, top, sample)


def _ranked_hits(con: duckdb.DuckDBPyConnection, words: list[str], filters: _Filters, docids: np.ndarray,
                 scores: np.ndarray, limit: int, collapse_copies: bool, marks: tuple[str, str]) -> list[SearchHit]:
    if len(docids) == 0:
        return []
    if collapse_copies:
        ranked, copies = _collapsed(con, docids, scores, filters, limit)
    else:
        ranked, copies = _best(con, docids, scores, filters, limit), {}
    return _hits(con, ranked, copies, words, ZoneInfo(filters.zone), marks)


@dataclass
class Facets:
    """How the best matching articles of a search (every copy counted) spread over sites, months and credited
    people, each list most articles first (months in order). `total` counts every matching article; the lists
    count the `counted` best of them (FACET_SAMPLE: counting tens of thousands of matches would cost more than
    the search)."""
    total: int
    counted: int
    sites: list[tuple[str, int]]
    months: list[tuple[str, int]]  # "2024-11", in the search's time zone; undated articles are not counted
    people: list[tuple[str, int]]


def _facets(con: duckdb.DuckDBPyConnection, filters: _Filters, docids: np.ndarray, scores: np.ndarray, top: int,
            sample: int) -> Facets:
    if len(docids) == 0:
        return Facets(0, 0, [], [], [])
    best = _best(con, docids, scores, filters, sample)
    if len(best) < sample:
        total = len(best)
    elif not filters.narrowing:
        total = len(docids)
    else:
        with registered(con, "__search_scores", pa.table({"docid": docids, "score": scores})):
            total = con.execute(_FILTERED_COUNT_SQL, filters.params()).fetchone()[0]
    sites: dict[str, int] = {}
    months: dict[str, int] = {}
    for row in best:
        sites[row.site] = sites.get(row.site, 0) + 1
        if row.local_date is not None:
            month = row.local_date.strftime("%Y-%m")
            months[month] = months.get(month, 0) + 1
    people: dict[str, int] = {}
    for name, count in execute_in(con, _CREDITED_NAMES_SQL, [row.article_id for row in best]):  # by chunks
        people[name] = people.get(name, 0) + count

    def most(counts: dict[str, int]) -> list[tuple[str, int]]:
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]

    return Facets(total, len(best), most(sites), sorted(months.items()), most(people))


def _query_words(query: str | None, person: str | None) -> list[str]:
    words = tokenize(query)
    if not words and person is None:
        raise EmptyQueryError(f"nothing to search for in {query!r}: it has no words, only punctuation or spaces")
    return words


def _filters(zone: str, site: str | None, since: date | None, until: date | None, person: str | None,
             role: str | None) -> _Filters:
    return _Filters(zone=zone, site=site.strip().lower() if site else None, since=since, until=until,
                    person_id=ids.person_id_for(person.strip()) if person is not None else None,
                    role=role if person is not None else None)


def _matching_documents(con: duckdb.DuckDBPyConnection, words: list[str], filters: _Filters,
                        match_all: bool) -> tuple[np.ndarray, np.ndarray]:
    """(docids, scores) of the documents with the words (all of them, with `match_all`), ascending by docid;
    without words, the documents crediting the filters' person, each scored 0."""
    if words:
        terms = list(dict.fromkeys(words))
        termids = [termid for _, termid in execute_in(con, _TERMS_SQL, terms)]
        if not termids or (match_all and len(termids) < len(terms)):
            return np.empty(0, np.int64), np.empty(0, np.float64)
        return _scored_documents(con, termids, needed=len(terms) if match_all else 1)
    docids = con.execute(_PERSON_DOCS_SQL, {"person": filters.person_id, "role": filters.role}).fetchnumpy()
    docids = docids["docid"].astype(np.int64)
    return docids, np.zeros(len(docids), np.float64)


def _best(con: duckdb.DuckDBPyConnection, docids: np.ndarray, scores: np.ndarray, filters: _Filters,
          count: int) -> list[_Ranked]:
    """The `count` best of these scored documents that pass the filters, in rank order."""
    if filters.narrowing:
        with registered(con, "__search_scores", pa.table({"docid": docids, "score": scores})):
            rows = con.execute(_FILTERED_SQL, filters.params() | {"limit": count}).fetchall()
        return [_Ranked(*row) for row in rows]
    if len(scores) > count:  # only the best `count` scores, and any tied with the last, can be in the answer
        best = scores >= np.partition(scores, len(scores) - count)[len(scores) - count]
        docids, scores = docids[best], scores[best]
    if len(docids) == 0:
        return []
    score_of = dict(zip(docids.tolist(), scores.tolist()))
    candidates = con.execute(_CANDIDATES_SQL.format(docids=", ".join(map(str, score_of))),
                             {"zone": filters.zone}).fetchall()
    ranked = [_Ranked(*row, score_of[row[0]]) for row in candidates]
    return sorted(ranked, key=_rank_key)[:count]


def _collapsed(con: duckdb.DuckDBPyConnection, docids: np.ndarray, scores: np.ndarray, filters: _Filters,
               limit: int) -> tuple[list[_Ranked], dict[str, list[_Ranked]]]:
    """The best ranked article of each of the `limit` best clusters, and the cluster's other matching articles
    (by the leader's article_id), each list in rank order. An article without duplicates is a cluster of one."""
    count = limit
    while True:
        ranked = _best(con, docids, scores, filters, count)
        cluster_of = _clusters(con, [row.article_id for row in ranked])
        groups: dict[str, list[_Ranked]] = {}
        for row in ranked:
            groups.setdefault(cluster_of.get(row.article_id, row.article_id), []).append(row)
        if len(groups) >= limit or len(ranked) < count:
            break
        count *= 4  # many of the best were copies of each other: look further down
    chosen = dict(list(groups.items())[:limit])
    # Copies ranked below the `count` best: the chosen clusters' other articles that match and pass the filters.
    seen = {row.article_id for row in ranked}
    unseen = [article_id for article_id, cluster in cluster_of.items() if cluster in chosen and article_id not in seen]
    wanted = np.array(sorted(docid for _, docid in execute_in(con, _DOCIDS_SQL, unseen)), np.int64)
    at = np.searchsorted(docids, wanted)  # docids are ascending
    matched = at < len(docids)
    matched[matched] = docids[at[matched]] == wanted[matched]
    if matched.any():
        for row in _best(con, wanted[matched], scores[at[matched]], filters, int(matched.sum())):
            chosen[cluster_of[row.article_id]].append(row)  # ranked below every row already there
    return [group[0] for group in chosen.values()], {group[0].article_id: group[1:] for group in chosen.values()}


def _hits(con: duckdb.DuckDBPyConnection, ranked: list[_Ranked], copies: dict[str, list[_Ranked]],
          words: list[str], zone: ZoneInfo, marks: tuple[str, str]) -> list[SearchHit]:
    if not ranked:
        return []
    article_ids = [row.article_id for row in ranked]
    texts = {row[0]: row[1:] for row in execute_in(con, _TEXTS_SQL, article_ids)}
    # the titles of the sub-articles' stories, the URLs of the copies
    others = {row[0]: row[1:] for row in execute_in(con, _TITLES_SQL, [
        row.parent_article_id for row in ranked if row.parent_article_id] + [
        copy.article_id for rows in copies.values() for copy in rows])}
    people: dict[str, list[Credit]] = {}
    for article_id, name, role in execute_in(con, _CREDITS_SQL, article_ids):
        people.setdefault(article_id, []).append(Credit(name, role))
    hits = []
    for rank, row in enumerate(ranked, 1):
        title, url, lead, body = texts[row.article_id]
        hits.append(SearchHit(
            rank, row.article_id, title, _in_zone(row.published_at, zone), row.local_date, row.precision, row.site,
            url, row.parent_article_id, others.get(row.parent_article_id, (None,))[0], row.score if words else None,
            snippet=snippet(_join_text(lead, body), words, marks=marks) or snippet(title, words, marks=marks),
            people=people.get(row.article_id, []),
            copies=[Copy(copy.article_id, copy.site, others[copy.article_id][1],
                         _in_zone(copy.published_at, zone)) for copy in copies.get(row.article_id, [])]))
    return hits


def _in_zone(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.astimezone(zone) if moment is not None else None


def _scored_documents(con: duckdb.DuckDBPyConnection, termids: list[int], needed: int) -> tuple[np.ndarray, np.ndarray]:
    """(docids, scores) of the documents with at least `needed` of the words: BM25 (k1 = 1.2, b = 0.75) over all
    fields plus twice the BM25 over the title and twice the BM25 over the names, in the macro's order of
    operations."""
    postings = con.execute(" UNION ALL ".join(_POSTINGS_SQL.format(termid=int(t)) for t in termids)).fetchnumpy()
    if len(postings["docid"]) == 0:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    docs, avgdl = con.execute(_STATS_SQL).fetchone()
    termid_column = postings["termid"]
    idf = np.empty(len(termid_column), np.float64)
    for termid in termids:
        has_term = termid_column == termid
        df = int(np.count_nonzero(has_term))
        idf[has_term] = np.log10((docs - df + 0.5) / (df + 0.5) + 1)
    tf = postings["tf"].astype(np.float64)
    title_tf = postings["title_tf"].astype(np.float64)
    names_tf = postings["names_tf"].astype(np.float64)
    norm = 1.2 * (0.25 + 0.75 * postings["doclen"].astype(np.float64) / avgdl)
    part = (idf * ((tf * 2.2) / (tf + norm)) + 2 * idf * ((title_tf * 2.2) / (title_tf + norm))
            + 2 * idf * ((names_tf * 2.2) / (names_tf + norm)))
    docid_column = postings["docid"].astype(np.int64)  # docids are small: count and sum per docid by array index
    docids = np.flatnonzero(np.bincount(docid_column) >= needed)
    # Rounded as the macro rounds (migration 007), so equal scores tie whatever the order of the sum.
    return docids, np.round(np.bincount(docid_column, weights=part)[docids], SCORE_DECIMALS)


def _rank_key(row: _Ranked) -> tuple:
    """ORDER BY score DESC, published_at DESC NULLS LAST, article_id."""
    return (-row.score, row.published_at is None, -row.published_at.timestamp() if row.published_at else 0.0,
            row.article_id)


# ---------------------------------------------------------------- snippets

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n+")


def snippet(text: str | None, words: Sequence[str], *, marks: tuple[str, str] = ("【", "】"),
            width: int = 60) -> str | None:
    """The sentence of `text` with the most distinct `words`, cut to about `width` characters around the first
    hit, with every hit wrapped in `marks`. None if no word occurs in `text`."""
    if not text or not words:
        return None
    pattern = _word_pattern(words)
    best, best_found = None, 0
    for sentence in _SENTENCE_END.split(text):
        sentence = " ".join(sentence.split())
        found = {m.group(0).lower() for m in pattern.finditer(sentence)}
        if len(found) > best_found:
            best, best_found = sentence, len(found)
    if best is None:
        return None
    best = _window(best, pattern.search(best).start(), width)
    return pattern.sub(lambda m: f"{marks[0]}{m.group(0)}{marks[1]}", best)


def _word_pattern(words: Sequence[str]) -> re.Pattern:
    # Longest first, so 招商引资 is marked whole rather than as 招商 + 引资.
    alternatives = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in alternatives), re.IGNORECASE)


def _window(sentence: str, first_hit: int, width: int) -> str:
    if len(sentence) <= width:
        return sentence
    start = max(0, min(first_hit - width // 4, len(sentence) - width))
    end = start + width
    return ("…" if start > 0 else "") + sentence[start:end] + ("…" if end < len(sentence) else "")
