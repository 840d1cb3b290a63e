"""Runs that find nothing new leave the database file as it was: 20 no-op ingests and 10 no-op crawls (a run takes
about a second, mostly Prefect's), measured on the file's size after each run (the CLI in-process, the real
Prefect engine, a real DuckDB file).

A no-op run still logs itself: a `runs` row, a `fetches` row per file read (a URL answered 304 has none), an
`errors` row per input that fails again. Each write connection's append to a table is a row group of its own
(warehouse.db.WRITER_STORAGE_CONFIG) in a 256 KB block that later checkpoints do not fill: unmerged, those few
hundred bytes would take three to four blocks per run. The run's last writer merges them
(warehouse.rowgroups.RUN_LOG_TABLES), and the next run's rows take the blocks the merge freed.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import duckdb

from flows.cli import main
from flows.static_server import serve_directory
from warehouse.rowgroups import RUN_LOG_TABLES, row_groups

from conftest import FIXTURES

SITE = FIXTURES / "site"
RUNS = 20
CRAWLS = 10
BLOCK = 256 * 1024
# The file's end moves by a block either way between no-op runs: a checkpoint writes its new blocks (the merged run
# log, the catalog's metadata) before it frees the ones they replace, so which free block, or a new one at the end
# of the file, a run's writes land in varies. Measured: at most one block above the first no-op run's size.
SLACK = 2 * BLOCK


def run_cli(*argv: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--json"])
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue().strip().splitlines()[-1])


def sizes_over_runs(db: Path, run, runs: int = RUNS) -> list[int]:
    """The file's size after each of `runs` runs; the first loads the data, the others find nothing new."""
    sizes = []
    for n in range(runs):
        summary = run()
        if n:
            assert summary["new"] == 0 and summary["updated"] == 0, summary
        sizes.append(db.stat().st_size)
    assert not Path(f"{db}.wal").exists()  # every writer checkpointed at its close: the file holds everything
    return sizes


def assert_no_growth(sizes: list[int]) -> None:
    assert sizes[-1] <= sizes[1] + SLACK, f"grew {(sizes[-1] - sizes[1]) / 2**20:.2f} MB after the first no-op run: {sizes}"
    assert max(sizes[1:]) <= sizes[1] + SLACK, sizes


def test_no_op_ingests_of_files_leave_the_file_size_as_it_was(tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(SITE / "content", pages / "content")
    shutil.copy(SITE / "list" / "index.html", pages / "list.html")
    (pages / "empty.html").write_bytes(b"")  # an error row every run
    db = tmp_path / "files.duckdb"
    sizes = sizes_over_runs(db, lambda: run_cli("ingest", str(pages), "--db", str(db)))
    assert_no_growth(sizes)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == RUNS
        assert con.execute("SELECT count(*) FROM errors").fetchone()[0] == RUNS
        for table in RUN_LOG_TABLES:
            assert len(row_groups(con, table)) == 1, table  # every run's rows, merged


def test_no_op_crawls_leave_the_file_size_as_it_was(tmp_path):
    db = tmp_path / "crawl.duckdb"
    with serve_directory(str(SITE)) as server:
        start = server.base_url + "/list/index.html"
        sizes = sizes_over_runs(db, lambda: run_cli("crawl", start, "--db", str(db), "--max-crawl-delay", "0.05"), CRAWLS)
    assert_no_growth(sizes)
