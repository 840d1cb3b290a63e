"""Polite HTTP fetching for crawls: a Fetcher composing small, switchable fetch policies.

Named `web`, not `http`, so that it can never shadow the standard library when Prefect puts flows/ on sys.path.

One module per policy, each a small class with a documented protocol (its module docstring), in the style of
Scrapy's downloader middlewares and httpx's content decoders:

    policy          module          switch (FetchConfig / FetchOptions)    what it does
    redirects       redirects.py    follow_redirects, max_redirects        scheme/host checks of every URL; 3xx hops,
                    addresses.py    block_private_addresses (config only)  loops, limit; refuses non-public addresses
    robots          robots.py       respect_robots                         RFC 9309 robots.txt, read once per origin
    retry           retry.py        retry, max_retries                     429/5xx/timeouts again, Retry-After, backoff
    politeness      politeness.py   politeness (config only)               per-host slots, delays, Crawl-delay holds
    decompression   decompress.py   decompress                             Content-Encoding and .gz bodies, bomb-bound
    content type    sniff.py        check_content_type                     declared type and body suit the kind

`fetcher.py` composes them in this order for each URL and each redirect hop:

    redirects.first_url → [ redirects.admit (address) → robots.check → retry( politeness.slot → GET →
        sniff.before_body → decompression decoders → sniff.after_body ) → redirects.next_hop ] per hop

Body limits (`max_body_bytes`) and timeouts are not policies: they always hold.

Per-request overrides: `FetchOptions` has the per-request switches of FetchConfig, each None by default (keep the
Fetcher's value). Give one as `Fetcher.fetch(url, options=...)` or `FetchRequest(url, options=...)`; that request
runs with `config.with_options(options)`, other requests and robots.txt itself with the Fetcher's config:

    FetchRequest(url, options=FetchOptions(max_retries=0, follow_redirects=False))

Politeness and the address guard are Fetcher-wide: a host's limits are shared by every request to it, and which
addresses may be reached is the crawl's decision, not a request's.
"""

from .addresses import origins_of
from .config import DEFAULT_USER_AGENT, FetchConfig, FetchOptions
from .errors import (
    BadContentType,
    BadEncoding,
    BadScheme,
    BadUrl,
    ConnectionFailed,
    DecompressionBomb,
    FetchError,
    FetchTimeout,
    ForbiddenAddress,
    HttpStatusError,
    RedirectLoop,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
)
from .fetcher import Fetcher, FetchRequest, FetchResult, to_error_info, to_fetch_info
from .retry import backoff_delay, parse_retry_after, retry_delay
from .robots import RobotsCache, RobotsRules, parse_robots
from .sniff import check_page_body

__all__ = [
    "origins_of",
    "DEFAULT_USER_AGENT",
    "BadContentType",
    "BadEncoding",
    "BadScheme",
    "BadUrl",
    "ConnectionFailed",
    "ForbiddenAddress",
    "DecompressionBomb",
    "FetchConfig",
    "FetchError",
    "FetchOptions",
    "FetchRequest",
    "FetchResult",
    "FetchTimeout",
    "Fetcher",
    "HttpStatusError",
    "RedirectLoop",
    "RobotsCache",
    "RobotsDisallowed",
    "RobotsRules",
    "TooLarge",
    "TooManyRedirects",
    "backoff_delay",
    "check_page_body",
    "parse_retry_after",
    "parse_robots",
    "retry_delay",
    "to_error_info",
    "to_fetch_info",
]
