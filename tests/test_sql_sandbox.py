"""`newsduck sql` is read-only for the machine too: its SQL reaches nothing outside the database (no files, URLs,
other databases or extensions), while `COPY (query) TO 'file'` still writes the query's result."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import main
from test_docs_queries import demo_db  # noqa: F401  (the fixture)

from conftest import REPO


def sql(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["sql", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_csv('/etc/passwd', sep=':')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_blob('/etc/hostname')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')",
])
def test_files_and_urls_outside_the_database_are_out_of_reach(demo_db, capsys, query):
    code, out, err = sql(capsys, query, "--db", str(demo_db))
    assert code != 0 and out == ""
    assert "Permission Error" in err and "disabled by configuration" in err and len(err.splitlines()) == 1


def test_the_seal_cannot_be_lifted_from_sql(demo_db, capsys):
    code, _, err = sql(capsys, "SET enable_external_access = true; SELECT * FROM glob('/etc/*')", "--db", str(demo_db))
    assert code != 0 and "SET statements are refused" in err


def test_copy_writes_the_result_of_a_query_and_nothing_it_could_read_outside(demo_db, capsys, tmp_path):
    target = tmp_path / "titles.csv"
    code, out, err = sql(capsys, f"COPY (SELECT title FROM articles ORDER BY title LIMIT 2) TO '{target}' (HEADER)",
                         "--db", str(demo_db))
    assert code == 0, err
    assert target.read_text(encoding="utf-8").splitlines()[0] == "title"
    assert len(target.read_text(encoding="utf-8").splitlines()) == 3
    leak = tmp_path / "leak.csv"
    code, _, err = sql(capsys, f"COPY (SELECT * FROM read_text('/etc/hostname')) TO '{leak}'", "--db", str(demo_db))
    assert code != 0 and "disabled by configuration" in err and not leak.exists()


def test_no_extension_is_downloaded_or_installed(demo_db, tmp_path):
    env = dict(os.environ, HOME=str(tmp_path))
    newsduck = str(Path(sys.executable).parent / "newsduck")
    for query in ("PRAGMA create_fts_index('articles', 'article_id', 'title')",
                  "SELECT * FROM read_csv('https://example.com/x.csv')", "SELECT * FROM st_read('x.shp')"):
        done = subprocess.run([newsduck, "sql", query, "--db", str(demo_db)], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode != 0 and "Traceback" not in done.stderr
    assert not (tmp_path / ".duckdb").exists()


def test_allow_files_opens_one_directory_and_no_other(demo_db, capsys, tmp_path):
    watch = tmp_path / "watch"
    watch.mkdir()
    (watch / "sites.csv").write_text("site_name,region\n阜新融媒网,辽宁\n", encoding="utf-8")
    beside = tmp_path / "watch-other"
    beside.mkdir()
    (beside / "secret.csv").write_text("x\n1\n", encoding="utf-8")
    query = (f"SELECT w.region, count(*) AS n FROM articles a JOIN read_csv('{watch}/sites.csv') w USING (site_name) "
             "GROUP BY ALL")
    code, out, err = sql(capsys, query, "--db", str(demo_db), "--allow-files", str(watch), "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[1].startswith("辽宁,")
    for outside in (f"{beside}/secret.csv", f"{watch}/../watch-other/secret.csv", "/etc/hostname"):
        code, out, err = sql(capsys, f"SELECT * FROM read_csv('{outside}')", "--db", str(demo_db),
                             "--allow-files", str(watch))
        assert code != 0 and out == "" and "disabled by configuration" in err
    code, _, err = sql(capsys, f"SELECT * FROM read_csv('{watch}/sites.csv')", "--db", str(demo_db))
    assert code != 0 and "disabled by configuration" in err


def test_allow_files_needs_a_directory(demo_db, capsys, tmp_path):
    code, out, err = sql(capsys, "SELECT 1", "--db", str(demo_db), "--allow-files", str(tmp_path / "nope"))
    assert code == 2 and out == "" and "not a directory" in err and len(err.splitlines()) == 1
