"""bench.scale runs end to end at a tiny size and prints its rows, and refuses a bad size with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench.scale", *args], cwd=PROJECT, capture_output=True, text=True,
                          timeout=600)


def figures_of(line: str) -> tuple[str, dict[str, str]]:
    name, *pairs = line.split()
    return name, dict(zip(pairs[::2], pairs[1::2]))


def test_the_scale_bench_prints_warc_import_beside_extract_dask_beside_one_process_and_ducklake_beside_the_file():
    done = _run("--pages", "20")
    assert done.returncode == 0, done.stderr
    header, warc, dask, lake, *lake_writers = done.stdout.strip().splitlines()
    assert header.startswith("# bench.scale") and "20 pages per row" in header

    name, figures = figures_of(warc)
    assert name == "warc"
    assert set(figures) == {"pages", "ingest_warc_pages_s", "ingest_files_pages_s", "extract_pages_s", "warc/extract",
                            "warc/files", "rss_mb@2", "rss_mb@20", "rss_growth", "rss_files_mb@20"}
    assert figures["pages"] == "20"
    warc_rate, files_rate, extract_rate = (float(figures[k]) for k in (
        "ingest_warc_pages_s", "ingest_files_pages_s", "extract_pages_s"))
    assert min(warc_rate, files_rate, extract_rate) > 0
    # the ratios are of the unrounded rates: equal to those printed up to their rounding
    assert float(figures["warc/extract"]) == pytest.approx(warc_rate / extract_rate, rel=0.15, abs=0.02)
    assert float(figures["warc/files"]) == pytest.approx(warc_rate / files_rate, rel=0.15, abs=0.02)
    assert int(figures["rss_mb@20"]) > 0

    name, figures = figures_of(dask)
    assert name == "dask" and set(figures) == {"pages", "one_process_pages_s", "workers_2_pages_s", "workers_2/one"}
    ratio = float(figures["workers_2_pages_s"]) / float(figures["one_process_pages_s"])
    assert float(figures["workers_2/one"]) == pytest.approx(ratio, rel=0.15, abs=0.02)

    name, figures = figures_of(lake)
    assert name == "lake" and set(figures) == {"pages", "tables", "rows", "duckdb_file_rows_s", "ducklake_rows_s",
                                               "ducklake/file"}
    assert int(figures["tables"]) >= 20 and int(figures["rows"]) > 20
    ratio = float(figures["ducklake_rows_s"]) / float(figures["duckdb_file_rows_s"])
    assert float(figures["ducklake/file"]) == pytest.approx(ratio, rel=0.15, abs=0.02)

    # one worker into a lake, then two at once into another: each held to a core of its own, then left free
    assert [figures_of(line)[1].get("workers") for line in lake_writers] == ["one_core_each", "free_cores"]
    for line in lake_writers:
        name, figures = figures_of(line)
        # held to a core each, the same pages are also extracted alone (nothing loaded): the machine's own ratio
        control = {"extract_two/one"} if figures["workers"] == "one_core_each" else set()
        assert name == "lake_writers" and set(figures) == {"workers", "pages", "one_worker_pages_s",
                                                           "two_workers_pages_s", "two/one", "one_worker_cpu_s",
                                                           "two_workers_cpu_s", *control}
        assert not control or float(figures["extract_two/one"]) > 0
        assert figures["pages"] == "20" and float(figures["one_worker_pages_s"]) > 0
        # the CPU of the ingest processes: each pays its start-up (Prefect, the parsers, the lake's catalog)
        assert 0.5 < float(figures["one_worker_cpu_s"]) < float(figures["two_workers_cpu_s"])
        ratio = float(figures["two_workers_pages_s"]) / float(figures["one_worker_pages_s"])
        assert float(figures["two/one"]) == pytest.approx(ratio, rel=0.15, abs=0.02)


def test_the_scale_bench_refuses_too_few_pages():
    done = _run("--pages", "3")
    assert done.returncode == 2 and "--pages must be at least 10" in done.stderr


def test_repeated_runs_end_with_each_figure_s_median_and_the_labels_kept():
    from bench.scale import Row, median_rows

    runs = [[Row("lake_writers", {"workers": "one_core_each", "pages": "40", "two/one": ratio})] for ratio in
            ("1.71", "0.75", "2.09")]
    [row] = median_rows(runs)
    assert row.name == "lake_writers"
    assert row.figures == {"stat": "median", "runs": "3", "workers": "one_core_each", "pages": "40", "two/one": "1.71"}


def test_the_scale_bench_refuses_no_runs():
    done = _run("--repeat", "0")
    assert done.returncode == 2 and "--repeat must be at least 1" in done.stderr
