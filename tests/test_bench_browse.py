"""bench/browse.py at a tiny size: it builds a warehouse with bench/warehouse.py's generator, times the three pages
through the app and prints them against the targets."""

from __future__ import annotations

import json

from bench import browse as bench_browse


def test_bench_browse_times_home_article_and_search(tmp_path, capsys):
    db = tmp_path / "bench.duckdb"
    code = bench_browse.main(["--articles", "60", "--repeats", "3", "--db", str(db)])
    table = capsys.readouterr().out
    assert db.exists()  # built there, and kept for the next run
    lines = table.splitlines()
    assert "(60 articles, 3 requests each; load average " in lines[0]
    assert [line.split()[0] for line in lines[1:]] == ["home", "article", "search"]
    assert all(line.rstrip().endswith(("PASS", "FAIL")) for line in lines[1:])
    assert "< 100 ms" in lines[1] and "< 100 ms" in lines[2] and "< 200 ms" in lines[3]
    assert code == (0 if all(line.endswith("PASS") for line in lines[1:]) else 1)

    assert bench_browse.main(["--articles", "60", "--repeats", "2", "--db", str(db), "--json"]) in (0, 1)
    figures = json.loads(capsys.readouterr().out)
    assert figures["articles"] == 60 and set(figures["pages"]) == {"home", "article", "search"}
    assert all(page["median_ms"] > 0 for page in figures["pages"].values())
