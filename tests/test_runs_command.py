"""`newsduck runs` and `newsduck errors` on a real DuckDB file: the latest runs with their counts, a run's errors,
a run named by the start of its id; both read without writing and wait while a writer holds the file."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest

from flows.cli import main
from test_concurrent_reads import WAIT_MESSAGE, hold_write_lock
from warehouse.db import connect
from warehouse.models import ErrorInfo, LoadCounts
from warehouse.runs import COMPLETED, finish_run, record_errors, start_run

STARTED = datetime(2025, 3, 8, 2, 15, 42, tzinfo=timezone.utc)  # 10:15:42 in China
LONG = "HTTP 404 for a page that the list named, and then some more words to make this message long"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def set_times(con, run_id: str, started: datetime, seconds: float | None) -> None:
    finished = started + timedelta(seconds=seconds) if seconds is not None else None
    con.execute("UPDATE runs SET started_at = ?, finished_at = ? WHERE run_id = ?", [started, finished, run_id])


@pytest.fixture
def db(tmp_path):
    """Three runs: a demo without errors, an ingest with three errors 75 s later, and a crawl still running."""
    path = tmp_path / "runs.duckdb"
    con = connect(path)
    demo = start_run(con, flow_run_id=None, command="demo", inputs=0)
    finish_run(con, demo, LoadCounts(inputs=13, new=12, not_article=1), COMPLETED)
    set_times(con, demo, STARTED, 1.93)
    ingest = start_run(con, flow_run_id="f-1", command="ingest", inputs=0)
    record_errors(con, ingest, [ErrorInfo("empty.html", "decode", "EmptyInputError", "empty input"),
                                ErrorInfo("http://x.test/a.html", "fetch", "HTTP 404", LONG),
                                ErrorInfo("bad.html", "parse", "ParseError", "no body")])
    finish_run(con, ingest, LoadCounts(inputs=5, new=1, duplicates=1, errors=3), COMPLETED)
    set_times(con, ingest, STARTED + timedelta(seconds=75), 185.4)
    crawl = start_run(con, flow_run_id=None, command="crawl", inputs=0)
    con.execute("UPDATE runs SET source_id = 'fxrb', inputs = 40, new = 38, not_article = 2 WHERE run_id = ?", [crawl])
    set_times(con, crawl, datetime.now(timezone.utc) - timedelta(seconds=30), None)
    con.close()
    return path, {"demo": demo, "ingest": ingest, "crawl": crawl}


# ---------------------------------------------------------------- newsduck runs


def test_runs_lists_the_latest_first_with_their_counts(db, capsys):
    path, ids = db
    code, out, err = cli(capsys, "runs", "--db", str(path), "--timezone", "Asia/Shanghai")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [cell.strip() for cell in lines[0].split("|")] == [
        "run", "command", "source", "status", "started", "duration", "inputs", "new", "updated", "unchanged",
        "not_article", "duplicates", "errors"]  # duplicates: one of the runs has some
    rows = [[cell.strip() for cell in line.split("|")] for line in lines[2:-1]]
    assert [row[0] for row in rows] == [ids["crawl"][:8], ids["ingest"][:8], ids["demo"][:8]]
    crawl, ingest, demo = rows
    assert crawl[1:5] == ["crawl", "fxrb", "running"] + crawl[4:5] and crawl[5].endswith(" s")
    assert 29 <= float(crawl[5].split()[0]) < 120 and crawl[6:] == ["40", "38", "0", "0", "2", "0", "0"]
    assert ingest[1:] == ["ingest", "", "completed", "2025-03-08 10:16:57", "3 min 05 s",
                          "5", "1", "0", "0", "0", "1", "3"]
    assert demo[1:] == ["demo", "", "completed", "2025-03-08 10:15:42", "1.9 s", "13", "12", "0", "0", "1", "0", "0"]
    assert lines[-1] == "(3 rows)"


def test_runs_limit_timezone_json_and_csv(db, capsys):
    path, ids = db
    code, out, _ = cli(capsys, "runs", "--db", str(path), "--limit", "2", "--format", "json", "--timezone", "UTC")
    runs = json.loads(out)
    assert code == 0 and [r["run_id"] for r in runs] == [ids["crawl"], ids["ingest"]]  # full ids
    ingest = runs[1]
    assert ingest == {"run_id": ids["ingest"], "flow_run_id": "f-1", "command": "ingest", "source": None,
                      "status": "completed", "started_at": "2025-03-08T02:16:57+00:00",
                      "finished_at": "2025-03-08T02:20:02+00:00", "duration_s": 185.4, "inputs": 5, "new": 1,
                      "updated": 0, "unchanged": 0, "not_article": 0, "duplicates": 1, "errors": 3,
                      "skipped_robots": 0, "no_edition": 0}
    assert runs[0]["status"] == "running" and runs[0]["finished_at"] is None and runs[0]["source"] == "fxrb"
    code, out, _ = cli(capsys, "runs", "--db", str(path), "--limit", "1", "--format", "csv")
    header, row = out.splitlines()
    assert header.startswith("run_id,flow_run_id,command,source,status,started_at,finished_at,duration_s,inputs,new")
    assert row.startswith(f"{ids['crawl']},,crawl,fxrb,running,")


def test_runs_of_a_database_without_runs_and_of_none(tmp_path, capsys):
    connect(tmp_path / "empty.duckdb").close()
    code, out, _ = cli(capsys, "runs", "--db", str(tmp_path / "empty.duckdb"), "--format", "json")
    assert code == 0 and json.loads(out) == []
    code, out, err = cli(capsys, "runs", "--db", str(tmp_path / "missing.duckdb"))
    assert code == 1 and out == "" and err.startswith("newsduck: no database at ")


def test_runs_of_a_database_from_before_the_later_run_columns(db, capsys):
    path, ids = db  # a read-only connection does not migrate: columns added since read as 0, or no source
    con = connect(path)
    for column in ("source_id", "skipped_robots", "no_edition"):
        con.execute(f"ALTER TABLE runs DROP COLUMN {column}")
    con.close()
    code, out, _ = cli(capsys, "runs", "--db", str(path), "--format", "json")
    runs = json.loads(out)
    assert code == 0 and [r["run_id"] for r in runs] == [ids["crawl"], ids["ingest"], ids["demo"]]
    assert {(r["source"], r["skipped_robots"], r["no_edition"]) for r in runs} == {(None, 0, 0)}


# ---------------------------------------------------------------- newsduck errors


def test_errors_shows_the_latest_runs_and_says_when_it_had_none(db, capsys):
    path, ids = db
    code, out, _ = cli(capsys, "errors", "--db", str(path))
    assert code == 0
    assert out == f"run {ids['crawl'][:8]} · crawl · fxrb · running · started " \
                  f"{out.split('started ')[1][:19]} · 0 errors\n"


def test_errors_of_a_run_named_by_its_first_8_characters(db, capsys):
    path, ids = db
    code, out, _ = cli(capsys, "errors", "--db", str(path), "--run", ids["ingest"][:8])
    assert code == 0
    assert out.splitlines() == [
        f"run {ids['ingest'][:8]} · ingest · completed · started 2025-03-08 10:16:57 · 3 errors",
        "input                | stage  | error_type      | message",
        "---------------------+--------+-----------------+-------------------------------------------------------------",
        "empty.html           | decode | EmptyInputError | empty input",
        "http://x.test/a.html | fetch  | HTTP 404        | HTTP 404 for a page that the list named, and then some more…",
        "bad.html             | parse  | ParseError      | no body",
        "(3 rows)",
    ]  # in the order they happened, long messages cut at --max-width (60)
    assert cli(capsys, "errors", "--db", str(path), "--run", ids["ingest"], "--max-width", "0")[1].count(LONG) == 1


def test_errors_limit_json_and_csv(db, capsys):
    path, ids = db
    code, out, _ = cli(capsys, "errors", "--db", str(path), "--run", ids["ingest"][:8], "--limit", "2")
    assert code == 0 and out.splitlines()[-1] == (f"… 1 more (--limit 3, or SELECT * FROM errors WHERE run_id = "
                                                  f"'{ids['ingest']}')")
    code, out, _ = cli(capsys, "errors", "--db", str(path), "--run", ids["ingest"], "--format", "json")
    errors = json.loads(out)
    assert code == 0 and len(errors) == 3
    assert errors[1] == {"run_id": ids["ingest"], "input": "http://x.test/a.html", "stage": "fetch",
                         "error_type": "HTTP 404", "message": LONG}  # JSON is never cut
    code, out, _ = cli(capsys, "errors", "--db", str(path), "--run", ids["demo"][:8], "--format", "json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = cli(capsys, "errors", "--db", str(path), "--run", ids["ingest"][:8], "--format", "csv")
    assert out.splitlines()[:2] == ["run_id,input,stage,error_type,message",
                                    f"{ids['ingest']},empty.html,decode,EmptyInputError,empty input"]


def test_errors_of_an_unknown_or_ambiguous_run_is_one_line(db, capsys):
    path, ids = db
    code, out, err = cli(capsys, "errors", "--db", str(path), "--run", "zzzzzzzz")
    assert code == 2 and out == ""
    assert err == f"newsduck: no run 'zzzzzzzz' in {path} (newsduck runs lists the latest)\n"
    con = connect(path)
    # 'xyz' is no hex digit: no random run id starts with it
    con.execute("UPDATE runs SET run_id = 'xyz' || run_id WHERE command <> 'crawl'")
    con.execute("UPDATE errors SET run_id = 'xyz' || run_id")
    con.close()
    code, _, err = cli(capsys, "errors", "--db", str(path), "--run", "xyz")
    assert code == 2 and err.startswith("newsduck: 2 runs start with 'xyz': give more of the run id (xyz")
    code, out, _ = cli(capsys, "errors", "--db", str(path), "--run", "xyz" + ids["ingest"][:5])
    assert code == 0 and "3 errors" in out.splitlines()[0]


def test_errors_of_a_database_without_runs(tmp_path, capsys):
    connect(tmp_path / "empty.duckdb").close()
    code, _, err = cli(capsys, "errors", "--db", str(tmp_path / "empty.duckdb"))
    assert code == 1 and err == f"newsduck: {tmp_path / 'empty.duckdb'} has no runs yet\n"


# ---------------------------------------------------------------- read-only, waiting


@pytest.mark.parametrize("command", ["runs", "errors"])
def test_runs_and_errors_wait_for_a_writer(db, capsys, command):
    path, _ = db
    holder = hold_write_lock(path, 1.5)
    try:
        code, out, err = cli(capsys, command, "--db", str(path), "--format", "json")
    finally:
        holder.wait(timeout=30)
    assert code == 0 and isinstance(json.loads(out), list)
    assert err.count(WAIT_MESSAGE) == 1


def test_runs_and_errors_leave_the_file_as_it_was(db, capsys):
    path, ids = db
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    for argv in (["runs"], ["errors"], ["errors", "--run", ids["ingest"][:8]]):
        assert cli(capsys, *argv, "--db", str(path))[0] == 0
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not path.with_name(path.name + ".wal").exists()


# ---------------------------------------------------------------- docs


@pytest.mark.parametrize("command", ["runs", "errors"])
def test_the_help_example_is_the_readme_one(command, capsys):
    from conftest import REPO

    with pytest.raises(SystemExit):
        main([command, "--help"])
    example = capsys.readouterr().out.split("example:\n")[1]
    shown = [line[2:] for line in example.splitlines()[1:] if not line.startswith("  $ ")]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(shown) >= 4 and "\n".join(shown) in readme
