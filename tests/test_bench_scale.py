"""bench.scale runs end to end at a tiny size and prints its WARC row, and refuses a bad size with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench.scale", *args], cwd=PROJECT, capture_output=True, text=True,
                          timeout=600)


def test_the_scale_bench_prints_warc_import_beside_extract_with_the_ratio_and_memory():
    done = _run("--pages", "20")
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.strip().splitlines()
    assert header.startswith("# bench.scale") and "20 pages per row" in header
    name, *pairs = row.split()
    figures = dict(zip(pairs[::2], pairs[1::2]))
    assert name == "warc"
    assert set(figures) == {"pages", "ingest_pages_s", "extract_pages_s", "ingest/extract", "rss_mb@2", "rss_mb@20",
                            "rss_growth"}
    assert figures["pages"] == "20"
    assert float(figures["ingest_pages_s"]) > 0 and float(figures["extract_pages_s"]) > 0
    ratio = float(figures["ingest_pages_s"]) / float(figures["extract_pages_s"])
    assert abs(ratio - float(figures["ingest/extract"])) < 0.02
    assert int(figures["rss_mb@20"]) > 0


def test_the_scale_bench_refuses_too_few_pages():
    done = _run("--pages", "3")
    assert done.returncode == 2 and "--pages must be at least 10" in done.stderr
