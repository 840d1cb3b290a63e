-- URL variants: one article reached under more URLs of the same page (the same scheme, host and path with more
-- query parameters, the same content), e.g. an e-paper's content_3.html?div=-1 beside content_3.html. A load
-- records such a URL here instead of storing the article twice (warehouse.variants).
CREATE TABLE url_aliases (
    url            VARCHAR PRIMARY KEY,
    article_id     VARCHAR NOT NULL,
    first_seen_at  TIMESTAMPTZ NOT NULL,
    run_id         VARCHAR
);

-- Query parameters a host's URL variants add without changing the page. The frontier leaves them out of a
-- URL's dedup_key, so a variant of a URL it knows is not queued (nor fetched) again.
CREATE TABLE ignored_query_params (
    host          VARCHAR NOT NULL,
    param         VARCHAR NOT NULL,
    learned_from  VARCHAR NOT NULL,
    learned_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (host, param)
);
