"""Redirect policy: which URLs a fetch may request, and where a 3xx leads.

The fetcher follows redirects itself (httpx does not), so every hop passes the same checks as the first URL.
Protocol:
- `RedirectPolicy.first_url(url, config)`: the URL to request, fragment dropped; BadUrl / BadScheme otherwise;
- `await RedirectPolicy.admit(url)`: before each request (hop, or robots.txt): ForbiddenAddress for a host that is
  not public and was not named (flows/web/addresses.py), when `config.block_private_addresses` is on;
- `RedirectPolicy.next_hop(current, status, headers, visited, config)`: for a redirect status, the next URL
  (BadScheme, RedirectLoop, TooManyRedirects past `max_redirects`); None for any other status. With
  `config.follow_redirects` off a redirect is the answer: HttpStatusError (the
  fetcher keeps the Location in `FetchResult.location`).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from .addresses import AddressGuard
from .config import FetchConfig
from .errors import BadScheme, BadUrl, HttpStatusError, RedirectLoop, TooManyRedirects

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def clean_url(url: str, config: FetchConfig) -> str:
    """Drop the fragment and check scheme and host; raises BadScheme / BadUrl."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # noqa: F841 - raises ValueError for a bad port
    except ValueError as exc:
        raise BadUrl(f"cannot parse URL {url!r}: {exc}", url=url) from exc
    scheme = parts.scheme.lower()
    if scheme not in config.allowed_schemes:
        raise BadScheme(f"scheme {scheme or '(none)'!r} not allowed (only {', '.join(config.allowed_schemes)})", url=url)
    if not parts.hostname:
        raise BadUrl(f"URL without a host: {url!r}", url=url)
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


class RedirectPolicy:
    """The checks of one Fetcher's URLs and redirects (see the protocol above)."""

    def __init__(self, config: FetchConfig) -> None:
        self.addresses = (AddressGuard(config.allowed_private_origins)
                          if config.block_private_addresses else None)

    @staticmethod
    def first_url(url: str, config: FetchConfig) -> str:
        return clean_url(url, config)

    async def admit(self, url: str) -> None:
        if self.addresses is not None:
            await self.addresses.check(url)

    @staticmethod
    def next_hop(
        current: str, status: int, headers: httpx.Headers, visited: list[str], config: FetchConfig
    ) -> str | None:
        if status not in REDIRECT_STATUSES:
            return None
        location = headers.get("location")
        if not location:
            raise HttpStatusError(status, f"HTTP {status} from {current} without Location", url=current)
        if not config.follow_redirects:
            target = urljoin(current, location)
            raise HttpStatusError(status, f"GET {current} returned HTTP {status} to {target}; redirects are not "
                                  "followed", url=current)
        target = clean_url(urljoin(current, location), config)
        if target in visited:
            chain = " → ".join(visited[visited.index(target):] + [target])
            raise RedirectLoop(f"redirect loop: {chain}", url=current)
        if len(visited) > config.max_redirects:
            raise TooManyRedirects(f"more than {config.max_redirects} redirects from {visited[0]}", url=current)
        return target
