"""warehouse.db.open_writer: the one way every command and flow opens the warehouse for writing."""

from __future__ import annotations

import time

import pytest

from test_concurrent_reads import hold_write_lock
from warehouse.db import WarehouseLockedError, close_writer, connect, open_writer, writer


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    connect(path).close()
    return path


def test_a_busy_file_is_waited_for_with_one_line_then_refused(db):
    heard: list[str] = []
    holder = hold_write_lock(db, None)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseLockedError):
            open_writer(db, 0.6, on_wait=heard.append)
        assert 0.3 <= time.monotonic() - started < 5  # it waited (up to one backoff step short of 0.6 s)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert len(heard) == 1 and heard[0].startswith(f"waiting for {db}: another process is using it")


def test_a_writer_that_keeps_waiting_gets_the_file_when_it_is_free(db, capsys):
    holder = hold_write_lock(db, 2.5)
    try:
        with writer(db, 0.5, keep_waiting="the fetched pages are kept", on_wait=lambda _: None) as con:
            assert con.execute("SELECT count(*) FROM runs").fetchone() == (0,)
    finally:
        holder.wait(timeout=30)
    lines = [line for line in capsys.readouterr().err.splitlines() if "still locked" in line]
    assert lines and all(line.endswith("the fetched pages are kept once it is free (Ctrl-C gives up)") for line in lines)


def test_a_stop_request_ends_a_long_wait(db):
    holder = hold_write_lock(db, None)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseLockedError):
            open_writer(db, 0.3, keep_waiting="kept", should_stop=lambda: time.monotonic() - started > 1.0,
                        on_wait=lambda _: None)
        assert time.monotonic() - started < 5
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_close_writer_closes(db):
    con = open_writer(db)
    close_writer(con)
    connect(db).close()  # the file is free again
