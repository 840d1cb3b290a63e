"""Small row groups merged into large ones, for the tables whose lookups read every row group.

Every batch's write connection appends its rows as a new row group (`db.WRITER_STORAGE_CONFIG`), so a table holds
one small row group per batch. DuckDB reads storage in 256 KB blocks, and a small row group takes a block of its
own: a join on a column without an index (the duplicate detection's text hashes and LSH bands) or the fetch of
rows found through an index (the search vocabulary) reads one block per batch ever loaded, whatever the data's
size. At 16,000 pages those three reads cached 62 MB of blocks per batch for 2.5 MB of data (bench/README.md,
"Crawl benchmark"). Merging the small row groups of these tables, a bounded chunk at a time, keeps what a lookup
reads in proportion to the data.

The run log (`RUN_LOG_TABLES`) is merged for another reason: every run appends to it, whether or not it finds
anything new (its `runs` row, a `fetches` row per page read, an `errors` row per failure). Each of those appends is
a row group in a block of its own, which no later checkpoint fills: unmerged, runs that change nothing would grow the
file by three blocks or so each (0.75 MB). Merged at the end of every run, a run's rows take the blocks that the
previous run's merge freed, and the file keeps its size while nothing new is found.

A merge copies the rows of some small row groups aside, deletes them and inserts them again, in one transaction:
the new rows fill one row group, and the checkpoint drops the emptied ones. Keys and values do not change, so
nothing else needs to know.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

# Rows per merged row group, per table (at most DuckDB's 122,880): enough for a block per column, few enough that a
# merge stays cheap. A row group under half of it is small, so a merged one is merged again at most once or twice
# (8 batches of 200 articles give 1,600 fingerprints, 32,000 bands, ~9,000 new words). Merging chunks of up to
# 122,880 bands and words, with the vocabulary's two indexes, took up to 7.8 s and 51 MB in an 8,000-page crawl.
MERGED_TABLES: dict[str, int] = {
    "article_fingerprints": 4_096,   # ~600 bytes a row with its MinHash signature
    "article_minhash_bands": 65_536,
    "search_terms": 32_768,
}
# A table is merged once this many of its row groups are small (under half the target); the flows look every this
# many batches.
MERGE_AFTER_SMALL = 8
# The tables every run appends to, with their targets: merged at the end of each run as soon as two of their row
# groups are small, so that a run's log rows take the blocks the previous run's merge freed. A run's merge rewrites
# at most a target of rows of each (its own rows and the small merged row group they join).
RUN_LOG_TABLES: dict[str, int] = {
    "runs": 4_096,
    "fetches": 16_384,
    "errors": 4_096,
}


@dataclass(frozen=True)
class RowGroup:
    first_rowid: int
    rows: int  # including deleted rows: the row group's span of rowids

    @property
    def last_rowid(self) -> int:
        return self.first_rowid + self.rows - 1


def row_groups(con: duckdb.DuckDBPyConnection, table: str) -> list[RowGroup]:
    """The table's row groups in rowid order. A row group's rowids follow the previous one's.

    `pragma_storage_info` reads every block of the table to describe its segments: call it seldom, and not in a
    connection that holds much else."""
    counts = con.execute(
        "SELECT row_group_id, sum(count) FROM pragma_storage_info(?) "
        "WHERE column_id = 0 AND segment_type <> 'VALIDITY' GROUP BY row_group_id ORDER BY row_group_id",
        [table]).fetchall()
    groups, start = [], 0
    for _, rows in counts:
        groups.append(RowGroup(start, int(rows)))
        start += int(rows)
    return groups


def small_row_groups(con: duckdb.DuckDBPyConnection, table: str, target_rows: int) -> list[RowGroup]:
    return [group for group in row_groups(con, table) if group.rows < target_rows // 2]


def chunks_due(con: duckdb.DuckDBPyConnection, tables: dict[str, int] | None = None,
               after_small: int | None = None) -> dict[str, list[RowGroup]]:
    """For each of `tables` (table → target rows; MERGED_TABLES by default) with `after_small` (MERGE_AFTER_SMALL)
    small row groups or more, the chunk to merge next (`merge_chunk`). Each table's row groups are described once."""
    due = {}
    for table, target in (MERGED_TABLES if tables is None else tables).items():
        small = small_row_groups(con, table, target)
        if len(small) >= (after_small or MERGE_AFTER_SMALL):
            due[table] = next_chunk(small, target)
    return due


def run_log_chunks_due(con: duckdb.DuckDBPyConnection) -> dict[str, list[RowGroup]]:
    """The chunk to merge in each table of the run log that has two small row groups or more."""
    return chunks_due(con, RUN_LOG_TABLES, after_small=2)


def next_chunk(small: list[RowGroup], target_rows: int) -> list[RowGroup]:
    """The oldest small row groups that fit in one row group of target_rows together."""
    chunk: list[RowGroup] = []
    for group in small:
        if chunk and sum(g.rows for g in chunk) + group.rows > target_rows:
            break  # more would spill into a second, small row group
        chunk.append(group)
    return chunk


def merge_small_row_groups(con: duckdb.DuckDBPyConnection, table: str, target_rows: int | None = None) -> int:
    """Merge one chunk of the table's small row groups (oldest first, at most target_rows rows) into one row
    group, in one transaction; return the rows rewritten (0: fewer than two small row groups). One chunk per
    call keeps the memory bounded on a database with a long backlog; the next checks take the next chunks."""
    target = target_rows or MERGED_TABLES[table]
    return merge_chunk(con, table, next_chunk(small_row_groups(con, table, target), target))


def merge_chunk(con: duckdb.DuckDBPyConnection, table: str, chunk: list[RowGroup]) -> int:
    """Merge these row groups of the table into one, in one transaction; the rows rewritten (0 for fewer than two
    row groups). The row groups must be as described in this connection, with no change to the table since."""
    if len(chunk) < 2:
        return 0
    where = " OR ".join(f"rowid BETWEEN {g.first_rowid} AND {g.last_rowid}" for g in chunk)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f'CREATE OR REPLACE TEMP TABLE __newsduck_merge AS SELECT * FROM "{table}" WHERE {where} '
                    "ORDER BY rowid")
        moved = con.execute("SELECT count(*) FROM __newsduck_merge").fetchone()[0]
        con.execute(f'DELETE FROM "{table}" WHERE {where}')
        con.execute(f'INSERT INTO "{table}" SELECT * FROM __newsduck_merge')
        con.execute("DROP TABLE __newsduck_merge")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return moved
