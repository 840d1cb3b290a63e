"""Queries while an ingest writes: readers wait for the writer's batch to end instead of failing.

DuckDB lets one process write a file or many processes read it. The ingest flow holds its write connection
only while it loads a batch; `newsduck sql`, `newsduck search` and `run_query` retry a busy file (one wait
message on stderr) for up to $NEWSDUCK_BUSY_TIMEOUT seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from flows.cli import main
from parsers import extract_article
from warehouse.db import WarehouseLockedError, connect, connect_reader
from warehouse.queries import run_query

from conftest import FIXTURES, REPO

WAIT_MESSAGE = "an ingest is writing"


def hold_write_lock(path: Path, seconds: float | None) -> subprocess.Popen:
    """Another process that opens the database for writing, says so, and keeps it `seconds` (None: until stdin closes)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import sys, time, duckdb
            con = duckdb.connect(sys.argv[1])
            print("holding", flush=True)
            time.sleep(float(sys.argv[2])) if sys.argv[2] != "stdin" else sys.stdin.read()
            con.close()
        """), str(path), "stdin" if seconds is None else str(seconds)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_reader_waits_for_a_short_write_with_one_message(tmp_path, capsys):
    db = tmp_path / "n.duckdb"
    connect(db).close()
    holder = hold_write_lock(db, 1.5)
    try:
        started = time.monotonic()
        assert run_query(db, "SELECT count(*) FROM articles") == (["count_star()"], [(0,)])
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=30)
    err = capsys.readouterr().err
    assert waited >= 0.5
    assert err.count(WAIT_MESSAGE) == 1 and err.startswith(f"newsduck: waiting for {db}: an ingest is writing")


def test_reader_gives_up_after_the_timeout_with_the_lock_message(tmp_path, capsys, monkeypatch):
    db = tmp_path / "n.duckdb"
    connect(db).close()
    holder = hold_write_lock(db, None)
    try:
        messages = []
        started = time.monotonic()
        with pytest.raises(WarehouseLockedError):
            connect_reader(db, timeout=0.8, on_wait=messages.append)
        assert 0.5 <= time.monotonic() - started < 5
        assert len(messages) == 1
        monkeypatch.setenv("NEWSDUCK_BUSY_TIMEOUT", "0.5")
        code = main(["sql", "SELECT 1", "--db", str(db)])
        err = capsys.readouterr().err
        assert code == 1
        lines = err.strip().splitlines()
        assert len(lines) == 2 and WAIT_MESSAGE in lines[0]
        assert lines[1] == (f"newsduck: The database {db.resolve()} is locked by another process (pid {holder.pid}) — "
                            "wait for it to finish or use --db.")
        monkeypatch.setenv("NEWSDUCK_BUSY_TIMEOUT", "soon")
        assert main(["search", "x", "--db", str(db)]) == 1
        assert "NEWSDUCK_BUSY_TIMEOUT must be a number of seconds" in capsys.readouterr().err
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def copies_of_fixture_pages(directory: Path, copies: int) -> int:
    """`copies` copies of every fixture page and seed, each at its own path; returns the articles they hold.

    An article's key is its canonical URL if the page names one (all copies are then one article), else its path.
    """
    sources = sorted((FIXTURES / "pages").glob("*.html")) + sorted((FIXTURES / "seeds").glob("*.txt"))
    articles = {}
    for n in range(copies):
        folder = directory / f"copy{n:02d}"
        folder.mkdir(parents=True)
        for source in sources:
            copy = folder / source.name
            shutil.copy(source, copy)
            record = extract_article(copy.read_bytes(), path=str(copy.resolve()))
            if record.is_article:
                articles[record.canonical_url or str(copy.resolve())] = 1 + len(record.sub_articles)
    return sum(articles.values())


@pytest.mark.slow
def test_queries_during_a_real_ingest_never_fail(tmp_path, capsys, monkeypatch):
    pages = tmp_path / "pages"
    expected_articles = copies_of_fixture_pages(pages, 48)  # 384 files: an ingest long enough for 10+ queries
    db = tmp_path / "news.duckdb"
    connect(db).close()
    before = db.stat().st_mtime_ns
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_LOGGING_LEVEL": "WARNING", "PYTHONPATH": str(REPO)}
    env.pop("PREFECT_API_URL", None)
    ingest = subprocess.Popen([sys.executable, "-m", "flows.cli", "ingest", str(pages), "--batch-size", "5",
                               "--db", str(db), "--json"],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The ingest refuses to start if the file is busy when it checks it, so the readers begin once it has
        # written its run (the file changes), without opening the file before that.
        deadline = time.monotonic() + 120
        while db.stat().st_mtime_ns == before and ingest.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        monkeypatch.setenv("NEWSDUCK_BUSY_TIMEOUT", "60")
        queries, failures, waits, seen = 0, [], 0, []
        while ingest.poll() is None:
            for argv in (["sql", "SELECT count(*) AS n FROM articles", "--format", "csv"],
                         ["search", "阜新", "--limit", "3"]):
                code = main([*argv, "--db", str(db)])
                out, err = capsys.readouterr()
                queries += 1
                waits += err.count(WAIT_MESSAGE)
                if code != 0:
                    failures.append((argv[0], code, err))
                elif argv[0] == "sql":
                    seen.append(int(out.splitlines()[1]))
            time.sleep(0.05)  # a person or a dashboard, not a busy loop: leave the writer gaps to get in
        out, err = ingest.communicate(timeout=60)
    finally:
        if ingest.poll() is None:
            ingest.kill()
    assert ingest.returncode == 0, err
    assert failures == []
    assert queries >= 10, f"only {queries} queries ran during the ingest"
    assert waits >= 1, "no query ever met a batch load: the test did not test waiting"
    assert seen == sorted(seen)  # readers only ever saw whole batches, growing
    counts = run_query(db, "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM fetches), "
                           "(SELECT status FROM runs), (SELECT count(*) FROM errors)")[1][0]
    assert counts == (expected_articles, 384, "completed", 0)
    print(f"{queries} queries during the ingest, {waits} waited for a batch; articles seen: {sorted(set(seen))}",
          file=sys.__stderr__)
