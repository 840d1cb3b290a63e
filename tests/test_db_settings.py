"""Write connections: small row groups, a capped memory, the file's usual catalog name; readers unchanged."""

from __future__ import annotations

import pytest

from warehouse.db import ROW_GROUP_SIZE, WRITER_MEMORY_ENV, WarehouseError, connect, memory_limit
from warehouse.search import COMPACT_MEMORY_LIMIT, compact_search_index


def test_writer_appends_in_small_row_groups_under_the_files_name(tmp_path):
    path = tmp_path / "news.duckdb"
    con = connect(path)
    assert con.execute("SELECT current_database()").fetchone()[0] == "news"
    con.execute("INSERT INTO people SELECT 'p' || i, 'name ' || i FROM range(5000) t(i)")
    con.close()
    reader = connect(path, read_only=True)
    groups = reader.execute("SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('people')").fetchone()[0]
    assert groups >= 5000 // ROW_GROUP_SIZE
    assert reader.execute("SELECT count(*) FROM news.main.people").fetchone()[0] == 5000
    reader.close()


@pytest.mark.parametrize("stem", ["memory", "temp"])
def test_a_file_named_like_a_reserved_catalog_opens(tmp_path, stem):
    con = connect(tmp_path / f"{stem}.duckdb")
    assert con.execute("SELECT current_database()").fetchone()[0] == "newsduck"
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    con.close()


def test_writer_memory_is_capped_and_configurable(tmp_path, monkeypatch):
    monkeypatch.delenv(WRITER_MEMORY_ENV, raising=False)
    con = connect(tmp_path / "a.duckdb")
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "122.0 MiB"  # 128MB
    con.close()
    monkeypatch.setenv(WRITER_MEMORY_ENV, "1GB")
    con = connect(tmp_path / "a.duckdb")
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "953.6 MiB"
    con.close()
    monkeypatch.setenv(WRITER_MEMORY_ENV, "lots")
    with pytest.raises(WarehouseError, match=f"{WRITER_MEMORY_ENV} must be a size"):
        connect(tmp_path / "a.duckdb")


def test_memory_limit_is_put_back_after_a_block_and_after_compaction(tmp_path):
    con = connect(tmp_path / "a.duckdb")
    before = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    with pytest.raises(RuntimeError):
        with memory_limit(con, COMPACT_MEMORY_LIMIT):
            assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "61.0 MiB"
            raise RuntimeError("the block failed")
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == before
    compact_search_index(con)
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == before
    con.close()
