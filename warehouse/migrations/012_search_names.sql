-- The people an article credits (article_people) are a third field of its search document, so a query for a
-- reporter's or editor's name finds the stories that credit them. Scores become BM25 over title, body and
-- names together plus twice the BM25 of the title and twice the BM25 of the names, a document's length being
-- the words of all three fields; warehouse.search.search() computes the same.
-- Rows indexed before this migration have no names (names_len 0, names_tf 0) until they are segmented again:
-- warehouse.search's segmenter version changed with the fields, so the next refresh (an ingest, or
-- `newsduck search --reindex`) segments every article again.
ALTER TABLE article_search ADD COLUMN names_tokens VARCHAR DEFAULT '';
ALTER TABLE article_search ADD COLUMN names_len INTEGER DEFAULT 0;
ALTER TABLE search_postings ADD COLUMN names_tf INTEGER DEFAULT 0;

CREATE OR REPLACE MACRO search_articles_tokens(tokens, match_all := true) AS TABLE
WITH query_terms AS (
    SELECT DISTINCT lower(word) AS term
    FROM (SELECT unnest(string_split_regex(trim(CAST(tokens AS VARCHAR)), '\s+')) AS word)
    WHERE word <> ''
),
query_ids AS (
    SELECT t.termid FROM search_terms t JOIN query_terms q ON t.term = q.term
),
stats AS (
    SELECT count(*) AS docs, avg(title_len + body_len + names_len) AS avgdl FROM article_search
),
hits AS (
    SELECT p.termid, p.docid, sum(p.tf) AS tf, sum(p.title_tf) AS title_tf, sum(p.names_tf) AS names_tf
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
weighted AS (
    SELECT s.article_id, h.tf, h.title_tf, h.names_tf,
           log10((stats.docs - df.df + 0.5) / (df.df + 0.5) + 1) AS idf,
           1.2 * (0.25 + 0.75 * (s.title_len + s.body_len + s.names_len) / stats.avgdl) AS norm
    FROM hits h
    JOIN matched m ON m.docid = h.docid
    JOIN df ON df.termid = h.termid
    JOIN article_search s ON s.docid = h.docid
    CROSS JOIN stats
),
scored AS (
    SELECT w.article_id,
           round(sum(w.idf * ((w.tf * 2.2) / (w.tf + w.norm))
                     + 2 * w.idf * ((w.title_tf * 2.2) / (w.title_tf + w.norm))
                     + 2 * w.idf * ((w.names_tf * 2.2) / (w.names_tf + w.norm))), 12) AS score
    FROM weighted w
    GROUP BY w.article_id
)
SELECT a.article_id, a.title, a.published_at, a.published_date, a.site, a.url, a.parent_article_id, sc.score
FROM scored sc
JOIN articles a ON a.article_id = sc.article_id
ORDER BY sc.score DESC, a.published_at DESC NULLS LAST, a.article_id;
