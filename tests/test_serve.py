"""`newsduck serve`: one process runs each source's crawl on its cron schedule (Prefect serve, ephemeral API)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from flows.cli import main
from flows.local_server import stop_process
from flows.static_server import serve_directory

from conftest import FIXTURES, REPO

pytestmark = pytest.mark.slow
NEWSDUCK = str(Path(sys.executable).parent / "newsduck")


def stored_titles(db: Path) -> set[str]:
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return set()  # not created yet, or the crawl is writing a batch right now
    try:
        return {t for (t,) in con.execute("SELECT title FROM articles").fetchall()}
    except duckdb.Error:
        return set()
    finally:
        con.close()


def test_serve_runs_a_scheduled_crawl(tmp_path):
    db = tmp_path / "served.duckdb"
    sources = tmp_path / "sources.toml"
    with serve_directory(str(FIXTURES / "site")) as site:
        sources.write_text(f'''
[[source]]
name = "fixture-site"
start_urls = [{{ url = "{site.base_url}/list/index.html", kind = "list" }}]
include = ["/content/*/content_*.html"]
max_pages = 3
schedule = "* * * * *"
''', encoding="utf-8")
        env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_LOGGING_LEVEL="WARNING")
        log = open(tmp_path / "serve.log", "w")
        server = subprocess.Popen([NEWSDUCK, "serve", "--sources", str(sources), "--db", str(db)],
                                  env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 180
            titles: set[str] = set()
            while time.monotonic() < deadline and len(titles) < 3 and server.poll() is None:
                time.sleep(2)
                titles = stored_titles(db)
            # the Prefect UI of the server serve started reaches that server's API, not a default port
            started = re.search(r"local Prefect server at (http://127\.0\.0\.1:\d+)", (tmp_path / "serve.log").read_text())
            assert started, (tmp_path / "serve.log").read_text()[-3000:]
            ui_settings = httpx.get(started.group(1) + "/ui-settings", timeout=10).json()
        finally:
            stop_process(server, timeout=30)  # newsduck serve stops its own Prefect server on SIGINT
            log.close()
    output = (tmp_path / "serve.log").read_text()
    assert "crawl-fixture-site" in output, output
    assert len(titles) == 3, output[-3000:]
    assert ui_settings["api_url"] == started.group(1) + "/api"


def test_serve_without_scheduled_sources_is_one_clear_line(tmp_path, capsys):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "x"\nstart_urls = [{ url = "https://example.com/", kind = "list" }]\n', encoding="utf-8")
    assert main(["serve", "--sources", str(sources), "--db", str(tmp_path / "d.duckdb")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("newsduck: ") and "schedule" in err and err.count("\n") == 1


def test_a_broken_sources_file_is_a_usage_error_in_serve_as_in_crawl(tmp_path, capsys):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "x"\nstart_urls = [{ url = "https://example.com/", kind = "list" }]\n'
                       'min_delay = 1e12\n', encoding="utf-8")
    for command in (["serve"], ["crawl", "--source", "x"]):
        assert main([*command, "--sources", str(sources), "--db", str(tmp_path / "d.duckdb")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("newsduck: ") and "min_delay" in err and err.count("\n") == 1
