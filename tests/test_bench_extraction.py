"""bench/extraction.py's throughput comparison: `newsduck extract --jobs N` against trafilatura in one
process, and the 1.5x pages/s target line."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench.extraction import (
    FLOOR,
    NEWSDUCK,
    TARGET_PAGES_PER_SECOND_RATIO,
    TRAFILATURA,
    ProcessRun,
    Report,
    build_parser,
    format_table,
    load_pages,
    run_whole_process,
    throughput_target,
)


def process_run(seconds: list[float], jobs: int, pages: int = 100, records: int = 100) -> ProcessRun:
    return ProcessRun("cmd", seconds, seconds, 0, records, pages, jobs, "")


def report_with(processes: dict[str, ProcessRun]) -> Report:
    per_page = {name: {"median": 1.0, "mean": 1.0} for name in (NEWSDUCK, TRAFILATURA, FLOOR)}
    return Report(date="2026-01-01 00:00 UTC", dataset="d", pages=100, trafilatura_version="x",
                  trafilatura_options={}, cpu_pinned=0, load_average=[0.1, 0.2], quality={}, per_page_ms=per_page,
                  floor_overhead_pct={}, whole_process={n: r.figures() for n, r in processes.items()}, notes=[],
                  target=throughput_target(processes))


def test_target_is_the_ratio_of_median_pages_per_second():
    processes = {NEWSDUCK: process_run([2.0, 5.0, 2.5], jobs=2), TRAFILATURA: process_run([4.0, 4.2, 3.8], jobs=1)}
    target = throughput_target(processes)
    assert target["ratio"] == pytest.approx((100 / 2.5) / (100 / 4.0))  # 1.6
    assert target["passed"] is True and target["required"] == TARGET_PAGES_PER_SECOND_RATIO == 1.5
    assert target["pair_ratios"] == pytest.approx([2.0, 0.84, 1.52])
    assert target["newsduck_jobs"] == 2

    table = format_table(report_with(processes))
    assert "target: `newsduck extract --jobs 2` pages/s >= 1.5x trafilatura's (one process): 1.60x" in table
    assert "(run by run 0.84x to 2.00x) PASS" in table


def test_target_fails_below_the_ratio_and_when_a_run_is_incomplete():
    slow = {NEWSDUCK: process_run([3.0], jobs=2), TRAFILATURA: process_run([4.0], jobs=1)}
    assert throughput_target(slow)["passed"] is False
    assert format_table(report_with(slow)).count("FAIL") == 1

    incomplete = {NEWSDUCK: process_run([1.0], jobs=2, records=99), TRAFILATURA: process_run([4.0], jobs=1)}
    assert throughput_target(incomplete)["ratio"] is None and throughput_target(incomplete)["passed"] is False
    assert throughput_target({TRAFILATURA: process_run([4.0], jobs=1)}) == {}


def test_jobs_defaults_to_the_number_of_cpus():
    import os

    assert build_parser().parse_args(["d"]).jobs == (os.cpu_count() or 1)


@pytest.fixture
def two_page_dataset(tmp_path: Path) -> Path:
    (tmp_path / "html").mkdir()
    truth = {}
    for page_id in ("page-a", "page-b"):
        body = f"The story of {page_id} is told in this paragraph, which is long enough to keep."
        html = f"<html><head><meta charset='utf-8'><title>t</title></head><body><article><p>{body}</p></article></body></html>"
        (tmp_path / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))
        truth[page_id] = {"articleBody": body, "url": f"https://example.com/{page_id}"}
    (tmp_path / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return tmp_path


@pytest.mark.slow
def test_trafilatura_runs_in_one_process_whatever_the_jobs(two_page_dataset: Path):
    pytest.importorskip("trafilatura")
    pages = load_pages(two_page_dataset)
    results, notes = run_whole_process(pages, jobs=2, trafilatura_defaults=False, with_newsduck=True, repeat=1)
    assert notes == []
    assert results[TRAFILATURA].jobs == 1 and results[TRAFILATURA].complete
    assert results[NEWSDUCK].jobs == 2 and "--jobs 2" in results[NEWSDUCK].command and results[NEWSDUCK].complete
