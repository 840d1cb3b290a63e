"""`newsduck browse` in a real browser: Debian's headless Chromium (`make test` installs it, see the Makefile's
`chromium` target), driven by Playwright with the system browser, against the app served by uvicorn on
127.0.0.1 over a real warehouse whose articles were fetched from the fixture site, itself served on 127.0.0.1
(so the photos load from their original URL). Takes the README's screenshots of home and article: into
docs/img/browse-*.png with NEWSDUCK_SCREENSHOTS=1 (`make screenshots`), else into a temporary directory, so that
a test run leaves the working tree as it found it."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
import uvicorn

import browse_db
from flows.browse.app import create_app
from flows.local_server import free_port
from flows.static_server import serve_directory
from warehouse.db import connect

from conftest import REPO

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
# The machine's network is closed: without these Chromium waits on refused connections (updates, sync, QUIC).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    if os.environ.get("NEWSDUCK_SCREENSHOTS") == "1":
        return REPO / "docs" / "img"
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with serve_directory(str(browse_db.SITE)) as site:
        db = browse_db.build(tmp_path_factory.mktemp("browse-browser") / "news.duckdb", site.base_url)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, name="browse-app", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}", db
        finally:
            server.should_exit = True
            thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert CHROMIUM.exists(), "Chromium is missing: `make test` installs it (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.set_default_timeout(20_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser):
    tab = browser.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.dialogs = dialogs
    yield tab
    tab.close()


def test_search_open_the_first_hit_and_its_photographer(app_url, page, screenshots):
    base, _db = app_url
    page.goto(base + "/")
    assert page.locator(".counts").inner_text().startswith("35")
    assert page.locator("svg.chart rect").count() > 10
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / "browse-home.png"), full_page=True)
    assert (screenshots / "browse-home.png").stat().st_size > 10_000

    page.fill("header input[name=q]", "蜜薯")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    first = page.locator("ol.hits li.hit a.title").first
    assert first.inner_text() == "彰武蜜薯“触网” 直播间里卖出好价钱"
    assert page.locator("ol.hits li.hit").first.locator("mark").first.inner_text() == "蜜薯"
    first.click()
    page.wait_for_url("**/article/*")

    assert page.locator("h1.headline").inner_text() == "彰武蜜薯“触网” 直播间里卖出好价钱"
    assert page.title().startswith("彰武蜜薯“触网”")
    photographer = page.locator("p.byline a.person", has_text="吴昊")
    assert photographer.count() == 1 and photographer.inner_text() == "吴昊"
    assert photographer.evaluate("a => a.nextElementSibling.textContent") == "photographer"  # the role beside the name
    assert page.locator("figcaption .caption").first.inner_text() == "主播在直播间推介彰武沙地蜜薯。"
    assert page.locator("figcaption .credit").first.inner_text() == "吴昊 摄"
    photo = page.locator("figure.photo img").first
    photo.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    assert "/images/2024-11/48116_01.jpg" in photo.evaluate("img => img.currentSrc")  # from its original site
    assert page.locator("article.story").get_attribute("lang") == "zh-CN"
    page.screenshot(path=str(screenshots / "browse-article.png"), full_page=True)
    assert (screenshots / "browse-article.png").stat().st_size > 10_000

    photographer.click()
    page.wait_for_url("**/person/*")
    assert page.locator("h1.person-name").inner_text() == "吴昊"
    assert "photographer" in page.locator("p.roles").inner_text()
    assert page.locator("ol.articles a", has_text="彰武蜜薯").count() == 1
    assert page.dialogs == []


def test_a_picture_that_cannot_load_shows_the_placeholder(app_url, page):
    base, db = app_url
    con = connect(db, read_only=True)
    try:
        epaper = con.execute("SELECT article_id FROM articles WHERE url = ?", [browse_db.EPAPER_URL]).fetchone()[0]
    finally:
        con.close()
    page.goto(f"{base}/article/{epaper}")  # its photos are on epaper.lnd.com.cn: offline here
    photo = page.locator("figure.photo img").first
    photo.scroll_into_view_if_needed()
    page.wait_for_function("img => img.src.endsWith('/static/placeholder.svg') && img.naturalWidth > 0",
                           arg=photo.element_handle())
    assert page.locator("figcaption .credit").first.inner_text() == "李冬岩 摄"


def test_hostile_markup_and_the_stored_page_run_no_script(app_url, page):
    base, db = app_url
    con = connect(db, read_only=True)
    try:
        hostile = con.execute("SELECT article_id FROM articles WHERE url = ?", [browse_db.HOSTILE_URL]).fetchone()[0]
    finally:
        con.close()
    page.goto(f"{base}/article/{hostile}")
    assert page.locator("h1.headline").inner_text() == browse_db.HOSTILE_TITLE  # shown as text
    assert page.locator("h1.headline b").count() == 0
    page.click("a.button")
    page.wait_for_url("**/source")
    frame = page.frame_locator("iframe.raw")
    assert frame.locator("p").inner_text() == "raw page"  # the stored page is shown...
    raw_frame = next(f for f in page.frames if f.url.endswith("/raw"))
    assert raw_frame.title() == ""  # ...without running its script (it would set the title)
    assert page.title().endswith("newsduck browse")
    # opened on its own, outside the iframe, the page's Content-Security-Policy alone keeps its script from running
    page.goto(f"{base}/article/{hostile}/raw")
    assert page.locator("p").inner_text() == "raw page"
    assert page.title() == "" and page.evaluate("() => document.title") == ""
    assert page.dialogs == []
