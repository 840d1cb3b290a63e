"""The warm runner (flows/runner.py): while `newsduck server` runs, `newsduck ingest` is run by a process that has
Prefect imported, with the same output, exit status, flow run, Ctrl-C and files as when it runs in its own process.
Real `newsduck server start`, real processes and signals, the real Prefect server and DuckDB files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from flows import runner

from conftest import FIXTURES, REPO
from test_stopping import articles_loaded, rows, stories, wait_for

pytestmark = pytest.mark.slow
NEWSDUCK = str(Path(sys.executable).parent / "newsduck")
PAGE = str(FIXTURES / "pages" / "fanfu-repost-51919.html")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`newsduck server start` in a home of its own: the Prefect server and the runner; stopped after."""
    home = tmp_path_factory.mktemp("runner-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSDUCK_"))}
    env["HOME"] = str(home)
    started = subprocess.run([NEWSDUCK, "server", "start"], env=env, cwd=REPO, capture_output=True, text=True,
                             timeout=300)
    assert started.returncode == 0, started.stderr
    state = json.loads((home / ".newsduck" / "server.json").read_text())
    try:
        yield env, state["api_url"], home / ".newsduck"
    finally:
        stopped = subprocess.run([NEWSDUCK, "server", "stop"], env=env, cwd=REPO, capture_output=True, text=True,
                                 timeout=120)
        assert stopped.returncode == 0, stopped.stderr
        assert not (home / ".newsduck" / "runner.sock").exists()
        assert not (home / ".newsduck" / "runner.json").exists()


def newsduck(env: dict, *args: str, cwd: Path = REPO, timeout: float = 300) -> subprocess.Popen:
    return subprocess.Popen([NEWSDUCK, *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finished(process: subprocess.Popen, timeout: float = 300) -> tuple[str, str]:
    return process.communicate(timeout=timeout)


def test_server_start_starts_a_runner_that_only_its_user_reaches(server):
    _, _, home = server
    sock = home / "runner.sock"
    assert sock.is_socket() and sock.stat().st_mode & 0o777 == 0o700
    pid = json.loads((home / "runner.json").read_text())["pid"]
    assert Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[1:3] == [b"-m", b"flows.runner"]


def test_an_ingest_runs_in_the_runner_with_its_flow_run_output_and_files(server, tmp_path):
    env, api_url, _ = server
    work = tmp_path / "work"
    work.mkdir()
    # a relative --db and the output's format are the client's: its directory and its streams
    ingest = newsduck(env, "ingest", PAGE, "--db", "rel/news.duckdb", cwd=work)
    out, err = finished(ingest)
    assert ingest.returncode == 0, err
    db = work / "rel" / "news.duckdb"
    assert out == "inputs 1  new 1  updated 0  unchanged 0  not articles 0  errors 0  db rel/news.duckdb\n"
    assert err == ""
    (flow_run_id, pid, status), = rows(db, "SELECT flow_run_id, pid, status FROM runs")
    assert status == "completed" and pid != ingest.pid  # run by the runner's child, not the client
    # a real Prefect flow run on the shared server, with its task runs and parameters
    run = httpx.get(f"{api_url}/flow_runs/{flow_run_id}").json()
    assert run["state"]["type"] == "COMPLETED"
    assert run["parameters"]["inputs"] == [PAGE] and run["parameters"]["db_path"] == "rel/news.duckdb"
    tasks = httpx.post(f"{api_url}/task_runs/filter",
                       json={"flow_runs": {"id": {"any_": [flow_run_id]}}}).json()
    assert sorted((t["name"].rsplit("-", 1)[0], t["state"]["type"]) for t in tasks) == [
        ("fetch-and-extract", "COMPLETED"), ("load-batch", "COMPLETED")]
    # the environment is the client's too: $NEWSDUCK_DB, --json
    again = newsduck({**env, "NEWSDUCK_DB": str(db)}, "ingest", PAGE, "--json", cwd=work)
    out, err = finished(again)
    assert again.returncode == 0, err
    assert json.loads(out)["unchanged"] == 1 and json.loads(out)["db"] == str(db)


def test_the_client_imports_neither_prefect_nor_the_parsers(server, tmp_path):
    """The saving: what the runner imported once, a one-page ingest does not import again."""
    env, _, _ = server
    script = ("import sys, flows.cli\n"
              f"sys.argv = ['newsduck', 'ingest', {PAGE!r}, '--db', {str(tmp_path / 'n.duckdb')!r}, '--quiet']\n"
              "code = flows.cli.main()\n"
              "print(code, [m for m in ('prefect', 'parsers', 'duckdb', 'warehouse.db') if m in sys.modules])\n")
    done = subprocess.run([sys.executable, "-c", script], env={**env, "PYTHONPATH": str(REPO)}, cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"


def test_usage_errors_help_and_bad_inputs_keep_their_exit_status(server, tmp_path):
    env, _, _ = server
    missing = newsduck(env, "ingest")
    out, err = finished(missing)
    assert missing.returncode == 2 and "the following arguments are required: PATH_OR_URL" in err
    shown = newsduck(env, "ingest", "--help")
    out, err = finished(shown)
    assert shown.returncode == 0 and out.startswith("usage: newsduck ingest")
    bad = newsduck(env, "ingest", str(tmp_path / "nowhere.html"), "--db", str(tmp_path / "n.duckdb"))
    out, err = finished(bad)
    assert bad.returncode == 2 and err.startswith("newsduck: ") and "Traceback" not in err
    assert err.count("\n") == 1


def ingest_under_way(env: dict, pages: Path, db: Path) -> subprocess.Popen:
    """An ingest of `pages` through the runner, once its first batches are stored."""
    ingest = newsduck(env, "ingest", str(pages), "--db", str(db), "--batch-size", "20")
    wait_for(lambda: articles_loaded(db) >= 20, 180, ingest)
    return ingest


def test_ctrl_c_reaches_the_run_and_a_second_one_stops_it_at_once(server, tmp_path):
    env, _, _ = server
    pages, db = stories(tmp_path / "pages", 600), tmp_path / "news.duckdb"
    ingest = ingest_under_way(env, pages, db)
    ingest.send_signal(signal.SIGINT)
    out, err = finished(ingest, 60)
    assert ingest.returncode == 130, err
    said = [line for line in err.splitlines() if line.startswith("newsduck:")]
    assert said[0] == "newsduck: Ctrl-C: stopping once what was fetched is loaded (Ctrl-C again to stop at once)"
    assert said[1].startswith("newsduck: interrupted: what was fetched is loaded; run ") and len(said) == 2
    (status, new, pid), = rows(db, "SELECT status, new, pid FROM runs")
    stored = rows(db, "SELECT count(*) FROM articles")[0][0]
    assert status == "interrupted" and pid != ingest.pid and 20 <= stored < 600 and new == stored
    assert out.startswith(f"inputs {stored}  new {stored}  ")

    again = newsduck(env, "ingest", str(pages), "--db", str(tmp_path / "again.duckdb"), "--batch-size", "20")
    wait_for(lambda: articles_loaded(tmp_path / "again.duckdb") >= 20, 180, again)
    again.send_signal(signal.SIGINT)
    time.sleep(0.2)
    again.send_signal(signal.SIGINT)
    out, err = finished(again, 60)
    assert again.returncode == 130 and "newsduck: stopped at once" in err


def test_a_killed_client_stops_its_run_as_a_stop_request(server, tmp_path):
    env, _, _ = server
    pages, db = stories(tmp_path / "pages", 600), tmp_path / "news.duckdb"
    ingest = ingest_under_way(env, pages, db)
    ingest.kill()
    ingest.wait()
    deadline = time.monotonic() + 60
    while rows(db, "SELECT status FROM runs") == [("running",)]:
        assert time.monotonic() < deadline, "the run went on after its client was killed"
        time.sleep(0.2)
    (status, new), = rows(db, "SELECT status, new FROM runs")
    assert status == "interrupted" and new == rows(db, "SELECT count(*) FROM articles")[0][0] < 600


def test_without_a_runner_listening_the_command_runs_in_its_own_process(server, tmp_path):
    env, _, home = server
    # -v: Prefect's logs and tracebacks are for the process the user started
    verbose = newsduck(env, "-v", "ingest", PAGE, "--db", str(tmp_path / "v.duckdb"), "--quiet")
    out, err = finished(verbose)
    assert verbose.returncode == 0, err
    assert rows(tmp_path / "v.duckdb", "SELECT pid FROM runs") == [(verbose.pid,)]
    switched_off = newsduck({**env, "NEWSDUCK_RUNNER": "off"}, "ingest", PAGE, "--db", str(tmp_path / "o.duckdb"))
    out, err = finished(switched_off)
    assert switched_off.returncode == 0, err
    assert rows(tmp_path / "o.duckdb", "SELECT pid FROM runs") == [(switched_off.pid,)]
    # a runner that is gone (a stale socket file), or another home without one
    other = {**env, "HOME": str(tmp_path)}
    alone = newsduck(other, "ingest", PAGE, "--db", str(tmp_path / "a.duckdb"), "--quiet")
    out, err = finished(alone)
    assert alone.returncode == 0, err
    assert rows(tmp_path / "a.duckdb", "SELECT pid FROM runs") == [(alone.pid,)]


def test_a_runner_of_other_code_is_refused_and_stops(tmp_path, monkeypatch):
    """A runner started before newsduck's code changed must not run the new command with the old code."""
    monkeypatch.setenv("NEWSDUCK_HOME", str(tmp_path))
    serving = runner.Runner(runner.socket_path())
    serving.code = (0, 0)  # as if started with other code
    client = subprocess.Popen([sys.executable, "-c", "from flows import runner; print(runner.run_in_runner("
                               "['ingest', 'x.html']))"], env={**os.environ, "PYTHONPATH": str(REPO)},
                              cwd=REPO, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not serving.stopping.is_set():
        assert time.monotonic() < deadline
        serving.accept()
    assert client.communicate(timeout=60)[0].strip() == "None"  # the client runs it itself
    serving.close()
    assert not runner.socket_path().exists()


def test_server_start_brings_back_a_runner_that_is_gone(server):
    env, _, home = server
    gone = json.loads((home / "runner.json").read_text())["pid"]
    os.kill(gone, signal.SIGTERM)  # as when it found newsduck's code changed
    deadline = time.monotonic() + 30
    while (home / "runner.sock").exists():
        assert time.monotonic() < deadline
        time.sleep(0.1)
    again = subprocess.run([NEWSDUCK, "server", "start"], env=env, cwd=REPO, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0 and again.stdout.startswith("Prefect server already running"), again.stderr
    assert json.loads((home / "runner.json").read_text())["pid"] != gone
    ingest = newsduck(env, "ingest", PAGE, "--db", str(home.parent / "back.duckdb"), "--quiet")
    finished(ingest)
    assert ingest.returncode == 0 and rows(home.parent / "back.duckdb", "SELECT pid FROM runs")[0][0] != ingest.pid


def test_the_commands_handed_to_the_runner(monkeypatch):
    assert runner.handed_off_command(["ingest", "a.html"])
    assert runner.handed_off_command(["ingest", "--help"])
    assert not runner.handed_off_command(["-v", "ingest", "a.html"])
    assert not runner.handed_off_command(["sql", "select 1"])
    assert not runner.handed_off_command([])
    monkeypatch.setenv("NEWSDUCK_RUNNER", "off")
    assert not runner.handed_off_command(["ingest", "a.html"])
    assert runner.exit_status(0) == 0 and runner.exit_status(130 << 8) == 130 and runner.exit_status(9) == 137
