-- URL leases (warehouse/frontier.py): a crawl claims the URLs it is about to fetch, so that two crawls of one
-- site fetch each page once. A lease ends when its URL is settled, when its run finishes, or at lease_until,
-- after which (a crawl that died) another crawl may claim the URL.
ALTER TABLE urls ADD COLUMN lease_run_id VARCHAR;
ALTER TABLE urls ADD COLUMN lease_until TIMESTAMPTZ;
