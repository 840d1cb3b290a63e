"""The polite crawling fetcher: one httpx.AsyncClient, robots.txt, per-host limits, retries, bounded bodies.

    async with Fetcher(FetchConfig()) as fetcher:
        result = await fetcher.fetch("https://example.com/a.html")
        async for result in fetcher.fetch_many(urls):
            ...

Every URL ends as one `FetchResult`; a failure is a value (`result.error`), never an exception.
Bodies are returned as the server sent them after content decoding (gzip/deflate[/br]) — charset decoding is the
parser's job. Redirects are followed here (not by httpx) so every hop is checked for scheme, robots and loops.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import logging
import random
import time
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from warehouse.models import ErrorInfo, FetchInfo

from .config import GZIP_TYPES, FetchConfig
from .addresses import AddressGuard
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
from .robots import ALLOW_ALL, DISALLOW_ALL, RobotsCache, RobotsRules, parse_robots

try:  # br is advertised only with a decoder that can bound its output per call (brotli >= 1.2)
    import brotli as _brotli

    BROTLI_AVAILABLE = hasattr(_brotli.Decompressor, "can_accept_more_data")
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None
    BROTLI_AVAILABLE = False

log = logging.getLogger("newsduck.fetch")

Kind = Literal["page", "feed", "sitemap"]
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309 2.3.1.2
ACCEPT_ENCODING = "gzip, deflate, br" if BROTLI_AVAILABLE else "gzip, deflate"
ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1",
    "sitemap": "application/xml,text/xml;q=0.9,application/gzip;q=0.8,text/plain;q=0.5,*/*;q=0.1",
    "robots": "text/plain,*/*;q=0.1",
}
# Declared types that may still hold the wanted document; the body decides (a missing type, or a server's shrug).
SNIFFABLE_TYPES = frozenset({None, "text/html", "text/plain", "application/octet-stream", "binary/octet-stream"})
BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
)
_DRAIN_LIMIT = 64 * 1024  # error and redirect bodies up to this size are read (and dropped) to keep the connection
_INFLATE_STEP = 256 * 1024  # most output one decompress call may produce, so a bomb never lands in memory at once


# --------------------------------------------------------------------------------------------------------- records


@dataclass
class FetchRequest:
    url: str
    kind: Kind = "page"
    etag: str | None = None            # from an earlier fetch: sent as If-None-Match
    last_modified: str | None = None   # from an earlier fetch: sent as If-Modified-Since
    tag: Any = None                    # caller's context, echoed in the result


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class FetchResult:
    url: str                            # as requested
    final_url: str                      # after redirects (the URL of the last request made, or blocked)
    kind: str = "page"
    status: int | None = None           # HTTP status of final_url; None when it was never answered
    content_type: str | None = None     # full header value, charset included
    etag: str | None = None
    last_modified: str | None = None
    retry_after: str | None = None
    body: bytes | None = None           # decoded from gzip/deflate, not from its charset; None on error and on 304
    bytes_read: int = 0                 # raw bytes received for the last request (compressed size)
    elapsed_ms: float = 0.0             # whole fetch: robots, politeness waits, retries and redirects included
    attempts: int = 0                   # requests sent to final_url (1 + retries)
    redirects: int = 0
    not_modified: bool = False          # 304 to a conditional GET
    from_robots_block: bool = False
    error: FetchError | None = None
    fetched_at: datetime = field(default_factory=_utcnow)
    tag: Any = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def error_type(self) -> str | None:
        return type(self.error).__name__ if self.error else None

    @property
    def message(self) -> str | None:
        return self.error.message if self.error else None


def to_fetch_info(result: FetchResult, input: str | None = None) -> FetchInfo:  # noqa: A002 - the warehouse's word
    """The warehouse's record of this fetch."""
    body = result.body
    return FetchInfo(
        input=input if input is not None else result.url,
        url=result.final_url,
        path=None,
        fetched_at=result.fetched_at,
        status=result.status,
        content_type=result.content_type,
        bytes=len(body) if body is not None else result.bytes_read,
        elapsed_ms=result.elapsed_ms,
        body_sha256=hashlib.sha256(body).hexdigest() if body is not None else None,
        error=result.message,
    )


def to_error_info(result: FetchResult, input: str | None = None) -> ErrorInfo | None:  # noqa: A002
    if result.error is None:
        return None
    return ErrorInfo(
        input=input if input is not None else result.url,
        stage=result.error.stage,
        error_type=result.error_type or "FetchError",
        message=result.error.message,
    )


# ------------------------------------------------------------------------------------------- retry arithmetic


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or _utcnow())).total_seconds())


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with full jitter: uniform(0, min(cap, base * 2**(attempt-1))) for attempt 1, 2, ..."""
    return rng.uniform(0.0, min(cap, base * 2 ** max(0, attempt - 1)))


def retry_delay(
    attempt: int,
    config: FetchConfig,
    rng: random.Random,
    *,
    status: int | None = None,
    retry_after: str | None = None,
    now: datetime | None = None,
) -> float:
    """How long to wait before retry number `attempt`: 429/503 honour Retry-After (capped), else backoff."""
    if status in (429, 503):
        seconds = parse_retry_after(retry_after, now=now)
        if seconds is not None:
            return min(seconds, config.max_retry_after)
    return backoff_delay(attempt, base=config.backoff_base, cap=config.backoff_max, rng=rng)


# -------------------------------------------------------------------------------------------- body decoding


class _BodyGuard:
    """Limits one decoding stage: output over the budget is TooLarge, or DecompressionBomb when its ratio is absurd."""

    def __init__(self, config: FetchConfig, url: str, what: str) -> None:
        self.limit = config.max_body_bytes
        self.max_ratio = config.max_decompression_ratio
        self.floor = config.bomb_ratio_floor_bytes
        self.url = url
        self.what = what
        self.consumed = 0
        self.produced = 0

    def check(self) -> None:
        ratio = self.produced / max(1, self.consumed)
        absurd = ratio > self.max_ratio
        if self.produced > self.limit:
            if absurd:
                raise self._bomb(ratio)
            raise TooLarge(
                f"{self.what} body decompresses to more than {self.limit} bytes; not read further", url=self.url
            )
        if absurd and self.produced > self.floor:
            raise self._bomb(ratio)

    def _bomb(self, ratio: float) -> DecompressionBomb:
        return DecompressionBomb(
            f"{self.what} body expands {ratio:.0f}x ({self.consumed} bytes → over {self.produced}); "
            f"limit {self.max_ratio:.0f}x",
            url=self.url,
        )


class _Inflater:
    """gzip (also multi-member) or deflate (zlib-wrapped, or raw as some servers send it), bounded per call."""

    def __init__(self, encoding: str, guard: _BodyGuard) -> None:
        self.encoding = encoding
        self.guard = guard
        self._raw_fallback = encoding == "deflate"
        self._obj = zlib.decompressobj(47 if encoding == "gzip" else 15)  # 47: gzip or zlib header, auto
        self._finished = False
        self._fed = 0

    def decode(self, data: bytes) -> bytes:
        if self._finished or not data:
            return b""
        self._fed += len(data)
        out: list[bytes] = []
        pending = data
        while True:
            try:
                piece = self._obj.decompress(pending, _INFLATE_STEP)
            except zlib.error as exc:
                if self._raw_fallback and self.guard.produced == 0 and self._fed == len(data):
                    self._raw_fallback = False
                    self._obj = zlib.decompressobj(-15)
                    continue
                raise BadEncoding(f"corrupt {self.encoding} stream: {exc}", url=self.guard.url) from exc
            self._raw_fallback = False
            out.append(piece)
            pending = self._obj.unconsumed_tail
            self.guard.produced += len(piece)
            self.guard.consumed = self._fed - len(pending)
            self.guard.check()
            if self._obj.eof:
                pending = self._next_member()
                if pending is None:
                    break
                continue
            if not pending and len(piece) < _INFLATE_STEP:
                break
        return b"".join(out)

    def _next_member(self) -> bytes | None:
        rest = self._obj.unused_data
        if self.encoding == "gzip" and rest.startswith(b"\x1f\x8b"):
            self._obj = zlib.decompressobj(47)
            return rest
        self._finished = True  # trailing garbage after the stream is ignored, as browsers do
        return None

    def finish(self) -> bytes:
        return b""


class _BrotliDecoder:  # pragma: no cover - only when a brotli >= 1.2 module is installed
    def __init__(self, guard: _BodyGuard) -> None:
        self.guard = guard
        self._obj = _brotli.Decompressor()

    def decode(self, data: bytes) -> bytes:
        out: list[bytes] = []
        self.guard.consumed += len(data)
        try:
            piece = self._obj.process(data, max_output_length=_INFLATE_STEP)
            while True:
                out.append(piece)
                self.guard.produced += len(piece)
                self.guard.check()
                if self._obj.can_accept_more_data():
                    break
                piece = self._obj.process(b"", max_output_length=_INFLATE_STEP)
        except _brotli.error as exc:
            raise BadEncoding(f"corrupt br stream: {exc}", url=self.guard.url) from exc
        return b"".join(out)

    def finish(self) -> bytes:
        return b""


class _GunzipIfMagic:
    """For a .gz sitemap: gunzip when the body really starts with the gzip magic, else pass it through."""

    def __init__(self, config: FetchConfig, url: str) -> None:
        self._config = config
        self._url = url
        self._head = b""
        self._inner: _Inflater | None = None
        self._decided = False

    def decode(self, data: bytes) -> bytes:
        if self._decided:
            return self._inner.decode(data) if self._inner else data
        self._head += data
        if len(self._head) < 2:
            return b""
        return self._decide()

    def _decide(self) -> bytes:
        self._decided = True
        head, self._head = self._head, b""
        if head.startswith(b"\x1f\x8b"):
            self._inner = _Inflater("gzip", _BodyGuard(self._config, self._url, "gzip file"))
            return self._inner.decode(head)
        return head

    def finish(self) -> bytes:
        return b"" if self._decided else self._decide()


def _content_decoders(content_encoding: str | None, config: FetchConfig, url: str) -> list:
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    decoders: list = []
    for coding in reversed(codings):  # the last coding listed was applied last
        guard = _BodyGuard(config, url, coding)
        if coding in ("gzip", "x-gzip"):
            decoders.append(_Inflater("gzip", guard))
        elif coding == "deflate":
            decoders.append(_Inflater("deflate", guard))
        elif coding == "br" and BROTLI_AVAILABLE:
            decoders.append(_BrotliDecoder(guard))
        elif coding != "identity":
            raise BadEncoding(f"unsupported Content-Encoding {coding!r} (we asked for {ACCEPT_ENCODING})", url=url)
    return decoders


# ---------------------------------------------------------------------------------------------- content type


def media_type_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def binary_kind(body: bytes) -> str | None:
    """Name of an obvious binary format by its magic bytes (PNG, JPEG, GIF, PDF, ZIP, gzip), else None."""
    for magic, name in BINARY_MAGIC:
        if body.startswith(magic):
            return name
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "WebP image"
    return None


def looks_like_markup(body: bytes) -> bool:
    """True when the first non-blank byte (after a BOM) is '<' in UTF-8, UTF-16 or UTF-32."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff"):
        if body.startswith(bom):
            body = body[len(bom):]
            break
    head = body[:1024].replace(b"\x00", b"").lstrip()
    return head.startswith(b"<")


def check_page_body(content_type: str | None, body: bytes, url: str, config: FetchConfig | None = None) -> None:
    """Raise BadContentType unless a body declared as `content_type` is a page, by the rules of a fetch
    (for a body read from elsewhere, such as a WARC record)."""
    config = config or FetchConfig()
    media_type = media_type_of(content_type)
    _precheck_type("page", media_type, config, url)
    _postcheck_body("page", media_type, body, config, url)


def _precheck_type(kind: str, media_type: str | None, config: FetchConfig, url: str) -> None:
    accepted = config.accepted_types.get(kind, ())
    if media_type in accepted or media_type in SNIFFABLE_TYPES:
        return
    raise BadContentType(f"{kind} expected, server sent {media_type}; body not read", url=url)


def _postcheck_body(kind: str, media_type: str | None, body: bytes, config: FetchConfig, url: str) -> None:
    declared = media_type or "no content-type"
    binary = binary_kind(body)
    if binary:
        raise BadContentType(f"{kind} expected, body is {binary} (declared {declared})", url=url)
    accepted = config.accepted_types.get(kind, ())
    if media_type in accepted:
        return
    if kind == "page" and media_type is None:
        return  # no declared type, not binary: '<' → HTML, else plain text; the parser decides
    if not looks_like_markup(body):
        raise BadContentType(f"{kind} expected, declared {declared} and the body is not markup", url=url)


# --------------------------------------------------------------------------------------------------- urls


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


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


# ----------------------------------------------------------------------------------------------- fetcher


@dataclass
class _Exchange:
    """One HTTP request/response."""
    url: str
    status: int
    headers: httpx.Headers
    body: bytes | None


class _HostGate:
    """Per host name: at most `slots` requests in flight, request starts at least `delay` seconds apart."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.start_lock = asyncio.Lock()
        self.delay = delay
        self.last_start: float | None = None
        self.next_start = 0.0

    def started(self, now: float) -> None:
        self.last_start = now
        self.next_start = max(self.next_start, now + self.delay)

    def raise_delay(self, delay: float) -> None:
        """A longer delay (robots Crawl-delay) also pushes back the next start, counted from the last one."""
        self.delay = max(self.delay, delay)
        if self.last_start is not None:
            self.next_start = max(self.next_start, self.last_start + self.delay)

    def defer_until(self, when: float) -> None:
        self.next_start = max(self.next_start, when)


class Fetcher:
    """Polite async fetcher owning one httpx.AsyncClient; use as `async with Fetcher(config) as f:`."""

    def __init__(self, config: FetchConfig | None = None, *, rng: random.Random | None = None) -> None:
        self.config = config or FetchConfig()
        self.robots = RobotsCache(
            self._load_robots, ttl=self.config.robots_cache_ttl, unreachable_ttl=self.config.robots_unreachable_ttl
        )
        self._rng = rng or random.Random()
        self.addresses = (AddressGuard(self.config.allowed_private_origins)
                          if self.config.block_private_addresses else None)
        self._gates: dict[str, _HostGate] = {}
        self._global = asyncio.Semaphore(self.config.global_concurrency)
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        cfg = self.config
        self._client = httpx.AsyncClient(
            headers={"User-Agent": cfg.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(
                connect=cfg.connect_timeout, read=cfg.read_timeout, write=cfg.read_timeout, pool=cfg.total_timeout
            ),
            limits=httpx.Limits(
                max_connections=cfg.global_concurrency, max_keepalive_connections=cfg.global_concurrency
            ),
            follow_redirects=False,
            trust_env=cfg.trust_env,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # ---- public API

    async def fetch(
        self,
        url: str,
        *,
        kind: Kind = "page",
        etag: str | None = None,
        last_modified: str | None = None,
        tag: Any = None,
    ) -> FetchResult:
        """GET one URL politely; never raises for the URL's failure (see `FetchResult.error`)."""
        if self._client is None:
            raise RuntimeError("use Fetcher as `async with Fetcher(...) as fetcher:`")
        result = FetchResult(url=url, final_url=url, kind=kind, tag=tag)
        started = time.perf_counter()
        try:
            await self._fetch_into(result, etag=etag, last_modified=last_modified)
        except FetchError as err:
            result.error = err
            result.body = None
        except asyncio.CancelledError:
            raise
        except Exception as err:  # a bug must not take the whole crawl down; keep it visible
            log.exception("unexpected error fetching %s", url)
            result.error = FetchError(f"unexpected {type(err).__name__}: {err}", url=url)
            result.body = None
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result

    async def fetch_many(
        self,
        requests: Iterable[FetchRequest | str] | AsyncIterable[FetchRequest | str],
        *,
        max_in_flight: int | None = None,
    ) -> AsyncIterator[FetchResult]:
        """Fetch requests (URLs or FetchRequests, sync or async iterable, read lazily), yielding results as they
        complete. At most `max_in_flight` (default global_concurrency) are pending, so memory stays bounded."""
        if isinstance(requests, (str, bytes)):
            raise TypeError("fetch_many takes an iterable of URLs or FetchRequests, not one URL")
        limit = max(1, max_in_flight or self.config.global_concurrency)
        source = _aiter(requests)
        pending: set[asyncio.Task[FetchResult]] = set()
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < limit:
                    try:
                        item = await anext(source)
                    except StopAsyncIteration:
                        exhausted = True
                        break
                    pending.add(asyncio.create_task(self._fetch_request(item)))
                if not pending:
                    return
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    yield task.result()
        finally:
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    async def sitemaps(self, host: str) -> list[str]:
        """Sitemap URLs from `host`'s robots.txt (a URL, origin or bare host), fetched once per Fetcher."""
        return await self.robots.sitemaps(host)

    # ---- one URL

    async def _fetch_request(self, item: FetchRequest | str) -> FetchResult:
        if isinstance(item, str):
            return await self.fetch(item)
        if isinstance(item, FetchRequest):
            return await self.fetch(
                item.url, kind=item.kind, etag=item.etag, last_modified=item.last_modified, tag=item.tag
            )
        bad = FetchResult(url=repr(item), final_url=repr(item))
        bad.error = BadUrl(f"not a URL or FetchRequest: {item!r}")
        return bad

    async def _fetch_into(self, result: FetchResult, *, etag: str | None, last_modified: str | None) -> None:
        cfg = self.config
        kind = result.kind
        if kind not in cfg.accepted_types:
            raise FetchError(f"unknown kind {kind!r}; expected one of {sorted(cfg.accepted_types)}", url=result.url)
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        current = clean_url(result.url, cfg)
        visited = [current]
        while True:
            result.final_url = current
            result.status = None
            result.attempts = 0
            if self.addresses is not None:
                await self.addresses.check(current)
            if cfg.respect_robots and not await self._robots_allow(current):
                result.from_robots_block = True
                rules = self.robots.cached(current)
                why = f" ({rules.reason})" if rules and rules.reason else ""
                raise RobotsDisallowed(f"robots.txt disallows {current}{why}; not requested", url=current)
            exchange = await self._send_with_retries(current, kind, conditional, result)
            _copy_headers(result, exchange)
            status = exchange.status
            if status in REDIRECT_STATUSES:
                current = self._next_hop(current, exchange, visited)
                visited.append(current)
                result.redirects += 1
                continue
            if status == 304 and conditional:
                result.not_modified = True
                return
            if 200 <= status < 300:
                result.body = exchange.body
                return
            raise HttpStatusError(status, f"GET {current} returned HTTP {status}", url=current)

    def _next_hop(self, current: str, exchange: _Exchange, visited: list[str]) -> str:
        location = exchange.headers.get("location")
        if not location:
            raise HttpStatusError(exchange.status, f"HTTP {exchange.status} from {current} without Location", url=current)
        target = clean_url(urljoin(current, location), self.config)
        if target in visited:
            chain = " → ".join(visited[visited.index(target):] + [target])
            raise RedirectLoop(f"redirect loop: {chain}", url=current)
        if len(visited) > self.config.max_redirects:
            raise TooManyRedirects(f"more than {self.config.max_redirects} redirects from {visited[0]}", url=current)
        return target

    async def _robots_allow(self, url: str) -> bool:
        return (await self.robots.rules_for(url)).allows(url)

    # ---- retries, politeness, one exchange

    async def _send_with_retries(
        self, url: str, kind: str, headers: dict[str, str], result: FetchResult
    ) -> _Exchange:
        attempt = 0
        while True:
            attempt += 1
            result.attempts = attempt
            try:
                exchange = await self._send_once(url, kind, headers, result)
            except FetchError as err:
                if not err.retryable or attempt > self.config.max_retries:
                    raise
                delay = retry_delay(attempt, self.config, self._rng)
                log.debug("retry %s in %.2fs after %s", url, delay, err)
                await asyncio.sleep(delay)
                continue
            status = exchange.status
            if (status == 429 or status >= 500) and attempt <= self.config.max_retries:
                delay = retry_delay(
                    attempt, self.config, self._rng, status=status, retry_after=exchange.headers.get("retry-after")
                )
                if status in (429, 503):  # the host asked everyone to slow down, not just this request
                    self._gate(host_of(url)).defer_until(asyncio.get_running_loop().time() + delay)
                log.debug("retry %s in %.2fs after HTTP %s", url, delay, status)
                await asyncio.sleep(delay)
                continue
            return exchange

    def _gate(self, host: str) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = _HostGate(self.config.per_host_concurrency, self.config.min_delay_per_host)
            self._gates[host] = gate
        return gate

    @asynccontextmanager
    async def _request_slot(self, host: str) -> AsyncIterator[None]:
        """Wait for a per-host slot and the host's next allowed start, then a global slot."""
        gate = self._gate(host)
        loop = asyncio.get_running_loop()
        async with gate.slots:
            async with gate.start_lock:  # starts to one host are serialized, so the delay holds between all of them
                while (wait := gate.next_start - loop.time()) > 0:
                    await asyncio.sleep(wait)
                await self._global.acquire()
                gate.started(loop.time())
            try:
                yield
            finally:
                self._global.release()

    async def _send_once(self, url: str, kind: str, headers: dict[str, str], result: FetchResult) -> _Exchange:
        assert self._client is not None
        cfg = self.config
        request_headers = {"Accept": ACCEPT.get(kind, "*/*"), **headers}
        result.bytes_read = 0
        async with self._request_slot(host_of(url)):
            try:
                async with asyncio.timeout(cfg.total_timeout):
                    async with self._client.stream("GET", url, headers=request_headers) as response:
                        if not 200 <= response.status_code < 300:
                            await _drain_small_body(response)
                            return _Exchange(url, response.status_code, response.headers, None)
                        body = await self._read_body(response, url, kind, result)
                        return _Exchange(url, response.status_code, response.headers, body)
            except TimeoutError as exc:
                raise FetchTimeout(f"GET {url}: no complete response within {cfg.total_timeout}s", url=url) from exc
            except httpx.TimeoutException as exc:
                phase = type(exc).__name__.replace("Timeout", "").lower() or "request"
                raise FetchTimeout(f"GET {url}: {phase} timeout ({type(exc).__name__})", url=url) from exc
            except httpx.InvalidURL as exc:
                raise BadUrl(f"GET {url}: {exc}", url=url) from exc
            except httpx.HTTPError as exc:  # TransportError and friends: refused, reset, protocol errors
                raise ConnectionFailed(f"GET {url}: {type(exc).__name__}: {str(exc) or 'connection reset or closed'}", url=url) from exc

    async def _read_body(self, response: httpx.Response, url: str, kind: str, result: FetchResult) -> bytes:
        cfg = self.config
        robots = kind == "robots"
        media_type = media_type_of(response.headers.get("content-type"))
        if not robots:
            _precheck_type(kind, media_type, cfg, url)
        declared = response.headers.get("content-length")
        if not robots and declared and declared.strip().isdigit() and int(declared) > cfg.max_body_bytes:
            raise TooLarge(f"GET {url}: Content-Length {declared} is over {cfg.max_body_bytes} bytes; not read", url=url)
        decoders = _content_decoders(response.headers.get("content-encoding"), cfg, url)
        if kind in ("feed", "sitemap") and (media_type in GZIP_TYPES or urlsplit(url).path.endswith(".gz")):
            decoders.append(_GunzipIfMagic(cfg, url))
        keep = cfg.robots_max_bytes if robots else None  # robots.txt is truncated, not rejected
        parts: list[bytes] = []
        produced = 0
        async for chunk in response.aiter_raw():
            result.bytes_read += len(chunk)
            if result.bytes_read > cfg.max_body_bytes:
                raise TooLarge(f"GET {url}: body over {cfg.max_body_bytes} bytes; not read further", url=url)
            data = chunk
            for decoder in decoders:
                data = decoder.decode(data)
            parts.append(data)
            produced += len(data)
            if produced > cfg.max_body_bytes:
                raise TooLarge(f"GET {url}: body over {cfg.max_body_bytes} bytes; not read further", url=url)
            if keep is not None and produced >= keep:
                break
        else:
            tail = b""
            for decoder in decoders:
                tail = decoder.decode(tail) + decoder.finish()
            parts.append(tail)
        body = b"".join(parts)
        if keep is not None:
            return body[:keep]
        _postcheck_body(kind, media_type, body, cfg, url)
        return body

    # ---- robots.txt

    async def _load_robots(self, robots_url: str) -> RobotsRules:
        """Fetch and interpret one origin's robots.txt (RFC 9309 status handling; see robots.py)."""
        scratch = FetchResult(url=robots_url, final_url=robots_url, kind="robots")
        current = robots_url
        for _ in range(ROBOTS_MAX_REDIRECTS + 1):
            try:
                if self.addresses is not None:
                    await self.addresses.check(current)
            except ForbiddenAddress as err:  # never requested: as if there were no robots.txt
                return RobotsRules(mode=ALLOW_ALL, robots_url=robots_url, reason=f"robots.txt not read: {err}")
            try:
                exchange = await self._send_with_retries(current, "robots", {}, scratch)
            except FetchError as err:
                return RobotsRules(
                    mode=DISALLOW_ALL, robots_url=robots_url, unreachable=True, reason=f"robots.txt unreachable: {err}"
                )
            status = exchange.status
            if status in REDIRECT_STATUSES and exchange.headers.get("location"):
                try:
                    current = clean_url(urljoin(current, exchange.headers["location"]), self.config)
                except FetchError:
                    break
                continue
            if 200 <= status < 300:
                text = (exchange.body or b"").decode("utf-8", errors="replace")
                rules = parse_robots(text, user_agent=self.config.user_agent, robots_url=current, status=status)
                self._apply_crawl_delay(robots_url, rules.crawl_delay)
                return rules
            if status == 429 or status >= 500:
                return RobotsRules(
                    mode=DISALLOW_ALL, robots_url=robots_url, status=status, unreachable=True,
                    reason=f"robots.txt answered HTTP {status}: treated as disallow-all (RFC 9309)",
                )
            return RobotsRules(
                mode=ALLOW_ALL, robots_url=robots_url, status=status,
                reason=f"robots.txt answered HTTP {status}: allow all",
            )
        return RobotsRules(mode=ALLOW_ALL, robots_url=robots_url, reason="robots.txt redirects too often: allow all")

    def _apply_crawl_delay(self, robots_url: str, crawl_delay: float | None) -> None:
        if crawl_delay is None:
            return
        self._gate(host_of(robots_url)).raise_delay(min(crawl_delay, self.config.max_crawl_delay))


def _copy_headers(result: FetchResult, exchange: _Exchange) -> None:
    result.status = exchange.status
    result.content_type = exchange.headers.get("content-type")
    result.etag = exchange.headers.get("etag")
    result.last_modified = exchange.headers.get("last-modified")
    result.retry_after = exchange.headers.get("retry-after")


async def _drain_small_body(response: httpx.Response) -> None:
    """Read a short error/redirect body so the connection can be reused; a long or unknown one is dropped."""
    length = response.headers.get("content-length", "").strip()
    if length.isdigit() and int(length) <= _DRAIN_LIMIT:
        async for _ in response.aiter_raw():
            pass


async def _aiter(items: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterator[Any]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item
