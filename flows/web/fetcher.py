"""The polite crawling fetcher: one httpx.AsyncClient composing the fetch policies of flows/web/.

    async with Fetcher(FetchConfig()) as fetcher:
        result = await fetcher.fetch("https://example.com/a.html")
        result = await fetcher.fetch(url, options=FetchOptions(max_retries=0))
        async for result in fetcher.fetch_many(urls_or_fetch_requests):
            ...

Every URL ends as one `FetchResult`; a failure is a value (`result.error`), never an exception.
Bodies are returned as the server sent them after content decoding (gzip/deflate[/br]) — charset decoding is the
parser's job. The order in which the policies act on one URL is in flows/web/__init__.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal
from urllib.parse import urljoin

import httpx

from warehouse.models import ErrorInfo, FetchInfo

from .config import FetchConfig, FetchOptions
from .decompress import BROTLI_AVAILABLE, Decompression
from .errors import (BadUrl, ConnectionFailed, FetchError, FetchTimeout, ForbiddenAddress, HttpStatusError,
                     RobotsDisallowed, TooLarge)
from .politeness import Politeness, host_of
from .redirects import REDIRECT_STATUSES, RedirectPolicy, clean_url
from .retry import RetryPolicy
from .robots import ALLOW_ALL, DISALLOW_ALL, RobotsCache, RobotsPolicy, RobotsRules, rules_from_answer
from .sniff import ContentTypeCheck, media_type_of

__all__ = ["BROTLI_AVAILABLE", "Fetcher", "FetchRequest", "FetchResult", "to_error_info", "to_fetch_info"]

log = logging.getLogger("newsduck.fetch")

Kind = Literal["page", "feed", "sitemap"]
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309 2.3.1.2
ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1",
    "sitemap": "application/xml,text/xml;q=0.9,application/gzip;q=0.8,text/plain;q=0.5,*/*;q=0.1",
    "robots": "text/plain,*/*;q=0.1",
}
_DRAIN_LIMIT = 64 * 1024  # error and redirect bodies up to this size are read (and dropped) to keep the connection


# --------------------------------------------------------------------------------------------------------- records


@dataclass
class FetchRequest:
    url: str
    kind: Kind = "page"
    etag: str | None = None            # from an earlier fetch: sent as If-None-Match
    last_modified: str | None = None   # from an earlier fetch: sent as If-Modified-Since
    tag: Any = None                    # caller's context, echoed in the result
    options: FetchOptions | None = None  # this request's overrides of the Fetcher's FetchConfig


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
    location: str | None = None         # where a redirect not followed (follow_redirects off) pointed, absolute
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


# ----------------------------------------------------------------------------------------------- fetcher


@dataclass
class _Exchange:
    """One HTTP request/response."""
    url: str
    status: int
    headers: httpx.Headers
    body: bytes | None


class Fetcher:
    """Polite async fetcher owning one httpx.AsyncClient; use as `async with Fetcher(config) as f:`."""

    def __init__(self, config: FetchConfig | None = None, *, rng: random.Random | None = None) -> None:
        self.config = config or FetchConfig()
        self.robots = RobotsCache(
            self._load_robots, ttl=self.config.robots_cache_ttl, unreachable_ttl=self.config.robots_unreachable_ttl
        )
        self.robots_policy = RobotsPolicy(self.robots)
        self.redirects = RedirectPolicy(self.config)
        self.retries = RetryPolicy(rng or random.Random())
        self.politeness = Politeness(self.config)
        self.decompression = Decompression()
        self.content_types = ContentTypeCheck()
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        cfg = self.config
        self._client = httpx.AsyncClient(
            headers={"User-Agent": cfg.user_agent},  # Accept and Accept-Encoding are set per request
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
        options: FetchOptions | None = None,
    ) -> FetchResult:
        """GET one URL politely; never raises for the URL's failure (see `FetchResult.error`). `options` overrides
        the Fetcher's config for this request only."""
        if self._client is None:
            raise RuntimeError("use Fetcher as `async with Fetcher(...) as fetcher:`")
        result = FetchResult(url=url, final_url=url, kind=kind, tag=tag)
        started = time.perf_counter()
        try:
            config = self.config.with_options(options)
            await self._fetch_into(result, config, etag=etag, last_modified=last_modified)
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
                item.url, kind=item.kind, etag=item.etag, last_modified=item.last_modified, tag=item.tag,
                options=item.options,
            )
        bad = FetchResult(url=repr(item), final_url=repr(item))
        bad.error = BadUrl(f"not a URL or FetchRequest: {item!r}")
        return bad

    async def _fetch_into(
        self, result: FetchResult, cfg: FetchConfig, *, etag: str | None, last_modified: str | None
    ) -> None:
        """The policies in their order (flows/web/__init__.py): per hop, address → robots → retries around
        [politeness slot → request → decompression → content-type checks] → redirect."""
        kind = result.kind
        if kind not in cfg.accepted_types:
            raise FetchError(f"unknown kind {kind!r}; expected one of {sorted(cfg.accepted_types)}", url=result.url)
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        current = self.redirects.first_url(result.url, cfg)
        visited = [current]
        while True:
            result.final_url = current
            result.status = None
            result.attempts = 0
            await self.redirects.admit(current)
            try:
                await self.robots_policy.check(current, cfg)
            except RobotsDisallowed:
                result.from_robots_block = True
                raise
            exchange = await self._send_with_retries(current, kind, conditional, result, cfg)
            _copy_headers(result, exchange)
            status = exchange.status
            if status in REDIRECT_STATUSES and not cfg.follow_redirects and exchange.headers.get("location"):
                result.location = urljoin(current, exchange.headers["location"])
            following = self.redirects.next_hop(current, status, exchange.headers, visited, cfg)
            if following is not None:
                current = following
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

    # ---- retries, politeness, one exchange

    async def _send_with_retries(
        self, url: str, kind: str, headers: dict[str, str], result: FetchResult, cfg: FetchConfig
    ) -> _Exchange:
        attempt = 0
        while True:
            attempt += 1
            result.attempts = attempt
            try:
                exchange = await self._send_once(url, kind, headers, result, cfg)
            except FetchError as err:
                delay = self.retries.delay_after_error(attempt, err, cfg)
                if delay is None:
                    raise
                log.debug("retry %s in %.2fs after %s", url, delay, err)
                await asyncio.sleep(delay)
                continue
            status = exchange.status
            delay = self.retries.delay_after_status(attempt, status, exchange.headers.get("retry-after"), cfg)
            if delay is None:
                return exchange
            if status in (429, 503):  # the host asked everyone to slow down, not just this request
                self.politeness.hold(host_of(url), delay)
            log.debug("retry %s in %.2fs after HTTP %s", url, delay, status)
            await asyncio.sleep(delay)

    async def _send_once(
        self, url: str, kind: str, headers: dict[str, str], result: FetchResult, cfg: FetchConfig
    ) -> _Exchange:
        assert self._client is not None
        request_headers = {"Accept": ACCEPT.get(kind, "*/*"),
                           "Accept-Encoding": self.decompression.accept_encoding(cfg), **headers}
        result.bytes_read = 0
        async with self.politeness.slot(host_of(url)):
            try:
                async with asyncio.timeout(cfg.total_timeout):
                    async with self._client.stream("GET", url, headers=request_headers) as response:
                        if not 200 <= response.status_code < 300:
                            await _drain_small_body(response)
                            return _Exchange(url, response.status_code, response.headers, None)
                        body = await self._read_body(response, url, kind, result, cfg)
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

    async def _read_body(
        self, response: httpx.Response, url: str, kind: str, result: FetchResult, cfg: FetchConfig
    ) -> bytes:
        robots = kind == "robots"
        media_type = media_type_of(response.headers.get("content-type"))
        self.content_types.before_body(kind, media_type, cfg, url)
        declared = response.headers.get("content-length")
        if not robots and declared and declared.strip().isdigit() and int(declared) > cfg.max_body_bytes:
            raise TooLarge(f"GET {url}: Content-Length {declared} is over {cfg.max_body_bytes} bytes; not read", url=url)
        decoders = self.decompression.decoders_for(response.headers, url, kind, media_type, cfg)
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
        self.content_types.after_body(kind, media_type, body, cfg, url)
        return body

    # ---- robots.txt

    async def _load_robots(self, robots_url: str) -> RobotsRules:
        """Fetch and interpret one origin's robots.txt, with the Fetcher's own settings (RFC 9309; robots.py)."""
        cfg = self.config
        scratch = FetchResult(url=robots_url, final_url=robots_url, kind="robots")
        current = robots_url
        for _ in range(ROBOTS_MAX_REDIRECTS + 1):
            try:
                await self.redirects.admit(current)
            except ForbiddenAddress as err:  # never requested: as if there were no robots.txt
                return RobotsRules(mode=ALLOW_ALL, robots_url=robots_url, reason=f"robots.txt not read: {err}")
            try:
                exchange = await self._send_with_retries(current, "robots", {}, scratch, cfg)
            except FetchError as err:
                return RobotsRules(
                    mode=DISALLOW_ALL, robots_url=robots_url, unreachable=True, reason=f"robots.txt unreachable: {err}"
                )
            status = exchange.status
            if status in REDIRECT_STATUSES and exchange.headers.get("location"):
                try:
                    current = clean_url(urljoin(current, exchange.headers["location"]), cfg)
                except FetchError:
                    break
                continue
            rules = rules_from_answer(robots_url, current, status, exchange.body, user_agent=cfg.user_agent)
            if rules.crawl_delay is not None:
                self.politeness.crawl_delay(host_of(robots_url), rules.crawl_delay)
            return rules
        return RobotsRules(mode=ALLOW_ALL, robots_url=robots_url, reason="robots.txt redirects too often: allow all")


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
