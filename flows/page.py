"""The one record of a page in newsduck's pipeline, from the moment it is fetched or read to its load.

A `Page` is made by whoever got the bytes (flows/fetch.py reads files and WARC records, `page_from_result` in
flows/batches.py takes the polite fetcher's answer), gets its extraction outcome in `result` (flows/batches.py
`extract_pages`), its warehouse rows in `rows` (`prepare_rows`) and is settled in the frontier by the batch load that
stores it. Invariant: `body` is None exactly when the page has nothing to extract (a failure, a 304, a skip), and then
`fetch_error` or `skipped` says why, unless it is a 304 (`not_modified`).
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date

from warehouse import frontier
from warehouse.models import ErrorInfo, FetchInfo, PageResult
from warehouse.rows import PageRows

__all__ = ["Page", "Placement"]


@dataclass
class Placement:
    """Where an e-paper article was printed: edition date and page (版)."""
    edition_date: date | None = None
    page_no: str | None = None
    page_name: str | None = None


@dataclass
class Page:
    """One fetched (or read) input: what the fetch or read recorded, the bytes or why there are none, what the
    frontier should remember, and later the extraction's outcome.

    `url` is the page's frontier URL (None for files); `load` False means only the frontier hears of it
    (feeds, sitemaps, 304s); `kind` other than "article" marks a crawl's list/edition page, never stored as one;
    `skipped` is an outcome that is not an error (see warehouse.models.PageResult), with `fetch_error` saying why.
    """
    fetch: FetchInfo
    body: bytes | None = None
    fetch_error: ErrorInfo | None = None
    skipped: str | None = None
    url: str | None = None
    kind: str = frontier.ARTICLE
    load: bool = True
    not_modified: bool = False
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    fail_status: str = frontier.FAILED
    placement: Placement | None = None
    result: PageResult | None = field(default=None, repr=False)
    rows: PageRows | None = field(default=None, repr=False)  # the result's warehouse rows, see `prepare_rows`
    # extraction started as soon as the page was fetched (see `start_extraction`); extract_pages collects it
    extraction: Future | None = field(default=None, repr=False, compare=False)

    @property
    def input(self) -> str:
        return self.fetch.input

    @property
    def error(self) -> ErrorInfo | None:
        """The page's failure: its extraction's, else its fetch's (or read's)."""
        if self.result is not None and self.result.error is not None:
            return self.result.error
        return self.fetch_error
