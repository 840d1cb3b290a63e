-- Full-text search (warehouse/search.py keeps these tables in step with `articles`; docs/schema.md explains them).
-- Titles and bodies are segmented into words with jieba in Python; the words are indexed here as a BM25
-- postings index that is updated incrementally, article by article (DuckDB's fts extension can only rebuild
-- its index from scratch, which takes minutes at 100k articles while the write lock is held).

CREATE SEQUENCE search_docid_seq START 1;
CREATE SEQUENCE search_termid_seq START 1;

-- One row per article (and sub-article): its words, space-separated, Latin lower-cased.
CREATE TABLE article_search (
    article_id      VARCHAR PRIMARY KEY,
    docid           INTEGER NOT NULL UNIQUE,
    content_sha256  VARCHAR NOT NULL,
    segmenter       VARCHAR NOT NULL,
    title_tokens    VARCHAR NOT NULL,
    body_tokens     VARCHAR NOT NULL,
    title_len       INTEGER NOT NULL,
    body_len        INTEGER NOT NULL,
    segmented_at    TIMESTAMPTZ NOT NULL
);

-- The vocabulary: one id per distinct word.
CREATE TABLE search_terms (
    termid  INTEGER PRIMARY KEY,
    term    VARCHAR NOT NULL UNIQUE
);

-- How often each word occurs in each article (tf: title and body; title_tf: title only). Rewritten sorted by
-- termid from time to time (warehouse.search.compact_search_index), so a lookup reads only the row groups of
-- the query's words; rows added since then are searched in full.
CREATE TABLE search_postings (
    termid    INTEGER NOT NULL,
    docid     INTEGER NOT NULL,
    tf        INTEGER NOT NULL,
    title_tf  INTEGER NOT NULL
);

-- One row: how many postings were added since the last sorted rewrite, and when that was.
CREATE TABLE search_index_state (
    unsorted_postings  BIGINT NOT NULL,
    compacted_at       TIMESTAMPTZ
);
INSERT INTO search_index_state VALUES (0, NULL);

-- BM25 (k1 = 1.2, b = 0.75, the formula of DuckDB fts's match_bm25 over title and body together) plus twice
-- the BM25 of the words found in the title, so a title match ranks above a body-only match.
-- `tokens` is already-segmented text (words separated by spaces); newsduck connections also have
-- search_articles(q), which segments q with jieba first. match_all := false ranks articles with any of the words.
CREATE MACRO search_articles_tokens(tokens, match_all := true) AS TABLE
WITH query_terms AS (
    SELECT DISTINCT lower(word) AS term
    FROM (SELECT unnest(string_split_regex(trim(CAST(tokens AS VARCHAR)), '\s+')) AS word)
    WHERE word <> ''
),
query_ids AS (
    SELECT t.termid FROM search_terms t JOIN query_terms q ON t.term = q.term
),
stats AS (
    SELECT count(*) AS docs, avg(title_len + body_len) AS avgdl FROM article_search
),
hits AS (
    SELECT p.termid, p.docid, sum(p.tf) AS tf, sum(p.title_tf) AS title_tf
    FROM search_postings p
    WHERE p.termid IN (SELECT termid FROM query_ids)
    GROUP BY p.termid, p.docid
),
df AS (
    SELECT termid, count(*) AS df FROM hits GROUP BY termid
),
needed AS (
    SELECT CASE WHEN match_all THEN (SELECT count(*) FROM query_terms) ELSE 1 END AS words
),
matched AS (
    SELECT docid FROM hits GROUP BY docid
    HAVING count(*) >= (SELECT words FROM needed)
),
scored AS (
    SELECT s.article_id,
           sum(log10((stats.docs - df.df + 0.5) / (df.df + 0.5) + 1)
               * ((h.tf * 2.2) / (h.tf + 1.2 * (0.25 + 0.75 * (s.title_len + s.body_len) / stats.avgdl)))
             + 2 * log10((stats.docs - df.df + 0.5) / (df.df + 0.5) + 1)
               * ((h.title_tf * 2.2) / (h.title_tf + 1.2 * (0.25 + 0.75 * (s.title_len + s.body_len) / stats.avgdl)))
           ) AS score
    FROM hits h
    JOIN matched m ON m.docid = h.docid
    JOIN df ON df.termid = h.termid
    JOIN article_search s ON s.docid = h.docid
    CROSS JOIN stats
    GROUP BY s.article_id
)
SELECT a.article_id, a.title, a.published_at, a.published_date, a.site, a.url, a.parent_article_id, sc.score
FROM scored sc
JOIN articles a ON a.article_id = sc.article_id
ORDER BY sc.score DESC, a.published_at DESC NULLS LAST, a.article_id;
