"""The polite fetcher against a real misbehaving server on 127.0.0.1 (tests/faulty_server.py); no mocks.

Only the retry arithmetic and the robots matcher are tested as pure functions.
"""

from __future__ import annotations

import asyncio
import gzip
import random
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from faulty_server import (
    BIG_TOTAL,
    GBK_HTML,
    LAST_MODIFIED,
    OK_HTML,
    POLITE_ROBOTS,
    RSS_XML,
    SITEMAP_XML,
    ETAG,
    bomb_bytes,
    faulty_server,
    varied_text,
)
from flows.web.fetcher import BROTLI_AVAILABLE
from flows.web import (
    BadContentType,
    BadEncoding,
    BadScheme,
    BadUrl,
    ConnectionFailed,
    DecompressionBomb,
    FetchConfig,
    Fetcher,
    FetchRequest,
    FetchTimeout,
    HttpStatusError,
    RedirectLoop,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
    backoff_delay,
    parse_retry_after,
    parse_robots,
    retry_delay,
    to_error_info,
    to_fetch_info,
)

pytestmark = pytest.mark.slow

LIMIT = 1024 * 1024
READ_CHUNK = 64 * 1024  # the most httpcore reads from the socket at once


def config(**overrides) -> FetchConfig:
    """Short timeouts so the whole file stays well under a minute."""
    values = dict(
        connect_timeout=1.0,
        read_timeout=0.5,
        total_timeout=3.0,
        max_body_bytes=LIMIT,
        max_retries=2,
        backoff_base=0.05,
        backoff_max=0.2,
        max_retry_after=3.0,
        bomb_ratio_floor_bytes=256 * 1024,
        trust_env=False,
    )
    values.update(overrides)
    return FetchConfig(**values)


def fetch(url: str, cfg: FetchConfig | None = None, **kwargs):
    async def go():
        async with Fetcher(cfg or config()) as fetcher:
            return await fetcher.fetch(url, **kwargs)
    return asyncio.run(go())


def fetch_all(requests, cfg: FetchConfig | None = None, **kwargs):
    async def go():
        async with Fetcher(cfg or config()) as fetcher:
            return [r async for r in fetcher.fetch_many(requests, **kwargs)]
    return asyncio.run(go())


@pytest.fixture(scope="module")
def server():
    bomb_bytes()  # built before the first request, so building it is not mistaken for a slow server
    with faulty_server() as srv:
        yield srv


# ---------------------------------------------------------------------------------------- retry arithmetic


def test_retry_after_seconds_and_http_date():
    now = datetime(2024, 11, 20, 8, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("7", now=now) == 7.0
    assert parse_retry_after(" 0 ", now=now) == 0.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now=now) == 90.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=90), usegmt=True), now=now) == 0.0
    assert parse_retry_after("-5", now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None


def test_retry_delay_caps_retry_after_and_falls_back_to_full_jitter_backoff():
    cfg = FetchConfig(backoff_base=0.5, backoff_max=4.0, max_retry_after=120.0)
    rng = random.Random(1)
    assert retry_delay(1, cfg, rng, status=429, retry_after="3") == 3.0
    assert retry_delay(1, cfg, rng, status=503, retry_after="86400") == 120.0
    # Retry-After is only honoured for 429/503; other statuses and a missing header use the backoff.
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)]:
        delays = [retry_delay(attempt, cfg, rng, status=500, retry_after="60") for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # full jitter spreads over the whole range
        assert min(delays) < ceiling * 0.2
    assert 0.0 <= retry_delay(1, cfg, rng, status=429) <= 0.5
    assert backoff_delay(3, base=1.0, cap=2.5, rng=random.Random(5)) <= 2.5


# ---------------------------------------------------------------------------------------------- robots rules


ROBOTS = """\
# comment
Sitemap: /sitemap.xml
User-agent: otherbot
Disallow: /

User-agent: *
Disallow: /private/
Allow: /private/open
Disallow: /*.pdf$
Disallow: /search*q=
Disallow: /%E6%96%B0%E9%97%BB/
Disallow:
Crawl-delay: 2.5

Sitemap: https://cdn.example.com/news-sitemap.xml
"""


def test_robots_longest_match_wildcards_and_encoding():
    rules = parse_robots(ROBOTS, user_agent="newsduck/0.1 (+https://x)", robots_url="https://a.example/robots.txt")
    assert rules.crawl_delay == 2.5
    assert rules.sitemaps == ["https://a.example/sitemap.xml", "https://cdn.example.com/news-sitemap.xml"]
    cases = {
        "https://a.example/": True,
        "https://a.example/private/x": False,
        "https://a.example/private/open/1.html": True,   # longer Allow beats shorter Disallow
        "https://a.example/doc.pdf": False,
        "https://a.example/doc.pdf?x=1": True,            # '$' anchors the end
        "https://a.example/search?page=2&q=news": False,  # '*' in the middle
        "https://a.example/search?page=2": True,
        "https://a.example/新闻/1.html": False,           # non-ASCII path percent-encoded before matching
        "https://a.example/%e6%96%b0%e9%97%bb/2.html": False,  # lower-case escapes normalized
        "https://a.example/robots.txt": True,
    }
    for url, allowed in cases.items():
        assert rules.allows(url) is allowed, url


def test_robots_group_choice_merging_and_ties():
    text = (
        "Disallow: /before-any-agent\n"
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: NewsDuck\nDisallow: /a\n\n"
        "User-agent: googlebot\nUser-agent: newsduck/2.0\nDisallow: /b\nAllow: /b\n"
    )
    rules = parse_robots(text, user_agent="newsduck/0.1", robots_url="http://h/robots.txt")
    assert not rules.allows("http://h/a/1")      # both newsduck groups apply, merged
    assert rules.allows("http://h/b/1")          # equal length: Allow wins
    assert rules.allows("http://h/c")            # the * group is ignored when ours exists
    assert rules.allows("http://h/before-any-agent")
    other = parse_robots(text, user_agent="somebot/1", robots_url="http://h/robots.txt")
    assert not other.allows("http://h/c")


# --------------------------------------------------------------------------------------- one fault per route


def test_ok_page_and_its_record(server):
    result = fetch(server.base_url + "/ok#frag")
    assert result.error is None and result.ok
    assert (result.status, result.body, result.attempts, result.redirects) == (200, OK_HTML, 1, 0)
    assert result.final_url == server.base_url + "/ok"
    assert result.content_type == "text/html; charset=utf-8"
    assert result.bytes_read == len(OK_HTML)
    info = to_fetch_info(result)
    assert (info.url, info.status, info.bytes) == (server.base_url + "/ok", 200, len(OK_HTML))
    assert info.body_sha256 and info.error is None
    assert to_error_info(result) is None
    sent = server.records("/ok")[-1].headers
    assert sent["user-agent"].startswith("newsduck/0.1 (+https://")
    # br only when the brotli package can stream-decode (flows/web/fetcher.py BROTLI_AVAILABLE)
    assert sent["accept-encoding"] == ("gzip, deflate, br" if BROTLI_AVAILABLE else "gzip, deflate")


def test_429_honours_retry_after(server):
    started = time.monotonic()
    result = fetch(server.base_url + "/429?case=single")
    assert result.error is None and result.body == OK_HTML
    assert result.attempts == 2
    assert time.monotonic() - started >= 0.95
    assert server.hits("/429?case=single") == 2


def test_503_honours_retry_after_http_date(server):
    started = time.monotonic()
    result = fetch(server.base_url + "/503-date?case=single")
    assert result.error is None and result.status == 200 and result.attempts == 2
    assert time.monotonic() - started >= 0.9  # the date is 2 s ahead at 1 s resolution


def test_500_then_200_is_retried(server):
    result = fetch(server.base_url + "/500-then-200?case=single")
    assert (result.error, result.status, result.attempts) == (None, 200, 2)


def test_persistent_500_gives_up_after_max_retries(server):
    result = fetch(server.base_url + "/500?case=single")
    assert isinstance(result.error, HttpStatusError) and result.error.status == 500
    assert (result.status, result.attempts, result.body) == (500, 3, None)
    assert server.hits("/500?case=single") == 3
    error = to_error_info(result, input="seed")
    assert (error.input, error.stage, error.error_type) == ("seed", "fetch", "HttpStatusError")


def test_404_is_not_retried(server):
    result = fetch(server.base_url + "/404?case=single")
    assert isinstance(result.error, HttpStatusError)
    assert (result.status, result.attempts, result.body) == (404, 1, None)
    assert server.hits("/404?case=single") == 1


def test_read_timeout_is_retried_then_reported(server):
    result = fetch(server.base_url + "/slow?case=single")
    assert isinstance(result.error, FetchTimeout)
    assert result.attempts == 3 and result.body is None and result.status is None


def test_total_timeout_covers_a_dribbling_body(server):
    result = fetch(server.base_url + "/drip?case=single", config(total_timeout=0.8, max_retries=0))
    assert isinstance(result.error, FetchTimeout)
    assert "0.8s" in result.message
    assert 0 < result.bytes_read < 62
    assert result.elapsed_ms < 2000


def test_connection_reset_is_retried_then_reported(server):
    result = fetch(server.base_url + "/reset?case=single")
    assert isinstance(result.error, ConnectionFailed)
    assert result.attempts == 3 and server.hits("/reset?case=single") == 3


def test_redirect_loop_is_detected(server):
    result = fetch(server.base_url + "/redirect-loop/a")
    assert isinstance(result.error, RedirectLoop)
    assert "redirect-loop/b" in result.message


def test_redirect_chain_within_and_over_the_limit(server):
    result = fetch(server.base_url + "/redirect-chain/3")
    hops = server.state.log[-4:]
    assert [r.path for r in hops] == ["/redirect-chain/3", "/redirect-chain/2", "/redirect-chain/1", "/ok"]
    assert len({r.client_port for r in hops}) == 1  # redirect bodies are drained, the connection is reused
    assert result.error is None and result.body == OK_HTML
    assert (result.final_url, result.redirects) == (server.base_url + "/ok", 3)
    assert fetch(server.base_url + "/redirect-chain/10").error is None  # 10 hops then /ok: exactly max_redirects
    too_many = fetch(server.base_url + "/redirect-chain/11")
    assert isinstance(too_many.error, TooManyRedirects)
    assert too_many.redirects == 10


def test_redirect_into_disallowed_path_is_not_followed(server):
    result = fetch(server.base_url + "/redirect-to-private")
    assert isinstance(result.error, RobotsDisallowed) and result.from_robots_block
    assert result.final_url == server.base_url + "/private/x" and result.status is None
    assert not any(p.startswith("/private/") for p in server.paths())


def test_redirect_to_other_scheme_is_refused(server):
    result = fetch(server.base_url + "/redirect-to-ftp")
    assert isinstance(result.error, BadScheme)


@pytest.mark.parametrize("url, error", [
    ("ftp://127.0.0.1/file", BadScheme),
    ("mailto:someone@example.com", BadScheme),
    ("javascript:alert(1)", BadScheme),
    ("http://", BadUrl),
    ("http://127.0.0.1:99999/", BadUrl),
])
def test_bad_urls_fail_without_a_request(url, error):
    result = fetch(url)
    assert isinstance(result.error, error)
    assert result.attempts == 0 and result.body is None


def _wait_for(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_big_streamed_body_stops_at_the_limit(server):
    result = fetch(server.base_url + "/big")
    assert isinstance(result.error, TooLarge) and result.body is None
    assert LIMIT < result.bytes_read <= LIMIT + READ_CHUNK
    stats = server.state.streams["/big"]
    assert _wait_for(lambda: stats.disconnected), "the server should see the client hang up"
    assert stats.sent < BIG_TOTAL / 4  # socket buffers hold a few MB at most; not 64 MB


def test_declared_big_body_is_not_read(server):
    result = fetch(server.base_url + "/big-declared")
    assert isinstance(result.error, TooLarge) and "Content-Length" in result.message
    assert result.bytes_read == 0


def test_gzip_bomb_is_stopped(server):
    for cfg in (config(), config(max_body_bytes=10 * 1024 * 1024, bomb_ratio_floor_bytes=1024 * 1024)):
        started = time.monotonic()
        result = fetch(server.base_url + "/bomb", cfg)
        assert isinstance(result.error, DecompressionBomb), result.message
        assert result.body is None and result.attempts == 1
        assert result.bytes_read < len(bomb_bytes())  # stopped long before the end of the compressed stream
        assert time.monotonic() - started < 2.0


def test_too_large_after_decompression_without_absurd_ratio(server):
    result = fetch(server.base_url + "/gzip", config(max_body_bytes=100_000))
    assert isinstance(result.error, TooLarge)


@pytest.mark.parametrize("path, body", [
    ("/gzip", varied_text(300_000)),
    ("/deflate", OK_HTML),
    ("/deflate-raw", OK_HTML),
])
def test_content_encodings_are_decoded(server, path, body):
    result = fetch(server.base_url + path)
    assert result.error is None
    assert result.body == body
    assert result.bytes_read < len(body)


def test_unrequested_content_encoding_is_an_error(server):
    result = fetch(server.base_url + "/zstd")
    assert isinstance(result.error, BadEncoding) and "zstd" in result.message


def test_wrong_charset_bytes_come_back_untouched(server):
    result = fetch(server.base_url + "/wrong-charset")
    assert result.error is None
    assert result.body == GBK_HTML
    assert result.content_type == "text/html; charset=utf-8"


def test_png_served_as_html_is_rejected(server):
    result = fetch(server.base_url + "/binary")
    assert isinstance(result.error, BadContentType) and "PNG" in result.message
    assert result.body is None


def test_pdf_is_rejected_before_reading(server):
    result = fetch(server.base_url + "/pdf")
    assert isinstance(result.error, BadContentType) and "application/pdf" in result.message
    assert result.bytes_read == 0


def test_missing_content_type_is_sniffed(server):
    result = fetch(server.base_url + "/no-content-type")
    assert result.error is None and result.body == OK_HTML and result.content_type is None


def test_conditional_get_with_etag_and_last_modified(server):
    first = fetch(server.base_url + "/etag")
    assert first.error is None and first.body == OK_HTML
    assert (first.etag, first.last_modified) == (ETAG, LAST_MODIFIED)
    for kwargs in ({"etag": first.etag}, {"last_modified": first.last_modified}):
        again = fetch(server.base_url + "/etag", **kwargs)
        assert again.error is None
        assert (again.status, again.not_modified, again.body) == (304, True, None)
        assert again.etag == ETAG
    sent = [r.headers for r in server.records("/etag")]
    assert sent[1]["if-none-match"] == ETAG and sent[2]["if-modified-since"] == LAST_MODIFIED


def test_disallowed_path_is_never_requested(server):
    result = fetch(server.base_url + "/private/x")
    assert isinstance(result.error, RobotsDisallowed) and result.from_robots_block
    assert result.attempts == 0 and result.status is None
    assert not any(p.startswith("/private/") for p in server.paths())


def test_sitemap_kinds(server):
    plain = fetch(server.base_url + "/sitemap.xml", kind="sitemap")
    assert plain.error is None and plain.body == SITEMAP_XML
    gz = fetch(server.base_url + "/sitemap.xml.gz", kind="sitemap")
    assert gz.error is None and gz.body == SITEMAP_XML
    assert gz.bytes_read == len(gzip.compress(SITEMAP_XML))
    as_page = fetch(server.base_url + "/sitemap.xml.gz")
    assert isinstance(as_page.error, BadContentType)


def test_feed_kinds(server):
    feed = fetch(server.base_url + "/feed-as-html", kind="feed")  # mislabelled feeds are common; the body decides
    assert feed.error is None and feed.body == RSS_XML
    assert isinstance(fetch(server.base_url + "/binary", kind="feed").error, BadContentType)
    assert server.records("/feed-as-html")[-1].headers["accept"].startswith("application/rss+xml")


def test_sitemaps_from_robots_are_absolute(server):
    async def go():
        async with Fetcher(config()) as fetcher:
            return await fetcher.sitemaps(server.base_url), await fetcher.robots.sitemaps(server.base_url + "/any")
    first, second = asyncio.run(go())
    assert first == second == [server.base_url + "/sitemap.xml", "http://elsewhere.example/s.xml"]


# -------------------------------------------------------------------------------------------- fetch_many


ALL_ROUTES = [
    "/ok", "/429", "/503-date", "/500-then-200", "/500", "/slow", "/reset", "/redirect-loop/a",
    "/redirect-chain/3", "/redirect-chain/11", "/redirect-to-private", "/redirect-to-ftp", "/big", "/big-declared",
    "/bomb", "/gzip", "/deflate", "/deflate-raw", "/zstd", "/wrong-charset", "/binary", "/pdf", "/no-content-type",
    "/etag", "/private/x", "/404", "/sitemap.xml", "/nowhere", "ftp://127.0.0.1/x",
]


def test_fetch_many_returns_exactly_one_result_per_url(server):
    urls = [u if "://" in u else f"{server.base_url}{u}?many=1" for u in ALL_ROUTES]
    urls.append(urls[0])  # a duplicate is fetched twice and reported twice
    robots_before = server.hits("/robots.txt")

    def lazily():  # a plain generator: read as slots free up
        yield from urls

    results = fetch_all(lazily(), config(per_host_concurrency=8))
    assert Counter(r.url for r in results) == Counter(urls)
    by_url = {r.url: r for r in results}
    expected = {
        "/ok": None, "/429": None, "/503-date": None, "/500-then-200": None, "/500": HttpStatusError,
        "/slow": FetchTimeout, "/reset": ConnectionFailed, "/redirect-loop/a": RedirectLoop,
        "/redirect-chain/3": None, "/redirect-chain/11": TooManyRedirects, "/redirect-to-private": RobotsDisallowed,
        "/redirect-to-ftp": BadScheme, "/big": TooLarge, "/big-declared": TooLarge, "/bomb": DecompressionBomb,
        "/gzip": None, "/deflate": None, "/deflate-raw": None, "/zstd": BadEncoding, "/wrong-charset": None,
        "/binary": BadContentType, "/pdf": BadContentType, "/no-content-type": None, "/etag": None,
        "/private/x": RobotsDisallowed, "/404": HttpStatusError, "/sitemap.xml": BadContentType,
        "/nowhere": HttpStatusError, "ftp://127.0.0.1/x": BadScheme,
    }
    for route, error in expected.items():
        url = route if "://" in route else f"{server.base_url}{route}?many=1"
        result = by_url[url]
        if error is None:
            assert result.error is None and result.body, (route, result.message)
        else:
            assert isinstance(result.error, error), (route, result.error_type, result.message)
            assert result.body is None, route
    assert server.hits("/robots.txt") == robots_before + 1  # once per host per Fetcher, even under concurrency
    assert not any(p.startswith("/private/") for p in server.paths())


def test_fetch_many_reads_requests_lazily_and_bounds_in_flight(server):
    pulled = 0
    in_flight_seen: list[int] = []

    async def requests():  # an async source, with per-request kinds and tags
        nonlocal pulled
        for i in range(12):
            pulled += 1
            yield FetchRequest(f"{server.base_url}/sleep/50?lazy={i}", kind="page", tag=i)

    async def go():
        received = []
        async with Fetcher(config(per_host_concurrency=4)) as fetcher:
            async for result in fetcher.fetch_many(requests(), max_in_flight=3):
                in_flight_seen.append(pulled - len(received))
                received.append(result)
        return received

    results = asyncio.run(go())
    assert sorted(r.tag for r in results) == list(range(12))
    assert all(r.error is None for r in results)
    assert max(in_flight_seen) <= 3


def test_fetch_many_stopped_early_cancels_the_rest(server):
    async def go():
        async with Fetcher(config()) as fetcher:
            stream = fetcher.fetch_many([f"{server.base_url}/sleep/{ms}?early=1" for ms in (10, 1500, 1500)])
            first = await anext(stream)
            await stream.aclose()
            return first

    started = time.monotonic()
    first = asyncio.run(go())
    assert first.error is None and first.url.endswith("/sleep/10?early=1")
    assert time.monotonic() - started < 1.2


# ------------------------------------------------------------------------------------ robots.txt outcomes


def test_robots_404_allows_everything():
    with faulty_server(robots=404) as srv:
        result = fetch(srv.base_url + "/private/x")
        assert result.error is None and result.body
        assert srv.hits("/private/x") == 1 and srv.hits("/robots.txt") == 1


def test_robots_5xx_means_disallow_all():
    with faulty_server(robots=503) as srv:
        result = fetch(srv.base_url + "/ok")
        assert isinstance(result.error, RobotsDisallowed) and result.from_robots_block
        assert "503" in result.message
        assert srv.hits("/ok") == 0
        assert srv.hits("/robots.txt") == 3  # retried like any 503, then given up


def test_robots_can_be_ignored_when_configured():
    with faulty_server() as srv:
        result = fetch(srv.base_url + "/private/x", config(respect_robots=False))
        assert result.error is None
        assert srv.hits("/private/x") == 1 and srv.hits("/robots.txt") == 0


# ------------------------------------------------------------------------------------------------ politeness


def _overlaps(records) -> bool:
    spans = sorted((r.start, r.end) for r in records)
    return any(later_start < earlier_end for (_, earlier_end), (later_start, _) in zip(spans, spans[1:]))


def test_crawl_delay_spaces_requests_to_one_host():
    # The gaps are measured where the fetcher sends each request (an httpx request hook), not where the server
    # thread logs it: under load the server may log a request late, which makes the next gap look short.
    sent: list[float] = []

    async def note_send(request):
        sent.append(time.monotonic())

    async def go(urls):
        async with Fetcher(config(per_host_concurrency=1)) as fetcher:
            fetcher._client.event_hooks["request"].append(note_send)
            return [r async for r in fetcher.fetch_many(urls)]

    with faulty_server(robots=POLITE_ROBOTS) as srv:
        started = time.monotonic()
        results = asyncio.run(go([f"{srv.base_url}/sleep/50?n={i}" for i in range(3)]))
        elapsed = time.monotonic() - started
        assert all(r.error is None for r in results)
        pages = srv.records("/sleep/")
        assert len(srv.records("/robots.txt")) == 1 and len(pages) == 3
        assert len(sent) == 4  # robots.txt, then the three pages
        assert all(b - a >= 0.95 for a, b in zip(sent, sent[1:])), sent
        assert elapsed >= 3.0
        assert not _overlaps(pages)


def test_hosts_proceed_in_parallel_but_each_host_serially():
    with faulty_server("127.0.0.1") as one, faulty_server("127.0.0.2") as two:
        urls = [f"{srv.base_url}/sleep/400?n={i}" for i in range(3) for srv in (one, two)]
        started = time.monotonic()
        results = fetch_all(urls, config(per_host_concurrency=1))
        elapsed = time.monotonic() - started
        assert all(r.error is None for r in results)
        first, second = one.records("/sleep/"), two.records("/sleep/")
        assert len(first) == len(second) == 3
        assert not _overlaps(first) and not _overlaps(second)
        assert _overlaps(first + second)  # the two hosts did overlap
        assert elapsed < 2.2  # serial would be 6 x 0.4 = 2.4 s


def test_per_host_concurrency_is_a_ceiling():
    with faulty_server() as srv:
        results = fetch_all([f"{srv.base_url}/sleep/300?n={i}" for i in range(6)], config(per_host_concurrency=2))
        assert all(r.error is None for r in results)
        spans = [(r.start, r.end) for r in srv.records("/sleep/")]
        peak = max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans)
        assert peak == 2


def test_429_slows_the_whole_host():
    with faulty_server() as srv:
        async def requests():
            yield srv.base_url + "/429?host=1"
            # The other request goes out after the 429 was answered, however long the first took to be sent (on a
            # loaded machine it had not been sent 0.2 s after it was queued, and both went out together).
            deadline = time.monotonic() + 10
            while not any(r.end is not None for r in srv.records("/429?host=1")):
                assert time.monotonic() < deadline, "the 429 was never answered"
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)  # and the fetcher has read it
            yield srv.base_url + "/sleep/10?after=1"

        results = fetch_all(requests(), config(per_host_concurrency=2))
        assert all(r.error is None for r in results)
        first_429, retried = (r.start for r in srv.records("/429?host=1"))
        other = srv.records("/sleep/")[0].start
        # Retry-After: 1 held back the other request to the same host as well, not only the retry
        assert retried - first_429 >= 0.95
        assert other - first_429 >= 0.95
