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
from test_ingest import table_contents

README = (REPO / "README.md").read_text(encoding="utf-8")
SCHEMA_DOC = (REPO / "docs" / "schema.md").read_text(encoding="utf-8")

pytestmark = pytest.mark.slow


def run_demo(cwd) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "flows.demo"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def search_examples() -> list[tuple[str, str]]:
    """(command, output) of each console example of the README's search section and of docs/schema.md's
    "Full-text search": one command a block, then what it prints."""
    sections = (README[README.index("### `newsduck search"):README.index("### `newsduck export")],
                SCHEMA_DOC[SCHEMA_DOC.index("## Full-text search"):SCHEMA_DOC.index("## Example queries")])
    blocks = [re.search(r"\A\$ (newsduck .*?)\n(.*)\Z", block, re.S).group(1, 2)
              for section in sections for block in re.findall(r"```console\n(.*?)```", section, re.S)]
    assert len(blocks) >= 3 and all("\n$ " not in shown for _, shown in blocks)
    return blocks


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
    # the search examples of the README and docs/schema.md, on the demo database (served on 8765 unless that port
    # is taken; the docs show 8765)
    for command, shown in search_examples():
        searched = subprocess.run([str(Path(sys.executable).parent / "newsduck"), *shlex.split(command)[1:],
                                   "--db", str(db)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:8765", searched.stdout) == shown, command

    second = run_demo(tmp_path)
    assert second.returncode == 0, second.stderr
    assert "new 0  updated 0  unchanged 12" in second.stdout
    assert table_contents(db) == tables


def runs_examples() -> list[tuple[str, str]]:
    """(command, output) of each command of the README's `newsduck runs` section, in order."""
    start = README.index("### `newsduck runs")
    section = README[start:README.index("\n#", start + 1)]  # up to the next heading
    (block,) = re.findall(r"```console\n(.*?)```", section, re.S)
    return [(command, shown) for command, shown in re.findall(r"^\$ (.*)\n((?:(?!\$ ).*\n)*)", block, re.M)]


def steady(text: str) -> list[str]:
    """The lines of a runs or errors table without what changes from one run to the next: run ids, times,
    durations, and the padding they change."""
    text = re.sub(r"\b[0-9a-f]{8}\b", "RUN", text)
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "TIME", text)
    text = re.sub(r"\b\d+\.\d s\b|\b\d+ min \d\d s\b", "DURATION", text)
    return ["---" if re.fullmatch(r"-[-+]*", line) else re.sub(r" *\| *", "|", line).strip()
            for line in text.splitlines()]


def test_the_readme_runs_and_errors_examples_on_the_demo_database(tmp_path):
    assert run_demo(tmp_path).returncode == 0
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    examples = runs_examples()
    assert [command.split()[:2] for command, _ in examples][2:] == [["newsduck", "runs"], ["newsduck", "errors"]]
    for command, shown in examples:
        done = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert steady(done.stdout) == steady(shown), command
