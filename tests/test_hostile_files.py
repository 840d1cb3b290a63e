"""One bad file never stops or hangs a directory ingest: a symlink loop, a FIFO named like a page, a link to
/dev/zero and a name that is not UTF-8 each become an `errors` row (or, for the name, a stored page) while the
good page beside them is stored. A real subprocess (a hang fails by timeout), a real DuckDB file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from conftest import FIXTURES, REPO

NEWSDUCK = str(Path(sys.executable).parent / "newsduck")


def test_a_folder_of_hostile_files_loads_its_good_pages_and_names_each_bad_one(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    page = FIXTURES / "pages" / "fanfu-repost-51919.html"
    shutil.copy(page, folder / "ok.html")
    (folder / "a.html").symlink_to("b.html")
    (folder / "b.html").symlink_to("a.html")
    (folder / "loop").symlink_to(folder)           # a directory that contains itself
    os.mkfifo(folder / "fifo.html")                 # reading it would wait for a writer forever
    (folder / "zero.html").symlink_to("/dev/zero")  # reading it would never end
    with open(os.fsencode(folder) + b"/caf\xe9.html", "wb") as latin1_name:
        latin1_name.write(page.read_bytes().replace(b"</title>", b" (copy)</title>"))
    db = tmp_path / "x.duckdb"
    done = subprocess.run([NEWSDUCK, "ingest", str(folder), "--db", str(db)], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.startswith("inputs 6  new 2  ")
    with duckdb.connect(str(db), read_only=True) as con:
        errors = dict(con.execute("SELECT input, message FROM errors").fetchall())
        inputs = {i for (i,) in con.execute("SELECT input FROM fetches WHERE outcome = 'new'").fetchall()}
    names = {Path(name).name: message for name, message in errors.items()}
    assert set(names) == {"a.html", "b.html", "fifo.html", "zero.html"}
    assert "Too many levels of symbolic links" in names["a.html"]
    assert "not a regular file (a FIFO)" in names["fifo.html"]
    assert "not a regular file (a character device)" in names["zero.html"]
    assert {Path(i).name for i in inputs} == {"ok.html", "caf\\xe9.html"}  # the byte the name held, escaped


def test_a_binary_urls_file_and_a_database_name_duckdb_cannot_open_are_usage_errors(tmp_path, capsys, monkeypatch):
    from flows.cli import main

    binary = tmp_path / "urls.jsonl"
    binary.write_bytes(bytes(range(128, 256)))
    page = str(FIXTURES / "pages" / "fanfu-repost-51919.html")
    assert main(["ingest", page, "--urls", str(binary), "--db", str(tmp_path / "x.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsduck: ") and "is not UTF-8 text" in err and err.count("\n") == 1
    latin1 = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9.duckdb")
    monkeypatch.setenv("NEWSDUCK_DB", latin1)
    assert main(["sql", "select 1"]) == 2
    err = capsys.readouterr().err
    assert err == f"newsduck: {tmp_path}/caf\\xe9.duckdb: DuckDB opens only file names that are UTF-8\n"
