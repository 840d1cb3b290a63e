-- URL leases (warehouse/frontier.py): a crawl claims the URLs it is about to fetch, so that two crawls of one
-- site fetch each page once. A lease holds while its run is `running` and until lease_until (a crawl that died
-- gives its URLs back then); a settled URL's lease and a finished run's leases are deleted. The leases are a
-- table of their own, empty between crawls, so that `urls` is written only when a URL's state changes.
CREATE TABLE url_leases (
    url          VARCHAR NOT NULL,
    run_id       VARCHAR NOT NULL,
    lease_until  TIMESTAMPTZ NOT NULL
);
