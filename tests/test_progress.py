"""Following a long run: the `runs` row counts each batch as it loads (another process sees how far a run got)."""

from __future__ import annotations

from dataclasses import asdict

from flows.batches import Page, extract_pages, load_pages, writer
from flows.fetch import read_file
from flows.inputs import expand_inputs
from warehouse.db import connect_reader
from warehouse.runs import COMPLETED, finish_run, start_run

from conftest import FIXTURES

INPUTS = (str(FIXTURES / "seeds"), str(FIXTURES / "pages"))  # 8 files: 6 articles, 2 not
COUNTED = ("inputs", "new", "updated", "unchanged", "not_article", "duplicates", "errors")


def run_row(db) -> dict:
    """The latest run's row, read as another process reads it: a read-only connection of its own."""
    columns = ("status", "finished_at", *COUNTED)
    con = connect_reader(db)
    try:
        row = con.execute(f"SELECT {', '.join(columns)} FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return dict(zip(columns, row))


def counted(row_or_counts) -> dict:
    values = row_or_counts if isinstance(row_or_counts, dict) else asdict(row_or_counts)
    return {key: values[key] for key in COUNTED}


# ---------------------------------------------------------------- live counts in `runs`


def test_the_runs_row_adds_each_batch_as_it_loads(tmp_path):
    db = str(tmp_path / "live.duckdb")
    pages = extract_pages([Page(read_file(target)) for target in expand_inputs(INPUTS)])
    with writer(db) as con:
        run_id = start_run(con, flow_run_id=None, command="ingest", inputs=0)
    assert counted(run_row(db)) == dict.fromkeys(COUNTED, 0)

    first = load_pages.fn(db, run_id, pages[:3])
    assert counted(run_row(db)) == counted(first.counts) and first.counts.inputs == 3
    second = load_pages.fn(db, run_id, pages[3:])
    total = first
    total.add(second)
    mid_run = run_row(db)
    assert mid_run["status"] == "running" and mid_run["finished_at"] is None
    assert counted(mid_run) == counted(total.counts)
    assert (total.counts.inputs, total.counts.new, total.counts.not_article) == (8, 6, 2)

    with writer(db) as con:
        finish_run(con, run_id, total.counts, COMPLETED)
    assert counted(run_row(db)) == counted(total.counts)  # the batches added up to the totals
