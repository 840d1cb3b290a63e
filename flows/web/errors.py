"""Why a fetch failed: one exception hierarchy, carried as a value in `FetchResult.error`.

The fetcher never raises these to its caller; they are raised internally and caught at the
per-URL boundary, so each failure ends up as a `FetchResult` with `error` set. `stage` matches
`warehouse.models.ErrorInfo.stage`.
"""

from __future__ import annotations


class FetchError(Exception):
    """Base class: something stopped us from getting a usable body for a URL."""

    stage = "fetch"
    retryable = False

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url


class HttpStatusError(FetchError):
    """The final response had a status we cannot use (4xx, 5xx, a 3xx without Location...)."""

    def __init__(self, status: int, message: str, *, url: str | None = None) -> None:
        super().__init__(message, url=url)
        self.status = status

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return self.status == 429 or self.status >= 500


class RobotsDisallowed(FetchError):
    """robots.txt (or an unreachable robots.txt, per RFC 9309) forbids this URL; it was not requested."""


class TooLarge(FetchError):
    """The body (raw or decompressed) is over `max_body_bytes`; the rest was not read."""


class DecompressionBomb(FetchError):
    """The body decompresses far beyond what its compressed size justifies."""


class BadEncoding(FetchError):
    """A Content-Encoding we did not ask for, or a corrupt compressed stream."""


class RedirectLoop(FetchError):
    """A redirect led back to a URL already visited in this chain."""


class TooManyRedirects(FetchError):
    """More than `max_redirects` hops."""


class FetchTimeout(FetchError):
    """Connect, read or total (wall-clock) timeout."""

    retryable = True


class ConnectionFailed(FetchError):
    """DNS, refused, reset, or the peer closed the connection mid-response."""

    retryable = True


class BadContentType(FetchError):
    """The response is not the kind of document asked for (e.g. a PNG when a page was expected)."""


class BadScheme(FetchError):
    """A URL (given or redirected to) whose scheme is not allowed (only http/https by default)."""


class BadUrl(FetchError):
    """A URL that cannot be requested at all (no host, unparseable)."""


class ForbiddenAddress(FetchError):
    """The URL's host is (or resolves to) a non-public address (loopback, private, link-local ...) whose origin
    nobody named: not requested (flows/web/addresses.py)."""
