"""Ctrl-C and SIGTERM stop a command within seconds, with one line, keeping what was fetched and extracted and
marking the run `interrupted`; a run whose process was killed (-9) is closed by the next run. Real subprocesses,
real signals, real DuckDB files, the real Prefect engine."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.static_server import serve_directory

from conftest import FIXTURES, REPO

pytestmark = pytest.mark.slow
NEWSDUCK = str(Path(sys.executable).parent / "newsduck")


def stories(directory: Path, count: int) -> Path:
    directory.mkdir(parents=True)
    for n in range(count):
        paragraphs = "".join(f"<p>第{n}篇报道的第{i}段。记者在现场看到，阜新市第{n}个项目第{i}阶段进展顺利，"
                             f"群众反映良好，相关部门表示将继续推进。</p>" for i in range(8))
        (directory / f"story_{n:04d}.html").write_text(
            f"<html><head><title>第{n}篇报道</title></head><body><article><h1>第{n}篇报道</h1>"
            f"<div class='info'>2024-11-05 08:30 来源：阜新日报</div>{paragraphs}</article></body></html>",
            encoding="utf-8")
    return directory


def rows(db: Path, sql: str) -> list[tuple]:
    """Read once the writer lets go of the file (it holds it only while loading a batch)."""
    for _ in range(200):
        try:
            with duckdb.connect(str(db), read_only=True) as con:
                return con.execute(sql).fetchall()
        except duckdb.Error:
            time.sleep(0.05)
    raise AssertionError(f"{db} stayed locked")


def wait_for(condition, timeout: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def articles_loaded(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        return rows(db, "SELECT count(*) FROM articles")[0][0]
    except (AssertionError, duckdb.Error):
        return 0


def start_ingest(pages: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen([NEWSDUCK, "ingest", str(pages), "--db", str(db), "--batch-size", "20"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_ctrl_c_during_an_ingest_loads_what_was_read_and_marks_the_run_interrupted(tmp_path):
    pages = stories(tmp_path / "pages", 600)
    db = tmp_path / "news.duckdb"
    ingest = start_ingest(pages, db)
    wait_for(lambda: articles_loaded(db) >= 20, 180, ingest)
    ingest.send_signal(signal.SIGINT)
    asked = time.monotonic()
    out, err = ingest.communicate(timeout=60)
    took = time.monotonic() - asked
    assert ingest.returncode == 130, err
    assert took < 20  # a batch of 20 pages to extract and load, on a busy 2-core machine
    assert "Traceback" not in err and "Error" not in err, err
    # newsduck's two lines; anything else is the loader waiting while this test's reader holds the file
    said = [line for line in err.splitlines() if line.startswith("newsduck:")]
    assert said[0] == "newsduck: Ctrl-C: stopping once what was fetched is loaded (Ctrl-C again to stop at once)"
    assert said[1].startswith("newsduck: interrupted: what was fetched is loaded; run ") and len(said) == 2
    assert all("another process is using it" in line for line in err.splitlines() if not line.startswith("newsduck:")), err
    (status, new), = rows(db, "SELECT status, new FROM runs")
    stored = rows(db, "SELECT count(*) FROM articles")[0][0]
    assert status == "interrupted"
    assert 20 <= stored < 600 and new == stored
    assert out.startswith(f"inputs {stored}  new {stored}  ")
    # whole batches only: every stored article has its fetch, every fetch of the run its outcome
    assert rows(db, "SELECT count(*) FROM fetches WHERE outcome = 'new'")[0][0] == stored


def test_sigterm_during_a_crawl_loads_what_was_fetched_and_starts_nothing_new(tmp_path):
    db = tmp_path / "crawl.duckdb"
    with serve_directory(str(FIXTURES / "site")) as server:
        # robots.txt asks for Crawl-delay: 1, so the 30 stories take half a minute
        crawl = subprocess.Popen([NEWSDUCK, "crawl", server.base_url + "/list/index.html", "--db", str(db), "--json"],
                                 cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: sum(p.startswith("/content/") for p in server.request_log) >= 4, 180, crawl)
        crawl.send_signal(signal.SIGTERM)
        asked = time.monotonic()
        out, err = crawl.communicate(timeout=60)
        took = time.monotonic() - asked
        fetched = sum(p.startswith("/content/") for p in server.request_log)
    assert crawl.returncode == 130, err
    assert took < 20  # the page in flight, then the load of what was fetched
    assert "Traceback" not in err, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["status"] == "interrupted"
    stored = rows(db, "SELECT count(*) FROM articles WHERE parent_article_id IS NULL")[0][0]
    assert stored >= 4 and fetched < 30
    assert summary["queued"] > 0  # the rest waits for the next crawl
    assert rows(db, "SELECT status FROM runs") == [("interrupted",)]


def test_a_killed_ingest_is_closed_as_interrupted_by_the_next_run(tmp_path):
    pages = stories(tmp_path / "pages", 400)
    db = tmp_path / "news.duckdb"
    ingest = start_ingest(pages, db)
    wait_for(lambda: articles_loaded(db) >= 20, 180, ingest)
    ingest.kill()
    ingest.wait()
    assert rows(db, "SELECT status FROM runs") == [("running",)]
    again = subprocess.run([NEWSDUCK, "ingest", str(FIXTURES / "pages" / "fanfu-repost-51919.html"), "--db", str(db)],
                           cwd=REPO, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    statuses = rows(db, "SELECT status, finished_at IS NOT NULL FROM runs ORDER BY started_at")
    assert statuses == [("interrupted", True), ("completed", True)]
