"""Bad input found by bench/reliability.py's sweep, each one sentence and the right exit code: 2 for a usage or
configuration mistake, 1 for a request that could not be done. Fast: nothing here starts Prefect."""

from __future__ import annotations

import io
import json

import pytest

from flows.cli import main
from test_docs_queries import demo_db  # noqa: F401  (the fixture)

from conftest import FIXTURES

SEED = FIXTURES / "seeds" / "000_1229933dc2040656.txt"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(err: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err and "unexpected error" not in err, err


@pytest.mark.parametrize("command", ["sql", "ingest", "runs"])
def test_an_empty_db_path_is_a_usage_error_not_the_default_file(capsys, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = {"sql": ["sql", "SELECT 1"], "ingest": ["ingest", str(SEED)], "runs": ["runs"]}[command]
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--db", ""])
    assert exited.value.code == 2 and "database path is empty" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


def test_an_unclosed_ipv6_bracket_is_a_bad_url(capsys, tmp_path):
    code, _, err = run_cli(capsys, "ingest", "http://[::1", "--db", str(tmp_path / "x.duckdb"))
    assert code == 2 and "Not a valid http(s) URL" in err
    assert_one_line(err)


def test_urls_file_lines_must_give_http_urls(capsys, tmp_path):
    mapping = tmp_path / "urls.jsonl"
    mapping.write_text(json.dumps({"path": str(SEED), "url": "ftp://example.com/a.html"}) + "\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "ingest", str(SEED), "--urls", str(mapping), "--db", str(tmp_path / "x.duckdb"))
    assert code == 2 and "line 1" in err and "ftp://example.com/a.html" in err
    assert_one_line(err)


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_max_crawl_delay_must_be_a_finite_number_of_seconds(capsys, tmp_path, value):
    code, _, err = run_cli(capsys, "crawl", "http://127.0.0.1:9/list/", "--max-crawl-delay", value,
                           "--db", str(tmp_path / "x.duckdb"))
    assert code == 2 and "--max-crawl-delay" in err


def test_empty_sql_is_a_usage_error(capsys, demo_db, monkeypatch):
    code, _, err = run_cli(capsys, "sql", "", "--db", str(demo_db))
    assert code == 2 and "no SQL statement" in err
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"")))
    code, _, err = run_cli(capsys, "sql", "-", "--db", str(demo_db))
    assert code == 2 and "no SQL statement" in err


def test_sql_on_stdin_that_is_not_utf8_is_one_line(capsys, demo_db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"SELECT '\xff\xfe'")))
    code, out, err = run_cli(capsys, "sql", "-", "--db", str(demo_db))
    assert code == 2 and out == "" and "not UTF-8" in err
    assert_one_line(err)


def test_a_search_without_words_and_backwards_dates_are_usage_errors(capsys, demo_db):
    code, _, err = run_cli(capsys, "search", "！？。", "--db", str(demo_db))
    assert code == 2 and "no words" in err
    code, _, err = run_cli(capsys, "search", "蜜薯", "--since", "2024-02-01", "--until", "2024-01-01",
                           "--db", str(demo_db))
    assert code == 2 and "--until 2024-01-01 is before --since 2024-02-01" in err


def test_a_port_must_be_a_tcp_port(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["server", "start", "--port", "99999"])
    assert exited.value.code == 2 and "1 to 65535" in capsys.readouterr().err


def test_extract_of_a_directory_without_pages_says_so(capsys, tmp_path):
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01")
    code, out, err = run_cli(capsys, "extract", str(tmp_path))
    assert code == 1 and out == "" and "no page files in" in err
    assert_one_line(err)
