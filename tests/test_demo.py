"""`make demo` end to end: a real server, the real Prefect flow, ./data/newsduck.duckdb; twice gives the same tables."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
from test_ingest import table_contents

pytestmark = pytest.mark.slow


def run_demo(cwd) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "flows.demo"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_demo_runs_twice_with_the_same_tables(tmp_path):
    first = run_demo(tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    db = tmp_path / "data" / "newsduck.duckdb"
    assert db.exists()
    assert "Serving examples/demo-site at http://127.0.0.1:" in first.stdout
    assert "new 12" in first.stdout and "errors 0" in first.stdout
    assert "-- Articles per day and site" in first.stdout
    assert "-- Who wrote and photographed the most" in first.stdout
    tables = table_contents(db)
    # the README's search example, on the demo database
    command, shown = re.search(r"```console\n\$ (newsduck search .*?)\n(.*?)```", README, re.S).group(1, 2)
    searched = subprocess.run([str(Path(sys.executable).parent / "newsduck"), *shlex.split(command)[1:], "--db", str(db)],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
    # the demo serves on 8765 unless that port is taken; the README shows 8765
    assert re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:8765", searched.stdout) == shown

    second = run_demo(tmp_path)
    assert second.returncode == 0, second.stderr
    assert "new 0  updated 0  unchanged 12" in second.stdout
    assert table_contents(db) == tables
