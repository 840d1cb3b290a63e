"""The examples of the README's export section and of `newsduck export --help`, run on a database loaded like the
demo's, print what they show."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from flows.cli import main
from test_docs_queries import demo_db  # noqa: F401  (the fixture)

README = (REPO / "README.md").read_text(encoding="utf-8")


def export_example() -> list[tuple[str, str]]:
    """(command, output) pairs of the console block in the README's export section."""
    section = README[README.index("### `newsduck export DIR`"):]
    block = re.search(r"```console\n(.*?)```", section, re.S).group(1)
    steps = re.split(r"^\$ ", block, flags=re.M)[1:]
    return [(step.split("\n", 1)[0], step.split("\n", 1)[1]) for step in steps]


def run(command: str, db: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NEWSDUCK_TIMEZONE"}
    env.update(NEWSDUCK_DB=str(db), PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    done = subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return done


def test_the_export_example_prints_what_the_readme_shows(demo_db, tmp_path):  # noqa: F811
    steps = export_example()
    assert len(steps) == 5
    for command, shown in steps:
        done = run(command, demo_db, tmp_path)
        # as a terminal shows it: the byte order mark and the CR of CRLF are invisible
        assert done.stdout.decode("utf-8").replace("\ufeff", "").replace("\r\n", "\n") == shown, command


def test_the_help_example_prints_what_it_shows(demo_db, tmp_path, capsys):  # noqa: F811
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    example = capsys.readouterr().out.split("example:\n", 1)[1]
    command, stdout, stderr = [line.strip() for line in example.splitlines()[:3]]
    assert command.startswith("$ newsduck export ")
    done = run(command[2:], demo_db, tmp_path)
    assert done.stdout.decode().strip() == stdout
    seconds = re.compile(r"in [0-9.]+ s$")
    assert seconds.sub("", done.stderr.decode().strip()) == seconds.sub("", stderr)
