"""Following a long run: the `runs` row counts each batch as it loads (another process sees how far a run got), and
ingest, reparse, export and the search index draw a progress bar on a terminal, none with --quiet or off one."""

from __future__ import annotations

import io
import json
import shutil
import threading
from dataclasses import asdict

import pytest

from flows.batches import extract_pages, load_pages, writer
from flows.cli import main
from flows.fetch import read_file
from flows.inputs import expand_inputs
from flows.progress import RunProgress, progress_listener
from test_docs_queries import demo_db  # noqa: F401  (the fixture)
from warehouse.db import connect, connect_reader
from warehouse.runs import COMPLETED, finish_run, start_run

from conftest import FIXTURES

INPUTS = (str(FIXTURES / "seeds"), str(FIXTURES / "pages"))  # 8 files: 6 articles, 2 not
COUNTED = ("inputs", "new", "updated", "unchanged", "not_article", "duplicates", "errors")


class Terminal(io.StringIO):
    """A stderr that says it is a terminal: rich draws its live bar into it."""

    def isatty(self) -> bool:
        return True


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
    pages = extract_pages([read_file(target) for target in expand_inputs(INPUTS)])
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


class RowsBetweenBatches:
    """A listener that, each time the flow (in this, the main thread) has loaded a batch, reads the run's row as
    another process would, while the flow waits."""

    def __init__(self, db) -> None:
        self.db = db
        self.seen: list[tuple[dict, dict]] = []  # (loaded so far, the row then)
        self.loaded = 0

    def update(self, stats: RunProgress) -> None:
        if threading.current_thread() is not threading.main_thread() or stats.loaded.inputs == self.loaded:
            return
        self.loaded = stats.loaded.inputs
        self.seen.append((counted(stats.loaded), counted(run_row(self.db))))


def test_a_running_ingest_and_reparse_show_their_counts_so_far_in_runs(tmp_path, capsys):
    db = tmp_path / "follow.duckdb"
    watcher = RowsBetweenBatches(db)
    with progress_listener(watcher):
        assert main(["ingest", *INPUTS, "--db", str(db), "--batch-size", "3", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert [loaded["inputs"] for loaded, _ in watcher.seen] == [3, 6, 8]
    assert all(row == loaded for loaded, row in watcher.seen)  # the row had each batch as soon as it loaded
    assert watcher.seen[-1][1] == counted(summary)

    watcher = RowsBetweenBatches(db)
    with progress_listener(watcher):
        assert main(["reparse", "--db", str(db), "--batch-size", "2", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert [loaded["inputs"] for loaded, _ in watcher.seen] == list(range(2, summary["inputs"] + 1, 2))
    assert all(row == loaded for loaded, row in watcher.seen)
    assert counted(run_row(db)) == counted(summary)  # a reparse's row counts what it handled, like the summary


# ---------------------------------------------------------------- what the flows report


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[int | None, int, int]] = []  # (total, done, loaded inputs)

    def update(self, stats: RunProgress) -> None:
        self.seen.append((stats.total, stats.done, stats.loaded.inputs))


def test_ingest_reports_each_page_of_its_total_and_each_batch_loaded(tmp_path, capsys):
    recorder = Recorder()
    with progress_listener(recorder):
        assert main(["ingest", *INPUTS, "--db", str(tmp_path / "p.duckdb"), "--batch-size", "3", "--quiet"]) == 0
    capsys.readouterr()
    assert {total for total, _, _ in recorder.seen} == {8}  # known once the inputs are expanded, before any page
    done = [d for _, d, _ in recorder.seen]
    assert done == sorted(done) and set(done) == set(range(9))  # every page, in order
    assert [loaded for _, _, loaded in recorder.seen if loaded] == sorted(loaded for _, _, loaded in recorder.seen
                                                                          if loaded)
    assert recorder.seen[-1] == (8, 8, 8)


# ---------------------------------------------------------------- the bar


def test_ingest_draws_a_bar_on_a_terminal_only(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "bar.duckdb")
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["ingest", *INPUTS, "--db", db, "--batch-size", "3"]) == 0
    drawn = terminal.getvalue()
    assert "ingest" in drawn and "8/8" in drawn and "pages/s" in drawn and "new 6" in drawn and "errors 0" in drawn
    assert capsys.readouterr().out.startswith("inputs 8  new 6")  # the summary, after the bar

    quiet = Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    assert main(["ingest", *INPUTS, "--db", db, "--quiet"]) == 0
    assert "pages/s" not in quiet.getvalue()
    monkeypatch.undo()
    assert main(["ingest", *INPUTS, "--db", db]) == 0  # capsys: not a terminal
    out, err = capsys.readouterr()
    assert "pages/s" not in err and "inputs 8" in out


def test_reparse_draws_its_bar(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "re.duckdb")
    assert main(["ingest", *INPUTS, "--db", db, "--quiet"]) == 0
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["reparse", "--db", db]) == 0
    drawn = terminal.getvalue()
    assert "reparse" in drawn and "8/8" in drawn and "pages/s" in drawn and "updated 0" in drawn
    quiet = Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    assert main(["reparse", "--db", db, "--quiet"]) == 0
    assert "pages/s" not in quiet.getvalue()
    capsys.readouterr()


def test_export_reports_each_table_and_each_story(demo_db, tmp_path, capsys, monkeypatch):
    from warehouse.export import export_warehouse

    steps = []
    result = export_warehouse(demo_db, tmp_path / "tables", "csv", progress=lambda *step: steps.append(step))
    names = [t.name for t in result.tables]
    assert steps == [(i, len(names), name) for i, name in enumerate(names)] + [(len(names), len(names), "")]
    steps.clear()
    export_warehouse(demo_db, tmp_path / "stories", "articles-json", progress=lambda *step: steps.append(step))
    assert steps == [(n, 12, "articles") for n in range(1, 13)]  # the demo's 12 stories, one file each

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["export", str(tmp_path / "bar"), "--db", str(demo_db), "--format", "articles-json"]) == 0
    assert "export" in terminal.getvalue() and "12/12" in terminal.getvalue() and "stories/s" in terminal.getvalue()
    quiet = Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    assert main(["export", str(tmp_path / "bar"), "--db", str(demo_db), "--quiet"]) == 0
    assert "━" not in quiet.getvalue() and quiet.getvalue().startswith("exported ")
    capsys.readouterr()


def test_the_search_index_build_reports_its_articles(demo_db, tmp_path, capsys, monkeypatch):
    from warehouse.search import refresh_search_index

    db = tmp_path / "search.duckdb"
    shutil.copy(demo_db, db)
    con = connect(db)
    try:
        con.execute("UPDATE search_index_state SET segmenter = 'older'")  # every article is segmented again
        steps = []
        done = refresh_search_index(con, compact=True, progress=lambda *step: steps.append(step))
    finally:
        con.close()
    total = done.segmented
    assert total == 12  # the demo's articles
    assert steps == [(0, total, "segmenting"), (total, total, "segmenting"), (total, total, "sorting postings")]

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["search", "--reindex", "--db", str(db)]) == 0
    assert "search index" in terminal.getvalue() and "articles/s" in terminal.getvalue()
    quiet = Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    assert main(["search", "--reindex", "--fts-index", "--db", str(db), "--quiet"]) == 0
    assert "━" not in quiet.getvalue() and quiet.getvalue().startswith("search index: ")
    capsys.readouterr()


def test_a_broken_listener_never_stops_a_run(tmp_path, capsys):
    class Broken:
        def update(self, stats) -> None:
            raise RuntimeError("display gone")

    with progress_listener(Broken()):
        assert main(["ingest", *INPUTS, "--db", str(tmp_path / "b.duckdb"), "--quiet"]) == 0
    assert capsys.readouterr().out.startswith("inputs 8  new 6")


@pytest.mark.parametrize("command", ["ingest", "reparse", "crawl", "export", "search"])
def test_every_long_command_has_quiet(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "--quiet" in capsys.readouterr().out
