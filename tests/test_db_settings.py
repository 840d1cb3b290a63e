"""Write connections: DuckDB's memory capped while a flow loads a batch (lifted for work that needs more, and grown
for the next batches), appends that start new row groups, readers unchanged."""

from __future__ import annotations

import logging
import threading
import time

import pytest

import warehouse.db
from warehouse.db import (DEFAULT_WRITER_MEMORY_LIMIT, WRITER_MEMORY_ENV, WarehouseError, _memory_usage, _size_in_bytes,
                          batch_memory_cap, connect, release_read_cache, writer_memory_cap)


@pytest.fixture(autouse=True)
def no_grown_caps(monkeypatch):
    monkeypatch.setattr(warehouse.db, "_grown_caps", {})


def memory_limit(con) -> str:
    return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def test_a_batch_is_capped_by_default_the_rest_of_a_writer_is_not_and_the_cap_is_configurable(tmp_path, monkeypatch):
    monkeypatch.delenv(WRITER_MEMORY_ENV, raising=False)
    assert DEFAULT_WRITER_MEMORY_LIMIT == "64MB"
    con = connect(tmp_path / "a.duckdb")
    assert memory_limit(con).endswith("GiB")  # DuckDB's default, 80% of RAM
    with batch_memory_cap(con):
        assert memory_limit(con) == "61.0 MiB"
    assert memory_limit(con).endswith("GiB")
    con.close()
    reader = connect(tmp_path / "a.duckdb", read_only=True)
    assert memory_limit(reader).endswith("GiB")
    reader.close()
    monkeypatch.setenv(WRITER_MEMORY_ENV, "1GB")
    con = connect(tmp_path / "a.duckdb")
    with batch_memory_cap(con):
        assert memory_limit(con) == "953.6 MiB"
    con.close()
    monkeypatch.setenv(WRITER_MEMORY_ENV, "none")
    con = connect(tmp_path / "a.duckdb")
    with batch_memory_cap(con):
        assert memory_limit(con).endswith("GiB")
    assert writer_memory_cap(tmp_path / "a.duckdb") is None
    con.close()
    monkeypatch.setenv(WRITER_MEMORY_ENV, "lots")
    with pytest.raises(WarehouseError, match=f"{WRITER_MEMORY_ENV} must be a size"):
        connect(tmp_path / "a.duckdb")


def test_a_batch_over_the_memory_cap_is_loaded_without_it(tmp_path, monkeypatch, caplog):
    from tests.test_warehouse import article, result
    from warehouse.load import load_batch
    from warehouse.runs import start_run

    monkeypatch.setenv(WRITER_MEMORY_ENV, "4MB")
    con = connect(tmp_path / "a.duckdb")
    run = start_run(con, flow_run_id=None, command="test", inputs=0)
    with batch_memory_cap(con):
        got = load_batch(con, run, [result(article(n, paragraphs=40)) for n in range(1500)])
    assert (got.new, got.errors) == (1500, 0)
    assert con.execute("SELECT count(*) FROM paragraphs").fetchone()[0] == 1500 * 41
    assert con.execute("SELECT count(*) FROM errors").fetchone()[0] == 0
    assert "retrying without it" in caplog.text
    assert memory_limit(con).endswith("GiB")
    con.close()
    # the next batch of this database starts from twice the cap; another database from the configured one
    assert writer_memory_cap(tmp_path / "a.duckdb") == pytest.approx(8_000_000, rel=0.01)
    con = connect(tmp_path / "a.duckdb")
    with batch_memory_cap(con):
        assert _size_in_bytes(memory_limit(con)) == pytest.approx(8_000_000, rel=0.02)
    con.close()
    assert writer_memory_cap(tmp_path / "b.duckdb") == 4_000_000


def test_a_batch_outside_the_cap_is_loaded_at_once(tmp_path, monkeypatch, caplog):
    from tests.test_warehouse import article, result
    from warehouse.load import load_batch
    from warehouse.runs import start_run

    monkeypatch.setenv(WRITER_MEMORY_ENV, "4MB")
    con = connect(tmp_path / "a.duckdb")  # a bulk load in one connection, not a flow's batch
    run = start_run(con, flow_run_id=None, command="test", inputs=0)
    assert load_batch(con, run, [result(article(n, paragraphs=40)) for n in range(1500)]).new == 1500
    assert "retrying" not in caplog.text
    assert writer_memory_cap(tmp_path / "a.duckdb") == 4_000_000
    con.close()


def test_a_flow_loads_its_batch_under_the_cap(tmp_path, monkeypatch):
    import flows.batches
    from warehouse.models import LoadCounts
    from warehouse.runs import start_run

    monkeypatch.delenv(WRITER_MEMORY_ENV, raising=False)
    seen = []
    monkeypatch.setattr(flows.batches, "load_batch", lambda con, *a, **k: seen.append(memory_limit(con)) or LoadCounts())
    con = connect(tmp_path / "a.duckdb")
    run = start_run(con, flow_run_id=None, command="test", inputs=0)
    flows.batches.load_and_settle(con, run, [], None)
    assert seen == ["61.0 MiB"]
    assert memory_limit(con).endswith("GiB")
    con.close()


def test_a_search_refresh_over_the_memory_cap_is_run_again_without_it(tmp_path, monkeypatch, caplog):
    from flows.batches import refresh_search
    from tests.test_warehouse import article, result
    from warehouse.load import load_batch
    from warehouse.runs import start_run
    from warehouse.search import index_status

    monkeypatch.delenv(WRITER_MEMORY_ENV, raising=False)
    con = connect(tmp_path / "a.duckdb")
    run = start_run(con, flow_run_id=None, command="test", inputs=0)
    assert load_batch(con, run, [result(article(n, paragraphs=40)) for n in range(1500)]).new == 1500
    con.close()

    monkeypatch.setenv(WRITER_MEMORY_ENV, "4MB")
    con = connect(tmp_path / "a.duckdb")
    flows_logger = logging.getLogger("flows.batches")  # after a flow run, Prefect may have stopped it propagating
    flows_logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="flows.batches")  # the retry is logged below the terminal's level
    try:
        refresh_search(con)
    finally:
        flows_logger.removeHandler(caplog.handler)
    assert index_status(con).pending == 0  # every article indexed
    assert "search index refresh needed more than the batch's memory cap" in caplog.text
    assert writer_memory_cap(tmp_path / "a.duckdb") == pytest.approx(8_000_000, rel=0.01)  # it ran out, was lifted
    assert memory_limit(con).endswith("GiB")
    con.close()


def test_an_append_after_reopening_starts_a_new_row_group_and_leaves_the_stored_one_as_it_was(tmp_path):
    """The checkpoint at a writer's close then writes only the new rows, not the table's last row group again:
    its memory does not grow with the table (bench/README.md, "Crawl benchmark")."""
    from tests.test_warehouse import article, result
    from warehouse.load import load_batch
    from warehouse.runs import start_run

    def row_groups(con) -> dict[int, set]:
        groups: dict[int, set] = {}
        for group, block in con.execute("SELECT row_group_id, block_id FROM pragma_storage_info('paragraphs') "
                                        "WHERE block_id >= 0").fetchall():
            groups.setdefault(group, set()).add(block)
        return groups

    con = connect(tmp_path / "a.duckdb")
    run = start_run(con, flow_run_id=None, command="test", inputs=0)
    assert load_batch(con, run, [result(article(n, paragraphs=10)) for n in range(50)]).new == 50
    con.close()
    con = connect(tmp_path / "a.duckdb", read_only=True)
    first = row_groups(con)
    con.close()
    assert len(first) == 1

    con = connect(tmp_path / "a.duckdb")
    assert load_batch(con, run, [result(article(n, paragraphs=10)) for n in range(50, 80)]).new == 30
    con.close()
    con = connect(tmp_path / "a.duckdb", read_only=True)
    second = row_groups(con)
    assert con.execute("SELECT count(*), count(DISTINCT article_id) FROM paragraphs").fetchone() == (80 * 11, 80)
    assert con.execute("SELECT count(*) FROM articles WHERE article_id IN (SELECT article_id FROM paragraphs)"
                       ).fetchone()[0] == 80
    con.close()
    assert len(second) == 2
    assert second[0] == first[0]  # the stored row group's blocks were not rewritten


def test_releasing_the_read_cache_drops_the_stored_blocks_read_and_keeps_the_unflushed_rows(tmp_path):
    path = tmp_path / "a.duckdb"
    con = connect(path)
    con.execute("CREATE TABLE t AS SELECT n, repeat(md5(n::VARCHAR), 4) AS s FROM range(200000) r(n)")
    con.close()

    con = connect(path)
    assert con.execute("SELECT count(DISTINCT s) FROM t").fetchone()[0] == 200000  # reads the column: cached
    con.execute("INSERT INTO t SELECT n, repeat('x', 100) FROM range(200000, 300000) r(n)")  # until the checkpoint
    before = _memory_usage(con)
    limit = memory_limit(con)
    assert before["BASE_TABLE"] > 5 << 20 and before["IN_MEMORY_TABLE"] > 1 << 20

    dropped = release_read_cache(con)

    after = _memory_usage(con)
    assert dropped == before["BASE_TABLE"] - after.get("BASE_TABLE", 0) > 5 << 20
    assert after.get("BASE_TABLE", 0) < 1 << 20
    assert after["IN_MEMORY_TABLE"] == before["IN_MEMORY_TABLE"]  # not evicted ...
    assert not any((tmp_path / "a.duckdb.tmp").glob("*"))  # ... nor written to temporary files
    assert memory_limit(con) == limit
    assert con.execute("SELECT count(*), count(DISTINCT s) FROM t").fetchone() == (300000, 200001)
    con.close()


def test_releasing_the_read_cache_never_starves_another_connection_of_the_process_to_the_same_file(tmp_path):
    # DuckDB's memory limit belongs to the database instance, which every connection of a process to one file
    # shares (a crawl's load task and its frontier bookkeeping): the cache drop must not lower it under them.
    path = tmp_path / "a.duckdb"
    con = connect(path)
    con.execute("CREATE TABLE t AS SELECT n, repeat(md5(n::VARCHAR), 4) AS s FROM range(200000) r(n)")
    con.close()
    failures: list[BaseException] = []
    done = threading.Event()

    def open_and_read() -> None:
        while not done.is_set():
            try:
                with warehouse.db.writer(path) as other:
                    other.execute("SELECT count(*), max(n) FROM t").fetchone()
            except BaseException as exc:  # noqa: BLE001 - the test reports whatever broke
                failures.append(exc)
                return

    holder = warehouse.db.open_writer(path)
    reader = threading.Thread(target=open_and_read)
    reader.start()
    try:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not failures:
            holder.execute("SELECT count(DISTINCT s) FROM t").fetchone()  # fills the read cache again
            release_read_cache(holder)
    finally:
        done.set()
        reader.join()
        warehouse.db.close_writer(holder)
    assert failures == []
