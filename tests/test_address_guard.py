"""No server-side request forgery: a redirect (or a link) to a loopback, private or link-local address is not
followed unless the user named that origin. Real HTTP servers on 127.0.0.1, the real CLI, a real DuckDB file."""

from __future__ import annotations

import contextlib
import io
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb

from flows.cli import main
from flows.crawl import fetch_config_for
from flows.sources import source_from_dict
from flows.static_server import serve_directory
from flows.web.addresses import non_public

from conftest import FIXTURES

ARTICLE = "/content/2024-11/content_48101.html"


@contextmanager
def redirecting_to(location: str):
    """A server on 127.0.0.1 whose every path answers 302 to `location`."""
    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def ingest(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["ingest", *argv])
    return code, out.getvalue() + err.getvalue()


def test_addresses_that_are_not_public():
    assert non_public("127.0.0.1") == "loopback" and non_public("::1") == "loopback"
    assert non_public("169.254.169.254") == "link-local"
    assert non_public("10.1.2.3") == "private" and non_public("192.168.0.1") == "private"
    assert non_public("::ffff:127.0.0.1") == "loopback"
    assert non_public("0.0.0.0") is not None
    assert non_public("8.8.8.8") is None and non_public("2001:4860:4860::8888") is None


def test_a_redirect_to_another_local_port_is_refused_and_the_service_never_asked(tmp_path):
    db = tmp_path / "x.duckdb"
    with serve_directory(str(FIXTURES / "site")) as internal, redirecting_to(internal.base_url + ARTICLE) as outside:
        code, output = ingest(outside + "/news/1.html", "--db", str(db))
        asked = list(internal.request_log)
        # the same page, named by the user, is theirs to fetch
        named, _ = ingest(internal.base_url + ARTICLE, "--db", str(db))
    assert asked == []
    with duckdb.connect(str(db), read_only=True) as con:
        errors = con.execute("SELECT error_type, message FROM errors").fetchall()
        titles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert [e[0] for e in errors] == ["ForbiddenAddress"]
    assert "127.0.0.1 is a loopback address" in errors[0][1] and "not requested" in errors[0][1]
    assert code == 0 and "errors 1" in output
    assert named == 0 and titles == 1


def test_a_redirect_to_the_cloud_metadata_address_is_refused_before_connecting(tmp_path):
    db = tmp_path / "x.duckdb"
    with redirecting_to("http://169.254.169.254/latest/meta-data/") as outside:
        ingest(outside + "/a.html", "--db", str(db))
    with duckdb.connect(str(db), read_only=True) as con:
        (error_type, message), = con.execute("SELECT error_type, message FROM errors").fetchall()
    assert error_type == "ForbiddenAddress" and "link-local" in message


def test_a_crawl_may_reach_the_origins_its_source_names_and_no_other():
    source = source_from_dict({"name": "local", "start_urls": [{"url": "http://127.0.0.1:8765/list/", "kind": "list"}],
                               "allowed_hosts": ["intranet.example"]})
    config = fetch_config_for(source)
    assert config.block_private_addresses
    assert config.allowed_private_origins == {"127.0.0.1:8765", "intranet.example:80", "intranet.example:443"}


def crawl(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["crawl", *argv, "--quiet"])
    return code, out.getvalue() + err.getvalue()


def test_allow_private_lets_an_intranet_crawl_follow_its_redirects(tmp_path):
    """Every path of the entry server redirects to the internal one, robots.txt included: without the opt-in the
    internal service is never asked, not even for the robots.txt redirect."""
    refused_db, allowed_db = tmp_path / "refused.duckdb", tmp_path / "allowed.duckdb"
    with serve_directory(str(FIXTURES / "site")) as internal, \
            redirecting_to(internal.base_url + "/list/index.html") as entry:
        crawl(entry + "/news/", "--db", str(refused_db), "--max-pages", "2")
        asked_when_refused = list(internal.request_log)
        code, output = crawl(entry + "/news/", "--db", str(allowed_db), "--max-pages", "2", "--allow-private")
    assert asked_when_refused == []
    assert code == 0, output
    with duckdb.connect(str(allowed_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles WHERE parent_article_id IS NULL").fetchone()[0] == 2


def test_a_source_may_allow_private_hosts():
    source = source_from_dict({"name": "intranet", "allow_private_hosts": True,
                               "start_urls": [{"url": "http://10.0.0.5/news/", "kind": "list"}]})
    assert source.allow_private_hosts and not fetch_config_for(source).block_private_addresses
    assert fetch_config_for(source_from_dict({"name": "x", "start_urls": [
        {"url": "http://10.0.0.5/news/", "kind": "list"}]})).block_private_addresses
