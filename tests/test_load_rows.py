"""Details of the loader's row building and write connection: host names, the checkpoint threshold."""

from __future__ import annotations

from urllib.parse import urlsplit

import duckdb
import pytest

from warehouse.db import CHECKPOINT_THRESHOLD, connect
from warehouse.rows import site_of


@pytest.mark.parametrize("url", [
    "https://www.Lnd.com.cn/html/2024-11/05/content_1.htm?x=1#p2", "http://epaper.lnd.com.cn", "https://HOST?q=1",
    "http://a.b:8080/x", "http://a.b:/x", "http://user:pw@Host.cn/x", "http://[::1]:8000/x", "//host.cn/x",
    " http://h.cn/x", "http://h\t.cn/x", "HTTP://H.COM/", "ftp://x.y/z", "http://h.cn\n",
])
def test_site_is_the_host_urlsplit_gives(url):
    assert site_of(url) == urlsplit(url).hostname


def test_site_falls_back_to_the_next_url_then_file():
    assert site_of(None, "mailto:x@y.cn", "https://b.example.cn/a") == "b.example.cn"
    assert site_of("file:///tmp/a.html", "") == "file"


def test_write_connections_checkpoint_at_the_larger_threshold_and_readers_open(tmp_path):
    path = tmp_path / "w.duckdb"
    con = connect(path)
    reference = duckdb.connect()
    default = reference.execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0]
    reference.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
    expected = reference.execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0]
    assert expected != default
    assert con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0] == expected
    con.execute("CREATE TABLE t AS SELECT range AS i FROM range(10)")
    con.close()
    reader = connect(path, read_only=True)
    assert reader.execute("SELECT count(*) FROM t").fetchone()[0] == 10
    reader.close()
