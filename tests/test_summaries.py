"""The summaries `ingest` and `reparse` print: every outcome they count is printed, so the line adds up to its
inputs, in text as in JSON. Real Prefect runs into real DuckDB files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from flows.cli import main
from flows.summary import OUTCOMES

from conftest import FIXTURES

CANONICAL_PAGE = FIXTURES / "pages" / "lndj-original-51919.html"  # <link rel=canonical> names its article URL


def run_text(capsys, *argv: str) -> list[str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out.splitlines()


def run_json(capsys, *argv: str) -> dict:
    (line,) = run_text(capsys, *argv, "--json")
    return json.loads(line)


def line_counts(line: str) -> dict[str, int]:
    """`inputs 2  new 1  not articles 0` -> {"inputs": 2, "new": 1, "not articles": 0}"""
    return {label: int(n) for label, n in re.findall(r"([a-z][a-z ()]*?) (\d+)(?:  |$)", line)}


def assert_line_adds_up(line: str) -> dict[str, int]:
    counts = line_counts(line)
    assert counts["inputs"] == sum(n for label, n in counts.items() if label != "inputs"), line
    return counts


def assert_json_adds_up(summary: dict) -> None:
    assert summary["inputs"] == sum(summary[key] for key in OUTCOMES), summary


def two_copies_of_one_article(tmp_path: Path) -> tuple[list[str], Path]:
    """The same page saved twice, fetched (says --urls) from two URLs: one article key, two inputs."""
    paths, lines = [], []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.html"
        shutil.copy(CANONICAL_PAGE, path)
        paths.append(str(path))
        lines.append(json.dumps({"path": str(path), "url": f"https://www.lndj.gov.cn/mirror-{name}/51919.html"}))
    mapping = tmp_path / "urls.jsonl"
    mapping.write_text("\n".join(lines), encoding="utf-8")
    return paths, mapping


def test_ingest_and_reparse_print_their_duplicates(tmp_path, capsys):
    paths, mapping = two_copies_of_one_article(tmp_path)
    db = str(tmp_path / "dup.duckdb")
    (line,) = run_text(capsys, "ingest", *paths, "--urls", str(mapping), "--db", db)
    assert line == f"inputs 2  new 1  updated 0  unchanged 0  not articles 0  duplicates 1  errors 0  db {db}"
    assert_line_adds_up(line)

    (line,) = run_text(capsys, "reparse", "--db", db)
    assert line == f"inputs 2  new 0  updated 0  unchanged 1  not articles 0  duplicates 1  errors 0  db {db}"
    summary = run_json(capsys, "reparse", "--db", db)
    assert summary["duplicates"] == 1
    assert_json_adds_up(summary)


def test_a_clean_ingest_prints_its_usual_line_and_nothing_else(tmp_path, capsys):
    """The outcomes, and the database file they went to."""
    db = tmp_path / "ok.duckdb"
    assert run_text(capsys, "ingest", str(CANONICAL_PAGE), "--db", str(db)) == [
        f"inputs 1  new 1  updated 0  unchanged 0  not articles 0  errors 0  db {db}"]
    assert run_json(capsys, "ingest", str(CANONICAL_PAGE), "--db", str(db))["db"] == str(db)


def test_ingest_prints_its_first_errors_like_crawl(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("a-empty.html", "b-empty.html", "c-empty.html", "d-empty.html"):
        (inputs / name).write_bytes(b"")
    shutil.copy(CANONICAL_PAGE, inputs / "good.html")
    db = str(tmp_path / "errors.duckdb")
    lines = run_text(capsys, "ingest", str(inputs), "--db", db)
    assert lines[0] == f"inputs 5  new 1  updated 0  unchanged 0  not articles 0  errors 4  db {db}"
    assert len(lines) == 1 + 3 + 1
    for line, name in zip(lines[1:4], ("a-empty.html", "b-empty.html", "c-empty.html")):
        assert line.startswith("  EmptyInputError: ") and line.endswith(f"({inputs / name})"), line
    (run_id,) = re.fullmatch(r"  … 1 more \(SELECT \* FROM errors WHERE run_id = '([0-9a-f-]{36})'\)", lines[4]).groups()

    summary = run_json(capsys, "ingest", str(inputs), "--db", db)
    assert [Path(e["input"]).name for e in summary["first_errors"]] == ["a-empty.html", "b-empty.html",
                                                                        "c-empty.html", "d-empty.html"]
    assert summary["run_id"] != run_id
