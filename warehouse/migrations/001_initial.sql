-- newsduck warehouse, first schema. docs/schema.md explains every table and column.
-- Relationships are documented, not enforced with FOREIGN KEYs: DuckDB refuses UPDATE/DELETE on rows
-- that a foreign key references, and the loader replaces child rows when an article changes.

CREATE SEQUENCE fetch_id_seq START 1;
CREATE SEQUENCE error_id_seq START 1;

CREATE TABLE sources (
    source_id   VARCHAR PRIMARY KEY,
    name        VARCHAR,
    kind        VARCHAR,
    start_url   VARCHAR,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE TABLE runs (
    run_id       VARCHAR PRIMARY KEY,
    flow_run_id  VARCHAR,
    command      VARCHAR NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    status       VARCHAR NOT NULL,
    inputs       INTEGER NOT NULL DEFAULT 0,
    new          INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    unchanged    INTEGER NOT NULL DEFAULT 0,
    not_article  INTEGER NOT NULL DEFAULT 0,
    duplicates   INTEGER NOT NULL DEFAULT 0,
    errors       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE fetches (
    fetch_id      BIGINT PRIMARY KEY DEFAULT nextval('fetch_id_seq'),
    run_id        VARCHAR NOT NULL,
    input         VARCHAR NOT NULL,
    url           VARCHAR,
    path          VARCHAR,
    fetched_at    TIMESTAMPTZ NOT NULL,
    status        INTEGER,
    content_type  VARCHAR,
    charset       VARCHAR,
    bytes         BIGINT NOT NULL,
    elapsed_ms    DOUBLE,
    body_sha256   VARCHAR,
    error         VARCHAR,
    outcome       VARCHAR NOT NULL,
    article_id    VARCHAR
);

CREATE TABLE raw_pages (
    body_sha256    VARCHAR PRIMARY KEY,
    compression    VARCHAR NOT NULL,
    body           BLOB NOT NULL,
    bytes          BIGINT NOT NULL,
    content_type   VARCHAR,
    charset        VARCHAR,
    first_seen_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE articles (
    article_id           VARCHAR PRIMARY KEY,
    url                  VARCHAR,
    canonical_url        VARCHAR,
    site                 VARCHAR NOT NULL,
    source_id            VARCHAR,
    parent_article_id    VARCHAR,
    sub_seq              INTEGER,
    title                VARCHAR,
    kicker               VARCHAR,
    subtitle             VARCHAR,
    lead                 VARCHAR,
    body_text            VARCHAR NOT NULL,
    language             VARCHAR,
    published_at         TIMESTAMPTZ,
    published_date       DATE,
    published_precision  VARCHAR,
    published_raw        VARCHAR,
    source_name          VARCHAR,
    site_name            VARCHAR,
    original_url         VARCHAR,
    path                 VARCHAR,
    char_count           INTEGER NOT NULL,
    content_sha256       VARCHAR NOT NULL,
    body_sha256          VARCHAR,
    parser_version       VARCHAR,
    first_seen_at        TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ,
    run_id               VARCHAR NOT NULL
);

CREATE TABLE paragraphs (
    article_id  VARCHAR NOT NULL,
    seq         INTEGER NOT NULL,
    kind        VARCHAR NOT NULL,
    text        VARCHAR NOT NULL,
    PRIMARY KEY (article_id, seq)
);

CREATE TABLE people (
    person_id  VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL
);

CREATE TABLE article_people (
    article_id  VARCHAR NOT NULL,
    person_id   VARCHAR NOT NULL,
    role        VARCHAR NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (article_id, seq)
);

CREATE TABLE images (
    article_id  VARCHAR NOT NULL,
    seq         INTEGER NOT NULL,
    src         VARCHAR,
    caption     VARCHAR,
    credit      VARCHAR,
    PRIMARY KEY (article_id, seq)
);

CREATE TABLE links (
    page_url  VARCHAR NOT NULL,
    seq       INTEGER NOT NULL,
    url       VARCHAR NOT NULL,
    title     VARCHAR,
    run_id    VARCHAR NOT NULL,
    PRIMARY KEY (page_url, seq)
);

CREATE TABLE errors (
    error_id    BIGINT PRIMARY KEY DEFAULT nextval('error_id_seq'),
    run_id      VARCHAR NOT NULL,
    input       VARCHAR NOT NULL,
    stage       VARCHAR NOT NULL,
    error_type  VARCHAR NOT NULL,
    message     VARCHAR,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE VIEW article_people_v AS
SELECT ap.article_id, p.name, ap.role, ap.seq, ap.person_id
FROM article_people ap
JOIN people p USING (person_id);
