-- Articles whose search index rows may be out of date. Every load adds the ids of the articles it inserts,
-- updates or deletes, in the batch's transaction; warehouse.search.refresh_search_index looks those up by key
-- and deletes the rows it has handled. Before this, a refresh compared all of `articles` with all of
-- `article_search`: two scans whose memory grew with the database (bench/README.md, "Memory, session 7").
-- A crash between a load and its refresh leaves the ids here for the next refresh.
CREATE SEQUENCE search_queue_seq START 1;
CREATE TABLE search_queue (
    seq         BIGINT NOT NULL DEFAULT nextval('search_queue_seq'),
    article_id  VARCHAR NOT NULL
);

-- The segmenter the whole index was last checked against. NULL (as after this migration) or another version
-- makes the next refresh compare every article once, as refreshes did before the queue.
ALTER TABLE search_index_state ADD COLUMN segmenter VARCHAR;
