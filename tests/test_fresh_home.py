"""The README's first command as a new user runs it: an empty home directory and no Prefect settings at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_the_readme_ingest_runs_from_an_empty_home_without_prefect_settings(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSDUCK_"))}
    env["HOME"] = str(home)
    newsduck = Path(sys.executable).with_name("newsduck")
    db = tmp_path / "data" / "fixtures.duckdb"
    done = subprocess.run([str(newsduck), "ingest", "tests/fixtures/seeds", "tests/fixtures/pages", "--db", str(db)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "inputs 8  new 6  updated 0  unchanged 0  not articles 2  errors 0"
    assert "Traceback" not in done.stderr
    # Prefect's state went to newsduck's own directory in that home, created with its parents
    assert (home / ".newsduck" / "prefect").is_dir()
