"""The command line: clear one-line errors, exit codes, formats. Fast: nothing here starts Prefect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import main
from parsers.records import EXTRACT_KEYS

from conftest import FIXTURES, REPO

SEED_000 = FIXTURES / "seeds" / "000_1229933dc2040656.txt"
SEED_004 = FIXTURES / "seeds" / "004_11c5d1afe74d2e2e.txt"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_clear_line(err: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("newsduck: ")
    assert "Traceback" not in err


def test_no_command_prints_help_and_exits_2(capsys):
    code, out, _ = run_cli(capsys)
    assert code == 2
    assert "ingest" in out and "extract" in out and "sql" in out


@pytest.mark.parametrize("command", ["ingest", "extract", "sql", "runs", "errors", "browse"])
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "example:" in capsys.readouterr().out


def test_ingest_missing_path_exits_2_and_writes_nothing(tmp_path, capsys):
    db = tmp_path / "n.duckdb"
    code, _, err = run_cli(capsys, "ingest", str(tmp_path / "nope.html"), "--db", str(db))
    assert code == 2
    assert_one_clear_line(err)
    assert "No such file or directory" in err
    assert not db.exists()


@pytest.mark.parametrize("bad", ["http://", "ftp://example.com/a.html", "https://exa mple.com/x", "http://example.com:99999/"])
def test_ingest_malformed_url_exits_2_and_writes_nothing(bad, tmp_path, capsys):
    db = tmp_path / "n.duckdb"
    code, _, err = run_cli(capsys, "ingest", bad, "--db", str(db))
    assert code == 2
    assert_one_clear_line(err)
    assert "URL" in err
    assert not db.exists()


def test_ingest_unsupported_file_type_exits_2(tmp_path, capsys):
    other = tmp_path / "photo.jpg"
    other.write_bytes(b"\xff\xd8\xff")
    code, _, err = run_cli(capsys, "ingest", str(other), "--db", str(tmp_path / "n.duckdb"))
    assert code == 2
    assert_one_clear_line(err)


def test_ingest_locked_database_is_one_clear_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NEWSDUCK_BUSY_TIMEOUT", "1")
    db = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        code, _, err = run_cli(capsys, "ingest", str(SEED_000), "--db", str(db))
    finally:
        holder.communicate("")
    assert code != 0
    lines = err.splitlines()
    assert len(lines) == 2 and lines[0].startswith("newsduck: waiting for")  # one visible wait message, then the error
    assert_one_clear_line(lines[-1] + "\n")
    assert str(db) in lines[-1] and "locked" in lines[-1]


def test_extract_seed_prints_exactly_the_documented_keys(capsys):
    code, out, err = run_cli(capsys, "extract", str(SEED_004))
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert tuple(record) == EXTRACT_KEYS
    assert record["title"] == "向“新”发力 逐“质”而行——阜新市海州区凝心聚力谋发展促振兴纪实"
    # text: the body as read, section headings and paragraphs in their order
    parts = record["text"].split("\n\n")
    assert record["sections"] and [p for p in parts if p in record["sections"]] == record["sections"]
    assert [p for p in parts if p not in record["sections"]] == record["paragraphs"]


def test_extract_json_format_and_url_option(capsys):
    url = "http://www.ffclzx.cn/fanfujishi/20241103/36257.html"
    code, out, _ = run_cli(capsys, "extract", str(FIXTURES / "pages" / "fanfu-repost-51919.html"), "--url", url, "--format", "json")
    assert code == 0
    records = json.loads(out)
    assert isinstance(records, list) and len(records) == 1
    assert records[0]["url"] == url


def test_extract_urls_file_maps_each_path(tmp_path, capsys):
    pages = FIXTURES / "pages"
    mapping = tmp_path / "urls.jsonl"
    gold = {p: json.loads((pages / f"{p}.json").read_text())["url"] for p in ("fanfu-repost-51919", "lndj-original-51919")}
    mapping.write_text("\n".join(json.dumps({"path": str(pages / f"{p}.html"), "url": u}) for p, u in gold.items()))
    code, out, _ = run_cli(capsys, "extract", *(str(pages / f"{p}.html") for p in gold), "--urls", str(mapping))
    assert code == 0
    assert [json.loads(line)["url"] for line in out.splitlines()] == list(gold.values())


def test_extract_bad_file_reports_and_goes_on(tmp_path, capsys):
    binary = tmp_path / "image.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    code, out, err = run_cli(capsys, "extract", str(binary), str(SEED_004))
    assert code == 1
    assert len(out.splitlines()) == 1  # the good file still printed
    assert_one_clear_line(err)
    assert "image.html" in err


def test_extract_missing_file_exits_2(tmp_path, capsys):
    code, _, err = run_cli(capsys, "extract", str(tmp_path / "missing.html"))
    assert code == 2
    assert_one_clear_line(err)


def test_extract_url_with_several_files_is_refused(capsys):
    code, _, err = run_cli(capsys, "extract", str(SEED_000), str(SEED_004), "--url", "https://example.com/")
    assert code == 2
    assert_one_clear_line(err)


def test_sql_on_missing_database_is_one_clear_line(tmp_path, capsys):
    code, _, err = run_cli(capsys, "sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb"))
    assert code != 0
    assert_one_clear_line(err)
    assert not (tmp_path / "none.duckdb").exists()


def test_database_folder_that_cannot_be_made_is_one_clear_line(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = run_cli(capsys, "search", "--reindex", "--db", str(blocker / "news.duckdb"))
    assert code != 0
    assert_one_clear_line(err)
    assert "cannot create the folder for" in err and "unexpected error" not in err


def test_installed_entry_point_runs():
    newsduck = Path(sys.executable).parent / "newsduck"
    result = subprocess.run([str(newsduck), "--help"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0
    assert "newsduck" in result.stdout


def test_the_heap_is_frozen_before_the_interpreters_exit_collections():
    """flows/cli.py freezes the objects alive at exit, so the interpreter's last collections do not walk what
    Prefect and pydantic built (0.3-0.9 s a command). A handler registered before the CLI's import runs after
    its handler (last in, first out) and sees the objects frozen."""
    script = ("import atexit, gc\n"
              "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
              "import flows.cli\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "frozen True"
