-- Duplicates and reposts (warehouse/relations.py fills the tables), and views for analysts.
-- docs/schema.md explains every table, column and view. After this SQL, warehouse/migrate.py runs
-- warehouse.relations.backfill_relations in the same transaction, so articles loaded before 002 get
-- their fingerprints, bands and relations too.

-- One row per top-level article: the keys its relations are found by.
CREATE TABLE article_fingerprints (
    article_id         VARCHAR PRIMARY KEY,
    text_sha256        VARCHAR,
    text_chars         INTEGER NOT NULL,
    shingles           INTEGER NOT NULL,
    minhash            BLOB,
    url_key            VARCHAR,
    canonical_url_key  VARCHAR,
    original_url_key   VARCHAR,
    computed_at        TIMESTAMPTZ NOT NULL
);

-- LSH: BANDS rows per article with a MinHash signature. Articles sharing a (band, band_hash) are candidates.
CREATE TABLE article_minhash_bands (
    band        INTEGER NOT NULL,
    band_hash   BIGINT NOT NULL,
    article_id  VARCHAR NOT NULL
);

CREATE TABLE article_relations (
    article_id          VARCHAR NOT NULL,
    related_article_id  VARCHAR NOT NULL,
    relation            VARCHAR NOT NULL CHECK (relation IN ('exact_duplicate', 'near_duplicate', 'repost_of')),
    similarity          DOUBLE,
    method              VARCHAR NOT NULL,
    detected_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (article_id, related_article_id, relation)
);

-- Connected components of the relation graph (any relation, either direction), for the articles that have
-- a relation. cluster_id is the cluster's representative: an original (target of repost_of that is not a
-- repost itself) if there is one, then any repost target, then the earliest by published_at, first_seen_at,
-- article_id.
CREATE VIEW article_clusters AS
WITH RECURSIVE
edges (a, b) AS (
    SELECT article_id, related_article_id FROM article_relations
    UNION
    SELECT related_article_id, article_id FROM article_relations
),
reach (article_id, member) AS (
    SELECT a, a FROM edges
    UNION
    SELECT reach.article_id, edges.b FROM reach JOIN edges ON edges.a = reach.member
),
repost_targets AS (SELECT DISTINCT related_article_id AS article_id FROM article_relations WHERE relation = 'repost_of'),
reposts AS (SELECT DISTINCT article_id FROM article_relations WHERE relation = 'repost_of'),
ranked AS (
    SELECT n.article_id,
           row_number() OVER (ORDER BY (t.article_id IS NOT NULL AND r.article_id IS NULL) DESC,
                                       (t.article_id IS NOT NULL) DESC,
                                       a.published_at ASC NULLS LAST, a.first_seen_at, n.article_id) AS rank
    FROM (SELECT DISTINCT a AS article_id FROM edges) n
    JOIN articles a ON a.article_id = n.article_id
    LEFT JOIN repost_targets t ON t.article_id = n.article_id
    LEFT JOIN reposts r ON r.article_id = n.article_id
)
SELECT reach.article_id, arg_min(reach.member, ranked.rank) AS cluster_id, count(*) AS cluster_size
FROM reach
JOIN ranked ON ranked.article_id = reach.member
GROUP BY reach.article_id;

-- One row per story: top-level articles without duplicates, plus each cluster's representative.
CREATE VIEW articles_dedup AS
SELECT a.article_id, a.site, a.title, a.published_at, a.published_date, a.source_name, a.site_name,
       a.url, a.char_count, coalesce(c.cluster_size, 1) AS copies
FROM articles a
LEFT JOIN article_clusters c ON c.article_id = a.article_id
WHERE a.parent_article_id IS NULL
  AND (c.cluster_id IS NULL OR c.cluster_id = a.article_id);

-- One row per top-level article, with its credits as lists of names (in credit order) and its counts.
CREATE VIEW article_overview AS
WITH credits AS (
    SELECT ap.article_id,
           list(p.name ORDER BY ap.seq) FILTER (WHERE ap.role = 'reporter') AS reporters,
           list(p.name ORDER BY ap.seq) FILTER (WHERE ap.role = 'author') AS authors,
           list(p.name ORDER BY ap.seq) FILTER (WHERE ap.role = 'photographer') AS photographers,
           list(p.name ORDER BY ap.seq) FILTER (WHERE ap.role = 'editor') AS editors,
           list(p.name ORDER BY ap.seq) FILTER (WHERE ap.role = 'correspondent') AS correspondents
    FROM article_people ap
    JOIN people p ON p.person_id = ap.person_id
    GROUP BY ap.article_id
),
paragraph_counts AS (
    SELECT article_id, count(*) FILTER (WHERE kind <> 'heading') AS paragraph_count FROM paragraphs GROUP BY article_id
),
image_counts AS (SELECT article_id, count(*) AS image_count FROM images GROUP BY article_id),
sub_article_counts AS (
    SELECT parent_article_id AS article_id, count(*) AS sub_article_count
    FROM articles WHERE parent_article_id IS NOT NULL GROUP BY parent_article_id
)
SELECT a.article_id, a.site, a.title, a.published_at, a.published_date,
       coalesce(c.reporters, []::VARCHAR[]) AS reporters,
       coalesce(c.authors, []::VARCHAR[]) AS authors,
       coalesce(c.photographers, []::VARCHAR[]) AS photographers,
       coalesce(c.editors, []::VARCHAR[]) AS editors,
       coalesce(c.correspondents, []::VARCHAR[]) AS correspondents,
       a.source_name, a.site_name, a.original_url, a.url, a.char_count,
       coalesce(pc.paragraph_count, 0) AS paragraph_count,
       coalesce(ic.image_count, 0) AS image_count,
       coalesce(sc.sub_article_count, 0) AS sub_article_count,
       coalesce(cl.cluster_id, a.article_id) AS cluster_id,
       coalesce(cl.cluster_size, 1) AS cluster_size
FROM articles a
LEFT JOIN credits c ON c.article_id = a.article_id
LEFT JOIN paragraph_counts pc ON pc.article_id = a.article_id
LEFT JOIN image_counts ic ON ic.article_id = a.article_id
LEFT JOIN sub_article_counts sc ON sc.article_id = a.article_id
LEFT JOIN article_clusters cl ON cl.article_id = a.article_id
WHERE a.parent_article_id IS NULL;

-- Top-level articles per site and China-local publication day (day NULL: no date), and distinct stories.
CREATE VIEW daily_counts AS
SELECT a.site,
       CAST(a.published_at AT TIME ZONE 'Asia/Shanghai' AS DATE) AS day,
       count(*) AS articles,
       count(DISTINCT coalesce(c.cluster_id, a.article_id)) AS stories
FROM articles a
LEFT JOIN article_clusters c ON c.article_id = a.article_id
WHERE a.parent_article_id IS NULL
GROUP BY ALL;
