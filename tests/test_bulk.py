"""Bulk statements: key lookups by constant IN lists, which DuckDB answers from the key's index."""

from __future__ import annotations

import re

import duckdb
import pytest

from warehouse import bulk
from warehouse.bulk import execute_in
from warehouse.db import connect
from warehouse.load import load_batch
from warehouse.runs import start_run

from test_warehouse import article, result


class RecordingConnection:
    """A DuckDB connection that remembers every statement it ran."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.statements: list[str] = []

    def execute(self, sql, *args, **kwargs):
        self.statements.append(sql)
        return self.con.execute(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.con, name)


def test_execute_in_runs_one_statement_per_chunk_of_distinct_values(monkeypatch):
    con = duckdb.connect()
    con.execute("CREATE TABLE t (k VARCHAR PRIMARY KEY, n INTEGER UNIQUE)")
    con.execute("INSERT INTO t VALUES ('a', 1), ('b''s', 2), ('c', 3), ('d', 4), ('e', 5)")
    monkeypatch.setattr(bulk, "IN_LIST_CHUNK", 2)
    recorder = RecordingConnection(con)
    rows = execute_in(recorder, "SELECT k FROM t WHERE k IN ({values})", ["a", "b's", "a", "c", "e", "zz"])
    assert sorted(rows) == [("a",), ("b's",), ("c",), ("e",)]
    assert len(recorder.statements) == 3  # 5 distinct values, 2 a statement
    assert sorted(execute_in(con, "SELECT n FROM t WHERE n IN ({values}) AND k <> ?", [1, 2, 5], ["e"])) == [(1,), (2,)]
    recorder.statements.clear()
    assert execute_in(recorder, "SELECT k FROM t WHERE k IN ({values})", []) == [] and recorder.statements == []


def test_the_loads_key_lookups_read_the_keys_index_not_every_row_group(tmp_path):
    """A join with the batch's keys would scan the key column of every row group (one per load), so the memory of a
    load would grow with the database; a constant IN list is answered from the primary key's index."""
    path = tmp_path / "n.duckdb"
    for batch in range(3):  # three loads: three row groups in each table
        con = connect(path)
        load_batch(con, start_run(con, flow_run_id=None, command="test", inputs=5),
                   [result(article(n)) for n in range(batch * 5, batch * 5 + 5)])
        con.close()
    con = connect(path)
    recorder = RecordingConnection(con)
    counts = load_batch(recorder, start_run(con, flow_run_id=None, command="test", inputs=3),
                        [result(article(n)) for n in (1, 7)] + [result(article(100))])
    assert (counts.new, counts.unchanged) == (1, 2)
    lookups = [sql for sql in recorder.statements if re.match(r"\s*SELECT .* IN \('", sql, re.S)]
    tables = {re.search(r"FROM (\w+) WHERE", sql).group(1) for sql in lookups}
    assert {"articles", "raw_pages", "people", "article_fingerprints"} <= tables
    for sql in lookups:
        plan = con.execute("EXPLAIN ANALYZE " + sql).fetchall()[0][1]
        assert "Index Scan" in plan, sql
    con.close()
