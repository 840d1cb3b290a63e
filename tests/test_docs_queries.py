"""docs/queries.md: every query runs on a database loaded like the demo's and prints exactly the output shown.

Regenerate the outputs after an intended change with
    NEWSDUCK_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_docs_queries.py
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from parsers import extract_article
from warehouse import ids
from warehouse.db import connect
from warehouse.load import load_batch
from warehouse.models import FetchInfo, PageResult
from warehouse.queries import format_table, run_query
from warehouse.runs import finish_run, start_run

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DOC = ROOT / "docs" / "queries.md"
DEMO_SITE = ROOT / "examples" / "demo-site"
DEMO_BASE_URL = "http://127.0.0.1:8765"  # flows.demo's preferred port: the same URLs, so the same article ids
# A ```sql block, optionally followed by the ```text block that shows its output.
BLOCK = re.compile(r"```sql\n(?P<sql>.*?)```\n(?:\n```text\n(?P<output>.*?)```\n)?", re.S)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """The demo's 13 URLs, extracted by the real parser and loaded in one batch, as `make demo` does."""
    path = tmp_path_factory.mktemp("docs") / "demo.duckdb"
    con = connect(path)
    results = []
    for line in (DEMO_SITE / "urls.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        page = DEMO_SITE / line.strip().lstrip("/")
        url = DEMO_BASE_URL + line.strip()
        body = page.read_bytes()
        fetch = FetchInfo(input=url, url=url, path=None, fetched_at=datetime.now(timezone.utc), status=200,
                          content_type="text/html", bytes=len(body), body_sha256=ids.sha256_hex(body))
        results.append(PageResult(fetch=fetch, body=body, record=extract_article(body, url=url, content_type="text/html")))
    run_id = start_run(con, flow_run_id=None, command="demo", inputs=len(results))
    counts = load_batch(con, run_id, results)
    finish_run(con, run_id, counts, "completed")
    assert (counts.new, counts.not_article, counts.errors) == (12, 1, 0)
    con.close()
    return path


def doc_blocks(text: str) -> list[re.Match]:
    return list(BLOCK.finditer(text))


def rendered(path: Path, sql: str) -> str:
    columns, rows = run_query(path, sql)
    return format_table(columns, rows) + "\n"


def test_queries_doc_has_at_least_ten_queries_each_with_its_output():
    blocks = doc_blocks(QUERIES_DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 10
    assert QUERIES_DOC.read_text(encoding="utf-8").count("```sql") == len(blocks)
    missing = [b.group("sql").splitlines()[0] for b in blocks if b.group("output") is None]
    assert not missing, f"sql blocks without a ```text output block after them: {missing}"


def test_every_query_runs_and_has_the_documented_columns(demo_db):
    for block in doc_blocks(QUERIES_DOC.read_text(encoding="utf-8")):
        output = rendered(demo_db, block.group("sql"))  # raises on any SQL error
        documented = (block.group("output") or "").splitlines()
        assert documented and column_names(output.splitlines()[0]) == column_names(documented[0]), \
            f"columns differ for:\n{block.group('sql')}"


def column_names(header: str) -> list[str]:
    return [name.strip() for name in header.split("|")]


def test_every_query_prints_the_documented_output(demo_db):
    """The pasted outputs are current. A parser change that alters the demo's data fails here: regenerate
    with NEWSDUCK_UPDATE_DOCS=1 and review the diff of docs/queries.md."""
    text = QUERIES_DOC.read_text(encoding="utf-8")
    blocks = doc_blocks(text)
    outputs = [rendered(demo_db, b.group("sql")) for b in blocks]
    if os.environ.get("NEWSDUCK_UPDATE_DOCS"):
        text = update_outputs(text, blocks, outputs)
        QUERIES_DOC.write_text(text, encoding="utf-8")
        blocks = doc_blocks(text)
    for block, output in zip(blocks, outputs):
        assert block.group("output") == output, f"output differs for:\n{block.group('sql')}"


def test_the_demo_queries_find_the_demo_repost(demo_db):
    """The facts the doc's outputs rest on: 1011 is a repost of 1004 (demo-gold.json repost_pairs)."""
    _, rows = run_query(demo_db, "SELECT a.url, b.url, r.relation, r.method FROM article_relations r "
                                 "JOIN articles a ON a.article_id = r.article_id "
                                 "JOIN articles b ON b.article_id = r.related_article_id ORDER BY r.relation")
    repost, original = (DEMO_BASE_URL + f"/content/2025-03/content_{n}.html" for n in ("1011", "1004"))
    assert rows == [(repost, original, "exact_duplicate", "text_sha256"), (repost, original, "repost_of", "source_name")]


def update_outputs(text: str, blocks: list[re.Match], outputs: list[str]) -> str:
    pieces, last = [], 0
    for block, output in zip(blocks, outputs):
        pieces.append(text[last:block.start()])
        pieces.append(f"```sql\n{block.group('sql')}```\n\n```text\n{output}```\n")
        last = block.end()
    pieces.append(text[last:])
    return "".join(pieces)
