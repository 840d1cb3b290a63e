"""Polite HTTP fetching for crawls: robots.txt, per-host limits, retries, bounded and decompressed bodies.

Named `web`, not `http`, so that it can never shadow the standard library when Prefect puts flows/ on sys.path.
"""

from .addresses import origins_of
from .config import DEFAULT_USER_AGENT, FetchConfig
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
from .fetcher import (
    Fetcher,
    FetchRequest,
    FetchResult,
    backoff_delay,
    check_page_body,
    parse_retry_after,
    retry_delay,
    to_error_info,
    to_fetch_info,
)
from .robots import RobotsCache, RobotsRules, parse_robots

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
