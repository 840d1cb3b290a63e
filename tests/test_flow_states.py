"""A run flow ends in Prefect as its run ends in the `runs` table: a failed run (the database could not be written)
is a Failed flow run, an interrupted one a Cancelled flow run; the caller gets the run's summary either way."""

from __future__ import annotations

import duckdb
import pytest

import flows.ingest
import warehouse.load
from conftest import FIXTURES
from flows.ingest import ingest
from flows.outcome import summary_of
from warehouse.db import connect
from warehouse.errors import WarehouseError

PAGES = sorted((FIXTURES / "seeds").glob("*.txt"))[:4]


def test_a_completed_ingest_is_a_completed_flow_run(tmp_path):
    state = ingest(inputs=[str(p) for p in PAGES], db_path=str(tmp_path / "ok.duckdb"), return_state=True)
    assert state.is_completed()
    summary = state.result()
    assert summary["status"] == "completed" and summary["inputs"] == len(PAGES)


def test_an_ingest_that_cannot_write_is_a_failed_flow_run_that_still_returns_its_summary(tmp_path, monkeypatch):
    def disk_full(*args, **kwargs):
        raise duckdb.IOException('Could not write file "ok.duckdb.wal": No space left on device')

    monkeypatch.setattr(warehouse.load, "write_batch", disk_full)
    db = tmp_path / "full.duckdb"
    state = ingest(inputs=[str(p) for p in PAGES], db_path=str(db), return_state=True)
    assert state.is_failed()
    assert "No space left on device" in state.message and "rolled back" in state.message
    summary = summary_of(ingest, inputs=[str(p) for p in PAGES], db_path=str(db))
    assert summary["status"] == "failed" and "No space left on device" in summary["failure"]
    con = connect(db, read_only=True)
    try:
        assert con.execute("SELECT status, flow_run_id IS NOT NULL FROM runs").fetchall() == [("failed", True)] * 2
    finally:
        con.close()


def test_an_interrupted_ingest_is_a_cancelled_flow_run(tmp_path, monkeypatch):
    monkeypatch.setattr(flows.ingest, "stop_requested", lambda: True)  # as after a first Ctrl-C
    state = ingest(inputs=[str(p) for p in PAGES], db_path=str(tmp_path / "stopped.duckdb"), return_state=True)
    assert state.is_cancelled()
    assert state.result(raise_on_failure=False)["status"] == "interrupted"


def test_an_exception_inside_the_flow_is_raised_by_summary_of(tmp_path):
    with pytest.raises(WarehouseError):
        summary_of(ingest, inputs=[str(p) for p in PAGES], db_path=str(tmp_path))  # a directory, not a database


def test_a_reparse_that_cannot_write_exits_1_with_one_line(tmp_path, monkeypatch, capsys):
    from flows.cli import main

    db = tmp_path / "reparse.duckdb"
    assert ingest(inputs=[str(p) for p in PAGES], db_path=str(db))["status"] == "completed"

    def disk_full(*args, **kwargs):
        raise duckdb.IOException('Could not write file "reparse.duckdb.wal": No space left on device')

    monkeypatch.setattr(warehouse.load, "write_batch", disk_full)
    code = main(["reparse", "--db", str(db), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert [line for line in err.splitlines() if line.startswith("newsduck:")] == [
        line for line in err.splitlines() if line.startswith("newsduck: reparse failed: cannot write the database ")]
    assert "No space left on device" in err
