"""Decompression policy: undo Content-Encoding (gzip, deflate, br) and gunzip .gz sitemaps and feeds, bounded.

Protocol of a decoder (as httpx's content decoders): `decode(chunk) -> bytes` for each raw chunk in order, then
`finish() -> bytes` once at the end of the body. Decoders are chained: the first undoes the last coding applied.
`Decompression.decoders_for(...)` builds the chain of one response; `accept_encoding(config)` is the
Accept-Encoding to send. With `config.decompress` off the chain is empty and `identity` is asked for: the body is
returned as the server sent it (and a still-compressed body is "gzip data" to the content-type check).

Every decoder is bounded: output over `max_body_bytes` is TooLarge, or DecompressionBomb when it also expands more
than `max_decompression_ratio` times (checked from `bomb_ratio_floor_bytes` on); streaming decoders produce at
most INFLATE_STEP bytes per call, so a bomb never lands in memory at once. A corrupt stream is BadEncoding.
"""

from __future__ import annotations

import zlib
from urllib.parse import urlsplit

import httpx

from parsers.gunzip import GZIP_MAGIC, TOO_LARGE, TRUNCATED, GunzipError, gunzip

from .config import GZIP_TYPES, FetchConfig
from .errors import BadEncoding, DecompressionBomb, TooLarge

try:  # br is advertised only with a decoder that can bound its output per call (brotli >= 1.2)
    import brotli as _brotli

    BROTLI_AVAILABLE = hasattr(_brotli.Decompressor, "can_accept_more_data")
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None
    BROTLI_AVAILABLE = False

ACCEPT_ENCODING = "gzip, deflate, br" if BROTLI_AVAILABLE else "gzip, deflate"
INFLATE_STEP = 256 * 1024  # most output one decompress call may produce


class BodyGuard:
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


class Inflater:
    """Content-Encoding gzip (also multi-member) or deflate (zlib-wrapped, or raw as some servers send it),
    streamed chunk by chunk, bounded per call."""

    def __init__(self, encoding: str, guard: BodyGuard) -> None:
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
                piece = self._obj.decompress(pending, INFLATE_STEP)
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
            if not pending and len(piece) < INFLATE_STEP:
                break
        return b"".join(out)

    def _next_member(self) -> bytes | None:
        rest = self._obj.unused_data
        if self.encoding == "gzip" and rest.startswith(GZIP_MAGIC):
            self._obj = zlib.decompressobj(47)
            return rest
        self._finished = True  # trailing garbage after the stream is ignored, as browsers do
        return None

    def finish(self) -> bytes:
        return b""


class BrotliDecoder:  # pragma: no cover - only when a brotli >= 1.2 module is installed
    def __init__(self, guard: BodyGuard) -> None:
        self.guard = guard
        self._obj = _brotli.Decompressor()

    def decode(self, data: bytes) -> bytes:
        out: list[bytes] = []
        self.guard.consumed += len(data)
        try:
            piece = self._obj.process(data, max_output_length=INFLATE_STEP)
            while True:
                out.append(piece)
                self.guard.produced += len(piece)
                self.guard.check()
                if self._obj.can_accept_more_data():
                    break
                piece = self._obj.process(b"", max_output_length=INFLATE_STEP)
        except _brotli.error as exc:
            raise BadEncoding(f"corrupt br stream: {exc}", url=self.guard.url) from exc
        return b"".join(out)

    def finish(self) -> bytes:
        return b""


class GunzipIfMagic:
    """For a .gz sitemap or feed: gunzip the whole body (parsers.gunzip) when it starts with the gzip magic, else
    pass it through. The compressed body is held until the end; the fetcher bounds it to `max_body_bytes` as read.
    A truncated file keeps what inflated, as parsers.discovery does: the XML parser recovers the rest."""

    def __init__(self, config: FetchConfig, url: str) -> None:
        self._guard = BodyGuard(config, url, "gzip file")
        self._parts: list[bytes] = []
        self._size = 0
        self._gzip: bool | None = None  # undecided until two bytes have come

    def decode(self, data: bytes) -> bytes:
        if self._gzip is False:
            return data
        self._parts.append(data)
        self._size += len(data)
        if self._gzip is None and self._size >= len(GZIP_MAGIC):
            head = b"".join(self._parts)
            self._gzip = head.startswith(GZIP_MAGIC)
            if not self._gzip:
                self._parts = []
                return head
        return b""

    def finish(self) -> bytes:
        data = b"".join(self._parts)
        self._parts = []
        if not self._gzip:
            return data
        guard = self._guard
        guard.consumed = len(data)
        try:
            body = gunzip(data, guard.limit)
        except GunzipError as err:
            if err.reason == TOO_LARGE:  # DecompressionBomb when its ratio up to the limit is absurd, else TooLarge
                guard.consumed, guard.produced = err.consumed, guard.limit + 1
                guard.check()
            if err.reason != TRUNCATED:
                raise BadEncoding(err.message, url=guard.url) from None
            body = err.inflated
        guard.produced = len(body)
        guard.check()
        return body


class Decompression:
    """Builds the decoder chain of one response (see the protocol above)."""

    @staticmethod
    def accept_encoding(config: FetchConfig) -> str:
        return ACCEPT_ENCODING if config.decompress else "identity"

    @staticmethod
    def decoders_for(headers: httpx.Headers, url: str, kind: str, media_type: str | None,
                     config: FetchConfig) -> list:
        if not config.decompress:
            return []
        content_encoding = headers.get("content-encoding")
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        decoders: list = []
        for coding in reversed(codings):  # the last coding listed was applied last
            guard = BodyGuard(config, url, coding)
            if coding in ("gzip", "x-gzip"):
                decoders.append(Inflater("gzip", guard))
            elif coding == "deflate":
                decoders.append(Inflater("deflate", guard))
            elif coding == "br" and BROTLI_AVAILABLE:
                decoders.append(BrotliDecoder(guard))
            elif coding != "identity":
                raise BadEncoding(f"unsupported Content-Encoding {coding!r} (we asked for {ACCEPT_ENCODING})", url=url)
        if kind in ("feed", "sitemap") and (media_type in GZIP_TYPES or urlsplit(url).path.endswith(".gz")):
            decoders.append(GunzipIfMagic(config, url))
        return decoders
