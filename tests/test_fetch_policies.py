"""Each fetch policy switched off in FetchConfig, and overridden for one request with FetchOptions, against the
real misbehaving server on 127.0.0.1 (tests/faulty_server.py)."""

from __future__ import annotations

import asyncio
import gzip
import time

import pytest

from faulty_server import (
    LONG_SITEMAP_XML,
    OK_HTML,
    PNG_BYTES,
    POLITE_ROBOTS,
    SITEMAP_XML,
    faulty_server,
    varied_text,
)
from test_fetcher import fetch_all as fetch_in_order
from test_fetcher import server  # noqa: F401  (the fixture: the faulty server of test_fetcher)
from flows.web import (
    BadContentType,
    BadEncoding,
    DecompressionBomb,
    FetchConfig,
    Fetcher,
    FetchOptions,
    FetchRequest,
    HttpStatusError,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
)

pytestmark = pytest.mark.slow


def config(**overrides) -> FetchConfig:
    values = dict(connect_timeout=1.0, read_timeout=0.5, total_timeout=3.0, max_retries=2, backoff_base=0.05,
                  backoff_max=0.2, max_retry_after=3.0, trust_env=False)
    values.update(overrides)
    return FetchConfig(**values)


def fetch_all(requests, cfg: FetchConfig):
    """Results in the order of `requests`, one at a time (one Fetcher for all, so they share its policies' state)."""
    return fetch_in_order(requests, cfg, max_in_flight=1)


# ---------------------------------------------------------------------------------------------------- retry


def test_retry_switched_off_sends_each_request_once(server):
    url = server.base_url + "/500-then-200?case=retry-off"
    [result] = fetch_all([url], config(retry=False))
    assert isinstance(result.error, HttpStatusError) and result.error.status == 500
    assert result.attempts == 1 and server.hits("/500-then-200?case=retry-off") == 1


def test_retry_overridden_per_request(server):
    base = server.base_url + "/500-then-200?case="
    once, retried, none_left, back_on = fetch_all([
        FetchRequest(base + "once", options=FetchOptions(retry=False)),
        FetchRequest(base + "default"),  # the same Fetcher still retries the others
        FetchRequest(base + "zero", options=FetchOptions(max_retries=0)),
    ], config()) + fetch_all([FetchRequest(base + "on", options=FetchOptions(retry=True))], config(retry=False))
    assert isinstance(once.error, HttpStatusError) and once.attempts == 1
    assert isinstance(none_left.error, HttpStatusError) and none_left.attempts == 1
    assert (retried.error, retried.status, retried.attempts) == (None, 200, 2)
    assert (back_on.error, back_on.status, back_on.attempts) == (None, 200, 2)
    assert [server.hits("/500-then-200?case=" + case) for case in ("once", "default", "zero", "on")] == [1, 2, 1, 2]


# ------------------------------------------------------------------------------------------------ redirects


def test_redirects_switched_off_stop_at_the_first_answer(server):
    [result] = fetch_all([server.base_url + "/redirect-chain/2?off"], config(follow_redirects=False))
    assert isinstance(result.error, HttpStatusError) and result.error.status == 301
    assert "not followed" in result.message
    assert (result.status, result.redirects, result.body) == (301, 0, None)
    assert result.final_url == server.base_url + "/redirect-chain/2?off"
    assert result.location == server.base_url + "/redirect-chain/1"
    assert server.hits("/redirect-chain/1") == 0


def test_redirects_overridden_per_request(server):
    base = server.base_url + "/redirect-chain/"
    stopped, followed, limited = fetch_all([
        FetchRequest(base + "2?stop", options=FetchOptions(follow_redirects=False)),
        FetchRequest(base + "2?follow"),
        FetchRequest(base + "3?limit", options=FetchOptions(max_redirects=1)),
    ], config())
    assert isinstance(stopped.error, HttpStatusError) and stopped.location == base + "1"
    assert (followed.error, followed.body, followed.redirects, followed.location) == (None, OK_HTML, 2, None)
    assert isinstance(limited.error, TooManyRedirects) and limited.redirects == 1
    [on_again] = fetch_all([FetchRequest(base + "1?on", options=FetchOptions(follow_redirects=True))],
                           config(follow_redirects=False))
    assert (on_again.error, on_again.final_url) == (None, server.base_url + "/ok")


# --------------------------------------------------------------------------------------------------- robots


def test_robots_overridden_per_request():
    with faulty_server() as srv:
        ignored, obeyed = fetch_all([
            FetchRequest(srv.base_url + "/private/a", options=FetchOptions(respect_robots=False)),
            FetchRequest(srv.base_url + "/private/b"),
        ], config())
        assert ignored.error is None and ignored.body == b"<html>secret</html>"
        assert isinstance(obeyed.error, RobotsDisallowed) and obeyed.from_robots_block
        assert srv.hits("/private/a") == 1 and srv.hits("/private/b") == 0
        assert srv.paths().index("/private/a") < srv.paths().index("/robots.txt")  # not read for the first

    with faulty_server() as srv:
        [result] = fetch_all([FetchRequest(srv.base_url + "/private/c", options=FetchOptions(respect_robots=True))],
                             config(respect_robots=False))
        assert isinstance(result.error, RobotsDisallowed)
        assert srv.hits("/private/c") == 0 and srv.hits("/robots.txt") == 1


# -------------------------------------------------------------------------------------------- decompression


def test_decompression_switched_off_returns_the_bytes_as_sent(server):
    packed = gzip.compress(varied_text(300_000))
    [raw] = fetch_all([server.base_url + "/gzip?raw"], config(decompress=False, check_content_type=False))
    assert raw.error is None and raw.body[:2] == b"\x1f\x8b"
    assert gzip.decompress(raw.body) == gzip.decompress(packed)
    assert server.records("/gzip?raw")[-1].headers["accept-encoding"] == "identity"
    # still compressed, the body is "gzip data" to the content-type check
    [checked] = fetch_all([server.base_url + "/gzip?checked"], config(decompress=False))
    assert isinstance(checked.error, BadContentType) and "gzip data" in checked.message


def test_decompression_overridden_per_request(server):
    sitemap = server.base_url + "/sitemap.xml.gz"
    raw, decoded = fetch_all([
        FetchRequest(sitemap, kind="sitemap", options=FetchOptions(decompress=False, check_content_type=False)),
        FetchRequest(sitemap, kind="sitemap"),
    ], config())
    assert raw.error is None and gzip.decompress(raw.body) == SITEMAP_XML
    assert decoded.error is None and decoded.body == SITEMAP_XML
    [on_again] = fetch_all([FetchRequest(server.base_url + "/gzip?on", options=FetchOptions(decompress=True))],
                           config(decompress=False))
    assert on_again.error is None and on_again.body == varied_text(300_000)
    assert server.records("/gzip?on")[-1].headers["accept-encoding"].startswith("gzip, deflate")


def test_gz_sitemaps_go_through_the_one_bounded_gunzip(server):
    truncated, corrupt, bomb = fetch_all([
        FetchRequest(server.base_url + path, kind="sitemap")
        for path in ("/sitemap-truncated.xml.gz", "/sitemap-corrupt.xml.gz", "/sitemap-bomb.xml.gz")
    ], config())
    # a truncated file keeps what inflated (the sitemap parser recovers the rest), as parsers.discovery does
    assert truncated.error is None and LONG_SITEMAP_XML.startswith(truncated.body)
    assert 1000 < len(truncated.body) < len(LONG_SITEMAP_XML)
    assert isinstance(corrupt.error, BadEncoding) and "corrupt gzip data" in corrupt.message
    assert isinstance(bomb.error, DecompressionBomb), bomb.message
    [small] = fetch_all([FetchRequest(server.base_url + "/sitemap.xml.gz?small", kind="sitemap")],
                        config(max_body_bytes=len(SITEMAP_XML) - 1))
    assert isinstance(small.error, TooLarge), small.message


# --------------------------------------------------------------------------------------------- content type


def test_content_type_check_switched_off_keeps_any_body(server):
    png, pdf = fetch_all([server.base_url + "/binary", server.base_url + "/pdf"], config(check_content_type=False))
    assert (png.error, png.body) == (None, PNG_BYTES)
    assert pdf.error is None and pdf.body.startswith(b"%PDF-")


def test_content_type_check_overridden_per_request(server):
    kept, refused = fetch_all([
        FetchRequest(server.base_url + "/binary", options=FetchOptions(check_content_type=False)),
        FetchRequest(server.base_url + "/binary"),
    ], config())
    assert (kept.error, kept.body) == (None, PNG_BYTES)
    assert isinstance(refused.error, BadContentType)
    [checked] = fetch_all([FetchRequest(server.base_url + "/pdf", options=FetchOptions(check_content_type=True))],
                          config(check_content_type=False))
    assert isinstance(checked.error, BadContentType) and server.hits("/pdf") == 2


# ----------------------------------------------------------------------------------------------- politeness


def _overlaps(records) -> bool:
    spans = sorted((r.start, r.end) for r in records)
    return any(later_start < earlier_end for (_, earlier_end), (later_start, _) in zip(spans, spans[1:]))


def test_politeness_switched_off_ignores_host_limits_and_crawl_delay():
    async def go(base, cfg):
        async with Fetcher(cfg) as fetcher:
            return [r async for r in fetcher.fetch_many([f"{base}/sleep/300?n={i}" for i in range(3)])]

    with faulty_server(robots=POLITE_ROBOTS) as srv:  # Crawl-delay: 1
        started = time.monotonic()
        results = asyncio.run(go(srv.base_url, config(politeness=False, per_host_concurrency=1)))
        elapsed = time.monotonic() - started
        assert all(r.error is None for r in results)
        assert _overlaps(srv.records("/sleep/"))
        assert elapsed < 2.0  # polite: 1 s apart and one at a time, over 2.3 s
    with faulty_server(robots=POLITE_ROBOTS) as srv:
        results = asyncio.run(go(srv.base_url, config(per_host_concurrency=1)))
        assert all(r.error is None for r in results)
        assert not _overlaps(srv.records("/sleep/"))


def test_options_left_none_keep_the_config():
    cfg = config(max_retries=5)
    assert cfg.with_options(None) is cfg and cfg.with_options(FetchOptions()) is cfg
    changed = cfg.with_options(FetchOptions(follow_redirects=False, max_retries=0))
    assert (changed.follow_redirects, changed.max_retries, changed.respect_robots) == (False, 0, True)
    assert (cfg.follow_redirects, cfg.max_retries) == (True, 5)
