-- Where each extracted metadata value came from (parsers ArticleRecord.provenance), as one JSON object per
-- article: {"title": "h1", "published_at": "meta[PubDate]", "source_name": "text:来源",
-- "authors.reporter": "byline:本报记者", ...}. docs/schema.md lists the keys and values.
-- Provenance is not part of content_sha256: a change of provenance alone is not an update. Articles stored
-- before this migration have NULL until their content changes and they are loaded again.
ALTER TABLE articles ADD COLUMN provenance JSON;
