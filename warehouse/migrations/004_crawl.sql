-- The crawl: a URL frontier (warehouse/frontier.py), where e-paper articles were printed, and crawl counts on runs.

-- One row per URL the crawl knows, keyed by its canonical URL (parsers.urls.canonicalize_url), which is what
-- is fetched. dedup_key (parsers.urls.dedup_key) folds /list/index.html into /list/, so one page is one row.
CREATE TABLE urls (
    url              VARCHAR PRIMARY KEY,
    dedup_key        VARCHAR NOT NULL UNIQUE,
    host             VARCHAR NOT NULL,
    source_id        VARCHAR,
    kind             VARCHAR NOT NULL
                     CHECK (kind IN ('article', 'list', 'feed', 'sitemap', 'edition', 'epaper_page')),
    discovered_at    TIMESTAMPTZ NOT NULL,
    discovered_run_id VARCHAR,
    last_fetched_at  TIMESTAMPTZ,
    status           VARCHAR NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'fetched', 'stored', 'not_modified', 'failed', 'skipped', 'gone')),
    http_status      INTEGER,
    etag             VARCHAR,
    last_modified    VARCHAR,
    fail_count       INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ,
    last_error       VARCHAR,
    edition_date     DATE,
    page_no          VARCHAR,
    page_name        VARCHAR
);

-- E-paper articles: the edition and the page (版) they were printed on, copied from their frontier row.
ALTER TABLE articles ADD COLUMN edition_date DATE;
ALTER TABLE articles ADD COLUMN page_no VARCHAR;
ALTER TABLE articles ADD COLUMN page_name VARCHAR;

-- Crawl runs (`newsduck crawl`): what the run found and fetched, and for which source.
ALTER TABLE runs ADD COLUMN discovered INTEGER DEFAULT 0;
ALTER TABLE runs ADD COLUMN fetched INTEGER DEFAULT 0;
ALTER TABLE runs ADD COLUMN not_modified INTEGER DEFAULT 0;
ALTER TABLE runs ADD COLUMN bytes BIGINT DEFAULT 0;
ALTER TABLE runs ADD COLUMN duration_s DOUBLE;
ALTER TABLE runs ADD COLUMN source_id VARCHAR;
