"""What the warehouse loads: plain records handed over by the flows.

The warehouse knows nothing of HTML: it receives already-extracted `ArticleRecord`s
(pure data from `parsers.records`) together with the fetch facts and the raw bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from parsers.records import ArticleRecord


@dataclass
class FetchInfo:
    """One fetch (HTTP GET) or file read."""
    input: str                      # what the user gave: URL or path
    url: str | None                 # final URL after redirects (None for files given without --url)
    path: str | None                # absolute path for file inputs
    fetched_at: datetime            # timezone-aware UTC
    status: int | None = None       # HTTP status; None for files
    content_type: str | None = None
    charset: str | None = None      # charset used to decode, filled after parsing
    bytes: int = 0
    elapsed_ms: float = 0.0
    body_sha256: str | None = None  # hex; None when nothing was read
    error: str | None = None        # short reason when the fetch itself failed


@dataclass
class ErrorInfo:
    input: str
    stage: str          # fetch | decode | parse | load
    error_type: str     # exception class name or HTTP status text
    message: str


@dataclass
class PageResult:
    """Everything the flows learned about one input; exactly one of record / error is usually set."""
    fetch: FetchInfo
    body: bytes | None = None
    record: ArticleRecord | None = None
    error: ErrorInfo | None = None
    # An outcome known before loading that is not an error (warehouse.rows.SKIPPED_ROBOTS, NO_EDITION): nothing is
    # loaded and no `errors` row written; `fetch.error` says why.
    skipped: str | None = None


@dataclass
class LoadCounts:
    inputs: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    not_article: int = 0
    errors: int = 0
    duplicates: int = 0  # inputs superseded by a later one with the same key in the batch, or URL variants of an article
    skipped_robots: int = 0  # URLs robots.txt disallows: not requested
    no_edition: int = 0      # e-paper dates without an edition (its first page answered 404)

    def add(self, other: "LoadCounts") -> None:
        for name in LoadCounts.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def __eq__(self, other: object) -> bool:
        """Equal counts, whatever else the objects carry (a LoadedBatch's outcomes)."""
        if not isinstance(other, LoadCounts):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in LoadCounts.__dataclass_fields__)


@dataclass(eq=False)
class LoadedBatch(LoadCounts):
    """What a batch's load did: its counts, and per input (FetchInfo.input) the outcome (warehouse.rows) and the
    article the input gave (its own, or the one its URL is a variant of). An input given twice: its last one."""
    outcomes: dict[str, tuple[str, str | None]] = field(default_factory=dict, compare=False, repr=False)


# Long work (an export, a search index build) reports how far it got by calling one of these, if given, with
# (done, total or None while unknown, the step under way, e.g. a table's name); the CLI draws its bar from it.
Progress = Callable[[int, "int | None", str], None]
