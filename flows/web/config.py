"""Settings of the polite fetcher. Defaults suit a crawl of news sites; tests shrink the timeouts.

`FetchConfig` holds the settings of a Fetcher, with one switch per policy (flows/web/__init__.py lists them);
`FetchOptions` overrides the per-request ones for a single request.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

DEFAULT_USER_AGENT = "newsduck/0.1 (+https://github.com/newsduck/newsduck)"

PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
XML_TYPES = ("application/xml", "text/xml", "application/rss+xml", "application/atom+xml", "application/rdf+xml")
GZIP_TYPES = ("application/gzip", "application/x-gzip")


def _default_accepted_types() -> dict[str, tuple[str, ...]]:
    return {
        "page": PAGE_TYPES,
        "feed": XML_TYPES,
        # sitemaps.org allows plain-text sitemaps (one URL per line) and gzipped ones.
        "sitemap": XML_TYPES + ("text/plain",) + GZIP_TYPES,
    }


@dataclass
class FetchConfig:
    user_agent: str = DEFAULT_USER_AGENT

    # Concurrency and politeness.
    global_concurrency: int = 16          # requests in flight over all hosts
    per_host_concurrency: int = 2         # requests in flight to one host name
    min_delay_per_host: float = 0.0       # seconds between request starts to one host; Crawl-delay raises it
    max_crawl_delay: float = 30.0         # a robots Crawl-delay above this is capped, so one host cannot stall a crawl

    # Timeouts in seconds. total is the wall clock of one request, body included (not politeness waits).
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0

    # Body limits: raw bytes, decompressed bytes, and decompressed/compressed ratio.
    max_body_bytes: int = 10 * 1024 * 1024
    max_decompression_ratio: float = 100.0
    bomb_ratio_floor_bytes: int = 1024 * 1024  # the ratio check starts once this much has been decompressed

    # Redirects (flows/web/redirects.py). Off: a 3xx is the answer, a HttpStatusError with `FetchResult.location`.
    follow_redirects: bool = True
    max_redirects: int = 10
    allowed_schemes: tuple[str, ...] = ("http", "https")

    # Non-public addresses (loopback, private, link-local ...) are refused unless their origin (host:port) is
    # listed: flows/web/addresses.py. The crawl and ingest flows turn it on with the origins the user named.
    block_private_addresses: bool = False
    allowed_private_origins: frozenset[str] = frozenset()

    # Retries (flows/web/retry.py): 429/503 honour Retry-After; other 5xx, timeouts and connection errors use
    # backoff with full jitter. Off: every request is sent once.
    retry: bool = True
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_retry_after: float = 120.0

    # robots.txt (RFC 9309, flows/web/robots.py). Off: robots.txt is neither read nor obeyed.
    respect_robots: bool = True
    robots_max_bytes: int = 500 * 1024    # RFC 9309: parse at least 500 KiB; the rest is ignored
    robots_cache_ttl: float = 24 * 3600.0
    robots_unreachable_ttl: float = 300.0  # a 5xx/unreachable robots.txt (disallow all) is asked again after this

    # Content-Encoding (gzip, deflate, br) and .gz sitemaps are decoded (flows/web/decompress.py). Off: identity is
    # asked for and the body is returned as the server sent it.
    decompress: bool = True

    # The declared type and the body must suit the kind of document asked for (flows/web/sniff.py).
    check_content_type: bool = True
    accepted_types: dict[str, tuple[str, ...]] = field(default_factory=_default_accepted_types)

    # Per-host concurrency, start delay, Crawl-delay and Retry-After holds (flows/web/politeness.py). Off: only
    # global_concurrency limits requests. Fetcher-wide: hosts are shared by all requests, so no per-request override.
    politeness: bool = True

    trust_env: bool = True                 # use HTTP(S)_PROXY / NO_PROXY from the environment

    def with_options(self, options: FetchOptions | None) -> FetchConfig:
        """This config with the fields `options` sets (not None) replaced: the settings of one request."""
        if options is None:
            return self
        changes = {f.name: getattr(options, f.name) for f in fields(options) if getattr(options, f.name) is not None}
        return replace(self, **changes) if changes else self


@dataclass(frozen=True)
class FetchOptions:
    """Per-request overrides of FetchConfig: each field left None keeps the Fetcher's setting.

    `FetchRequest(url, options=FetchOptions(max_retries=0, follow_redirects=False))` sends that request once and
    stops at its first redirect; other requests of the same Fetcher are not affected. Robots.txt itself is always
    fetched with the Fetcher's settings. Fields are named as in FetchConfig.
    """

    retry: bool | None = None
    max_retries: int | None = None
    follow_redirects: bool | None = None
    max_redirects: int | None = None
    respect_robots: bool | None = None
    decompress: bool | None = None
    check_content_type: bool | None = None
