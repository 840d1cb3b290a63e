"""Write connections: DuckDB's memory capped (lifted for work that needs more), appends that start new row groups,
readers unchanged."""

from __future__ import annotations

import pytest

from warehouse.db import WRITER_MEMORY_ENV, WarehouseError, connect


def test_writer_memory_cap_is_configurable(tmp_path, monkeypatch):
    monkeypatch.delenv(WRITER_MEMORY_ENV, raising=False)
    con = connect(tmp_path / "a.duckdb")
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0].endswith("GiB")  # DuckDB's default
    con.close()
    monkeypatch.setenv(WRITER_MEMORY_ENV, "1GB")
    con = connect(tmp_path / "a.duckdb")
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "953.6 MiB"
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
    got = load_batch(con, run, [result(article(n, paragraphs=40)) for n in range(1500)])
    assert (got.new, got.errors) == (1500, 0)
    assert con.execute("SELECT count(*) FROM paragraphs").fetchone()[0] == 1500 * 41
    assert con.execute("SELECT count(*) FROM errors").fetchone()[0] == 0
    assert "retrying without it" in caplog.text
    con.close()


def test_a_search_refresh_over_the_memory_cap_is_run_again_without_it(tmp_path, monkeypatch):
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
    capped = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    refresh_search(con)
    assert index_status(con).pending == 0  # every article indexed
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] != capped  # it ran out, was lifted
    con.close()


def test_an_append_after_reopening_starts_a_new_row_group_and_leaves_the_stored_one_as_it_was(tmp_path):
    """The checkpoint at a writer's close then writes only the new rows, not the table's last row group again:
    its memory does not grow with the table (bench/README.md, "Memory, session 5")."""
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
