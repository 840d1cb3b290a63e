"""Arrow schemas of the rows the loader writes, one per table (column names and order as in the tables)."""

from __future__ import annotations

import pyarrow as pa

STR = pa.string()
INT = pa.int64()  # wider than the columns on purpose: an out-of-range value fails in DuckDB, inside the transaction
TS = pa.timestamp("us", tz="UTC")

FETCH_SCHEMA = pa.schema([
    ("run_id", STR), ("input", STR), ("url", STR), ("path", STR), ("fetched_at", TS), ("status", INT),
    ("content_type", STR), ("charset", STR), ("bytes", INT), ("elapsed_ms", pa.float64()), ("body_sha256", STR),
    ("error", STR), ("outcome", STR), ("article_id", STR),
])
RAW_PAGE_SCHEMA = pa.schema([
    ("body_sha256", STR), ("compression", STR), ("body", pa.binary()), ("bytes", INT), ("content_type", STR),
    ("charset", STR), ("first_seen_at", TS),
])
ARTICLE_SCHEMA = pa.schema([
    ("article_id", STR), ("url", STR), ("canonical_url", STR), ("site", STR), ("source_id", STR),
    ("parent_article_id", STR), ("sub_seq", INT), ("title", STR), ("kicker", STR), ("subtitle", STR),
    ("lead", STR), ("body_text", STR), ("language", STR), ("published_at", TS), ("published_date", pa.date32()),
    ("published_precision", STR), ("published_raw", STR), ("source_name", STR), ("site_name", STR),
    ("original_url", STR), ("path", STR), ("char_count", INT), ("content_sha256", STR), ("body_sha256", STR),
    ("parser_version", STR), ("provenance", STR), ("first_seen_at", TS), ("updated_at", TS), ("run_id", STR),
])
PARAGRAPH_SCHEMA = pa.schema([("article_id", STR), ("seq", INT), ("kind", STR), ("text", STR)])
PERSON_SCHEMA = pa.schema([("person_id", STR), ("name", STR)])
ARTICLE_PERSON_SCHEMA = pa.schema([("article_id", STR), ("person_id", STR), ("role", STR), ("seq", INT)])
IMAGE_SCHEMA = pa.schema([("article_id", STR), ("seq", INT), ("src", STR), ("caption", STR), ("credit", STR)])
LINK_SCHEMA = pa.schema([("page_url", STR), ("seq", INT), ("url", STR), ("title", STR), ("run_id", STR)])
ID_SCHEMA = pa.schema([("id", STR)])
