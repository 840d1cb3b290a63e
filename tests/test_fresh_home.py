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
    assert done.stdout.strip() == f"inputs 8  new 6  updated 0  unchanged 0  not articles 2  errors 0  db {db}"
    assert "Traceback" not in done.stderr
    # Prefect's state went to newsduck's own directory in that home, created with its parents
    assert (home / ".newsduck" / "prefect").is_dir()


def test_a_prefect_home_that_cannot_be_written_is_one_line_at_once(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSDUCK_"))}
    env.update(HOME=str(tmp_path), PREFECT_HOME=str(blocked / "prefect"))
    newsduck = Path(sys.executable).with_name("newsduck")
    done = subprocess.run([str(newsduck), "ingest", "tests/fixtures/pages", "--db", str(tmp_path / "x.duckdb")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2  # a configuration error, like a usage error
    assert done.stderr == (f"newsduck: Prefect cannot keep its state in {blocked / 'prefect'} (Not a directory); "
                           "set PREFECT_HOME or NEWSDUCK_HOME to a directory you can write\n")


def test_commands_started_together_do_not_remove_each_others_write_check(tmp_path, monkeypatch):
    """Each command checks the Prefect home with a probe file of its own: with one shared name, two commands
    started at the same moment removed each other's probe and one of them stopped ("No such file or directory")."""
    from flows.settings import configure_prefect_env

    home = tmp_path / "prefect"
    home.mkdir()
    others = home / ".newsduck-write-check"  # what another process's check looked like
    others.write_text("")
    monkeypatch.setenv("PREFECT_HOME", str(home))
    for _ in range(3):
        configure_prefect_env()
    assert others.exists()
    assert sorted(p.name for p in home.iterdir()) == [".newsduck-write-check"]
