"""`newsduck server`: one background Prefect server that every command's flow runs go to, found through
$NEWSDUCK_HOME/server.json; a stale file is ignored and removed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import httpx
import pytest

from flows import local_server
from flows.local_server import ServerState, free_port, running_server, write_state

from conftest import FIXTURES, REPO

NEWSDUCK = str(Path(sys.executable).parent / "newsduck")


def newsduck(env: dict, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([NEWSDUCK, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_commands_run_their_flows_on_the_server_newsduck_server_started(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSDUCK_"))}
    env["HOME"] = str(home)
    port = free_port()
    started = newsduck(env, "server", "start", "--port", str(port))
    try:
        assert started.returncode == 0, started.stderr
        assert started.stdout.startswith(f"Prefect server running at http://127.0.0.1:{port} (pid ")
        state = json.loads((home / ".newsduck" / "server.json").read_text())
        assert newsduck(env, "server", "status").returncode == 0
        again = newsduck(env, "server", "start")
        assert again.stdout.startswith(f"Prefect server already running at http://127.0.0.1:{port}")

        db = tmp_path / "x.duckdb"
        page = str(FIXTURES / "pages" / "fanfu-repost-51919.html")
        ingested = newsduck(env, "ingest", page, "--db", str(db))
        assert ingested.returncode == 0, ingested.stderr
        with duckdb.connect(str(db), read_only=True) as con:
            (flow_run_id,) = con.execute("SELECT flow_run_id FROM runs").fetchone()
        # the run is the server's: it shows in its API (and UI), no temporary server was involved
        run = httpx.get(f"http://127.0.0.1:{port}/api/flow_runs/{flow_run_id}").json()
        assert run["state"]["type"] == "COMPLETED"
        # the UI the server serves reaches this server's API
        assert httpx.get(f"http://127.0.0.1:{port}/ui-settings").json()["api_url"] == f"http://127.0.0.1:{port}/api"
    finally:
        stopped = newsduck(env, "server", "stop")
    assert stopped.stdout == f"Stopped the Prefect server at http://127.0.0.1:{port}.\n"
    assert not (home / ".newsduck" / "server.json").exists()
    status = newsduck(env, "server", "status")
    assert status.returncode == 3 and status.stdout.startswith("No newsduck Prefect server is running")
    with pytest.raises(ProcessLookupError):
        os.kill(state["pid"], 0)


def test_a_server_file_naming_a_dead_process_is_removed_and_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSDUCK_HOME", str(tmp_path))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    write_state(ServerState(pid=dead.pid, api_url=f"http://127.0.0.1:{free_port()}/api", started_at="2026-01-01"))
    assert running_server() is None
    assert not (tmp_path / "server.json").exists()
    assert local_server.use_running_server() is None and "PREFECT_API_URL" not in os.environ


def test_a_server_file_naming_a_live_process_that_does_not_answer_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSDUCK_HOME", str(tmp_path))
    write_state(ServerState(pid=os.getpid(), api_url=f"http://127.0.0.1:{free_port()}/api", started_at="2026-01-01"))
    assert running_server() is None
    assert not (tmp_path / "server.json").exists()
