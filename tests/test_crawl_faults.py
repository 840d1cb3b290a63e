"""A crawl under crashes and contention: killed right after a batch's commit, two crawls of one site at once, the
database held by another process for longer than the busy timeout, a database that cannot be written (a full
disk). Real subprocesses, a real HTTP server on 127.0.0.1 counting requests, real DuckDB files (on a small tmpfs
where it can be mounted), the real Prefect engine."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from flows.static_server import serve_directory

from conftest import REPO

pytestmark = pytest.mark.slow
ARTICLE_PREFIX = "/content/"


def make_site(directory: Path, articles: int) -> Path:
    """A site of one list page linking `articles` article pages (no robots.txt: nothing delays the crawl)."""
    (directory / "list").mkdir(parents=True)
    (directory / "content").mkdir()
    links = []
    for n in range(articles):
        name = f"content_{n:05d}.html"
        paragraphs = "".join(f"<p>第{n}篇报道的第{i}段。记者在现场看到，阜新市第{n}个项目第{i}阶段进展顺利，"
                             f"群众反映良好，相关部门表示将继续推进。</p>" for i in range(6))
        (directory / "content" / name).write_text(
            f"<html><head><title>第{n}篇报道</title></head><body><article><h1>第{n}篇报道</h1>"
            f"<div class='info'>2024-11-05 08:30 来源：阜新日报</div>{paragraphs}</article></body></html>",
            encoding="utf-8")
        links.append(f'<li><a href="/content/{name}">第{n}篇报道</a></li>')
    (directory / "list" / "index.html").write_text(
        f"<html><head><title>要闻</title></head><body><ul>{''.join(links)}</ul></body></html>", encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return make_site(tmp_path_factory.mktemp("site"), 240)


def article_requests(log: list[str]) -> list[str]:
    return [path for path in log if path.startswith(ARTICLE_PREFIX)]


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def stored_paths(db: Path) -> list[str]:
    return [url.split("/", 3)[3] for (url,) in rows(db, "SELECT url FROM articles WHERE parent_article_id IS NULL")]


def crawl_process(url: str, db: Path, *extra: str, prelude: str = "", env: dict | None = None) -> subprocess.Popen:
    """`newsduck crawl URL --db DB --json …` in a process of its own; `prelude` runs first (a fault to inject)."""
    return newsduck_process(["crawl", url, "--db", str(db), "--json", "--quiet", *extra], prelude=prelude, env=env)


def newsduck_process(argv: list[str], *, prelude: str = "", env: dict | None = None) -> subprocess.Popen:
    """`newsduck ARGV…` in a process (and process group) of its own, after `prelude`."""
    script = textwrap.dedent(prelude) + f"\nimport sys\nfrom flows.cli import main\nsys.exit(main({argv!r}))\n"
    return subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env={**os.environ, **(env or {})})


def outcome(process: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of a crawl process, once it is gone with what it started: a killed crawl leaves
    Prefect's ephemeral server (its process group) behind, holding the output pipes open."""
    try:
        code = process.wait(timeout=timeout)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    out, err = process.communicate(timeout=30)
    return code, out, err


def summary_of(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


# Killed (as by kill -9: no cleanup, no flush) right after the first batch that stored articles has committed.
KILL_AFTER_COMMIT = """
    import os
    import flows.batches

    load_batch = flows.batches.load_batch

    def load_then_die(*args, **kwargs):
        loaded = load_batch(*args, **kwargs)
        if loaded.new:
            os._exit(9)
        return loaded

    flows.batches.load_batch = load_then_die
"""


def test_a_crawl_killed_right_after_a_batch_commit_leaves_no_stored_page_to_fetch_again(site, tmp_path):
    db = tmp_path / "killed.duckdb"
    with serve_directory(str(site)) as server:
        url = server.base_url + "/list/index.html"
        code, out, err = outcome(crawl_process(url, db, "--batch-size", "40", prelude=KILL_AFTER_COMMIT))
        assert code == 9, err
        first_log = list(server.request_log)
        stored_before = set(stored_paths(db))
        assert stored_before  # the batch committed before the kill

        code, out, err = outcome(crawl_process(url, db))
        assert code == 0, err
        second_log = server.request_log[len(first_log):]
    fetched_again = {path.lstrip("/") for path in article_requests(second_log)} & stored_before
    assert fetched_again == set()
    assert Counter(stored_paths(db)) == Counter({f"content/content_{n:05d}.html": 1 for n in range(240)})
    assert summary_of(out)["new"] == 240 - len(stored_before)
    assert rows(db, "SELECT count(*) FROM urls WHERE kind = 'article' AND status <> 'stored'") == [(0,)]


class SlowHandler(SimpleHTTPRequestHandler):
    """Serves the directory, counting every request; an article answers after ARTICLE_DELAY seconds, so that two
    crawls started together are fetching at the same time."""

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:
        self.server.request_log.append(self.path)
        if self.path.startswith(ARTICLE_PREFIX):
            time.sleep(ARTICLE_DELAY)
        super().do_GET()


ARTICLE_DELAY = 0.1


@contextlib.contextmanager
def slow_server(directory: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SlowHandler, directory=str(directory)))
    server.daemon_threads = True
    server.request_log = []
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# Chunks of 40 URLs, so that two crawls of 240 articles take turns claiming them.
SMALL_CHUNKS = """
    import flows.crawl

    flows.crawl.FRONTIER_CHUNK = 40
"""


def test_two_crawls_of_one_site_at_once_fetch_each_page_once(site, tmp_path):
    db = tmp_path / "two.duckdb"
    with slow_server(site) as server:
        url = server.base_url + "/list/index.html"
        crawls = [crawl_process(url, db, "--batch-size", "20", prelude=SMALL_CHUNKS) for _ in range(2)]
        results = [outcome(process) for process in crawls]
        log = list(server.request_log)
    for code, _, err in results:
        assert code == 0, err
    every_article_once = {f"/content/content_{n:05d}.html": 1 for n in range(240)}
    assert Counter(article_requests(log)) == every_article_once
    assert Counter("/" + path for path in stored_paths(db)) == every_article_once
    new = [summary_of(out)["new"] for _, out, _ in results]
    assert sum(new) == 240
    assert min(new) > 0  # both crawls fetched: they ran at the same time and split the site
    assert rows(db, "SELECT count(*) FROM url_leases") == [(0,)]  # every lease ended with its URL or its run


# The crawl's leases last 30 s from its last load, instead of minutes.
SHORT_LEASE = """
    import datetime
    import warehouse.frontier

    warehouse.frontier.URL_LEASE = datetime.timedelta(seconds=30)
"""


def test_a_lease_left_by_a_killed_crawl_is_taken_after_it_runs_out(site, tmp_path):
    from warehouse import frontier
    from warehouse.db import connect

    db = tmp_path / "lease.duckdb"
    with serve_directory(str(site)) as server:
        code, _, err = outcome(crawl_process(server.base_url + "/list/index.html", db, "--batch-size", "40",
                                             prelude=KILL_AFTER_COMMIT + SHORT_LEASE))
    assert code == 9, err
    ((killed_run, source, held, until),) = rows(
        db, "SELECT l.run_id, u.source_id, count(*), max(l.lease_until) FROM url_leases l JOIN urls u USING (url) "
            "GROUP BY ALL")
    assert held == 240 - len(stored_paths(db))  # the URLs the killed crawl claimed and did not load
    con = connect(db)  # another machine's crawl: it cannot see that the killed process is gone
    try:
        assert frontier.claim_urls(con, "other-run", source, limit=500) == []
        time.sleep(max(0.0, (until - frontier.utc_now()).total_seconds()) + 0.5)
        taken = frontier.claim_urls(con, "other-run", source, limit=500)
        assert len(taken) == held
        assert con.execute("SELECT count(*) FROM url_leases WHERE run_id = ?", [killed_run]).fetchone() == (0,)
    finally:
        con.close()


# Another process takes the write lock (waiting for the crawl's batch to end) and holds it for argv[2] seconds.
HOLD_WRITE_LOCK = """
import sys, time
from warehouse.db import open_writer

con = open_writer(sys.argv[1], timeout=120)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_a_crawl_waits_out_a_lock_held_past_the_busy_timeout_and_loads_what_it_fetched(site, tmp_path):
    db = tmp_path / "held.duckdb"
    with slow_server(site) as server:
        crawl = crawl_process(server.base_url + "/list/index.html", db, "--batch-size", "20",
                              env={"NEWSDUCK_BUSY_TIMEOUT": "2"})
        deadline = time.monotonic() + 180
        while len(article_requests(server.request_log)) < 40:
            assert crawl.poll() is None and time.monotonic() < deadline, outcome(crawl)
            time.sleep(0.05)
        holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITE_LOCK, str(db), "10"], cwd=REPO,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "held", holder.communicate()
        assert holder.wait(timeout=60) == 0
        code, out, err = outcome(crawl)
        log = list(server.request_log)
    assert code == 0, err
    assert "is still locked by process" in err and "what was fetched is kept" in err
    assert "Traceback" not in err
    summary = summary_of(out)
    assert (summary["status"], summary["new"], summary["errors"]) == ("completed", 240, 0)
    every_article_once = {f"/content/content_{n:05d}.html": 1 for n in range(240)}
    assert Counter(article_requests(log)) == every_article_once
    assert Counter("/" + path for path in stored_paths(db)) == every_article_once


# The second batch that stores articles cannot be written, as when the disk fills: DuckDB's error, raised once
# the batch's rows are in and before its COMMIT.
DISK_FULL_ON_SECOND_BATCH = """
    import duckdb
    import warehouse.load

    write_batch = warehouse.load.write_batch
    batches = []

    def write_then_fail(*args, **kwargs):
        loaded = write_batch(*args, **kwargs)
        if loaded.new:
            batches.append(loaded)
            if len(batches) == 2:
                raise duckdb.IOException('Could not write file "news.duckdb.wal": No space left on device')
        return loaded

    warehouse.load.write_batch = write_then_fail
"""


def articles_neither_indexed_nor_queued(db: Path) -> int:
    return rows(db, "SELECT count(*) FROM articles a "
                    "WHERE NOT EXISTS (SELECT 1 FROM article_search s WHERE s.article_id = a.article_id) "
                    "AND NOT EXISTS (SELECT 1 FROM search_queue q WHERE q.article_id = a.article_id)")[0][0]


def failure_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("newsduck:")]


def test_a_batch_that_cannot_be_written_fails_the_run_in_one_sentence_and_keeps_the_stores_consistent(site, tmp_path):
    db = tmp_path / "full.duckdb"
    with serve_directory(str(site)) as server:
        url = server.base_url + "/list/index.html"
        code, out, err = outcome(crawl_process(url, db, "--batch-size", "40", prelude=DISK_FULL_ON_SECOND_BATCH))
        assert code == 1, err
        (line,) = failure_lines(err)
        assert line.startswith(f"newsduck: crawl of {url.split('/')[2]} failed: cannot write the database ")
        assert "(No space left on device): the batch of " in line and "pages was rolled back" in line
        assert "Traceback" not in err
        assert summary_of(out)["status"] == "failed"
        assert rows(db, "SELECT status FROM runs") == [("failed",)]
        stored = stored_paths(db)
        assert 0 < len(stored) < 240  # the first batch is kept, the failed one is not
        assert rows(db, "SELECT count(*) FROM urls WHERE status = 'stored'") == [(len(stored),)]
        assert articles_neither_indexed_nor_queued(db) == 0
        mark = len(server.request_log)

        code, out, err = outcome(crawl_process(url, db))
        assert code == 0, err
        again = article_requests(server.request_log[mark:])
    assert not {path.lstrip("/") for path in again} & set(stored)
    assert Counter(stored_paths(db)) == Counter({f"content/content_{n:05d}.html": 1 for n in range(240)})
    assert articles_neither_indexed_nor_queued(db) == 0


def test_an_ingest_whose_batch_cannot_be_written_fails_in_one_sentence(site, tmp_path):
    db = tmp_path / "ingest.duckdb"
    code, out, err = outcome(newsduck_process(["ingest", str(site / "content"), "--db", str(db), "--batch-size", "40",
                                               "--json", "--quiet"], prelude=DISK_FULL_ON_SECOND_BATCH))
    assert code == 1, err
    (line,) = failure_lines(err)
    assert line.startswith("newsduck: ingest failed: cannot write the database ")
    assert "(No space left on device): the batch of 40 pages was rolled back" in line
    assert "Traceback" not in err
    assert json.loads(out)["status"] == "failed"
    assert rows(db, "SELECT status, new FROM runs") == [("failed", 40)]
    assert rows(db, "SELECT count(*) FROM articles") == [(40,)]
    assert articles_neither_indexed_nor_queued(db) == 0


@contextlib.contextmanager
def small_filesystem(directory: Path, size: str):
    """A tmpfs of `size` mounted on `directory` (root only); the test is skipped where it cannot be mounted."""
    directory.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
                                           capture_output=True).returncode != 0:
        pytest.skip("no permission to mount a small tmpfs")
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=False)


def test_a_crawl_into_a_full_filesystem_fails_in_one_sentence_and_the_next_run_completes_it(site, tmp_path):
    with small_filesystem(tmp_path / "small", "8m") as small, serve_directory(str(site)) as server:
        db = small / "news.duckdb"
        url = server.base_url + "/list/index.html"
        code, out, err = outcome(crawl_process(url, db, "--batch-size", "40"))
        assert code == 1, err
        (line,) = failure_lines(err)
        assert "No space left on device" in line and "rolled back" in line
        assert "Traceback" not in err
        subprocess.run(["mount", "-o", "remount,size=256m", str(small)], check=True)
        assert articles_neither_indexed_nor_queued(db) == 0
        kept = stored_paths(db)
        mark = len(server.request_log)

        code, out, err = outcome(crawl_process(url, db))
        assert code == 0, err
        again = article_requests(server.request_log[mark:])
        assert not {path.lstrip("/") for path in again} & set(kept)
        assert Counter(stored_paths(db)) == Counter({f"content/content_{n:05d}.html": 1 for n in range(240)})
        assert articles_neither_indexed_nor_queued(db) == 0
        (first_status,), _ = rows(db, "SELECT status FROM runs ORDER BY started_at")
        assert first_status in ("failed", "interrupted")  # interrupted: the full disk took its row's last write too
