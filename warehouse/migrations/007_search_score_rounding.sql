-- Scores are rounded to 12 decimals. An article's score is a sum over its words, and DuckDB's parallel sum adds
-- in no fixed order, so two articles with the same score could differ in the last bits from one run to the
-- next and swap places; rounded, equal scores are equal and the tie goes to the later published_at, then the
-- article_id, every time. warehouse.search.search() rounds its numpy scores the same way.
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
           round(sum(log10((stats.docs - df.df + 0.5) / (df.df + 0.5) + 1)
               * ((h.tf * 2.2) / (h.tf + 1.2 * (0.25 + 0.75 * (s.title_len + s.body_len) / stats.avgdl)))
             + 2 * log10((stats.docs - df.df + 0.5) / (df.df + 0.5) + 1)
               * ((h.title_tf * 2.2) / (h.title_tf + 1.2 * (0.25 + 0.75 * (s.title_len + s.body_len) / stats.avgdl)))
           ), 12) AS score
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
